"""How models, reports and mechanism checks show themselves: ``repr`` that rebuilds a small model,
and the HTML Jupyter displays (verdict, names, reasons and picture) without a call to ``draw``."""

import base64
import re
import sys

import pytest
from hypothesis import given, settings, strategies as st

import identkit as ik
from identkit import LatentGraph
from identkit.strategies import latent_graphs
from identkit.symbolic import check_mechanism, mechanism_from_dict


def _rebuild(g):
    return eval(repr(g), {"LatentGraph": LatentGraph})  # the test's own round trip, not library code


# ------------------------------------------------------------------------------------ repr


@settings(max_examples=60)
@given(latent_graphs(max_latents=6))
def test_repr_showed_only_counts_so_a_shrunk_counterexample_could_not_be_pasted_back(g):
    h = _rebuild(g)
    assert h == g
    assert h.graphs == g.graphs and h.latents == g.latents and h.actions == g.actions


@pytest.mark.parametrize("g", [
    LatentGraph(Gz=[[0, 0], [0, 0]]),                                   # Gz without an edge
    LatentGraph(Ga=[[0], [0]]),                                         # Ga without an edge
    LatentGraph(Gz=[[0, 0], [0, 0]], Ga=[[0, 0], [0, 0]]),             # both, both empty
    LatentGraph(Ga=[[1, 0], [0, 1], [1, 1]], actions=["push it", "a'b"]),
    LatentGraph.from_edges([("🤖 robot", "⚽ ball"), ('say "hi"', "🤖 robot")],
                           [("x -> y, z", "⚽ ball")]),
    ik.examples.get("fig1").graph,
])
def test_repr_rebuilds_models_with_empty_graphs_and_awkward_names(g):
    assert _rebuild(g) == g


def test_repr_lists_the_edges_by_name():
    g = ik.examples.get("fig1").graph
    text = repr(g)
    assert text.startswith("LatentGraph.from_edges(")
    assert "('tree', 'robot')" in text and "('torque', 'robot')" in text


def test_repr_of_a_large_model_is_a_one_line_summary():
    g = LatentGraph(Gz=[[1] * 30] * 30)  # 900 edges: too many to list
    assert repr(g) == "<LatentGraph: 30 latents, Gz with 900 edges>"
    g = LatentGraph(Ga=[[1]] * 61)        # 62 names
    assert repr(g).startswith("<LatentGraph: 61 latents")


def test_report_repr_names_the_verdict():
    r = ik.analyze(ik.examples.get("ex8").graph)
    assert repr(r) == ("<EntanglementReport: partial, 1 of 3 latents identified, "
                       "1 entangled block(s), regularized 'z'>")


# ------------------------------------------------------------------------------------ HTML


def _svg_of(html):
    m = re.search(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)
    assert m, "no embedded SVG picture"
    return base64.b64decode(m.group(1)).decode("utf-8")


def test_graph_html_shows_names_picture_verdict_and_code():
    g = LatentGraph.from_edges([("wrist_pitch", "wrist_pitch"), ("wrist_roll", "wrist_roll")],
                               [("torque", "wrist_pitch")])
    html = g._repr_html_()
    assert "wrist_pitch" in html and "wrist_roll" in html and "torque" in html
    assert "<svg" in _svg_of(html)
    assert ik.analyze(g).summary() in html
    assert "LatentGraph.from_edges(" in html  # the code that rebuilds it, HTML-escaped
    assert "&#x27;wrist_pitch&#x27;" in html


def test_report_html_shows_verdict_blocks_and_reasons():
    r = ik.analyze(ik.examples.get("ex8").graph)
    html = r._repr_html_()
    assert "Complete disentanglement is NOT guaranteed" in html
    assert "{z2, z3}" in html
    assert "true z2 may depend on learned z3" in html
    assert "Assumptions:" in html and "<svg" in _svg_of(html)


def test_complete_report_html_says_so_and_lists_no_blocks():
    r = ik.analyze(ik.examples.get("fig1").graph)
    html = r._repr_html_()
    assert "Complete disentanglement is guaranteed" in html
    assert "Entangled blocks" not in html


def test_mechanism_html_shows_verdict_and_each_assumption():
    ex = ik.examples.get("mechanism-remark6")
    res = check_mechanism(mechanism_from_dict(ex.spec, source=ex.name))
    html = res._repr_html_()
    assert res.verdict().split(":")[0] in html
    for v in res.assumptions.all():
        assert v.assumption in html
    assert "fails" in html and "<svg" in _svg_of(html)


def test_html_escapes_names():
    g = LatentGraph.from_edges([("<b>x</b>", "y&z")])
    html = g._repr_html_()
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html and "y&amp;z" in html


def test_html_without_matplotlib_falls_back_to_a_table_of_the_pattern(monkeypatch):
    for mod in ("matplotlib", "matplotlib.figure", "matplotlib.patches"):
        monkeypatch.setitem(sys.modules, mod, None)
    r = ik.analyze(ik.examples.get("fig1").graph, "a")  # C is not symmetric: Example 4
    html = r._repr_html_()
    assert "<img" not in html and "identkit[plot]" in html
    rows = re.findall(r"<tr><th>(\w+)</th>((?:<td>(?:&#9632;)?</td>)+)</tr>", html)
    table = [[cell == "<td>&#9632;</td>" for cell in re.findall(r"<td>(?:&#9632;)?</td>", cells)]
             for _, cells in rows]
    assert [name for name, _ in rows] == list(r.graph.latents)
    assert table == r.entanglement_graph.tolist()  # row i, column j is C[i, j]
    assert "true tree may depend on learned robot" in html


@settings(max_examples=25)
@given(latent_graphs(max_latents=4), st.sampled_from(["graph", "report"]))
def test_html_carries_every_name_and_the_verdict(g, kind):
    """The text of the HTML, over many models (the picture is checked above and in test_plot)."""
    import identkit._display as display

    saved = display._picture
    display._picture = lambda report: ""
    try:
        r = ik.analyze(g)
        html = g._repr_html_() if kind == "graph" else r._repr_html_()
    finally:
        display._picture = saved
    assert r.summary() in html
    if kind == "graph":
        assert all(n in html for n in g.latents + g.actions)
