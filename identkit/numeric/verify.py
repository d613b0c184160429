"""Watching the theory happen: push a mechanism through graph-preserving and violating maps and
measure what graph the learned side would see.

Theory (THEORY §2-3): a graph-preserving entanglement map keeps the graph exactly (its Jacobian
and its inverse's are C-preserving, so ``Ĝ ⊆ G`` and ``G ⊆ Ĝ``). A map with a dependency outside
C makes the graph denser when the mechanism has sufficient influence, which is why a learned model
no denser than the truth must be graph-preserving. Without sufficient influence the theory makes
no promise about violating maps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._rng import as_generator
from ..entanglement import entanglement_pairs, resolve_regularize
from ..graphs import LatentGraph
from .derivatives import Pushforward, estimate_graph
from .influence import InfluenceReport, sufficient_influence
from .maps import sample_preserving_map, sample_violating_map
from .mechanisms import MechanismError, make_mechanism

__all__ = ["VerifyResult", "verify", "entanglement_from_decoders", "check_learned_model",
           "undetectable_violation"]


def _edges(g: LatentGraph):
    out = set()
    if g.Gz_sparse is not None:
        r, c = g.Gz_sparse.nonzero()
        out |= {("z", int(i), int(j)) for i, j in zip(r, c)}
    if g.Ga_sparse is not None:
        r, c = g.Ga_sparse.nonzero()
        out |= {("a", int(i), int(j)) for i, j in zip(r, c)}
    return out


@dataclass(frozen=True)
class VerifyResult:
    """What :func:`verify` measured and whether it matches the theory."""

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

    def to_dict(self) -> dict:
        si = self.influence.to_dict()
        si["holds"] = self.influence.holds_for(self.regularize)
        return {
            "mechanism": self.mechanism,
            "regularize": self.regularize,
            "measured_graph_matches": self.measured_graph_matches,
            "sufficient_influence": si,
            "preserving_maps": {"tried": self.preserving_tried, "kept_graph": self.preserving_kept},
            "violating_maps": {"tried": self.violating_tried, "detected": self.violating_detected,
                               "undetected_pairs": [list(p) for p in self.undetected_violations]},
            "prediction": self.prediction,
            "constructed_undetectable_violation": None if self.constructed_violation is None
            else list(self.constructed_violation),
            "agrees_with_theory": self.agrees_with_theory,
        }

    def __str__(self):
        g = self.graph
        lines = [
            f"Mechanism: {self.mechanism}; regularized: {self.regularize or 'none'}",
            f"Measured graph equals the model's graph: {self.measured_graph_matches}",
            "Sufficient influence:",
        ] + ["  " + ln for ln in str(self.influence).splitlines()] + [
            f"Graph-preserving maps that kept the graph: {self.preserving_kept} of "
            f"{self.preserving_tried}",
            f"Violating maps detected (the graph grew): {self.violating_detected} of "
            f"{self.violating_tried}",
        ]
        if self.undetected_violations:
            pairs = ", ".join(f"{g.latents[i]}←{g.latents[j]}"
                              for i, j in self.undetected_violations[:10])
            lines.append(f"  undetected dependencies (true ← learned): {pairs}")
        if self.constructed_violation is not None:
            i, j = self.constructed_violation
            lines.append(f"Without sufficient influence, a linear map making true {g.latents[i]} "
                         f"depend on learned {g.latents[j]} leaves the graph as sparse: sparsity "
                         "alone cannot rule it out")
        lines.append(f"Theory predicts: {self.prediction}")
        lines.append(f"Agrees with the theory: {self.agrees_with_theory}")
        return "\n".join(lines)


def verify(g: LatentGraph, mechanism="nonlinear", maps: int = 10, seed=0,
           regularize: str | None = None, n_points: int = 60) -> VerifyResult:
    """Sample preserving and violating maps, push the mechanism through them, measure graphs.

    Parameters
    ----------
    g : LatentGraph
    mechanism : str or mechanism object
        A name for :func:`~identkit.numeric.make_mechanism` (``nonlinear``,
        ``heteroscedastic``, ``linear``, ``hard``, ``soft``) or a mechanism built on ``g``.
    maps : int
        K preserving and K violating maps (violating ones only when C has a zero).
    seed : None, int or numpy.random.Generator
    regularize : str, optional
        Which graphs define the pattern (default: all the model has).
    n_points : int
        Points per graph measurement.

    Returns
    -------
    VerifyResult
        ``agrees_with_theory`` is True when every preserving map kept the graph and, if the
        sufficient-influence assumptions of the regularized graphs hold, every violating map was
        detected.

    Raises
    ------
    MechanismError
        For an unknown mechanism name or a mechanism built on another graph.

    Examples
    --------
    >>> import identkit as ik
    >>> from identkit.numeric import verify
    >>> res = verify(ik.examples.get("ex8").graph, maps=3, seed=0)
    >>> res.preserving_kept, res.violating_detected, res.agrees_with_theory
    (3, 3, True)

    Notes
    -----
    Each map costs one graph measurement: O(n_points · d² (d + m)) for the pushforward's
    cross-derivatives.
    """
    if not isinstance(maps, (int, np.integer)) or maps < 0:
        raise MechanismError(f"maps must be a non-negative integer, got {maps!r}")
    reg = resolve_regularize(g, regularize)
    rng = as_generator(seed)
    if isinstance(mechanism, str):
        name = mechanism
        mech = make_mechanism(g, mechanism, seed=rng)
    else:
        mech = mechanism
        name = getattr(mech, "mean_family", type(mech).__name__)
        if mech.graph != g:
            raise MechanismError("the mechanism was built on a different graph")
    base = estimate_graph(mech, n_points, seed=rng)
    matches = base == g
    base_edges = _edges(base)
    influence = sufficient_influence(mech, seed=rng)
    si = influence.holds_for(reg)
    kept = 0
    for _ in range(maps):
        v = sample_preserving_map(g, reg, seed=rng)
        kept += estimate_graph(Pushforward(mech, v), n_points, seed=rng) == base
    detected, tried, missed = 0, 0, []
    r, c = entanglement_pairs(g, reg)
    if r.size < g.n_latents ** 2:
        for _ in range(maps):
            v = sample_violating_map(g, reg, seed=rng)
            tried += 1
            grown = _edges(estimate_graph(Pushforward(mech, v), n_points, seed=rng))
            if grown - base_edges:
                detected += 1
            else:
                missed.append(v.violation)
    constructed = None
    if si:
        prediction = ("every preserving map keeps the graph, and every violating map makes it "
                      "denser (sufficient influence holds)")
        agrees = kept == maps and detected == tried
    else:
        prediction = ("every preserving map keeps the graph; sufficient influence fails, so "
                      "nothing is promised about violating maps")
        agrees = kept == maps
        w = undetectable_violation(mech, reg, seed=rng)
        if w is not None and estimate_graph(Pushforward(mech, w), n_points, seed=rng) == base:
            constructed = w.violation
    return VerifyResult(g, reg, name, bool(matches), influence, maps, int(kept), tried, detected,
                        tuple(missed), bool(agrees), prediction, constructed)


def _null_space(A: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    if A.shape[0] == 0:
        return np.eye(A.shape[1])
    u, sv, vt = np.linalg.svd(A)
    rank = int((sv > tol * max(sv.max(initial=0.0), 1.0)).sum())
    return vt[rank:].T


def undetectable_violation(mech, regularize: str | None = None, seed=0, n_points: int = 20):
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
    pts = mech.sample_inputs(n_points, seed)
    H_za, H_zz = mech.cross_derivatives(pts["z"], pts["hist"], pts["a"])
    if mech.discrete and mech.m:
        H_za = mech.action_differences(pts["z"], pts["hist"])

    def constant(H):
        return H.size == 0 or np.allclose(H, H[:1], rtol=1e-9, atol=1e-12 * max(1, np.abs(H).max()))

    if not (constant(H_za) and constant(H_zz)):
        return None
    Ha = H_za[0] if H_za.size else np.zeros((d, 0))
    Hz = [H_zz[0, t] for t in range(H_zz.shape[1])]
    r, c = entanglement_pairs(g, reg)
    C = np.zeros((d, d), dtype=bool)
    C[r, c] = True
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


def entanglement_from_decoders(f, f_hat, n_points: int = 200, seed=0, threshold: float = 1e-6,
                               zhat=None) -> np.ndarray:
    """Measure the dependency graph V of ``v = f⁻¹ ∘ f̂`` (true latents from learned ones).

    ``Dv(ẑ) = Df(z)⁺ Df̂(ẑ)`` with ``z = f⁻¹(f̂(ẑ))``, the pseudo-inverse acting on the image
    of f. ``V[i, j]`` is True when ``max |Dv[i, j]|`` over the points exceeds ``threshold``
    times the largest entry. Both decoders need ``forward``/``inverse``/``jacobian`` (as
    :class:`~identkit.numeric.Mixing` has).

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
    J = np.linalg.pinv(f.jacobian(z)) @ f_hat.jacobian(zhat)
    mag = np.abs(J).max(axis=0)
    return mag > threshold * mag.max()


def check_learned_model(g: LatentGraph, f, f_hat, regularize: str | None = None,
                        n_points: int = 200, seed=0, threshold: float = 1e-6) -> dict:
    """Is a learned decoder consistent with the truth up to a graph-preserving map?

    Measures V (see :func:`entanglement_from_decoders`) and looks for a relabeling P with
    ``V ⊆ C Pᵀ`` (Definitions 13-15): learned latent j may go to true position p(j) when every true
    latent that depends on ẑ_j is allowed by column p(j) of C; a perfect bipartite matching
    gives P.

    Returns
    -------
    dict
        ``entanglement_graph`` (V as 0/1 rows), ``consistent`` (bool), ``permutation`` (learned j
        -> true p(j), or None), ``pattern`` (C).

    Examples
    --------
    >>> import identkit as ik
    >>> from identkit.numeric import Composed, Mixing, sample_violating_map, check_learned_model
    >>> g = ik.examples.get("ex8").graph
    >>> f = Mixing(3, 6, seed=0)
    >>> check_learned_model(g, f, Composed(f, sample_violating_map(g, seed=1, pair=(0, 1))))["consistent"]
    False
    """
    from scipy.optimize import linear_sum_assignment

    reg = resolve_regularize(g, regularize)
    V = entanglement_from_decoders(f, f_hat, n_points, seed, threshold)
    d = g.n_latents
    r, c = entanglement_pairs(g, reg)
    C = np.zeros((d, d), dtype=bool)
    C[r, c] = True
    # allowed[j, k]: all rows i with V[i, j] have C[i, k]
    allowed = ~((V[:, :, None] & ~C[:, None, :]).any(axis=0))
    cost = np.where(allowed, 0.0, 1.0)
    rows, cols = linear_sum_assignment(cost)
    ok = bool(cost[rows, cols].sum() == 0)
    perm = [int(k) for k in cols[np.argsort(rows)]] if ok else None
    return {"entanglement_graph": V.astype(int).tolist(), "consistent": ok,
            "permutation": perm, "pattern": C.astype(int).tolist()}
