"""The documentation: it builds without a warning, its generated pages are current, and it
covers every worked example. (Its code blocks run as doctests with the rest of the suite.)"""

import os
import subprocess
import sys

import identkit as ik

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(ROOT, "docs")
sys.path.insert(0, os.path.join(DOCS, "_tools"))


def test_generated_pages_are_current(monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    from build_pages import all_pages

    for rel, text in all_pages().items():
        with open(os.path.join(DOCS, rel), encoding="utf-8") as fh:
            assert fh.read() == text, f"docs/{rel} is stale: run python docs/_tools/build_pages.py"


def test_every_worked_example_has_a_page():
    pages = set(os.listdir(os.path.join(DOCS, "catalogue")))
    for name in ik.examples.names(None):
        assert f"{name}.md" in pages
    assert "example-2.md" in pages


def test_sphinx_builds_without_warnings(tmp_path):
    out = tmp_path / "html"
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-b", "html", "-q", DOCS,
                           str(out)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (out / "index.html").exists()
    assert (out / "catalogue" / "ex8.html").exists()
    # the figures come from identkit itself, made during the build
    images = os.listdir(out / "_images")
    assert "ex8.svg" in images and "design-6.svg" in images


def _markdown_pages():
    for base, _, files in os.walk(DOCS):
        if "_build" in base or "_tools" in base:
            continue
        for f in files:
            if f.endswith(".md"):
                yield os.path.join(base, f)


def test_markdown_pages_showed_raw_sphinx_roles():
    """MyST writes roles as {func}`x`; the reST spelling :func:`x` is printed as it stands,
    except inside an eval-rst block."""
    import re

    for path in _markdown_pages():
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        text = re.sub(r"```\{eval-rst\}.*?```", "", text, flags=re.S)
        raw = re.findall(r"(?<![\w{}]):(?:func|class|meth|mod|attr|exc):`", text)
        assert not raw, f"{os.path.relpath(path, DOCS)} has raw roles {raw}"


def test_long_code_lines_were_cut_off_instead_of_wrapped():
    sys.path.insert(0, DOCS)
    import conf

    assert "identkit.css" in conf.html_css_files and conf.html_static_path == ["_static"]
    with open(os.path.join(DOCS, "_static", "identkit.css"), encoding="utf-8") as fh:
        css = fh.read()
    assert ".highlight pre" in css and "white-space: pre-wrap" in css


def test_the_name_rule_of_the_graph_files_page_is_the_parser_s():
    """The page's grammar says a name starts with a letter or _ and goes on with letters,
    digits, _ . - and '; try every printable ASCII character in both places."""
    import string

    from identkit.errors import GraphFileError

    first = set(string.ascii_letters + "_")
    rest = first | set(string.digits + ".-'")

    def parses(name):
        try:
            ik.io.parse_text(f"{name} -> q")
        except GraphFileError:
            return False
        return True

    for c in string.printable.strip():
        assert parses(f"x{c}y") == (c in rest), repr(c)
        assert parses(f"{c}xy") == (c in first), repr(c)
    with open(os.path.join(DOCS, "reference", "graph-files.md"), encoding="utf-8") as fh:
        page = fh.read()
    assert 'name         = first { first | digit | "." | "-" | "\'" } ;' in page
    assert 'first        = "A" ... "Z" | "a" ... "z" | "_" ;' in page
