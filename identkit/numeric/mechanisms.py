"""Gaussian transition mechanisms with exact log-densities and analytic cross-derivatives.

A mechanism is ``p(z^t | z^{t-1}, ..., z^{t-L}, a^{t-1}) = Π_i N(z_i; μ_i, exp(s_i))`` whose mean
``μ`` and log-variance ``s`` depend on the parents given by ``Gz`` (every lag uses the same
graph) and ``Ga``. Everything is vectorised over a batch: a history is an array of shape
``(n, L, d)`` with ``hist[:, 0]`` the previous step, actions ``(n, m)``, states ``(n, d)``.

The cross-derivatives the paper's sufficient influence assumptions read (Assumptions 6 and 11)
follow from the Gaussian form:
``∂_{z_i} log p = -(z_i - μ_i) e^{-s_i}``, so for any parent variable u

    ∂²/∂z_i ∂u log p = e^{-s_i} (∂μ_i/∂u + (z_i - μ_i) ∂s_i/∂u).

Families of means (the frequencies ``ω_k = (k+3)/π`` and phases ``φ_k = k`` for the 0-based
row k are those of the paper's datasets, Appendix C.1, eqs. 73 and 76; ``frequency=1,
phase=0`` gives the plain ``sin`` of ActionDiag and TimeDiag):

* ``"sinusoidal"`` (lag 1): ``μ_k = L_k z_k^{t-1} + ½ Σ_j Gz[k,j] sin(ω_k z_j^{t-1} + φ_k)
  + Σ_l Ga[k,l] sin(ω_k a_l + φ_k)``, with ``L_k = Gz[k,k]`` (the identity term of eq. 76 kept
  only where the self-loop exists). With ``lags=2`` the temporal term becomes
  ``½ Σ_j Gz[k,j] sin(ω_k z_j^{t-2} + φ_k + j) z_j^{t-1}``: a non-Markovian weight that varies
  with the older step (Example 14 with a varying W).
* ``"linear"``: ``μ = (L + ½ Gz ⊙ W) z^{t-1} (+ ½ (Gz ⊙ W₂) z^{t-2}) + (Ga ⊙ W_a) a``, W Gaussian
  (the NoSuffInf datasets; Examples 10 and 14 with constant W): constant cross-derivatives.
* ``"hard"`` / ``"soft"`` interventions with unknown targets for discrete actions
  ``a ∈ {0, e_1, .., e_m}`` (paper §3.4.1, Examples 11-13): with a temporal graph,
  ``μ = L z^{t-1} + (1 - Ga a) ⊙ g(z^{t-1})`` (hard: the targeted mechanisms lose their
  dependence, Example 12) or ``μ = L z^{t-1} + g(z^{t-1}) + (Ga a) ⊙ c`` with a variance change
  (soft); without one (T = 1), ``μ = (Ga ⊙ c) a`` and ``s = log(σ² (1 + (Ga ⊙ δ) a))``
  (Examples 11 and 15).

Variance families: ``"constant"`` (``σ² = noise``, default 0.1; the paper's datasets use 1e-4)
and ``"heteroscedastic"`` (k = 2, eqs. 74 and 77): ``σ_k² = σ₀² exp(Σ_j Gz[k,j] cos(ω_k
z_j^{t-1} + φ_k) + Σ_l Ga[k,l] cos(ω_k a_l + φ_k))`` with ``σ₀² = 1/(10 n)``, n the number of
inputs (d for a temporal graph, plus m for an action graph), unless ``noise`` gives σ₀².
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._compat import keyword_only
from .._rng import as_generator
from ..errors import MechanismError
from ..graphs import LatentGraph

__all__ = ["GaussianMechanism", "MechanismError", "NumericMechanism", "make_mechanism",
           "MEAN_FAMILIES"]

MEAN_FAMILIES = ("sinusoidal", "linear", "hard", "soft")
VARIANCE_FAMILIES = ("constant", "heteroscedastic")
_LOG_2PI = float(np.log(2 * np.pi))




@dataclass(frozen=True)
class _Terms:
    mu: np.ndarray       # (n, d)
    dmu_h: np.ndarray    # (n, d, L, d)  dμ_i / d z^{t-1-τ}_j
    dmu_a: np.ndarray    # (n, d, m)
    s: np.ndarray        # (n, d)
    ds_h: np.ndarray     # (n, d, L, d)
    ds_a: np.ndarray     # (n, d, m)


class NumericMechanism:
    """What the numeric mechanisms share: the :class:`~identkit.protocols.Mechanism` verbs and
    the capabilities the graph measurement and the rank tests ask for.

    :class:`GaussianMechanism`, :class:`~identkit.numeric.Pushforward` and
    :class:`~identkit.numeric.CallableMechanism` derive from it. A subclass sets ``graph``,
    ``d``, ``m``, ``lags``, ``temporal``, ``discrete`` and ``action_values`` and defines
    ``log_prob`` and ``sample_inputs``; it declares what else it can compute by the attributes
    below instead of by which methods happen to exist.

    Attributes
    ----------
    analytic : bool
        Whether :meth:`cross_derivatives` is exact (else graphs are measured by finite
        differences of ``log_prob``).
    statistic_dim : int or None
        ``k``, the dimension of each latent's sufficient statistic when the mechanism is a
        Gaussian exponential family in its own coordinates (1: constant variance, 2: varying
        variance), else None. With ``k = 1``, :meth:`natural_parameter_derivatives` and
        ``mean`` are defined (Assumptions 10 and 11).

    Examples
    --------
    >>> import identkit as ik
    >>> from identkit.numeric import NumericMechanism, make_mechanism
    >>> mech = make_mechanism(ik.examples.get("ex8").graph, "nonlinear")
    >>> isinstance(mech, NumericMechanism), mech.analytic, mech.statistic_dim
    (True, True, 1)
    >>> mech.derive_graph().graph == ik.examples.get("ex8").graph
    True
    """

    analytic: bool = False
    statistic_dim: int | None = None

    @property
    def latents(self) -> tuple[str, ...]:
        """The latent names, in row order of the graphs."""
        return self.graph.latents

    @property
    def actions(self) -> tuple[str, ...]:
        """The action names (empty without actions)."""
        return tuple(self.graph.actions or ())

    # ------------------------------------------------------------------ capabilities

    def cross_derivatives(self, z, hist=None, a=None):
        """``H_za`` (n, d, m) and ``H_zz`` (n, L, d, d); only where :attr:`analytic`."""
        raise MechanismError(f"{type(self).__name__} has no analytic derivatives; use "
                             "method='fd'")

    def cross_derivatives_with_scales(self, z, hist=None, a=None):
        """``(H_za, H_zz, S_za, S_zz)``: :meth:`cross_derivatives` and, per entry, the sum of
        the magnitudes of the terms it was computed from (``S_*`` None when unknown).

        An entry far below its scale is a cancellation at rounding level, not an edge (the
        ``"entry scale"`` rule of :func:`~identkit.numeric.estimate_graph`). The default knows
        no scales.
        """
        H_za, H_zz = self.cross_derivatives(z, hist, a)
        return H_za, H_zz, None, None

    def action_differences_with_scales(self, z, hist=None, base=None):
        """``(D, S)``: the partial differences of Assumption 7 (``action_differences``) and
        their term scales (None when unknown), as :meth:`cross_derivatives_with_scales`."""
        return self.action_differences(z, hist, base), None

    def natural_parameter_derivatives(self, hist, a=None) -> np.ndarray:
        """``D_{z^{t-1-τ}} λ`` up to the constant factors ``1/σ_i²``: (n, d, L, d); only for
        ``statistic_dim == 1`` (Assumption 11)."""
        raise MechanismError(f"{type(self).__name__} is not a k = 1 exponential family")

    # ------------------------------------------------------------ the Mechanism verbs

    def derive_graph(self, *, seed=0, **options):
        """The measured graphs: :func:`~identkit.numeric.estimate_graph` with
        ``details=True`` (a :class:`~identkit.numeric.GraphEstimate`; ``options`` are its
        ``n_points``, ``method``, ``threshold``)."""
        from .derivatives import estimate_graph

        return estimate_graph(self, seed=seed, details=True, **options)

    def check_assumptions(self, *, seed=0, **options):
        """The sufficient-influence verdicts:
        :func:`~identkit.numeric.sufficient_influence` (``options``: ``n_points``, ``n_z``,
        ``rtol``)."""
        from .influence import sufficient_influence

        return sufficient_influence(self, seed=seed, **options)

    def check(self, regularize: str | None = None, *, seed=0, **options):
        """Measured graphs and verdicts combined by the theorems:
        :func:`~identkit.numeric.check_mechanism`."""
        from .check import check_mechanism

        return check_mechanism(self, regularize, seed=seed, **options)


def require_numeric(mech, what: str) -> None:
    """Raise :class:`~identkit.errors.MechanismError` unless ``mech`` is a
    :class:`NumericMechanism` (what ``what``, a function's name, measures needs one).

    Examples
    --------
    >>> from identkit.numeric.mechanisms import require_numeric
    >>> require_numeric(object(), "estimate_graph")
    Traceback (most recent call last):
    ...
    identkit.errors.MechanismError: estimate_graph needs a numeric mechanism (GaussianMechanism, Pushforward or CallableMechanism, which wraps any log-density), got object
    """
    if not isinstance(mech, NumericMechanism):
        raise MechanismError(f"{what} needs a numeric mechanism (GaussianMechanism, Pushforward "
                             "or CallableMechanism, which wraps any log-density), got "
                             f"{type(mech).__name__}")


class GaussianMechanism(NumericMechanism):
    """A Gaussian transition model for a :class:`~identkit.LatentGraph` (see module docs).

    Parameters
    ----------
    graph : LatentGraph
    mean : {"sinusoidal", "linear", "hard", "soft"}
    variance : {"constant", "heteroscedastic"}
    lags : {1, 2}
        How many past steps the mean reads (both use ``Gz``).
    noise : float, optional
        The variance σ² of the constant family (default 0.1), or the base σ₀² of the
        heteroscedastic family (default ``1/(10 n)`` of eqs. 74 and 77).
    frequency, phase : float or array of shape (d,), optional
        ``ω_k`` and ``φ_k`` of the sinusoids (defaults ``(k+3)/π`` and ``k``, eqs. 73 and 76).
    seed : int, numpy.random.Generator or None, keyword-only
        Default 0; positional use is deprecated.
        Draws the random weights of the ``linear``, ``hard`` and ``soft`` families.

    Raises
    ------
    MechanismError
        For an unknown family, ``lags`` other than 1 or 2, or a family that needs a graph the
        model lacks (``hard``/``soft`` need ``Ga``).

    Examples
    --------
    >>> import numpy as np, identkit as ik
    >>> from identkit.numeric import GaussianMechanism
    >>> mech = GaussianMechanism(ik.examples.get("fig1").graph, seed=0)
    >>> batch = mech.sample_inputs(4, seed=1)
    >>> mech.log_prob(batch["z"], batch["hist"], batch["a"]).shape
    (4,)
    """

    @keyword_only("seed")
    def __init__(self, graph: LatentGraph, mean: str = "sinusoidal",
                 variance: str = "constant", lags: int = 1, noise: float | None = None,
                 *, seed=0, frequency=None, phase=None):
        if not isinstance(graph, LatentGraph):
            raise MechanismError("graph must be a LatentGraph")
        if mean not in MEAN_FAMILIES:
            raise MechanismError(f"unknown mean family {mean!r}; choose from {MEAN_FAMILIES}")
        if variance not in VARIANCE_FAMILIES:
            raise MechanismError(
                f"unknown variance family {variance!r}; choose from {VARIANCE_FAMILIES}")
        if lags not in (1, 2):
            raise MechanismError(f"lags must be 1 or 2, got {lags!r}")
        if noise is not None and not (isinstance(noise, (int, float)) and np.isfinite(noise)
                                      and noise > 0):
            raise MechanismError(f"noise must be a positive variance, got {noise!r}")
        if mean in ("hard", "soft") and graph.Ga_sparse is None:
            raise MechanismError(f"the {mean!r} intervention family needs an action graph Ga")
        self.graph = graph
        self.mean_family = mean
        self.variance_family = variance
        self.d = graph.n_latents
        self.m = graph.n_actions
        self.temporal = graph.Gz_sparse is not None
        if noise is None:
            n_in = (self.d if self.temporal else 0) + self.m
            noise = 1.0 / (10 * n_in) if variance == "heteroscedastic" else 0.1
        self.noise = float(noise)
        self.lags = lags if self.temporal else 0
        self.discrete = mean in ("hard", "soft")
        self.Gz = graph.Gz.astype(float) if self.temporal else np.zeros((self.d, self.d))
        self.Ga = graph.Ga.astype(float) if graph.Ga_sparse is not None else np.zeros((self.d, 0))
        k = np.arange(self.d)
        self.omega = _per_row(frequency, (k + 3.0) / np.pi, self.d, "frequency")
        self.phi = _per_row(phase, k.astype(float), self.d, "phase")
        self._progression = _progression(self.omega, self.phi)
        self.loop = np.diag(self.Gz).copy()
        # edge lists (row-major) and their runs per row: the fast path of sampling evaluates the
        # sinusoids on edges only, O(n · edges) instead of O(n d²)
        self._ez = np.nonzero(self.Gz)
        self._ea = np.nonzero(self.Ga)
        self._runs_z, self._runs_a = _runs(self._ez[0]), _runs(self._ea[0])
        rng = as_generator(seed)
        self.W = [rng.standard_normal((self.d, self.d)) for _ in range(2)]
        self.Wa = rng.standard_normal((self.d, self.m))
        self.shift = rng.uniform(1.0, 2.0, (self.d, self.m)) * rng.choice([-1, 1], (self.d, self.m))
        self.scale = rng.uniform(0.5, 1.5, (self.d, self.m))

    # ------------------------------------------------------------------------- description

    def __repr__(self):
        return (f"<GaussianMechanism {self.mean_family}/{self.variance_family}, d={self.d}, "
                f"m={self.m}, lags={self.lags}>")

    @property
    def action_values(self) -> np.ndarray | None:
        """The discrete action set ``{0, e_1, .., e_m}`` (rows), or None for continuous."""
        if not self.discrete:
            return None
        return np.vstack([np.zeros((1, self.m)), np.eye(self.m)])

    analytic = True

    @property
    def statistic_dim(self) -> int:
        """``k``: 1 for the constant variance family, 2 for the heteroscedastic one."""
        return 1 if self.variance_family == "constant" else 2

    # ---------------------------------------------------------------------------- internals

    def _check(self, z, hist, a):
        n = None
        out = []
        for name, arr, shape in (("z", z, (self.d,)), ("hist", hist, (self.lags, self.d)),
                                 ("a", a, (self.m,))):
            if arr is None:
                out.append(None)
                continue
            arr = np.asarray(arr, dtype=float)
            if arr.shape[1:] != shape:
                raise MechanismError(f"{name} must have shape (n, {', '.join(map(str, shape))})"
                                     f", got {arr.shape}")
            if n is not None and arr.shape[0] != n:
                raise MechanismError(f"{name} has {arr.shape[0]} rows, expected {n}")
            n = arr.shape[0]
            if not np.all(np.isfinite(arr)):
                raise MechanismError(f"{name} has non-finite values")
            out.append(arr)
        return out

    def _edge_sums(self, x, which, sin: bool, cos: bool):
        """``Σ_j G[i, j] sin(ω_i x_j + φ_i)`` and the same with cos, for every row i (None for
        the one not asked for), with G = Gz or Ga by ``which``.

        Two routes give the same values (to ~1e-14): one evaluation per edge (E of each
        function per input row), or, when ω and φ are arithmetic progressions in i (the
        paper's ``(i+3)/π`` and ``i``, or constants), a rotation: with ``θ_j = ω_0 x_j + φ_0``
        and ``δ_j = Δω x_j + Δφ`` the angle of row i is ``θ_j + i δ_j``, so four evaluations
        per input and one 2×2 rotation per row give every angle (O(k + d k) per input row, k
        inputs). The route with the smaller operation count is taken.
        """
        rows, cols = self._ez if which == "z" else self._ea
        if len(rows) == 0:
            return (0.0 if sin else None), (0.0 if cos else None)
        k = x.shape[1]
        both = sin and cos
        direct = 18.0 * len(rows) * (sin + cos)
        rotate = 25.0 * k + (2.8 + 0.8 * both) * self.d * k
        if self._progression is None or direct <= rotate:
            # edges come row-major from np.nonzero, so each row's edges are one run: summed
            # with reduceat (a matrix product here would wake threaded BLAS for nothing)
            starts, parents = self._runs_z if which == "z" else self._runs_a
            arg = np.take(x, cols, axis=1)
            arg *= self.omega[rows]
            arg += self.phi[rows]
            outs = []
            for wanted, fn in ((sin, np.sin), (cos, np.cos)):
                if not wanted:
                    outs.append(None)
                    continue
                out = np.zeros((x.shape[0], self.d))
                out[:, parents] = np.add.reduceat(fn(arg), starts, axis=1)
                outs.append(out)
            return outs[0], outs[1]
        G = self.Gz if which == "z" else self.Ga
        w0, dw, p0, dp = self._progression
        th, de = x * w0 + p0, x * dw + dp
        Sn, Cs, sd, cd = np.sin(th), np.cos(th), np.sin(de), np.cos(de)
        out_s = np.empty((x.shape[0], self.d)) if sin else None
        out_c = np.empty((x.shape[0], self.d)) if cos else None
        tmp = np.empty_like(Sn)
        for i in range(self.d):
            if sin:
                out_s[:, i] = Sn @ G[i]
            if cos:
                out_c[:, i] = Cs @ G[i]
            if i + 1 < self.d:                      # angle += δ
                np.multiply(Sn, sd, out=tmp)
                Sn *= cd
                Sn += Cs * sd
                Cs *= cd
                Cs -= tmp
        return out_s, out_c

    def _terms_fast(self, hist, a) -> _Terms:
        """μ and s without derivatives, for sampling and log-densities."""
        fam, L = self.mean_family, self.lags
        if fam == "linear" or (fam == "sinusoidal" and L == 2):
            return self._terms(hist, a, jac=False)
        n = hist.shape[0] if hist is not None and hist.ndim == 3 else a.shape[0]
        mu = np.zeros((n, self.d))
        s = np.full((n, self.d), np.log(self.noise))
        hetero = self.variance_family == "heteroscedastic"
        if self.temporal:
            z1 = hist[:, 0]
            sz, cz = self._edge_sums(z1, "z", True, hetero)
            g = 0.5 * sz
            mu += self.loop * z1
            mu += (1.0 - a @ self.Ga.T) * g if fam == "hard" else g
            if hetero:
                s += cz
        if self.m:
            sa, ca = self._edge_sums(a, "a", fam == "sinusoidal", hetero)
            if fam == "sinusoidal":
                mu += sa
            elif fam == "soft" or (fam == "hard" and not self.temporal):
                mu += a @ (self.Ga * self.shift).T
                factor = 1.0 + a @ (self.Ga * self.scale).T
                if np.any(factor <= 0):
                    raise MechanismError("actions outside the intervention set make the "
                                         "variance non-positive")
                s += np.log(factor)
            if hetero:
                s += ca
        return _Terms(mu, None, None, s, None, None)

    def _terms(self, hist, a, jac: bool = True) -> _Terms:
        n = hist.shape[0] if hist is not None and hist.ndim == 3 else a.shape[0]
        d, m, L = self.d, self.m, self.lags
        mu = np.zeros((n, d))
        s = np.full((n, d), np.log(self.noise))
        if jac:
            dmu_h = np.zeros((n, d, max(L, 1), d))
            dmu_a = np.zeros((n, d, m))
            ds_h = np.zeros((n, d, max(L, 1), d))
            ds_a = np.zeros((n, d, m))
        om, ph = self.omega[None, :, None], self.phi[None, :, None]
        Gz, Ga = self.Gz[None], self.Ga[None]
        fam = self.mean_family
        if self.temporal:
            z1 = hist[:, 0]
            mu += self.loop * z1
            idx = np.arange(d)
            if jac:
                dmu_h[:, idx, 0, idx] += self.loop
            if fam in ("sinusoidal", "hard", "soft"):
                if fam == "sinusoidal" and L == 2:
                    z2 = hist[:, 1]
                    arg = om * z2[:, None, :] + ph + np.arange(d)[None, None, :]
                    w = 0.5 * Gz * np.sin(arg)                      # (n, d, d)
                    mu += np.einsum("nij,nj->ni", w, z1)
                    if jac:
                        dmu_h[:, :, 0, :] += w
                    if jac:
                        dmu_h[:, :, 1, :] += 0.5 * Gz * om * np.cos(arg) * z1[:, None, :]
                else:
                    arg = om * z1[:, None, :] + ph
                    g = 0.5 * (Gz * np.sin(arg)).sum(-1)            # (n, d)
                    dg = 0.5 * Gz * om * np.cos(arg)                 # (n, d, d)
                    if fam == "hard":
                        keep = 1.0 - a @ self.Ga.T                   # (n, d)
                        mu += keep * g
                        if jac:
                            dmu_h[:, :, 0, :] += keep[:, :, None] * dg
                        if jac:
                            dmu_a -= self.Ga[None] * g[:, :, None]
                    else:
                        mu += g
                        if jac:
                            dmu_h[:, :, 0, :] += dg
            elif fam == "linear":
                mu += z1 @ (0.5 * self.Gz * self.W[0]).T
                if jac:
                    dmu_h[:, :, 0, :] += 0.5 * self.Gz * self.W[0]
                if L == 2:
                    mu += hist[:, 1] @ (0.5 * self.Gz * self.W[1]).T
                    if jac:
                        dmu_h[:, :, 1, :] += 0.5 * self.Gz * self.W[1]
        if m:
            if fam == "sinusoidal":
                arg = om * a[:, None, :] + ph
                mu += (Ga * np.sin(arg)).sum(-1)
                if jac:
                    dmu_a += Ga * om * np.cos(arg)
            elif fam == "linear":
                mu += a @ (self.Ga * self.Wa).T
                if jac:
                    dmu_a += self.Ga * self.Wa
            elif fam == "soft" or (fam == "hard" and not self.temporal):
                mu += a @ (self.Ga * self.shift).T
                if jac:
                    dmu_a += self.Ga * self.shift
                factor = 1.0 + a @ (self.Ga * self.scale).T         # > 0 on {0, e_l}
                if np.any(factor <= 0):
                    raise MechanismError("actions outside the intervention set make the "
                                         "variance non-positive")
                s += np.log(factor)
                if jac:
                    ds_a += (self.Ga * self.scale)[None] / factor[:, :, None]
        if self.variance_family == "heteroscedastic":
            if self.temporal:
                z1 = hist[:, 0]
                arg = om * z1[:, None, :] + ph
                s += (Gz * np.cos(arg)).sum(-1)
                if jac:
                    ds_h[:, :, 0, :] += -Gz * om * np.sin(arg)
            if m:
                arg = om * a[:, None, :] + ph
                s += (Ga * np.cos(arg)).sum(-1)
                if jac:
                    ds_a += -Ga * om * np.sin(arg)
        if not jac:
            return _Terms(mu, None, None, s, None, None)
        return _Terms(mu, dmu_h[:, :, :L, :], dmu_a, s, ds_h[:, :, :L, :], ds_a)

    def _defaults(self, n, hist, a):
        if hist is None:
            hist = np.zeros((n, self.lags, self.d))
        if a is None:
            a = np.zeros((n, self.m))
        return hist, a

    # ------------------------------------------------------------------------------- public

    def mean(self, hist=None, a=None) -> np.ndarray:
        """The mean μ (n, d) of ``z^t`` given the history (n, L, d) and actions (n, m)."""
        n = _rows(hist, a)
        hist, a = self._defaults(n, hist, a)
        _, hist, a = self._check(None, hist, a)
        return self._terms_fast(hist, a).mu

    def variance(self, hist=None, a=None) -> np.ndarray:
        """The variance ``exp(s)`` (n, d) of ``z^t`` given the history (n, L, d) and actions."""
        return self.moments(hist, a)[1]

    def moments(self, hist=None, a=None) -> tuple[np.ndarray, np.ndarray]:
        """The mean and the variance, each (n, d), computed together (one pass over the edges
        for the mean, one more only for the k = 2 variances)."""
        n = _rows(hist, a)
        hist, a = self._defaults(n, hist, a)
        _, hist, a = self._check(None, hist, a)
        t = self._terms_fast(hist, a)
        return t.mu, np.exp(t.s)

    def log_prob(self, z, hist=None, a=None) -> np.ndarray:
        """Exact ``log p(z^t | history, a)`` for each row; shape (n,). O(n d (L d + m))."""
        n = np.asarray(z).shape[0]
        hist, a = self._defaults(n, hist, a)
        z, hist, a = self._check(z, hist, a)
        t = self._terms_fast(hist, a)
        r = z - t.mu
        return -0.5 * (r**2 * np.exp(-t.s) + t.s + _LOG_2PI).sum(-1)

    def score(self, z, hist=None, a=None) -> np.ndarray:
        """``∇_{z^t} log p`` (n, d)."""
        n = np.asarray(z).shape[0]
        hist, a = self._defaults(n, hist, a)
        z, hist, a = self._check(z, hist, a)
        t = self._terms_fast(hist, a)
        return -(z - t.mu) * np.exp(-t.s)

    def cross_derivatives(self, z, hist=None, a=None):
        """Analytic ``H_za = D_a ∇_{z^t} log p`` (n, d, m) and ``H_zz`` (n, L, d, d).

        ``H_zz[:, τ, i, j] = ∂²/∂z_i^t ∂z_j^{t-1-τ} log p``. For discrete families ``H_za`` is
        still the derivative of the smooth extension; use :meth:`action_differences` for the
        partial differences of Assumption 7.
        """
        n = np.asarray(z).shape[0]
        hist, a = self._defaults(n, hist, a)
        z, hist, a = self._check(z, hist, a)
        t = self._terms(hist, a)
        r = (z - t.mu)
        inv = np.exp(-t.s)
        H_za = inv[:, :, None] * (t.dmu_a + r[:, :, None] * t.ds_a)
        H_zz = inv[:, :, None, None] * (t.dmu_h + r[:, :, None, None] * t.ds_h)
        return H_za, np.moveaxis(H_zz, 2, 1)

    def cross_derivatives_with_scales(self, z, hist=None, a=None):
        """:meth:`cross_derivatives` with their term scales: the formulas are products with
        the graph's masks, so a structural zero is an exact 0.0 and the scale of an entry is
        its own magnitude."""
        H_za, H_zz = self.cross_derivatives(z, hist, a)
        return H_za, H_zz, np.abs(H_za), np.abs(H_zz)

    def action_differences_with_scales(self, z, hist=None, base=None):
        """:meth:`action_differences` and their scales (their own magnitudes, as
        :meth:`cross_derivatives_with_scales`)."""
        D = self.action_differences(z, hist, base)
        return D, np.abs(D)

    def natural_parameter_derivatives(self, hist, a=None) -> np.ndarray:
        """``D_{z^{t-1-τ}_j} μ_i`` (n, d, L, d): with a constant variance (k = 1) the natural
        parameter is ``λ = μ/σ²``, so this is ``D λ`` up to the factors ``σ_i²`` (which keep
        every rank). Used by Assumption 11's rank test.

        Raises
        ------
        MechanismError
            For the heteroscedastic family (k = 2).
        """
        if self.statistic_dim != 1:
            raise MechanismError("natural_parameter_derivatives needs the constant variance "
                                 "family (k = 1)")
        n = _rows(hist, a)
        hist, a = self._defaults(n, hist, a)
        _, hist, a = self._check(None, hist, a)
        return self._terms(hist, a).dmu_h

    def action_differences(self, z, hist=None, base=None) -> np.ndarray:
        """Partial differences ``∇_z log p(z | a + e_l) - ∇_z log p(z | a)`` (n, d, m).

        ``base`` (n, m) is the action a (default 0, the observational regime).
        """
        n = np.asarray(z).shape[0]
        hist, base = self._defaults(n, hist, base)
        out = np.empty((n, self.d, self.m))
        s0 = self.score(z, hist, base)
        for l in range(self.m):
            a1 = np.array(base, dtype=float, copy=True)
            a1[:, l] += 1.0
            out[:, :, l] = self.score(z, hist, a1) - s0
        return out

    @keyword_only("seed")
    def sample_inputs(self, n: int, *, seed=0) -> dict:
        """Points where derivatives are evaluated: z, hist ~ N(0, I); a ~ N(0, I) or uniform on
        the discrete action set. Returns ``{"z", "hist", "a"}``. ``seed`` is keyword-only,
        default 0: deterministic by default (it used to be None, fresh entropy)."""
        rng = as_generator(seed)
        z = rng.standard_normal((n, self.d))
        hist = rng.standard_normal((n, self.lags, self.d))
        if self.discrete:
            vals = self.action_values
            a = vals[rng.integers(0, len(vals), n)]
        else:
            a = rng.standard_normal((n, self.m))
        return {"z": z, "hist": hist, "a": a}

    @keyword_only("seed")
    def sample(self, n: int, *, seed=0, hist=None, a=None) -> dict:
        """Draw n transitions: histories and actions as in :meth:`sample_inputs` (unless given),
        then ``z^t ~ p(· | history, a)``. Returns ``{"z", "hist", "a"}``. O(n d (L d + m)).
        ``seed`` is keyword-only, default 0: deterministic by default (it used to be None)."""
        rng = as_generator(seed)
        inputs = self.sample_inputs(n, seed=rng)
        hist = inputs["hist"] if hist is None else np.asarray(hist, float)
        a = inputs["a"] if a is None else np.asarray(a, float)
        _, hist, a = self._check(None, hist, a)
        t = self._terms_fast(hist, a)
        z = t.mu + np.exp(0.5 * t.s) * rng.standard_normal((n, self.d))
        return {"z": z, "hist": hist, "a": a}

    @keyword_only("seed", "actions")
    def trajectory(self, T: int, *, seed=0, actions=None) -> dict:
        """A trajectory ``z^1..z^T`` started from N(0, I) histories. Returns ``{"z": (T, d),
        "a": (T, m)}``; actions are drawn as in :meth:`sample_inputs` unless given. ``seed`` and
        ``actions`` are keyword-only; the seed defaults to 0 (deterministic; it used to be None)."""
        rng = as_generator(seed)
        L = max(self.lags, 1)
        past = list(rng.standard_normal((L, self.d)))
        zs, acts = [], []
        for t in range(T):
            a = (self.sample_inputs(1, seed=rng)["a"] if actions is None
                 else np.asarray(actions[t], float).reshape(1, self.m))
            hist = np.stack(past[::-1][:self.lags])[None] if self.lags else \
                np.zeros((1, 0, self.d))
            z = self.sample(1, seed=rng, hist=hist, a=a)["z"][0]
            zs.append(z)
            acts.append(a[0])
            past.append(z)
            past = past[-L:]
        return {"z": np.array(zs), "a": np.array(acts).reshape(T, self.m)}


def _runs(rows):
    """Start of each run of equal (sorted) row indices, and the row of each run."""
    if len(rows) == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    return starts, rows[starts]


def _progression(omega, phi):
    """``(ω_0, Δω, φ_0, Δφ)`` when ω and φ are arithmetic progressions over the rows (to
    rounding), else None."""
    k = np.arange(len(omega))
    steps = []
    for v in (omega, phi):
        step = float(v[1] - v[0]) if len(v) > 1 else 0.0
        if not np.allclose(v, v[0] + step * k, rtol=1e-13, atol=1e-13):
            return None
        steps += [float(v[0]), step]
    return steps[0], steps[1], steps[2], steps[3]


def _per_row(value, default, d, name):
    if value is None:
        return default
    arr = np.broadcast_to(np.asarray(value, dtype=float), (d,)) if np.ndim(value) == 0 else \
        np.asarray(value, dtype=float)
    if arr.shape != (d,) or not np.all(np.isfinite(arr)):
        raise MechanismError(f"{name} must be a finite number or an array of shape ({d},), "
                             f"got {value!r}")
    return arr.copy()


def _rows(*arrays):
    for arr in arrays:
        if arr is not None:
            return np.asarray(arr).shape[0]
    raise MechanismError("give at least one of hist or a")


@keyword_only("seed", "lags", "noise")
def make_mechanism(graph: LatentGraph, name: str = "nonlinear", *, seed=0, lags: int = 1,
                   noise: float | None = None):
    """A mechanism by the CLI's names: ``nonlinear`` (sinusoidal means), ``heteroscedastic``
    (sinusoidal means, k = 2 variances), ``linear`` (constant cross-derivatives; no sufficient
    influence once an action has two children), ``hard`` and ``soft`` (interventions).
    ``noise`` is passed to :class:`GaussianMechanism` (its family default when None).

    Raises
    ------
    MechanismError
        For an unknown name.

    Examples
    --------
    >>> import identkit as ik
    >>> from identkit.numeric import make_mechanism
    >>> make_mechanism(ik.examples.get("ex5").graph, "linear")
    <GaussianMechanism linear/constant, d=3, m=3, lags=0>
    """
    table = {
        "nonlinear": ("sinusoidal", "constant"),
        "sinusoidal": ("sinusoidal", "constant"),
        "heteroscedastic": ("sinusoidal", "heteroscedastic"),
        "linear": ("linear", "constant"),
        "hard": ("hard", "constant"),
        "soft": ("soft", "constant"),
    }
    if name not in table:
        raise MechanismError(f"unknown mechanism {name!r}; choose from {', '.join(table)}")
    mean, var = table[name]
    return GaussianMechanism(graph, mean=mean, variance=var, seed=seed, lags=lags, noise=noise)
