"""``verify`` without false alarms: speed of one catalogue sweep, and the full sweep as a script.

Run ``python benchmarks/bench_verify.py`` for the full measurement: every catalogue graph, under
every regularization it allows, × 20 seeds × 10 preserving and 10 violating maps, for the
default (sinusoidal) mechanism and, with ``--all-mechanisms``, for the heteroscedastic, linear
and intervention (hard, soft; graphs with actions) mechanisms too. It prints the
number of false alarms (a preserving map that changed a regularized graph, or a violation the
theory promises to detect that went undetected), which must be zero. The benchmark below times
one seed of the same sweep; the tests run a smaller slice.
"""

from __future__ import annotations

import itertools
import sys
import time

import identkit as ik
from identkit.numeric import verify


def regularizations(g):
    """Every non-empty regularization the model allows."""
    return [r for r in ("a", "z", "az") if set(r) <= set(g.graphs)]


def sweep(seeds=range(20), maps: int = 10, names=None, mechanisms=("nonlinear",)) -> dict:
    """Run verify over the catalogue; count runs, maps and false alarms.

    Returns
    -------
    dict
        ``runs``, ``preserving_maps``, ``violating_maps``, ``promised`` (violations the theory
        promises to detect), ``false_alarms`` (list of (mechanism, name, regularize, seed, what)).
    """
    names = ik.examples.names() if names is None else names
    out = {"runs": 0, "preserving_maps": 0, "violating_maps": 0, "promised": 0,
           "false_alarms": []}
    for mech, name in itertools.product(mechanisms, names):
        g = ik.examples.get(name).graph
        if mech in ("hard", "soft") and g.Ga_sparse is None:
            continue
        for reg in regularizations(g):
            for seed in seeds:
                res = verify(g, mech, maps=maps, seed=seed, regularize=reg)
                out["runs"] += 1
                out["preserving_maps"] += res.preserving_tried
                out["violating_maps"] += res.violating_tried
                out["promised"] += res.violating_promised
                if not res.measured_graph_matches:
                    out["false_alarms"].append((mech, name, reg, seed, "base graph mismatch"))
                if res.preserving_kept != res.preserving_tried:
                    out["false_alarms"].append(
                        (mech, name, reg, seed,
                         f"kept {res.preserving_kept} of {res.preserving_tried}"))
                if res.promised_detected != res.violating_promised:
                    out["false_alarms"].append(
                        (mech, name, reg, seed, f"detected {res.promised_detected} of "
                                          f"{res.violating_promised} promised"))
    return out


def test_verify_catalogue_one_seed(benchmark):
    res = benchmark.pedantic(sweep, kwargs={"seeds": [0], "maps": 10}, rounds=1, iterations=1)
    assert res["false_alarms"] == []
    assert res["promised"] > 0


if __name__ == "__main__":
    t0 = time.perf_counter()
    mechs = (("nonlinear", "heteroscedastic", "linear", "hard", "soft")
             if "--all-mechanisms" in sys.argv else ("nonlinear",))
    res = sweep(mechanisms=mechs)
    print(f"{res['runs']} verify runs, {res['preserving_maps']} preserving maps, "
          f"{res['violating_maps']} violating maps ({res['promised']} promised detectable), "
          f"{time.perf_counter() - t0:.1f} s")
    print(f"false alarms: {len(res['false_alarms'])}")
    for alarm in res["false_alarms"][:50]:
        print("  ", *alarm)
    sys.exit(1 if res["false_alarms"] else 0)
