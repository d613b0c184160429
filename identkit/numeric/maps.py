"""Diffeomorphisms between representations and injective mixing functions, with exact inverses
and Jacobians (numpy, vectorised over a batch of points).

* :func:`sample_preserving_map` composes element-wise bijections with two triangular *shear
  layers* ``z ← z + B tanh(z)`` whose weights cover the allowed pairs ``C[i, j] = 1``. Each
  layer's Jacobian is supported on the reflexive, transitive pattern C, so the composition's is
  too (Props 4-5): the map is graph-preserving everywhere (Lemma 1). A fixed number of layers
  with diagonally dominant Jacobians bounds its conditioning whatever d.
* :func:`sample_violating_map` is ``e₂ ∘ shear(i, j) ∘ e₁`` for one pair with ``C[i, j] = 0``:
  its Jacobian has exactly one dependency outside C.
* :class:`Mixing` maps latents into observations injectively: the paper's MLP with orthogonal
  weights and leaky-ReLU activations (Appendix C.2), a smooth variant, or a linear one, each
  followed by an embedding with orthonormal columns, so the inverse on the image is exact.

Conventions: a map v sends learned latents to true ones (``z = v(ẑ)``, the entanglement map of
Definitions 2-3); ``jacobian(x)[n, i, j] = ∂v_i/∂x_j``.
"""

from __future__ import annotations

import numpy as np

from .._compat import keyword_only
from .._rng import as_generator
from ..entanglement import entanglement_graph
from ..errors import MapError
from ..graphs import LatentGraph

__all__ = ["DiffeoMap", "MapError", "sample_preserving_map", "sample_violating_map", "Mixing",
           "make_mixing", "Composed", "linear_map"]




def _as_batch(x, d, name="x"):
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[1] != d:
        raise MapError(f"{name} must have shape (n, {d}), got {x.shape}")
    if not np.all(np.isfinite(x)):
        raise MapError(f"{name} has non-finite values")
    return x


def _sech2(x):
    """``1 / cosh(x)²`` without overflow for large |x|."""
    t = np.tanh(x)
    return 1.0 - t * t


# Conditioning constants of the sampled maps (see :func:`sample_preserving_map`).
_ALPHA = (0.75, 1.25)   # slope range of the element-wise layers
_RHO = 0.5              # element-wise derivative within α (1 ± ρ)
_DELTA = 0.5            # row sums of |B| in a shear layer: diagonally dominant Jacobians


class _Elementwise:
    """``y_i = α_i x_i + β_i tanh(γ_i x_i) + b_i`` with ``|β_i| γ_i ≤ ρ α_i``: strictly increasing,
    derivative in ``[α_i (1 - ρ), α_i (1 + ρ)]``."""

    def __init__(self, rng, d):
        self.alpha = rng.uniform(*_ALPHA, d)
        self.gamma = rng.uniform(0.5, 2.0, d)
        self.beta = rng.uniform(-_RHO, _RHO, d) * self.alpha / self.gamma
        self.b = rng.uniform(-0.5, 0.5, d)

    def forward(self, x):
        return self.alpha * x + self.beta * np.tanh(self.gamma * x) + self.b

    def deriv(self, x):
        return self.alpha + self.beta * self.gamma * _sech2(self.gamma * x)

    def jacobian(self, x):
        n, d = x.shape
        J = np.zeros((n, d, d))
        J[:, np.arange(d), np.arange(d)] = self.deriv(x)
        return J

    def inverse(self, y):
        x = (y - self.b) / self.alpha
        for _ in range(100):
            step = (self.forward(x) - y) / self.deriv(x)
            x = x - step
            if np.max(np.abs(step), initial=0.0) < 1e-14 * (1 + np.max(np.abs(x), initial=0)):
                break
        if np.max(np.abs(self.forward(x) - y), initial=0.0) > 1e-9 * (1 + np.abs(y).max(initial=0)):
            raise MapError("the element-wise inverse did not converge")
        return x


class _Shear:
    """``y = x`` except ``y_i = x_i + c tanh(x_j)`` (i ≠ j); exact inverse."""

    def __init__(self, i, j, c):
        self.i, self.j, self.c = int(i), int(j), float(c)

    def forward(self, x):
        y = x.copy()
        y[:, self.i] += self.c * np.tanh(x[:, self.j])
        return y

    def jacobian(self, x):
        n, d = x.shape
        J = np.broadcast_to(np.eye(d), (n, d, d)).copy()
        J[:, self.i, self.j] = self.c * _sech2(x[:, self.j])
        return J

    def inverse(self, y):
        x = y.copy()
        x[:, self.i] -= self.c * np.tanh(y[:, self.j])
        return x


class _TriangularShear:
    """``y = x + B tanh(x)`` with B strictly lower-triangular in the order ``order`` (``B[i, j]
    ≠ 0`` only when j comes before i), so the inverse is exact by substitution along the order.

    The Jacobian ``I + B diag(sech² x)`` is unit triangular; with ``Σ_j |B[i, j]| ≤ δ < 1`` it is
    strictly row diagonally dominant, so ``‖J‖_∞ ≤ 1 + δ`` and ``‖J⁻¹‖_∞ ≤ 1 / (1 - δ)``.
    """

    def __init__(self, B, order):
        self.B = np.asarray(B, dtype=float)
        self.order = np.asarray(order)

    def forward(self, x):
        return x + np.tanh(x) @ self.B.T

    def jacobian(self, x):
        n, d = x.shape
        return np.eye(d)[None] + self.B[None] * _sech2(x)[:, None, :]

    def inverse(self, y):
        x = y.copy()
        for i in self.order:  # the parents of i (earlier in the order) are already final
            cols = np.flatnonzero(self.B[i])
            if cols.size:
                x[:, i] = y[:, i] - np.tanh(x[:, cols]) @ self.B[i, cols]
        return x


class _Linear:
    """``y = M x`` for an invertible matrix M (full numerical rank, judged relative to its
    largest singular value: a determinant threshold would reject ``1e-5 I``)."""

    def __init__(self, M):
        self.M = np.asarray(M, dtype=float)
        if self.M.ndim != 2 or self.M.shape[0] != self.M.shape[1] or \
                not np.all(np.isfinite(self.M)):
            raise MapError(f"a linear map needs a finite square matrix, got shape {self.M.shape}")
        if np.linalg.matrix_rank(self.M) < self.M.shape[0]:
            raise MapError("the linear map is not invertible")

    def forward(self, x):
        return x @ self.M.T

    def jacobian(self, x):
        return np.broadcast_to(self.M, (x.shape[0],) + self.M.shape).copy()

    def inverse(self, y):
        return np.linalg.solve(self.M, y.T).T


def linear_map(M, violation=None) -> "DiffeoMap":
    """The linear diffeomorphism ``z = M ẑ`` as a :class:`DiffeoMap`.

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.numeric.maps import linear_map
    >>> v = linear_map([[1.0, 2.0], [0.0, 1.0]])
    >>> v(np.array([[1.0, 1.0]])).tolist(), v.inverse(np.array([[3.0, 1.0]])).tolist()
    ([[3.0, 1.0]], [[1.0, 1.0]])
    """
    layer = _Linear(M)
    return DiffeoMap(layer.M.shape[0], [layer], layer.M != 0, violation=violation)


class DiffeoMap:
    """A diffeomorphism of R^d built from layers, with ``forward``, ``inverse`` and ``jacobian``.

    Attributes
    ----------
    d : int
    support : numpy.ndarray of bool (d, d)
        The entries its Jacobian may have nonzero (by construction).
    violation : tuple of int or None
        For a violating map, the pair (i, j) outside the pattern.
    norm_bounds : tuple of float or None
        Upper bounds on ``‖Dv(x)‖_∞`` and ``‖Dv(x)⁻¹‖_∞`` valid at every x (sampled maps), or
        None when unknown.
    """

    def __init__(self, d, layers, support, violation=None, norm_bounds=None):
        self.d = d
        self.layers = list(layers)
        self.support = support
        self.violation = violation
        self.norm_bounds = norm_bounds

    def forward(self, x) -> np.ndarray:
        """``v(x)`` row by row; x is (n, d). O(n d · layers)."""
        x = _as_batch(x, self.d)
        for layer in self.layers:
            x = layer.forward(x)
        return x

    __call__ = forward

    def inverse(self, y) -> np.ndarray:
        """``v⁻¹(y)``: shears exactly (by substitution), element-wise layers by safeguarded
        Newton (to 1e-12)."""
        y = _as_batch(y, self.d, "y")
        for layer in reversed(self.layers):
            y = layer.inverse(y)
        return y

    def jacobian(self, x) -> np.ndarray:
        """``Dv(x)``, shape (n, d, d), by the chain rule over the layers. O(n d³ · layers)."""
        x = _as_batch(x, self.d)
        J = np.broadcast_to(np.eye(self.d), (x.shape[0], self.d, self.d)).copy()
        for layer in self.layers:
            J = layer.jacobian(x) @ J
            x = layer.forward(x)
        return J

    def __repr__(self):
        kind = "violating" if self.violation is not None else "preserving"
        return f"<DiffeoMap ({kind}) on R^{self.d} with {len(self.layers)} layers>"


def _elementwise_bounds(layers: int):
    """Bounds on ``‖J‖_∞`` and ``‖J⁻¹‖_∞`` of ``layers`` element-wise layers composed."""
    return (_ALPHA[1] * (1 + _RHO)) ** layers, (1 / (_ALPHA[0] * (1 - _RHO))) ** layers


@keyword_only("seed", "strength")
def sample_preserving_map(g: LatentGraph, regularize: str | None = None, *, seed=0,
                          strength: float = _DELTA) -> DiffeoMap:
    """A random diffeomorphism with controlled conditioning whose Jacobian is supported on the
    pattern C everywhere (generically on all of C).

    ``v = e₃ ∘ S₂ ∘ e₂ ∘ S₁ ∘ e₁``: element-wise bijections ``e_k`` with derivatives in
    ``[α (1 - ½), α (1 + ½)]``, α ∈ [0.75, 1.25], and two shear layers ``S(x) = x + B tanh(x)``.
    Every allowed pair ``C[i, j] = 1`` (i ≠ j) gets a random weight in one of the two layers: S₁
    holds the pairs with j before i in a random order of the latents, S₂ those with j after i,
    so each layer is triangular (exact inverse by substitution) and their product reaches every
    pair of C, which is reflexive and transitive (Props 4-5). Each row of ``|B|`` sums to at
    most ``strength`` < 1, so each shear's Jacobian is diagonally dominant.

    Conditioning, at every point and whatever d: ``‖Dv‖_∞ ≤ (1.25 · 1.5)³ (1 + δ)²`` and
    ``‖Dv⁻¹‖_∞ ≤ (0.75 · 0.5)⁻³ (1 - δ)⁻²`` (δ = ``strength``; 14.8 and 76 for δ = ½), stored
    as ``norm_bounds``. A fixed number of layers keeps these bounds independent of d, so no
    derivative of the map is vanishingly small next to the others.

    Parameters
    ----------
    g : LatentGraph
    regularize : str, optional
        Which graphs define C (default: all the model has).
    seed : int, numpy.random.Generator or None, keyword-only
        Default 0: deterministic by default (it used to be None, fresh entropy, which
        ``seed=None`` still gives); positional use is deprecated.
    strength : float in (0, 1)
        The largest row sum δ of the shear weights.

    Returns
    -------
    DiffeoMap
        ``support`` is C.

    Raises
    ------
    MapError
        For ``strength`` outside (0, 1).

    Examples
    --------
    >>> import numpy as np, identkit as ik
    >>> from identkit.numeric import sample_preserving_map
    >>> g = ik.examples.get("ex8").graph
    >>> v = sample_preserving_map(g, seed=0)
    >>> z = np.random.default_rng(1).standard_normal((5, 3))
    >>> bool(np.allclose(v.inverse(v(z)), z))
    True
    >>> all(ik.is_graph_preserving(g, J) for J in v.jacobian(z))
    True
    >>> (np.abs(v.jacobian(z)).max(axis=0) > 0).astype(int).tolist()
    [[1, 0, 0], [0, 1, 1], [0, 1, 1]]
    """
    if not (isinstance(strength, (int, float)) and 0 < strength < 1):
        raise MapError(f"strength must be in (0, 1), got {strength!r}")
    C = entanglement_graph(g, regularize)
    d = g.n_latents
    rng = as_generator(seed)
    off = C & ~np.eye(d, dtype=bool)
    order = rng.permutation(d)
    rank = np.empty(d, dtype=int)
    rank[order] = np.arange(d)
    W = rng.uniform(0.5, 1.0, (d, d)) * rng.choice([-1.0, 1.0], (d, d)) * off
    rows = np.abs(W).sum(axis=1, keepdims=True)
    W = W * (strength / np.maximum(rows, strength))  # row sums of |W| at most δ
    before = rank[None, :] < rank[:, None]           # j comes before i
    layers = [_Elementwise(rng, d)]
    if off.any():
        layers += [_TriangularShear(W * before, order), _Elementwise(rng, d),
                   _TriangularShear(W * ~before, order[::-1]), _Elementwise(rng, d)]
        e_up, e_inv = _elementwise_bounds(3)
        bounds = (e_up * (1 + strength) ** 2, e_inv / (1 - strength) ** 2)
    else:
        bounds = _elementwise_bounds(1)
    return DiffeoMap(d, layers, C, norm_bounds=bounds)


@keyword_only("seed", "pair")
def sample_violating_map(g: LatentGraph, regularize: str | None = None, *, seed=0,
                         pair=None) -> DiffeoMap:
    """A random diffeomorphism with exactly one dependency outside the pattern C.

    ``v = e₂ ∘ shear(i, j) ∘ e₁`` with element-wise bijections e as in
    :func:`sample_preserving_map` and ``C[i, j] = 0``, so ``Dv`` is diagonal plus the single
    entry (i, j). The shear ``z_i ← z_i + c tanh(z_j)`` has ``|c| ∈ [½, 1]``, so
    ``‖Dv‖_∞ ≤ (1.25 · 1.5)² · 2`` and ``‖Dv⁻¹‖_∞ ≤ (0.75 · 0.5)⁻² · 2`` (``norm_bounds``).
    ``seed`` and ``pair`` are keyword-only; the seed defaults to 0, so the map is deterministic by
    default (it used to be None, fresh entropy, which ``seed=None`` still gives).

    Raises
    ------
    MapError
        When C has no zero entry (every map is graph-preserving), or ``pair`` is inside C.

    Examples
    --------
    >>> import numpy as np, identkit as ik
    >>> from identkit.numeric import sample_violating_map
    >>> g = ik.examples.get("ex8").graph
    >>> v = sample_violating_map(g, seed=0)
    >>> J = v.jacobian(np.zeros((1, 3)))[0]
    >>> ik.is_graph_preserving(g, J), int((J != 0).sum() - 3)
    (False, 1)
    """
    C = entanglement_graph(g, regularize)
    d = g.n_latents
    rng = as_generator(seed)
    outside = np.argwhere(~C)
    if len(outside) == 0:
        raise MapError("the pattern C is all ones: every map is graph-preserving for this model")
    if pair is None:
        i, j = outside[rng.integers(len(outside))]
    else:
        i, j = pair
        if C[i, j]:
            raise MapError(f"the pair ({i}, {j}) is inside the pattern C")
    support = np.eye(d, dtype=bool)
    support[i, j] = True
    layers = [_Elementwise(rng, d), _Shear(i, j, rng.uniform(0.5, 1.0) * rng.choice([-1, 1])),
              _Elementwise(rng, d)]
    e_up, e_inv = _elementwise_bounds(2)
    return DiffeoMap(d, layers, support, violation=(int(i), int(j)),
                     norm_bounds=(e_up * 2.0, e_inv * 2.0))


# ------------------------------------------------------------------------------------ mixing


class Mixing:
    """An injective mixing function ``f: R^d → R^{d_x}`` (d_x ≥ d) with exact inverse on its image.

    ``f(z) = E h_L``, ``h_k = act(Q_k h_{k-1})``, ``h_0 = z``, with orthogonal ``Q_k`` and an
    embedding E with orthonormal columns. Activations: ``"leaky_relu"`` (slope 0.2, the paper's
    choice), ``"smooth"`` (``u + ½ tanh u``) or ``"linear"``. ``seed`` (the weights) and ``slope``
    are keyword-only; the seed defaults to 0, so the function is deterministic by default (it
    used to be None, fresh entropy).

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.numeric import Mixing
    >>> f = Mixing(3, 6, layers=3, seed=0)
    >>> z = np.random.default_rng(0).standard_normal((4, 3))
    >>> float(np.abs(f.inverse(f(z)) - z).max()) < 1e-10
    True
    """

    @keyword_only("seed", "slope")
    def __init__(self, d: int, d_x: int | None = None, layers: int = 3,
                 activation: str = "leaky_relu", *, seed=0, slope: float = 0.2):
        d_x = 2 * d if d_x is None else d_x
        if not (isinstance(d, (int, np.integer)) and d >= 1):
            raise MapError(f"d must be a positive integer, got {d!r}")
        if not (isinstance(d_x, (int, np.integer)) and d_x >= d):
            raise MapError(f"d_x must be an integer >= d = {d}, got {d_x!r}")
        if activation not in ("leaky_relu", "smooth", "linear"):
            raise MapError(f"unknown activation {activation!r}; use leaky_relu, smooth or linear")
        if not 0 < slope < 1:
            raise MapError(f"slope must be in (0, 1), got {slope!r}")
        rng = as_generator(seed)
        self.d, self.d_x, self.activation, self.slope = int(d), int(d_x), activation, slope
        self.Q = [np.linalg.qr(rng.standard_normal((d, d)))[0] for _ in range(layers)]
        self.E = np.linalg.qr(rng.standard_normal((d_x, d)))[0]

    def _act(self, u):
        if self.activation == "leaky_relu":
            return np.where(u > 0, u, self.slope * u)
        if self.activation == "smooth":
            return u + 0.5 * np.tanh(u)
        return u

    def _dact(self, u):
        if self.activation == "leaky_relu":
            return np.where(u > 0, 1.0, self.slope)
        if self.activation == "smooth":
            return 1.0 + 0.5 / np.cosh(u) ** 2
        return np.ones_like(u)

    def _iact(self, y):
        if self.activation == "leaky_relu":
            return np.where(y > 0, y, y / self.slope)
        if self.activation == "smooth":
            u = y / 1.25
            for _ in range(100):
                step = (self._act(u) - y) / self._dact(u)
                u -= step
                if np.max(np.abs(step), initial=0.0) < 1e-15 * (1 + np.abs(u).max(initial=0)):
                    break
            return u
        return y

    def forward(self, z) -> np.ndarray:
        """``f(z)``, shape (n, d_x). O(n d² layers + n d d_x)."""
        h = _as_batch(z, self.d, "z")
        for Q in self.Q:
            h = self._act(h @ Q.T)
        return h @ self.E.T

    __call__ = forward

    def inverse(self, x) -> np.ndarray:
        """``f⁻¹(x)`` for x on the image (the component off the image is discarded)."""
        x = _as_batch(x, self.d_x, "x")
        h = x @ self.E
        for Q in reversed(self.Q):
            h = self._iact(h) @ Q
        return h

    def jacobian(self, z) -> np.ndarray:
        """``Df(z)``, shape (n, d_x, d)."""
        h = _as_batch(z, self.d, "z")
        J = np.broadcast_to(np.eye(self.d), (h.shape[0], self.d, self.d)).copy()
        for Q in self.Q:
            u = h @ Q.T
            J = self._dact(u)[:, :, None] * (Q[None] @ J)
            h = self._act(u)
        return self.E[None] @ J


@keyword_only("seed")
def make_mixing(d: int, d_x: int | None = None, kind: str = "leaky_relu", *, seed=0) -> Mixing:
    """A :class:`Mixing` by name (``leaky_relu``, ``smooth``, ``linear``).

    ``seed`` is keyword-only, default 0: deterministic by default (it used to be None).

    Examples
    --------
    >>> from identkit.numeric import make_mixing
    >>> f = make_mixing(3, 5, "smooth", seed=0)
    >>> f.d, f.d_x, f.activation
    (3, 5, 'smooth')
    """
    return Mixing(d, d_x, activation=kind, seed=seed)


class Composed:
    """The decoder ``f ∘ v``: a mixing function applied after a map (``forward``, ``inverse``,
    ``jacobian``), e.g. a learned decoder ``f̂ = f ∘ v`` whose entanglement map is v."""

    def __init__(self, f: Mixing, v: DiffeoMap):
        if f.d != v.d:
            raise MapError(f"cannot compose a map on R^{v.d} with a mixing of R^{f.d}")
        self.f, self.v, self.d, self.d_x = f, v, v.d, f.d_x

    def forward(self, z):
        return self.f(self.v(z))

    __call__ = forward

    def inverse(self, x):
        return self.v.inverse(self.f.inverse(x))

    def jacobian(self, z):
        return self.f.jacobian(self.v(z)) @ self.v.jacobian(z)
