"""The paper's estimation procedure, and the VAE baselines it is compared with (needs the
``[learn]`` extra: jax and optax).

Lachapelle et al. (JMLR 2026, §5 and App. C.2) fit a variational autoencoder whose latent prior is
a learned causal transition model with learned sparse graphs ``Ĝa``, ``Ĝz``, and keep the graphs
as sparse as the truth with a constraint on their expected edge count. The theory then predicts
which learned latents may stay entangled: the pattern ``C`` of :func:`identkit.entanglement_graph`.
This subpackage trains that model on data and holds what was learned against the pattern.
"""

try:  # the one place the extra is checked: every module of the subpackage imports jax freely
    import jax as _jax  # noqa: F401
    import optax as _optax  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised in a subprocess without the extra
    from ..errors import DependencyError

    raise DependencyError(
        f"identkit.learn needs jax and optax ({exc.name or 'jax'} is missing): "
        "pip install 'identkit[learn]'") from None

from .estimators import (AnnealedVAE, BetaTCVAE, BetaVAE, MechanismSparsityVAE,  # noqa: E402
                         bound_schedule, dual_step, load)
from .data import read_dataset  # noqa: E402
from .evaluation import Evaluation, evaluate, plot_evaluation, regression_pattern  # noqa: E402

__all__ = ["AnnealedVAE", "BetaTCVAE", "BetaVAE", "Evaluation", "MechanismSparsityVAE",
           "bound_schedule", "dual_step", "evaluate", "load", "plot_evaluation",
           "read_dataset", "regression_pattern"]
