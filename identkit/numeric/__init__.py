"""Torch-free numeric backend: mechanisms, maps, derivatives, sufficient influence, the
mechanism check, datasets.

The three mechanism classes (:class:`GaussianMechanism`, :class:`Pushforward`,
:class:`CallableMechanism`) share :class:`NumericMechanism`, which implements the
:class:`~identkit.protocols.Mechanism` verbs (``derive_graph``, ``check_assumptions``,
``check``). Everything is vectorised numpy over batches of points, and every random routine
takes a keyword-only ``seed`` (default 0; an int, a ``numpy.random.Generator``, or None for
fresh entropy): the same seed gives the same bytes.
"""

from .datasets import (
    DATASETS,
    SPLITS,
    DataProcess,
    dataset_graph,
    dataset_name,
    dataset_process,
    generate,
    generate_splits,
    is_dataset_name,
    write_dataset,
)
from .check import NumericCheck, check_mechanism
from .derivatives import (
    CallableMechanism,
    GraphEstimate,
    Pushforward,
    estimate_graph,
    finite_difference_cross_derivatives,
)
from .influence import InfluenceCheck, InfluenceReport, numerical_rank, sufficient_influence
from .maps import (
    Composed,
    DiffeoMap,
    MapError,
    Mixing,
    make_mixing,
    sample_preserving_map,
    sample_violating_map,
    linear_map,
)
from .mechanisms import GaussianMechanism, MechanismError, NumericMechanism, make_mechanism
from .mixing import PaperMixing
from .verify import (
    LearnedModelCheck,
    VerifyResult,
    check_learned_model,
    entanglement_from_decoders,
    undetectable_violation,
    verify,
)

__all__ = [
    "NumericMechanism", "GaussianMechanism", "make_mechanism", "MechanismError",
    "check_mechanism", "NumericCheck",
    "Composed", "DiffeoMap", "MapError", "linear_map", "Mixing", "make_mixing", "sample_preserving_map",
    "sample_violating_map",
    "Pushforward", "CallableMechanism", "estimate_graph", "GraphEstimate",
    "finite_difference_cross_derivatives",
    "sufficient_influence", "InfluenceReport", "InfluenceCheck", "numerical_rank",
    "verify", "VerifyResult", "undetectable_violation", "entanglement_from_decoders", "check_learned_model",
    "LearnedModelCheck",
    "generate", "generate_splits", "write_dataset", "dataset_graph", "dataset_name", "is_dataset_name", "dataset_process", "DataProcess",
    "DATASETS", "SPLITS", "PaperMixing",
]
