"""What the command line used to decide itself now lives in the API, where these tests reach it
without the CLI: the report's Markdown and symmetry lines, the default regularization of an
example, latent specs and --intervenable, and the one catalogue of graphs and worked mechanisms.
(The CLI's output is pinned byte for byte by tests/test_cli_golden.py.)"""

import argparse
import dataclasses
import os
import subprocess
import sys
import warnings

import pytest

import identkit as ik
from identkit import cli, examples
from identkit.design import (MAX_LATENTS, design_interventions, parse_intervenable,
                             parse_latents, repair)
from identkit.errors import ExampleNotFoundError, GraphError
from identkit.symmetry import Symmetries


# ------------------------------------------------------------------------ the report's output

@pytest.mark.parametrize("name", ["ex4", "ex8", "fig1", "TimeBlockNonDiag"])
def test_report_symmetries_are_the_symmetry_module_s_own(name):
    ex = examples.get(name)
    r = ik.analyze(ex.graph, ex.regularize)
    sym = Symmetries.of(ex.graph, ex.regularize)
    assert r.to_dict(symmetries=True) == {**r.to_dict(), **sym.to_dict()}
    lines = r.to_text(symmetries=True).split("\n")
    assert lines[-3:-1] == str(sym).split("\n")       # just before the assumptions
    assert lines[-1].startswith("Assumptions: ")
    assert r.to_text(symmetries=True).replace(str(sym) + "\n", "") == r.to_text()


def test_report_text_without_symmetries_is_unchanged_by_default():
    r = ik.analyze(examples.get("ex8").graph)
    assert "Automorphisms" not in r.to_text() and "Automorphisms" not in str(r)
    assert "graph_preserving_permutations" not in r.to_dict()


def test_report_markdown_bolds_the_verdict_and_bullets_indented_lines():
    r = ik.analyze(examples.get("ex8").graph)
    md = r.to_markdown()
    first, rest = md.split("\n", 1)
    assert first == "**" + r.summary() + "**"
    assert "- {z2, z3}" in md and "  {z2, z3}" not in md
    assert "\n\nWhy (true latent may depend on learned latent):\n- true z2" in md
    assert md.endswith(r.assumptions)
    assert "Automorphisms" in r.to_markdown(symmetries=True)


def test_report_is_frozen_and_entanglement_graph_is_the_pattern_c():
    g = examples.get("ex8").graph
    r = ik.analyze(g)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.complete = True
    assert (r.entanglement_graph == ik.entanglement_graph(g, r.regularize)).all()
    assert r.to_dict()["entanglement_graph"] == ik.entanglement_graph(g).astype(int).tolist()
    assert str(r) == r.to_text()


# ---------------------------------------------------------------- one default-regularization rule

def _args(**kw):
    base = dict(command="check", example=None, path=None, regularize=None, max_bytes=None,
                max_memory=None)
    return argparse.Namespace(**{**base, **kw})


def test_load_resolves_regularize_the_option_first_then_the_example_s():
    assert cli._load(_args(example="ex8"))[1] == "z"            # Example.regularize
    assert cli._load(_args(example="ex8", regularize=""))[1] == ""   # an explicit "" wins
    assert cli._load(_args(example="fig1", regularize="a"))[1] == "a"


def test_load_of_a_file_leaves_regularize_to_the_api(tmp_path):
    path = tmp_path / "g.json"
    ik.io.write_graph(examples.get("ex8").graph, path)
    assert cli._load(_args(path=str(path)))[1] is None           # analyze: all the model has
    assert cli._load(_args(path=str(path), regularize="z"))[1] == "z"


# ------------------------------------------------------------------ latent specs, --intervenable

@pytest.mark.parametrize("text, value", [("3", 3), ("+7", 7), (" 12 ", 12),
                                         ("ball,robot", ["ball", "robot"]),
                                         (" a, b ,c ,", ["a", "b", "c"]), ("x,,y", ["x", "y"]),
                                         ("1_000", ["1_000"]), (str(MAX_LATENTS), MAX_LATENTS)])
def test_parse_latents_reads_a_count_or_names(text, value):
    assert parse_latents(text) == value


@pytest.mark.parametrize("text, message", [
    ("0", "0 is out of range: give an integer from 1 to 1000000"),
    ("-3", "-3 is out of range"), (str(MAX_LATENTS + 1), "out of range"),
    (",", "is neither a number of latents nor a comma-separated list of names"),
    ("  ", "is neither"), ("٣", "is not an integer"), ("9" * 31, "is not an integer")])
def test_parse_latents_refuses_with_a_typed_error(text, message):
    with pytest.raises(GraphError, match=message):
        parse_latents(text)
    with pytest.raises(argparse.ArgumentTypeError, match=message):  # the CLI's usage error
        cli.latents_option(text)


def test_design_takes_names_as_its_first_argument():
    by_names = design_interventions(["ball", "robot", "tree"], temporal=True)
    assert by_names == design_interventions(3, temporal=True, latents=["ball", "robot", "tree"])
    assert design_interventions(parse_latents("3")) == design_interventions(3)
    with pytest.raises(GraphError):   # a string is not a list of one-letter names
        design_interventions("abc")


def test_parse_intervenable_empty_means_every_latent():
    assert parse_intervenable(None) is None and parse_intervenable("") is None
    assert parse_intervenable("z2, z3,") == ["z2", "z3"]
    assert parse_intervenable(",") == []
    g = examples.get("ex8").graph
    assert repair(g, intervenable=parse_intervenable("z2,z3")).added == repair(g).added


# ---------------------------------------------------------------------------- one catalogue

def test_catalogue_has_two_kinds_with_unique_names():
    every = examples.catalogue(None)
    assert {e.kind for e in every} == set(examples.KINDS)
    assert len({e.name.lower() for e in every}) == len(every)
    assert examples.names(None) == examples.names("graph") + examples.names("mechanism")
    assert all(n.startswith(examples.MECHANISM_PREFIX) for n in examples.names("mechanism"))
    assert not any(n.startswith(examples.MECHANISM_PREFIX) for n in examples.names("graph"))


def test_catalogue_default_kind_stays_the_graphs_old_callers_expect():
    """``names()``/``catalogue()`` listed graphs before the merge; callers read ``.graph``."""
    assert examples.names() == examples.names("graph")
    assert all(hasattr(e, "graph") for e in examples.catalogue())


def test_catalogue_unknown_kind_is_refused_with_a_suggestion():
    with pytest.raises(ExampleNotFoundError, match="did you mean 'graph'"):
        examples.names("graphs")


def test_get_resolves_both_kinds_case_insensitively():
    assert examples.get("MECHANISM-EX10-LINEAR").name == "mechanism-ex10-linear"
    assert examples.get("mechanism-ex10-linear").kind == "mechanism"
    assert examples.get("TIMEdiag").kind == "graph"
    with pytest.raises(ExampleNotFoundError, match="no worked mechanism named 'ex99'"):
        examples.get("mechanism-ex99")
    with pytest.raises(ExampleNotFoundError, match=r"did you mean 'ex8'"):
        examples.get("ex88")


@pytest.mark.parametrize("name", examples.names("mechanism"))
def test_mechanism_entries_derive_their_expected_graphs(name):
    import numpy as np

    from identkit.symbolic import mechanism_from_dict

    ex = examples.get(name)
    g = mechanism_from_dict(ex.spec, source=ex.name).derive_graph().graph
    checked = 0
    for attr in ("Gz", "Ga"):
        want = getattr(ex, attr)   # None: the entry does not state this graph
        if want is not None:
            assert np.array_equal(getattr(g, attr).astype(int), np.array(want))
            checked += 1
    assert checked
    assert ex.to_dict()["kind"] == "mechanism" and ex.to_dict()["spec"] == ex.spec


def test_examples_module_does_not_import_the_symbolic_backend():
    """examples is layer 3, symbolic layer 5: a mechanism entry is plain data."""
    code = ("import sys, identkit.examples as e; ex = e.get('mechanism-ex9'); "
            "assert ex.spec['latents']; "
            "print(sorted(m for m in sys.modules if m.startswith(('identkit.symbolic', 'sympy'))))")
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=120, check=True).stdout
    assert out.strip() == "[]"


def test_deprecated_symbolic_catalogue_still_returns_what_it_returned():
    from identkit.symbolic import catalogue as old

    with pytest.warns(DeprecationWarning, match="identkit.examples"):
        entries = old.mechanism_examples()
    assert [e.name for e in entries] == [n[len("mechanism-"):]
                                         for n in examples.names("mechanism")]
    assert all(isinstance(e, old.MechanismExample) for e in entries)
    with pytest.warns(DeprecationWarning):
        one = old.get_mechanism_example("EX10-linear")
    new = examples.get("mechanism-ex10-linear")
    assert (one.name, one.spec, one.expected, one.Ga, one.Gz) == \
        ("ex10-linear", new.spec, new.expected, new.Ga, new.Gz)
    assert list(one.mechanism().latents) == ["z1", "z2", "z3"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(ExampleNotFoundError, match="no worked mechanism named 'nope'"):
            old.get_mechanism_example("nope")


def test_random_graph_seed_defaults_to_zero_deterministic():
    assert examples.random_graph(6, kind="both") == examples.random_graph(6, kind="both", seed=0)
    assert examples.random_graph(6, kind="both") != examples.random_graph(6, kind="both", seed=1)
    with pytest.raises(TypeError):
        examples.random_graph(6, "both")  # kind (and seed) are keyword-only


def test_load_of_a_mechanism_file_keeps_the_given_regularize(tmp_path):
    """draw/repair/verify on a mechanism file judge the graphs --regularize names."""
    path = tmp_path / "m.json"
    path.write_text(ik._jsonfmt.dumps(examples.get("mechanism-ex9").spec))
    g, reg, source = cli._load(_args(path=str(path), regularize="a"))
    assert reg == "a" and source == str(path) and g.Ga is not None
    assert cli._load(_args(path=str(path)))[1] is None


def test_coloured_repair_of_seven_twins_uses_the_middle_layer_of_five_interventions():
    """A block of 7 C-twins is a 7-clique of the conflict graph: 7 colours, and Sperner's
    C(5, 2) = 10 >= 7 > C(4, 2) = 6 gives 5 new interventions (one 2-subset each); single
    interventions would need 7."""
    import numpy as np

    g = ik.LatentGraph(Gz=np.ones((7, 7), dtype=int))
    rep = repair(g, temporal=True, exact_limit=0)          # force the colouring
    assert rep.method == "greedy" and rep.after.complete
    assert len(rep.added) == 5 and rep.lower_bound == 5 and rep.exact
    assert sorted(len([t for t in rep.added if z in t]) for z in g.latents) == [2] * 7
