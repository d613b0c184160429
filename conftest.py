"""Test-suite settings.

* hypothesis runs without per-example deadlines (CI machines vary in speed) and derandomized, so
  every run of the suite draws the same examples;
* the top-level ``theorems/`` folder is collected as the package it installs as,
  ``identkit.theorems`` (see :func:`_collect_theorems_as_installed`);
* the deprecated alias module ``identkit/symbolic/exact.py`` (it only warns and re-exports) is
  not collected for doctests; ``tests/test_deprecation_paths.py`` tests it.
"""

import importlib
import importlib.util
import sys
from pathlib import Path

try:  # the docs pages run once without the test extras too (tests/test_newcomer_path.py)
    from hypothesis import HealthCheck, settings
except ModuleNotFoundError:
    settings = None
if settings is not None:
    settings.register_profile(
        "identkit", deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
    )
    settings.load_profile("identkit")

THEOREMS = Path(__file__).resolve().parent / "theorems"

collect_ignore = ["identkit/symbolic/exact.py"]


def _load_theorems_folder():
    """``identkit.theorems`` from this checkout's ``theorems/`` folder.

    An editable install maps the folder there (``package-dir`` in pyproject.toml); a checkout
    run with ``PYTHONPATH=.`` but installed from elsewhere (or not at all) would otherwise test
    another copy, or fail to import it.
    """
    try:
        pkg = importlib.import_module("identkit.theorems")
    except ModuleNotFoundError:
        pkg = None
    # a leftover identkit/theorems/ (say, an untracked __pycache__) imports as an empty
    # namespace package, without __file__
    found = getattr(pkg, "__file__", None)
    if found is not None and Path(found).resolve().parent == THEOREMS:
        return pkg
    for name in [n for n in sys.modules if n == "identkit.theorems"
                 or n.startswith("identkit.theorems.")]:
        del sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        "identkit.theorems", THEOREMS / "__init__.py", submodule_search_locations=[str(THEOREMS)])
    pkg = importlib.util.module_from_spec(spec)
    sys.modules["identkit.theorems"] = pkg
    spec.loader.exec_module(pkg)
    import identkit

    identkit.theorems = pkg
    return pkg


def _collect_theorems_as_installed():
    """Make pytest's imports of ``theorems/*.py`` return the ``identkit.theorems`` modules.

    With the default ("prepend") import mode pytest imports ``theorems/x.py`` under the name of
    its folder, as a top-level ``theorems.x``: a second copy of ``identkit.theorems.x``, whose
    doctests would run on other objects. Registering every module of the folder under that name
    too makes the collected module the installed one (pytest checks that the file matches).
    """
    pkg = _load_theorems_folder()
    sys.modules["theorems"] = pkg
    for path in sorted(THEOREMS.glob("*.py")):
        if path.stem != "__init__":
            sys.modules[f"theorems.{path.stem}"] = importlib.import_module(
                f"identkit.theorems.{path.stem}")


_collect_theorems_as_installed()
