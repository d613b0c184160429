"""identkit: computable identifiability theory for causal representation learning.

Given the latent causal graphs of a model (temporal ``Gz``, actions ``Ga``; rows are children),
identkit says whether mechanism-sparsity regularization guarantees disentangled latent factors
(Lachapelle et al., JMLR 2026), which factors can stay entangled, and why.

>>> import identkit as ik
>>> report = ik.analyze(ik.LatentGraph(Gz=[[1, 0, 0], [1, 1, 1], [1, 1, 1]]))
>>> report.complete, [report.graph.latents[i] for i in report.identified]
(False, ['z1'])
"""

from . import errors
from .errors import (  # every exception class, from its one module
    DatasetError,
    DependencyError,
    ExampleNotFoundError,
    GraphError,
    GraphFileError,
    IdentkitError,
    LearnError,
    MapError,
    MechanismError,
    MechanismFileError,
    MetricError,
    OutputError,
    ParseError,
    RegularizeError,
    RepairError,
    SeedError,
    StrategyArgumentError,
    SweepError,
)

# The rest is imported on first use (PEP 562), so `import identkit` and a command that needs
# only part of the package (``identkit check`` on a small file) start fast.
_LAZY = {
    "examples": None, "io": None,
    # subpackages and modules reached as attributes (``ik.metrics.mcc``), imported on first use
    "design": None, "guarantees": None, "metrics": None, "numeric": None, "symbolic": None,
    "plot": None, "strategies": None, "testing": None, "theorems": None,
    "learn": None, "sweep": None,  # the [learn] and [sweep] extras: jax + optax, dask
    "are_consistent": "consistency", "relabelings": "consistency", "Consistency": "consistency",
    "criterion_witnesses": "entanglement", "entanglement_graph": "entanglement",
    "entanglement_pairs": "entanglement", "is_graph_preserving": "entanglement",
    "preserving_pattern": "entanglement", "resolve_regularize": "entanglement",
    "satisfies_criterion": "entanglement", "twin_classes": "entanglement",
    "LatentGraph": "graphs",
    "EntanglementReport": "report", "analyze": "report",
    "PermutationGroup": "symmetry", "Symmetries": "symmetry", "automorphisms": "symmetry",
    "graph_preserving_permutations": "symmetry", "permutation_matrix": "symmetry",
}


def __getattr__(name):
    import importlib

    if name not in _LAZY:
        raise AttributeError(f"module 'identkit' has no attribute {name!r}")
    module = _LAZY[name]
    value = importlib.import_module(f".{name if module is None else module}", __name__)
    if module is not None:
        value = getattr(value, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


__version__ = "0.1.0"

__all__ = [
    "errors",
    "LatentGraph",
    "analyze",
    "EntanglementReport",
    "entanglement_graph",
    "entanglement_pairs",
    "twin_classes",
    "preserving_pattern",
    "is_graph_preserving",
    "satisfies_criterion",
    "criterion_witnesses",
    "resolve_regularize",
    "graph_preserving_permutations",
    "automorphisms",
    "PermutationGroup",
    "Symmetries",
    "permutation_matrix",
    "relabelings",
    "are_consistent",
    "Consistency",
    "examples",
    "io",
]
__all__ += [name for name in errors.__all__ if name.endswith("Error")]  # every exception class
