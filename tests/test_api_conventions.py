"""The API's conventions, checked over the whole public surface (docs/architecture.md).

* randomness: every public routine that draws takes a keyword-only ``seed`` defaulting to 0;
* a required graph argument comes first;
* results are immutable, have ``to_dict()`` (JSON-ready) and a readable ``str``;
* both backends' mechanisms speak the one ``Mechanism`` protocol.

The walk covers the ``__all__`` of every public module, so a new function that breaks a
convention fails here without anyone remembering to add it.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import json

import numpy as np
import pytest

import identkit as ik

PUBLIC_MODULES = [
    "identkit", "identkit.graphs", "identkit.entanglement", "identkit.report",
    "identkit.symmetry", "identkit.consistency", "identkit.guarantees", "identkit.protocols",
    "identkit.examples", "identkit.io", "identkit.design", "identkit.plot", "identkit.numeric",
    "identkit.symbolic", "identkit.metrics", "identkit.strategies", "identkit.testing",
    "identkit.theorems", "identkit.errors", "identkit.sweep",
]

# Methods of a protocol users implement for the classic metrics: the metric makes one Generator
# from its own ``seed`` and threads it through every draw, so the stream is an argument.
THREADED_STREAM = {"identkit.metrics.GroundTruth.sample_factors",
                   "identkit.metrics.GroundTruth.observations"}


def _public_callables():
    seen = set()
    for name in PUBLIC_MODULES:
        mod = importlib.import_module(name)
        for attr in getattr(mod, "__all__", ()):
            obj = getattr(mod, attr)
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            if inspect.isfunction(obj):
                yield f"{name}.{attr}", obj
            elif inspect.isclass(obj):
                yield f"{name}.{attr}", obj
                for m, member in vars(obj).items():
                    if m.startswith("_"):
                        continue
                    f = member.__func__ if isinstance(member, (classmethod, staticmethod)) else member
                    if inspect.isfunction(f):
                        yield f"{name}.{attr}.{m}", f


def _parameters(f):
    try:
        sig = inspect.signature(f)
    except (TypeError, ValueError):
        return []
    return [p for p in sig.parameters.values() if p.name not in ("self", "cls")]


def test_the_walk_reaches_the_api():
    names = {w for w, _ in _public_callables()}
    for expected in ("identkit.analyze", "identkit.numeric.verify", "identkit.metrics.rcon",
                     "identkit.symbolic.check_mechanism", "identkit.testing.random_preserving_matrix",
                     "identkit.numeric.GaussianMechanism.sample"):
        assert expected in names


def test_every_random_routine_takes_a_keyword_only_seed_defaulting_to_zero():
    bad = []
    for where, f in _public_callables():
        if where in THREADED_STREAM:
            continue
        for p in _parameters(f):
            if p.name in ("seed", "rng", "random_state", "random_seed"):
                if not (p.name == "seed" and p.kind == p.KEYWORD_ONLY and p.default == 0):
                    bad.append(f"{where}: {p.name} ({p.kind.name}, default {p.default!r})")
    assert bad == []


def test_positional_seed_still_works_and_warns():
    g = ik.examples.get("ex8").graph
    from identkit.testing import random_preserving_matrix

    with pytest.warns(DeprecationWarning, match="seed"):
        old = random_preserving_matrix(g, None, 3)
    assert np.array_equal(old, random_preserving_matrix(g, seed=3))


def test_a_required_graph_argument_comes_first():
    bad = []
    for where, f in _public_callables():
        if inspect.isclass(f) or where.endswith(".__init__"):
            continue   # result containers and constructors hold a graph among their fields
        ps = _parameters(f)
        for k, p in enumerate(ps):
            if p.name in ("g", "graph") and p.default is inspect.Parameter.empty and k != 0:
                bad.append(f"{where}: {[q.name for q in ps]}")
    assert bad == []


def _results():
    """One instance of every public result type, from the paper's examples."""
    from identkit.design import design_interventions, repair
    from identkit.metrics import mcc
    from identkit.numeric import check_learned_model, make_mechanism, verify
    from identkit.symbolic import check_mechanism, mechanism_from_dict
    from identkit.theorems import criterion_iff_identity

    g8 = ik.examples.get("ex8").graph
    mech = mechanism_from_dict(ik.examples.get("mechanism-ex10").spec)
    sym = check_mechanism(mech)
    num = make_mechanism(ik.examples.get("ex4").graph, seed=0).check()
    from identkit.numeric import Mixing

    z = np.random.default_rng(0).standard_normal((50, 3))
    f = Mixing(3, 6, seed=0)
    return {
        "EntanglementReport": ik.analyze(g8),
        "Symmetries": ik.Symmetries.of(g8),
        "PermutationGroup": ik.automorphisms(g8),
        "Consistency": ik.Consistency.of(g8, g8),
        "MechanismCheck": sym,
        "DerivedGraph": sym.derived,
        "AssumptionReport": sym.assumptions,
        "Guarantee": sym.guarantee,
        "NumericCheck": num,
        "GraphEstimate": num.estimate,
        "InfluenceReport": num.assumptions,
        "VerifyResult": verify(g8, maps=1, seed=0),
        "LearnedModelCheck": check_learned_model(g8, f, f, n_points=20, seed=0),
        "MetricResult": mcc(z, z),
        "Evidence": criterion_iff_identity.check(quick=True),
        "Design": design_interventions(3),
        "Repair": repair(g8),
        "Example": ik.examples.get("ex8"),
    }


@pytest.fixture(scope="module")
def results():
    return _results()


RESULT_KINDS = [
    "EntanglementReport", "Symmetries", "PermutationGroup", "Consistency", "MechanismCheck",
    "DerivedGraph", "AssumptionReport", "Guarantee", "NumericCheck", "GraphEstimate",
    "InfluenceReport", "VerifyResult", "LearnedModelCheck", "MetricResult", "Evidence", "Design",
    "Repair", "Example"]


@pytest.mark.parametrize("kind", RESULT_KINDS)
def test_results_are_immutable_serialisable_and_readable(results, kind):
    res = results[kind]
    assert type(res).__name__ == kind
    fields = ([f.name for f in dataclasses.fields(res)] if dataclasses.is_dataclass(res)
              else [n for n in dir(res) if not n.startswith("_")][:1])
    with pytest.raises((AttributeError, TypeError, dataclasses.FrozenInstanceError)):
        setattr(res, fields[0], None)
    with pytest.raises((AttributeError, TypeError, dataclasses.FrozenInstanceError)):
        res.a_new_attribute = 1
    json.dumps(res.to_dict())
    assert type(res).__str__ is not object.__str__
    text = str(res)
    assert text and "object at 0x" not in text


def test_both_backends_speak_the_mechanism_protocol():
    from identkit.numeric import CallableMechanism, Pushforward, make_mechanism, sample_preserving_map
    from identkit.protocols import Mechanism
    from identkit.symbolic import mechanism_from_dict

    g = ik.examples.get("ex8").graph
    num = make_mechanism(g, seed=0)
    mechanisms = [num, Pushforward(num, sample_preserving_map(g, seed=0)),
                  CallableMechanism(lambda z, hist=None, a=None: -(z ** 2).sum(axis=1), graph=g),
                  mechanism_from_dict(ik.examples.get("mechanism-ex12").spec)]
    for m in mechanisms:
        assert isinstance(m, Mechanism), type(m).__name__
        assert m.latents == g.latents or m.latents  # names in row order
    sym = mechanisms[-1]
    derived = sym.derive_graph()
    assert isinstance(derived.graph, ik.LatentGraph)
    assert sym.check().guaranteed is True     # Example 12: Theorem 2 gives Ca = I
    assert isinstance(num.derive_graph().graph, ik.LatentGraph)
