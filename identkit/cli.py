"""The ``identkit`` command: a thin layer over the Python API.

Exit status follows ``cmp`` and ``grep``: 0 when complete disentanglement is guaranteed (or the
command succeeded), 1 when it is not, 2 on any error, reported as one line on stderr.
"""

from __future__ import annotations

import argparse
import sys

from . import _jsonfmt
from .errors import ExampleNotFoundError, IdentkitError, MechanismError

__all__ = ["main", "build_parser", "int_option", "float_option", "size_option"]


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit status 2."""

    def error(self, message):
        raise _UsageError(f"{self.prog}: {message}")


class _UsageError(Exception):
    pass


def int_option(lo: int, hi: int, what: str = "N"):
    """An argparse ``type`` accepting a decimal integer with ``lo <= N <= hi``, else one line.

    Every numeric option of the command states its range in its help and is checked by this
    before any work starts, so ``--maps 1000000000`` or ``--samples -3`` is refused at once.

    Examples
    --------
    >>> from identkit.cli import int_option
    >>> int_option(0, 100)("42")
    42
    >>> int_option(0, 100)("-3")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: -3 is out of range: give an integer from 0 to 100
    """

    def parse(text: str) -> int:
        t = text.strip().replace("_", "")
        if not (t.lstrip("+-").isdigit() and t.lstrip("+-").isascii()) or len(t) > 30:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer")
        v = int(t)
        if not lo <= v <= hi:
            raise argparse.ArgumentTypeError(
                f"{v} is out of range: give an integer from {lo} to {hi}")
        return v

    parse.__name__ = what
    return parse


def float_option(lo: float, hi: float):
    """An argparse ``type`` accepting a finite number with ``lo <= x <= hi``."""

    def parse(text: str) -> float:
        try:
            v = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not lo <= v <= hi:  # NaN fails both comparisons
            raise argparse.ArgumentTypeError(f"{text} is out of range: give a number from {lo} "
                                             f"to {hi}")
        return v

    return parse


def size_option(text: str) -> int:
    """A size in bytes for ``--max-bytes``/``--max-memory``: ``5000000``, ``64M``, ``2G`` (1 to 1T)."""
    t = text.strip().upper().removesuffix("B").removesuffix("I")
    mult = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}.get(t[-1:], 1)
    digits = t[:-1] if mult > 1 else t
    if not (digits.isdigit() and digits.isascii()) or len(digits) > 15:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size (e.g. 500000, 64M, 2G)")
    v = int(digits) * mult
    if not 1 <= v <= 2**40:
        raise argparse.ArgumentTypeError(f"{text} is out of range: give a size from 1 to 1T")
    return v


def latents_option(text: str):
    """``design --latents``: a count from 1 to 1,000,000 or comma-separated names, read by
    :func:`identkit.design.parse_latents` (its refusal becomes the usage error)."""
    from .design import parse_latents
    from .errors import GraphError

    try:
        return parse_latents(text)
    except GraphError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _add_source(p, path_help="a graph file (JSON, YAML, text or .npz; - reads standard input)"):
    """The PATH | --example NAME pair of the commands that read a model, and its limits."""
    src = p.add_mutually_exclusive_group()
    src.add_argument("path", nargs="?", help=path_help)
    src.add_argument("--example", metavar="NAME",
                     help="a catalogue example or a worked mechanism (see `examples`)")
    _add_limits(p)


def _add_limits(p):
    p.add_argument("--max-bytes", type=size_option, default=None, metavar="SIZE",
                   help="refuse input files larger than this (default 256M; e.g. 1G)")
    p.add_argument("--max-memory", type=size_option, default=None, metavar="SIZE",
                   help="refuse files whose declared sizes need more memory (default 2G)")


_MAX_SEED = 2**63 - 1
# identkit.design.MAX_LATENTS, written out: the parser is built for every command, and importing
# design (scipy) would slow the start of `check`
_MAX_TARGETS = 10**6
_SEED_HELP = "the random seed, 0 to 2**63-1 (default 0); the same seed gives the same output"


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser (also used to generate the CLI reference)."""
    parser = _Parser(
        prog="identkit",
        description="Does this latent causal graph guarantee disentangled factors? "
        "(mechanism sparsity, Lachapelle et al. 2026)",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--debug", action="store_true",
                        help="on an internal error, print the traceback (or set IDENTKIT_DEBUG=1)")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    p = sub.add_parser("check", help="analyze a graph: verdict, identified latents, blocks, why")
    _add_source(p, "a graph file (JSON, YAML, text or .npz) or a mechanism file")
    p.add_argument("--regularize", metavar="a|z|az",
                   help="which learned graphs are sparsity-regularized (default: all present)")
    p.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    p.add_argument("--time-budget", type=float_option(0.001, 86400.0), default=60.0,
                   metavar="SECONDS",
                   help="for mechanism files: seconds the whole check may take, reading, "
                        "parsing and validation included (0.001 to 86,400, default 60); what "
                        "is not decided in time is reported as undecided (time budget), never "
                        "as a guarantee")

    p = sub.add_parser("draw", help="draw the graphs beside the entanglement pattern")
    _add_source(p)
    p.add_argument("-o", "--output", required=True, metavar="FILE",
                   help="the picture to write: .svg, .png or .pdf")
    p.add_argument("--regularize", metavar="a|z|az")

    p = sub.add_parser("design", help="the fewest interventions that disentangle n latents")
    p.add_argument("--latents", required=True, metavar="N", type=latents_option,
                   help="the number of latents (1 to 1,000,000), or a comma-separated list of "
                        "names")
    _add_setting(p)
    p.add_argument("--max-targets", type=int_option(1, _MAX_TARGETS, "K"), metavar="K",
                   help="at most K targets per intervention (1 to 1,000,000)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the design as a graph file")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--max-memory", type=size_option, default=None, metavar="SIZE",
                   help="refuse a design whose model needs more memory, with the estimate "
                        "(default 2G)")

    p = sub.add_parser("repair", help="the fewest added interventions that make a model complete")
    _add_source(p)
    p.add_argument("--regularize", metavar="a|z|az")
    p.add_argument("--single-target", action="store_true", help="add single-target interventions only")
    p.add_argument("--intervenable", metavar="NAMES",
                   help="comma-separated latents that may be targeted (default: all)")
    _add_setting(p)
    p.add_argument("-o", "--output", metavar="FILE", help="write the repaired model as a graph file")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--time-budget", type=float_option(0.001, 86400.0), default=60.0,
                   metavar="SECONDS",
                   help="seconds the search for fewer interventions may take (0.001 to 86,400, "
                        "default 60); when it runs out, the repair found is printed and its "
                        "minimality is reported as undecided, never as proven")

    p = sub.add_parser("verify", help="push a mechanism through preserving and violating maps")
    _add_source(p)
    p.add_argument("--mechanism", default="nonlinear",
                   choices=["nonlinear", "heteroscedastic", "linear", "hard", "soft"])
    p.add_argument("--maps", type=int_option(0, 10_000, "K"), default=10, metavar="K",
                   help="K preserving and K violating maps (0 to 10,000; default 10)")
    p.add_argument("--seed", type=int_option(0, _MAX_SEED, "S"), default=0, metavar="S",
                   help=_SEED_HELP)
    p.add_argument("--regularize", metavar="a|z|az",
                   help="the sparsity-regularized graphs: only these are judged, the others are "
                        "shown for information (default: the example's, else all the model has)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--time-budget", type=float_option(0.001, 86400.0), default=60.0,
                   metavar="SECONDS",
                   help="seconds the measurements may take (0.001 to 86,400, default 60); the "
                        "maps and sufficient-influence tests not reached in time are reported "
                        "as not checked and the agreement as undecided (time budget), exit "
                        "status 1, never as agreeing")

    p = sub.add_parser("generate", help="write a paper dataset (or any graph's) as .npz",
                       description="Draw a dataset of the paper (App. C.1) or of a graph file. "
                       "The .npz holds x, z, a, z_prev, x_prev, x_mean, x_std and the graphs "
                       "(Gz/Ga, latents/actions), so `identkit check` reads it as a graph file "
                       "and `identkit score --true` reads its z.")
    p.add_argument("source", metavar="NAME|PATH",
                   help="a dataset name or a graph file (- reads standard input)")
    p.add_argument("--samples", type=int_option(1, 10**18, "N"), required=True, metavar="N",
                   help="examples in the split (at least 1; more than memory allows is refused "
                   "with the estimate); with --split all, in the three together (70/15/15 %%, as "
                   "the paper splits its 10^6)")
    p.add_argument("--seed", type=int_option(0, _MAX_SEED, "S"), default=0, metavar="S",
                   help="fixes the process (graph, weights, mixing) and each split's noise "
                   "(0 to 2**63-1)")
    p.add_argument("--split", choices=["train", "valid", "test", "all"], default="train",
                   help="which split; all writes FILE_train.npz, FILE_valid.npz, FILE_test.npz")
    p.add_argument("--latents", type=int_option(1, 100_000, "D"), default=10, metavar="D",
                   help="latent dimension d of a named dataset (1 to 100,000; default 10)")
    p.add_argument("--x-dim", type=int_option(1, 1_000_000, "DX"), metavar="DX",
                   help="observation dimension and mixing width (1 to 1,000,000; default "
                   "max(20, d))")
    p.add_argument("--transition-variance", type=float, metavar="V",
                   help="variance of z^t given its parents (default 1e-4; for the k = 2 "
                   "datasets the base 1/(10 d) of eqs. (74)/(77))")
    p.add_argument("--obs-noise", type=float, default=0.01, metavar="SD",
                   help="standard deviation of the noise added to x (default 0.01)")
    p.add_argument("--no-standardize", action="store_true",
                   help="do not standardise each dimension of x before the noise")
    p.add_argument("--p", type=float_option(0.0, 1.0), default=0.5,
                   help="edge probability, 0 to 1 (random-graph datasets)")
    p.add_argument("--graph-seed", type=int_option(0, _MAX_SEED, "S"), metavar="S",
                   help="seed of the random graph alone, 0 to 2**63-1 (default: drawn from --seed)")
    p.add_argument("--mechanism", choices=["nonlinear", "heteroscedastic", "linear", "hard", "soft"],
                   help="for a graph file (default nonlinear)")
    p.add_argument("-o", "--output", required=True, metavar="FILE.npz")
    p.add_argument("--max-bytes", type=size_option, default=None, metavar="SIZE",
                   help="refuse a graph file larger than this (default 256M; e.g. 1G)")
    p.add_argument("--max-memory", type=size_option, default=None, metavar="SIZE",
                   help="refuse a dataset estimated to need more memory than this (graphs, "
                   "weights and mixing grow with --latents, the arrays with --samples; default: "
                   "the memory available), and a graph file whose sizes need more (default 2G)")

    p = sub.add_parser("score", help="MCC, R and Rcon of learned latents against true ones")
    p.add_argument("--true", metavar="Z",
                   help="true latents: .npy, .npz or .csv (- reads standard input)")
    p.add_argument("--learned", metavar="ZHAT",
                   help="learned latents, as --true (one of them may be -)")
    p.add_argument("--model", metavar="MODEL.npz",
                   help="a model 'identkit fit' wrote, scored on --data (instead of --true and "
                   "--learned)")
    p.add_argument("--data", metavar="DATA.npz",
                   help="with --model: held-out data as 'identkit generate' writes them")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--graph", metavar="PATH", help="the true graph, for Rcon")
    src.add_argument("--example", metavar="NAME", help="a catalogue graph, for Rcon")
    p.add_argument("--regularize", metavar="a|z|az")
    p.add_argument("--method", choices=["pearson", "spearman"], default="pearson")
    _add_limits(p)
    p.add_argument("--format", choices=["text", "json"], default="text")

    p = sub.add_parser("fit", help="learn latents and sparse graphs from data (the paper's "
                       "estimation procedure; needs identkit[learn])")
    p.add_argument("data", metavar="DATA.npz", help="a dataset as 'identkit generate' writes it")
    p.add_argument("-o", "--output", required=True, metavar="MODEL.npz")
    p.add_argument("--model", choices=["mechanism-sparsity", "beta-vae", "annealed-vae",
                                       "beta-tcvae"], default="mechanism-sparsity")
    p.add_argument("--sparsity", choices=["constraint", "penalty", "none"], default="constraint")
    p.add_argument("--bound", type=int_option(0, 10**9, "N"), metavar="N",
                   help="edge budget of the constraint (default: the edge count of the file's "
                   "true graphs, as the paper does)")
    p.add_argument("--regularize", choices=["a", "z", "az"],
                   help="which learned graphs are sparse (default: every graph the data have)")
    p.add_argument("--latents", type=int_option(1, 10_000, "D"), metavar="D",
                   help="latents to learn (default: the file's true number)")
    p.add_argument("--steps", type=int_option(1, 10**8, "N"), metavar="N",
                   help="training steps (default: the model's, 30000 for mechanism-sparsity)")
    p.add_argument("--batch-size", type=int_option(1, 10**7, "B"), default=512, metavar="B")
    p.add_argument("--seed", type=int_option(0, 2**31 - 1, "S"), default=0, metavar="S",
                   help="the random seed, 0 to 2**31-1 (default 0)")
    p.add_argument("--max-bytes", type=size_option, default=None, metavar="SIZE",
                   help="refuse data files larger than this (default 256M; e.g. 1G)")
    p.add_argument("--max-memory", type=size_option, default=None, metavar="SIZE",
                   help="refuse data files whose arrays need more memory once loaded "
                        "(default 2G)")

    p = sub.add_parser("theorems", help="try to refute the paper's results by computation")
    p.add_argument("--quick", action="store_true", help="smaller instances (what the tests run)")
    p.add_argument("--seed", type=int_option(0, _MAX_SEED, "S"), default=0, metavar="S",
                   help=_SEED_HELP)
    p.add_argument("--format", choices=["text", "json"], default="text")

    p = sub.add_parser("sweep", help="grids of random graphs or of training runs on Dask "
                       "(resumable), or plot one",
                       description="identkit sweep SPEC.yaml -o RESULTS_DIR computes the grid a "
                       "specification names (kind graphs or fit) on a local Dask cluster, or on "
                       "--scheduler, writing each cell to RESULTS_DIR/cells.csv as it finishes; "
                       "rerunning the command computes only the cells still missing. identkit "
                       "sweep plot RESULTS_DIR -o FIG.png draws the phase diagram (or the Table 4 "
                       "layout of a fit grid). Needs the [sweep] extra.")
    p.add_argument("spec", metavar="SPEC.yaml|plot",
                   help="the specification (YAML), or plot to draw a results folder")
    p.add_argument("results", nargs="?", metavar="RESULTS_DIR",
                   help="with plot: the results folder to draw")
    p.add_argument("-o", "--output", required=True, metavar="RESULTS_DIR|FIG",
                   help="the results folder to write (or resume); with plot, the picture "
                        "(.svg, .png or .pdf)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="a running Dask scheduler (tcp://host:8786); default: a local cluster")
    p.add_argument("--workers", type=int_option(1, 4096, "N"), metavar="N",
                   help="workers of the local cluster, 1 to 4,096 (default: one per core)")
    p.add_argument("--yes", action="store_true",
                   help="confirm a grid of more than 1,000,000 cells")
    p.add_argument("--x", metavar="AXIS", help="plot: the axis across (default p)")
    p.add_argument("--y", metavar="AXIS", help="plot: the axis down, or of the curves "
                   "(default d)")
    p.add_argument("--style", choices=["heatmap", "curves"],
                   help="plot: a heatmap over two axes or curves with confidence bands")
    p.add_argument("--value", default="fraction_complete", metavar="COLUMN",
                   choices=["fraction_complete", "mean_identified", "mean_largest_block",
                            "mean_log_permutations", "mean_pattern_edges"],
                   help="plot: the column drawn: fraction_complete (the default), "
                        "mean_identified, mean_largest_block, mean_log_permutations or "
                        "mean_pattern_edges")

    p = sub.add_parser("examples", help="list the paper's catalogue, or print one as a graph file")
    p.add_argument("name", nargs="?", help="print this example as a graph file")
    p.add_argument("--format", choices=["yaml", "json", "text"], default="json",
                   help="file format when printing one example")
    for p in sub.choices.values():  # --debug also after the command name
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="on an internal error, print the traceback")
    return parser


def _limits(args) -> dict:
    from . import io

    return {"max_bytes": getattr(args, "max_bytes", None) or io.MAX_BYTES,
            "max_memory": getattr(args, "max_memory", None) or io.MAX_MEMORY}


def _load_any(args):
    """What the command was given: ``("graph", LatentGraph, regularize, source)`` or
    ``("mechanism", mapping, regularize, source)`` for a mechanism file or a worked mechanism
    (``--example mechanism-<name>``). ``regularize`` is ``--regularize`` when given, else the
    example's own (:attr:`identkit.examples.Example.regularize`), else None (all the model
    has), as :func:`identkit._model.resolve_model` writes it once for the command line and
    :func:`identkit.metrics.score` alike. A file is read once, so ``-`` (standard input)
    works for both; a mechanism is recognised without importing sympy."""
    from ._model import resolve_model

    example = getattr(args, "example", None)
    path = getattr(args, "path", None)
    if not example and not path:
        raise _UsageError(f"identkit {args.command}: give a graph file PATH or --example NAME "
                          "(PATH - reads standard input)")
    m = resolve_model(None if example else path, example=example or None,
                      regularize=getattr(args, "regularize", None), **_limits(args))
    return m.kind, m.model, m.regularize, m.source


def _load(args):
    """``(graph, regularize, source)`` as :func:`_load_any` resolves them; a mechanism gives
    the graphs derived from it exactly (:meth:`identkit.symbolic.SymbolicMechanism.derive_graph`)."""
    import time

    start = time.monotonic()  # reading the file counts against the budget too
    kind, model, reg, source = _load_any(args)
    if kind == "mechanism":
        from .symbolic.check import derive_graph_data

        seconds = getattr(args, "time_budget", None) or _DERIVE_SECONDS
        derived, stopped = derive_graph_data(model, source, time_budget=seconds, start=start)
        if stopped:  # undecided entries are kept as edges: never hand on such a graph
            raise MechanismError(
                f"{source}: its graphs were not derived within {seconds:g} s (stopped while "
                f"{stopped})" + ("; raise --time-budget" if hasattr(args, "time_budget") else "")
                + "; 'identkit check' on the file says what can be decided")
        model = derived.graph
    return model, reg, source


def _write_check(result, fmt, out) -> None:
    """Print what ``check`` found (a report or a mechanism check) as text, Markdown or JSON,
    with the two permutation groups."""
    if fmt == "json":
        out.write(_jsonfmt.dumps(result.to_dict(symmetries=True)) + "\n")
    elif fmt == "markdown":
        out.write(result.to_markdown(symmetries=True) + "\n")
    else:
        out.write(result.to_text(symmetries=True) + "\n")


def _cmd_check_mechanism(args, data, regularize, out, start=None) -> int:
    """``check`` on a mechanism: one --time-budget from ``start`` (when the command began)
    bounds parsing, validation, derivation and the assumptions; what it does not reach is
    undecided (time budget), exit status 1."""
    from .symbolic.check import check_mechanism_data

    res = check_mechanism_data(data, args.path, regularize, time_budget=args.time_budget,
                               progress=lambda line: print(line, file=sys.stderr, flush=True),
                               start=start)
    _write_check(res, args.format, out)
    return 0 if res.guaranteed else 1


def _cmd_check(args, out) -> int:
    import time

    from .report import analyze

    start = time.monotonic()  # reading the file counts against --time-budget too
    kind, g, reg, source = _load_any(args)
    if kind == "mechanism":
        args.path = source
        return _cmd_check_mechanism(args, g, reg, out, start)
    report = analyze(g, reg)
    _write_check(report, args.format, out)
    return 0 if report.complete else 1


def _cmd_draw(args, out) -> int:
    from . import plot

    plot.picture_format(args.output)  # refused before the model is read or drawn
    g, reg, _ = _load(args)
    plot.save(plot.draw(g, reg), args.output)
    out.write(f"wrote {args.output}\n")
    return 0


def _add_setting(p) -> None:
    """The --static/--temporal choice shared by design and repair (the same default)."""
    grp = p.add_mutually_exclusive_group()
    grp.add_argument("--temporal", dest="temporal", action="store_const", const=True,
                     default=None, help="temporal dynamics (T > 1) supply the variability "
                     "multi-target interventions need (Example 12); the default")
    grp.add_argument("--static", dest="temporal", action="store_const", const=False,
                     help="no temporal dynamics (T = 1): a target group l costs |T_l| "
                     "interventions (Example 13), so single-target ones are optimal")


def _cmd_design(args, out) -> int:
    from . import io
    from .design import design_interventions

    from ._progress import Progress

    bar = Progress(3, "design", unit="steps")  # drawn only when stderr is a terminal
    try:
        des = design_interventions(args.latents, temporal=args.temporal,
                                   max_targets=args.max_targets, max_memory=args.max_memory,
                                   progress=lambda done, total, note: bar.update(done, note))
    finally:
        bar.close()
    if args.output and des.graph is not None:
        io.write_graph(des.graph, args.output)
    if args.format == "json":
        out.write(_jsonfmt.dumps(des.to_dict()) + "\n")
    else:
        out.write(_option_words(str(des), args) + "\n")
    return 0


def _cmd_repair(args, out) -> int:
    from . import io
    from .design import parse_intervenable, repair

    from ._progress import Progress

    g, reg, _ = _load(args)
    bar = Progress(1, "repair", unit="components")  # drawn only when stderr is a terminal

    def progress(done, total, note):
        bar.total = max(1, int(total))
        bar.update(done, note)

    try:
        rep = repair(g, reg, single_target=args.single_target,
                     intervenable=parse_intervenable(args.intervenable), temporal=args.temporal,
                     time_budget=args.time_budget, progress=progress)
    finally:
        bar.close()
    if args.output:
        io.write_graph(rep.graph, args.output)
    if args.format == "json":
        out.write(_jsonfmt.dumps(rep.to_dict()) + "\n")
    else:
        out.write(_option_words(str(rep), args) + "\n")
    return 0 if rep.after.complete else 1


def _cmd_verify(args, out) -> int:
    from .numeric import verify

    from ._progress import Progress

    g, reg, _ = _load(args)
    from .numeric.verify import check_memory

    check_memory(g, _limits(args)["max_memory"])  # before anything is built
    bar = Progress(1, "verify", unit="units")  # drawn only when stderr is a terminal

    def progress(done, total, note):
        bar.total = max(1, int(total))
        bar.update(done, note)

    try:
        res = verify(g, mechanism=args.mechanism, maps=args.maps, seed=args.seed,
                     regularize=reg, time_budget=args.time_budget, progress=progress)
    finally:
        bar.close()
    # agrees_with_theory is None when the time budget cut the run: undecided, exit status 1
    if args.format == "json":
        out.write(_jsonfmt.dumps(res.to_dict()) + "\n")
    else:
        out.write(str(res) + "\n")
    return 0 if res.agrees_with_theory else 1


def _cmd_generate(args, out) -> int:
    import os

    from . import io
    from .errors import DatasetError
    from .numeric.datasets import refusal_text, write_dataset

    # NAME|PATH: a graph file if one exists under that name (or - for standard input), else a
    # dataset name (checked there)
    if args.source == "-" or os.path.exists(args.source):
        source = io.read_graph(args.source, **_limits(args))
    else:
        from . import examples
        from .numeric import is_dataset_name

        if not is_dataset_name(args.source):
            try:
                kind = examples.get(args.source).kind
            except ExampleNotFoundError:
                kind = None  # the dataset lookup names the problem
            if kind == "graph":
                raise _UsageError(f"identkit generate: {args.source!r} is a graph example of "
                                  "the catalogue, not a dataset; write it as a file (identkit "
                                  f"examples {args.source} > {args.source}.yaml) and give that")
            if kind == "mechanism":
                raise _UsageError(f"identkit generate: {args.source!r} is a worked mechanism, "
                                  "not a dataset; generate draws a dataset name or a graph file")
        source = args.source
    knobs = dict(x_dim=args.x_dim, transition_variance=args.transition_variance,
                 obs_noise=args.obs_noise, standardize=not args.no_standardize,
                 mechanism=args.mechanism)
    if isinstance(source, str):
        knobs.update(d=args.latents, p=args.p, graph_seed=args.graph_seed)
    elif args.latents != 10 or args.graph_seed is not None:
        raise _UsageError("identkit generate: --latents and --graph-seed are for named datasets; "
                          "a graph file fixes its graph")
    # --max-memory bounds the whole dataset (estimated before anything is built); without it,
    # the memory the machine has available
    try:
        files = write_dataset(source, args.output, args.samples, seed=args.seed,
                              split=args.split, memory_limit=args.max_memory, **knobs)
    except DatasetError as exc:
        refusal = getattr(exc, "refusal", None)
        if refusal is None:
            raise
        raise DatasetError(refusal_text(refusal, {
            "d": "--latents", "x_dim": "--x-dim", "n_samples": "--samples",
            "memory_limit": "--max-memory", "=": " "})) from None
    for path, data in files.items():
        out.write(f"wrote {path}: " + ", ".join(f"{k} {tuple(v.shape)}" for k, v in data.items())
                  + "\n")
    return 0


def _cmd_score(args, out) -> int:
    from .metrics import score

    if args.model is not None or args.data is not None:
        return _score_model(args, out)
    if args.true is None or args.learned is None:
        raise _UsageError("identkit score: give --true and --learned, or --model and --data")
    stdin = [opt for opt, v in (("--true", args.true), ("--learned", args.learned),
                                ("--graph", args.graph)) if v == "-"]
    if len(stdin) > 1:
        both = "both" if len(stdin) == 2 else "all"
        raise _UsageError(f"identkit score: {', '.join(stdin[:-1])} and {stdin[-1]} {both} read "
                          "standard input (-); give only one of them as -")

    res = score(args.true, args.learned, args.graph, regularize=args.regularize,
                example=args.example, method=args.method, **_limits(args))
    if args.format == "json":
        out.write(_jsonfmt.dumps(res.summary()) + "\n")
    else:
        out.write(res.to_text() + "\n")
    return 0


def _score_model(args, out) -> int:
    if args.model is None or args.data is None:
        raise _UsageError("identkit score: --model and --data go together")
    if args.true is not None or args.learned is not None:
        raise _UsageError("identkit score: --model replaces --true and --learned")
    from . import learn
    limits = _limits(args)
    model = learn.load(args.model, **limits)
    data = learn.read_dataset(args.data, **limits)
    graph = data["graph"]
    if graph is None or data["z"] is None:
        raise _UsageError(f"identkit score: {args.data} has no true latents 'z' and graph: "
                          "score --model needs a file 'identkit generate' wrote")
    ev = learn.evaluate(model, data["x_last"], data["z"], graph, regularize=args.regularize)
    if args.format == "json":
        out.write(_jsonfmt.dumps(ev.to_dict()) + "\n")
    else:
        out.write(str(ev) + "\n")
    return 0


def _cmd_fit(args, out) -> int:
    import os

    from . import learn
    from .errors import OutputError

    data = learn.read_dataset(args.data, **_limits(args))
    folder = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        raise OutputError(f"{args.output}: cannot write there (checked before training)")
    g = data["graph"]
    d = args.latents or (g.n_latents if g is not None else None)
    if d is None:
        raise _UsageError(f"identkit fit: {args.data} has no graph; give --latents")
    x, actions = data["x"], data["actions"]
    note = ""
    common = {"batch_size": args.batch_size, "seed": args.seed}
    if args.steps is not None:
        common["steps"] = args.steps
    if args.model == "mechanism-sparsity":
        sparsity = None if args.sparsity == "none" else args.sparsity
        bound = args.bound
        if sparsity == "constraint" and bound is None:
            reg = args.regularize or (("a" if actions is not None else "") +
                                      ("z" if x.ndim == 3 else ""))
            if g is None:
                raise _UsageError(f"identkit fit: {args.data} has no true graph; give --bound")
            bound = sum(int(getattr(g, f"G{k}").sum()) for k in reg
                        if getattr(g, f"G{k}") is not None)
            note = f" (--bound {bound}: the true graphs' edge count)"
        model = learn.MechanismSparsityVAE(d, regularize=args.regularize, sparsity=sparsity,
                                           bound=bound, **common)
    else:
        if args.bound is not None or args.regularize is not None:
            raise _UsageError(f"identkit fit: --bound and --regularize are for the "
                              f"mechanism-sparsity model, not {args.model}")
        cls = {"beta-vae": learn.BetaVAE, "annealed-vae": learn.AnnealedVAE,
               "beta-tcvae": learn.BetaTCVAE}[args.model]
        model = cls(d, **common)
    try:
        model.fit(x, actions)
    except KeyboardInterrupt:
        if getattr(model, "history_", {}).get("step"):
            model.save(args.output)
            print(f"identkit: interrupted after {model.steps_done_} steps; the model so far is "
                  f"in {args.output}", file=sys.stderr)
        raise
    model.save(args.output)
    h = model.history_
    line = f"fitted {type(model).__name__} for {model.steps_done_} steps: loss {h['loss'][-1]:.4g}"
    if "edges" in h and h["edges"]:
        line += f", {h['edges'][-1]:.0f} learned edges"
    out.write(f"{line}{note}; wrote {args.output}\n")
    return 0


def _cmd_theorems(args, out) -> int:
    from . import theorems

    results = theorems.run_all(quick=args.quick, seed=args.seed)
    if args.format == "json":
        out.write(_jsonfmt.dumps([r.to_dict() for r in results]) + "\n")
    else:
        out.write(theorems.table(results) + "\n")
    return 0 if all(r.holds for r in results) else 1


def _cmd_sweep(args, out) -> int:
    plotting = args.spec == "plot"
    if plotting:
        if not args.results:
            raise _UsageError("identkit sweep plot: give the RESULTS_DIR to draw "
                              "(identkit sweep plot RESULTS_DIR -o FIG.png)")
        wrong = [o for o, v in (("--scheduler", args.scheduler), ("--workers", args.workers),
                                ("--yes", args.yes)) if v]
        if wrong:
            raise _UsageError(f"identkit sweep plot: {wrong[0]} is for running a sweep, "
                              "not for drawing one")
        from . import plot
        from .sweep import load_results, plot_results

        plot.picture_format(args.output)  # refused before the folder is read
        fig = plot_results(load_results(args.results), x=args.x, y=args.y, value=args.value,
                           style=args.style)
        plot.save(fig, args.output)
        out.write(f"wrote {args.output}\n")
        return 0
    if args.results:
        raise _UsageError(f"identkit sweep: unexpected argument {args.results!r} (to draw a "
                          "results folder: identkit sweep plot RESULTS_DIR -o FIG.png)")
    wrong = [o for o, v in (("--x", args.x), ("--y", args.y), ("--style", args.style),
                            ("--value", args.value != "fraction_complete")) if v]
    if wrong:
        raise _UsageError(f"identkit sweep: {wrong[0]} is for identkit sweep plot")
    from .sweep import run

    done = run(args.spec, args.output, scheduler=args.scheduler, workers=args.workers,
               yes=args.yes)
    out.write(f"{done}\n")
    return 0


def _cmd_examples(args, out) -> int:
    from . import examples

    if not args.name:
        out.write(examples.listing())
        return 0
    ex = examples.get(args.name)
    if ex.kind == "mechanism" and args.format == "text":  # the usage line the golden tests pin
        raise _UsageError("identkit examples: a worked mechanism prints as json or yaml")
    out.write(ex.dumps(args.format))
    return 0


def _debugging(argv) -> bool:
    import os

    flag = os.environ.get("IDENTKIT_DEBUG", "").strip().lower() not in ("", "0", "no", "false")
    return flag or "--debug" in (sys.argv[1:] if argv is None else argv)


_SMALL_INPUT = 1 << 20


def _one_blas_thread_for_small_checks(argv) -> None:
    """Start numpy's BLAS with one thread for ``check``/``examples`` on a catalogue example or
    a file under 1 MiB, unless the user chose a thread count.

    Starting OpenBLAS's worker threads costs about 0.05 s of CPU, a third of such a command;
    the products of a small graph gain nothing from them. Large inputs and the numeric commands
    keep the default. Only effective before numpy is imported (in a fresh process).
    """
    import os

    if "numpy" in sys.modules or any(v in os.environ for v in (
            "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")):
        return
    words = [w for w in argv if not w.startswith("-")]
    if not words or words[0] not in ("check", "examples"):
        return
    small = "--example" in argv or words[0] == "examples"
    for w in words[1:]:
        try:
            small = os.stat(w).st_size < _SMALL_INPUT
        except (OSError, ValueError):
            continue
        break
    if small:
        os.environ["OPENBLAS_NUM_THREADS"] = "1"


def main(argv=None) -> int:
    """Run the command line; returns the exit status.

    Every failure is one line on stderr and exit status 2: usage errors, bad input (naming the
    file and the place), and identkit's own bugs, whose line says how to get the traceback
    (``--debug`` or ``IDENTKIT_DEBUG=1``).
    """
    _one_blas_thread_for_small_checks(sys.argv[1:] if argv is None else list(argv))
    import contextlib
    import warnings

    from ._console import Stream

    # both streams print in whatever encoding they have: the symbols an encoding lacks (an ASCII
    # terminal, cp1252) become ASCII forms (identkit._console), progress lines included
    out = Stream(sys.stdout)
    held = []
    with warnings.catch_warnings(), contextlib.redirect_stderr(Stream(sys.stderr)):
        # Warnings are held until the command ends: an answer prints them, a refusal stays the
        # one line the contract promises (a warning before an error would make it two).
        warnings.showwarning = lambda message, *rest, **kw: held.append(str(message))
        parsed = {}
        status = _run(argv, out, parsed)
        if status in (0, 1):
            for message in held:
                print(f"identkit: warning: {_one_line(_option_words(message, parsed.get('args')))}",
                      file=sys.stderr)
    return status


def _run(argv, out, parsed=None) -> int:
    args = None
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        out.json = getattr(args, "format", None) == "json"  # JSON escapes, not ASCII forms
        if parsed is not None:
            parsed["args"] = args  # for the warnings, in the command's words
        if args.version:
            from . import __version__

            out.write(f"identkit {__version__}\n")
            return 0
        if args.command is None:  # a refusal is one line on stderr, as for any usage error
            raise _UsageError("identkit: error: choose a command (check, draw, design, repair, "
                              "verify, generate, fit, score, theorems, sweep, examples); "
                              "see identkit --help")
        return {"check": _cmd_check, "draw": _cmd_draw, "examples": _cmd_examples,
                "design": _cmd_design, "repair": _cmd_repair, "verify": _cmd_verify,
                "generate": _cmd_generate, "fit": _cmd_fit, "score": _cmd_score,
                "theorems": _cmd_theorems, "sweep": _cmd_sweep}[args.command](args, out)
    except _UsageError as exc:
        print(_one_line(str(exc)), file=sys.stderr)
        return 2
    except IdentkitError as exc:
        print(f"identkit: error: {_one_line(_option_words(str(exc), args))}", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"identkit: error: {_out_of_memory(args)}", file=sys.stderr)
        return 2
    except OSError as exc:
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        print(f"identkit: error: {where}{_one_line(exc.strerror or str(exc) or type(exc).__name__)}",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("identkit: interrupted", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug of ours: still one line, unless the user asks for more
        if _debugging(argv):
            raise
        msg = _one_line(str(exc))
        print(f"identkit: internal error ({type(exc).__name__}{': ' + msg if msg else ''}); "
              "rerun with --debug (or IDENTKIT_DEBUG=1) for the traceback, and please report it "
              "with the command and input", file=sys.stderr)
        return 2


# seconds to derive a mechanism file's graphs for a command without --time-budget (check's
# default)
_DERIVE_SECONDS = 60.0

_INPUTS = ("path", "source", "true", "learned", "graph", "model", "data")
_SIZES = ("latents", "samples", "maps", "x_dim", "actions", "steps")


def _out_of_memory(args) -> str:
    """The message for a MemoryError no estimate caught: what was being read (file and size)
    and the size options given, so the user knows what to shrink. Every command that can
    estimate its work refuses before this, with the estimate; this is the last resort.

    Examples
    --------
    >>> import argparse
    >>> from identkit.cli import _out_of_memory
    >>> _out_of_memory(argparse.Namespace(command="design", latents="1000000"))
    'out of memory in design with --latents 1000000: the work is too large for this machine'
    >>> _out_of_memory(argparse.Namespace(command="generate", source="ActionDiag", latents=99))
    'out of memory in generate ActionDiag with --latents 99: the work is too large for this machine'
    >>> print(_out_of_memory(argparse.Namespace(command="check", path="-", max_memory=None)))
    out of memory in check reading <stdin>: the input is too large for this machine
    (see --max-memory)
    """
    import os

    if args is None:
        return "out of memory: the work is too large for this machine"
    parts = []
    for dest in _INPUTS:
        value = getattr(args, dest, None)
        if isinstance(value, str) and value:
            if value == "-":
                parts.append("reading <stdin>")
            elif os.path.exists(value):
                size = os.path.getsize(value) if os.path.isfile(value) else None
                parts.append(f"reading {value}" + (f" ({size:,} bytes)" if size else ""))
            else:  # a name, not a file: generate's dataset, an example
                parts.append(value)
    for dest in _SIZES:
        value = getattr(args, dest, None)
        if isinstance(value, (int, str)) and not isinstance(value, bool) and value != "":
            parts.append(f"with --{dest.replace('_', '-')} {value}")
    what = "input" if any(p.startswith("reading") for p in parts) else "work"
    # the commands that offer --max-memory say so
    hint = " (see --max-memory)" if hasattr(args, "max_memory") else ""
    where = " ".join([getattr(args, "command", None) or "", *parts]).strip()
    return f"out of memory{' in ' + where if where else ''}: the {what} is too large for " \
           f"this machine{hint}"


def _one_line(text: str, limit: int = 240) -> str:
    """The first line of a message, at most about ``limit`` characters (a message is one line):
    a longer one keeps its start and its end (where the reason usually is), cut in the middle.
    The messages quote long inputs by their start already (identkit.symbolic.parser.shown);
    this is the bound for every other one (a name of a million characters)."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    if len(line) <= limit:
        return line
    head = limit * 2 // 3
    return f"{line[:head]} [... {len(line) - limit + 5:,} characters ...] {line[-(limit - head):]}"


# The API's keywords that are not an option's name, in the command's words
_KEYWORD_OPTIONS = {"temporal=False": "--static", "temporal=True": "--temporal",
                    "standardize=False": "--no-standardize"}
_POSITIONALS = {"command", "path", "source", "name", "debug", "version"}
_REPR = r"""(?:'[^']*'|"[^"]*"|True|False|None|-?[0-9][0-9.e+-]*)"""


def _option_words(text: str, args) -> str:
    """A message of the API in the command's words: ``regularize='b'`` becomes
    ``--regularize 'b'``, ``transition_variance`` becomes ``--transition-variance``,
    ``temporal=False`` becomes ``--static``, for the options the command has (their names are
    the API's keywords, ``-`` for ``_``). Quoted text (a user's name) is left alone.

    Examples
    --------
    >>> import argparse
    >>> from identkit.cli import _option_words
    >>> args = argparse.Namespace(command="x", regularize=None, max_memory=None, obs_noise=0.0)
    >>> _option_words("regularize='b': unknown letter 'b'", args)
    "--regularize 'b': unknown letter 'b'"
    >>> _option_words("raise it with max_memory, or --max-memory on the command line", args)
    'raise it with --max-memory'
    >>> _option_words("pass temporal=False (--static) for i.i.d. data; key 'obs_noise'", args)
    "pass --static for i.i.d. data; key 'obs_noise'"
    """
    import re

    for word, option in _KEYWORD_OPTIONS.items():
        text = re.sub(rf"(?<![\w'\"-]){re.escape(word)}(?: \({re.escape(option)}\))?(?![\w'\"])",
                      option, text)
    dests = [d for d in vars(args) if d not in _POSITIONALS] if args is not None else []
    for dest in sorted(dests, key=len, reverse=True):
        option = "--" + dest.replace("_", "-")
        text = re.sub(rf"(?<![\w'\"-]){dest}=({_REPR})", rf"{option} \1", text)
        if "_" in dest:  # a bare keyword of two words is unambiguous (not "latents")
            text = re.sub(rf"(?<![\w'\"-]){dest}(?![\w'\"-])", option, text)
        text = re.sub(rf"{option}, or {option}(?: on the command line)?", option, text)
    return text


def console_main():  # pragma: no cover - entry point
    sys.exit(main())
