"""Write the generated pages of the documentation: one catalogue page per worked example of the
paper, and the CLI reference from the command's own parser.

Run ``python docs/_tools/build_pages.py`` after changing the catalogues or the CLI; the test
suite fails when the committed pages differ from what this script writes.
"""

from __future__ import annotations

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DOCS = os.path.dirname(HERE)


def _graph_page(ex) -> str:
    import identkit as ik

    g = ex.graph
    r = ik.analyze(g, ex.regularize)
    C = r.entanglement_graph.astype(int).tolist()
    ident = [g.latents[i] for i in r.identified]
    blocks = [[g.latents[i] for i in b] for b in r.blocks if len(b) > 1]
    lines = [f"# {ex.reference}: {ex.title}", ""]
    lines += [f"Catalogue name `{ex.name}`; regularized graphs: `{ex.regularize}`. The paper's "
              f"verdict: **{'complete' if ex.complete else 'partial'} disentanglement**"
              + ("." if ex.complete else
                 f", identified: {', '.join(ex.identified) if ex.identified else 'none'}."), ""]
    lines += [f"![The graphs of {ex.reference} and their entanglement pattern]"
              f"(../_generated/{ex.name}.svg)", ""]
    lines += ["## The graphs (rows are children)", "", "```"]
    if g.Gz is not None:
        lines.append("Gz = " + json.dumps(g.Gz.astype(int).tolist()))
    if g.Ga is not None:
        lines.append("Ga = " + json.dumps(g.Ga.astype(int).tolist()))
    lines += ["```", "", "## Reproduce the verdict", "", "```python",
              ">>> import identkit as ik",
              f">>> ex = ik.examples.get({ex.name!r})",
              ">>> report = ik.analyze(ex.graph, ex.regularize)",
              ">>> report.complete",
              str(r.complete),
              ">>> [ex.graph.latents[i] for i in report.identified]",
              repr(ident),
              ">>> ik.entanglement_graph(ex.graph, ex.regularize).astype(int).tolist()",
              json.dumps(C).replace("],", "],"), "", "```", ""]
    if blocks:
        lines += ["## Why", "", "The blocks " + ", ".join("{" + ", ".join(b) + "}" for b in blocks)
                  + " may mix freely. For example:", ""]
        rows, cols = r.pairs
        for k in range(min(4, rows.size)):
            lines.append(f"- {r.explain(int(rows[k]), int(cols[k]))}")
        lines.append("")
    lines += ["## What it rests on", "", r.assumptions, ""]
    return "\n".join(lines)


def _mechanism_page(ex) -> str:
    from identkit.symbolic import check_mechanism, mechanism_from_dict

    res = check_mechanism(mechanism_from_dict(ex.spec, source=ex.name))
    g = res.derived.graph
    lines = [f"# {ex.reference}: {ex.title}", "",
             f"Catalogue name `{ex.name}`: a worked mechanism (an entry of kind `mechanism` of "
             "`identkit.examples`).", "",
             f"![The graphs derived from {ex.reference} and their entanglement pattern]"
             f"(../_generated/{ex.name}.svg)", "",
             "## The mechanism file", "", "```yaml"]
    import yaml

    lines += yaml.safe_dump(ex.spec, sort_keys=False, width=100).rstrip().splitlines()
    lines += ["```", "", "## Derived graphs (rows are children)", "", "```"]
    if g.Gz is not None:
        lines.append("Gz = " + json.dumps(g.Gz.astype(int).tolist()))
    if g.Ga is not None:
        lines.append("Ga = " + json.dumps(g.Ga.astype(int).tolist()))
    lines += ["```", "", "## Assumptions", ""]
    for v in res.assumptions.all():
        word = {True: "holds", False: "fails", None: "does not apply"}[v.holds]
        lines.append(f"- **{v.assumption}** for {v.target}: {word} ({v.route}).")
    lines += ["", "## Reproduce", "", "```python",
              ">>> import identkit as ik",
              ">>> from identkit.symbolic import check_mechanism, mechanism_from_dict",
              f">>> ex = ik.examples.get({ex.name!r})",
              ">>> res = check_mechanism(mechanism_from_dict(ex.spec, source=ex.name))"]
    for name, expected in ex.expected.items():
        lines += [f">>> all(v.holds for v in res.assumptions.all() if v.assumption == {name!r})",
                  str(expected)]
    lines += ["", "```", "", "## Verdict", "", res.verdict(), ""]
    return "\n".join(lines)


def catalogue_pages() -> dict[str, str]:
    import identkit as ik

    pages = {}
    for ex in ik.examples.catalogue(None):
        page = _graph_page if ex.kind == "graph" else _mechanism_page
        pages[f"catalogue/{ex.name}.md"] = page(ex)
    index = ["# The catalogue", "",
             "Every worked example of the paper with its graphs, its verdict and the code that "
             "reproduces it. Graph examples first (the criterion), then the worked mechanisms "
             "(the sufficient-influence assumptions).", "",
             "```{toctree}", ":maxdepth: 1", "", "example-2"]
    index += ik.examples.names("graph") + ik.examples.names("mechanism") + ["```", ""]
    pages["catalogue/index.md"] = "\n".join(index)
    return pages


def cli_page() -> str:
    from identkit.cli import build_parser

    parser = build_parser()
    lines = ["# The `identkit` command", "",
             "Generated from the command's own parser. Exit status: 0 when complete "
             "disentanglement is guaranteed (or the command succeeded), 1 when it is not (or the "
             "numbers disagree with the theory), 2 on any error, reported as one line on stderr.",
             "", "```text"]
    lines += parser.format_help().rstrip().splitlines()
    lines += ["```", ""]
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, p in sub.choices.items():
        lines += [f"## `identkit {name}`", "", "```text"]
        lines += p.format_help().rstrip().splitlines()
        lines += ["```", ""]
    return "\n".join(lines)


def all_pages() -> dict[str, str]:
    pages = catalogue_pages()
    pages["reference/cli.md"] = cli_page()
    return pages


def main() -> int:
    os.environ.setdefault("COLUMNS", "100")
    for rel, text in all_pages().items():
        path = os.path.join(DOCS, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
