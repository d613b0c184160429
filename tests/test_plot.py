"""Pictures: checked by geometry (label boxes, legend, what is drawn), never by pixels."""

import itertools
import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings, strategies as st

pytest.importorskip("matplotlib")
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402

import identkit as ik  # noqa: E402
from identkit import LatentGraph, plot  # noqa: E402

JOINTS = ["base_yaw", "shoulder_pitch", "elbow_pitch", "wrist_pitch", "wrist_roll"]


def robot_arm():
    """A 5-joint arm: each joint follows itself and its neighbour; one torque per joint."""
    temporal = [(j, j) for j in JOINTS] + list(zip(JOINTS, JOINTS[1:]))
    actions = [f"torque_{j}" for j in JOINTS]
    return LatentGraph.from_edges(temporal, list(zip(actions, JOINTS)), latents=JOINTS,
                                  actions=actions)


def gene_network():
    """An 8-gene temporal model: each gene regulates itself and the gene three along."""
    genes = [f"gene_{c}" for c in "ABCDEFGH"]
    return LatentGraph.from_edges([(g, g) for g in genes]
                                  + [(genes[k], genes[(k + 3) % 8]) for k in range(8)],
                                  latents=genes)


def many_long_names(d=40):
    names = [f"long_sensor_name_{k}" for k in range(d)]
    return LatentGraph.from_edges([(n, n) for n in names] + list(zip(names[::2], names[1::2])),
                                  latents=names)


def rendered(fig):
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def label_boxes(fig):
    """Window boxes of every name drawn: node boxes (with their padding) and tick labels."""
    r = rendered(fig)
    out = []
    for k, ax in enumerate(fig.axes):
        for t in ax.texts:
            patch = t.get_bbox_patch()
            out.append((k, "node", t.get_text(), (patch or t).get_window_extent(r)))
        for kind, ticks in (("x", ax.get_xticklabels()), ("y", ax.get_yticklabels())):
            out += [(k, kind, t.get_text(), t.get_window_extent(r)) for t in ticks
                    if t.get_text()]
    return out


def overlapping(boxes):
    return [(a[2], b[2]) for a, b in itertools.combinations(boxes, 2)
            if a[0] == b[0] and a[1] == b[1] and a[3].overlaps(b[3])]


# ------------------------------------------------------------------------------- geometry


@pytest.mark.parametrize("make", [robot_arm, gene_network, many_long_names])
def test_names_collided_when_nodes_were_spaced_one_unit_apart(make):
    g = make()
    boxes = label_boxes(plot.draw(g))
    assert len([b for b in boxes if b[1] == "node"]) == 2 * g.n_latents + g.n_actions
    assert overlapping(boxes) == []


@pytest.mark.parametrize("name", ["fig1", "ex3", "ActionDiag", "ActionBlockNonDiag",
                                  "TimeBlockDiag"])
def test_names_collide_in_no_catalogue_example(name):
    """One example of each shape of the catalogue: 3 latents with 1 or 3 actions, 10 latents
    with 10, 5 or no actions."""
    ex = ik.examples.get(name)
    assert overlapping(label_boxes(plot.draw(ex.graph, ex.regularize))) == []


def test_a_short_row_is_spread_over_the_width_of_the_longest():
    g = LatentGraph(Ga=np.eye(2, 6, dtype=bool), actions=[f"intervention_{k}" for k in range(6)])
    L = plot._graph_layout(g)
    step_a = L["xa"][1] - L["xa"][0]
    assert L["width"] == pytest.approx(6 * step_a)
    assert L["xz"][1] - L["xz"][0] == pytest.approx(L["width"] / 2)  # 2 latents share it
    assert overlapping(label_boxes(plot.draw(g))) == []


def test_long_rows_are_turned_upright_and_short_rows_are_not():
    fig = plot.draw(many_long_names())
    assert {t.get_rotation() for t in fig.axes[0].texts} == {90.0}
    fig = plot.draw(robot_arm())
    assert {t.get_rotation() for t in fig.axes[0].texts} == {0.0}


def test_legend_was_missing_for_the_colours():
    fig = plot.draw(ik.examples.get("fig1").graph)
    assert len(fig.legends) == 1
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    for want in ("identified latent", "entangled block (may mix freely)", "temporal edge",
                 "action edge", "action", "not allowed"):
        assert want in labels
    assert any(lab.startswith("allowed") for lab in labels)
    # a model without actions has no action entries in its legend
    labels = [t.get_text() for t in plot.draw(gene_network()).legends[0].get_texts()]
    assert "action edge" not in labels and "action" not in labels


def _outside_math(text):
    return re.sub(r"\$[^$]*\$", "", text.replace(r"\$", ""))


def test_axis_labels_showed_literal_underscores_instead_of_subscripts():
    fig = plot.draw(ik.examples.get("ex8").graph)
    texts = [ax.get_xlabel() for ax in fig.axes] + [ax.get_ylabel() for ax in fig.axes]
    texts += [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    assert r"$\hat{z}_j$" in fig.axes[1].get_xlabel() and "$z_i$" in fig.axes[1].get_ylabel()
    for t in texts:
        assert "_" not in _outside_math(t), t
    assert [t.get_text() for t in fig.axes[0].texts][:1] == ["$z_{1}$"]


@pytest.mark.parametrize("name, want", [
    ("z1", "$z_{1}$"), ("a12", "$a_{12}$"), ("x_t", "$x_{t}$"), ("z_3", "$z_{3}$"),
    ("wrist_pitch", "wrist_pitch"), ("gene_A", "gene_A"), ("cost $5", r"cost \$5"),
    ("🤖 robot", "U+1F916 robot"), ("ẑ", "ẑ"),
])
def test_label(name, want):
    assert plot.label(name) == want


@settings(max_examples=40)
@given(st.text(min_size=1, max_size=8).filter(lambda s: s.strip()))
def test_every_name_renders_without_a_warning_or_a_mathtext_error(name):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1))
    fig.text(0.5, 0.5, plot.label(name))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rendered(fig)


def test_emoji_names_drew_empty_boxes_with_a_warning_per_glyph(tmp_path):
    g = LatentGraph.from_edges([("🤖 robot", "🤖 robot"), ("⚽ ball", "⚽ ball"),
                                ("🤖 robot", "⚽ ball")])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plot.draw(g)
        plot.save(fig, tmp_path / "emoji.png")
        plot.save(fig, tmp_path / "emoji.svg")
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert texts == {"U+1F916 robot", plot.label("⚽ ball")}
    assert overlapping(label_boxes(fig)) == []


# ------------------------------------------------------------------------------ large models


def blocks_model(d, size=3, seed=0):
    """d latents in twin classes of ``size``: members share parents and children."""
    rng = np.random.default_rng(seed)
    k = d // size
    B = sp.random_array((k, k), density=min(1.0, 3 / k), rng=rng, format="csr").astype(bool)
    B = (B + sp.eye_array(k, dtype=bool)).astype(bool)
    E = sp.kron(B, np.ones((size, size), dtype=bool), format="csr").astype(bool)
    return LatentGraph(Gz=E)


def test_large_models_are_summarised_without_names():
    g = blocks_model(120)
    fig = plot.draw(g)
    graphs, pattern = fig.axes
    for ax in fig.axes:
        assert len(ax.texts) == 0
        assert not any(t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels())
    assert len(graphs.images) == 1 and len(pattern.images) == 1
    assert pattern.images[0].get_array().shape[:2] == (120, 120)
    r = ik.analyze(g)
    assert len(pattern.collections) == 1  # one collection holds every block outline
    assert len(pattern.collections[0].get_paths()) == sum(len(b) > 1 for b in r.blocks)
    assert "40 blocks" in fig._suptitle.get_text()
    assert len(fig.legends) == 1


def test_summarised_pattern_marks_identified_latents_and_allowed_entries():
    g = LatentGraph(Gz=sp.eye_array(50, dtype=bool, format="csr"))  # all identified, none mix
    r = ik.analyze(g)
    img = plot.draw(g, report=r).axes[1].images[0].get_array()
    green = np.all(img == (0x2e, 0x7d, 0x32), axis=-1)
    assert np.array_equal(green, np.eye(50, dtype=bool))
    g = LatentGraph(Gz=np.ones((50, 50), dtype=bool))  # one block: everything allowed
    img = plot.draw(g).axes[1].images[0].get_array()
    assert np.all(img == (0x9e, 0x9e, 0x9e))


def test_summary_threshold():
    assert not plot._summarised(LatentGraph(Gz=np.eye(plot.SUMMARY_ABOVE, dtype=bool)))
    assert plot._summarised(LatentGraph(Gz=np.eye(plot.SUMMARY_ABOVE + 1, dtype=bool)))
    assert plot._summarised(LatentGraph(Ga=np.ones((2, plot.SUMMARY_ABOVE + 1), dtype=bool)))


def _pool_dense(M, f):
    """Any-pooling of a dense boolean matrix in f x f cells, by padding and reshaping."""
    r, c = -(-M.shape[0] // f), -(-M.shape[1] // f)
    P = np.zeros((r * f, c * f), dtype=bool)
    P[: M.shape[0], : M.shape[1]] = M
    return P.reshape(r, f, c, f).any(axis=(1, 3))


def test_pooled_images_agree_with_dense_pooling_of_the_ordered_matrices():
    """Above 600 latents a pixel holds f x f entries; the sparse route of plot must colour
    exactly the cells a dense any-pooling of the block-ordered Gz and C colours."""
    g = blocks_model(1203, size=3, seed=1)  # f = 3, and 1203 is not a multiple of 600
    g = g.permute(np.random.default_rng(2).permutation(1203))  # twins no longer side by side
    r = ik.analyze(g)
    fig = plot.draw(g, report=r)
    f = plot._pixels(g.n_latents)
    assert f == 3
    order = [i for b in r.blocks for i in b]
    C = r.entanglement_graph[np.ix_(order, order)]
    img = fig.axes[1].images[0].get_array()
    assert np.array_equal(np.any(img != 255, axis=-1), _pool_dense(C, f))
    Gz = g.Gz[np.ix_(order, order)]
    img = fig.axes[0].images[0].get_array()
    assert np.array_equal(np.any(img != 255, axis=-1), _pool_dense(Gz, f))


def test_draw_graph_takes_the_graph_first_and_the_old_axes_first_order_still_works():
    from matplotlib.figure import Figure

    g = ik.examples.get("fig1").graph
    new_ax, old_ax = Figure().subplots(), Figure().subplots()
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # the new order does not warn
        plot.draw_graph(g, new_ax)
    with pytest.warns(DeprecationWarning, match="graph first"):
        plot.draw_graph(old_ax, g)
    texts = sorted(t.get_text() for t in new_ax.texts)
    assert texts == sorted(t.get_text() for t in old_ax.texts) and "robot" in texts
