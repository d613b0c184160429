"""New deciding functions checked by a route independent of their own code.

Each test names its route in its docstring: the same mechanism in the other backend (symbolic
against numeric), brute force over ``itertools.permutations`` for small d, or a hand-written
enumeration of spellings. None compares a function with itself or with the code it was
refactored from.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import identkit as ik


# ---------------------------------------------------------------- numeric against symbolic

def _paper_sinusoidal_spec(g: ik.LatentGraph, noise: float = 0.1) -> dict:
    """The mechanism file of ``GaussianMechanism(g, "sinusoidal")`` written by hand from the
    family's formula: ``mu_k = Gz[k,k] z_k + 1/2 sum_j Gz[k,j] sin(w_k z_j + k)
    + sum_l Ga[k,l] sin(w_k a_l + k)``, ``w_k = (k+3)/pi`` (Appendix C.1, eqs. 73 and 76)."""
    d, m = g.n_latents, g.n_actions
    Gz = g.Gz if g.Gz is not None else np.zeros((d, d), bool)
    Ga = g.Ga if g.Ga is not None else np.zeros((d, m), bool)
    mean = {}
    for k in range(d):
        w = f"({k + 3}/pi)"
        terms = [f"z{k + 1}_lag1"] if Gz[k, k] else []
        terms += [f"sin({w}*z{j + 1}_lag1 + {k})/2" for j in range(d) if Gz[k, j]]
        terms += [f"sin({w}*a{l + 1} + {k})" for l in range(m) if Ga[k, l]]
        mean[f"z{k + 1}"] = " + ".join(terms) or "0"
    spec = {"latents": d, "mean": mean, "variance": {f"z{k + 1}": str(noise) for k in range(d)}}
    if m:
        spec["actions"] = m
    return spec


def _linear_spec(mech) -> dict:
    """The mechanism file of a ``"linear"`` GaussianMechanism, from its drawn weights:
    ``mu = (L + 1/2 Gz * W) z^{t-1} + (Ga * Wa) a`` (the NoSuffInf datasets, Example 10)."""
    d, m = mech.d, mech.m
    mean = {}
    for k in range(d):
        terms = [f"z{k + 1}_lag1"] if mech.loop[k] else []
        terms += [f"({float(0.5 * mech.W[0][k, j])!r})*z{j + 1}_lag1" for j in range(d)
                  if mech.Gz[k, j]]
        terms += [f"({float(mech.Wa[k, l])!r})*a{l + 1}" for l in range(m) if mech.Ga[k, l]]
        mean[f"z{k + 1}"] = " + ".join(terms) or "0"
    spec = {"latents": d, "mean": mean,
            "variance": {f"z{k + 1}": repr(mech.noise) for k in range(d)}}
    if m:
        spec["actions"] = m
    return spec


def _small_models():
    """Every d = 2 model with Gz alone, or Ga alone with 2 actions (no actionless Ga), and a
    sample of d = 3 models with both graphs."""
    for bits in range(16):
        M = np.array([(bits >> k) & 1 for k in range(4)]).reshape(2, 2)
        yield ik.LatentGraph(Gz=M)
        if M.any():
            yield ik.LatentGraph(Ga=M)
    rng = np.random.default_rng(3)
    for _ in range(6):
        yield ik.LatentGraph(Gz=rng.random((3, 3)) < 0.5, Ga=rng.random((3, 2)) < 0.5)


def _same_density(num, sym, seed):
    """The two objects are one density: the symbolic log-density, evaluated by sympy, equals
    the numeric log_prob at random points (up to the normalising constant's rounding)."""
    import sympy

    pts = num.sample_inputs(5, seed=seed)
    symbols = ([sym.z[n] for n in sym.latents] + [sym.lag(n, 1) for n in sym.latents]
               + [sym.a[n] for n in sym.actions])
    f = sympy.lambdify(symbols, sym.total_log_density, "numpy")
    hist = pts["hist"][:, 0] if num.lags else np.zeros_like(pts["z"])
    args = np.hstack([pts["z"], hist, pts["a"]])
    got = np.array([float(f(*row)) for row in args])
    np.testing.assert_allclose(got, num.log_prob(pts["z"], pts["hist"], pts["a"]), atol=1e-9)


def _routes(check):
    return {(r.theorem, r.regularized): r.state for r in check.guarantee.routes}


@pytest.mark.parametrize("family", ["sinusoidal", "linear"])
def test_numeric_check_never_contradicts_the_symbolic_check_of_the_same_gaussian(family):
    """Route: symbolic against numeric. The same Gaussian mechanism built in both backends
    (GaussianMechanism, and a mechanism file written from the family's formula, shown to be
    the same density) must give the same graph, and every theorem route the numeric check
    decides must be decided the same way exactly: the numeric check may only be
    ``undecided``, never a contradicting ``holds``/``fails``, never a guarantee the exact
    check refuses."""
    from identkit.numeric import GaussianMechanism
    from identkit.numeric import check_mechanism as numeric_check
    from identkit.symbolic import check_mechanism as symbolic_check
    from identkit.symbolic import mechanism_from_dict

    n_guaranteed = n_decided = n_refused = 0
    for k, g in enumerate(_small_models()):
        num = GaussianMechanism(g, family, seed=k)
        spec = _paper_sinusoidal_spec(g) if family == "sinusoidal" else _linear_spec(num)
        sym = mechanism_from_dict(spec)
        _same_density(num, sym, k)
        s, n = symbolic_check(sym), numeric_check(num)
        derived, measured = s.derived.graph.matrices(), n.estimate.graph.matrices()
        assert derived.keys() == measured.keys(), g
        for x in derived:
            assert np.array_equal(derived[x], measured[x]), (g, x)
        sr, nr = _routes(s), _routes(n)
        assert sr.keys() == nr.keys()
        for key, state in nr.items():
            assert state in (sr[key], "undecided"), (g, key, state, sr[key])
            n_decided += state != "undecided"
        if n.guaranteed:
            assert s.guaranteed, g
        if "undecided" not in nr.values():
            assert n.guaranteed == s.guaranteed, g
            assert np.array_equal(n.justified.entanglement_graph, s.justified.entanglement_graph), g
        n_guaranteed += n.guaranteed
        n_refused += n.report.complete and not n.guaranteed and "undecided" not in nr.values()
    # the comparison is not vacuous: most routes are decided numerically, some graphs are
    # guaranteed, and with linear means some graph whose criterion holds is refused because an
    # assumption fails (Example 10), by both backends
    assert n_decided >= 40 and n_guaranteed > 0
    assert (n_refused > 0) == (family == "linear")


def test_finite_difference_check_never_contradicts_the_symbolic_check():
    """Route: symbolic against numeric, through finite differences. The sinusoidal Gaussian
    wrapped as a bare ``log_prob`` (CallableMechanism: no analytic derivatives, no known
    exponential family) must still measure the derived graph, and may only leave theorem
    routes ``undecided``, never decide one against the exact check. (On these models the
    finite-difference ranks fall in the undecided band, so every route is undecided: the
    sharp part of this test is the measured graph.)"""
    from identkit.numeric import CallableMechanism, GaussianMechanism
    from identkit.numeric import check_mechanism as numeric_check
    from identkit.symbolic import check_mechanism as symbolic_check
    from identkit.symbolic import mechanism_from_dict

    for g in itertools.islice(_small_models(), 0, None, 3):
        gauss = GaussianMechanism(g, "sinusoidal")
        num = CallableMechanism(lambda z, h, a, f=gauss.log_prob: f(z, h, a), g,
                                lags=gauss.lags or 1)
        s = symbolic_check(mechanism_from_dict(_paper_sinusoidal_spec(g)))
        n = numeric_check(num)
        derived, measured = s.derived.graph.matrices(), n.estimate.graph.matrices()
        assert all(np.array_equal(derived[x], measured[x]) for x in derived), g
        sr = _routes(s)
        for key, state in _routes(n).items():
            assert state in (sr[key], "undecided"), (g, key, state, sr[key])
        assert s.guaranteed or not n.guaranteed, g


# ------------------------------------------------------------ brute force over permutations

def _perms(d):
    return [np.array(p) for p in itertools.permutations(range(d))]


def _is_relabeling(g, h, p):
    """Defs 13-15 written out: h.Gz[p[i], p[j]] = g.Gz[i, j] and h.Ga[p[i]] = g.Ga[i]."""
    ok = True
    if g.Gz is not None:
        ok &= bool((h.Gz[np.ix_(p, p)] == g.Gz).all())
    if g.Ga is not None:
        ok &= bool((h.Ga[p] == g.Ga).all())
    return ok


def _pairs_reaching_the_canonical_search():
    """Pairs with equal edge counts and equal numbers of self-loops (so the cheap invariants
    do not settle them), permuted copies, and a sample with an action graph, d = 3 and 4."""
    rng = np.random.default_rng(11)
    for d, n in ((3, 250), (4, 120)):
        for _ in range(n):
            Gz = rng.random((d, d)) < 0.45
            g = ik.LatentGraph(Gz=Gz)
            H = Gz.copy()
            off = [(i, j) for i in range(d) for j in range(d) if i != j]
            on = [e for e in off if H[e]]
            free = [e for e in off if not H[e]]
            if on and free:   # move one off-diagonal edge: same counts, maybe not isomorphic
                H[on[rng.integers(len(on))]] = False
                H[free[rng.integers(len(free))]] = True
            yield g, ik.LatentGraph(Gz=H)
            yield g, g.permute(rng.permutation(d))
            Ga = rng.random((d, 1)) < 0.5
            yield (ik.LatentGraph(Gz=Gz, Ga=Ga),
                   ik.LatentGraph(Gz=H, Ga=Ga[rng.permutation(d)]))


def test_consistency_verdict_and_relabeling_match_brute_force_over_all_permutations():
    """Route: brute force. ``Consistency.of`` says consistent exactly when some permutation of
    ``itertools.permutations`` satisfies Defs 13-15 written out entrywise, and the relabeling
    it returns is one of them."""
    from identkit.consistency import Consistency

    seen = {True: 0, False: 0}
    for g, h in _pairs_reaching_the_canonical_search():
        brute = {tuple(p.tolist()) for p in _perms(g.n_latents) if _is_relabeling(g, h, p)}
        c = Consistency.of(g, h)
        assert c.consistent == bool(brute), (g, h, c)
        assert (c.relabeling in brute) if brute else c.relabeling is None
        assert (c.reason is None) == c.consistent
        seen[c.consistent] += 1
    assert min(seen.values()) >= 50, seen


def _all_models_d3_and_sample_d4():
    for bits in range(2 ** 9):
        yield ik.LatentGraph(Gz=np.array([(bits >> k) & 1 for k in range(9)]).reshape(3, 3))
    rng = np.random.default_rng(5)
    for _ in range(40):
        yield ik.LatentGraph(Gz=rng.random((4, 4)) < 0.4, Ga=rng.random((4, 2)) < 0.3)
    for bits in range(16):   # two copies of one d = 2 graph: isomorphic components that swap
        M = np.array([(bits >> k) & 1 for k in range(4)]).reshape(2, 2)
        Z = np.zeros((2, 2), int)
        yield ik.LatentGraph(Gz=np.block([[M, Z], [Z, M]]))
        yield ik.LatentGraph(Gz=np.block([[M, Z], [Z, M]]), Ga=[[1], [0], [1], [0]])


def test_symmetries_orders_match_brute_force_over_all_permutations():
    """Route: brute force. The two orders ``Symmetries.of`` reports (and its JSON) are the
    number of permutations P whose support lies in C (the graph-preserving ones, Prop 5) and
    the number satisfying ``Gz = P Gz P^T``, ``Ga = P Ga`` (automorphisms), counted over all
    of ``itertools.permutations`` for every d = 3 temporal graph and d = 4 models, among them
    disjoint copies of one graph."""
    from identkit.symmetry import Symmetries

    orders = set()
    for g in _all_models_d3_and_sample_d4():
        d = g.n_latents
        C = ik.entanglement_graph(g)
        preserving = sum(all(C[p[i], i] for i in range(d)) for p in _perms(d))
        autos = sum(_is_relabeling(g, g, p) for p in _perms(d))
        s = Symmetries.of(g)
        assert (s.preserving.order(), s.automorphisms.order()) == (preserving, autos), g
        data = s.to_dict()
        assert (data["graph_preserving_permutations"], data["automorphisms"]) == (preserving,
                                                                                  autos)
        assert s.lines(explain=False)[1].startswith(f"Automorphisms: {autos}")
        orders.add((preserving, autos))
    assert len(orders) >= 5   # groups of several sizes were met, not only the trivial one


# ----------------------------------------------------------------- spellings and grammars

def _case_variants(name):
    """Every case pattern of up to 3 letters flipped, plus all-lower, all-upper, swapped."""
    yield from (name, name.lower(), name.upper(), name.swapcase())
    for idx in itertools.combinations(range(len(name)), 2):
        yield "".join(c.swapcase() if i in idx else c for i, c in enumerate(name))


def test_dataset_name_accepts_every_case_and_k_spelling_and_nothing_else():
    """Route: a hand-written enumeration. Each of the 14 paper dataset names (Appendix C) in
    every case pattern with up to two letters flipped, and with ``K2`` written ``k=2``/``K=2``,
    is that name; every name with one character dropped, doubled or followed by a blank is
    refused, and ``is_dataset_name`` agrees with both."""
    from identkit.numeric import DATASETS, dataset_name, is_dataset_name

    assert len(DATASETS) == 14
    for name in DATASETS:
        spellings = set(_case_variants(name))
        if name.endswith("K2"):
            spellings |= {s[:-2] + k for s in list(spellings) for k in ("k=2", "K=2")}
        for s in spellings:
            assert dataset_name(s) == name, s
            assert is_dataset_name(s)
        wrong = {name[:i] + name[i + 1:] for i in range(len(name))}
        wrong |= {name[:i] + name[i] + name[i:] for i in range(len(name))}
        wrong |= {name + " ", " " + name, name + "K2"}
        for s in wrong - {n.lower() for n in DATASETS} - set(DATASETS):
            with pytest.raises(ik.ExampleNotFoundError, match="no dataset named"):
                dataset_name(s)
            assert not is_dataset_name(s)
    for not_text in (3, None, b"TimeDiag", ["TimeDiag"]):
        assert not is_dataset_name(not_text)


def test_parse_latents_against_a_small_grammar():
    """Route: a grammar written out. ``spec := count | names``; a text of signs then digits is a
    count, valid when it is ``[+]digits`` with value in 1..MAX_LATENTS (``++3`` is a malformed
    count, refused); ``names := item (',' item)*`` with blank or empty items dropped and at
    least one left. Every string over a small alphabet up to length 4 is classified by the
    grammar and by ``parse_latents``, which must agree."""
    from identkit.design import MAX_LATENTS, parse_latents

    def grammar(t):
        s = t.strip()
        if s.lstrip("+-").isdigit():   # looks like a count: one optional sign, then digits
            sign = len(s) - len(s.lstrip("+-"))
            return int(s) if sign <= 1 and 1 <= int(s) <= MAX_LATENTS else None
        names = [x.strip() for x in s.split(",") if x.strip()]
        return names or None

    alphabet = ["0", "3", "+", "-", ",", " ", "b", "z1"]
    checked = 0
    for n in range(5):
        for parts in itertools.product(alphabet, repeat=n):
            t = "".join(parts)
            want = grammar(t)
            if want is None:
                with pytest.raises(ik.GraphError):
                    parse_latents(t)
            else:
                assert parse_latents(t) == want, t
            checked += 1
    assert checked > 4000


# ------------------------------------------------------------------- scores by hand

def _r_by_lstsq(y, X):
    """sqrt(R^2) of the least-squares fit of y on X with an intercept, by numpy.linalg.lstsq."""
    A = np.c_[np.ones(len(X)), X]
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    resid = y - A @ coef
    return float(np.sqrt(max(0.0, 1 - resid @ resid / ((y - y.mean()) @ (y - y.mean())))))


@pytest.mark.parametrize("seed", range(4))
def test_score_result_values_match_a_hand_computation(seed):
    """Route: a hand computation (paper §6). MCC is the best mean ``|corr|`` over all injective
    maps of ``itertools.permutations`` (np.corrcoef), its matching the maximiser; R is the mean
    sqrt(R^2) of least squares of each true latent on every learned one; Rcon the same on the
    learned latents matched to C's row (Examples 4 and 8, whose patterns differ from the
    identity; Example 4's is not symmetric, so reading C's columns for its rows is caught)."""
    from identkit.metrics import score

    rng = np.random.default_rng(seed)
    n, d = 300, 3
    z = rng.standard_normal((n, d))
    mix = np.c_[z[:, 0], z[:, 1] + 0.7 * z[:, 2], z[:, 1] - 0.4 * z[:, 2]]
    mix = mix + 0.3 * rng.standard_normal((n, d)) + 0.5 * z[:, [2, 0, 1]] * (seed % 2)
    perm = rng.permutation(d)
    zhat = np.tanh(mix[:, perm]) * [1, -1, 1]   # nonlinear, permuted, one sign flipped, noisy
    corr = np.abs(np.corrcoef(z.T, zhat.T)[:d, d:])
    best = max(itertools.permutations(range(d)), key=lambda p: corr[range(d), p].sum())
    mcc_hand = corr[range(d), best].mean()
    r_hand = np.mean([_r_by_lstsq(z[:, i], zhat) for i in range(d)])
    ex = ik.examples.get("ex8" if seed % 2 else "ex4")   # ex4's C is not symmetric
    C = ik.entanglement_graph(ex.graph, ex.regularize)
    rcon_hand = np.mean([_r_by_lstsq(z[:, i], zhat[:, [best[k] for k in range(d) if C[i, k]]])
                         for i in range(d)])
    res = score(z, zhat, example=ex.name)
    assert res.value == pytest.approx(mcc_hand, abs=1e-10)
    assert res["r"] == pytest.approx(r_hand, abs=1e-10)
    assert res["rcon"] == pytest.approx(rcon_hand, abs=1e-10)
    assert list(res["matching"].values()) == list(best)
    assert rcon_hand < r_hand - 1e-3 or seed % 2 == 0   # the restriction bites on Example 8
    extra = np.c_[zhat, rng.standard_normal(n)]       # one learned latent more than true ones
    corr4 = np.abs(np.corrcoef(z.T, extra.T)[:d, d:])
    best4 = max(itertools.permutations(range(d + 1), d), key=lambda p: corr4[range(d), p].sum())
    assert score(z, extra).value == pytest.approx(corr4[range(d), best4].mean(), abs=1e-10)


def test_parse_intervenable_against_a_small_grammar():
    """Route: a grammar written out. ``None`` or the empty text is None (every latent may be
    targeted); any other text is its comma-separated items with blanks dropped, empty items
    removed (so ``","`` is the empty list); anything that is not text is a GraphError."""
    from identkit.design import parse_intervenable

    def grammar(parts):
        """Items read token by token: a comma closes an item, whose blank tokens at either
        end are dropped; an item with nothing left is dropped."""
        if not parts:
            return None
        items, cur = [], []
        for tok in parts + [","]:
            if tok != ",":
                cur.append(tok)
                continue
            while cur and cur[0] == " ":
                cur.pop(0)
            while cur and cur[-1] == " ":
                cur.pop()
            items += ["".join(cur)] if cur else []
            cur = []
        return items

    for n in range(5):
        for parts in itertools.product(["z1", ",", " ", "b"], repeat=n):
            t = "".join(parts)
            assert parse_intervenable(t) == grammar(list(parts)), t
    assert parse_intervenable(None) is None
    for not_text in (3, ["z1"], b"z1"):
        with pytest.raises(ik.GraphError, match="intervenable"):
            parse_intervenable(not_text)


# ------------------------------------------------------------------ matrices on a pattern

def test_matrix_on_pattern_is_supported_on_C_and_strictly_dominant_for_any_finite_values():
    """Route: the definitions checked entrywise. For every d = 3 pattern with a diagonal and
    values of every scale (up to 1e300), the matrix is zero off C, nonzero on C, and strictly
    diagonally dominant in floating point (|M_ii| > sum_j |M_ij|, so invertible, Levy-
    Desplanques), with full rank by SVD; values too large for a finite diagonal are refused."""
    from identkit.testing import matrix_on_pattern

    rng = np.random.default_rng(2)
    off = [(i, j) for i in range(3) for j in range(3) if i != j]
    for bits in range(2 ** 6):
        C = np.eye(3, dtype=bool)
        for k, e in enumerate(off):
            C[e] = (bits >> k) & 1
        for scale in (1e-300, 1.0, 1e16, 1e17, 1e300):
            values = scale * (rng.uniform(0.5, 2.0, (3, 3)) * rng.choice([-1, 1], (3, 3)))
            M = matrix_on_pattern(C, values)
            assert np.array_equal(M != 0, C), (C, scale)
            offsum = (np.abs(M) * ~np.eye(3, dtype=bool)).sum(axis=1)
            assert (np.abs(np.diag(M)) > offsum).all(), (C, scale, M)
            if scale <= 1.0:   # larger scales are invertible but ill-conditioned
                assert np.linalg.matrix_rank(M / np.abs(M).max()) == 3, (C, scale, M)
    with pytest.raises(ik.IdentkitError, match="values"):
        matrix_on_pattern(np.ones((3, 3), bool), np.full((3, 3), 1e308))


# ------------------------------------------------------------------ learned model check

def test_learned_model_verdict_matches_brute_force_over_permutations(monkeypatch):
    """Route: brute force. Given the measured V, ``check_learned_model`` is consistent exactly
    when some permutation p of ``itertools.permutations`` has ``V[i, j] => C[i, p(j)]`` for all
    i, j (``V`` within ``C P^T``, Defs 13-15), and its permutation is one of those; every d = 3
    V against the patterns of Examples 4 and 8 and the identity. The measurement is replaced
    by the V under test, so only the decision is checked."""
    import importlib

    verify = importlib.import_module("identkit.numeric.verify")
    models = [(ik.examples.get("ex4").graph, ik.examples.get("ex4").regularize),
              (ik.examples.get("ex8").graph, ik.examples.get("ex8").regularize),
              (ik.LatentGraph(Ga=np.eye(3)), "a")]            # C the identity
    cases = {True: 0, False: 0}
    for g, reg in models:
        C = ik.entanglement_graph(g, reg)
        for bits in range(2 ** 9):
            V = np.array([(bits >> k) & 1 for k in range(9)], bool).reshape(3, 3)
            monkeypatch.setattr(verify, "entanglement_from_decoders", lambda *a, V=V, **k: V)
            res = verify.check_learned_model(g, None, None, reg)
            brute = {p for p in itertools.permutations(range(3))
                     if all(C[i, p[j]] for i in range(3) for j in range(3) if V[i, j])}
            assert res.consistent == bool(brute), (reg, C.astype(int), V.astype(int))
            assert (res.permutation in brute) if brute else res.permutation is None
            cases[res.consistent] += 1
    assert min(cases.values()) > 100, cases
