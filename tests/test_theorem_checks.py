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


def _combined_as_union(g):
    """C = Ca ∨ Cz instead of Ca ∧ Cz."""
    return ik.entanglement_graph(g, "a") | ik.entanglement_graph(g, "z")


def _relabel_ignoring_ga(g, h, regularize):
    """Both graphs asked, Gz alone used."""
    return ik.relabelings(g, h, "z" if regularize == "az" else regularize)


def _relabel_falling_back_to_ga(g, h, regularize):
    """A Gz that no relabeling matches treated as if it were not regularized."""
    if regularize == "az" and not list(ik.relabelings(g, h, "z")):
        return ik.relabelings(g, h, "a")
    return ik.relabelings(g, h, regularize)


# (module, wrong implementation, the part that must catch it)
PER_PART = [
    (theorems.preserving_pattern, {"pattern": _all_ones}, "on the pattern ⇒ G-preserving"),
    (theorems.preserving_pattern, {"pattern": _identity}, "G-preserving ⇒ on the pattern"),
    (theorems.pattern_rows, {"pattern": _all_ones}, "row ⊆ intersection"),
    (theorems.pattern_rows, {"pattern": _identity}, "intersection ⊆ row"),
    (theorems.preserving_group, {"pattern": _no_transitivity}, "products"),
    (theorems.preserving_group, {"inverse": _transposed_adjugate}, "inverses"),
    (theorems.preserving_group, {"pattern": _strict_order}, "identity"),
    (theorems.combined_consistency, {"combine": _combined_as_union}, "C = Ca ∧ Cz"),
    (theorems.combined_consistency, {"relabel": _relabel_ignoring_ga},
     "relabelings intersect (both graphs match)"),
    (theorems.combined_consistency, {"relabel": _relabel_falling_back_to_ga},
     "relabelings intersect (only Ga matches)"),
    (theorems.criterion_iff_identity, {"criterion": lambda g: True}, "criterion ⇒ C = I"),
    (theorems.criterion_iff_identity, {"criterion": lambda g: False}, "C = I ⇒ criterion"),
    (theorems.criterion_as_intersections, {"criterion": lambda g: True},
     "criterion ⇒ intersections"),
    (theorems.criterion_as_intersections, {"criterion": lambda g: False},
     "intersections ⇒ criterion"),
    (theorems.self_loops_no_two_cycles, {"complete": lambda g: False},
     "all self-loops and no 2-cycles ⇒ complete"),
    (theorems.denser_unless_preserving, {"preserving_map": _violating_for_preserving},
     "preserving maps keep the regularized graphs"),
    (theorems.denser_unless_preserving, {"violating_map": _preserving_for_violating},
     "violating maps make a regularized graph denser"),
    (theorems.fewest_interventions, {"design": _design_with_one_fewer}, "m suffice"),
    (theorems.fewest_interventions, {"design": _design_with_one_extra}, "no fewer suffice"),
]


@pytest.mark.parametrize("module, wrong, part", PER_PART,
                         ids=[f"{m.NAME}-{p}" for m, _, p in PER_PART])
def test_a_wrong_implementation_of_each_part_is_caught_by_that_part(module, wrong, part):
    ev = module.check(quick=True, seed=0, **wrong)
    assert ev.status == "refuted" and not ev.holds and ev.counterexample
    assert ev.failed_part == part


def test_every_part_of_every_check_has_a_mutant_that_it_catches():
    """No part is left without a wrong implementation that it catches."""
    covered = {(m.NAME, p) for m, _, p in PER_PART}
    for module in theorems.MODULES:
        for part in module.PARTS:
            assert (module.NAME, part) in covered, (module.NAME, part)


def test_violating_sampler_that_always_raises_was_swallowed_theorems123():
    """Issue: ``except Exception: continue`` around the violating-map sampler made a sampler
    that always raises give holds=True, and the violating half was never checked."""
    ev = theorems.denser_unless_preserving.check(quick=True, seed=0, violating_map=_raising_sampler)
    assert ev.status == "refuted" and not ev.holds
    assert ev.failed_part == "violating maps make a regularized graph denser"
    assert "always fails" in ev.counterexample


def test_a_sampler_bug_outside_identkit_errors_is_not_hidden():
    def broken(g, regularize=None, seed=None):
        raise ZeroDivisionError("a bug")

    with pytest.raises(ZeroDivisionError):
        theorems.denser_unless_preserving.check(quick=True, seed=0, violating_map=broken)


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
    ev = theorems.denser_unless_preserving.check(quick=True, seed=0)
    assert ev.status == "undecided" and not ev.holds and ev.counterexample is None
    assert dict(ev.parts)["violating maps make a regularized graph denser"] == 0
    assert dict(ev.parts)["preserving maps keep the regularized graphs"] > 0


def test_prop6_case_kind_never_tried_is_undecided_not_holds(monkeypatch):
    """Prop 6 reports its parts apart: if the learned models were never copies whose Gz no
    longer matches, that part has no instance and the check is undecided."""
    cc = theorems.combined_consistency
    monkeypatch.setattr(cc, "_learned", lambda g, rng: (g.permute(rng.permutation(g.n_latents)),
                                                         cc.PARTS[1]))
    ev = cc.check(quick=True, seed=0)
    assert ev.status == "undecided" and not ev.holds and ev.counterexample is None
    assert dict(ev.parts)[cc.PARTS[2]] == 0 and dict(ev.parts)[cc.PARTS[1]] > 0


def test_prop6_only_ga_matches_really_leaves_no_common_relabeling():
    """The case kind "only Ga matches" is what it says: Ga relabelings exist, Gz ones do not."""
    cc = theorems.combined_consistency
    rng = np.random.default_rng(0)
    seen = 0
    for _ in range(30):
        g = ik.LatentGraph(Gz=rng.random((3, 3)) < 0.5, Ga=rng.random((3, 2)) < 0.5)
        h, part = cc._learned(g, rng)
        if part == cc.PARTS[2]:
            seen += 1
            assert list(ik.relabelings(g, h, "a")) and not list(ik.relabelings(g, h, "z"))
    assert seen > 5


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


# ------------------------------------------------------------ deprecation paths (issue 18)

@pytest.mark.parametrize("old, new", sorted(theorems.RENAMED.items()))
def test_old_module_name_still_works_with_a_deprecation_warning(old, new):
    with pytest.warns(DeprecationWarning, match=f"identkit.theorems.{new}"):
        module = getattr(theorems, old)
    assert module is getattr(theorems, new)
    with pytest.warns(DeprecationWarning):
        exec(f"from identkit.theorems import {old}", {})


def test_unknown_attribute_of_theorems_is_an_attribute_error():
    with pytest.raises(AttributeError, match="prop99"):
        theorems.prop99


def test_positional_seed_still_works_with_a_deprecation_warning():
    module = theorems.criterion_iff_identity
    with pytest.warns(DeprecationWarning, match="seed"):
        old = module.check(True, 3)
    assert old.parts == module.check(True, seed=3).parts
    wrong = {"criterion": lambda g: True}
    with pytest.warns(DeprecationWarning):
        assert module.check(True, 0, wrong["criterion"]).status == "refuted"


def test_run_all_seed_is_keyword_only_and_positional_use_warns(monkeypatch):
    seen = []
    fake = Trial("fake", "ref", "stmt", ("route",)).done()
    for module in theorems.MODULES:
        monkeypatch.setattr(module, "check", lambda quick, *, seed: seen.append(seed) or fake)
    assert theorems.run_all(quick=True, seed=5) == [fake] * len(theorems.MODULES)
    with pytest.warns(DeprecationWarning, match="seed"):
        theorems.run_all(True, 7)
    assert seen == [5] * len(theorems.MODULES) + [7] * len(theorems.MODULES)


def test_every_check_takes_seed_keyword_only_with_default_0():
    import inspect

    for module in theorems.MODULES:
        seed = inspect.signature(module.check).parameters["seed"]
        assert seed.kind is seed.KEYWORD_ONLY and seed.default == 0, module.NAME


def test_evidence_text_names_every_part_and_the_counterexample():
    t = Trial("x", "ref", "stmt", ("route",), ("left", "right"))
    t.record(False, lambda: "boom", "left")
    text = str(t.done())
    assert text.splitlines()[0] == "x (ref): refuted, 1 instances"
    assert "0 right  (never tested: undecided)" in text
    assert "counterexample (left): boom" in text
