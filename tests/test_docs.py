"""The documentation: it builds without a warning, its generated pages are current, and it
covers every worked example. (Its code blocks run as doctests with the rest of the suite.)"""

import os
import subprocess
import sys

import identkit as ik
from identkit.symbolic.catalogue import mechanism_examples

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
    for name in ik.examples.names():
        assert f"{name}.md" in pages
    for ex in mechanism_examples():
        assert f"mechanism-{ex.name}.md" in pages
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
