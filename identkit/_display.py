"""Rich display in Jupyter: the HTML that models, reports and mechanism checks show themselves as.

Each object's ``_repr_html_`` calls one function here. The HTML carries the verdict, the
explanation and the names as text (so it can be searched and copied), and the picture of
:func:`identkit.plot.draw` as an embedded SVG image when matplotlib is installed. Without
matplotlib, small models show their pattern C as an HTML table instead; nothing is lost but the
graph drawing.
"""

from __future__ import annotations

import base64
from html import escape

from .errors import DependencyError

#: Patterns larger than this are not written out as HTML tables (the picture summarises them).
TABLE_MAX = 40
#: At most this many entangled pairs are explained in the HTML.
MAX_EXPLANATIONS = 20


def _picture(report) -> str:
    """The figure of ``report`` as an ``<img>`` with an embedded SVG, or a table without matplotlib."""
    try:
        from . import plot

        fig = plot.draw(report.graph, report=report)
    except DependencyError:
        return _pattern_table(report) + (
            "<p><em>Install identkit[plot] (matplotlib) to see the graphs drawn.</em></p>")
    data = base64.b64encode(plot.to_svg(fig).encode("utf-8")).decode("ascii")
    alt = escape(f"The graphs and the entanglement pattern: {report.summary()}")
    return (f'<img src="data:image/svg+xml;base64,{data}" alt="{alt}" '
            'style="max-width:100%;height:auto"/>')


def _pattern_table(report) -> str:
    """The pattern C as an HTML table with names (rows: true latents, columns: learned)."""
    g = report.graph
    d = g.n_latents
    if d > TABLE_MAX:
        return f"<p>(the {d} x {d} pattern C is too large for a table)</p>"
    C = report.entanglement_graph
    names = [escape(n) for n in g.latents]
    head = "".join(f"<th>{n}</th>" for n in names)
    rows = []
    for i in range(d):
        cells = "".join("<td>&#9632;</td>" if C[i, j] else "<td></td>" for j in range(d))
        rows.append(f"<tr><th>{names[i]}</th>{cells}</tr>")
    return ('<table class="identkit-pattern"><caption>Pattern C: true latent (row) may depend '
            f"on learned latent (column)</caption><tr><th></th>{head}</tr>{''.join(rows)}</table>")


def _names(names, limit: int = 12) -> str:
    shown = ", ".join(escape(n) for n in names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")


def _details(report) -> str:
    """Identified latents, blocks and the reasons, as HTML lists."""
    g = report.graph
    out = []
    if not report.complete:
        ident = [g.latents[i] for i in report.identified]
        out.append(f"<p><b>Identified latents</b> (row of C is {{i}}): "
                   f"{_names(ident) if ident else 'none'}</p>")
        blocks = [b for b in report.blocks if len(b) > 1]
        if blocks:
            items = "".join(f"<li>{escape(g.latent_set(b))}</li>" for b in blocks[:MAX_EXPLANATIONS])
            more = (f"<li>... and {len(blocks) - MAX_EXPLANATIONS} more</li>"
                    if len(blocks) > MAX_EXPLANATIONS else "")
            out.append(f"<p><b>Entangled blocks</b> (may mix freely):</p><ul>{items}{more}</ul>")
        rows, cols = report.pairs
        shown = min(MAX_EXPLANATIONS, rows.size)
        items = "".join(f"<li>{escape(report.explain(int(rows[k]), int(cols[k])))}</li>"
                        for k in range(shown))
        if rows.size > shown:
            items += f"<li>... and {rows.size - shown} more entangled pairs</li>"
        out.append(f"<p><b>Why</b> (true latent may depend on learned latent):</p><ul>{items}</ul>")
    out.append(f"<p><b>Assumptions:</b> {escape(report.assumptions)}</p>")
    return "".join(out)


def graph_html(g) -> str:
    """HTML of a :class:`~identkit.LatentGraph`: its size and names, its picture, its verdict.

    Examples
    --------
    >>> import identkit as ik
    >>> html = ik.examples.get("fig1").graph._repr_html_()   # what Jupyter shows
    >>> "robot" in html, "Complete disentanglement is guaranteed" in html, "<img" in html
    (True, True, True)
    """
    from .report import analyze

    report = analyze(g)
    parts = [f"{g.n_latents} latents ({_names(g.latents)})"]
    if g.Ga_sparse is not None:
        parts.append(f"{g.n_actions} actions ({_names(g.actions)})")
    if g.Gz_sparse is not None:
        parts.append(f"Gz with {g.n_edges('z')} edges")
    if g.Ga_sparse is not None:
        parts.append(f"Ga with {g.n_edges('a')} edges")
    return ('<div class="identkit identkit-graph">'
            f"<p><b>LatentGraph</b>: {'; '.join(parts)}</p>"
            f"{_picture(report)}"
            f"<p><b>Verdict</b>: {escape(report.summary())}</p>"
            f"<details><summary>as code</summary><pre>{escape(repr(g))}</pre></details>"
            "</div>")


def report_html(report) -> str:
    """HTML of an :class:`~identkit.report.EntanglementReport`: verdict, picture, reasons.

    Examples
    --------
    >>> import identkit as ik
    >>> html = ik.analyze(ik.examples.get("ex8").graph)._repr_html_()
    >>> "{z2, z3}" in html, "true z2 may depend on learned z3" in html
    (True, True)
    """
    return ('<div class="identkit identkit-report">'
            f"<p><b>Verdict</b>: {escape(report.summary())}</p>"
            f"{_picture(report)}{_details(report)}</div>")


def mechanism_html(check) -> str:
    """HTML of a mechanism check: the verdict, the derived graphs, each assumption, the reasons."""
    word = {True: "holds", False: "fails", None: "does not apply"}
    rows = "".join(
        f"<tr><td>{escape(v.assumption)}</td><td>{escape(v.target)}</td>"
        f"<td>{word[v.holds]}</td><td>{escape(v.route)}</td><td>{escape(v.certificate)}</td></tr>"
        for v in check.assumptions.all())
    table = ("<table><tr><th>assumption</th><th>target</th><th>verdict</th><th>route</th>"
             f"<th>certificate</th></tr>{rows}</table>") if rows else "<p>no assumption applies</p>"
    return ('<div class="identkit identkit-mechanism">'
            f"<p><b>Verdict</b>: {escape(check.verdict())}</p>"
            f"{_picture(check.report)}"
            f"<p><b>Sufficient-influence assumptions</b></p>{table}"
            f"<p><b>Graph analysis</b>: {escape(check.report.summary())}</p>"
            f"{_details(check.report)}</div>")
