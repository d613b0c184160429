"""The exceptions identkit raises.

Every error identkit raises on purpose is a subclass of :class:`IdentkitError`, so a caller can
catch the whole family with one ``except`` clause. The subclasses also derive from the built-in
exception a Python user would expect (``ValueError`` for bad values, ``FileNotFoundError`` for a
missing file), so generic handlers keep working.

Messages name the argument, file, key, row, column or name at fault.
"""

__all__ = [
    "did_you_mean",
    "IdentkitError",
    "GraphError",
    "RegularizeError",
    "ParseError",
    "GraphFileError",
    "ExampleNotFoundError",
    "DependencyError",
    "OutputError",
    "DatasetError",
    "MechanismFileError",
    "RepairError",
    "MetricError",
    "SeedError",
    "StrategyArgumentError",
    "MapError",
    "MechanismError",
    "LearnError",
    "SweepError",
]


def did_you_mean(name, candidates, *, cutoff: float = 0.6, limit: int = 2000) -> str:
    """The suggestion appended to an "unknown name" message: `` (did you mean 'x'?)`` or ``""``.

    The closest candidate by :func:`difflib.get_close_matches` (similarity at least
    ``cutoff``). difflib costs one comparison per candidate, so beyond ``limit`` candidates only
    a candidate differing in case is suggested (O(len(candidates)) string operations). A
    ``name`` that is not a string gets no suggestion.

    Examples
    --------
    >>> from identkit.errors import did_you_mean
    >>> "unknown latent 'z_1'" + did_you_mean("z_1", ["z1", "z2"])
    "unknown latent 'z_1' (did you mean 'z1'?)"
    >>> did_you_mean("zzz", ["a", "b"])
    ''
    """
    if not isinstance(name, str):
        return ""
    candidates = [str(c) for c in candidates]
    if len(candidates) > limit:
        low = name.lower()
        close = [c for c in candidates if c.lower() == low][:1]
    else:
        import difflib

        close = difflib.get_close_matches(name, candidates, n=1, cutoff=cutoff)
    return f" (did you mean {close[0]!r}?)" if close else ""


class IdentkitError(Exception):
    """Base class of every error identkit raises on purpose."""


class GraphError(IdentkitError, ValueError):
    """A graph (matrix, edge list, target sets or names) is malformed.

    Raised for non-square ``Gz``, ``Ga`` with the wrong number of rows, entries other than 0/1,
    empty graphs, and duplicate or unknown names.
    """


class RegularizeError(IdentkitError, ValueError):
    """The ``regularize`` argument names a graph the model lacks, or is not made of ``a``/``z``."""


class ParseError(IdentkitError, ValueError):
    """Text (an expression, a graph in the text form) could not be parsed."""


class GraphFileError(IdentkitError, ValueError):
    """A graph file is missing, unreadable, malformed or inconsistent; the message names the file."""


class ExampleNotFoundError(IdentkitError, KeyError):
    """No example of the catalogue has the requested name."""

    def __str__(self):  # KeyError would quote the message; show it as written
        return str(self.args[0]) if self.args else ""


class DependencyError(IdentkitError, ImportError):
    """An optional dependency (an extra such as ``identkit[plot]``) is not installed."""


class OutputError(IdentkitError, ValueError):
    """An output file cannot be written, or its extension names an unsupported format."""


class DatasetError(IdentkitError, ValueError):
    """A synthetic dataset was asked for with a bad size, knob or dimension, or would need more
    memory than the machine has (the message states how much)."""


class MechanismFileError(GraphFileError):
    """A mechanism file does not define a density: a mean that is not a real finite number, a
    variance that is not positive and finite, or a log-density that is not real, at a point of
    the domain. The message names the expression and the point."""


class RepairError(IdentkitError, ValueError):
    """No repair exists under the given restrictions (the message names the pair at fault)."""


class MetricError(IdentkitError, ValueError):
    """Inputs a metric cannot score: wrong shapes, mismatched lengths, NaN, inf or complex values,
    constant true columns, too few samples; the message names the argument, row and column."""


class SeedError(IdentkitError, TypeError):
    """``seed`` is neither None, a non-negative int, nor a ``numpy.random.Generator``."""


class StrategyArgumentError(IdentkitError, ValueError):
    """A strategy was given arguments out of range."""


class MapError(IdentkitError, ValueError):
    """A map cannot be built or inverted (for example no pair violates the pattern)."""


class MechanismError(IdentkitError, ValueError):
    """A mechanism was asked for with an unknown family, incompatible graph or bad input."""


class LearnError(IdentkitError, ValueError):
    """Training data or settings the estimation procedure (:mod:`identkit.learn`) cannot use:
    wrong shapes, NaN or infinite rows, actions whose row count differs, a batch larger than the
    data, a sparsity bound beyond the edge count, a model file that is not one; the message names
    the argument, row or file at fault."""


class SweepError(IdentkitError, ValueError):
    """A sweep specification (:mod:`identkit.sweep`) that cannot run: an unknown key or axis, an
    empty range, a probability outside [0, 1], a grid too large without confirmation, a results
    folder written by another specification; the message names the key at fault."""
