"""Deprecation paths for arguments that became keyword-only (internal).

The API's convention is one keyword-only ``seed`` (see :mod:`identkit._rng`). Functions that
used to take ``seed`` (or other arguments) positionally keep accepting them that way for a while:
:func:`keyword_only` maps the extra positional arguments onto their old names and warns.
"""

from __future__ import annotations

import functools
import inspect
import warnings

__all__ = ["keyword_only"]


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
                for name, value in zip(names, extra):
                    if name in kwargs:
                        raise TypeError(f"{func.__qualname__}() got multiple values for "
                                        f"argument {name!r}")
                    kwargs[name] = value
                warnings.warn(f"{func.__qualname__}: pass {', '.join(names)} by keyword "
                              f"({', '.join(f'{n}=...' for n in names)}); positional use is "
                              "deprecated", DeprecationWarning, stacklevel=2)
                args = args[:n_positional]
            return func(*args, **kwargs)

        return call

    return wrap
