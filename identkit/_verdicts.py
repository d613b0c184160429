"""What the numeric and symbolic assumption reports share: per-graph verdicts combined by the
theorem logic of :mod:`identkit.guarantees`."""

from __future__ import annotations

from . import guarantees as gt
from .report import analyze


class RegularizedVerdicts:
    """Mixin for reports with per-action checks in ``actions`` (each with ``.holds``: True,
    False, or None for undecided) and a :meth:`temporal_routes` method giving Theorem 3's and
    Theorem 5's routes (empty without a temporal graph)."""

    actions: tuple

    def temporal_routes(self) -> tuple:  # pragma: no cover - overridden
        return ()

    def action_route(self):
        """Theorem 1 or 2 (None without an action check)."""
        if not self.actions:
            return None
        discrete = any(c.assumption == "Assumption 7" for c in self.actions)
        return gt.action_route([(c.target, c.holds) for c in self.actions], discrete)

    def routes(self) -> tuple:
        """Every theorem route that applies, for :func:`identkit.guarantees.justify`."""
        a = self.action_route()
        return ((a,) if a is not None else ()) + tuple(self.temporal_routes())

    @property
    def state_a(self) -> str | None:
        """``holds``/``fails``/``undecided`` for the action graph (None without actions)."""
        a = self.action_route()
        return None if a is None else a.state

    @property
    def state_z(self) -> str | None:
        """Theorem 3 *or* Theorem 5, three-valued (None without a temporal graph)."""
        routes = self.temporal_routes()
        return gt.any_of(r.state for r in routes) if routes else None

    @property
    def holds_a(self) -> bool | None:
        """Sufficient influence of a: every action's check holds (None without actions;
        False when one fails or is undecided)."""
        s = self.state_a
        return None if s is None else s == gt.HOLDS

    @property
    def holds_z(self) -> bool | None:
        """Theorem 3's or Theorem 5's hypotheses hold (None without a temporal graph)."""
        s = self.state_z
        return None if s is None else s == gt.HOLDS

    def holds_for(self, regularize: str) -> bool:
        """Whether the sufficient-influence assumptions of every regularized graph hold."""
        ok = True
        if "a" in regularize and self.holds_a is not None:
            ok &= bool(self.holds_a)
        if "z" in regularize and self.holds_z is not None:
            ok &= bool(self.holds_z)
        return bool(ok)


# The text both backends' full checks (numeric.NumericCheck, symbolic.MechanismCheck) print from
# a Guarantee: written once here, the checks differ only in their word for the graphs ("measured"
# or "derived") and in the reasons they list.

def holding_routes(guarantee) -> str:
    """The theorem routes whose hypotheses hold for a justified graph, as one phrase
    (``Theorem 1 for Ga (Assumption 6 (a1))``), ``; ``-separated."""
    parts = []
    for r in guarantee.routes:
        if r.regularized in guarantee.justified_by and r.state == gt.HOLDS:
            hyp = " and ".join(h for h, _ in r.requires if not h.startswith("k = 1"))
            if r.theorem == "Theorem 5":
                hyp = ("the exponential-family route: " + hyp if hyp else
                       "the exponential-family route")
            parts.append(f"{r.theorem} for G{r.regularized} ({hyp or 'no action has a child'})")
    return "; ".join(parts)


def verdict(guarantee, report, reasons, *, graphs: str, how: str = "") -> str:
    """One paragraph: guaranteed (through which routes), or not and why.

    ``report`` is the analysis of the graphs alone, ``reasons`` the failing or undecided tests
    (phrases), ``graphs`` the checks' word for their graphs (``"measured"``, ``"derived"``) and
    ``how`` what ends a guarantee's sentence (``", by numerical rank tests ..."``)."""
    if guarantee.complete:
        return ("Complete disentanglement is guaranteed through " + holding_routes(guarantee)
                + (" (Proposition 6 combines them)" if len(guarantee.justified_by) == 2 else "")
                + how + ".")
    why = "; ".join(reasons)
    part = ""
    if guarantee.justified_by:
        part = (f" Only the pattern of G{' and G'.join(guarantee.justified_by)} is justified ("
                f"{holding_routes(guarantee)}), and it leaves latents entangled.")
    if report.complete:
        return ("The graph alone would guarantee complete disentanglement, but the mechanism "
                f"does not: {why}, so the theory gives no guarantee for it." + part)
    tail = f" ({why})" if why else ""
    return (f"Complete disentanglement is NOT guaranteed: the {graphs} graphs leave latents "
            f"entangled even if every assumption held{tail}." + part)


def theorem_lines(guarantee) -> list:
    """The ``Theorems (per regularized graph):`` section: each route of a regularized graph
    with its state, then the justified pattern."""
    lines = ["Theorems (per regularized graph):"]
    for r in guarantee.routes:
        if r.regularized in guarantee.regularize:
            lines.append(f"  {r.theorem} for G{r.regularized}: {r.state}"
                         + (f" ({r.why})" if r.why else ""))
    lines.append(f"  justified pattern C = {guarantee.pattern.astype(int).tolist()}")
    return lines


def graph_alone(report, *, graphs: str) -> dict:
    """The ``graph_alone`` entry of a check's ``to_dict``: what the graphs alone would give."""
    return {
        "complete": report.complete,
        "entanglement_graph": report.to_dict()["entanglement_graph"],
        "meaning": f"the pattern the {graphs} graphs would give if every assumption of the "
                   "regularized graphs held; not a guarantee",
    }


def combine(graph, regularize, routes, undecided_graphs):
    """``(report, guarantee, justified)``: the analysis of ``graph``, what the verdicts'
    ``routes`` justify (:func:`identkit.guarantees.justify`), and the analysis of that."""
    report = analyze(graph, regularize)
    guarantee = gt.justify(graph, report.regularize, routes, undecided_graphs)
    return report, guarantee, analyze(graph, guarantee.justified_by)
