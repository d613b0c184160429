"""The full check of a written mechanism: exact graphs, the graph analysis, the assumptions, and
one verdict that says plainly when the graph would guarantee disentanglement but the mechanism
does not, because an assumption fails."""

from __future__ import annotations

from dataclasses import dataclass

from .._rng import as_generator
from ..report import EntanglementReport, analyze
from .assumptions import AssumptionReport, check_assumptions
from .mechanism import DerivedGraph, SymbolicMechanism

__all__ = ["MechanismCheck", "check_mechanism"]


@dataclass(frozen=True)
class MechanismCheck:
    """Derived graphs, their analysis and the assumption verdicts of a mechanism.

    Attributes
    ----------
    guaranteed : bool
        Complete disentanglement follows: the graphs satisfy the criterion *and* the assumptions
        of the regularized graphs hold.
    """

    mechanism: SymbolicMechanism
    derived: DerivedGraph
    report: EntanglementReport
    assumptions: AssumptionReport

    @property
    def guaranteed(self) -> bool:
        return bool(self.report.complete and self.assumptions.holds_for(self.report.regularize))

    def verdict(self) -> str:
        reg = self.report.regularize
        fails = self.assumptions.failures(reg)
        names = ", ".join(sorted({f"{v.assumption} ({v.target})" for v in fails}))
        if self.report.complete and not fails:
            route = ""
            a = self.assumptions
            if "z" in reg and a.temporal is not None and not a.temporal.holds and a.holds_z:
                route = (" (for the temporal graph through the exponential-family route: "
                         "Assumptions 10 and 11, Theorem 5)")
            return ("Complete disentanglement is guaranteed: the derived graphs satisfy the "
                    "criterion and the mechanism satisfies the sufficient-influence assumptions"
                    + route + ".")
        verb = "fails" if len({(v.assumption, v.target) for v in fails}) == 1 else "fail"
        if self.report.complete:
            return ("The graph alone would guarantee complete disentanglement, but the mechanism "
                    f"does not: {names} {verb}, so the theory gives no guarantee for it.")
        if fails:
            return ("Complete disentanglement is NOT guaranteed: the derived graphs leave latents "
                    f"entangled, and {names} {verb} as well.")
        return ("Complete disentanglement is NOT guaranteed: the derived graphs leave latents "
                "entangled (the assumptions hold, so the partial guarantees below apply).")

    def to_dict(self) -> dict:
        g = self.derived.graph
        data = self.report.to_dict()
        sa = self.assumptions.to_dict()
        data.update({
            "derived_from": "mechanism",
            "source": self.mechanism.source,
            "Gz": None if g.Gz is None else g.Gz.astype(int).tolist(),
            "Ga": None if g.Ga is None else g.Ga.astype(int).tolist(),
            "graph_decisions": self.derived.to_dict(),
            "sufficient_influence": {
                "actions": sa["actions"], "temporal": sa["temporal"],
                "exponential_family": sa["exponential_family"],
                "holds": self.assumptions.holds_for(self.report.regularize),
            },
            "guaranteed": self.guaranteed,
            "verdict": self.verdict(),
        })
        return data

    def to_text(self) -> str:
        g = self.derived.graph
        lines = [self.verdict(), "", "Derived from the mechanism (rows are children):"]
        if g.Gz is not None:
            lines.append(f"  Gz = {g.Gz.astype(int).tolist()}")
        if g.Ga is not None:
            lines.append(f"  Ga = {g.Ga.astype(int).tolist()}")
        routes = ", ".join(f"{k}: {v}" for k, v in self.derived.routes().items())
        lines.append(f"  entries decided by {routes}")
        lines += ["", "Assumptions:"] + ["  " + ln for ln in str(self.assumptions).splitlines()]
        lines += ["", "Graph analysis:", self.report.to_text()]
        return "\n".join(lines)

    def __str__(self):
        return self.to_text()

    def _repr_latex_(self):
        return self.assumptions._repr_latex_()

    def _repr_html_(self):
        """Jupyter display: the verdict, the derived graphs and C, each assumption, the reasons."""
        from .._display import mechanism_html

        return mechanism_html(self)


def check_mechanism(mech: SymbolicMechanism, regularize: str | None = None,
                    seed=0) -> MechanismCheck:
    """Derive the graphs, analyze them and check the assumptions.

    Examples
    --------
    Remark 6: one intervention on two latents without time. The graph of Example 4's kind
    cannot be complete anyway, and the assumption fails by counting:

    >>> from identkit.symbolic import mechanism_from_dict, check_mechanism
    >>> mech = mechanism_from_dict({"latents": ["z1", "z2", "z3"], "actions": ["a1"],
    ...     "action_values": [[0], [1]], "mean": {"z1": "a1", "z2": "2*a1", "z3": "0"}})
    >>> res = check_mechanism(mech)
    >>> res.guaranteed, res.assumptions.actions[0].route
    (False, 'counting')
    """
    rng = as_generator(seed)
    derived = mech.graph(seed=rng)
    report = analyze(derived.graph, regularize)
    assumptions = check_assumptions(mech, derived, seed=rng)
    return MechanismCheck(mech, derived, report, assumptions)
