"""The solver behind R and Rcon (Lachapelle et al., JMLR 2026, §6): one Cholesky solve of the
standardised Gram matrix for all true latents, refitted from the data (tall-skinny QR + SVD,
relative rank threshold) when that matrix is singular or ill-conditioned.

Independent routes: scikit-learn's ``LinearRegression`` fitted per true latent (the paper's
way), and the normal equations in 60-digit arithmetic (mpmath) where float normal equations
lose digits. No timing here: the speed-up is measured in benchmarks/bench_metrics.py.
"""

import mpmath
import numpy as np
import pytest

import identkit as ik
import identkit.metrics.paper as paper
from identkit.errors import IdentkitError
from identkit.metrics import MetricError, r_score, rcon, train_test_rows


def _sklearn_r(z, zhat, train=None, test=None):
    """√R² per true latent by scikit-learn's LinearRegression (one multi-output fit: the same
    least-squares problem per target as the paper's one fit per target, in one call)."""
    linear_model = pytest.importorskip("sklearn.linear_model")
    metrics = pytest.importorskip("sklearn.metrics")
    train = np.arange(z.shape[0]) if train is None else train
    test = train if test is None else test
    fit = linear_model.LinearRegression().fit(zhat[train], z[train])
    r2 = metrics.r2_score(z[test], fit.predict(zhat[test]), multioutput="raw_values")
    return np.sqrt(np.maximum(r2, 0.0))


def _exact_r(z, zhat):
    """√R² per true latent from the normal equations in 60-digit arithmetic (every float input
    is exact there, so squaring the condition number costs nothing)."""
    with mpmath.workdps(60):
        n, k = zhat.shape
        cols = [[mpmath.mpf(float(v)) for v in zhat[:, j]] for j in range(k)]
        cols = [[v - mpmath.fsum(c) / n for v in c] for c in cols]
        G = mpmath.matrix(k, k)
        for a in range(k):
            for b in range(a, k):
                G[a, b] = G[b, a] = mpmath.fdot(cols[a], cols[b])
        out = []
        for i in range(z.shape[1]):
            y = [mpmath.mpf(float(v)) for v in z[:, i]]
            y = [v - mpmath.fsum(y) / n for v in y]
            g = mpmath.matrix([mpmath.fdot(c, y) for c in cols])
            beta = mpmath.lu_solve(G, g)
            out.append(float(mpmath.sqrt(mpmath.fdot(list(g), list(beta)) / mpmath.fdot(y, y))))
    return np.array(out)


def _data(n, d, extra=0, seed=0, noise=0.3):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, d))
    zhat = z @ rng.standard_normal((d, d + extra)) + noise * rng.standard_normal((n, d + extra))
    return z, zhat, rng


def _close(a, b, rtol=1e-10):
    np.testing.assert_allclose(a, b, rtol=rtol, atol=0)


@pytest.fixture
def qr_calls(monkeypatch):
    """Counts the refits from the data (the fallback of the Cholesky solve)."""
    calls = []
    real = paper._qr_fit

    def spy(*args):
        calls.append(args[3].size)
        return real(*args)

    monkeypatch.setattr(paper, "_qr_fit", spy)
    return calls


@pytest.mark.parametrize("n, d, extra, seed", [(2000, 3, 0, 0), (2000, 10, 4, 1),
                                               (10_000, 10, 0, 2), (10_000, 50, 0, 3)])
def test_random_data_agrees_with_sklearn_through_cholesky(n, d, extra, seed, qr_calls):
    z, zhat, _ = _data(n, d, extra, seed)
    res, ref = r_score(z, zhat), _sklearn_r(z, zhat)
    _close(res.per_latent, ref)
    assert res.value == pytest.approx(ref.mean(), rel=1e-10)
    assert qr_calls == []            # well-conditioned: the fast path, no refit


def test_held_out_agrees_with_sklearn():
    z, zhat, _ = _data(1500, 4, 2, seed=4)
    train, test = train_test_rows(1500, 0.3, seed=7, min_test=2)
    _close(r_score(z, zhat, test_fraction=0.3, seed=7).per_latent,
           _sklearn_r(z, zhat, train, test))


@pytest.mark.parametrize("factor", [1e160, 1e-200, -1e160, 2.0 ** -1000])
def test_extreme_units_give_the_r_of_the_unscaled_latents(factor):
    """Issue 25: R² does not depend on the learned latents' units, even near the float limits."""
    z, zhat, _ = _data(2000, 4, 1, seed=5)
    ref = _sklearn_r(z, zhat)
    _close(r_score(z, factor * zhat).per_latent, ref)
    _close(r_score(factor * z, zhat).per_latent, ref)


def test_columns_of_wildly_different_units_are_standardised(qr_calls):
    """Units from 1e-50 to 1e50 (inside the range the power-of-two rescaling leaves alone): the
    standardisation makes the Gram matrix a scaled correlation matrix, so neither the
    conditioning check nor the rank threshold sees the units."""
    z, zhat, _ = _data(2000, 5, 0, seed=6)
    units = np.array([1e-50, 1e50, 1.0, 1e25, 1e-25])
    _close(r_score(z, zhat * units).per_latent, _sklearn_r(z, zhat))
    assert qr_calls == []


@pytest.mark.parametrize("combo", ["duplicate", "sum", "three"])
def test_exactly_collinear_columns_add_nothing_and_take_the_fallback(combo, qr_calls):
    z, base, _ = _data(2000, 4, 0, seed=7)
    extra = {"duplicate": base[:, [0]],
             "sum": base[:, [0]] + 2 * base[:, [1]],
             "three": np.c_[3 * base[:, 0] - base[:, 1] + 0.5 * base[:, 2], -base[:, 3]]}[combo]
    zhat = np.c_[base[:, :2], extra, base[:, 2:]]
    res = r_score(z, zhat)
    _close(res.per_latent, _sklearn_r(z, base))      # the span is the span of base
    _close(res.per_latent, _sklearn_r(z, zhat))
    assert qr_calls == [zhat.shape[1]]               # one refit for the one group of columns


def test_rank_deficient_representation_agrees_with_sklearn(qr_calls):
    """Eight learned latents that span only three directions."""
    z, base, rng = _data(1000, 3, 0, seed=8)
    zhat = base @ rng.standard_normal((3, 8)) + 5.0       # an offset too: centering matters
    _close(r_score(z, zhat).per_latent, _sklearn_r(z, base))
    assert qr_calls == [8]


def test_rank_deficient_held_out_agrees_with_sklearn():
    z, base, rng = _data(1200, 3, 0, seed=9)
    zhat = np.c_[base, base @ rng.standard_normal((3, 2))]
    train, test = train_test_rows(1200, 0.25, seed=3, min_test=2)
    _close(r_score(z, zhat, test_fraction=0.25, seed=3).per_latent,
           _sklearn_r(z, base, train, test))


@pytest.mark.parametrize("eps", [1e-6, 1e-8])
def test_near_collinear_columns_match_exact_arithmetic(eps, qr_calls):
    """A learned latent within ``eps`` of another: cond(X) ~ 1/eps, so the float normal
    equations (cond²) lose about 4e-7 (eps = 1e-6) to 6e-4 (1e-8) of R relative; the refit from
    the data agrees with 60-digit arithmetic. (scikit-learn is no reference here: its default
    ``tol=1e-6`` cuts such directions.)"""
    z, base, rng = _data(300, 3, 0, seed=10)
    zhat = np.c_[base, base[:, 0] + eps * rng.standard_normal(300)]
    _close(r_score(z, zhat).per_latent, _exact_r(z, zhat), rtol=1e-9)
    assert qr_calls == [4]


@pytest.mark.parametrize("n, noise", [(2000, 1e-13), (10_000, 2.5e-12)])
def test_a_column_collinear_up_to_rounding_level_noise_adds_nothing(n, noise):
    """The rank threshold is relative to the largest singular value (max(n, k)·eps·s_max on the
    standardised data, whose s_max grows like √n): a combination perturbed by ~1e-12 of its
    spread is collinear and fits no noise; R is that of the other columns."""
    z, base, rng = _data(n, 3, 0, seed=11)
    combo = base[:, 0] + base[:, 1]
    zhat = np.c_[base, combo + noise * combo.std() * rng.standard_normal(n)]
    _close(r_score(z, zhat).per_latent, _sklearn_r(z, base))


def test_a_failing_cholesky_falls_back_to_the_same_numbers(monkeypatch, qr_calls):
    z, zhat, _ = _data(2000, 6, 3, seed=12)
    fast = r_score(z, zhat).per_latent
    assert qr_calls == []

    def fail(*args, **kwargs):
        raise np.linalg.LinAlgError("planted failure")

    monkeypatch.setattr(paper.scipy.linalg, "cho_factor", fail)
    slow = r_score(z, zhat).per_latent
    assert qr_calls == [9]
    _close(slow, fast)
    _close(slow, _sklearn_r(z, zhat))


def test_ill_conditioning_is_detected_even_when_cholesky_succeeds(qr_calls):
    """cond(X) ~ 1e4 makes the Gram matrix's ~1e8-1e9: Cholesky factors it without complaint, but
    the solve would lose ~1e-9 relative, so the rcond estimate sends it to the refit."""
    z, base, rng = _data(2000, 3, 0, seed=13)
    zhat = np.c_[base, base[:, 0] + 1e-4 * rng.standard_normal(2000)]
    S = np.corrcoef(zhat.T)
    paper.scipy.linalg.cho_factor(S)                   # does not raise
    assert np.linalg.cond(S) > 1 / paper._RCOND_MIN
    r_score(z, zhat)
    assert qr_calls == [4]


def test_rcon_uses_the_same_fallback():
    """Rcon regresses on the allowed subset: a duplicated allowed column changes nothing."""
    z, _, rng = _data(1500, 3, 0, seed=14)
    zhat = z + 0.2 * rng.standard_normal((1500, 3))
    g = ik.LatentGraph(Gz=[[1, 0, 0], [1, 1, 0], [0, 0, 1]])
    ref = rcon(g, z, zhat, matching=[0, 1, 2])
    dup = rcon(g, z, np.c_[zhat, zhat[:, 0]], matching=[0, 1, 2])
    _close(dup.per_latent, ref.per_latent)


def test_more_learned_latents_than_samples_is_still_refused():
    z, zhat, _ = _data(12, 2, 9, seed=15)          # 11 learned latents, 12 samples
    with pytest.raises(MetricError, match="12 samples cannot fit a regression on 11 learned"):
        r_score(z, zhat)
    with pytest.raises(IdentkitError):
        r_score(z, np.c_[zhat, zhat])              # d̂ > n, collinear: refused the same way


def test_just_enough_samples_agrees_with_sklearn():
    z, zhat, _ = _data(12, 2, 8, seed=16)          # 10 learned latents, 12 samples
    _close(r_score(z, zhat).per_latent, _sklearn_r(z, zhat), rtol=1e-9)


def test_constant_columns_do_not_count_against_the_samples():
    """More learned columns than samples, but all except three constant: only the three regress."""
    z, base, _ = _data(20, 2, 1, seed=17)
    zhat = np.c_[np.full((20, 15), 3.0), base, np.zeros((20, 10))]
    _close(r_score(z, zhat).per_latent, _sklearn_r(z, base))
