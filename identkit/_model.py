"""The one resolver of "this model" (internal module: its names are public within the package).

A model reaches the package in four forms: a :class:`~identkit.LatentGraph`, a graph or
mechanism file (a path; ``-`` is standard input), a catalogue example (a graph or a worked
mechanism), and, for a mechanism, the graphs derived from it. The ``regularize`` that goes with
it follows one rule: the caller's when given, the empty string included (no graph regularized),
else a graph example's own setting, else None (every graph the model has). Both
:func:`identkit.metrics.score` and the command line resolve models here, so the two cannot
disagree.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from .graphs import LatentGraph

__all__ = ["ResolvedModel", "resolve_model"]


@dataclass(frozen=True)
class ResolvedModel:
    """What a model argument names: ``kind`` ``"graph"`` (``model`` a LatentGraph) or
    ``"mechanism"`` (``model`` the mechanism's mapping), the ``regularize`` of the one rule,
    and ``source`` (the file, ``<stdin>``, the example's name, or None for an object)."""

    kind: str
    model: Any
    regularize: str | None
    source: str | None

    def graph(self) -> LatentGraph:
        """The model's graphs: a mechanism gives those derived from it exactly, as ``identkit
        check`` reads them."""
        if self.kind == "graph":
            return self.model
        from .symbolic import mechanism_from_dict

        return mechanism_from_dict(self.model, source=self.source).derive_graph().graph


def resolve_model(graph=None, *, example: str | None = None, regularize: str | None = None,
                  **limits) -> ResolvedModel:
    """Resolve a graph (LatentGraph or path) or an ``example`` name, with its ``regularize``.

    ``limits`` (``max_bytes``, ``max_memory``) go to :func:`identkit.io.read_model` for a path.
    An example wins over ``graph`` only when ``graph`` is None; giving both is the caller's
    error to name.

    Examples
    --------
    >>> from identkit._model import resolve_model
    >>> resolve_model(example="fig1").regularize, resolve_model(example="fig1",
    ...                                                         regularize="").regularize
    ('az', '')
    """
    if example is not None:
        from . import examples

        ex = examples.get(example)
        if ex.kind == "mechanism":
            return ResolvedModel("mechanism", ex.spec, regularize, example)
        return ResolvedModel("graph", ex.graph,
                             ex.regularize if regularize is None else regularize, example)
    if isinstance(graph, (str, os.PathLike)):
        from . import io

        path = os.fspath(graph)
        model = io.read_model(path, **limits)
        source = "<stdin>" if path == "-" else path
        kind = "mechanism" if isinstance(model, dict) else "graph"
        return ResolvedModel(kind, model, regularize, source)
    return ResolvedModel("graph", graph, regularize, None)
