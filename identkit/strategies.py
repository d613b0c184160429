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

from .errors import StrategyArgumentError
from .graphs import LatentGraph
from .testing import matrix_on_pattern

__all__ = [
    "latent_graphs",
    "bool_matrices",
    "disentangled_graphs",
    "entangled_graphs",
    "intervention_designs",
    "preserving_matrices",
    "violating_matrices",
    "mechanisms",
    "preserving_maps",
]




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

    Examples
    --------
    >>> from hypothesis import find
    >>> from identkit.strategies import bool_matrices
    >>> find(bool_matrices(2, 2), lambda M: True).tolist()
    [[False, False], [False, False]]
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

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from identkit.strategies import latent_graphs
    >>> @settings(max_examples=10)
    ... @given(latent_graphs(max_latents=3, temporal=True, actions=False, self_loops="all"))
    ... def test(g):
    ...     assert g.Gz.diagonal().all()
    >>> test()
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


# ------------------------------------------------------------------ graphs by construction


@st.composite
def _disentangled(draw, min_latents, max_latents, kind):
    import itertools

    d = draw(st.integers(min_latents, max_latents))
    if kind == "any":
        kind = draw(st.sampled_from(["repair", "temporal", "actions"]))
    if kind == "temporal":
        # Prop 8: self-loops and no 2-cycles (a DAG under a drawn order, plus loops)
        order = draw(st.permutations(range(d)))
        Gz = np.eye(d, dtype=bool)
        for a, b in itertools.combinations(range(d), 2):
            if draw(st.booleans()):
                Gz[order[b], order[a]] = True
        return LatentGraph(Gz=Gz)
    if kind == "actions":
        # an antichain of action-parent sets: distinct ⌊m/2⌋-subsets of m actions
        from .design import sperner_minimum

        m = max(sperner_minimum(d), 1) + draw(st.integers(0, 1))
        layer = list(itertools.combinations(range(m), max(m // 2, 1)))
        idx = draw(st.lists(st.integers(0, len(layer) - 1), min_size=d, max_size=d, unique=True))
        Ga = np.zeros((d, m), dtype=bool)
        for i, k in enumerate(idx):
            Ga[i, list(layer[k])] = True
        return LatentGraph(Ga=Ga)
    # any model, completed by a single-target intervention on each latent not identified
    g = draw(_latent_graphs(d, d, None, None, 1, 3, "any", None))
    from .report import analyze

    rep = analyze(g)
    missing = [g.latents[i] for i in range(d) if i not in rep.identified]
    return g.with_interventions([[n] for n in missing]) if missing else g


def disentangled_graphs(*, min_latents: int = 1, max_latents: int = 6, kind: str = "any"):
    """Models that satisfy the criterion, by construction.

    ``kind``: ``"temporal"`` (self-loops and no 2-cycles, Prop 8), ``"actions"`` (an antichain
    of action-parent sets from one layer, paper §3.9), ``"repair"`` (any model plus a
    single-target intervention on every latent that is not identified), or ``"any"``.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> import identkit as ik
    >>> from identkit.strategies import disentangled_graphs
    >>> @settings(max_examples=10)
    ... @given(disentangled_graphs(max_latents=5))
    ... def test(g):
    ...     assert ik.satisfies_criterion(g)
    >>> test()
    """
    _check_range("min_latents", min_latents, "max_latents", max_latents, 1)
    if kind not in ("any", "temporal", "actions", "repair"):
        raise StrategyArgumentError(f"unknown kind {kind!r}")
    return _disentangled(min_latents, max_latents, kind)


@st.composite
def _entangled(draw, min_latents, max_latents):
    g = draw(_latent_graphs(min_latents, max_latents, None, None, 1, 3, "any", None))
    d = g.n_latents
    i, j = draw(st.lists(st.integers(0, d - 1), min_size=2, max_size=2, unique=True))
    Gz = None if g.Gz is None else np.array(g.Gz)
    Ga = None if g.Ga is None else np.array(g.Ga)
    if draw(st.booleans()):
        # make j a twin of i: equal action parents, equal temporal parents and children
        if Ga is not None:
            Ga[j] = Ga[i]
        if Gz is not None:
            b = draw(st.booleans())
            Gz[j, :] = Gz[i, :]
            Gz[:, j] = Gz[:, i]
            Gz[i, j] = Gz[j, i] = Gz[i, i] = Gz[j, j] = b
    else:
        # isolate i: no parents and no children, so it may absorb every other latent
        if Ga is not None:
            Ga[i] = False
        if Gz is not None:
            Gz[i, :] = False
            Gz[:, i] = False
    return LatentGraph(Gz=Gz, Ga=Ga)


def entangled_graphs(*, min_latents: int = 2, max_latents: int = 6):
    """Models that violate the criterion, by construction: two latents made twins (identical
    parent and child sets), or one latent isolated (so ``C[i, ·]`` is all ones).

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> import identkit as ik
    >>> from identkit.strategies import entangled_graphs
    >>> @settings(max_examples=10)
    ... @given(entangled_graphs(max_latents=5))
    ... def test(g):
    ...     assert not ik.analyze(g).complete
    >>> test()
    """
    _check_range("min_latents", max(min_latents, 2), "max_latents", max_latents, 2)
    return _entangled(max(min_latents, 2), max_latents)


@st.composite
def _designs(draw, n_latents, max_interventions, max_targets):
    names = [f"z{k + 1}" for k in range(n_latents)]
    k = draw(st.integers(1, max_interventions))
    sets = []
    for _ in range(k):
        size = draw(st.integers(1, min(max_targets, n_latents)))
        sets.append(sorted(draw(st.lists(st.sampled_from(names), min_size=size, max_size=size,
                                         unique=True)), key=names.index))
    return sets


def intervention_designs(n_latents: int, *, max_interventions: int = 6, max_targets: int = 3):
    """Lists of target sets (latent names ``z1 ..``), one per intervention; shrink toward one
    single-target intervention. Feed them to :meth:`LatentGraph.from_interventions` with
    ``latents=n_latents``.

    Examples
    --------
    >>> from hypothesis import find
    >>> from identkit.strategies import intervention_designs
    >>> find(intervention_designs(3), lambda t: True)
    [['z1']]
    """
    _check_range("n_latents", n_latents, "n_latents", n_latents, 1)
    _check_range("max_interventions", 1, "max_interventions", max_interventions, 1)
    _check_range("max_targets", 1, "max_targets", max_targets, 1)
    return _designs(n_latents, max_interventions, max_targets)


# --------------------------------------------------------------------------- matrices


def _pattern(g, regularize):
    from .entanglement import entanglement_graph

    return entanglement_graph(g, regularize)


@st.composite
def _matrices(draw, g, regularize, violate):
    C = _pattern(g, regularize)
    d = g.n_latents
    vals = draw(st.lists(st.floats(-2, 2, allow_nan=False, allow_infinity=False),
                         min_size=d * d, max_size=d * d))
    values = np.array(vals).reshape(d, d)
    if violate:
        # one entry outside C, nonzero: widen the support by it and give it the drawn value
        outside = np.argwhere(~C)
        i, j = outside[draw(st.integers(0, len(outside) - 1))]
        values[i, j] = draw(st.sampled_from([-1.0, 1.0])) * draw(st.floats(0.25, 2.0))
        C = C.copy()
        C[i, j] = True
    return matrix_on_pattern(C, values)


def preserving_matrices(g: LatentGraph, regularize: str | None = None):
    """Invertible real matrices supported on the pattern C (graph-preserving, Def 11):
    :func:`identkit.testing.matrix_on_pattern` with values hypothesis draws in [-2, 2].

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> import identkit as ik
    >>> from identkit.strategies import preserving_matrices
    >>> g = ik.examples.get("ex8").graph
    >>> @settings(max_examples=10)
    ... @given(preserving_matrices(g))
    ... def test(M):
    ...     assert ik.is_graph_preserving(g, M)
    >>> test()
    """
    return _matrices(g, regularize, False)


def violating_matrices(g: LatentGraph, regularize: str | None = None):
    """Invertible real matrices with exactly one nonzero entry outside C
    (:func:`identkit.testing.matrix_on_pattern` on C widened by that entry).

    Raises StrategyArgumentError when C is all ones (nothing can violate it).

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> import identkit as ik
    >>> from identkit.strategies import violating_matrices
    >>> g = ik.examples.get("ex8").graph
    >>> @settings(max_examples=10)
    ... @given(violating_matrices(g))
    ... def test(M):
    ...     assert not ik.is_graph_preserving(g, M)
    >>> test()
    """
    if _pattern(g, regularize).all():
        raise StrategyArgumentError("the pattern C is all ones: no matrix violates it")
    return _matrices(g, regularize, True)


# ------------------------------------------------------------------- numeric backend


def mechanisms(g: LatentGraph, *, families=("nonlinear", "heteroscedastic", "linear")):
    """Gaussian mechanisms on ``g`` (numeric backend), one of ``families``, seeded by hypothesis.

    Examples
    --------
    >>> from hypothesis import find
    >>> import identkit as ik
    >>> from identkit.strategies import mechanisms
    >>> find(mechanisms(ik.examples.get("ex5").graph), lambda m: True).m
    3
    """
    from .numeric import make_mechanism

    allowed = [f for f in families if f not in ("hard", "soft") or g.Ga_sparse is not None]
    if not allowed:
        raise StrategyArgumentError("no mechanism family applies to this graph")
    return st.builds(lambda fam, seed: make_mechanism(g, fam, seed=seed),
                     st.sampled_from(allowed), st.integers(0, 2**32 - 1))


def preserving_maps(g: LatentGraph, regularize: str | None = None):
    """Random graph-preserving diffeomorphisms (numeric backend), seeded by hypothesis.

    Examples
    --------
    >>> import numpy as np
    >>> from hypothesis import given, settings
    >>> import identkit as ik
    >>> from identkit.strategies import preserving_maps
    >>> g = ik.examples.get("ex8").graph
    >>> @settings(max_examples=5)
    ... @given(preserving_maps(g))
    ... def test(v):
    ...     assert ik.is_graph_preserving(g, v.jacobian(np.ones((1, 3)))[0])
    >>> test()
    """
    from .numeric import sample_preserving_map

    return st.builds(lambda seed: sample_preserving_map(g, regularize, seed=seed),
                     st.integers(0, 2**32 - 1))
