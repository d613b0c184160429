"""The theorem checks cannot pass by accident: each part of each statement is tested on counted
instances, a wrong implementation of any one part is caught *by that part*, and a part that no
instance reached leaves the check undecided."""

import numpy as np
import pytest

import identkit as ik
from identkit import theorems
from identkit.entanglement import preserving_pattern
from identkit.numeric import MapError, sample_preserving_map, sample_violating_map
from identkit.theorems._evidence import Trial


def _all_ones(G):
    d = np.asarray(G).shape[0]
    return np.ones((d, d), dtype=bool)


def _identity(G):
    return np.eye(np.asarray(G).shape[0], dtype=bool)


def _no_transitivity(G):
    G = np.asarray(G, dtype=bool)
    return (G.astype(int) @ G.T.astype(int) > 0) | np.eye(G.shape[0], dtype=bool)


def _strict_order(G):
    """Closed under products and adjugates, but without the identity."""
    d = np.asarray(G).shape[0]
    return np.triu(np.ones((d, d), dtype=bool), 1)


def _transposed_adjugate(A):
    return A.T.adjugate()


def _design_with_one_extra(d):
    from identkit.design import Design, design_interventions

    des = design_interventions(d)
    targets = list(des.targets) + [tuple(des.graph.latents)]
    graph = ik.LatentGraph.from_interventions([list(t) for t in targets],
                                              latents=des.graph.latents)
    return Design(targets, graph, len(targets), len(targets), True, "one more than needed")


def _design_with_one_fewer(d):
    from identkit.design import Design, design_interventions

    des = design_interventions(d)
    targets = des.targets[:-1]
    graph = ik.LatentGraph.from_interventions([list(t) for t in targets],
                                              latents=des.graph.latents) if targets else None
    return Design(targets, graph, len(targets), len(targets), True, "one fewer")


def _violating_for_preserving(g, regularize=None, seed=None):
    return sample_violating_map(g, regularize, seed=seed)


def _preserving_for_violating(g, regularize=None, seed=None):
    """Claims a violation it does not make: a preserving map labelled with a real pair."""
    pair = sample_violating_map(g, regularize, seed=seed).violation
    v = sample_preserving_map(g, regularize, seed=seed)
    v.violation = pair
    return v


def _raising_sampler(g, regularize=None, seed=None):
    raise MapError("this sampler always fails")


# (module, wrong implementation, the part that must catch it)
PER_PART = [
    (theorems.prop3, {"pattern": _all_ones}, "on the pattern ⇒ G-preserving"),
    (theorems.prop3, {"pattern": _identity}, "G-preserving ⇒ on the pattern"),
    (theorems.lemma13, {"pattern": _all_ones}, "row ⊆ intersection"),
    (theorems.lemma13, {"pattern": _identity}, "intersection ⊆ row"),
    (theorems.props4_5, {"pattern": _no_transitivity}, "products"),
    (theorems.props4_5, {"inverse": _transposed_adjugate}, "inverses"),
    (theorems.props4_5, {"pattern": _strict_order}, "identity"),
    (theorems.prop7, {"criterion": lambda g: True}, "criterion ⇒ C = I"),
    (theorems.prop7, {"criterion": lambda g: False}, "C = I ⇒ criterion"),
    (theorems.prop11, {"criterion": lambda g: True}, "criterion ⇒ intersections"),
    (theorems.prop11, {"criterion": lambda g: False}, "intersections ⇒ criterion"),
    (theorems.prop8, {"complete": lambda g: False}, "all self-loops and no 2-cycles ⇒ complete"),
    (theorems.theorems123, {"preserving_map": _violating_for_preserving},
     "preserving maps keep the regularized graphs"),
    (theorems.theorems123, {"violating_map": _preserving_for_violating},
     "violating maps make a regularized graph denser"),
    (theorems.sperner_design, {"design": _design_with_one_fewer}, "m suffice"),
    (theorems.sperner_design, {"design": _design_with_one_extra}, "no fewer suffice"),
]


@pytest.mark.parametrize("module, wrong, part", PER_PART,
                         ids=[f"{m.NAME}-{p}" for m, _, p in PER_PART])
def test_a_wrong_implementation_of_each_part_is_caught_by_that_part(module, wrong, part):
    ev = module.check(quick=True, seed=0, **wrong)
    assert ev.status == "refuted" and not ev.holds and ev.counterexample
    assert ev.failed_part == part


def test_every_part_of_every_check_has_a_mutant_that_it_catches():
    """No part is left without a wrong implementation that it catches (prop6 excepted: its
    statement is not split yet)."""
    covered = {(m.NAME, p) for m, _, p in PER_PART}
    for module in theorems.MODULES:
        if module is theorems.prop6:
            continue
        for part in module.PARTS:
            assert (module.NAME, part) in covered, (module.NAME, part)


def test_violating_sampler_that_always_raises_was_swallowed_theorems123():
    """Issue: ``except Exception: continue`` around the violating-map sampler made a sampler
    that always raises give holds=True, and the violating half was never checked."""
    ev = theorems.theorems123.check(quick=True, seed=0, violating_map=_raising_sampler)
    assert ev.status == "refuted" and not ev.holds
    assert ev.failed_part == "violating maps make a regularized graph denser"
    assert "always fails" in ev.counterexample


def test_a_sampler_bug_outside_identkit_errors_is_not_hidden():
    def broken(g, regularize=None, seed=None):
        raise ZeroDivisionError("a bug")

    with pytest.raises(ZeroDivisionError):
        theorems.theorems123.check(quick=True, seed=0, violating_map=broken)


def test_a_half_with_no_instance_is_undecided_not_holds(monkeypatch):
    """Without sufficient influence nothing is promised about violating maps, so that half has
    no instance: the check must say undecided."""
    import identkit.numeric as numeric
    from identkit.numeric.influence import InfluenceCheck, InfluenceReport

    def never(mech, *args, **kwargs):
        fail = InfluenceCheck("Assumption 6", "a", 2, 1, False, "forced")
        temporal = InfluenceCheck("Assumption 8", "Gz", 2, 1, False, "forced")
        return InfluenceReport((fail,), temporal, None)

    monkeypatch.setattr(numeric, "sufficient_influence", never)
    ev = theorems.theorems123.check(quick=True, seed=0)
    assert ev.status == "undecided" and not ev.holds and ev.counterexample is None
    assert dict(ev.parts)["violating maps make a regularized graph denser"] == 0
    assert dict(ev.parts)["preserving maps keep the regularized graphs"] > 0


def test_trial_counts_parts_and_refuses_undeclared_ones():
    t = Trial("x", "ref", "stmt", ("route",), ("left", "right"))
    t.record(True, lambda: "", "left")
    assert t.done().status == "undecided"
    t.record(True, lambda: "", "right")
    ev = t.done()
    assert ev.status == "holds" and ev.holds and ev.parts == (("left", 1), ("right", 1))
    t.record(False, lambda: "boom", "right")
    ev = t.done()
    assert ev.status == "refuted" and ev.failed_part == "right" and ev.counterexample == "boom"
    with pytest.raises(KeyError):
        t.record(True, lambda: "", "middle")


def test_theorems_command_prints_parts_and_undecided(capsys, monkeypatch):
    from identkit.cli import main

    code = main(["theorems", "--quick"])
    out = capsys.readouterr().out
    assert code == 0
    assert "violating maps make a regularized graph denser" in out
    assert "C = I ⇒ criterion" in out
    fake = Trial("fake", "ref", "stmt", ("route",), ("tested", "never")).done()
    monkeypatch.setattr(theorems, "run_all", lambda quick, seed: [fake])
    code = main(["theorems", "--quick"])
    out = capsys.readouterr().out
    assert code == 1 and "undecided" in out and "never tested" in out


def test_pattern_mutants_are_wrong():
    """The wrong patterns above really are wrong on some small G (so catching them means
    something): against the closed form."""
    G = np.array([[1, 0], [1, 1], [0, 1]], dtype=bool)
    P = preserving_pattern(G)
    for wrong in (_all_ones, _identity, _no_transitivity, _strict_order):
        assert not np.array_equal(wrong(G), P)
