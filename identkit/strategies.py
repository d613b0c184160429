"""Hypothesis strategies for property-based tests of CRL code.

Strategies build valid objects directly (no ``.filter``) and shrink toward the simplest case:
fewest latents, fewest actions, fewest edges. Import this module only in tests: it needs
``hypothesis`` (installed by ``identkit[test]``).

>>> from hypothesis import given
>>> import identkit as ik
>>> from identkit.strategies import latent_graphs
>>> @given(latent_graphs(max_latents=4))
... def test_pattern_is_reflexive(g):
...     assert ik.entanglement_graph(g).diagonal().all()
>>> test_pattern_is_reflexive()
"""

from __future__ import annotations

import numpy as np

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - depends on the environment
    from .errors import DependencyError

    raise DependencyError(
        "identkit.strategies needs hypothesis: pip install 'identkit[test]'"
    ) from exc

from .errors import IdentkitError
from .graphs import LatentGraph

__all__ = ["latent_graphs", "bool_matrices"]


class StrategyArgumentError(IdentkitError, ValueError):
    """A strategy was given arguments out of range."""


def _check_range(name_lo, lo, name_hi, hi, floor):
    for name, v in ((name_lo, lo), (name_hi, hi)):
        if not isinstance(v, int) or isinstance(v, bool) or v < floor:
            raise StrategyArgumentError(f"{name} must be an integer >= {floor}, got {v!r}")
    if lo > hi:
        raise StrategyArgumentError(f"{name_lo}={lo} exceeds {name_hi}={hi}")


def bool_matrices(rows: int, cols: int, *, density: float | None = None):
    """Boolean matrices of a fixed shape that shrink toward all False.

    ``density`` (in [0, 1]) biases draws: each entry is True with roughly that probability;
    None leaves the choice to hypothesis.
    """
    if density is not None and not 0.0 <= density <= 1.0:
        raise StrategyArgumentError(f"density must be in [0, 1], got {density!r}")
    n = rows * cols
    if density is None:
        elem = st.booleans()
    else:
        # integers shrink toward 0, i.e. toward False
        elem = st.integers(0, 999).map(lambda k: k >= 1000 - round(1000 * density))
    return st.lists(elem, min_size=n, max_size=n).map(
        lambda bits: np.array(bits, dtype=bool).reshape(rows, cols)
    )


@st.composite
def _latent_graphs(draw, min_latents, max_latents, temporal, actions, min_actions, max_actions,
                   self_loops, density):
    d = draw(st.integers(min_latents, max_latents))
    has_z = draw(st.booleans()) if temporal is None else temporal
    has_a = draw(st.booleans()) if actions is None else actions
    if not has_z and not has_a:
        # shrink toward the temporal graph alone
        has_z = True
    Gz = Ga = None
    if has_z:
        Gz = draw(bool_matrices(d, d, density=density)).copy()
        if self_loops == "all":
            np.fill_diagonal(Gz, True)
        elif self_loops == "none":
            np.fill_diagonal(Gz, False)
    if has_a:
        m = draw(st.integers(min_actions, max_actions))
        Ga = draw(bool_matrices(d, m, density=density))
    return LatentGraph(Gz=Gz, Ga=Ga)


def latent_graphs(*, min_latents: int = 1, max_latents: int = 6, temporal: bool | None = None,
                  actions: bool | None = None, min_actions: int = 1, max_actions: int = 3,
                  self_loops: str = "any", density: float | None = None):
    """Strategy for :class:`~identkit.LatentGraph` models.

    Parameters
    ----------
    min_latents, max_latents : int
        Bounds on d (>= 1).
    temporal, actions : bool or None
        Whether the model has ``Gz`` / ``Ga``: True, False, or None for either (at least one
        graph is always present).
    min_actions, max_actions : int
        Bounds on m when ``Ga`` is present.
    self_loops : {"any", "all", "none"}
        Self-loops of ``Gz``: drawn, forced (the paper's temporal protocol), or forbidden.
    density : float in [0, 1] or None
        Approximate edge probability.

    Raises
    ------
    StrategyArgumentError
        For out-of-range bounds, an unknown ``self_loops``, or ``temporal=actions=False``.
    """
    _check_range("min_latents", min_latents, "max_latents", max_latents, 1)
    _check_range("min_actions", min_actions, "max_actions", max_actions, 1)
    if self_loops not in ("any", "all", "none"):
        raise StrategyArgumentError(
            f"self_loops must be 'any', 'all' or 'none', got {self_loops!r}"
        )
    if temporal is False and actions is False:
        raise StrategyArgumentError("a model needs at least one graph")
    return _latent_graphs(min_latents, max_latents, temporal, actions, min_actions, max_actions,
                          self_loops, density)
