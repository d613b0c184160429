"""One call for what ``identkit score`` prints: MCC, R and (given the true graph) Rcon, from
arrays or from files."""

from __future__ import annotations

import io as _io
import math
import os
import zipfile

import numpy as np

from .._compat import keyword_only
from ..errors import GraphFileError
from ..io import MAX_BYTES, MAX_MEMORY, format_bytes, read_bytes
from ..graphs import LatentGraph
from ._common import MetricError, MetricResult
from .paper import mcc, r_score, rcon

__all__ = ["read_array", "score"]


_EXTENSIONS = (".npy", ".npz", ".csv")
_NPY_MAGIC = b"\x93NUMPY"
_LIMIT_HINT = "(raise it with max_memory, or --max-memory on the command line)"


def read_array(path, key: str | None = None, *, max_bytes: int = MAX_BYTES,
               max_memory: int = MAX_MEMORY) -> np.ndarray:
    """Read a 2-D array of samples from ``.npy``, ``.npz`` or ``.csv``, or standard input.

    The file is read once, at most ``max_bytes`` of it (:func:`identkit.io.read_text`'s
    bound), and the memory its array needs is estimated from what it declares before anything
    is allocated: the shape and dtype in an ``.npy`` header (of the one ``.npz`` member taken,
    which is never decompressed when it is too large: a small compressed file may declare a
    huge array), the number of values a ``.csv`` can hold (one per comma or line end).

    Parameters
    ----------
    path : str or os.PathLike
        A regular file, or ``-`` for standard input, whose format is then recognised from its
        first bytes (the ``.npy`` magic, a zip archive for ``.npz``, else ``.csv`` text).
    key : str, optional
        For ``.npz``: the array to take; optional when the file holds one array.
        A ``.csv`` may start with one header line (detected by letters other than exponents).
    max_bytes : int
        Refuse a file (or standard input) longer than this; default
        :data:`identkit.io.MAX_BYTES` (``--max-bytes``).
    max_memory : int
        Refuse an array that would need more memory than this once loaded; default
        :data:`identkit.io.MAX_MEMORY` (``--max-memory``).

    Raises
    ------
    MetricError
        Naming the file: missing, unreadable, not a regular file, over ``max_bytes``, an array
        over ``max_memory`` (with the estimate), an unsupported extension, or an ``.npz`` with
        several arrays and none called ``key``.

    Notes
    -----
    O(file size) time; peak memory the file's bytes plus the array.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from identkit.metrics import read_array
    >>> path = os.path.join(tempfile.mkdtemp(), "z.csv")
    >>> np.savetxt(path, np.eye(2), delimiter=",", header="z1,z2", comments="")
    >>> read_array(path).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    >>> from identkit.metrics import MetricError
    >>> try:
    ...     read_array(path, max_bytes=100)
    ... except MetricError as exc:
    ...     print(str(exc).split(": ", 1)[1].split(" (")[0])
    is 106 bytes, over the size limit of 100 bytes
    """
    try:
        path = os.fsdecode(path)
    except TypeError:
        raise MetricError(f"path: an array file path is a str or os.PathLike, got "
                          f"{type(path).__name__} {path!r}") from None
    source = "<stdin>" if path == "-" else path
    ext = os.path.splitext(path)[1].lower()
    if path != "-" and ext not in _EXTENSIONS and os.path.isfile(path):
        raise MetricError(f"{path}: use .npy, .npz or .csv")
    try:
        data = read_bytes(path, max_bytes)  # refuses a missing file, a pipe, a directory
    except GraphFileError as exc:
        raise MetricError(str(exc)) from None
    if path == "-":
        ext = (".npy" if data.startswith(_NPY_MAGIC) else
               ".npz" if data.startswith((b"PK\x03\x04", b"PK\x05\x06")) else ".csv")
    if not data:
        raise MetricError(f"{source}: empty, no samples")
    try:
        if ext == ".npy":
            return _npy(data, source, max_memory)
        if ext == ".npz":
            return _npz(data, source, key, max_memory)
        return _csv(data, source, max_memory)
    except MetricError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise MetricError(f"{source}: cannot read the array: "
                          f"{(str(exc).splitlines() or [type(exc).__name__])[0]}") from None


def _npy_need(fh):
    """The bytes the array of the ``.npy`` stream ``fh`` declares, read from its header only,
    and its shape. O(header)."""
    from numpy.lib import format as npformat

    version = npformat.read_magic(fh)
    read = npformat.read_array_header_1_0 if version == (1, 0) else \
        npformat.read_array_header_2_0
    shape, _, dtype = read(fh)
    need = math.prod(shape) * max(dtype.itemsize, 1)
    if dtype.hasobject:  # its data is a pickle, never loaded (not a truncated array)
        raise ValueError("it holds Python objects (a pickle, never loaded); save an array of "
                         "numbers, e.g. arr.astype(float)")
    return need, shape


def _npy(data: bytes, source, max_memory):
    from numpy.lib import format as npformat

    fh = _io.BytesIO(data)
    need, shape = _npy_need(fh)
    if need > max_memory:
        raise MetricError(f"{source}: its array of shape {shape} would need about {format_bytes(need)} "
                          f"of memory, over the limit of {format_bytes(max_memory)} {_LIMIT_HINT}")
    held = len(data) - fh.tell()
    if held < need:  # checked before numpy allocates the whole declared array
        raise MetricError(f"{source}: cannot read the array: its header declares shape {shape} "
                          f"({format_bytes(need)}) but the file holds {format_bytes(held)} of data")
    fh.seek(0)
    return npformat.read_array(fh, allow_pickle=False)


def _npz_names(zf) -> dict:
    """``{array name: zip member}`` as :func:`numpy.load` names an ``.npz``'s arrays."""
    return {(n[:-4] if n.endswith(".npy") else n): n for n in zf.namelist()}


def _listing_memory(data: bytes) -> int:
    """An upper estimate of the memory :mod:`zipfile` takes to list an archive's members (a
    ``ZipInfo`` and index entries each, about 600 bytes measured; 1 KiB counted), from its end
    record: at most one member per 46 bytes of central directory. 0 without an end record
    (zipfile names the broken archive). O(1)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return 0
    return int.from_bytes(data[end + 12:end + 16], "little") // 46 * 1024


def _npz(data: bytes, source, key, max_memory):
    from numpy.lib import format as npformat

    listing = _listing_memory(data)
    if listing > max_memory:  # 600,000 empty members in 52 MB took 400 MB to list
        raise MetricError(f"{source}: its central directory lists up to {listing // 1024:,} "
                          f"members, about {format_bytes(listing)} of memory to read, over the "
                          f"limit of {format_bytes(max_memory)} {_LIMIT_HINT}")
    with zipfile.ZipFile(_io.BytesIO(data)) as zf:
        members = _npz_names(zf)
        name = key if key is not None and key in members else (
            next(iter(members)) if len(members) == 1 else None)
        if name is None:
            ask = ("name one with key" if key is None else
                   f"no array is named {key!r}; name one of them")
            raise MetricError(f"{source}: holds {', '.join(members)}; {ask} "
                              "or keep one array")
        info = zf.getinfo(members[name])
        with zf.open(info) as fh:
            # numpy would return a member without an .npy header as its raw bytes, all of them
            if fh.read(len(_NPY_MAGIC)) != _NPY_MAGIC:
                raise MetricError(f"{source}: member {name!r} is not a .npy array")
        with zf.open(info) as fh:
            need, shape = _npy_need(fh)
            if need > max_memory:  # a zip bomb: a small file declaring a huge array
                raise MetricError(f"{source}: member {name!r} of shape {shape} would "
                                  f"decompress to about {format_bytes(need)}, over the memory limit "
                                  f"of {format_bytes(max_memory)} {_LIMIT_HINT}")
            held = info.file_size - fh.tell()
            if held < need:
                raise MetricError(f"{source}: cannot read the array: member {name!r} declares "
                                  f"shape {shape} ({format_bytes(need)}) but holds {format_bytes(held)}")
        with zf.open(info) as fh:
            return npformat.read_array(fh, allow_pickle=False)


def npz_memory(path) -> int:
    """The memory the arrays of an ``.npz`` file need once loaded, estimated from the
    ``.npy`` headers of its members (a member without one counts its uncompressed size),
    without decompressing any array. O(members).

    For readers of other ``.npz`` files (:func:`identkit.learn.load`,
    :func:`identkit.learn.read_dataset`) to check ``max_memory`` before :func:`numpy.load`.

    Raises
    ------
    OSError, ValueError, EOFError, zipfile.BadZipFile
        When the archive or a header cannot be read; the caller names the file.

    Examples
    --------
    >>> import numpy as np, os, tempfile
    >>> from identkit.metrics.scoring import npz_memory
    >>> path = os.path.join(tempfile.mkdtemp(), "a.npz")
    >>> np.savez_compressed(path, a=np.zeros((1000, 1000)), b=np.zeros(3, dtype=np.int8))
    >>> npz_memory(path), os.path.getsize(path) < 100_000
    (8000003, True)
    """
    total = 0
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            with zf.open(info) as fh:
                magic = fh.read(len(_NPY_MAGIC))
            if magic != _NPY_MAGIC:
                total += info.file_size
                continue
            with zf.open(info) as fh:
                total += _npy_need(fh)[0]
    return total


def _csv(data: bytes, source, max_memory):
    # each value takes at least one byte and a comma or line end: an upper bound on the values
    values = data.count(b",") + data.count(b"\n") + 1
    need = values * 8
    if need > max_memory:
        raise MetricError(f"{source}: up to {values} values would need about {format_bytes(need)} of "
                          f"memory as floats, over the limit of {format_bytes(max_memory)} "
                          f"{_LIMIT_HINT}")
    # numpy decodes the bytes as it parses them: a decoded copy of the whole text (a str, then
    # a StringIO at 4 bytes a character) took 5 times the file's size beside the array
    first = data.split(b"\n", 1)[0].decode("utf-8-sig")
    skip = 1 if any(c.isalpha() for c in first.replace("e", "").replace("E", "")) else 0
    return np.loadtxt(_io.BytesIO(data), delimiter=",", skiprows=skip, ndmin=2,
                      encoding="utf-8-sig")


def _samples(x, key, limits):
    if isinstance(x, (str, os.PathLike)):
        return read_array(x, key, **limits)
    return x


class ScoreResult(MetricResult):
    """What :func:`score` returns: a :class:`MetricResult` (MCC is the headline value) whose
    text and summary are the ones ``identkit score`` prints.

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.metrics import score
    >>> z = np.random.default_rng(0).standard_normal((200, 2))
    >>> res = score(z, z[:, ::-1])
    >>> print(res.to_text())
    MCC (pearson): 1.0000
    R:    1.0000
    Matching (true latent -> learned column): true 0 -> 1, true 1 -> 0
    >>> sorted(res.summary())
    ['matching', 'mcc', 'r', 'rcon']
    """

    __slots__ = ()

    def summary(self) -> dict:
        """The plain data ``identkit score --format json`` prints: ``mcc``, ``r``, ``rcon``
        (None without a graph) and ``matching`` (true latent name -> learned column)."""
        full = self.to_dict()
        return {k: full[k] for k in ("mcc", "r", "rcon", "matching")}

    def to_text(self) -> str:
        """MCC, R, Rcon (when a graph was given) and the matching, one per line."""
        d = self.summary()
        lines = [f"MCC ({self.details['method']}): {d['mcc']:.4f}", f"R:    {d['r']:.4f}"]
        if d["rcon"] is not None:
            lines.append(f"Rcon: {d['rcon']:.4f}")
        lines.append("Matching (true latent -> learned column): "
                     + ", ".join(f"{k} -> {v}" for k, v in d["matching"].items()))
        return "\n".join(lines)


@keyword_only("regularize")
def score(truth, learned, graph: LatentGraph | None = None, *, regularize: str | None = None,
          example: str | None = None, method: str = "pearson", max_bytes: int = MAX_BYTES,
          max_memory: int = MAX_MEMORY) -> MetricResult:
    """MCC, R and, when the true graph is given, Rcon, of learned latents against true ones.

    Unlike :func:`rcon`, ``score`` keeps the data first: the graph is optional (R and MCC need
    none; ``example`` may name one instead), and the order is that of ``identkit score TRUE
    LEARNED [--graph G]``. A graph in the first slot is refused with a message saying so.

    Parameters
    ----------
    truth, learned : array_like or path
        Arrays (n_samples, d) and (n_samples, d̂), or files read by :func:`read_array`
        (an ``.npz`` key ``z`` for the truth, ``zhat`` for the learned latents).
    graph : LatentGraph or path, optional
        The true graph, for Rcon (a path is read with :func:`identkit.io.read_model`; a
        mechanism file gives the graphs derived from it).
    regularize : str, optional
        As in :func:`rcon`, keyword-only; with ``example`` the example's own setting is the
        default, and an empty string means no graph regularized (as ``--regularize ""``): the
        model and its setting are resolved as the command line resolves them.
    example : str, optional
        A catalogue example whose graph to use instead of ``graph`` (for a worked mechanism,
        ``"mechanism-ex9"``, the graphs derived from it, as ``identkit check`` reads them).
    method : {"pearson", "spearman"}
        For MCC and its matching (which Rcon reuses).
    max_bytes, max_memory : int
        The limits of every file read (``truth``, ``learned``, ``graph``), as for
        :func:`read_array` and :func:`identkit.io.read_model` (``--max-bytes``,
        ``--max-memory``). One of ``truth``, ``learned`` and ``graph`` may be ``-``, standard
        input.

    Returns
    -------
    MetricResult
        ``value`` the MCC; details ``mcc``, ``r``, ``rcon`` (None without a graph), ``method``
        and ``matching`` (true latent name → learned column).

    Raises
    ------
    MetricError
        Unreadable files or inputs the metrics refuse; both ``graph`` and ``example``; more
        than one input read from standard input.

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.metrics import score
    >>> z = np.random.default_rng(1).standard_normal((400, 3))
    >>> res = score(z, np.c_[z[:, 0], z[:, 1] + z[:, 2], z[:, 1] - z[:, 2]], example="ex8")
    >>> round(res["rcon"], 6), round(res["r"], 6), res["matching"]["z1"]
    (1.0, 1.0, 0)

    Notes
    -----
    The cost of :func:`mcc` plus :func:`r_score` plus :func:`rcon`.
    """
    if isinstance(truth, LatentGraph):
        raise MetricError("score takes the data first: score(truth, learned, graph); the graph "
                          "comes third here because it is optional (rcon takes it first)")
    if graph is not None and example is not None:
        raise MetricError("give the true graph or an example, not both")
    if regularize is not None and graph is None and example is None:
        raise MetricError(f"regularize={regularize!r} chooses the pattern of Rcon, which needs "
                          "the true graph: give graph or example (--graph or --example)")
    stdin = [name for name, x in (("truth", truth), ("learned", learned), ("graph", graph))
             if isinstance(x, (str, os.PathLike)) and os.fsdecode(x) == "-"]
    if len(stdin) > 1:
        both = "both" if len(stdin) == 2 else "all"
        raise MetricError(f"{', '.join(stdin[:-1])} and {stdin[-1]} {both} read standard input "
                          "('-'), which holds one file: give only one of them as '-'")
    limits = {"max_bytes": max_bytes, "max_memory": max_memory}
    if graph is not None or example is not None:
        from .._model import resolve_model

        model = resolve_model(graph, example=example, regularize=regularize, **limits)
        graph, regularize = model.graph(), model.regularize
    z = _samples(truth, "z", limits)
    zhat = _samples(learned, "zhat", limits)
    m = mcc(z, zhat, method=method)
    r = r_score(z, zhat)
    details = {"mcc": m.value, "r": r.value, "rcon": None, "method": method}
    if graph is not None:
        details["rcon"] = rcon(graph, z, zhat, regularize=regularize, matching=m.matching).value
        names = graph.latents
    else:
        names = [f"true {i}" for i in range(len(m.matching))]
    details["matching"] = {names[i]: j for i, j in enumerate(m.matching)}
    return ScoreResult(f"MCC ({method})", m.value, details)
