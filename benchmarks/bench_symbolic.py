"""Speed of the symbolic backend: the full check of Example 12 and of a 10-latent sinusoidal
mechanism (graph derivation, analysis and every assumption)."""

import identkit as ik
from identkit.symbolic import check_mechanism, mechanism_from_dict


def test_full_check_example12(benchmark):
    ex = ik.examples.get("mechanism-ex12")
    mech = mechanism_from_dict(ex.spec, source=ex.name)
    res = benchmark(check_mechanism, mech, "a")  # the temporal graph is not regularized
    assert res.guaranteed


def sinusoidal_spec(d=10):
    """The paper's TimeNonDiag mean (eq. 76) written out: lower-triangular Gz with self-loops,
    plus one single-target action per latent so that Assumption 6 applies too."""
    g = ik.examples.get("TimeNonDiag").graph
    mean = {}
    for i, n in enumerate(g.latents):
        terms = [f"sin(pi/{i + 3}*{g.latents[j]}_lag1 + {i})" for j in range(d) if g.Gz[i, j]]
        mean[n] = f"{n}_lag1 + (" + " + ".join(terms) + f")/2 + sin(pi/{i + 3}*a{i + 1} + {i})"
    return {"latents": list(g.latents), "actions": [f"a{k + 1}" for k in range(d)],
            "mean": mean, "variance": "1/10"}


def test_full_check_ten_latent_sinusoidal(benchmark):
    mech = mechanism_from_dict(sinusoidal_spec())
    res = benchmark.pedantic(check_mechanism, args=(mech,), rounds=1, iterations=1)
    assert res.report.complete
    assert res.assumptions.holds_a


# ---------------------------------------------------------------------- speed goals
# Goals (measured here, not asserted as timings): every worked mechanism of the catalogue
# under 1 s; the 10-latent sinusoidal mechanism under 5 s; a 60-latent dense mechanism either
# completes under 60 s or stops at its time budget with "undecided (time budget)".

import pytest  # noqa: E402


@pytest.mark.parametrize("ex", ik.examples.catalogue("mechanism"), ids=lambda e: e.name)
def test_catalogue_check(benchmark, ex):
    mech = mechanism_from_dict(ex.spec, source=ex.name)
    res = benchmark.pedantic(check_mechanism, args=(mech,), rounds=1, iterations=1)
    assert res.derived.graph is not None


def dense_spec(d=60):
    """Every mean a sine of the sum of all past latents: Gz is all ones (d² entries)."""
    names = [f"z{k + 1}" for k in range(d)]
    total = " + ".join(f"{n}_lag1" for n in names)
    return {"latents": names, "mean": {n: f"{n}_lag1 + sin({total} + {i})/2"
                                       for i, n in enumerate(names)}}


def test_dense_sixty_latents_completes_or_stops_at_its_budget(benchmark):
    mech = mechanism_from_dict(dense_spec())
    # the suite runs benchmarks once with --benchmark-disable: a short budget keeps it fast
    budget = 5.0 if getattr(benchmark, "disabled", False) else 60.0
    res = benchmark.pedantic(check_mechanism, args=(mech,), kwargs={"time_budget": budget},
                             rounds=1, iterations=1)
    if res.out_of_time:
        assert not res.guaranteed and "time budget" in res.verdict()
