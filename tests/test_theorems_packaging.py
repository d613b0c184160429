"""The paper's results live in the top-level ``theorems/`` folder and install as the package
``identkit.theorems`` (pyproject.toml): the mapping, the explicit package list it forces, and
that the tests collect the folder as that package, not as a second copy."""

import os
import sys

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest itself depends on tomli there
    import tomli as tomllib

import identkit
from identkit import theorems

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _setuptools():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as fh:
        return tomllib.load(fh)["tool"]["setuptools"]


def test_theorems_folder_installs_as_identkit_theorems():
    conf = _setuptools()
    assert conf["package-dir"] == {"identkit.theorems": "theorems"}
    assert "identkit.theorems" in conf["packages"]
    assert conf["package-data"]["identkit"] == ["schemas/*.json"]


def test_package_list_names_every_package_folder_under_identkit():
    """A package-dir entry rules out automatic discovery: a new subpackage missing from the
    explicit list would be absent from the wheel while the editable install still found it."""
    found = set()
    for dirpath, _, files in os.walk(os.path.join(ROOT, "identkit")):
        if "__init__.py" in files:
            rel = os.path.relpath(dirpath, ROOT)
            found.add(rel.replace(os.sep, "."))
    assert found | {"identkit.theorems"} == set(_setuptools()["packages"])


def test_identkit_theorems_is_the_top_level_folder():
    folder = os.path.join(ROOT, "theorems")
    # a leftover identkit/theorems/ (an untracked __pycache__ after the move) would import as
    # an empty namespace package in place of the installed one, and `identkit theorems` fail
    assert not os.path.exists(os.path.join(ROOT, "identkit", "theorems")), \
        "delete the leftover identkit/theorems/ folder: the package is theorems/ now"
    assert os.path.dirname(os.path.abspath(theorems.__file__)) == folder
    for module in theorems.MODULES:
        assert os.path.dirname(os.path.abspath(module.__file__)) == folder
    assert identkit.theorems is theorems


def test_pytest_collects_the_folder_as_the_installed_modules_not_a_copy():
    """With pytest's default import mode ``theorems/x.py`` is imported as ``theorems.x``; the
    repository's conftest.py registers the installed modules under that name."""
    assert sys.modules["theorems"] is theorems
    for module in theorems.MODULES:
        short = module.__name__.rsplit(".", 1)[1]
        assert module.__name__ == f"identkit.theorems.{short}"
        assert sys.modules[f"theorems.{short}"] is module
