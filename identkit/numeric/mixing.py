"""The paper's ground-truth mixing function: a random, injective, bias-free leaky-ReLU network.

Appendix C.1 of the paper: ``x = f(z)`` with three hidden layers of ``h = x_dim`` units, leaky
ReLU of negative slope 0.2 between layers, and no biases; with row vectors (the convention of
every array here)

    x = lrelu(lrelu(lrelu(z W1) W2) W3) W4,     W1: d×h, W2, W3: h×h, W4: h×x_dim.

Each weight matrix starts with i.i.d. N(0, 1) entries, is replaced by the orthonormal factor of
a QR decomposition (so ``W1`` has orthonormal rows and the square ones are orthogonal), and is
rescaled by ``sqrt(2 / (1 + 0.2²)) · sqrt(2 / (fan_in + fan_out))`` (Glorot-style, as the
paper says). Injectivity needs ``d ≤ h = x_dim``: the first layer is then a scaled isometry,
leaky ReLU is a bijection of R, and the later layers are invertible; :meth:`PaperMixing.inverse`
undoes each step exactly.
"""

from __future__ import annotations

import numpy as np

from .._compat import keyword_only
from .._rng import as_generator
from ..errors import DatasetError

__all__ = ["PaperMixing"]

# Rows per matrix product in ``forward``: 512 × 20 × 20 stays under the size at which OpenBLAS
# starts threads (65536 × 4 multiply-adds); on a busy machine those threads cost up to 50 times
# the single-threaded product of these thin matrices.
_BLOCK = 512


class PaperMixing:
    """The mixing network of the paper's synthetic datasets (Appendix C.1).

    Parameters
    ----------
    d : int
        Latent dimension (the paper: 10).
    x_dim : int
        Observation dimension, also the hidden width h (the paper: 20). Must be ``>= d``.
    seed : int, numpy.random.Generator or None, keyword-only
        Default 0: deterministic by default (it used to be None, fresh entropy, which
        ``seed=None`` still gives); positional use is deprecated.
        Draws the four weight matrices, in the order W1, W2, W3, W4.
    slope : float
        Negative slope of the leaky ReLU (the paper: 0.2), in (0, 1).

    Attributes
    ----------
    weights : list of numpy.ndarray
        ``[W1, W2, W3, W4]`` with shapes ``(d, h), (h, h), (h, h), (h, x_dim)``.
    scales : list of float
        The factor each orthonormal matrix was multiplied by.

    Raises
    ------
    DatasetError
        If a dimension is not a positive integer, ``x_dim < d`` (f would not be injective), or
        the slope is outside (0, 1).

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.numeric import PaperMixing
    >>> f = PaperMixing(10, 20, seed=0)
    >>> [w.shape for w in f.weights]
    [(10, 20), (20, 20), (20, 20), (20, 20)]
    >>> z = np.random.default_rng(1).standard_normal((5, 10))
    >>> bool(np.abs(f.inverse(f(z)) - z).max() < 1e-12)
    True

    Notes
    -----
    ``forward`` and ``inverse`` cost O(n h (d + 2h + x_dim)) time and O(n h) memory.
    """

    @keyword_only("seed", "slope")
    def __init__(self, d: int, x_dim: int = 20, *, seed=0, slope: float = 0.2):
        for name, v in (("d", d), ("x_dim", x_dim)):
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
                raise DatasetError(f"{name} must be a positive integer, got {v!r}")
        if x_dim < d:
            raise DatasetError(f"x_dim = {x_dim} < d = {d}: the mixing would not be injective")
        if not (isinstance(slope, (int, float)) and 0 < slope < 1):
            raise DatasetError(f"slope must be in (0, 1), got {slope!r}")
        rng = as_generator(seed)
        self.d, self.x_dim, self.h, self.slope = int(d), int(x_dim), int(x_dim), float(slope)
        gain = np.sqrt(2.0 / (1.0 + self.slope ** 2))
        self.weights, self.scales = [], []
        for fan_in, fan_out in ((self.d, self.h), (self.h, self.h), (self.h, self.h),
                                (self.h, self.x_dim)):
            G = rng.standard_normal((fan_in, fan_out))
            Q = np.linalg.qr(G.T)[0].T            # (fan_in, fan_out), orthonormal rows
            c = float(gain * np.sqrt(2.0 / (fan_in + fan_out)))
            self.weights.append(Q * c)
            self.scales.append(c)

    def __repr__(self):
        return f"<PaperMixing d={self.d}, x_dim={self.x_dim}, slope={self.slope}>"

    def _batch(self, u, width, name):
        u = np.asarray(u, dtype=float)
        if u.ndim != 2 or u.shape[1] != width:
            raise DatasetError(f"{name} must have shape (n, {width}), got {u.shape}")
        return u

    def forward(self, z) -> np.ndarray:
        """``f(z)`` for a batch ``z`` of shape (n, d); returns (n, x_dim)."""
        z = self._batch(z, self.d, "z")
        W1, W2, W3, W4 = self.weights
        out = np.empty((z.shape[0], self.x_dim))
        rows = min(_BLOCK, z.shape[0])
        buf_a, buf_b = np.empty((rows, self.h)), np.empty((rows, self.h))
        for lo in range(0, z.shape[0], _BLOCK):
            hi = min(z.shape[0], lo + _BLOCK)
            a, b = buf_a[:hi - lo], buf_b[:hi - lo]
            np.matmul(z[lo:hi], W1, out=a)
            self._lrelu(a)
            np.matmul(a, W2, out=b)
            self._lrelu(b)
            np.matmul(b, W3, out=a)
            self._lrelu(a)
            np.matmul(a, W4, out=out[lo:hi])
        return out

    def _lrelu(self, h):
        np.maximum(h, self.slope * h, out=h)

    __call__ = forward

    def inverse(self, x) -> np.ndarray:
        """``f⁻¹(x)`` for a batch ``x`` (n, x_dim) on the image of f; returns (n, d).

        Each square layer ``W = c Q`` is undone by ``Wᵀ / c²``, each leaky ReLU by its inverse
        (divide the negative part by the slope), and the first layer by the least-squares
        solution ``u W1ᵀ / c1²`` (exact on the image, since W1 has orthogonal rows of norm c1).
        """
        u = self._batch(x, self.x_dim, "x")
        for W, c in zip(self.weights[:0:-1], self.scales[:0:-1]):
            u = u @ W.T / c ** 2
            u = np.where(u > 0, u, u / self.slope)
        return u @ self.weights[0].T / self.scales[0] ** 2
