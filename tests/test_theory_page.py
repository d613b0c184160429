"""The theory page and the architecture page state computable facts; check them by other routes.

Every brute-force helper here is written from the page's definitions with Python sets and
itertools, independently of identkit's vectorised code, and the page's own tables are parsed so
that a wrong row in the documentation fails a test.
"""

import ast
import itertools
import json
import math
import os
import re

import numpy as np
import pytest

from identkit.symbolic import worked_mechanism
import identkit as ik
from identkit.design import design_interventions, sperner_minimum

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
THEORY_PAGE = os.path.join(ROOT, "docs", "theory.md")
ARCHITECTURE_PAGE = os.path.join(ROOT, "docs", "architecture.md")


def _read(path):
    with open(path, encoding="utf-8") as fh:
        return fh.read()


# ----------------------------------------------------------------------- brute-force routes

def _rows(G):
    return [frozenset(np.flatnonzero(r).tolist()) for r in np.asarray(G)]


def brute_pattern(Gz=None, Ga=None):
    """C[i][j] = Pa_a(i) ⊆ Pa_a(j) and Pa_z(i) ⊆ Pa_z(j) and Ch_z(i) ⊆ Ch_z(j), as sets."""
    d = len(Gz if Gz is not None else Ga)
    sets = []
    if Ga is not None:
        sets.append(_rows(Ga))
    if Gz is not None:
        sets.append(_rows(Gz))
        sets.append(_rows(np.asarray(Gz).T))
    return [[all(s[i] <= s[j] for s in sets) for j in range(d)] for i in range(d)]


def brute_criterion(Gz=None, Ga=None):
    """Assumption 5 exactly as the page writes it: every intersection is {i}."""
    d = len(Gz if Gz is not None else Ga)
    everything = frozenset(range(d))
    pa_z = _rows(Gz) if Gz is not None else None
    ch_z = _rows(np.asarray(Gz).T) if Gz is not None else None
    pa_a = _rows(Ga) if Ga is not None else None
    ch_a = _rows(np.asarray(Ga).T) if Ga is not None else None
    for i in range(d):
        inter = everything
        if Gz is not None:
            for j in ch_z[i]:
                inter &= pa_z[j]
            for j in pa_z[i]:
                inter &= ch_z[j]
        if Ga is not None:
            for l in pa_a[i]:
                inter &= ch_a[l]
        if inter != {i}:
            return False
    return True


def _verdict(C):
    d = len(C)
    identified = [i for i in range(d) if not any(C[i][j] for j in range(d) if j != i)]
    return len(identified) == d, identified


def _all_matrices(r, c):
    for bits in itertools.product((0, 1), repeat=r * c):
        yield np.array(bits, dtype=int).reshape(r, c)


def _graph(Gz, Ga):
    return ik.LatentGraph(Gz=Gz, Ga=Ga)


# ----------------------------------------------------------------------- the examples table

def _example_rows():
    text = _read(THEORY_PAGE)
    section = text.split("(theory-examples)=")[1].split("(theory-design)=")[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 7 or cells[0] in ("name",) or set(cells[0]) <= {"-"}:
            continue
        name, ref, reg, ga, gz, verdict, ident = cells
        rows.append(dict(name=name, reference=ref, regularize=reg,
                         Ga=None if ga == "-" else json.loads(ga),
                         Gz=None if gz == "-" else json.loads(gz),
                         verdict=verdict, identified=ident.split()))
    return rows


EXAMPLE_ROWS = _example_rows()


def test_the_examples_table_lists_every_small_graph_of_the_paper():
    assert [r["name"] for r in EXAMPLE_ROWS] == ["fig1", "ex3", "ex4", "ex5", "ex6", "ex7", "ex8"]


@pytest.mark.parametrize("row", EXAMPLE_ROWS, ids=[r["name"] for r in EXAMPLE_ROWS])
def test_examples_table_row_matches_brute_force_and_analyze(row):
    """Each row's verdict: by set inclusions on the page's matrices, by the intersections of
    Assumption 5, and by ``ik.analyze`` on the catalogue graph, which must be the page's graph."""
    ex = ik.examples.get(row["name"])
    assert ex.reference == row["reference"]
    assert ex.regularize == row["regularize"]
    for key in ("Ga", "Gz"):
        mine = getattr(ex.graph, key)
        assert (mine is None) == (row[key] is None)
        if mine is not None:
            assert mine.astype(int).tolist() == row[key]
    Ga = row["Ga"] if "a" in row["regularize"] else None
    Gz = row["Gz"] if "z" in row["regularize"] else None
    complete, identified = _verdict(brute_pattern(Gz, Ga))
    assert complete == (row["verdict"] == "complete") == brute_criterion(Gz, Ga)
    assert [f"z{i + 1}" for i in identified] == row["identified"]
    report = ik.analyze(ex.graph, ex.regularize)
    assert report.complete == complete
    assert list(report.identified) == identified


def test_example4_pattern_stated_in_the_text():
    """The page writes C for Example 4 explicitly."""
    text = _read(THEORY_PAGE)
    stated = re.search(r"In Example 4 the pattern is \$C = (\[\[.*?\]\])\$", text).group(1)
    C = [[int(x) for x in row] for row in brute_pattern(Ga=[[0], [1], [0]])]
    assert json.loads(stated) == C
    assert ik.entanglement_graph(ik.LatentGraph(Ga=[[0], [1], [0]])).astype(int).tolist() == C


@pytest.mark.parametrize("name", ["ActionBlockDiag", "TimeBlockDiag",
                                  "ActionBlockNonDiag", "TimeBlockNonDiag"])
def test_section8_block_graphs_leave_five_blocks_and_nondiag_adds_the_corner(name):
    ex = ik.examples.get(name)
    g = ex.graph
    C = np.array(brute_pattern(g.Gz if "z" in ex.regularize else None,
                               g.Ga if "a" in ex.regularize else None))
    expected = np.kron(np.eye(5, dtype=bool), np.ones((2, 2), dtype=bool))
    if "NonDiag" in name:
        expected[0:2, 8:10] = True
    assert (C == expected).all()
    assert (ik.entanglement_graph(g, ex.regularize) == expected).all()


@pytest.mark.parametrize("name", ["ActionDiag", "ActionNonDiag", "TimeDiag", "TimeNonDiag"])
def test_section8_complete_graphs(name):
    ex = ik.examples.get(name)
    g = ex.graph
    assert brute_criterion(g.Gz if "z" in ex.regularize else None,
                           g.Ga if "a" in ex.regularize else None)


# ----------------------------------------------------------------------- criterion and Prop 8

def _small_models():
    for Gz in _all_matrices(3, 3):
        yield Gz, None
    for Ga in _all_matrices(3, 3):
        yield None, Ga
    for Gz in _all_matrices(2, 2):
        for Ga in _all_matrices(2, 2):
            yield Gz, Ga


def test_criterion_holds_iff_pattern_is_identity_exhaustively():
    """The page: every set of Assumption 5 contains i, and j lies in all of them iff F_i ⊆ F_j;
    so the criterion holds iff C = I. All 3-latent temporal graphs, all 3x3 action graphs and all
    2-latent models with both graphs."""
    for Gz, Ga in _small_models():
        complete, _ = _verdict(brute_pattern(Gz, Ga))
        assert brute_criterion(Gz, Ga) == complete, (Gz, Ga)
        g = _graph(Gz, Ga)
        assert ik.satisfies_criterion(g) == complete == ik.analyze(g).complete, (Gz, Ga)


def test_prop8_self_loops_and_no_two_cycles_suffice():
    n = 0
    for Gz in _all_matrices(3, 3):
        if Gz.diagonal().all() and not (Gz * Gz.T - np.diag(Gz.diagonal())).any():
            n += 1
            assert brute_criterion(Gz=Gz), Gz
    assert n == 27  # three unordered pairs, each: no edge or one of two directions


def test_only_actions_regularized_criterion_is_an_antichain_of_parent_sets():
    for Ga in _all_matrices(3, 3):
        sets = _rows(Ga)
        antichain = all(not (sets[i] <= sets[j]) for i in range(3) for j in range(3) if i != j)
        g = ik.LatentGraph(Gz=np.ones((3, 3), dtype=int), Ga=Ga)
        assert ik.analyze(g, "a").complete == antichain, Ga


# ----------------------------------------------------------------------- permutation groups

def _brute_groups(Gz=None, Ga=None):
    d = len(Gz if Gz is not None else Ga)
    C = brute_pattern(Gz, Ga)
    preserving = automorphic = 0
    for p in itertools.permutations(range(d)):
        P = np.zeros((d, d), dtype=int)
        P[list(p), list(range(d))] = 1  # P[p[i], i] = 1
        if all(C[p[i]][i] for i in range(d)) and all(C[i][p[i]] for i in range(d)):
            preserving += 1
        ok = True
        if Gz is not None:
            ok &= bool((P @ np.asarray(Gz) @ P.T == np.asarray(Gz)).all())
        if Ga is not None:
            ok &= bool((P @ np.asarray(Ga) == np.asarray(Ga)).all())
        automorphic += ok
    return preserving, automorphic


def test_three_cycle_has_rotations_but_no_graph_preserving_permutation():
    Gz = [[1, 0, 1], [1, 1, 0], [0, 1, 1]]
    assert _brute_groups(Gz=Gz) == (1, 3)
    g = ik.LatentGraph(Gz=Gz)
    assert (ik.graph_preserving_permutations(g).order(), ik.automorphisms(g).order()) == (1, 3)


def test_graph_preserving_permutations_are_a_product_of_symmetric_groups_over_twins():
    """The page: the group is a product of symmetric groups, one per C-twin class, and lies
    inside the automorphism group. Every 3-latent temporal graph and 3x2 action graph."""
    cases = [(Gz, None) for Gz in _all_matrices(3, 3)] + [(None, Ga) for Ga in _all_matrices(3, 2)]
    for Gz, Ga in cases:
        C = brute_pattern(Gz, Ga)
        classes = {}
        for i in range(3):
            classes.setdefault(tuple(C[i][j] and C[j][i] for j in range(3)), []).append(i)
        product = math.prod(math.factorial(len(c)) for c in classes.values())
        preserving, automorphic = _brute_groups(Gz, Ga)
        assert preserving == product, (Gz, Ga)
        assert automorphic % preserving == 0, (Gz, Ga)
        g = _graph(Gz, Ga)
        assert ik.graph_preserving_permutations(g).order() == preserving
        assert ik.automorphisms(g).order() == automorphic


# ----------------------------------------------------------------------- partial disentanglement

def test_blocks_and_hasse_order_match_brute_force_on_small_action_graphs():
    for Ga in _all_matrices(3, 2):
        C = brute_pattern(Ga=Ga)
        classes = []
        for i in range(3):
            for cls in classes:
                if C[i][cls[0]] and C[cls[0]][i]:
                    cls.append(i)
                    break
            else:
                classes.append([i])
        strict = {(a, b) for a, A in enumerate(classes) for b, B in enumerate(classes)
                  if a != b and C[A[0]][B[0]]}
        hasse = {(a, b) for a, b in strict
                 if not any((a, w) in strict and (w, b) in strict for w in range(len(classes)))}
        r = ik.analyze(ik.LatentGraph(Ga=Ga))
        assert [list(b) for b in r.blocks] == classes, Ga
        assert set(r.order) == hasse, Ga


# ----------------------------------------------------------------------- experiment design

def _largest_antichain(m):
    subsets = [frozenset(s) for k in range(m + 1) for s in itertools.combinations(range(m), k)]
    for size in range(len(subsets), 0, -1):
        for fam in itertools.combinations(subsets, size):
            if all(not (a <= b or b <= a) for a, b in itertools.combinations(fam, 2)):
                return size
    return 0


def test_sperner_bound_by_brute_force_and_the_fewest_interventions():
    for m in range(1, 4):
        assert _largest_antichain(m) == math.comb(m, m // 2)
    for d in range(2, 130):
        m = next(m for m in itertools.count(1) if math.comb(m, m // 2) >= d)
        assert sperner_minimum(d) == m
    assert sperner_minimum(100) == 9  # the page's example


@pytest.mark.parametrize("d", [2, 3, 5, 6])
def test_design_with_time_attains_sperner_and_static_needs_d_single_targets(d):
    des = design_interventions(d)
    assert des.n_interventions == sperner_minimum(d)
    static = design_interventions(d, temporal=False)
    assert static.n_interventions == d


# ----------------------------------------------------------------------- mechanism examples

MECHANISM_CLAIMS = [  # (catalogue name, assumption, holds): the page's failure-mode section
    ("ex10", "Assumption 6", True),
    ("ex10-linear", "Assumption 6", False),
    ("ex11", "Assumption 7", True),
    ("remark6", "Assumption 7", False),
    ("ex12", "Assumption 7", True),
    ("ex14-constant", "Assumption 8", False),
    ("ex14-varying", "Assumption 8", True),
    ("ex16", "Assumption 8", False),
    ("ex16", "Assumption 11", True),
]


@pytest.mark.parametrize("name,assumption,holds", MECHANISM_CLAIMS)
def test_mechanism_examples_behave_as_the_failure_modes_say(name, assumption, holds):
    from identkit.symbolic import check_assumptions

    ex = ik.examples.get("mechanism-" + name)
    verdicts = [v.holds for v in check_assumptions(worked_mechanism(ex.name)).all()
                if v.assumption == assumption]
    assert verdicts, f"{name}: no {assumption} verdict"
    assert all(v is holds for v in verdicts) if holds else any(v is False for v in verdicts)


def _justified_pattern(graph, regularize, report):
    """The combination rule of the page: conjunction of the patterns whose assumptions hold,
    all ones when none holds; a verdict that is not True never counts."""
    d = graph.n_latents
    C = [[True] * d for _ in range(d)]
    action_assumptions = ("Assumption 6", "Assumption 7")
    holds = {"a": [v.holds for v in report.all() if v.assumption in action_assumptions],
             "z": [v.holds for v in report.all() if v.assumption == "Assumption 8"]}
    for letter in regularize:
        if holds[letter] and all(h is True for h in holds[letter]):
            Ck = brute_pattern(Gz=graph.Gz if letter == "z" else None,
                               Ga=graph.Ga if letter == "a" else None)
            C = [[C[i][j] and Ck[i][j] for j in range(d)] for i in range(d)]
    return C


@pytest.mark.parametrize("name,complete", [("ex10", True), ("ex11", True), ("ex12", True),
                                           ("ex10-linear", False), ("remark6", False)])
def test_combination_rule_reproduces_the_papers_mechanism_verdicts(name, complete):
    """Example 12: Assumption 7 holds and Assumption 8 does not; Theorem 2 alone gives Ca = I,
    so the rule of the page says complete, as the paper does."""
    from identkit.symbolic import check_assumptions

    ex = ik.examples.get("mechanism-" + name)
    mech = worked_mechanism(ex.name)
    g = mech.derive_graph().graph
    C = _justified_pattern(g, g.graphs, check_assumptions(mech))
    assert _verdict(C)[0] == complete


# ----------------------------------------------------------------------- architecture page

def _layers():
    layers = {}
    for line in _read(ARCHITECTURE_PAGE).splitlines():
        m = re.match(r"\|\s*(\d+)\s*\|\s*`([\w_]+)`\s*\|", line)
        if m:
            layers[m.group(2)] = int(m.group(1))
    return layers


def _identkit_imports(path, rel):
    """(imported top-level identkit module, lineno, inside a function) for every import of the
    file at ``rel`` inside the package (relative imports, and absolute ``identkit.`` ones as the
    theorems folder writes them); external modules are prefixed ``<ext>``."""
    tree = ast.parse(_read(path))
    out = []

    def visit(node, in_func):
        for child in ast.iter_child_nodes(node):
            f = in_func or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            absolute = isinstance(child, ast.ImportFrom) and not child.level and (
                child.module == "identkit" or (child.module or "").startswith("identkit."))
            if isinstance(child, ast.ImportFrom) and (child.level or absolute):
                if absolute:
                    target = child.module.split(".")[1:]
                else:
                    # the package this file's relative imports start from
                    base = rel[:-1]
                    up = base[: len(base) - (child.level - 1)] if child.level > 1 else base
                    target = up + (child.module.split(".") if child.module else [])
                if target:
                    out.append((target[0], child.lineno, f))
                else:
                    out.extend((a.name, child.lineno, f) for a in child.names)
            elif isinstance(child, ast.Import) and any(
                    a.name.startswith("identkit.") for a in child.names):
                out.extend((a.name.split(".")[1], child.lineno, f) for a in child.names)
            elif isinstance(child, (ast.Import, ast.ImportFrom)):
                names = ([a.name for a in child.names] if isinstance(child, ast.Import)
                         else [child.module or ""])
                out.extend(("<ext>" + n.split(".")[0], child.lineno, f) for n in names)
            visit(child, f)

    visit(tree, False)
    return out


# where each folder of the package is in the repository: identkit.theorems is the top-level
# theorems/ folder (package-dir in pyproject.toml)
PACKAGE_FOLDERS = {(): "identkit", ("theorems",): "theorems"}


def _package_files():
    """(path, path inside the package as a list, path shown in messages) of every module."""
    for prefix, folder in PACKAGE_FOLDERS.items():
        top = os.path.join(ROOT, folder)
        for dirpath, _, files in os.walk(top):
            for fn in sorted(files):
                if fn.endswith(".py"):
                    path = os.path.join(dirpath, fn)
                    inner = os.path.relpath(path, top).split(os.sep)
                    yield path, list(prefix) + inner, "/".join([folder] + inner)


def test_architecture_table_covers_every_module_and_imports_flow_down():
    layers = _layers()
    core_max = 4
    optional = {"matplotlib", "sklearn", "yaml"}
    # the extras of the top floors: imported at module level only inside their own subpackage
    extras = {"jax": {"learn"}, "optax": {"learn"}, "dask": {"sweep"}, "distributed": {"sweep"}}
    backends = {m for m, k in layers.items() if k > core_max}
    problems = []
    for path, rel, shown in _package_files():
        if rel == ["__init__.py"]:
            continue  # the facade re-exports the API
        module = rel[0][:-3] if len(rel) == 1 else rel[0]
        if module not in layers:
            problems.append(f"{shown} is not in the module table of the architecture page")
            continue
        for target, line, in_func in _identkit_imports(path, rel):
            where = f"{shown}:{line}"
            if target.startswith("<ext>"):
                ext = target[5:]
                if ext in optional and not in_func:
                    problems.append(f"{where} imports the optional {ext} at module level")
                if ext in extras and module not in extras[ext]:
                    problems.append(f"{where}: {module} imports {ext}, which only "
                                    f"{', '.join(sorted(extras[ext]))} may import")
                if layers[module] <= core_max and ext in {"matplotlib", "sklearn", "sympy"}:
                    problems.append(f"{where}: the core imports {ext}")
                continue
            if target == module or target == "__version__":
                continue
            if target not in layers:
                problems.append(f"{where} imports identkit.{target}, missing from the table")
            elif layers[target] > layers[module] and not (target == "_display" and in_func):
                # the one documented exception: notebook hooks load _display lazily
                problems.append(f"{where}: {module} (layer {layers[module]}) imports {target} "
                                f"(layer {layers[target]})")
            if layers[module] <= core_max and target in backends and not (
                    target == "_display" and in_func):
                problems.append(f"{where}: the core imports {target}")
    assert not problems, "\n".join(problems)


# ----------------------------------------------------------------------- metrics (§6)

def _sqrt_r2(y, X):
    """√R² of an in-sample least-squares fit of y on X with an intercept (numpy lstsq)."""
    A = np.column_stack([np.ones(len(y)), X]) if X.shape[1] else np.ones((len(y), 1))
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    res = y - A @ coef
    r2 = 1.0 - (res @ res) / ((y - y.mean()) @ (y - y.mean()))
    return math.sqrt(max(r2, 0.0))


def test_metrics_follow_their_definitions_and_are_ordered():
    """MCC by the best of all permutations, R and Rcon by plain least squares on the learned
    latents allowed by row i of C P̂ᵀ, and 0 ≤ MCC ≤ Rcon ≤ R ≤ 1, on Example 8's graph with a
    nonlinear C-preserving entanglement."""
    from identkit.metrics import mcc, r_score, rcon

    rng = np.random.default_rng(18)
    g = ik.LatentGraph(Gz=[[1, 0, 0], [1, 1, 1], [1, 1, 1]])
    C = ik.entanglement_graph(g)
    z = rng.standard_normal((400, 3))
    M = rng.uniform(0.5, 1.5, (3, 3)) * C           # C-preserving: zhat_j mixes only allowed z
    perm = [2, 0, 1]                                  # learned latent perm[i] carries true i
    mixed = np.tanh(z @ M.T) + 0.3 * z @ M.T + 0.05 * rng.standard_normal(z.shape)
    zhat = np.empty_like(mixed)
    zhat[:, perm] = mixed
    corr = np.abs(np.corrcoef(z.T, zhat.T)[:3, 3:])
    best = max(itertools.permutations(range(3)),
               key=lambda p: sum(corr[i, p[i]] for i in range(3)))
    res = mcc(z, zhat)
    assert tuple(res.matching) == best == tuple(perm)
    assert res.score == pytest.approx(np.mean([corr[i, best[i]] for i in range(3)]), abs=1e-12)
    r = np.mean([_sqrt_r2(z[:, i], zhat) for i in range(3)])
    assert r_score(z, zhat).value == pytest.approx(r, abs=1e-9)
    allowed = [[best[k] for k in range(3) if C[i, k]] for i in range(3)]
    rc = np.mean([_sqrt_r2(z[:, i], zhat[:, allowed[i]]) for i in range(3)])
    assert rcon(g, z, zhat).value == pytest.approx(rc, abs=1e-9)
    assert 0 <= res.score <= rc <= r <= 1


def test_normalized_shd_matches_its_formula_on_every_two_latent_model():
    from identkit.metrics import shd

    graphs = [(Gz, Ga) for Gz in _all_matrices(2, 2) for Ga in _all_matrices(2, 1)]
    models = [ik.LatentGraph(Gz=Gz, Ga=Ga) for Gz, Ga in graphs]
    for (Gz, Ga), g in zip(graphs, models):
        for (Hz, Ha), h in zip(graphs[::7], models[::7]):
            for p in itertools.permutations(range(2)):
                P = np.zeros((2, 2), dtype=int)
                P[list(p), [0, 1]] = 1
                diff = (np.abs(Ga - P.T @ Ha).sum() + np.abs(Gz - P.T @ Hz @ P).sum())
                assert shd(g, h, matching=list(p)).value == pytest.approx(diff / (2 * 1 + 4))
