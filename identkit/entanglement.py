"""Entanglement patterns, graph-preserving matrices and the complete-disentanglement criterion.

Conventions (paper Def 11 and Prop 3; the docs' theory page, "Patterns"): for ``G`` in {0,1}^{d x n}, a d x d matrix ``M``
is *G-preserving* iff ``M[i, j] != 0`` implies ``row_i(G) ⊆ row_j(G)``. The set of allowed
entries is the boolean pattern ``[G (1 - G)ᵀ = 0]``. For a :class:`~identkit.LatentGraph` the
combined pattern is

* ``Ca[i, j] = Pa_a(i) ⊆ Pa_a(j)`` when the action graph is regularized,
* ``Cz[i, j] = Pa_z(i) ⊆ Pa_z(j) and Ch_z(i) ⊆ Ch_z(j)`` when the temporal graph is,
* ``C = Ca ∧ Cz``; all ones when nothing is regularized.

Equivalently ``C`` is the preserving pattern of the *feature matrix* ``F = [Ga | Gz | Gzᵀ]``
(the blocks of the regularized graphs side by side), which is how it is computed here:
``C[i, j]`` holds iff ``F_i ⊆ F_j``. For sparse graphs the candidates j of row i are the rows
that contain the rarest column of ``F_i``, each verified by counting ``|F_i ∩ F_j|``; dense graphs
use BLAS products or column filtering. Rows with an empty feature set (a latent with no parents
and no children in the regularized graphs) are all ones.

The criterion of Assumption 5 (Prop 7) is computed separately, from the intersections the paper
writes, as an independent route to the same verdict: ``C = I`` iff every intersection is ``{i}``.
"""

from __future__ import annotations

import numpy as np

from ._compat import graph_first
from ._csr import BoolCSR, is_scipy_sparse
from ._validate import as_bool_csr
from .errors import GraphError, RegularizeError
from .graphs import LatentGraph

__all__ = [
    "resolve_regularize",
    "preserving_pattern",
    "entanglement_graph",
    "entanglement_pairs",
    "twin_classes",
    "is_graph_preserving",
    "criterion_witnesses",
    "satisfies_criterion",
]


def resolve_regularize(g: LatentGraph, regularize: str | None = None) -> str:
    """Return the canonical regularization string (``""``, ``"a"``, ``"z"`` or ``"az"``).

    Parameters
    ----------
    g : LatentGraph
    regularize : str or None
        Letters ``a`` (the learned action graph is sparsity-regularized) and ``z`` (the learned
        temporal graph is), in any order. None means every graph the model has; ``""`` means
        none (then the pattern is all ones).

    Raises
    ------
    RegularizeError
        If a letter is not ``a``/``z``, is repeated, or names a graph the model lacks.

    Examples
    --------
    >>> import identkit as ik
    >>> g = ik.LatentGraph(Gz=[[1]], Ga=[[1]])
    >>> ik.resolve_regularize(g), ik.resolve_regularize(g, "za")
    ('az', 'az')
    """
    if not isinstance(g, LatentGraph):   # every graph function resolves first: one type check
        raise GraphError(f"expected a LatentGraph, got {type(g).__name__} "
                         "(build one with identkit.LatentGraph or read one with identkit.io)")
    if regularize is None:
        return g.graphs
    if not isinstance(regularize, str):
        raise RegularizeError(
            f"regularize must be a string of the letters 'a' and 'z', got {regularize!r}"
        )
    letters = regularize.strip().lower()
    for ch in letters:
        if ch not in "az":
            raise RegularizeError(
                f"regularize={regularize!r}: unknown letter {ch!r}; use 'a' (action graph) "
                "and/or 'z' (temporal graph)"
            )
    if len(set(letters)) != len(letters):
        raise RegularizeError(f"regularize={regularize!r} repeats a letter")
    for ch, name in (("a", "Ga"), ("z", "Gz")):
        if ch in letters and ch not in g.graphs:
            raise RegularizeError(
                f"regularize={regularize!r} names the {'action' if ch == 'a' else 'temporal'} "
                f"graph, but this model has no {name}"
            )
    return "".join(ch for ch in "az" if ch in letters)


def _features(g: LatentGraph, reg: str) -> BoolCSR:
    """The feature matrix ``F = [Ga | Gz | Gzᵀ]`` of the regularized graphs (canonical CSR)."""
    blocks = []
    if "a" in reg:
        blocks.append(g.Ga_csr)
    if "z" in reg:
        blocks.append(g.Gz_csr)
        blocks.append(g.Gz_T_csr)
    d = g.n_latents
    if not blocks:
        return BoolCSR(np.zeros(d + 1, dtype=np.int64), np.zeros(0, dtype=np.int64), (d, 0))
    # stack the blocks side by side row by row (all are canonical CSR with sorted indices)
    widths = np.cumsum([0] + [b.shape[1] for b in blocks])
    counts = sum(np.diff(b.indptr) for b in blocks)
    indptr = np.zeros(d + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    rows = np.concatenate([np.repeat(np.arange(d), np.diff(b.indptr)) for b in blocks])
    cols = np.concatenate([b.indices.astype(np.int64) + w for b, w in zip(blocks, widths)])
    # each block is sorted by row and its column offset exceeds the previous block's, so a
    # stable sort by row (a merge of len(blocks) sorted runs) leaves columns sorted in each row
    order = np.argsort(rows, kind="stable")
    return BoolCSR(indptr, cols[order], (d, int(widths[-1])))


def _gemm_subset(Fb: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``out[k, j] = row_{rows[k]}(Fb) ⊆ row_j(Fb)`` by counting intersections with BLAS.

    O(len(rows) d n) flops, O(block d) extra memory.
    """
    d, n = Fb.shape
    dtype = np.float32 if n < 2**24 else np.float64
    FT = np.ascontiguousarray(Fb.T, dtype=dtype)
    deg = Fb.sum(axis=1)
    out = np.zeros((rows.size, d), dtype=bool)
    block = max(1, min(max(rows.size, 1), 2**22 // max(d, 1)))
    for start in range(0, rows.size, block):
        sel = rows[start:start + block]
        counts = Fb[sel].astype(dtype) @ FT
        out[start:start + block] = counts == deg[sel, None].astype(dtype)
    return out


def _dense_subset(Fb: np.ndarray, max_filter: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """The subset relation of the rows of a dense boolean matrix, as sorted pairs (i, j).

    Identical rows are merged first. Each remaining row u intersects the columns of its
    features, rarest first (``row_u ⊆ row_v`` iff v is in every column that row u has); most
    rows of a random graph are settled after a few columns, when only u is left. Rows not
    settled after ``max_filter`` columns are finished by BLAS products (:func:`_gemm_subset`).
    Worst case O(d² n) flops, typical O(d (max_filter d + n)); memory O(d n + output), never a
    d x d matrix.
    """
    uniq, inverse = np.unique(Fb, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    U = uniq.shape[0]
    # order the columns rarest first once, so each row's features come out in that order
    uniq = uniq[:, np.argsort(uniq.sum(axis=0), kind="stable")]
    FT = np.ascontiguousarray(uniq.T)
    found: list[np.ndarray] = [None] * U
    pending = []
    everything = np.arange(U)
    for u in range(U):
        cols = np.flatnonzero(uniq[u])
        if cols.size == 0:
            found[u] = everything
            continue
        cand = FT[cols[0]].copy()
        settled = cols.size == 1
        for k in range(1, min(cols.size, max_filter)):
            cand &= FT[cols[k]]
            if np.count_nonzero(cand) == 1:
                settled = True
                break
        else:
            settled = settled or cols.size <= max_filter
        if settled:
            found[u] = np.flatnonzero(cand)
        else:
            pending.append(u)
    block = max(1, 2**22 // max(U, 1))
    for start in range(0, len(pending), block):
        rows = np.asarray(pending[start:start + block], dtype=np.int64)
        sub = _gemm_subset(uniq, rows)
        for k, u in enumerate(rows.tolist()):
            found[u] = np.flatnonzero(sub[k])
    # expand from distinct rows back to latents
    order = np.argsort(inverse, kind="stable")
    starts = np.searchsorted(inverse[order], np.arange(U + 1))
    members = [order[starts[u]:starts[u + 1]] for u in range(U)]
    out_r, out_c = [], []
    for u in range(U):
        targets = np.concatenate([members[v] for v in found[u].tolist()]) if found[u].size \
            else np.empty(0, np.int64)
        for i in members[u].tolist():
            out_r.append(np.full(targets.size, i, dtype=np.int64))
            out_c.append(targets.astype(np.int64))
    rows = np.concatenate(out_r) if out_r else np.empty(0, np.int64)
    cols = np.concatenate(out_c) if out_c else np.empty(0, np.int64)
    idx = np.lexsort((cols, rows))
    return rows[idx], cols[idx]


def _sparse_subset(F) -> tuple[np.ndarray, np.ndarray]:
    """The subset relation of sparse rows, through each row's rarest column.

    ``row_i ⊆ row_j`` forces j to contain the column of ``row_i`` that the fewest rows have, so
    only those rows are candidates; each candidate pair is then verified by counting
    ``|row_i ∩ row_j|``. Time and memory O(Σ_i |rarest column of row_i| · |row_i|): a column
    shared by every row (a global action, say) costs nothing unless it is a row's only one, where
    ``F Fᵀ`` would pay d² for it. Rows with no entries are subsets of every row.
    """
    import scipy.sparse as sp  # the large-graph route: worth its import time

    d, n = F.shape
    F = (F.to_scipy() if isinstance(F, BoolCSR) else sp.csr_array(F)).astype(np.int32)
    F.sort_indices()
    deg = np.diff(F.indptr)
    nonempty = np.flatnonzero(deg > 0)
    FT = sp.csr_array(F.T)
    FT.sort_indices()
    col_counts = np.diff(FT.indptr).astype(np.int64)
    rows_list, cols_list = [], []
    if nonempty.size:
        keyed = col_counts[F.indices] * n + F.indices
        rarest = np.minimum.reduceat(keyed, F.indptr[nonempty]) % n
        lens = col_counts[rarest]
        total = int(lens.sum())
        begin = np.cumsum(lens) - lens
        pos = np.arange(total) - np.repeat(begin, lens) + np.repeat(FT.indptr[rarest], lens)
        cand_i = np.repeat(nonempty, lens)
        cand_j = FT.indices[pos].astype(np.int64)
        block = 1 << 20
        for start in range(0, total, block):
            ci, cj = cand_i[start:start + block], cand_j[start:start + block]
            inter = np.asarray((F[ci].multiply(F[cj])).sum(axis=1)).ravel()
            keep = inter == deg[ci]
            rows_list.append(ci[keep].astype(np.int64))
            cols_list.append(cj[keep])
    empty = np.flatnonzero(deg == 0)
    if empty.size:
        rows_list.append(np.repeat(empty.astype(np.int64), d))
        cols_list.append(np.tile(np.arange(d, dtype=np.int64), empty.size))
    if not rows_list:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    rows, cols = np.concatenate(rows_list), np.concatenate(cols_list)
    order = np.lexsort((cols, rows))
    return rows[order], cols[order]


def _subset_pairs(F, route: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """All pairs (i, j) with ``row_i(F) ⊆ row_j(F)``, sorted by i then j.

    Three routes to the same relation, chosen by cost unless ``route`` names one: ``"blas"``
    (one dense product, for small matrices), ``"sparse"`` (:func:`_sparse_subset`, memory
    proportional to the candidates and the output) and ``"dense"`` (:func:`_dense_subset`).
    """
    if not isinstance(F, BoolCSR):
        F = as_bool_csr(F, "F")
    d, n = F.shape
    if route is None:
        col_counts = np.bincount(F.indices, minlength=n).astype(np.float64)
        deg = np.diff(F.indptr)
        # candidates of the sparse route: at most Σ_i (rarest column count) ≤ Σ_k |column_k|²
        nz = deg > 0
        rare = (np.minimum.reduceat(col_counts[F.indices], F.indptr[:-1][nz]) if nz.any()
                else np.zeros(0))
        sparse_cost = float(np.sum(rare)) * max(1.0, float(deg.mean()) if d else 1.0)
        dense_cost = float(d) * d * max(n, 1) / 500.0
        if d * max(n, 1) <= 2**16:
            route = "blas"
        elif sparse_cost <= dense_cost or d > 20000:
            route = "sparse"
        else:
            route = "dense"
    if route == "blas":
        Fb = F.toarray().astype(bool)
        rows, cols = np.nonzero(_gemm_subset(Fb, np.arange(d)))
        return rows.astype(np.int64), cols.astype(np.int64)
    if route == "sparse":
        return _sparse_subset(F)
    if route == "dense":
        return _dense_subset(F.toarray().astype(bool))
    raise ValueError(f"unknown route {route!r}")


def _dense(rows, cols, d: int) -> np.ndarray:
    """The d x d boolean matrix with ones at the coordinates ``(rows, cols)``."""
    out = np.zeros((d, d), dtype=bool)
    out[rows, cols] = True
    return out


def preserving_pattern(G) -> np.ndarray:
    """The pattern of G-preserving matrices (Def 11, Prop 3): ``[G (1 - G)ᵀ = 0]``.

    Parameters
    ----------
    G : array_like of 0/1, shape (d, n), or scipy sparse
        Any graph with one row per latent (rows are children).

    Returns
    -------
    numpy.ndarray of bool, shape (d, d)
        ``P[i, j]`` is True iff ``row_i(G) ⊆ row_j(G)``, i.e. iff a G-preserving matrix may have
        a nonzero entry at (i, j).

    Raises
    ------
    GraphError
        If ``G`` is not a non-empty 2-D 0/1 matrix.

    Examples
    --------
    Example 4 of the paper: one action targets the robot ``z2`` only.

    >>> import identkit as ik
    >>> ik.preserving_pattern([[0], [1], [0]]).astype(int).tolist()
    [[1, 1, 1], [0, 1, 0], [1, 1, 1]]

    Notes
    -----
    ``O(Σ_i |rarest column of G_i| · |G_i| + output)`` on sparse input, or O(d² n / block) BLAS work when ``G`` is
    dense; memory O(nnz(G) + output).
    """
    F = as_bool_csr(G, "G")
    d = F.shape[0]
    return _dense(*_subset_pairs(F), d)


def entanglement_pairs(g: LatentGraph, regularize: str | None = None):
    """The nonzero entries of the combined pattern ``C`` as coordinate arrays.

    Returns
    -------
    rows, cols : numpy.ndarray of int64
        ``C[rows[k], cols[k]]`` is True for every k, diagonal included, sorted by row then
        column. True ``z_rows[k]`` may depend on learned ``ẑ_cols[k]`` (up to the relabeling P).

    Examples
    --------
    >>> import identkit as ik
    >>> g = ik.LatentGraph(Gz=[[1, 0, 0], [1, 1, 1], [1, 1, 1]])     # Example 8
    >>> r, c = ik.entanglement_pairs(g)
    >>> [(int(i), int(j)) for i, j in zip(r, c) if i != j]
    [(1, 2), (2, 1)]

    Notes
    -----
    Never builds a dense d x d matrix on the sparse route: time and memory
    ``O(Σ_i |rarest column of F_i| · |F_i| + nnz(C))`` for ``F = [Ga | Gz | Gzᵀ]``.
    """
    reg = resolve_regularize(g, regularize)
    return _subset_pairs(_features(g, reg))


def twin_classes(g: LatentGraph, regularize: str | None = None) -> tuple[tuple[int, ...], ...]:
    """The C-twin classes: latents with the same parents and children in the regularized graphs.

    Two latents are C-twins iff their rows of ``F = [Ga | Gz | Gzᵀ]`` (the regularized graphs)
    are equal, i.e. ``C[i, j] = C[j, i] = 1`` (paper Prop 3): a graph-preserving map may mix
    them freely, and the graph-preserving permutations are exactly the exchanges inside classes.
    Every latent is in one class.

    Returns
    -------
    tuple of tuple of int
        The classes, each sorted, ordered by their first member.

    Examples
    --------
    Example 8 of the paper: the ball and the robot (z2, z3) are twins.

    >>> import identkit as ik
    >>> ik.twin_classes(ik.LatentGraph(Gz=[[1, 0, 0], [1, 1, 1], [1, 1, 1]]))
    ((0,), (1, 2))

    Notes
    -----
    Time and memory ``O(nnz(F) + d)`` (each row of the canonical CSR ``F`` is hashed once).
    """
    reg = resolve_regularize(g, regularize)
    F = _features(g, reg)
    members: dict[bytes, list[int]] = {}
    for i in range(g.n_latents):
        members.setdefault(F.indices[F.indptr[i]: F.indptr[i + 1]].tobytes(), []).append(i)
    return tuple(sorted((tuple(m) for m in members.values()), key=lambda m: m[0]))


def entanglement_graph(g: LatentGraph, regularize: str | None = None) -> np.ndarray:
    """The combined entanglement pattern ``C = Ca ∧ Cz`` (paper Prop 3, Defs 11-15).

    ``C[i, j]`` is True iff a graph-preserving entanglement map may let the true latent ``z_i``
    depend on the (matched) learned latent ``ẑ_j``. Complete disentanglement is guaranteed iff
    ``C`` is the identity.

    Parameters
    ----------
    g : LatentGraph
    regularize : str, optional
        Which learned graphs are sparsity-regularized: letters ``a`` and ``z``. Default: every
        graph the model has. ``""`` gives the all-ones pattern.

    Returns
    -------
    numpy.ndarray of bool, shape (d, d)

    Raises
    ------
    RegularizeError
        If ``regularize`` names a graph the model lacks or a letter other than ``a``/``z``.

    Examples
    --------
    Example 8 of the paper: the robot follows the ball, so they stay entangled.

    >>> import identkit as ik
    >>> g = ik.LatentGraph(Gz=[[1, 0, 0], [1, 1, 1], [1, 1, 1]])
    >>> ik.entanglement_graph(g).astype(int).tolist()
    [[1, 0, 0], [0, 1, 1], [0, 1, 1]]

    Notes
    -----
    Time ``O(Σ_i |rarest column of F_i| · |F_i| + d²)`` on sparse graphs (dense BLAS products when the graphs are
    dense), memory O(d²) for the output.
    """
    return _dense(*entanglement_pairs(g, regularize), g.n_latents)


@graph_first("M", "g", "regularize")
def is_graph_preserving(g: LatentGraph, M, regularize: str | None = None, *, atol: float = 0.0):
    """Whether the support of a d x d matrix lies inside the pattern ``C`` (Def 11, Prop 3).

    Parameters
    ----------
    g : LatentGraph
    M : array_like, shape (d, d), real or boolean, or scipy sparse
        For example the Jacobian of an entanglement map at one point.
    regularize : str, optional
        As in :func:`entanglement_graph`.
    atol : float, default 0
        Entries with ``|M[i, j]| <= atol`` count as zero.

    Returns
    -------
    bool

    Raises
    ------
    GraphError
        If ``g`` is not a LatentGraph, ``M`` is not a real d x d matrix or has non-finite
        entries, or ``atol`` is not a non-negative finite number.

    Examples
    --------
    >>> import identkit as ik
    >>> g = ik.LatentGraph(Ga=[[0], [1], [0]])                  # Example 4
    >>> ik.is_graph_preserving(g, [[2.0, 0.5, 0], [0, 1, 0], [0, 0, 1]])
    True
    >>> ik.is_graph_preserving(g, [[1, 0, 0], [0.3, 1, 0], [0, 0, 1]])   # z2 must not mix
    False

    The graph comes first, as in every function of identkit that takes one. The old order
    ``is_graph_preserving(M, g)`` (a matrix first, a LatentGraph second) still works and warns:

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     ik.is_graph_preserving([[1, 0, 0], [0, 1, 0], [0, 0, 1]], g), w[0].category.__name__
    (True, 'DeprecationWarning')

    Notes
    -----
    O(nnz(M) + nnz(C)) time; never builds a dense pattern.
    """
    if not isinstance(g, LatentGraph):
        raise GraphError(f"is_graph_preserving(g, M) needs a LatentGraph g, got "
                         f"{type(g).__name__}")
    d = g.n_latents
    if isinstance(atol, bool) or not isinstance(atol, (int, float, np.integer, np.floating)) \
            or not 0 <= atol < np.inf:
        raise GraphError(f"atol must be a non-negative finite number, got {atol!r}")
    if np.iscomplexobj(M.data if is_scipy_sparse(M) else M):
        # casting to float would drop the imaginary part (and an off-pattern entry with it)
        raise GraphError("M must be a real matrix, got complex entries")
    if is_scipy_sparse(M):
        import scipy.sparse as sp

        coo = sp.coo_array(M)
        shape, data, r, c = coo.shape, coo.data, coo.row, coo.col
    else:
        try:
            arr = np.asarray(M)
            if arr.dtype == object:
                raise ValueError
            arr = arr.astype(float) if arr.dtype != bool else arr
        except (ValueError, TypeError):
            raise GraphError("M must be a numeric d x d matrix") from None
        shape = arr.shape
        if arr.ndim != 2:
            raise GraphError(f"M must be a d x d matrix, got shape {shape}")
        r, c = np.nonzero(arr)
        data = arr[r, c]
    if tuple(shape) != (d, d):
        raise GraphError(f"M has shape {tuple(shape)} but the model has {d} latents")
    data = np.asarray(data, dtype=float)
    if not np.all(np.isfinite(data)):
        raise GraphError("M has non-finite entries (NaN or inf)")
    keep = np.abs(data) > atol
    r = np.asarray(r)[keep].astype(np.int64)
    c = np.asarray(c)[keep].astype(np.int64)
    off = r != c
    if not off.any():
        return True
    pr, pc = entanglement_pairs(g, regularize)
    allowed = pr * d + pc
    return bool(np.isin(r[off] * d + c[off], allowed).all())


def criterion_witnesses(g: LatentGraph, regularize: str | None = None) -> dict[int, frozenset]:
    """Latents where the graphical criterion (Assumption 5) fails, with the offending intersection.

    For each latent i the paper's criterion intersects

    ``(∩_{j ∈ Ch_z(i)} Pa_z(j)) ∩ (∩_{j ∈ Pa_z(i)} Ch_z(j)) ∩ (∩_{l ∈ Pa_a(i)} Ch_a(l))``

    (an empty intersection is all of [d]; only the regularized graphs take part) and asks that
    the result be ``{i}``. The intersection always contains i; any other member j is a learned
    latent that may stay entangled with ``z_i``.

    Returns
    -------
    dict
        ``{i: intersection}`` for every latent whose intersection is not ``{i}``; empty iff the
        criterion holds.

    Examples
    --------
    >>> import identkit as ik
    >>> g = ik.LatentGraph(Gz=[[1, 0, 0], [1, 1, 1], [1, 1, 1]])     # Example 8
    >>> {i: sorted(s) for i, s in ik.criterion_witnesses(g).items()}
    {1: [1, 2], 2: [1, 2]}

    Notes
    -----
    Computed with Python sets straight from the definition, independently of the matrix route
    of :func:`entanglement_graph`: ``O(Σ_i Σ_constraints |set|)`` time.
    """
    reg = resolve_regularize(g, regularize)
    d = g.n_latents
    adj = g.adjacency
    pa_z, ch_z, pa_a, ch_a = adj["pa_z"], adj["ch_z"], adj["pa_a"], adj["ch_a"]
    out = {}
    for i in range(d):
        constraint_sets = []
        if "z" in reg:
            constraint_sets += [pa_z[j] for j in ch_z[i]]
            constraint_sets += [ch_z[j] for j in pa_z[i]]
        if "a" in reg:
            constraint_sets += [ch_a[l] for l in pa_a[i]]
        if not constraint_sets:
            inter = frozenset(range(d))
        else:
            constraint_sets.sort(key=len)
            inter = set(constraint_sets[0])
            for s in constraint_sets[1:]:
                inter &= s
            inter = frozenset(inter)
        if inter != {i}:
            out[i] = inter
    return out


def satisfies_criterion(g: LatentGraph, regularize: str | None = None) -> bool:
    """Whether the graphical criterion for complete disentanglement holds (Assumption 5, Prop 7).

    Examples
    --------
    >>> import identkit as ik
    >>> ik.satisfies_criterion(ik.LatentGraph(Ga=[[1, 1, 0], [1, 0, 1], [0, 1, 1]]))  # Ex 5
    True
    >>> ik.satisfies_criterion(ik.LatentGraph(Ga=[[0], [1], [0]]))                      # Ex 4
    False

    Notes
    -----
    See :func:`criterion_witnesses`; the verdict is ``not criterion_witnesses(g, regularize)``.
    """
    return not criterion_witnesses(g, regularize)
