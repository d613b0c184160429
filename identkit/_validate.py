"""Input validation shared by the core (internal): 0/1 matrices, names and permutations.

:class:`~identkit.LatentGraph` validates what it is given here, and the modules that read files
(:mod:`identkit.io`) or permute latents (:mod:`identkit.symmetry`) use the same rules, so a bad
entry, name or permutation gets the same message wherever it comes from. Every function raises
:class:`~identkit.GraphError` naming the argument and the entry at fault; nothing is coerced.
"""

from __future__ import annotations

import numbers
import re

import numpy as np

from ._csr import BoolCSR, is_scipy_sparse
from .errors import GraphError

__all__ = ["as_bool_csr", "rows_to_csr", "csr_from_dense", "first_seen", "first_duplicate",
           "check_names", "check_printable", "check_perm", "BARE_NAME", "BARE", "CONTROL",
           "MAX_NAME_LENGTH"]


def bad_entry_message(arg, row, col, value):
    """The message for an entry that is not 0/1/True/False."""
    return (
        f"{arg}[{row}, {col}] is {value!r}; entries must be 0/1 or True/False "
        "(nothing is coerced)"
    )


def ragged_row(value, arg):
    """Name the first row of a nested list whose length differs from row 0."""
    try:
        rows = list(value)
        lengths = [len(r) for r in rows]
    except TypeError:
        return f"{arg} must be a 2-D array of 0/1 entries (a list of rows)"
    for k, n in enumerate(lengths):
        if n != lengths[0]:
            return (
                f"{arg} is ragged: row {k} has {n} entries but row 0 has {lengths[0]}"
            )
    return f"{arg} must be a 2-D array of 0/1 entries"


def as_bool_csr(value, arg: str) -> BoolCSR:
    """Validate a 0/1 matrix (nested lists, numpy array or scipy sparse) and return canonical CSR.

    Complexity: O(number of entries) for dense input, O(nnz) for sparse input. scipy is
    imported only when the input is a scipy sparse matrix.
    """
    if isinstance(value, BoolCSR):
        return value
    if is_scipy_sparse(value):
        import scipy.sparse as sp

        coo = sp.coo_array(value)
        if coo.ndim != 2:
            raise GraphError(f"{arg} must be 2-D, got {coo.ndim}-D")
        data = np.asarray(coo.data)
        if data.dtype != bool:
            if not np.issubdtype(data.dtype, np.number):
                raise GraphError(f"{arg} has non-numeric entries of type {data.dtype}")
            bad = ~((data == 0) | (data == 1))
            if bad.any():
                k = int(np.flatnonzero(bad)[0])
                raise GraphError(
                    bad_entry_message(arg, int(coo.row[k]), int(coo.col[k]), data[k].item())
                )
        keep = data.astype(bool)
        return BoolCSR.from_coo(coo.row[keep], coo.col[keep], coo.shape)
    if (isinstance(value, (list, tuple)) and value
            and all(isinstance(r, (list, tuple)) for r in value)):
        return rows_to_csr(value, arg)
    try:
        arr = np.asarray(value)
    except ValueError:
        raise GraphError(ragged_row(value, arg)) from None
    if arr.dtype == object:
        # ragged rows (numpy < 2 builds object arrays) or mixed objects
        if arr.ndim == 1 and any(isinstance(r, (list, tuple, np.ndarray)) for r in arr):
            raise GraphError(ragged_row(value, arg))
        if arr.ndim == 2:
            for (r, c), v in np.ndenumerate(arr):
                if isinstance(v, (bool, np.bool_)) or (
                    isinstance(v, numbers.Number) and not isinstance(v, complex) and v in (0, 1)
                ):
                    continue
                raise GraphError(bad_entry_message(arg, r, c, v))
            arr = arr.astype(float)
    if arr.ndim != 2:
        raise GraphError(f"{arg} must be a 2-D array (rows are children), got shape {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise GraphError(f"{arg} is empty (shape {arr.shape}); pass None to leave a graph out")
    if arr.dtype == bool:
        mask = arr
    elif np.issubdtype(arr.dtype, np.number) and not np.issubdtype(arr.dtype, np.complexfloating):
        bad = ~((arr == 0) | (arr == 1))  # NaN compares unequal to both
        if bad.any():
            r, c = (int(x) for x in np.argwhere(bad)[0])
            raise GraphError(bad_entry_message(arg, r, c, arr[r, c].item()))
        mask = arr == 1
    else:
        r, c = 0, 0
        raise GraphError(bad_entry_message(arg, r, c, arr[r, c].item()))
    return csr_from_dense(mask)


def rows_to_csr(rows, arg: str) -> BoolCSR:
    """Validate nested lists row by row (memory: one boolean matrix plus one row at a time)."""
    n = len(rows[0])
    if n == 0:
        raise GraphError(f"{arg} is empty (row 0 has no entries); pass None to leave a graph out")
    mask = np.zeros((len(rows), n), dtype=bool)
    for k, row in enumerate(rows):
        if len(row) != n:
            raise GraphError(f"{arg} is ragged: row {k} has {len(row)} entries but row 0 has {n}")
        try:
            a = np.asarray(row)
        except ValueError:
            raise GraphError(f"{arg} row {k} is not a flat list of 0/1 entries") from None
        if a.dtype == bool:
            mask[k] = a
            continue
        if a.ndim != 1:
            raise GraphError(f"{arg} row {k} is not a flat list of 0/1 entries")
        if np.issubdtype(a.dtype, np.number) and not np.issubdtype(a.dtype, np.complexfloating):
            bad = ~((a == 0) | (a == 1))
            if bad.any():
                c = int(np.flatnonzero(bad)[0])
                raise GraphError(bad_entry_message(arg, k, c, a[c].item()))
            mask[k] = a == 1
            continue
        for c, v in enumerate(row):
            if not (isinstance(v, (bool, np.bool_)) or (
                    isinstance(v, numbers.Real) and v in (0, 1))):
                raise GraphError(bad_entry_message(arg, k, c, v))
        mask[k] = [bool(v) for v in row]
    return csr_from_dense(mask)


def csr_from_dense(mask: np.ndarray) -> BoolCSR:
    """Canonical boolean CSR of a dense boolean matrix."""
    return BoolCSR.from_dense(mask)


def first_seen(names) -> list:
    """The distinct names in order of first appearance."""
    return list(dict.fromkeys(names))


def check_names(names, n: int, prefix: str, arg: str) -> tuple[str, ...]:
    """``n`` names: the given ones checked (strings, non-empty, distinct), or ``prefix1..n``
    when ``names`` is None or the count ``n`` itself."""
    if names is None:
        return tuple(f"{prefix}{k + 1}" for k in range(n))
    if isinstance(names, numbers.Integral) and not isinstance(names, bool):
        if int(names) != n:
            raise GraphError(f"{arg}={names} but the graph has {n} of them")
        return tuple(f"{prefix}{k + 1}" for k in range(n))
    if isinstance(names, str):
        raise GraphError(f"{arg} must be a list of names, not the string {names!r}")
    names = tuple(names)
    if len(names) != n:
        raise GraphError(f"{arg} has {len(names)} names but the graph has {n} {arg}")
    seen = {}
    for k, nm in enumerate(names):
        if not isinstance(nm, str) or not nm.strip():
            raise GraphError(f"{arg}[{k}] is {nm!r}; names must be non-empty strings")
        check_length(nm, f"{arg}[{k}]")
        check_printable(nm, f"{arg}[{k}]")
        if nm in seen:
            raise GraphError(f"{arg} has the duplicate name {nm!r} (positions {seen[nm]} and {k})")
        seen[nm] = k
    return names


# The longest name a model may hold, in characters. A name is a label printed in every report
# line that mentions its latent; a longer one multiplies the memory of every report.
MAX_NAME_LENGTH = 1_000


def check_length(name: str, arg: str) -> None:
    """Refuse a name longer than :data:`MAX_NAME_LENGTH` characters, quoting only its start.

    Examples
    --------
    >>> from identkit._validate import check_length
    >>> check_length("z" * 1000, "latents[0]")
    >>> check_length("z" * 1001, "latents[0]")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    identkit.errors.GraphError: latents[0] 'zzzz...' has 1001 characters; a name has at most 1000 characters
    """
    if len(name) > MAX_NAME_LENGTH:
        raise GraphError(f"{arg} {name[:20] + '...'!r} has {len(name)} characters; a name has at "
                         f"most {MAX_NAME_LENGTH} characters")


# C0 and C1 control characters and DEL (Unicode category Cc: NUL, ESC, BEL, CR, tab, newline...)
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def check_printable(name: str, arg: str) -> None:
    """Refuse a name holding a control character (NUL, ESC, a newline...): such a name would
    act on a terminal where it is printed, or break a one-line message.

    Examples
    --------
    >>> from identkit._validate import check_printable
    >>> check_printable("café au lait", "latents[0]")
    >>> check_printable("red" + chr(27) + "[31m", "latents[1]")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    identkit.errors.GraphError: latents[1] 'red\\x1b[31m' holds the control character U+001B ...
    """
    m = CONTROL.search(name)
    if m:
        shown = name if len(name) <= 40 else name[:40] + "..."
        raise GraphError(f"{arg} {shown!r} holds the control character U+{ord(m.group()):04X} "
                         f"at position {m.start()}; names cannot hold control characters "
                         "(U+0000-001F, U+007F-009F)")


# A bare name: a letter (any script) or _, then letters, digits, _ . ' or - (but not "->").
# (Unrolled, so that matching a long run keeps no per-character state in the regex engine.)
BARE_NAME = r"[^\W\d][\w.']*(?:-(?!>)[\w.']*)*"
BARE = re.compile(BARE_NAME)


def first_duplicate(items):
    """The first item seen a second time, or None. O(n) with one set."""
    seen = set()
    for x in items:
        if x in seen:
            return x
        seen.add(x)
    return None


def check_perm(perm, n) -> np.ndarray:
    """``perm`` as an int64 array after checking it is a permutation of ``0..n-1``."""
    p = np.asarray(perm)
    if p.shape != (n,) or not np.issubdtype(p.dtype, np.integer):
        raise GraphError(f"a permutation of {n} latents must be {n} integers, got {perm!r}")
    if not np.array_equal(np.sort(p), np.arange(n)):
        raise GraphError(f"{list(p.tolist())} is not a permutation of 0..{n - 1}")
    return p.astype(np.int64)
