"""One source for each concept: twin classes, exception classes, name suggestions, a graph's matrices.

Each test checks the one shared function against an independent route (brute force over small
graphs, a scan of the source tree), so a second copy drifting away, or the shared one breaking,
fails here.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import math
import pathlib

import numpy as np
import pytest

import identkit as ik
from identkit import errors
from identkit.entanglement import entanglement_graph, twin_classes
from identkit.symmetry import graph_preserving_permutations

PACKAGE = pathlib.Path(ik.__file__).parent


def _small_models():
    """Every model with d = 2 (Gz alone, Ga alone with 2 actions) and a sample at d = 3."""
    for bits in range(2 ** 4):
        Gz = np.array([(bits >> k) & 1 for k in range(4)]).reshape(2, 2)
        yield ik.LatentGraph(Gz=Gz)
        yield ik.LatentGraph(Ga=Gz)
    rng = np.random.default_rng(7)
    for _ in range(150):
        yield ik.LatentGraph(Gz=rng.random((3, 3)) < 0.5, Ga=rng.random((3, 2)) < 0.5)


def test_twin_classes_are_the_symmetric_pairs_of_C_by_brute_force():
    """i and j are C-twins iff C[i, j] and C[j, i] (paper Prop 3), on every small model."""
    for g in _small_models():
        for reg in ("", *(r for r in ("a", "z", "az") if set(r) <= set(g.graphs))):
            C = entanglement_graph(g, reg)
            classes = twin_classes(g, reg)
            assert sorted(i for c in classes for i in c) == list(range(g.n_latents))
            assert [c[0] for c in classes] == sorted(c[0] for c in classes)
            class_of = {i: k for k, c in enumerate(classes) for i in c}
            for i, j in itertools.product(range(g.n_latents), repeat=2):
                assert (class_of[i] == class_of[j]) == bool(C[i, j] and C[j, i]), (g, reg, i, j)


def test_report_blocks_and_preserving_group_use_the_same_twin_classes():
    for g in _small_models():
        classes = twin_classes(g)
        assert ik.analyze(g).blocks == classes
        order = math.prod(math.factorial(len(c)) for c in classes)
        assert graph_preserving_permutations(g).order() == order


def test_twin_classes_of_example_8():
    """Example 8: the robot follows the ball, so z2 and z3 are twins and z1 stands alone."""
    assert twin_classes(ik.LatentGraph(Gz=[[1, 0, 0], [1, 1, 1], [1, 1, 1]])) == ((0,), (1, 2))


def _exception_classes_defined(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            bases = {ast.unparse(b) for b in node.bases}
            if any(b.endswith(("Error", "Exception")) for b in bases):
                yield node.name


# Control-flow signals of exact arithmetic: raised and caught inside ``symbolic`` (a check turns
# them into ``undecided``), never seen by a user, so they are not part of the error family.
INTERNAL_SIGNALS = {"Undefined", "Unknown", "BudgetExpired"}


def test_every_public_exception_class_is_defined_in_errors_and_exported():
    outside = {}
    for path in PACKAGE.rglob("*.py"):
        if path.name == "errors.py":
            continue
        for name in _exception_classes_defined(ast.parse(path.read_text(encoding="utf-8"))):
            if name in INTERNAL_SIGNALS and path.name == "_exact.py":
                continue
            outside[name] = path.relative_to(PACKAGE)
    assert outside == {}, f"exception classes defined outside errors.py: {outside}"
    defined = {n for n, c in vars(errors).items()
               if inspect.isclass(c) and issubclass(c, Exception) and c.__module__ == errors.__name__}
    assert defined <= set(errors.__all__)
    for name in defined:
        assert getattr(ik, name) is getattr(errors, name), name
        assert issubclass(getattr(errors, name), errors.IdentkitError), name


def test_did_you_mean_suggests_the_close_name_only():
    assert errors.did_you_mean("z_1", ["z1", "z2"]) == " (did you mean 'z1'?)"
    assert errors.did_you_mean("qqq", ["z1", "z2"]) == ""
    assert errors.did_you_mean(3, ["z1"]) == ""
    many = [f"n{k}" for k in range(3000)]
    assert errors.did_you_mean("N17", many) == " (did you mean 'n17'?)"  # case only, beyond limit
    assert errors.did_you_mean("n17x", many) == ""


def test_unknown_latent_message_uses_the_suggestion():
    g = ik.LatentGraph(Gz=[[1, 0], [0, 1]], latents=["ball", "robot"])
    with pytest.raises(ik.GraphError, match=r"did you mean 'ball'\?"):
        g.latent_index("bal")


def test_matrices_has_a_key_for_each_graph_the_model_has():
    assert sorted(ik.LatentGraph(Gz=[[1]]).matrices()) == ["z"]
    assert sorted(ik.LatentGraph(Ga=[[1]]).matrices()) == ["a"]
    g = ik.LatentGraph(Gz=[[1, 0], [1, 1]], Ga=[[0], [1]])
    m = g.matrices()
    assert sorted(m) == sorted(g.graphs)
    assert np.array_equal(m["z"], [[1, 0], [1, 1]]) and np.array_equal(m["a"], [[0], [1]])


def test_keyword_only_maps_legacy_positional_arguments_and_warns():
    import warnings

    from identkit._compat import keyword_only

    @keyword_only("regularize", "seed")
    def f(g, *, regularize=None, seed=0):
        return g, regularize, seed

    assert f(1, seed=3) == (1, None, 3)
    with pytest.warns(DeprecationWarning, match="regularize, seed"):
        assert f(1, "a", 4) == (1, "a", 4)
    with pytest.raises(TypeError, match="multiple values"):
        f(1, "a", seed=2, regularize="z")
    with pytest.raises(TypeError, match="at most 3"):
        f(1, 2, 3, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert f(1, regularize="z") == (1, "z", 0)   # the new way does not warn
    with pytest.raises(TypeError, match="not keyword-only"):
        keyword_only("seed")(lambda g, seed=0: g)


def test_the_architecture_pages_one_source_table_names_real_objects():
    """Every place the table on docs/architecture.md names exists (so the page cannot drift)."""
    import importlib
    import re

    page = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = page[page.index("| concept | the one place |"):]
    table = table[: table.index("\n\n")]
    names = [n for row in table.splitlines()[2:] for n in re.findall(r"`([^`]+)`", row.split("|")[2])]
    assert len(names) >= 12
    for name in names:
        dotted = name.replace("/", ".").removesuffix("()")
        parts = dotted.split(".")
        obj, k = None, len(parts)
        while k and obj is None:          # the longest importable module prefix
            try:
                obj = importlib.import_module("identkit." + ".".join(parts[:k]))
            except ModuleNotFoundError:
                k -= 1
        if obj is None:                   # a name of the package facade (LatentGraph.matrices)
            obj, k = ik, 0
        for attr in parts[k:]:
            obj = getattr(obj, attr)      # AttributeError names the stale entry


def test_editing_a_handed_out_mechanism_entry_cannot_change_the_catalogue():
    ex = ik.examples.get("mechanism-ex10")
    ex.spec["mean"]["z1"] = "0"
    ex.spec["latents"].append("z9")
    ex.expected["Assumption 6"] = False
    again = ik.examples.get("mechanism-ex10")
    assert again.spec["mean"]["z1"] == "a1 + a2" and again.spec["latents"] == ["z1", "z2", "z3"]
    assert again.expected == {"Assumption 6": True}
    listed = next(e for e in ik.examples.catalogue("mechanism") if e.name == "mechanism-ex10")
    assert listed.spec == again.spec
