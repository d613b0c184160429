"""Partial-disentanglement reports: what the graphs guarantee, latent by latent, and why.

:func:`analyze` turns the combined pattern ``C`` (paper §3, Props 3 and 7) into the answers a researcher
wants: is disentanglement complete; which latents are identified (row i of ``C`` is ``{i}``);
which latents form blocks that can mix freely (``C[i, j] = C[j, i] = 1``, "C-twins"); how the
blocks are ordered (``C`` is a partial order between blocks; its Hasse diagram); and, for every
entangled pair, the inclusions between parent and child sets that allow it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .entanglement import entanglement_pairs, resolve_regularize, twin_classes
from .graphs import LatentGraph, quote_name

__all__ = ["EntanglementReport", "analyze", "assumptions_text"]


def assumptions_text(reg: str) -> str:
    """The assumptions a graphical verdict rests on, for the regularized graphs ``reg``.

    Examples
    --------
    >>> from identkit.report import assumptions_text
    >>> assumptions_text("a").split(" when ")[1][:50]
    'the learned action graph is no denser than the tru'
    """
    if not reg:
        return (
            "No learned graph is sparsity-regularized, so the theory guarantees nothing beyond "
            "identifiability up to a diffeomorphism (the pattern is all ones)."
        )
    parts = []
    if "a" in reg:
        parts.append(
            "the learned action graph is no denser than the truth (‖Ĝa‖₀ ≤ ‖Ga‖₀) and the "
            "mechanism has sufficient influence of a (Assumption 6 for continuous actions, "
            "Assumption 7 for discrete ones and interventions; Theorems 1-2)"
        )
    if "z" in reg:
        parts.append(
            "the learned temporal graph is no denser than the truth (‖Ĝz‖₀ ≤ ‖Gz‖₀) and the "
            "mechanism has sufficient influence of z (Assumption 8, Theorem 3; or the "
            "exponential-family route, Theorem 5)"
        )
    return (
        "This verdict is about the graphs. It holds for a learned model observationally "
        "equivalent to the truth when " + "; and ".join(parts)
        + (" (the two combine by Prop 6)." if len(parts) == 2 else ".")
    )


@dataclass(frozen=True, eq=False)
class EntanglementReport:
    """The result of :func:`analyze`. Indices refer to ``graph.latents``.

    Attributes
    ----------
    graph : LatentGraph
    regularize : str
        The regularized graphs: ``""``, ``"a"``, ``"z"`` or ``"az"``.
    complete : bool
        True iff ``C`` is the identity (complete disentanglement is guaranteed).
    identified : tuple of int
        Latents whose row of ``C`` is ``{i}``: true ``z_i`` is a function of its matched learned
        latent alone (other learned latents may still carry information about it).
    blocks : tuple of tuple of int
        The C-twin classes (identical parent and child sets in the regularized graphs), a
        partition of the latents ordered by smallest member. Latents in one block may mix freely.
    order : tuple of (int, int)
        Hasse edges ``(b, b2)`` between blocks: true latents of block b may depend on learned
        latents of block b2, and no block lies strictly between them.
    pairs : tuple of numpy.ndarray
        ``(rows, cols)`` of every off-diagonal entry of ``C``: the entangled pairs.
    """

    graph: LatentGraph
    regularize: str
    complete: bool
    identified: tuple
    blocks: tuple
    order: tuple
    pairs: tuple = field(repr=False)

    # ------------------------------------------------------------------------------ derived

    @cached_property
    def entanglement_graph(self) -> np.ndarray:
        """The dense pattern ``C`` (bool, d x d). O(d²) memory: built on first access."""
        d = self.graph.n_latents
        C = np.eye(d, dtype=bool)
        C[self.pairs[0], self.pairs[1]] = True
        return C

    @property
    def n_entangled_pairs(self) -> int:
        """Number of off-diagonal entries of ``C``."""
        return int(self.pairs[0].size)

    def inclusions(self, i, j) -> list[str]:
        """The inclusions that let true ``z_i`` depend on learned ``ẑ_j``, in the model's names.

        Each regularized graph contributes its condition: ``Pa_a(i) ⊆ Pa_a(j)`` for actions,
        ``Pa_z(i) ⊆ Pa_z(j)`` and ``Ch_z(i) ⊆ Ch_z(j)`` for the temporal graph. When one fails,
        the string says ``⊄`` instead, so the list also explains why a pair is *not* entangled.

        Examples
        --------
        >>> import identkit as ik
        >>> r = ik.analyze(ik.examples.get("ActionBlockNonDiag").graph)
        >>> r.inclusions("z1", "z9")
        ['Pa_a(z1) = {a1} ⊆ Pa_a(z9) = {a1, a5}']
        """
        g = self.graph
        i, j = g.latent_index(i), g.latent_index(j)
        name_i, name_j = quote_name(g.latents[i]), quote_name(g.latents[j])
        out = []
        if "a" in self.regularize:
            pi, pj = g.parents_a(i), g.parents_a(j)
            rel = "⊆" if pi <= pj else "⊄"
            out.append(
                f"Pa_a({name_i}) = {g.action_set(pi)} {rel} Pa_a({name_j}) = {g.action_set(pj)}"
            )
        if "z" in self.regularize:
            for label, fn in (("Pa_z", g.parents_z), ("Ch_z", g.children_z)):
                si, sj = fn(i), fn(j)
                rel = "⊆" if si <= sj else "⊄"
                out.append(
                    f"{label}({name_i}) = {g.latent_set(si)} {rel} "
                    f"{label}({name_j}) = {g.latent_set(sj)}"
                )
        if not out:
            out.append("no learned graph is regularized, so every dependency is allowed")
        return out

    def explain(self, i, j) -> str:
        """One sentence saying whether and why true ``z_i`` may depend on learned ``ẑ_j``."""
        g = self.graph
        i, j = g.latent_index(i), g.latent_index(j)
        inc = self.inclusions(i, j)
        if i == j:
            name = quote_name(g.latents[i])
            return f"true {name} always depends on its own match, learned {name}"
        allowed = all("⊄" not in s for s in inc)
        verb = "may depend" if allowed else "cannot depend"
        why = "; ".join(inc) if allowed else "; ".join(s for s in inc if "⊄" in s)
        return (f"true {quote_name(g.latents[i])} {verb} on learned {quote_name(g.latents[j])} "
                f"because {why}")

    @cached_property
    def explanations(self) -> tuple:
        """``(i, j, text)`` for every entangled pair, in row-major order. O(pairs) time."""
        rows, cols = self.pairs
        return tuple(
            (i, j, self.explain(i, j)) for i, j in zip(rows.tolist(), cols.tolist())
        )

    @property
    def assumptions(self) -> str:
        """What the verdict rests on besides the graphs."""
        return assumptions_text(self.regularize)

    # -------------------------------------------------------------------------------- output

    def to_dict(self, *, max_explanations: int | None = 100, symmetries: bool = False) -> dict:
        """Plain data (names, not indices), ready for JSON.

        With ``symmetries=True`` the two permutation groups of
        :class:`identkit.symmetry.Symmetries` are added (``{**to_dict(),
        **Symmetries.of(graph, regularize).to_dict()}``), as ``identkit check --format json``
        prints them.

        ``entanglement_graph`` is given as 0/1 rows only when d ≤ 2,000 (else None). Because
        ``C`` is constant on blocks, the entanglement is described by structure:
        ``block_pairs`` has one entry per ordered pair of blocks whose latents are entangled
        (a block with itself when it has several latents), with the number of pairs and the
        reason for its first pair (every other pair of the two blocks has the same parent and
        child sets). ``entangled_pairs`` then lists pairs one by one. Both lists stop after
        ``max_explanations`` entries (``None``: no cap), and ``n_block_pairs`` and
        ``n_entangled_pairs`` give the full counts, so the output grows as
        ``O(d² + max_explanations · d)`` (the 0/1 rows) instead of ``O(d³)`` for many
        interchangeable latents.
        """
        g = self.graph
        names = g.latents
        d = g.n_latents
        rows, cols = self.pairs
        cap = rows.size if max_explanations is None else min(max_explanations, rows.size)
        block_of = np.empty(d, dtype=np.int64)
        for k, b in enumerate(self.blocks):
            block_of[list(b)] = k
        if rows.size:
            keys = np.unique(block_of[rows] * len(self.blocks) + block_of[cols])
        else:
            keys = np.zeros(0, dtype=np.int64)
        n_block_pairs = int(keys.size)
        if max_explanations is not None:
            keys = keys[:max_explanations]
        block_pairs = []
        for key in keys.tolist():
            a, b = divmod(key, len(self.blocks))
            ba, bb = self.blocks[a], self.blocks[b]
            i, j = ba[0], (bb[1] if a == b else bb[0])
            block_pairs.append({
                "true_block": a, "learned_block": b,
                "n_pairs": len(ba) * (len(bb) - 1) if a == b else len(ba) * len(bb),
                "because": self.explain(i, j),
            })
        data = {
            "latents": list(names),
            "actions": list(g.actions),
            "regularize": self.regularize,
            "complete": self.complete,
            "entanglement_graph": (
                self.entanglement_graph.astype(int).tolist() if d <= 2000 else None
            ),
            "identified": [names[i] for i in self.identified],
            "blocks": [[names[i] for i in b] for b in self.blocks],
            "order": [
                [[names[i] for i in self.blocks[a]], [names[i] for i in self.blocks[b]]]
                for a, b in self.order
            ],
            "block_pairs": block_pairs,
            "n_block_pairs": n_block_pairs,
            "entangled_pairs": [
                {"true": names[i], "learned": names[j], "because": self.explain(i, j)}
                for i, j in zip(rows[:cap].tolist(), cols[:cap].tolist())
            ],
            "n_entangled_pairs": self.n_entangled_pairs,
            "assumptions": self.assumptions,
            "explanation": self.summary(),
        }
        return {**data, **self.symmetries().to_dict()} if symmetries else data

    def symmetries(self):
        """The permutation groups of the graphs under the same regularization.

        Returns
        -------
        identkit.symmetry.Symmetries
            ``Symmetries.of(self.graph, self.regularize)``.
        """
        from .symmetry import Symmetries

        return Symmetries.of(self.graph, self.regularize)

    def summary(self) -> str:
        """The verdict in one or two sentences."""
        g = self.graph
        reg_names = {"": "none", "a": "Ga", "z": "Gz", "az": "Ga and Gz"}[self.regularize]
        if self.complete:
            return (
                f"Complete disentanglement is guaranteed (regularized: {reg_names}): the "
                "pattern C is the identity, so every learned latent matches one true latent up "
                "to a permutation and element-wise invertible maps."
            )
        ent = [b for b in self.blocks if len(b) > 1]
        txt = (
            f"Complete disentanglement is NOT guaranteed (regularized: {reg_names}): "
            f"{len(self.identified)} of {g.n_latents} latents identified"
        )
        if ent:
            txt += f", {len(ent)} block(s) of latents that may mix freely"
        return txt + "."

    def __str__(self) -> str:
        return self.to_text()

    def to_text(self, max_explanations: int = 20, *, symmetries: bool = False) -> str:
        """Human-readable report: verdict first, then identified latents, blocks, reasons.

        With ``symmetries=True`` the two group lines of :meth:`symmetries` come just before
        the assumptions, as ``identkit check`` prints them.

        Examples
        --------
        >>> import identkit as ik
        >>> r = ik.analyze(ik.examples.get("ex3").graph)
        >>> for line in r.to_text(symmetries=True).split("\\n")[1:3]:
        ...     print(line)
        Graph-preserving permutations: 1 (relabelings a preserving map may hide)
        Automorphisms: 1 (relabelings of the learned graph that match the truth)
        """
        lines = self._text_lines(max_explanations)
        if symmetries:
            lines[-1:-1] = str(self.symmetries()).split("\n")
        return "\n".join(lines)

    def to_markdown(self, max_explanations: int = 20, *, symmetries: bool = False) -> str:
        """The text report as Markdown: the verdict in bold, indented lines as bullets, a blank
        line before each heading line (as ``identkit check --format markdown`` prints it).

        Examples
        --------
        >>> import identkit as ik
        >>> md = ik.analyze(ik.examples.get("ex8").graph).to_markdown()
        >>> md.startswith("**Complete disentanglement is NOT guaranteed")
        True
        >>> "- {z2, z3}" in md
        True
        """
        lines = self.to_text(max_explanations, symmetries=symmetries).split("\n")
        return "**" + lines[0] + "**\n\n" + "\n".join(
            ("- " + ln.strip()) if ln.startswith("  ") else ("\n" + ln if ln else ln)
            for ln in lines[1:]
        )

    def _text_lines(self, max_explanations: int) -> list[str]:
        g = self.graph
        names = g.latents
        lines = [self.summary()]
        if not self.complete:
            ident = ", ".join(quote_name(names[i]) for i in self.identified) or "none"
            lines.append(f"Identified latents (row of C is {{i}}): {ident}")
            ent = [b for b in self.blocks if len(b) > 1]
            if ent:
                lines.append("Entangled blocks (may mix freely):")
                lines += ["  " + g.latent_set(b) for b in ent]
            if self.order:
                lines.append("Order between blocks (true block ← learned block it may absorb):")
                for a, b in self.order[:max_explanations]:
                    lines.append(
                        f"  {g.latent_set(self.blocks[a])} ← {g.latent_set(self.blocks[b])}"
                    )
                if len(self.order) > max_explanations:
                    lines.append(f"  ... and {len(self.order) - max_explanations} more")
            lines.append("Why (true latent may depend on learned latent):")
            rows, cols = self.pairs
            shown = min(max_explanations, rows.size)
            for k in range(shown):
                lines.append("  " + self.explain(int(rows[k]), int(cols[k])))
            if rows.size > shown:
                lines.append(f"  ... and {rows.size - shown} more entangled pairs")
        lines.append("Assumptions: " + self.assumptions)
        return lines

    def __repr__(self) -> str:
        g = self.graph
        return (f"<EntanglementReport: {'complete' if self.complete else 'partial'}, "
                f"{len(self.identified)} of {g.n_latents} latents identified, "
                f"{sum(len(b) > 1 for b in self.blocks)} entangled block(s), "
                f"regularized {self.regularize!r}>")

    def _repr_html_(self) -> str:
        """Jupyter display: the verdict, the picture of the graphs and of C, and the reasons."""
        from ._display import report_html

        return report_html(self)


def _hasse(edges: set[tuple[int, int]]) -> tuple:
    """Transitive reduction of a strict partial order given as a (transitively closed) edge set."""
    succ: dict[int, set[int]] = {}
    for a, b in edges:
        succ.setdefault(a, set()).add(b)
    out = []
    for a, s in succ.items():
        covered = set()
        for w in s:
            covered |= succ.get(w, set())
        out.extend((a, b) for b in s - covered)
    return tuple(sorted(out))


def analyze(g: LatentGraph, regularize: str | None = None) -> EntanglementReport:
    """Analyze what the graphs guarantee about a learned representation.

    Parameters
    ----------
    g : LatentGraph
    regularize : str, optional
        Which learned graphs are sparsity-regularized (letters ``a``, ``z``); default: all the
        model has.

    Returns
    -------
    EntanglementReport
        Frozen; ``str(report)`` reads as a verdict with its reasons, ``to_dict()`` gives plain
        data.

    Raises
    ------
    RegularizeError
        If ``regularize`` names a graph the model lacks.

    Examples
    --------
    Example 8 of the paper: z1 is identified; the robot z2 and the ball z3 stay entangled.

    >>> import identkit as ik
    >>> r = ik.analyze(ik.LatentGraph(Gz=[[1, 0, 0], [1, 1, 1], [1, 1, 1]]))
    >>> r.complete, r.identified, r.blocks
    (False, (0,), ((0,), (1, 2)))
    >>> print(r.explain("z2", "z3"))
    true z2 may depend on learned z3 because Pa_z(z2) = {z1, z2, z3} ⊆ Pa_z(z3) = {z1, z2, z3}; Ch_z(z2) = {z2, z3} ⊆ Ch_z(z3) = {z2, z3}

    Notes
    -----
    Time ``O(Σ_i |rarest column of F_i| · |F_i| + nnz(C) + d)`` with ``F = [Ga | Gz | Gzᵀ]`` of the regularized
    graphs, memory proportional to the edges plus the output; no dense d x d matrix is built
    (the ``entanglement_graph`` attribute is computed on first access). The Hasse diagram costs
    ``O(Σ_b |succ(b)| · |succ|)`` over blocks.
    """
    reg = resolve_regularize(g, regularize)
    d = g.n_latents
    rows, cols = entanglement_pairs(g, reg)
    off = rows != cols
    rows, cols = rows[off], cols[off]
    # identified: no off-diagonal entry in row i
    has_off = np.zeros(d, dtype=bool)
    has_off[rows] = True
    identified = tuple(np.flatnonzero(~has_off).tolist())
    # blocks: the C-twin classes, numbered by their first member
    blocks = twin_classes(g, reg)
    block_idx = np.empty(d, dtype=np.int64)
    for k, members in enumerate(blocks):
        block_idx[list(members)] = k
    br, bc = block_idx[rows], block_idx[cols]
    between = br != bc
    strict = set(zip(br[between].tolist(), bc[between].tolist()))
    order = _hasse(strict)
    return EntanglementReport(
        graph=g,
        regularize=reg,
        complete=bool(rows.size == 0),
        identified=identified,
        blocks=blocks,
        order=order,
        pairs=(rows, cols),
    )
