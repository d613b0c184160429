"""A 0/1 matrix in canonical compressed-row form, with numpy only.

:class:`~identkit.LatentGraph` stores its graphs as :class:`BoolCSR` so that reading and
analysing a small graph never imports scipy (whose import costs more CPU than everything else
``identkit check`` does). The attributes ``indptr``, ``indices`` and ``shape`` have the meaning
they have in ``scipy.sparse.csr_array``; :meth:`BoolCSR.to_scipy` gives that array when a
caller wants one (``LatentGraph.Gz_sparse``); ``LatentGraph.Gz_csr`` gives the stored one.

Canonical means: row ``i`` holds the sorted, distinct column indices
``indices[indptr[i]:indptr[i + 1]]``; every stored entry is 1.
"""

from __future__ import annotations

import numpy as np

__all__ = ["BoolCSR", "is_scipy_sparse"]


def is_scipy_sparse(value) -> bool:
    """Whether ``value`` is a scipy sparse matrix or array, decided without importing scipy.

    Examples
    --------
    >>> import numpy as np
    >>> from identkit._csr import is_scipy_sparse
    >>> is_scipy_sparse(np.eye(2)), is_scipy_sparse([[1]])
    (False, False)
    """
    module = type(value).__module__ or ""
    return module.startswith("scipy.sparse") and hasattr(value, "tocoo")


class BoolCSR:
    """An immutable boolean sparse matrix in canonical CSR form (numpy only).

    Parameters
    ----------
    indptr : array of int, shape (n_rows + 1,)
    indices : array of int, shape (nnz,)
        Sorted and distinct within each row (use :meth:`from_coo` for arbitrary pairs).
    shape : (int, int)

    Examples
    --------
    >>> from identkit._csr import BoolCSR
    >>> m = BoolCSR.from_coo([1, 0, 1], [0, 1, 0], (2, 2))
    >>> m.toarray().astype(int).tolist(), m.nnz
    ([[0, 1], [1, 0]], 2)
    >>> m.T.toarray().astype(int).tolist()
    [[0, 1], [1, 0]]
    """

    __slots__ = ("indptr", "indices", "shape")
    ndim = 2
    dtype = np.dtype(bool)

    def __init__(self, indptr, indices, shape):
        indptr = np.asarray(indptr, dtype=np.int64)
        indices = np.asarray(indices, dtype=np.int64)
        indptr.setflags(write=False)
        indices.setflags(write=False)
        object.__setattr__(self, "indptr", indptr)
        object.__setattr__(self, "indices", indices)
        object.__setattr__(self, "shape", (int(shape[0]), int(shape[1])))

    def __setattr__(self, name, value):
        raise AttributeError("BoolCSR is immutable")

    # -------------------------------------------------------------------- construction

    @classmethod
    def from_coo(cls, rows, cols, shape) -> "BoolCSR":
        """From row and column indices (duplicates merged). O(nnz log nnz)."""
        n_rows, n_cols = int(shape[0]), int(shape[1])
        rows = np.asarray(rows, dtype=np.int64).ravel()
        cols = np.asarray(cols, dtype=np.int64).ravel()
        if rows.size:
            keys = np.unique(rows * max(n_cols, 1) + cols)
            rows, cols = keys // max(n_cols, 1), keys % max(n_cols, 1)
        indptr = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
        return cls(indptr, cols, (n_rows, n_cols))

    @classmethod
    def from_dense(cls, mask: np.ndarray) -> "BoolCSR":
        """From a dense boolean matrix. O(entries)."""
        rows, cols = np.nonzero(mask)  # row-major order: already canonical
        indptr = np.zeros(mask.shape[0] + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=mask.shape[0]), out=indptr[1:])
        return cls(indptr, cols, mask.shape)

    # ---------------------------------------------------------------------------- views

    @property
    def nnz(self) -> int:
        """The number of stored (nonzero) entries."""
        return int(self.indices.size)

    @property
    def data(self) -> np.ndarray:
        """The stored values (all True), as in scipy."""
        return np.ones(self.indices.size, dtype=bool)

    def sort_indices(self) -> None:
        """Nothing to do: a BoolCSR is always canonical (kept for scipy's duck type)."""

    def row_indices(self) -> np.ndarray:
        """The row of each stored entry, in storage order. O(nnz)."""
        return np.repeat(np.arange(self.shape[0], dtype=np.int64), np.diff(self.indptr))

    def nonzero(self) -> tuple[np.ndarray, np.ndarray]:
        """``(rows, cols)`` of the entries, sorted by row then column."""
        return self.row_indices(), self.indices.copy()

    def diagonal(self) -> np.ndarray:
        """The main diagonal (boolean), as in scipy. O(nnz)."""
        rows = self.row_indices()
        out = np.zeros(min(self.shape), dtype=bool)
        out[rows[rows == self.indices]] = True
        return out

    def toarray(self) -> np.ndarray:
        """The dense boolean matrix. O(n_rows * n_cols) memory."""
        out = np.zeros(self.shape, dtype=bool)
        out[self.row_indices(), self.indices] = True
        return out

    @property
    def T(self) -> "BoolCSR":
        """The transpose, canonical. O(nnz log nnz)."""
        rows, cols = self.row_indices(), self.indices
        order = np.lexsort((rows, cols))
        indptr = np.zeros(self.shape[1] + 1, dtype=np.int64)
        np.cumsum(np.bincount(cols, minlength=self.shape[1]), out=indptr[1:])
        return BoolCSR(indptr, rows[order], (self.shape[1], self.shape[0]))

    def take(self, row_order, col_order=None) -> "BoolCSR":
        """``M[row_order][:, col_order]`` for permutations (or selections of rows)."""
        row_order = np.asarray(row_order, dtype=np.int64)
        lens = np.diff(self.indptr)[row_order]
        starts = self.indptr[:-1][row_order]
        pos = np.arange(int(lens.sum()), dtype=np.int64) - np.repeat(np.cumsum(lens) - lens, lens) \
            + np.repeat(starts, lens)
        rows = np.repeat(np.arange(row_order.size, dtype=np.int64), lens)
        cols = self.indices[pos]
        n_cols = self.shape[1]
        if col_order is not None:
            where = np.empty(n_cols, dtype=np.int64)
            where[np.asarray(col_order, dtype=np.int64)] = np.arange(n_cols)
            cols = where[cols]
        return BoolCSR.from_coo(rows, cols, (row_order.size, n_cols))

    def hstack(self, other: "BoolCSR") -> "BoolCSR":
        """``[self | other]`` (the same number of rows). O(nnz log nnz)."""
        r1, r2 = self.row_indices(), other.row_indices()
        return BoolCSR.from_coo(np.concatenate([r1, r2]),
                                np.concatenate([self.indices, other.indices + self.shape[1]]),
                                (self.shape[0], self.shape[1] + other.shape[1]))

    def first_difference(self, other: "BoolCSR"):
        """``None`` when equal, else ``(i, j, self[i, j], other[i, j])`` of the first entry (in
        row-major order) where they differ. Same shape required. O(nnz log nnz)."""
        if self.nnz == other.nnz and np.array_equal(self.indptr, other.indptr) \
                and np.array_equal(self.indices, other.indices):
            return None
        n = max(self.shape[1], 1)
        k1 = self.row_indices() * n + self.indices
        k2 = other.row_indices() * n + other.indices
        diff = np.setxor1d(k1, k2)
        k = int(diff[0])
        in1 = bool(np.isin(k, k1))
        return k // n, k % n, int(in1), int(not in1)

    def to_scipy(self):
        """The same matrix as a boolean ``scipy.sparse.csr_array`` (imports scipy)."""
        import scipy.sparse as sp

        return sp.csr_array((self.data, self.indices.copy(), self.indptr.copy()), shape=self.shape)

    def __repr__(self):
        return f"<BoolCSR {self.shape[0]}x{self.shape[1]}, {self.nnz} entries>"
