"""The newcomer's path (issue 25, item 7): every docs page says at its top which extra it
needs, and runs under exactly that install.

An install without an extra is simulated by an import hook that makes the extra's modules
absent (``ModuleNotFoundError``, as when the package is not installed); each page then runs in
its own interpreter with every module blocked that its top line does not ask for. A page that
shows a picture, trains or sweeps without saying so fails here, as it would for a reader who
installed only what the README's first command installs.
"""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "docs").glob("*.md")) + sorted((ROOT / "docs" / "tutorials").glob("*.md"))

# the import names of the extras' distributions
MODULES = {"pyyaml": ["yaml"], "matplotlib": ["matplotlib"], "scikit-learn": ["sklearn"],
           "jax": ["jax"], "optax": ["optax"], "dask": ["dask", "distributed"]}
USER_EXTRAS = ["yaml", "plot", "metrics", "learn", "sweep"]  # not docs, test: for developers
_DECLARED = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
    "optional-dependencies"]
EXTRA_MODULES = {extra: [m for req in _DECLARED[extra]
                         for m in MODULES[re.match(r"[\w-]+", req).group().lower()]]
                 for extra in USER_EXTRAS}
PACKAGES = {"hypothesis": ["hypothesis"]}  # the test-only packages a page may name alone
BLOCKED = sorted({m for ms in [*EXTRA_MODULES.values(), *PACKAGES.values()] for m in ms})

# what a page's text uses, and the extra that provides it
USES = {r"identkit draw|identkit\.plot|_repr_html_\(\)": "plot",
        r"identkit fit\b|identkit\.learn": "learn",
        r"identkit sweep\b|identkit\.sweep": "sweep",
        r">>> (?:from|import) hypothesis": "hypothesis"}

RUNNER = """
import importlib.abc, sys
BLOCK = set(sys.argv[1].split(",")) - {""}
class Absent(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCK:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Absent())
import pytest
sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "-p", "no:hypothesispytest", sys.argv[2]]))
"""


def needs(page: Path) -> set[str]:
    """The extras and packages a page's top (before its first section) says it needs."""
    head = page.read_text(encoding="utf-8").split("\n## ")[0]
    said = set()
    for line in re.findall(r"^\*[^*]*\bneeds?\b[^*]*\*$", head, re.I | re.M | re.S):
        for extras in re.findall(r"identkit\[([\w,]+)\]", line):
            said.update(extras.split(","))
        said.update(re.findall(r"pip install (\w+)`", line))
        said.update(re.findall(r"the `(\w+)` extra", line))
    return said


def test_the_extras_are_read_from_the_project():
    assert EXTRA_MODULES["plot"] == ["matplotlib"]
    assert set(EXTRA_MODULES["sweep"]) == {"dask", "distributed", "yaml"}


def test_the_needs_line_is_read():
    said = needs(ROOT / "docs" / "sweeps.md")
    assert said == {"sweep", "learn"}
    assert needs(ROOT / "docs" / "theory.md") == set()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_a_page_using_an_extra_says_so_at_its_top(page):
    text = page.read_text(encoding="utf-8")
    for pattern, extra in USES.items():
        if re.search(pattern, text):
            assert extra in needs(page), (
                f"{page.name} uses {pattern!r} but its top does not say it needs {extra!r}")


@pytest.mark.parametrize("page", [p for p in PAGES if ">>> " in p.read_text(encoding="utf-8")],
                         ids=lambda p: p.name)
def test_a_page_runs_with_only_the_extras_it_names(page):
    allowed = set()
    for name in needs(page):
        allowed.update(EXTRA_MODULES.get(name, PACKAGES.get(name, [])))
    blocked = ",".join(m for m in BLOCKED if m not in allowed)
    proc = subprocess.run([sys.executable, "-c", RUNNER, blocked, str(page)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, (f"{page.name} fails without {blocked}:\n"
                                  + proc.stdout[-3000:] + proc.stderr[-1000:])


def test_the_blocking_is_real():
    """Without its needs line the notebook lesson fails: its picture needs matplotlib."""
    page = ROOT / "docs" / "tutorials" / "a-lesson-in-a-notebook.md"
    proc = subprocess.run([sys.executable, "-c", RUNNER, ",".join(BLOCKED), str(page)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode != 0 and "<img" in proc.stdout
