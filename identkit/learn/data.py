"""Read what ``identkit generate`` writes, in the shapes the estimators take."""

from __future__ import annotations

import os
import zipfile

import numpy as np

from ..errors import GraphError, LearnError
from ..graphs import LatentGraph

__all__ = ["read_dataset"]


def check_limits(path: str, max_bytes: int | None, max_memory: int | None) -> None:
    """Refuse a missing or irregular file, one over ``max_bytes``, and an ``.npz`` whose arrays
    would need more than ``max_memory`` once loaded, estimated from their headers (for
    :func:`read_dataset` and :func:`identkit.learn.load`); an unreadable archive is left to
    :func:`numpy.load` and its caller's message."""
    from ..io import format_bytes
    from ..metrics.scoring import npz_memory

    if not os.path.exists(path):
        raise LearnError(f"{path}: no such file")
    if not os.path.isfile(path):
        raise LearnError(f"{path}: not a regular file")
    size = os.path.getsize(path)
    if max_bytes is not None and size > max_bytes:
        raise LearnError(f"{path}: {size} bytes, more than the limit of {max_bytes} "
                         "(see --max-bytes)")
    if max_memory is None:
        return
    try:
        need = npz_memory(path)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        return
    if need > max_memory:
        raise LearnError(f"{path}: its arrays would need about {format_bytes(need)} of memory once "
                         f"loaded, over the limit of {format_bytes(max_memory)} (see --max-memory)")


def read_dataset(path, *, max_bytes: int | None = None, max_memory: int | None = None) -> dict:
    """The arrays of a dataset file (``.npz`` of ``identkit generate``) for training.

    Returns
    -------
    dict
        ``x``: ``(n, x_dim)``, or temporal pairs ``(n, 2, x_dim)`` when the file has
        ``x_prev``; ``actions``: ``(n, m)`` or None when m = 0; ``z``: the true latents of the
        last step or None; ``x_last``: the last step's observations ``(n, x_dim)``;
        ``graph``: the true LatentGraph when the file has ``Gz``/``Ga``, else None.

    Raises
    ------
    LearnError
        Naming the file: missing, not a regular file, larger than ``max_bytes``, with arrays
        that would need more than ``max_memory`` once loaded (estimated from their headers,
        before any is decompressed), not an ``.npz``, without ``x``, with arrays whose row
        counts differ.
    """
    path = os.fspath(path)
    check_limits(path, max_bytes, max_memory)
    try:
        with np.load(path, allow_pickle=False) as npz:
            if not hasattr(npz, "files"):
                raise LearnError(f"{path}: not an .npz archive of arrays")
            arrays = {k: npz[k] for k in npz.files}
    except LearnError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise LearnError(f"{path}: cannot read it as an .npz dataset "
                         f"({(str(exc).splitlines() or [type(exc).__name__])[0]})") from None
    if "x" not in arrays:
        raise LearnError(f"{path}: no array 'x' (the observations); this reads what "
                         "'identkit generate' writes")
    x = arrays["x"]
    if x.ndim != 2:
        raise LearnError(f"{path}: 'x' must be (n, x_dim), got shape {x.shape}")
    n = x.shape[0]
    prev = arrays.get("x_prev")
    pairs = x
    if prev is not None and prev.ndim == 3 and prev.shape[1] == 1:
        if prev.shape[0] != n or prev.shape[2] != x.shape[1]:
            raise LearnError(f"{path}: 'x_prev' {prev.shape} does not match 'x' {x.shape}")
        pairs = np.stack([prev[:, 0], x], axis=1)
    a = arrays.get("a")
    if a is not None and (a.ndim != 2 or a.shape[0] != n):
        raise LearnError(f"{path}: 'a' must be (n, m) with the {n} rows of 'x', got {a.shape}")
    z = arrays.get("z")
    if z is not None and (z.ndim != 2 or z.shape[0] != n):
        raise LearnError(f"{path}: 'z' must have the {n} rows of 'x', got shape {z.shape}")
    graph = None
    if "Gz" in arrays or "Ga" in arrays:
        kw = {}
        if "latents" in arrays:
            kw["latents"] = [str(s) for s in arrays["latents"]]
        if "Ga" in arrays and "actions" in arrays:
            kw["actions"] = [str(s) for s in arrays["actions"]]
        try:
            graph = LatentGraph(Gz=arrays.get("Gz"), Ga=arrays.get("Ga"), **kw)
        except GraphError as exc:
            raise LearnError(f"{path}: its graph arrays: {exc}") from None
    return {"x": pairs, "x_last": x, "actions": a if a is not None and a.shape[1] else None,
            "z": z, "graph": graph}
