"""The full check of a numeric mechanism: measured graphs, the graph analysis, the rank tests of
the assumptions, the theorem routes they justify (:mod:`identkit.guarantees`), and one verdict.

The numeric counterpart of :func:`identkit.symbolic.check_mechanism`, with the same fields and
the same theorem logic: the graphs are measured by derivatives at sampled points
(:func:`~identkit.numeric.estimate_graph`) instead of derived, and the assumptions are decided
by numerical ranks (:func:`~identkit.numeric.sufficient_influence`) instead of exactly. A
verdict that is undecided (a rank inside the band between ``FAIL_RTOL`` and ``rtol``) never
counts as holding, so it never yields a guarantee.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _verdicts as verdicts
from .._rng import as_generator
from ..guarantees import Guarantee
from ..report import EntanglementReport
from .derivatives import GraphEstimate, estimate_graph
from .influence import InfluenceReport, sufficient_influence
from .mechanisms import require_numeric

__all__ = ["NumericCheck", "check_mechanism"]

_NAMES = {"a": "Ga", "z": "Gz"}


def _checks(assumptions: InfluenceReport, regularize: str) -> list:
    """The rank tests of the regularized graphs: the action checks for ``a``; Assumption 8,
    and Assumptions 10 and 11 where they were tested, for ``z``."""
    out = list(assumptions.actions) if "a" in regularize else []
    if "z" in regularize:
        out += [c for c in (assumptions.temporal, assumptions.variability,
                            assumptions.exponential_family) if c is not None]
    return out


def _names(checks) -> str:
    return ", ".join(sorted({f"{c.assumption} ({c.target})" for c in checks}))


@dataclass(frozen=True)
class NumericCheck:
    """Measured graphs, their analysis, the assumption verdicts and what they justify.

    The fields mean what they mean in :class:`identkit.symbolic.MechanismCheck`, with
    ``estimate`` (measured) in place of ``derived`` (exact).

    Attributes
    ----------
    mechanism : NumericMechanism
    estimate : GraphEstimate
        The measured graphs and the magnitudes behind them.
    report : EntanglementReport
        What the measured graphs alone give when every assumption of the regularized graphs
        holds (the graphical criterion).
    assumptions : InfluenceReport
        The rank tests (each ``holds``, ``fails`` or undecided).
    guarantee : Guarantee
        What the verdicts justify: per regularized graph the theorem routes (Theorems 1/2, 3
        and 5) and the conjunction of the patterns whose hypotheses hold (Prop 6).
    justified : EntanglementReport
        The analysis of the justified pattern (all ones when nothing is justified).
    undecided_graphs : dict
        ``{"a" or "z": reason}`` for measured graphs that differ from the graph the mechanism
        declares: the assumptions were tested on the declared one, so those graphs' routes
        are undecided.
    guaranteed : bool
        Complete disentanglement follows: the justified pattern is the identity.
    """

    mechanism: object
    estimate: GraphEstimate
    report: EntanglementReport
    assumptions: InfluenceReport
    guarantee: Guarantee
    justified: EntanglementReport
    undecided_graphs: dict

    @property
    def guaranteed(self) -> bool:
        return bool(self.guarantee.complete)

    @property
    def out_of_time(self) -> bool:
        """Always False: a numeric check has no time budget (the symbolic check's field)."""
        return False

    def verdict(self) -> str:
        """One paragraph: guaranteed or not, and why (the failing or undecided tests)."""
        checks = _checks(self.assumptions, self.report.regularize)
        fails = [c for c in checks if c.holds is False]
        open_ = [c for c in checks if c.holds is None]
        reasons = []
        if fails:
            reasons.append(f"{_names(fails)} {'fails' if len(fails) == 1 else 'fail'}")
        if open_:
            reasons.append(f"{_names(open_)} could not be decided (undecided)")
        reasons += list(self.undecided_graphs.values())
        return verdicts.verdict(self.guarantee, self.report, reasons, graphs="measured",
                                how=", by numerical rank tests at sampled points")

    def to_dict(self) -> dict:
        """Plain data (JSON-ready), with the keys of the symbolic check's ``to_dict``."""
        g = self.estimate.graph
        data = self.justified.to_dict()
        si = self.assumptions.to_dict()
        si["holds"] = self.assumptions.holds_for(self.report.regularize)
        data.update({
            "regularize": self.report.regularize,
            "justified_by": self.guarantee.justified_by,
            "derived_from": "measurement",
            "Gz": None if g.Gz is None else g.Gz.astype(int).tolist(),
            "Ga": None if g.Ga is None else g.Ga.astype(int).tolist(),
            "graph_estimate": {"method": self.estimate.method, "rule": self.estimate.rule,
                               "threshold": self.estimate.threshold},
            "undecided_graphs": {_NAMES[k]: v for k, v in self.undecided_graphs.items()},
            "sufficient_influence": si,
            "guarantee": self.guarantee.to_dict(),
            "graph_alone": verdicts.graph_alone(self.report, graphs="measured"),
            "guaranteed": self.guaranteed,
            "out_of_time": self.out_of_time,
            "verdict": self.verdict(),
        })
        data["explanation"] = data["verdict"]
        return data

    def to_text(self) -> str:
        g = self.estimate.graph
        lines = [self.verdict(), "",
                 f"Measured from the mechanism ({self.estimate.method}, {self.estimate.rule} "
                 "rule; rows are children):"]
        if g.Gz is not None:
            lines.append(f"  Gz = {g.Gz.astype(int).tolist()}")
        if g.Ga is not None:
            lines.append(f"  Ga = {g.Ga.astype(int).tolist()}")
        lines += ["", "Assumptions:"] + ["  " + ln for ln in str(self.assumptions).splitlines()]
        lines += [""] + verdicts.theorem_lines(self.guarantee)
        lines += ["", "Graph analysis (if every assumption held):", self.report.to_text()]
        return "\n".join(lines)

    def __str__(self):
        return self.to_text()


def _differing_graphs(measured, declared) -> dict:
    """``{"a" or "z": reason}`` for the graphs measured differently from the declared ones."""
    out = {}
    got, want = measured.matrices(), declared.matrices()
    for x in got:
        if x in want and not np.array_equal(got[x], want[x]):
            out[x] = (f"the measured {_NAMES[x]} differs from the graph the mechanism declares, "
                      "on which the assumptions were tested")
    return out


def check_mechanism(mech, regularize: str | None = None, *, seed=0, n_points: int = 100,
                    method: str | None = None, threshold: float | None = None,
                    influence_points: int | None = None, n_z: int = 3,
                    rtol: float = 1e-8) -> NumericCheck:
    """Measure the graphs, analyze them, test the assumptions and combine the theorems.

    The theorem logic is the symbolic backend's (:func:`identkit.guarantees.justify` over the
    routes of the verdicts, :func:`identkit.report.analyze` of the graphs); only the graphs and
    the verdicts are numeric.

    Parameters
    ----------
    mech : NumericMechanism
        A :class:`~identkit.numeric.GaussianMechanism`, :class:`~identkit.numeric.Pushforward`
        or :class:`~identkit.numeric.CallableMechanism`.
    regularize : str, optional
        The regularized learned graphs (default: every graph the mechanism has).
    seed : int, numpy.random.Generator or None
        One stream for the graph measurement, then the rank tests (default 0: deterministic).
    n_points, method, threshold
        Of the graph measurement (:func:`~identkit.numeric.estimate_graph`).
    influence_points, n_z, rtol
        ``n_points``, ``n_z`` and ``rtol`` of the rank tests
        (:func:`~identkit.numeric.sufficient_influence`).

    Returns
    -------
    NumericCheck

    Raises
    ------
    MechanismError
        For an object that is not a numeric mechanism, or bad measurement options.
    RegularizeError
        For a ``regularize`` naming a graph the mechanism lacks.

    Examples
    --------
    Example 10: the same graph with sinusoidal means is guaranteed, with linear means it is
    not (Assumption 6 fails), though the graph alone would be.

    >>> import identkit as ik
    >>> from identkit.numeric import check_mechanism, make_mechanism
    >>> g = ik.examples.get("ActionNonDiag").graph
    >>> check_mechanism(make_mechanism(g, "nonlinear")).guaranteed
    True
    >>> res = check_mechanism(make_mechanism(g, "linear"))
    >>> res.guaranteed, res.report.complete
    (False, True)
    """
    require_numeric(mech, "check_mechanism")
    rng = as_generator(seed)
    estimate = estimate_graph(mech, n_points, seed=rng, method=method, threshold=threshold,
                              details=True)
    assumptions = sufficient_influence(mech, influence_points, n_z, seed=rng, rtol=rtol)
    undecided = _differing_graphs(estimate.graph, mech.graph)
    report, guarantee, justified = verdicts.combine(estimate.graph, regularize,
                                                    assumptions.routes(), undecided)
    return NumericCheck(mech, estimate, report, assumptions, guarantee, justified, undecided)
