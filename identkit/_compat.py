"""Deprecation paths for arguments that became keyword-only or moved (internal).

The API's convention is one keyword-only ``seed`` (see :mod:`identkit._rng`). Functions that
used to take ``seed`` (or other arguments) positionally keep accepting them that way for a while:
:func:`keyword_only` maps the extra positional arguments onto their old names and warns.
Functions that take a graph take it first; :func:`graph_first` keeps an older order working,
recognised by type, and warns.
"""

from __future__ import annotations

import functools
import inspect
import warnings

from .graphs import LatentGraph

__all__ = ["keyword_only", "graph_first"]


def _by_name(func, names, values, kwargs) -> None:
    """Put positional ``values`` into ``kwargs`` under their old ``names``; a name given both
    ways is a ``TypeError``, as Python makes it."""
    for name, value in zip(names, values):
        if name in kwargs:
            raise TypeError(f"{func.__qualname__}() got multiple values for argument {name!r}")
        kwargs[name] = value


def keyword_only(*legacy: str):
    """Accept ``legacy`` keyword-only parameters positionally too, with a ``DeprecationWarning``.

    ``legacy`` names the keyword-only parameters in the order they used to be positional
    (right after the function's positional parameters). A call passing them positionally gets
    them as keywords and a warning naming them; passing one both ways is a ``TypeError``, as
    it would be in Python.

    Examples
    --------
    >>> import warnings
    >>> @keyword_only("seed")
    ... def draw(n, *, seed=0):
    ...     return n, seed
    >>> draw(3, seed=5)
    (3, 5)
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     draw(3, 7), w[0].category.__name__
    ((3, 7), 'DeprecationWarning')
    """

    def wrap(func):
        params = inspect.signature(func).parameters.values()
        n_positional = sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)
        keyword = {p.name for p in params if p.kind == p.KEYWORD_ONLY}
        missing = [name for name in legacy if name not in keyword]
        if missing:
            raise TypeError(f"{func.__qualname__}: {missing} are not keyword-only parameters")

        @functools.wraps(func)
        def call(*args, **kwargs):
            if len(args) > n_positional:
                extra = args[n_positional:]
                if len(extra) > len(legacy):
                    raise TypeError(f"{func.__qualname__}() takes at most "
                                    f"{n_positional + len(legacy)} positional arguments "
                                    f"({len(args)} given)")
                names = legacy[:len(extra)]
                _by_name(func, names, extra, kwargs)
                warnings.warn(f"{func.__qualname__}: pass {', '.join(names)} by keyword "
                              f"({', '.join(f'{n}=...' for n in names)}); positional use is "
                              "deprecated", DeprecationWarning, stacklevel=2)
                args = args[:n_positional]
            return func(*args, **kwargs)

        return call

    return wrap


def graph_first(*old_order: str):
    """Decorator: the function now takes its graph first; keep the old order working.

    ``old_order`` names the parameters in the order they used to be positional, the graph among
    them (for :func:`~identkit.metrics.rcon`: ``"truth", "learned", "graph", "regularize"``).
    A call is in the old order when its first positional argument is not a
    :class:`~identkit.LatentGraph` while the graph is where the old order put it (a LatentGraph
    in that positional slot, or passed by its name). Such a call is re-bound by the old names
    and warns (``DeprecationWarning``); every other call goes through unchanged.

    Examples
    --------
    >>> import warnings, identkit as ik
    >>> @graph_first("data", "g")
    ... def count(g, data):
    ...     return g.n_latents, data
    >>> g = ik.LatentGraph(Gz=[[1]])
    >>> count(g, "new order")
    (1, 'new order')
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     count("old order", g), w[0].category.__name__
    ((1, 'old order'), 'DeprecationWarning')
    """

    def wrap(func):
        graph_name = next(iter(inspect.signature(func).parameters))
        slot = old_order.index(graph_name)

        @functools.wraps(func)
        def call(*args, **kwargs):
            old = bool(args) and not isinstance(args[0], LatentGraph) and (
                (len(args) > slot and isinstance(args[slot], LatentGraph))
                or graph_name in kwargs)
            if not old:
                return func(*args, **kwargs)
            if len(args) > len(old_order):
                raise TypeError(f"{func.__qualname__}() takes at most {len(old_order)} "
                                f"positional arguments in the old order ({len(args)} given)")
            _by_name(func, old_order, args, kwargs)
            warnings.warn(f"{func.__qualname__}: the graph comes first now; the order "
                          f"({', '.join(old_order)}) is deprecated: pass the graph first, "
                          f"{func.__qualname__}({graph_name}, ...)", DeprecationWarning,
                          stacklevel=2)
            return func(**kwargs)

        return call

    return wrap
