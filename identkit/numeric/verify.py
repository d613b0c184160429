"""Watching the theory happen: push a mechanism through graph-preserving and violating maps and
measure what graph the learned side would see.

Theory (Theorems 1-3 with Definitions 11-15): only the graphs whose learned counterpart is
sparsity-regularized are judged. A map whose Jacobian lies in the pattern C of the regularized
graphs keeps each of them exactly (its Jacobian and its inverse's are C-preserving, so
``Ĝ ⊆ G`` and ``G ⊆ Ĝ``); an unregularized graph may grow, and is shown for information only.
A map with a dependency (i, j) outside the pattern ``C_X`` of a regularized graph X makes X
strictly denser when the mechanism has sufficient influence for X (Assumption 6 or 7 for Ga,
8 or 11 for Gz), which is why a learned model no denser than the truth must be graph-preserving.
Without sufficient influence the theory makes no promise about violating maps.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .._compat import keyword_only
from .._rng import as_generator
from ..entanglement import entanglement_graph, resolve_regularize
from ..graphs import LatentGraph
from .derivatives import Pushforward, estimate_graph
from .influence import NOT_CHECKED, InfluenceReport, sufficient_influence
from .maps import sample_preserving_map, sample_violating_map
from .mechanisms import GaussianMechanism, MechanismError, make_mechanism, require_numeric

__all__ = ["VerifyResult", "verify", "entanglement_from_decoders", "check_learned_model",
           "LearnedModelCheck", "undetectable_violation"]

_NAMES = {"a": "Ga", "z": "Gz"}

#: The clock of ``time_budget`` (a module attribute, so tests can move time without sleeping).
_clock = time.monotonic



@dataclass(frozen=True)
class VerifyResult:
    """What :func:`verify` measured and whether it matches the theory.

    Attributes
    ----------
    judged : tuple of str
        The regularized graphs (``"Ga"``, ``"Gz"``): the only ones the verdict is about.
    shown : tuple of str
        The model's other graphs, measured and shown for information.
    measured_graph_matches : bool or None
        The judged graphs measured on the mechanism itself equal the model's (None when the
        time budget ran out before they were measured).
    preserving_tried, preserving_kept : int
        Graph-preserving maps, and how many left every judged graph unchanged.
    unjudged_kept : dict
        For each shown graph, how many preserving maps left it unchanged (no promise).
    violating_tried, violating_detected : int
        Violating maps, and how many made some judged graph denser: more edges than measured on
        the mechanism (``‖Ĝ‖₀ > ‖G‖₀``, as in Theorems 1-3; a moved edge does not count).
    violating_promised, promised_detected : int
        The violating maps whose detection the theory promises (the pair is outside the pattern
        of a judged graph whose sufficient influence holds), and how many of them were detected.
    undetected_violations : tuple
        The promised pairs (true i, learned j) that went undetected.
    agrees_with_theory : bool or None
        None (undecided) when the time budget ran out before everything was checked and
        nothing checked disagrees; False as soon as something checked disagrees.
    not_checked : tuple of str
        The units of work the time budget did not reach (empty for a complete run); their
        maps are not counted in ``*_tried``, and their sufficient-influence tests are
        undecided (``holds`` None, ``failure`` :data:`NOT_CHECKED`).
    time_budget : float or None
        The budget the run was given (None: unbounded).
    maps : int or None
        The K maps of each kind requested (``*_tried`` counts those actually tried).
    complete : bool
        Property: nothing was left unchecked.

    The JSON of :meth:`to_dict` is unchanged for a complete run; a run the budget cut adds
    ``not_checked`` (the list above) and ``time_budget``, and a ``not_checked`` count to
    ``preserving_maps`` and ``violating_maps``.
    """

    graph: LatentGraph
    regularize: str
    mechanism: str
    measured_graph_matches: bool
    influence: InfluenceReport
    preserving_tried: int
    preserving_kept: int
    violating_tried: int
    violating_detected: int
    undetected_violations: tuple
    agrees_with_theory: bool
    prediction: str
    constructed_violation: tuple | None = None
    judged: tuple = ()
    shown: tuple = ()
    unjudged_kept: dict = field(default_factory=dict)
    violating_promised: int = 0
    promised_detected: int = 0
    not_checked: tuple = ()
    time_budget: float | None = None
    maps: int | None = None

    @property
    def complete(self) -> bool:
        """Everything was checked (the time budget, if any, did not cut the run)."""
        return not self.not_checked

    def _unreached(self, kind: str) -> int:
        """How many of the K ``kind`` maps were requested but not tried (time budget)."""
        if self.complete or self.maps is None:
            return 0
        if not any(u.startswith(kind) for u in self.not_checked):
            return 0
        return self.maps - (self.preserving_tried if kind == "preserving"
                            else self.violating_tried)

    def to_dict(self) -> dict:
        si = self.influence.to_dict()
        # a test the budget did not reach is undecided: the whole is then neither held nor failed
        si["holds"] = None if any(c.failure == NOT_CHECKED for c in _checks(self.influence)) \
            else self.influence.holds_for(self.regularize)
        if any(c.failure == NOT_CHECKED for c in self.influence.actions):
            si["actions"]["holds"] = None
        if si["temporal"] is not None and any(
                c is not None and c.failure == NOT_CHECKED for c in (
                    self.influence.temporal, self.influence.exponential_family,
                    self.influence.variability)):
            si["temporal"]["holds"] = None
        out = {
            "mechanism": self.mechanism,
            "regularize": self.regularize,
            "judged_graphs": list(self.judged),
            "shown_for_information": list(self.shown),
            "measured_graph_matches": self.measured_graph_matches,
            "sufficient_influence": si,
            "preserving_maps": {"tried": self.preserving_tried, "kept_graph": self.preserving_kept},
            "unregularized_graphs_kept": dict(self.unjudged_kept),
            "violating_maps": {"tried": self.violating_tried, "detected": self.violating_detected,
                               "promised": self.violating_promised,
                               "promised_detected": self.promised_detected,
                               "undetected_pairs": [list(p) for p in self.undetected_violations]},
            "prediction": self.prediction,
            "constructed_undetectable_violation": None if self.constructed_violation is None
            else list(self.constructed_violation),
            "agrees_with_theory": self.agrees_with_theory,
        }
        if not self.complete:  # a complete run keeps the keys it always had
            out["preserving_maps"]["not_checked"] = self._unreached("preserving")
            out["violating_maps"]["not_checked"] = self._unreached("violating")
            out["not_checked"] = list(self.not_checked)
            out["time_budget"] = self.time_budget
        return out

    def __str__(self):
        g = self.graph
        judged = ", ".join(self.judged) or "none"
        lines = [
            f"Mechanism: {self.mechanism}; regularized: {self.regularize or 'none'}",
            f"Judged graphs (regularized): {judged}" + (
                f"; shown for information: {', '.join(self.shown)}" if self.shown else ""),
            f"Judged graphs measured on the mechanism equal the model's: "
            + ("not checked (time budget)" if self.measured_graph_matches is None
               else f"{self.measured_graph_matches}"),
            "Sufficient influence:",
        ] + ["  " + ln for ln in str(self.influence).splitlines()] + [
            f"Graph-preserving maps that kept {judged}: {self.preserving_kept} of "
            f"{self.preserving_tried}" + (
                f" ({n} more not checked: time budget)"
                if (n := self._unreached("preserving")) else ""),
        ]
        for name, kept in self.unjudged_kept.items():
            lines.append(f"  for information: {name} (not regularized, no promise) unchanged "
                         f"under {kept} of {self.preserving_tried}")
        lines.append(f"Violating maps that made {judged} denser: {self.violating_detected} of "
                     f"{self.violating_tried}; detection promised for "
                     f"{self.violating_promised}, of which {self.promised_detected} detected"
                     + (f" ({n} more not checked: time budget)"
                        if (n := self._unreached("violating")) else ""))
        if self.undetected_violations:
            pairs = ", ".join(f"{g.latents[i]}←{g.latents[j]}"
                              for i, j in self.undetected_violations[:10])
            lines.append(f"  undetected promised dependencies (true ← learned): {pairs}")
        if self.constructed_violation is not None:
            i, j = self.constructed_violation
            lines.append(f"Without sufficient influence, a linear map making true {g.latents[i]} "
                         f"depend on learned {g.latents[j]} leaves the graph as sparse: sparsity "
                         "alone cannot rule it out")
        lines.append(f"Theory predicts: {self.prediction}")
        if not self.complete:
            lines.append(f"Not checked: the time budget ({self.time_budget:g} s, --time-budget) "
                         f"ran out before: {'; '.join(self.not_checked)}")
        verdict = self.agrees_with_theory
        lines.append("Agrees with the theory: " + (
            "undecided (time budget): nothing checked disagrees, but not everything was checked"
            if verdict is None else str(verdict)))
        return "\n".join(lines)


def _checks(influence: InfluenceReport) -> tuple:
    """Every rank test of a report, in the order it prints them."""
    extra = (influence.temporal, influence.variability, influence.exponential_family)
    return tuple(influence.actions) + tuple(c for c in extra if c is not None)


def _deadline(time_budget):
    """The :data:`_clock` value at which ``time_budget`` seconds run out (None: no limit)."""
    if time_budget is None:
        return None
    if isinstance(time_budget, bool) or not isinstance(
            time_budget, (int, float, np.integer, np.floating)) \
            or not 0 < float(time_budget) < math.inf:
        raise MechanismError(f"time_budget must be a positive number of seconds, got "
                             f"{time_budget!r}")
    return _clock() + float(time_budget)


class _Budget:
    """The clock of one :func:`verify` run: :meth:`step` is called before each unit of work
    and says whether it may start. Once the deadline has passed every later unit is refused too
    (so a result never mixes a skipped unit with a later, checked one), and each refused unit is
    recorded in ``skipped``."""

    def __init__(self, deadline, total: int, progress=None):
        self.deadline, self.total, self.progress = deadline, total, progress
        self.done, self.skipped, self.expired = 0, [], False

    def step(self, unit: str) -> bool:
        if not self.expired and self.deadline is not None and _clock() > self.deadline:
            self.expired = True
        if self.expired:
            self.skipped.append(unit)
            return False
        if self.progress is not None:
            self.progress(self.done, self.total, unit)
        self.done += 1
        return True


def _influence_units(mech) -> int:
    """How many rank tests :func:`sufficient_influence` runs (for the progress line)."""
    if not mech.analytic:
        return 0
    g = mech.graph
    n = sum(1 for l in range(mech.m) if g.Ga[:, l].any())
    if mech.temporal and mech.lags:
        n += 3 if mech.statistic_dim == 1 else 1
    return n


def _influence_by_graph(influence: InfluenceReport, reg: str) -> dict:
    """``{"a": bool, "z": bool}`` for the regularized graphs: does their sufficient influence
    hold? A regularized graph without any assumption to test (no action has a child) counts as
    holding: its pattern is all ones, so no pair violates it."""
    out = {}
    if "a" in reg:
        out["a"] = influence.holds_a is not False
    if "z" in reg:
        out["z"] = influence.holds_z is not False
    return out


def memory_estimate(g: LatentGraph) -> tuple[int, int]:
    """``(bytes, N)``: the memory :func:`verify` needs for its sufficient-influence arrays, and
    the points N of its largest rank test, from the graphs alone (nothing is built).

    Each rank test draws N = max(50, 4 k) points, k the entries it must span (the edges of
    Gz, or an action's children; :func:`~identkit.numeric.sufficient_influence`'s default),
    and holds about six float64 arrays of N × d × (d + m) at once: the leading term, which
    dominates from about a hundred latents on (measured with tracemalloc: 98 MB estimated,
    100 MB peak at d = 80; small graphs add a few MB of other work).

    >>> import numpy as np
    >>> import identkit as ik
    >>> need, n = memory_estimate(ik.LatentGraph(Gz=np.eye(3000)))
    >>> n, round(need / 2**40, 1)   # 12,000 points: about 4.7 TiB
    (12000, 4.7)
    """
    d, m = g.n_latents, g.n_actions
    spans = [int(g.Gz_sparse.nnz)] if g.Gz_sparse is not None else []
    if g.Ga_sparse is not None and m:
        spans.append(int(np.bincount(g.Ga_sparse.indices, minlength=m).max()))
    n = max(50, 4 * max(spans, default=0))
    return 6 * 8 * n * d * (d + m), n


def check_memory(g: LatentGraph, max_memory: int | None) -> None:
    """Refuse, before anything is built, a :func:`verify` of ``g`` whose arrays
    (:func:`memory_estimate`) need more than ``max_memory`` bytes (None: no limit).

    >>> import numpy as np
    >>> import identkit as ik
    >>> check_memory(ik.examples.get("fig1").graph, 2**31)
    >>> check_memory(ik.LatentGraph(Gz=np.eye(3000)), 2**31)
    Traceback (most recent call last):
    ...
    identkit.errors.MechanismError: verify on 3,000 latents needs about 4.7 TiB of memory (12,000 points x 3,000 x 3,000 cross-derivatives), over the limit of 2.0 GiB (raise it with max_memory, or --max-memory); check answers from the graphs alone
    """
    from ..io import format_bytes

    need, n = memory_estimate(g)
    if max_memory is not None and need > max_memory:
        d, m = g.n_latents, g.n_actions
        raise MechanismError(
            f"verify on {d:,} latents needs about {format_bytes(need)} of memory ({n:,} "
            f"points x {d:,} x {d + m:,} cross-derivatives), over the limit of "
            f"{format_bytes(max_memory)} (raise it with max_memory, or --max-memory); check "
            "answers from the graphs alone")


@keyword_only("seed", "regularize", "n_points")
def verify(g: LatentGraph, mechanism="nonlinear", maps: int = 10, *, seed=0,
           regularize: str | None = None, n_points: int = 60,
           time_budget: float | None = None, progress=None,
           max_memory: int | None = None) -> VerifyResult:
    """Sample preserving and violating maps, push the mechanism through them, measure graphs.

    Only the regularized graphs are judged; the others are measured and reported for
    information (a map that preserves Ga may legitimately make an unregularized Gz denser).

    Parameters
    ----------
    g : LatentGraph
    mechanism : str or mechanism object
        A name for :func:`~identkit.numeric.make_mechanism` (``nonlinear``,
        ``heteroscedastic``, ``linear``, ``hard``, ``soft``) or a mechanism built on ``g``.
    maps : int
        K preserving and K violating maps (violating ones only when C has a zero). The maps
        have bounded conditioning (see :func:`~identkit.numeric.sample_preserving_map`).
    seed : int, numpy.random.Generator or None, keyword-only
        Default 0; positional use is deprecated.
    regularize : str, optional
        Which graphs are sparsity-regularized, hence judged and used for the pattern C
        (default: all the model has).
    n_points : int
        Points per graph measurement.
    time_budget : float, optional, keyword-only
        Seconds the measurements may take (default None: no limit; the command line's
        ``--time-budget``, default 60). The clock is read before each unit of work: the graph
        measurement on the mechanism, each sufficient-influence rank test (one per action with
        a child, Assumptions 8, 11 and 10), each map, and the construction of an undetectable
        violation. A unit that has started runs to its end, so the run may overshoot by one
        unit (the Assumption 8 test is the largest: O(n_z N d² (d + m)) with N = 4 ‖Gz‖₀).
        Once the budget has run out, no later unit runs: the result lists them in
        ``not_checked``, counts only the maps tried, reports the tests not reached as
        undecided, and ``agrees_with_theory`` is None (undecided) unless something checked
        already disagrees (False). A run the budget does not cut is the same as without one.
    progress : callable, optional, keyword-only
        ``progress(done, total, note)`` before each unit (``note`` names it), for a progress
        line.
    max_memory : int, optional, keyword-only
        Refuse (:func:`check_memory`, before anything is built) a graph whose rank tests need
        more bytes than this (default None: no limit; the command line's ``--max-memory``,
        default 2G).

    Returns
    -------
    VerifyResult
        ``agrees_with_theory`` is True when the judged graphs are measured correctly on the
        mechanism, every preserving map kept them, and every violating map whose detection the
        theory promises made one of them denser. A violating pair (i, j) is promised when it
        lies outside the pattern of some judged graph X (Ca for Ga, Cz for Gz) whose
        sufficient influence holds. It is None when the time budget cut the run before
        anything checked disagreed.

    Raises
    ------
    MechanismError
        For an unknown mechanism name, a mechanism built on another graph, one without
        analytic cross-derivatives, or a ``time_budget`` that is not a positive number.

    Examples
    --------
    >>> import identkit as ik
    >>> from identkit.numeric import verify
    >>> res = verify(ik.examples.get("ex8").graph, maps=3, seed=0)
    >>> res.preserving_kept, res.violating_detected, res.agrees_with_theory
    (3, 3, True)

    Figure 1 with only Ga regularized: Ga is judged, Gz may grow and is only shown.

    >>> res = verify(ik.examples.get("fig1").graph, maps=3, seed=0, regularize="a")
    >>> res.judged, res.shown, res.preserving_kept, res.agrees_with_theory
    (('Ga',), ('Gz',), 3, True)

    A budget this small runs out at once (or after a unit or two): what was not reached is
    listed, and the verdict is undecided rather than claimed.

    >>> res = verify(ik.examples.get("ex8").graph, maps=3, seed=0, time_budget=1e-9)
    >>> res.complete, res.agrees_with_theory, res.preserving_tried < 3
    (False, None, True)

    Notes
    -----
    Each map costs one graph measurement: O(n_points · d² (d + m)) for the pushforward's
    cross-derivatives.
    """
    if not isinstance(maps, (int, np.integer)) or maps < 0:
        raise MechanismError(f"maps must be a non-negative integer, got {maps!r}")
    deadline = _deadline(time_budget)
    reg = resolve_regularize(g, regularize)
    check_memory(g, max_memory)
    rng = as_generator(seed)
    if isinstance(mechanism, str):
        name = mechanism
        mech = make_mechanism(g, mechanism, seed=rng)
    else:
        mech = mechanism
        require_numeric(mech, "verify")
        name = mech.mean_family if isinstance(mech, GaussianMechanism) else type(mech).__name__
        if mech.graph != g:
            raise MechanismError("the mechanism was built on a different graph")
        if not mech.analytic:
            raise MechanismError(f"verify needs analytic cross-derivatives, which "
                                 f"{type(mech).__name__} does not have; use GaussianMechanism")
    truth = g.matrices()
    judged = [x for x in "az" if x in reg]
    shown = [x for x in "az" if x in truth and x not in reg]
    violating = not entanglement_graph(g, reg).all()
    budget = _Budget(deadline, 1 + _influence_units(mech) + maps * (1 + violating), progress)
    base = matches = None
    if budget.step("the graph measurement on the mechanism"):
        base = estimate_graph(mech, n_points, seed=rng).matrices()
        matches = all(np.array_equal(base[x], truth[x]) for x in judged)
    influence = sufficient_influence(mech, seed=rng, step=budget.step)
    influence_done = not budget.expired
    si = _influence_by_graph(influence, reg)
    patterns = {x: entanglement_graph(g, x) for x in judged}

    kept, unjudged = 0, {x: 0 for x in shown}
    p_tried = 0
    for k in range(maps):
        if not budget.step(f"preserving maps {k + 1}-{maps} of {maps}"):
            break
        v = sample_preserving_map(g, reg, seed=rng)
        got = estimate_graph(Pushforward(mech, v), n_points, seed=rng).matrices()
        p_tried += 1
        kept += all(np.array_equal(got[x], base[x]) for x in judged)
        for x in shown:
            unjudged[x] += bool(np.array_equal(got[x], base[x]))

    tried = detected = promised = promised_hit = 0
    missed = []
    if violating:
        for k in range(maps):
            if not budget.step(f"violating maps {k + 1}-{maps} of {maps}"):
                break
            w = sample_violating_map(g, reg, seed=rng)
            i, j = w.violation
            got = estimate_graph(Pushforward(mech, w), n_points, seed=rng).matrices()
            # denser in the theorems' sense, ‖Ĝ‖₀ > ‖G‖₀: a moved edge is not a denser graph
            grew = any(int(got[x].sum()) > int(base[x].sum()) for x in judged)
            is_promised = any(si[x] and not patterns[x][i, j] for x in judged)
            tried += 1
            detected += grew
            if is_promised:
                promised += 1
                promised_hit += grew
                if not grew:
                    missed.append((i, j))

    constructed = None
    names = ", ".join(_NAMES[x] for x in judged)
    if not judged:
        prediction = "no graph is regularized, so the theory promises nothing and nothing is judged"
    elif not influence_done:
        prediction = (f"every preserving map keeps {names}; what it promises about violating "
                      "maps is undecided: the time budget ran out before the sufficient-"
                      "influence tests finished")
    elif all(si.values()):
        prediction = (f"every preserving map keeps {names}, and every violating map makes it "
                      "denser (sufficient influence holds)")
    else:
        failing = ", ".join(_NAMES[x] for x in judged if not si[x])
        prediction = (f"every preserving map keeps {names}; sufficient influence fails for "
                      f"{failing}, so only violations of the other regularized graphs' patterns "
                      "must be detected")
        if not any(si.values()):
            prediction = (f"every preserving map keeps {names}; sufficient influence fails, so "
                          "nothing is promised about violating maps")
        if budget.step("the construction of an undetectable violation"):
            w = undetectable_violation(mech, reg, seed=rng)
            if w is not None:
                got = estimate_graph(Pushforward(mech, w), n_points, seed=rng).matrices()
                if all(np.array_equal(got[x], base[x]) for x in judged):
                    constructed = w.violation
    if progress is not None and not budget.expired:
        progress(max(budget.done, budget.total), max(budget.done, budget.total), "done")
    # a disagreement found is proven whatever was left unchecked; agreement needs everything
    disagrees = matches is False or kept < p_tried or promised_hit < promised
    agrees = False if disagrees else None if budget.skipped else bool(matches)
    return VerifyResult(g, reg, name, None if matches is None else bool(matches), influence,
                        p_tried, int(kept), tried, int(detected), tuple(missed), agrees,
                        prediction, constructed, tuple(_NAMES[x] for x in judged),
                        tuple(_NAMES[x] for x in shown),
                        {_NAMES[x]: int(n) for x, n in unjudged.items()}, promised,
                        int(promised_hit), tuple(_merge(budget.skipped)),
                        None if time_budget is None else float(time_budget), int(maps))


def _merge(units: list) -> list:
    """The units not reached, as printed: the first map not tried of each kind names the rest
    (``preserving maps 4-10 of 10``), so each kind appears once."""
    out, seen = [], set()
    for u in units:
        kind = u.split(" maps ")[0] if " maps " in u else u
        if kind not in seen:
            seen.add(kind)
            out.append(u)
    return out


def _null_space(A: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    if A.shape[0] == 0:
        return np.eye(A.shape[1])
    u, sv, vt = np.linalg.svd(A)
    rank = int((sv > tol * sv.max(initial=0.0)).sum())  # relative: the scale of A is arbitrary
    return vt[rank:].T


@keyword_only("seed", "n_points")
def undetectable_violation(mech, regularize: str | None = None, *, seed=0, n_points: int = 20):
    """A linear map with a dependency outside C that leaves the measured graph as sparse.

    This is what sufficient influence rules out. When the cross-derivatives do not vary (linear
    means, Examples 10 and 14), ``Ĥ_za = Mᵀ H_za`` and ``Ĥ_zz = Mᵀ H_zz M`` are linear in a
    map ``M = I + n e_jᵀ`` with ``n_j = 0`` (so ``det M = 1``): the entries that must stay zero
    give linear equations on n, and any solution with ``n_i ≠ 0`` for some ``C[i, j] = 0``
    entangles true ``z_i`` with learned ``ẑ_j`` while the learned graph stays as sparse as the
    truth. Latents j without a temporal self-loop are skipped (their constraint is quadratic).

    Returns
    -------
    DiffeoMap or None
        The map (its ``violation`` is the pair (i, j)), or None when the cross-derivatives vary
        over the points (the construction does not apply) or no solution exists.

    Examples
    --------
    Example 10's linear counterpart: a learned z1 may mix in z2, undetected.

    >>> import identkit as ik
    >>> from identkit.numeric import GaussianMechanism, Pushforward, estimate_graph
    >>> from identkit.numeric import undetectable_violation
    >>> g = ik.examples.get("ex5").graph
    >>> mech = GaussianMechanism(g, mean="linear", seed=0)
    >>> v = undetectable_violation(mech)
    >>> v.violation is not None, estimate_graph(Pushforward(mech, v)) == g
    (True, True)
    >>> undetectable_violation(GaussianMechanism(g, mean="sinusoidal")) is None
    True
    """
    from .maps import linear_map

    reg = resolve_regularize(mech.graph, regularize)
    g = mech.graph
    d = g.n_latents
    pts = mech.sample_inputs(n_points, seed=seed)
    H_za, H_zz = mech.cross_derivatives(pts["z"], pts["hist"], pts["a"])
    if mech.discrete and mech.m:
        H_za = mech.action_differences(pts["z"], pts["hist"])

    def constant(H):
        return H.size == 0 or np.allclose(H, H[:1], rtol=1e-9, atol=1e-12 * np.abs(H).max())

    if not (constant(H_za) and constant(H_zz)):
        return None
    Ha = H_za[0] if H_za.size else np.zeros((d, 0))
    Hz = [H_zz[0, t] for t in range(H_zz.shape[1])]
    C = entanglement_graph(g, reg)
    Ga = g.Ga if g.Ga is not None else np.zeros((d, 0), dtype=bool)
    Gz = g.Gz if g.Gz is not None else np.zeros((d, d), dtype=bool)
    for j in range(d):
        if "z" in reg and Hz and not Gz[j, j]:
            continue
        rows = []
        free = [i for i in range(d) if i != j]
        if "a" in reg:
            for l in range(Ga.shape[1]):
                if not Ga[j, l]:
                    rows.append(Ha[free, l])          # (nᵀ H_za)_l = 0
        if "z" in reg:
            for H in Hz:
                for k in range(d):
                    if k != j and not Gz[j, k]:
                        rows.append(H[free, k])        # row j: (nᵀ H)_k = 0
                    if k != j and not Gz[k, j]:
                        rows.append(H[k, free])        # column j: (H n)_k = 0
        basis = _null_space(np.array(rows).reshape(len(rows), len(free)))
        bad = [k for k, i in enumerate(free) if not C[i, j]]
        for col in range(basis.shape[1]):
            n = basis[:, col]
            hits = [k for k in bad if abs(n[k]) > 1e-8]
            if hits:
                M = np.eye(d)
                M[free, j] = 0.5 * n / np.abs(n).max()
                i = free[hits[0]]
                return linear_map(M, violation=(i, j))
    return None


# ---------------------------------------------------------------- true vs learned decoders


@keyword_only("seed", "threshold", "zhat")
def entanglement_from_decoders(f, f_hat, n_points: int = 200, *, seed=0,
                               threshold: float = 1e-9, zhat=None) -> np.ndarray:
    """Measure the dependency graph V of ``v = f⁻¹ ∘ f̂`` (true latents from learned ones).

    ``Dv(ẑ) = Df(z)⁺ Df̂(ẑ)`` with ``z = f⁻¹(f̂(ẑ))``, the pseudo-inverse acting on the image
    of f. Each entry is judged against the scale of the terms it is computed from:
    ``V[i, j]`` is True when, at some point, ``|Dv[i, j]|`` exceeds ``threshold`` times
    ``Σ_k |Df⁺[i, k]| |Df̂[k, j]|``. An exact zero is a cancellation among those terms, so its
    rounding error is a tiny fraction of that sum, while a genuine dependency is not; a
    threshold relative to the largest entry of Dv would instead hide a genuine dependency of a
    badly scaled map under a much larger entry. Both decoders need
    ``forward``/``inverse``/``jacobian`` (as :class:`~identkit.numeric.Mixing` has).

    Examples
    --------
    >>> import identkit as ik
    >>> from identkit.numeric import Composed, Mixing, sample_preserving_map
    >>> from identkit.numeric import entanglement_from_decoders
    >>> g = ik.examples.get("ex8").graph
    >>> f = Mixing(3, 6, seed=0)
    >>> V = entanglement_from_decoders(f, Composed(f, sample_preserving_map(g, seed=1)))
    >>> V.astype(int).tolist()
    [[1, 0, 0], [0, 1, 1], [0, 1, 1]]
    """
    if not 0 < threshold < 1:
        raise MechanismError(f"threshold must be in (0, 1), got {threshold!r}")
    rng = as_generator(seed)
    if zhat is None:
        zhat = rng.standard_normal((n_points, f_hat.d))
    x = f_hat(zhat)
    z = f.inverse(x)
    P, B = np.linalg.pinv(f.jacobian(z)), f_hat.jacobian(zhat)
    J = P @ B
    scale = np.abs(P) @ np.abs(B)
    ratio = np.divide(np.abs(J), scale, out=np.zeros_like(J), where=scale > 0)
    return ratio.max(axis=0) > threshold


@dataclass(frozen=True)
class LearnedModelCheck(Mapping):
    """Whether a learned decoder matches the truth up to a graph-preserving map.

    Attributes
    ----------
    measured_entanglement : numpy.ndarray of bool, shape (d, d)
        V, the measured dependency graph of ``v = f⁻¹ ∘ f̂`` (true latent i, learned j).
    pattern : numpy.ndarray of bool, shape (d, d)
        C, the entanglement pattern of the regularized graphs (what V may contain, up to
        the relabeling).
    consistent : bool
        Some relabeling P has ``V ⊆ C Pᵀ``.
    permutation : tuple of int or None
        Learned j -> true p(j) when consistent.

    Item access (``res["consistent"]``) reads :meth:`to_dict`, as the dict this function
    returned before, and so does the rest of a read-only mapping (``res.get``, ``in``,
    ``keys``, ``items``, ``len``, ``dict(res)``); the old key ``"entanglement_graph"`` (which
    elsewhere means the pattern C) still reads V, with a ``DeprecationWarning``. It is not a
    ``dict`` itself: serialize ``res.to_dict()``.
    """

    measured_entanglement: np.ndarray
    pattern: np.ndarray
    consistent: bool
    permutation: tuple | None
    regularize: str = ""

    def to_dict(self) -> dict:
        return {"measured_entanglement": self.measured_entanglement.astype(int).tolist(),
                "consistent": self.consistent,
                "permutation": None if self.permutation is None else list(self.permutation),
                "pattern": self.pattern.astype(int).tolist(), "regularize": self.regularize}

    def __getitem__(self, key):
        if key == "entanglement_graph":
            import warnings

            warnings.warn("check_learned_model: the key 'entanglement_graph' is deprecated; "
                          "read 'measured_entanglement' (V) instead ('entanglement_graph' names "
                          "the pattern C elsewhere)", DeprecationWarning, stacklevel=2)
            key = "measured_entanglement"
        return self.to_dict()[key]

    def __iter__(self):
        return iter(self.to_dict())

    def __len__(self):
        return len(self.to_dict())

    def __str__(self):
        V = self.measured_entanglement.astype(int).tolist()
        if self.consistent:
            head = ("Consistent with the truth up to a graph-preserving map: learned j goes to "
                    f"true {list(self.permutation)}")
        else:
            head = "NOT consistent: no relabeling puts the measured dependencies inside C"
        return (f"{head}\n  measured V = {V}\n  pattern C = "
                f"{self.pattern.astype(int).tolist()} (regularized: {self.regularize or 'none'})")


@keyword_only("seed", "threshold")
def check_learned_model(g: LatentGraph, f, f_hat, regularize: str | None = None,
                        n_points: int = 200, *, seed=0,
                        threshold: float = 1e-9) -> LearnedModelCheck:
    """Is a learned decoder consistent with the truth up to a graph-preserving map?

    Measures V (see :func:`entanglement_from_decoders`) and looks for a relabeling P with
    ``V ⊆ C Pᵀ`` (Definitions 13-15): learned latent j may go to true position p(j) when every true
    latent that depends on ẑ_j is allowed by column p(j) of C; a perfect bipartite matching
    gives P.

    Returns
    -------
    LearnedModelCheck
        ``measured_entanglement`` (V), ``consistent``, ``permutation`` (learned j -> true
        p(j), or None), ``pattern`` (C). It used to be a dict with V under the key
        ``entanglement_graph``; item access still works (that key with a DeprecationWarning).

    Examples
    --------
    >>> import identkit as ik
    >>> from identkit.numeric import Composed, Mixing, sample_violating_map, check_learned_model
    >>> g = ik.examples.get("ex8").graph
    >>> f = Mixing(3, 6, seed=0)
    >>> res = check_learned_model(g, f, Composed(f, sample_violating_map(g, seed=1, pair=(0, 1))))
    >>> res.consistent, bool(res.measured_entanglement[0, 1])
    (False, True)
    """
    from scipy.optimize import linear_sum_assignment

    reg = resolve_regularize(g, regularize)
    V = entanglement_from_decoders(f, f_hat, n_points, seed=seed, threshold=threshold)
    C = entanglement_graph(g, reg)
    # allowed[j, k]: all rows i with V[i, j] have C[i, k]
    allowed = ~((V[:, :, None] & ~C[:, None, :]).any(axis=0))
    cost = np.where(allowed, 0.0, 1.0)
    rows, cols = linear_sum_assignment(cost)
    ok = bool(cost[rows, cols].sum() == 0)
    perm = tuple(int(k) for k in cols[np.argsort(rows)]) if ok else None
    return LearnedModelCheck(V, C, ok, perm, reg)
