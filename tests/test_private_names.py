"""Private names stay in their module (docs/architecture.md, "Private names").

A name with a leading underscore belongs to the module that defines it. Other modules reach shared
code through public names, either of a public module or of an internal (underscore) module such
as ``_rng`` or ``metrics/_common``, whose names carry no underscore. The check walks the source
with ``ast``: it fails on ``from m import _x``, on ``m._x`` for an imported module ``m``, and on
``obj._x`` where ``_x`` is not defined in the reading module itself.
"""

from __future__ import annotations

import ast
import pathlib

import identkit

PACKAGE = pathlib.Path(identkit.__file__).parent
ROOT = PACKAGE.parent

# Underscore attributes that belong to other libraries' protocols, not to identkit modules.
FOREIGN_PROTOCOLS = {
    "_mpi_",            # mpmath: an interval's endpoints
    "_repr_html_", "_repr_latex_", "_repr_png_", "_repr_svg_",   # IPython display protocol
    "_asdict", "_replace", "_fields",                               # namedtuple
}


def _sources():
    seen = set()
    for base in (PACKAGE, ROOT / "theorems"):
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.py")):
            real = path.resolve()
            if real not in seen and "test" not in path.name:
                seen.add(real)
                yield path


def _defined_private(tree) -> set[str]:
    """Underscore names the module defines: functions, classes, assignments, attributes it sets
    (``self._x = ...``, ``object.__setattr__(self, "_x", ...)``), dataclass fields, parameters."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            if not isinstance(node, ast.ClassDef):
                for a in node.args.args + node.args.kwonlyargs + node.args.posonlyargs:
                    names.add(a.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif (isinstance(node, ast.Call) and len(node.args) >= 2
              and isinstance(node.args[0], ast.Name) and node.args[0].id == "self"
              and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
            # object.__setattr__(self, "_x", v), or an alias of it
            names.add(node.args[1].value)
        elif (isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__slots__"
                                                   for t in node.targets)):
            names.update(c.value for c in ast.walk(node.value)
                         if isinstance(c, ast.Constant) and isinstance(c.value, str))
    return {n for n in names if n.startswith("_") and not n.startswith("__")}


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _package_dir(path: pathlib.Path, node: ast.ImportFrom):
    """The folder a ``from ... import`` names, for identkit's own (relative) imports."""
    if node.level == 0:
        if not (node.module or "").startswith("identkit"):
            return None
        base = PACKAGE.parent
        parts = node.module.split(".")
    else:
        base = path.parent
        for _ in range(node.level - 1):
            base = base.parent
        parts = node.module.split(".") if node.module else []
    for p in parts:
        base = base / p
    return base


def _is_module(folder, name: str) -> bool:
    """Importing an internal (underscore) module is allowed; importing a private name is not."""
    return folder is not None and ((folder / f"{name}.py").is_file()
                                   or (folder / name / "__init__.py").is_file())


def _violations(path: pathlib.Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = _defined_private(tree)
    modules = set()
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                modules.add((a.asname or a.name).split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            target = _package_dir(path, node)
            for a in node.names:
                if _private(a.name) and not _is_module(target, a.name):
                    out.append(f"{path.name}:{node.lineno}: imports {a.name} from "
                               f"{'.' * node.level}{node.module or ''}")
                else:
                    modules.add(a.asname or a.name)   # may be a module (from . import io)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and _private(node.attr)):
            continue
        if node.attr in FOREIGN_PROTOCOLS or node.attr in own:
            continue
        base = node.value
        if isinstance(base, ast.Name) and base.id in ("self", "cls"):
            continue
        out.append(f"{path.name}:{node.lineno}: reads {ast.unparse(base)}.{node.attr}")
    return out


def test_no_module_reads_another_modules_private_names():
    found = [v for path in _sources() for v in _violations(path)]
    assert found == [], "private names crossing modules:\n" + "\n".join(found)


def test_the_scan_catches_a_private_import_and_a_private_attribute(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from .graphs import _first_seen\nfrom . import io\n"
                   "def f(g):\n    return g._Ga, io._yaml\n", encoding="utf-8")
    found = _violations(bad)
    assert any("imports _first_seen" in v for v in found)
    assert any("g._Ga" in v for v in found) and any("io._yaml" in v for v in found)
    good = tmp_path / "good.py"
    good.write_text("class A:\n    def __init__(self):\n        self._x = 1\n"
                    "    def same(self, other):\n        return other._x\n", encoding="utf-8")
    assert _violations(good) == []
