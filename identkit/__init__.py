"""identkit: computable identifiability theory for causal representation learning.

Given the latent causal graphs of a model (temporal ``Gz``, actions ``Ga``; rows are children),
identkit says whether mechanism-sparsity regularization guarantees disentangled latent factors
(Lachapelle et al., JMLR 2026), which factors can stay entangled, and why.

>>> import identkit as ik
>>> report = ik.analyze(ik.LatentGraph(Gz=[[1, 0, 0], [1, 1, 1], [1, 1, 1]]))
>>> report.complete, [report.graph.latents[i] for i in report.identified]
(False, ['z1'])
"""

from . import examples, io
from .consistency import are_consistent, relabelings
from .entanglement import (
    criterion_witnesses,
    entanglement_graph,
    entanglement_pairs,
    is_graph_preserving,
    preserving_pattern,
    resolve_regularize,
    satisfies_criterion,
)
from .errors import (
    DependencyError,
    ExampleNotFoundError,
    GraphError,
    GraphFileError,
    IdentkitError,
    OutputError,
    ParseError,
    RegularizeError,
)
from .graphs import LatentGraph
from .report import EntanglementReport, analyze
from .symmetry import (
    PermutationGroup,
    automorphisms,
    graph_preserving_permutations,
    permutation_matrix,
)

__version__ = "0.1.0"

__all__ = [
    "LatentGraph",
    "analyze",
    "EntanglementReport",
    "entanglement_graph",
    "entanglement_pairs",
    "preserving_pattern",
    "is_graph_preserving",
    "satisfies_criterion",
    "criterion_witnesses",
    "resolve_regularize",
    "graph_preserving_permutations",
    "automorphisms",
    "PermutationGroup",
    "permutation_matrix",
    "relabelings",
    "are_consistent",
    "examples",
    "io",
    "IdentkitError",
    "GraphError",
    "RegularizeError",
    "ParseError",
    "GraphFileError",
    "ExampleNotFoundError",
    "DependencyError",
    "OutputError",
]
