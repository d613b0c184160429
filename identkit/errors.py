"""The exceptions identkit raises.

Every error identkit raises on purpose is a subclass of :class:`IdentkitError`, so a caller can
catch the whole family with one ``except`` clause. The subclasses also derive from the built-in
exception a Python user would expect (``ValueError`` for bad values, ``FileNotFoundError`` for a
missing file), so generic handlers keep working.

Messages name the argument, file, key, row, column or name at fault.
"""

__all__ = [
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
]


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
