"""The seams of identkit.testing and identkit.strategies (issue 18): one construction of a matrix
on a pattern, graph-first helpers with their deprecation path, keyword-only seeds."""

import inspect
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import identkit as ik
from identkit.errors import IdentkitError
from identkit.metrics import mcc, rcon
from identkit.strategies import latent_graphs, preserving_matrices, violating_matrices
from identkit.testing import (
    assert_accepts_relabelings,
    assert_invariant_to_preserving_maps,
    matrix_on_pattern,
    random_preserving_matrix,
)


def _strictly_dominant(M):
    off = np.abs(M).sum(axis=1) - np.abs(np.diag(M))
    return bool(np.all(np.abs(np.diag(M)) > off))


# ----------------------------------------------------------------- one matrix on the pattern


def test_matrix_on_pattern_places_values_on_c_and_dominates_the_diagonal():
    C = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1]], dtype=bool)
    M = matrix_on_pattern(C, [[7.0, -2.0, 5.0], [4.0, 7.0, 3.0], [0.5, 9.0, 7.0]])
    assert M.tolist() == [[3.0, -2.0, 0.0], [0.0, 4.0, 3.0], [0.5, 0.0, 1.5]]


def test_matrix_on_pattern_is_invertible_where_the_values_alone_are_singular():
    """All-ones values on a full pattern are singular as they stand; the diagonal the
    construction sets makes the matrix strictly dominant, hence invertible."""
    C = np.ones((4, 4), dtype=bool)
    M = matrix_on_pattern(C, np.ones((4, 4)))
    assert _strictly_dominant(M)
    assert np.linalg.matrix_rank(M) == 4


@settings(max_examples=40, deadline=None)
@given(latent_graphs(max_latents=5).flatmap(lambda g: st.tuples(st.just(g),
                                                                 preserving_matrices(g))))
def test_preserving_matrices_are_strictly_dominant_and_supported_on_c(case):
    g, M = case
    C = ik.entanglement_graph(g)
    assert _strictly_dominant(M)
    assert not (M[~C] != 0).any()
    assert ik.is_graph_preserving(g, M)


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_violating_matrices_leave_c_at_exactly_one_entry_and_stay_invertible(data):
    g = ik.examples.get("ex8").graph
    M = data.draw(violating_matrices(g))
    C = ik.entanglement_graph(g)
    assert int((M[~C] != 0).sum()) == 1
    assert _strictly_dominant(M)


def test_random_preserving_matrix_is_matrix_on_pattern_of_normal_draws():
    g = ik.examples.get("ex4").graph
    C = ik.entanglement_graph(g)
    want = matrix_on_pattern(C, np.random.default_rng(3).standard_normal(C.shape))
    assert np.array_equal(random_preserving_matrix(g, seed=3), want)


def test_matrix_on_pattern_refuses_a_shape_mismatch_and_non_finite_values():
    with pytest.raises(IdentkitError, match="square"):
        matrix_on_pattern(np.ones((2, 2), dtype=bool), np.ones((3, 3)))
    with pytest.raises(IdentkitError, match="finite"):
        matrix_on_pattern(np.ones((2, 2), dtype=bool), [[1.0, np.nan], [0.0, 1.0]])


# -------------------------------------------------------------------------------- seeds


def test_random_preserving_matrix_is_deterministic_by_default():
    g = ik.examples.get("ex8").graph
    assert np.array_equal(random_preserving_matrix(g), random_preserving_matrix(g, seed=0))
    assert not np.array_equal(random_preserving_matrix(g, seed=1),
                              random_preserving_matrix(g, seed=2))


def test_random_preserving_matrix_seed_by_position_still_works_and_warns():
    g = ik.examples.get("ex8").graph
    with pytest.warns(DeprecationWarning, match="seed"):
        old = random_preserving_matrix(g, None, 5)
    assert np.array_equal(old, random_preserving_matrix(g, seed=5))


def test_helpers_take_seed_by_keyword_with_default_zero():
    for fn in (random_preserving_matrix, assert_invariant_to_preserving_maps,
               assert_accepts_relabelings):
        p = inspect.signature(fn).parameters["seed"]
        assert p.kind is p.KEYWORD_ONLY and p.default == 0, fn.__name__


# ---------------------------------------------------------------------------- graph first


def _ex8():
    g = ik.examples.get("ex8").graph
    return g, np.random.default_rng(0).standard_normal((300, 3))


def test_invariance_helper_graph_first_gives_no_warning_and_catches_mcc():
    g, z = _ex8()
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        assert_invariant_to_preserving_maps(g, lambda a, b: rcon(g, a, b, matching=[0, 1, 2]), z)
        with pytest.raises(AssertionError, match="map 0"):
            assert_invariant_to_preserving_maps(g, lambda a, b: mcc(a, b).value, z)


def test_invariance_helper_old_order_still_works_and_warns():
    g, z = _ex8()
    with pytest.warns(DeprecationWarning, match="graph comes first"):
        assert_invariant_to_preserving_maps(lambda a, b: rcon(g, a, b, matching=[0, 1, 2]), g, z)
    with pytest.warns(DeprecationWarning), pytest.raises(AssertionError):
        assert_invariant_to_preserving_maps(lambda a, b: mcc(a, b).value, g, z=z)


def test_relabeling_helper_both_orders():
    g = ik.examples.get("fig1").graph
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        assert_accepts_relabelings(g, ik.are_consistent)
    with pytest.warns(DeprecationWarning, match="graph comes first"):
        assert_accepts_relabelings(ik.are_consistent, g)
    with pytest.warns(DeprecationWarning), pytest.raises(AssertionError, match="rejected"):
        assert_accepts_relabelings(lambda a, b: a == b, ik.examples.get("ex7").graph)
