"""The full check of a written mechanism: exact graphs, the graph analysis, the assumptions, the
theorem routes they justify (:mod:`identkit.guarantees`), and one verdict that says plainly when
the graph would guarantee disentanglement but the mechanism does not, because an assumption
fails or could not be decided."""

from __future__ import annotations

from dataclasses import dataclass

from .. import _verdicts as verdicts
from .._compat import keyword_only
from .._rng import as_generator
from ..errors import MechanismError
from ._exact import Budget, BudgetExpired
from ..guarantees import Guarantee
from ..report import EntanglementReport
from .assumptions import AssumptionReport, check_assumptions
from .mechanism import DerivedGraph, SymbolicMechanism

__all__ = ["MechanismCheck", "check_mechanism"]


def _names(verdicts) -> str:
    return ", ".join(sorted({f"{v.assumption} ({v.target})" for v in verdicts}))


_SHOWN = 10  # undecided entries named per graph in a verdict; the rest are counted


def _undecided_graphs(derived: DerivedGraph) -> dict:
    """:meth:`DerivedGraph.undecided_graphs` naming at most ``_SHOWN`` entries per graph (the
    first, rows then columns) and counting the rest, so that a verdict stays a paragraph when
    the time budget leaves thousands of entries undecided (every entry stays in
    ``graph_decisions``). Linear in the entries."""
    g, decisions = derived.graph, derived.decisions
    counts: dict = {}
    for (kind, _, _), dec in decisions.items():
        if dec.zero is None:
            counts[kind] = counts.get(kind, 0) + 1
    out = {}
    for kind in sorted(counts):
        cols = g.latents if kind == "z" else g.actions
        shown = []
        for i in range(len(g.latents)):
            for j in range(len(cols)):
                dec = decisions.get((kind, i, j))
                if dec is not None and dec.zero is None and len(shown) < _SHOWN:
                    shown.append(f"{cols[j]} → {g.latents[i]} ({dec.route})")
            if len(shown) == _SHOWN:
                break
        more = counts[kind] - len(shown)
        out[kind] = (f"G{kind} entries undecided: " + ", ".join(shown)
                     + (f" and {more} more" if more else ""))
    return out


@dataclass(frozen=True)
class MechanismCheck:
    """Derived graphs, their analysis, the assumption verdicts and what they justify.

    Attributes
    ----------
    report : EntanglementReport
        What the derived graphs alone give when every assumption of the regularized graphs
        holds (the graphical criterion).
    guarantee : Guarantee
        What the verdicts justify: per regularized graph the theorem routes (Theorems 1/2, 3
        and 5) and the conjunction of the patterns whose hypotheses hold (Prop 6).
    justified : EntanglementReport
        The analysis of the justified pattern (all ones when nothing is justified).
    guaranteed : bool
        Complete disentanglement follows: the justified pattern is the identity.
    out_of_time : bool
        The time budget ran out: what it did not reach is ``undecided (time budget)``.
    stopped_at : str
        The stage the check had reached when the budget ran out ("" when it did not), e.g.
        ``"checking that the mechanism defines a density"`` or ``"deriving the graphs:
        entry 12 of 7200"``; the JSON form has it (and ``validated``) when out of time.
    validated : bool
        The mechanism was checked to define a density (False only when the budget ran out
        first; then no graph entry is decided).

    ``to_text``, ``to_markdown`` and ``to_dict`` take ``symmetries=True`` to add the two
    permutation groups of the derived graphs (:class:`identkit.symmetry.Symmetries`), as the
    command line prints them.
    """

    mechanism: SymbolicMechanism
    derived: DerivedGraph
    report: EntanglementReport
    assumptions: AssumptionReport
    guarantee: Guarantee
    justified: EntanglementReport
    out_of_time: bool = False
    stopped_at: str = ""
    validated: bool = True

    @property
    def guaranteed(self) -> bool:
        return bool(self.guarantee.complete)

    def verdict(self) -> str:
        """One paragraph: guaranteed or not, and why (the failing or undecided verdicts, the
        time budget, the graphs left undecided)."""
        reg = self.report.regularize
        fails = self.assumptions.failures(reg)
        open_ = [v for v in self.assumptions.not_holding(reg) if v.holds is None]
        undecided_graphs = list(_undecided_graphs(self.derived).values())
        reasons = []
        if self.out_of_time:
            reasons.append(f"the check stopped at its time budget"
                           f"{' while ' + self.stopped_at if self.stopped_at else ''}: "
                           f"undecided (time budget); {self.decided_so_far()}")
        if fails:
            reasons.append(f"{_names(fails)} {'fails' if len(fails) == 1 else 'fail'}")
        if open_:
            reasons.append(f"{_names(open_)} could not be decided (undecided)")
        if undecided_graphs:
            reasons.append("; ".join(undecided_graphs))
        text = verdicts.verdict(self.guarantee, self.report, reasons, graphs="derived")
        # the graphs analysed count undecided entries as edges: they are not the derived
        # graphs, so the verdict claims nothing about what the derived graphs leave entangled
        lead = ("Complete disentanglement is NOT guaranteed: the derived graphs leave latents "
                "entangled even if every assumption held")
        if undecided_graphs and text.startswith(lead):
            text = ("Complete disentanglement is NOT guaranteed: the derived graphs have "
                    "undecided entries, so what they leave entangled is not known"
                    + text[len(lead):])
        return text

    def decided_so_far(self) -> str:
        """What was decided before the time budget ran out (one phrase): whether the
        mechanism was shown to define a density, and how many graph entries were decided.

        Examples
        --------
        >>> from identkit.symbolic import mechanism_from_dict
        >>> mech = mechanism_from_dict({"latents": ["z1"], "mean": {"z1": "z1_lag1"}})
        >>> mech.check(time_budget=0.0).decided_so_far()
        'the mechanism was not yet shown to define a density, so no graph entry was derived'
        """
        if not self.validated:
            return ("the mechanism was not yet shown to define a density, so no graph entry "
                    "was derived")
        decisions = self.derived.decisions.values()
        decided = sum(d.zero is not None for d in decisions)
        return (f"the mechanism defines a density at the points sampled; {decided} of "
                f"{len(decisions)} graph entries decided")

    def symmetries(self):
        """The graph-preserving permutations and automorphisms of the derived graphs under the
        regularized graphs (:meth:`identkit.symmetry.Symmetries.of`)."""
        from ..symmetry import Symmetries

        return Symmetries.of(self.derived.graph, self.report.regularize)

    def to_dict(self, *, symmetries: bool = False) -> dict:
        """Plain data for JSON; ``symmetries=True`` adds the keys of
        :meth:`identkit.symmetry.Symmetries.to_dict` (group orders and structure)."""
        g = self.derived.graph
        data = self.justified.to_dict()
        sa = self.assumptions.to_dict()
        data.update({
            "regularize": self.report.regularize,
            "justified_by": self.guarantee.justified_by,
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
            "guarantee": self.guarantee.to_dict(),
            "graph_alone": verdicts.graph_alone(self.report, graphs="derived"),
            "guaranteed": self.guaranteed,
            "out_of_time": self.out_of_time,
            "verdict": self.verdict(),
        })
        if self.out_of_time:  # where the budget stopped the check, and whether it was valid
            data.update({"stopped_at": self.stopped_at, "validated": self.validated})
        data["explanation"] = data["verdict"]
        if symmetries:
            data.update(self.symmetries().to_dict())
        return data

    def to_text(self, *, symmetries: bool = False) -> str:
        """The verdict, the derived graphs, each assumption, the theorems and the graph
        analysis; ``symmetries=True`` ends with the two group lines
        (``Graph-preserving permutations: ...``, ``Automorphisms: ...``)."""
        g = self.derived.graph
        lines = [self.verdict(), "", "Derived from the mechanism (rows are children):"]
        if g.Gz is not None:
            lines.append(f"  Gz = {g.Gz.astype(int).tolist()}")
        if g.Ga is not None:
            lines.append(f"  Ga = {g.Ga.astype(int).tolist()}")
        routes = ", ".join(f"{k}: {v}" for k, v in self.derived.routes().items())
        lines.append(f"  entries decided by {routes}")
        lines += ["", "Assumptions:"] + ["  " + ln for ln in str(self.assumptions).splitlines()]
        lines += [""] + verdicts.theorem_lines(self.guarantee)
        lines += ["", "Graph analysis (if every assumption held):", self.report.to_text()]
        if symmetries:
            lines += self.symmetries().lines(explain=False)
        return "\n".join(lines)

    def to_markdown(self, *, symmetries: bool = False) -> str:
        """:meth:`to_text` with the verdict (its first line) in bold.

        Examples
        --------
        >>> from identkit.symbolic import mechanism_from_dict
        >>> res = mechanism_from_dict({"latents": ["z1"], "actions": ["a1"],
        ...                            "mean": {"z1": "sin(a1)"}}).check()
        >>> print(res.to_markdown(symmetries=True).splitlines()[0])
        **Complete disentanglement is guaranteed through Theorem 1 for Ga (Assumption 6 (a1)).**
        >>> res.to_markdown(symmetries=True).splitlines()[-2:]
        ['Graph-preserving permutations: 1', 'Automorphisms: 1']
        """
        text = self.to_text(symmetries=symmetries)
        return "**" + text.replace("\n", "**\n", 1)

    def __str__(self):
        return self.to_text()

    def _repr_latex_(self):
        return self.assumptions.to_latex()

    def _repr_html_(self):
        """Jupyter display: the verdict, the derived graphs and C, each assumption, the reasons."""
        from .._display import mechanism_html

        return mechanism_html(self)


@keyword_only("seed")
def check_mechanism(mech: SymbolicMechanism, regularize: str | None = None, *, seed=0,
                    time_budget: float | None = 60.0, progress=None) -> MechanismCheck:
    """Check the mechanism is valid, derive the graphs, analyze them, check the assumptions
    and combine the theorems.

    Parameters
    ----------
    mech : SymbolicMechanism
    regularize : str, optional
        The regularized learned graphs (default: every graph the mechanism has).
    seed : None, int or numpy.random.Generator
        Keyword-only (positional use is deprecated); default 0: the same result every call.
    time_budget : float or None
        Seconds for the whole check (validation, derivation, assumptions), after which
        whatever is left is ``undecided (time budget)`` (None: no limit). When validation
        does not finish, no graph entry is decided; ``stopped_at`` names the stage reached.
    progress : callable, optional
        Receives a line of text every 2 s for checks that take longer than 2 s.

    Raises
    ------
    MechanismFileError
        When the mechanism does not define a density (see
        :meth:`SymbolicMechanism.validate`).

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
    if not isinstance(mech, SymbolicMechanism):
        raise MechanismError(f"check_mechanism needs a SymbolicMechanism (mechanism_from_dict, "
                             f"load_mechanism, worked_mechanism), got {type(mech).__name__}")
    return _check_within(mech, regularize, as_generator(seed), Budget(time_budget, progress))


def _check_within(mech: SymbolicMechanism, regularize, rng, budget: Budget) -> MechanismCheck:
    """The check of ``mech`` within ``budget`` (perhaps already started, when parsing counted
    against it too): validation, derivation and assumptions, each stopped at the deadline.

    The alarm interrupts at most once (:meth:`Budget.alarm`); whatever had not finished then
    is redone with the budget spent, which marks it ``undecided (time budget)`` at once
    (derivation and assumptions check the budget before any work). A mechanism whose
    validation did not finish gets no derived entry at all: its graphs are not known to be
    the graphs of a density."""
    validated = False
    derived = assumptions = None
    with budget.active():
        try:
            budget.stage = "checking that the mechanism defines a density"
            budget.check()
            mech.validate(seed=rng)
            validated = True
            budget.stage = "deriving the graphs"
            derived = mech.derive_graph(seed=rng, budget=budget)
            assumptions = check_assumptions(mech, derived, seed=rng)
        except BudgetExpired:
            budget.expire()
        # from here on the alarm cannot fire again: only the checks of the budget raise, and
        # derivation and the assumptions catch them themselves
        if derived is None:
            if not validated:
                budget.expire()  # validity unknown: no entry may be decided
            derived = mech.derive_graph(seed=rng, budget=budget)
        if assumptions is None:
            assumptions = check_assumptions(mech, derived, seed=rng)
    report, guarantee, justified = verdicts.combine(derived.graph, regularize,
                                                    assumptions.routes(),
                                                    _undecided_graphs(derived))
    return MechanismCheck(mech, derived, report, assumptions, guarantee, justified,
                          budget.expired, budget.stopped_at if budget.expired else "", validated)


@dataclass(frozen=True)
class _StoppedWhileParsing:
    """What ``identkit check`` answers when the time budget ran out before the mechanism file's
    expressions were parsed: undecided, with nothing decided (the same output methods as
    :class:`MechanismCheck`)."""

    source: str
    regularize: str | None
    stopped_at: str
    guaranteed = False
    out_of_time = True

    def verdict(self) -> str:
        return ("Complete disentanglement is NOT guaranteed: the check stopped at its time "
                f"budget while {self.stopped_at}: undecided (time budget); nothing was decided "
                "(no density check, no derived graph, no assumption). A larger --time-budget "
                "may decide it.")

    def to_dict(self, *, symmetries: bool = False) -> dict:
        return {"regularize": self.regularize, "derived_from": "mechanism",
                "source": self.source, "Gz": None, "Ga": None, "guaranteed": False,
                "out_of_time": True, "stopped_at": self.stopped_at, "validated": False,
                "verdict": self.verdict(), "explanation": self.verdict()}

    def to_text(self, *, symmetries: bool = False) -> str:
        return self.verdict()

    def to_markdown(self, *, symmetries: bool = False) -> str:
        return f"**{self.verdict()}**"

    def __str__(self):
        return self.to_text()


def check_mechanism_data(data, source: str, regularize=None, *, seed=0,
                         time_budget: float | None = 60.0, progress=None,
                         start: float | None = None):
    """Parse a mechanism mapping and check it, all within one time budget: the command
    line's ``check`` on a mechanism file (``--time-budget`` bounds the whole command).

    Parameters
    ----------
    data : dict
        A mapping in the mechanism-file schema (:func:`mechanism_from_dict`).
    source : str
        The file's name, for messages.
    regularize : str, optional
        As for :func:`check_mechanism`.
    seed, progress
        As for :func:`check_mechanism`.
    time_budget : float or None
        Seconds for parsing, validation, derivation and assumptions together.
    start : float, optional
        When the budget began, a :func:`time.monotonic` reading (the command's start, so
        reading the file counts too); default now.

    Returns
    -------
    MechanismCheck
        Or, when the budget ran out before the expressions were parsed, an answer with the
        same output methods that is ``undecided (time budget)`` with nothing decided.

    Raises
    ------
    GraphFileError, MechanismFileError
        When parsing or validation finishes in time and finds the file at fault.

    Examples
    --------
    >>> import time
    >>> from identkit.symbolic.check import check_mechanism_data
    >>> spec = {"latents": ["z1"], "actions": ["a1"], "mean": {"z1": "sin(a1)"}}
    >>> check_mechanism_data(spec, "m.yaml").guaranteed
    True
    >>> late = check_mechanism_data(spec, "m.yaml", time_budget=1, start=time.monotonic() - 5)
    >>> late.guaranteed, late.stopped_at
    (False, 'parsing the mechanism')
    """
    budget = Budget(time_budget, progress, start=start)
    mech = _parse_within(data, source, budget)
    if mech is None:
        return _StoppedWhileParsing(source, regularize, budget.stopped_at)
    return _check_within(mech, regularize, as_generator(seed), budget)


def derive_graph_data(data, source: str, *, seed=0, time_budget: float | None = 60.0,
                      start: float | None = None):
    """Parse a mechanism mapping and derive its graphs exactly, both within one time budget:
    what ``draw``, ``verify`` and ``repair`` do with a mechanism file.

    Parameters
    ----------
    data : dict
        A mapping in the mechanism-file schema (:func:`mechanism_from_dict`).
    source : str
        The file's name, for messages.
    seed : int, keyword-only
        As for :meth:`SymbolicMechanism.derive_graph`.
    time_budget : float or None
        Seconds for parsing and derivation together (None: no limit).
    start : float, optional
        When the budget began (a :func:`time.monotonic` reading); default now.

    Returns
    -------
    (DerivedGraph or None, str)
        The derived graphs and ``""``; or, when the budget ran out, the stage it stopped in
        (``None`` for the graphs if parsing did not finish). Entries the derivation did not
        reach are kept as edges, so a caller that needs the graphs themselves refuses then.

    Raises
    ------
    GraphFileError, MechanismFileError
        When parsing finishes in time and finds the file at fault.

    Examples
    --------
    >>> import time
    >>> from identkit.symbolic.check import derive_graph_data
    >>> spec = {"latents": ["z1"], "actions": ["a1"], "mean": {"z1": "sin(a1)"}}
    >>> derived, stopped = derive_graph_data(spec, "m.yaml")
    >>> derived.graph.Ga.astype(int).tolist(), stopped
    ([[1]], '')
    >>> derive_graph_data(spec, "m.yaml", time_budget=1, start=time.monotonic() - 5)
    (None, 'parsing the mechanism')
    """
    budget = Budget(time_budget, start=start)
    mech = _parse_within(data, source, budget)
    if mech is None:
        return None, budget.stopped_at
    derived = None
    with budget.active():
        try:
            budget.stage = "deriving the graphs"
            derived = mech.derive_graph(seed=seed, budget=budget)
        except BudgetExpired:
            budget.expire()
    if derived is not None and not budget.stopped_at and any(
            dec.route == "undecided (time budget)" for dec in derived.decisions.values()):
        budget.stopped_at = "deriving the graphs"
    return derived, budget.stopped_at


def _parse_within(data, source: str, budget):
    """The mechanism of ``data`` parsed under ``budget``, or None when the budget ran out first
    (its ``stopped_at`` then says so): the first stage of :func:`check_mechanism_data` and
    :func:`derive_graph_data`."""
    from .mechanism import mechanism_from_dict

    with budget.active():
        try:
            budget.stage = "parsing the mechanism"
            budget.check()
            return mechanism_from_dict(data, source=source)
        except BudgetExpired:
            budget.expire()
            return None
