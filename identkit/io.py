"""Graph files: one schema, read and written as JSON, YAML, a compact text form and ``.npz``.

The schema (shipped as ``identkit/schemas/graph.schema.json``)::

    latents: [tree, robot, ball]      # or an integer d (names default to z1..zd)
    actions: [torque]                 # or an integer m; optional
    Gz: [[1,0,0],[1,1,0],[1,1,1]]     # rows are children; optional
    Ga: [[0],[1],[0]]                 # optional
    temporal_edges: [[tree, robot]]   # [parent at t-1, child at t]
    action_edges: [[torque, robot]]   # [action, latent]
    interventions: [[robot, ball]]    # target sets, one action each
    name: ...                         # optional free text
    description: ...                  # optional free text

Matrices and edge lists may both be given; they must then agree. The text form, one statement a
line (``#`` starts a comment)::

    latents: tree robot ball          # optional; declares the order
    actions: torque                   # optional; declares actions
    tree -> tree, robot, ball         # temporal edges: parent at t-1 -> children at t
    torque -> robot                   # an edge out of a declared action is an action edge
    do(robot, ball)                   # an intervention: a new action targeting these latents
    do(tree) as push                  # ... with a name
    graphs: a z                       # optional: which graphs exist even if they have no edge

A name that is not bare (a letter or ``_``, then letters, digits, ``_ . ' -``) is written in double
quotes with JSON escapes (``"joint one" -> "a, b"``); :func:`format_text` quotes exactly those, so
whatever identkit writes it reads back.

``.npz`` files hold the arrays ``Gz`` and/or ``Ga`` (0/1 or bool) and optionally the string arrays
``latents`` and ``actions``; they are loaded without pickle. The data arrays that ``identkit
generate`` writes beside them (``x``, ``z``, ``a``, ``z_prev``, ``x_prev``, ``x_mean``, ``x_std``)
are allowed and ignored.

Every reader raises :class:`~identkit.GraphFileError` naming the file and the key, line or entry
at fault; nothing is coerced. Readers take only regular files (or ``-``, standard input), read at
most ``max_bytes``, accept a UTF-8 byte-order mark, and refuse before allocating: binary data,
duplicate keys, integers of over 100 digits, YAML aliases adding over a million entries, and
declared sizes (counts, ``.npz`` shapes) needing more than ``max_memory``.
"""

from __future__ import annotations

import json
import os
import re
import sys

import numpy as np

from . import _jsonfmt
from .errors import DependencyError, GraphError, GraphFileError, did_you_mean
from ._validate import BARE_NAME, MAX_NAME_LENGTH, first_seen
from .graphs import LatentGraph, quote_name

__all__ = [
    "graph_from_dict",
    "graph_to_dict",
    "read_graph",
    "write_graph",
    "loads_graph",
    "dumps_graph",
    "parse_text",
    "format_text",
    "read_text",
    "read_model",
    "is_mechanism_data",
    "parse_data",
    "atomic_write",
    "atomic_write_all",
    "yaml_module",
    "schema",
    "MAX_BYTES",
    "MAX_MEMORY",
]

MAX_BYTES = 256 * 2**20
"""The default cap on what a reader reads from one file (bytes); ``max_bytes`` raises it."""

MAX_MEMORY = 2 * 2**30
"""The default cap on the memory that counts declared in a file may make identkit allocate."""

_MAX_INT_DIGITS = 100      # no graph or mechanism file needs a longer integer
_MAX_ALIAS_NODES = 10**6   # entries that YAML aliases may add to a document
_BYTES_PER_NAME = 160      # a name: the str, its slots in tuples, sets, dicts and index arrays


KEYS = ("latents", "actions", "Gz", "Ga", "temporal_edges", "action_edges", "interventions",
        "name", "description")


def schema() -> dict:
    """The JSON Schema of graph files (a dict).

    Examples
    --------
    >>> import identkit as ik
    >>> sorted(ik.io.schema()["properties"])[:3]
    ['Ga', 'Gz', 'action_edges']
    """
    from importlib import resources

    text = resources.files("identkit").joinpath("schemas/graph.schema.json").read_text("utf-8")
    return json.loads(text)


# ------------------------------------------------------------------------------------- dicts


def _fail(source, msg):
    raise GraphFileError(f"{source}: {msg}")


def _fspath(path) -> str:
    """``path`` as a str (``-`` for standard input); a non-path is a GraphFileError naming it."""
    try:
        return os.fsdecode(path)
    except TypeError:
        raise GraphFileError(f"path: a file path is a str or os.PathLike (or - for standard "
                             f"input), got {type(path).__name__} {path!r}") from None


def _names(value, key, source):
    if value is None:
        return None
    if isinstance(value, bool):
        _fail(source, f"key '{key}' must be a list of names or an integer, got {value!r}")
    if isinstance(value, int):
        if value < 1:
            _fail(source, f"key '{key}' must be a positive integer, got {value}")
        return value
    if isinstance(value, (list, tuple)):
        for k, v in enumerate(value):
            if not isinstance(v, str):
                _fail(source, f"key '{key}' entry {k} is {v!r}; names must be strings")
        seen = {}
        for k, v in enumerate(value):  # O(n): one dictionary, not a count per name
            if v in seen:
                _fail(source, f"key '{key}' names {v!r} twice (entries {seen[v]} and {k})")
            seen[v] = k
        if not value:
            _fail(source, f"key '{key}' is an empty list")
        return list(value)
    _fail(source, f"key '{key}' must be a list of names or an integer, got {type(value).__name__}")


def _edge_list(value, key, source):
    if not isinstance(value, (list, tuple)):
        _fail(source, f"key '{key}' must be a list of [parent, child] pairs")
    out = []
    for k, e in enumerate(value):
        if not isinstance(e, (list, tuple)) or len(e) != 2 or not all(isinstance(x, str) for x in e):
            _fail(source, f"key '{key}' entry {k} must be a pair of names, got {e!r}")
        out.append((e[0], e[1]))
    return out


def graph_from_dict(data, source: str = "<graph>", *, max_memory: int = MAX_MEMORY) -> LatentGraph:
    """Build a :class:`~identkit.LatentGraph` from a mapping in the graph-file schema.

    Parameters
    ----------
    data : Mapping
    source : str
        Where the data came from, used in error messages (a file name).
    max_memory : int
        Refuse declared counts (``"latents": 100000000``) whose names and index arrays alone
        would need more than this many bytes (estimated at 160 bytes a name, before anything
        is allocated; default 2 GiB).

    Raises
    ------
    GraphFileError
        If the mapping has unknown keys (the closest valid one is suggested), malformed values,
        undeclared names, no graph at all, matrices and edges that disagree, or declared
        counts over ``max_memory``.

    Examples
    --------
    >>> import identkit as ik
    >>> g = ik.io.graph_from_dict({"latents": ["x", "y"], "temporal_edges": [["x", "y"]]})
    >>> g.Gz.astype(int).tolist()
    [[0, 0], [1, 0]]
    """
    _check_keys(data, source)
    latents = _names(data.get("latents"), "latents", source)
    actions = _names(data.get("actions"), "actions", source)
    _check_declared_counts(latents, actions, source, max_memory)
    t_edges = _edge_list(data["temporal_edges"], "temporal_edges", source) \
        if "temporal_edges" in data else None
    a_edges = _edge_list(data["action_edges"], "action_edges", source) \
        if "action_edges" in data else None
    targets = _interventions(data.get("interventions"), source)
    latent_names = _latent_names(data, latents, t_edges, a_edges, targets, source)
    action_names = _action_names(data, actions, a_edges, targets, source)
    _check_declared(t_edges, a_edges, targets, latent_names, action_names, source)
    Gz_sources, Ga_sources = _graph_sources(data, t_edges, a_edges, targets, latent_names,
                                            action_names, source)
    _check_sources_agree(Gz_sources, "Gz", latent_names, latent_names, source)
    _check_sources_agree(Ga_sources, "Ga", latent_names, action_names or [], source)
    try:
        return LatentGraph(
            Gz=Gz_sources[0][1] if Gz_sources else None,
            Ga=Ga_sources[0][1] if Ga_sources else None,
            latents=latent_names,
            actions=action_names if Ga_sources else None,
        )
    except GraphError as exc:
        _fail(source, str(exc))


_GRAPH_KEYS = ("Gz", "Ga", "temporal_edges", "action_edges", "interventions")


def _check_keys(data, source) -> None:
    """A mapping, with only schema keys (the closest one suggested), and at least one graph."""
    if data is None:  # an empty YAML document, only comments, or null
        _fail(source, "empty model: the file holds no keys (give Gz, Ga, temporal_edges, "
                      "action_edges or interventions)")
    if not isinstance(data, dict):
        _fail(source, f"the top level must be a mapping of keys, got {type(data).__name__}")
    for key in data:
        if key not in KEYS:
            hint = did_you_mean(str(key), KEYS, cutoff=0.4) or f"; valid keys: {', '.join(KEYS)}"
            _fail(source, f"unknown key '{key}'{hint}")
    if not any(k in data for k in _GRAPH_KEYS):
        _fail(source, "empty model: give Gz, Ga, temporal_edges, action_edges or interventions")


def _check_declared_counts(latents, actions, source, max_memory) -> None:
    """Refuse declared counts (``latents: 100000000``) whose names alone exceed ``max_memory``."""
    counts = [(k, v) for k, v in (("latents", latents), ("actions", actions)) if isinstance(v, int)]
    need = sum(v for _, v in counts) * _BYTES_PER_NAME
    if need > max_memory:
        what = " and ".join(f"{v:,} {k}" for k, v in counts)
        _fail(source, f"key '{counts[-1][0] if len(counts) == 1 else 'latents'}' declares {what}: "
                      f"about {format_bytes(need)} of memory for their names and index arrays, over "
                      f"the limit of {format_bytes(max_memory)} (raise it with max_memory, or "
                      "--max-memory on the command line)")


def _interventions(targets, source):
    """The value of ``interventions``: None, or a list of lists of names (checked, unchanged)."""
    if targets is not None:
        if not isinstance(targets, list):
            _fail(source, "key 'interventions' must be a list of target lists")
        for k, t in enumerate(targets):
            if not isinstance(t, list) or not all(isinstance(x, str) for x in t):
                _fail(source, f"key 'interventions' entry {k} must be a list of latent names")
    return targets


def _latent_names(data, latents, t_edges, a_edges, targets, source) -> list:
    """The latent names: declared, or from a matrix's number of rows, or from the names used
    (in order of first appearance); a declared list must match the matrix's rows."""
    rows = {}
    for k in ("Gz", "Ga"):
        if k in data:
            try:
                rows[k] = len(data[k])
            except TypeError:
                _fail(source, f"key '{k}' must be a list of rows")
    if len(set(rows.values())) > 1:
        _fail(source, f"'Ga' has {rows['Ga']} rows but 'Gz' has {rows['Gz']}: both graphs have "
                      "one row per latent (rows are children)")
    key, d = next(iter(rows.items()), (None, None))
    if isinstance(latents, int):
        latent_names = [f"z{k + 1}" for k in range(latents)]
    elif latents is not None:
        latent_names = latents
    elif d is not None:
        latent_names = [f"z{k + 1}" for k in range(d)]
    else:
        latent_names = first_seen([x for e in t_edges or () for x in e]
                                  + [v for _, v in a_edges or ()]
                                  + [x for t in targets or () for x in t])
        if not latent_names:
            _fail(source, "no latents: declare 'latents' or give at least one edge")
    if d is not None and d != len(latent_names):
        _fail(source, f"'latents' declares {len(latent_names)} latents but '{key}' has {d} rows")
    return latent_names


def _action_names(data, actions, a_edges, targets, source):
    """The action names: declared, or from ``Ga``'s columns, the action edges (first
    appearance) or one per intervention; None when the model has no actions."""
    if isinstance(actions, int):
        return [f"a{k + 1}" for k in range(actions)]
    if actions is not None:
        return actions
    if "Ga" in data:
        try:
            m = len(data["Ga"][0])
        except (TypeError, IndexError, KeyError):
            _fail(source, "key 'Ga' must be a non-empty list of rows")
        return [f"a{k + 1}" for k in range(m)]
    if a_edges is not None:
        return first_seen(a for a, _ in a_edges)
    if targets is not None:
        return [f"a{k + 1}" for k in range(len(targets))]
    return None


def _check_declared(t_edges, a_edges, targets, latent_names, action_names, source) -> None:
    """Every name in an edge or a target set is a declared latent or action (closest suggested)."""
    lat_set = set(latent_names)

    def check_names(pairs, key, kinds):
        for k, pair in enumerate(pairs):
            for name, (kind, allowed) in zip(pair, kinds):
                if name not in allowed:
                    _fail(source, f"key '{key}' entry {k} uses the undeclared {kind} "
                                  f"{name!r}{did_you_mean(name, allowed)}")

    if t_edges is not None:
        check_names(t_edges, "temporal_edges", (("latent", lat_set), ("latent", lat_set)))
    if a_edges is not None:
        check_names(a_edges, "action_edges",
                    (("action", set(action_names or ())), ("latent", lat_set)))
    for t in targets or ():
        check_names([(x, x) for x in t], "interventions",
                    (("latent", lat_set), ("latent", lat_set)))


def _graph_sources(data, t_edges, a_edges, targets, latent_names, action_names, source):
    """Each given source of each graph as ``(key, BoolCSR)`` with the common names:
    ``(Gz sources, Ga sources)``, in the order Gz, temporal_edges / Ga, action_edges,
    interventions."""
    try:
        Gz_sources, Ga_sources = [], []
        if "Gz" in data:
            Gz_sources.append(("Gz", LatentGraph(Gz=data["Gz"], latents=latent_names).Gz_csr))
        if t_edges is not None:
            Gz_sources.append(("temporal_edges", LatentGraph.from_edges(
                temporal_edges=t_edges, latents=latent_names).Gz_csr))
        if "Ga" in data:
            Ga_sources.append(("Ga", LatentGraph(Ga=data["Ga"], latents=latent_names,
                                                 actions=action_names).Ga_csr))
        if a_edges is not None:
            Ga_sources.append(("action_edges", LatentGraph.from_edges(
                action_edges=a_edges, latents=latent_names, actions=action_names).Ga_csr))
        if targets is not None:
            if action_names is not None and len(action_names) != len(targets):
                _fail(source, f"key 'interventions' has {len(targets)} target sets but "
                              f"{len(action_names)} actions are declared")
            Ga_sources.append(("interventions", LatentGraph.from_interventions(
                targets, latents=latent_names, actions=action_names).Ga_csr))
    except GraphError as exc:
        _fail(source, str(exc))
    return Gz_sources, Ga_sources


def _check_sources_agree(sources, label, latent_names, col_names, source) -> None:
    """Matrices and edge lists given for the same graph must be equal; name the first entry
    where two of them differ (child and parent names)."""
    for (k1, m1), (k2, m2) in zip(sources, sources[1:]):
        if m1.shape != m2.shape:
            _fail(source, f"'{k1}' and '{k2}' disagree: shapes {m1.shape} and {m2.shape}")
        diff = m1.first_difference(m2)
        if diff is not None:
            i, j, v1, v2 = diff
            _fail(source, f"'{k1}' and '{k2}' disagree at {label}[{i}, {j}] (child "
                          f"{latent_names[i]!r}, parent {col_names[j]!r}): {k1} says {v1}, "
                          f"{k2} says {v2}")


def graph_to_dict(g: LatentGraph, style: str = "auto") -> dict:
    """The graph-file mapping of a model: names plus matrices or edge lists.

    ``style="matrix"`` writes ``Gz``/``Ga`` as 0/1 rows, ``"edges"`` writes edge lists (compact
    for large sparse models), ``"auto"`` uses matrices up to 30 latents. The keys ``Gz`` /
    ``temporal_edges`` (and ``Ga`` / ``action_edges``) are present exactly when the model has that
    graph, so reading the mapping back gives the same model.

    Examples
    --------
    >>> import identkit as ik
    >>> ik.io.graph_to_dict(ik.LatentGraph(Gz=[[1, 0], [1, 1]]), style="edges")
    {'latents': ['z1', 'z2'], 'temporal_edges': [['z1', 'z1'], ['z1', 'z2'], ['z2', 'z2']]}
    """
    if style not in ("auto", "matrix", "edges"):
        raise GraphError(f"style must be 'auto', 'matrix' or 'edges', got {style!r}")
    if style == "auto":
        style = "matrix" if g.n_latents <= 30 else "edges"
    out: dict = {"latents": list(g.latents)}
    if g.Ga_csr is not None:
        out["actions"] = list(g.actions)
    if style == "matrix":
        if g.Gz_csr is not None:
            out["Gz"] = g.Gz.astype(int).tolist()
        if g.Ga_csr is not None:
            out["Ga"] = g.Ga.astype(int).tolist()
    else:
        if g.Gz_csr is not None:
            r, c = g.Gz_csr.nonzero()
            out["temporal_edges"] = [[g.latents[j], g.latents[i]]
                                     for i, j in zip(r.tolist(), c.tolist())]
        if g.Ga_csr is not None:
            r, c = g.Ga_csr.nonzero()
            out["action_edges"] = [[g.actions[l], g.latents[i]]
                                   for i, l in zip(r.tolist(), c.tolist())]
    return out


# -------------------------------------------------------------------------------- text form

# A line is cut into tokens: a name (bare, or double-quoted with JSON escapes), '->', ',', '(',
# ')', ':' or '#' (the rest of the line is a comment). Anything else is a token of its own so the
# message can quote it.
_TOKEN = re.compile(
    r"""\s*(?:(?P<quoted>"[^"\\]*(?:\\.[^"\\]*){0,%d}")|(?P<bare>""" % MAX_NAME_LENGTH
    + BARE_NAME + r""")|(?P<arrow>->)"""
    r"""|(?P<punct>[,():])|(?P<comment>\#)|(?P<open>")|(?P<other>[^\s,():"#]+))"""
)


# A run of characters no name may be cut from: longer than a name can be (checked before the
# tokens, so that no long token is ever built).
_LONG_RUN = re.compile(r'[^\s,():"#]{%d,}' % (MAX_NAME_LENGTH + 1))


def _name_too_long(source, lineno, text):
    """Refuse a name (or a run of name characters) over the cap, quoting only its start."""
    _fail(source, f"line {lineno}: the name {text[:20] + '...'!r} has {len(text):,} characters; "
                  f"a name has at most {MAX_NAME_LENGTH} characters")


def _tokens(line: str, source, lineno):
    """The tokens of one line as ``(kind, value)``; kind is 'name' or the punctuation itself.

    A name longer than :data:`identkit._validate.MAX_NAME_LENGTH` characters is refused before
    it is built. Complexity: O(len(line)) time, O(1) memory beyond the tokens.
    """
    long = _LONG_RUN.search(line.split("#", 1)[0] if '"' not in line else line)
    if long and '"' not in line[:long.start()]:
        _name_too_long(source, lineno, long.group())
    out, pos, n = [], 0, len(line)
    while pos < n:
        m = _TOKEN.match(line, pos)
        if m is None:  # only trailing whitespace is left
            break
        pos = m.end()
        kind = m.lastgroup
        if kind == "comment":
            break
        if m.end(kind) - m.start(kind) > MAX_NAME_LENGTH + 2:  # + 2: the quotes
            _name_too_long(source, lineno, m.group(kind))
        if kind == "quoted":
            try:
                value = json.loads(m.group("quoted"))
            except json.JSONDecodeError as exc:
                _fail(source, f"line {lineno}: bad quoted name {m.group('quoted')!r}: {exc.msg}")
            out.append(("name", value))
        elif kind == "bare":
            out.append(("name", m.group("bare")))
        elif kind == "open":
            _fail(source, f"line {lineno}: a quoted name is not closed (a '\"' is missing) or is "
                          f"longer than {MAX_NAME_LENGTH} characters")
        elif kind == "other":
            out.append(("other", m.group("other")))
        else:
            out.append((m.group(kind), m.group(kind)))
    return out


def _names_of(tokens, source, lineno):
    """The names in a run of tokens separated by commas and/or spaces. A comma with no name
    before or after it (``a,,b``, ``a,``) is refused rather than read as a guess."""
    if all(kind == "," for kind, _ in tokens):
        return []  # no name at all: the caller says which statement names nothing
    names = []
    expect_name = False  # after a comma, a name must follow
    for kind, value in tokens:
        if kind == "name":
            names.append(value)
            expect_name = False
        elif kind == ",":
            if expect_name or not names:
                _fail(source, f"line {lineno}: a ',' with no name before it")
            expect_name = True
        else:
            _fail(source, f"line {lineno}: {value!r} is not a valid name (names that are not "
                          'letters, digits, _ . - \' are written in double quotes: "my name")')
    if expect_name:
        _fail(source, f"line {lineno}: a ',' is not followed by a name")
    return names


def parse_text(text: str, source: str = "<text>") -> LatentGraph:
    """Parse the compact text form (see the module docstring).

    A name is written bare when it is a letter or ``_`` followed by letters, digits, ``_``,
    ``.``, ``'`` or ``-`` (not ``->``); any other name is written in double quotes with the
    escapes of JSON strings (``"joint one"``, ``"a, b"``, ``"say \\"hi\\""``). Lines end only at
    ``\\n`` (a ``\\r`` before it is dropped), ``#`` outside quotes starts a comment, and a UTF-8
    byte-order mark at the start is ignored.

    Raises
    ------
    GraphFileError
        Naming the line of any statement that cannot be parsed, a name used as both a latent
        and an action, or an undeclared name when ``latents:`` was given.

    Examples
    --------
    >>> import identkit as ik
    >>> g = ik.io.parse_text('''
    ... tree -> tree, robot, ball
    ... robot -> robot, ball
    ... ball -> ball
    ... torque -> robot
    ... actions: torque
    ... latents: tree robot ball
    ... ''')
    >>> ik.analyze(g).complete
    True
    >>> ik.io.parse_text('"joint one" -> "joint two", x').latents
    ('joint one', 'joint two', 'x')

    Notes
    -----
    Time and memory are linear in the length of the text.
    """
    st = _read_statements(text, source)
    t_edges, a_edges = _split_edges(st, source)
    do_names = _intervention_names(st, source)
    latents = _text_latents(st, t_edges, a_edges, source)
    has_z, has_a = _text_graphs(st, t_edges, source)
    t_pairs = [(p, c) for p, c, _ in t_edges] if has_z else None
    try:
        if st.actions:
            g = LatentGraph.from_edges(temporal_edges=t_pairs,
                                       action_edges=[(a, c) for a, c, _ in a_edges],
                                       latents=latents, actions=st.actions)
        elif has_z:
            g = LatentGraph.from_edges(temporal_edges=t_pairs, latents=latents)
        else:
            g = None
        if st.targets:
            g = (LatentGraph.from_interventions(st.targets, latents=latents, actions=do_names)
                 if g is None else g.with_interventions(st.targets, names=do_names))
    except GraphError as exc:
        _fail(source, f"{exc}")
    return g


class _Statements:
    """What the statements of a text say, before any name is resolved (filled line by line)."""

    def __init__(self):
        self.latents = self.actions = self.graphs = None   # declared by 'latents:' etc.
        self.targets, self.target_names = [], []            # do(...) [as NAME]
        self.raw_edges = []                                 # (parent, child, line number)
        self.mentions = []  # names in order of appearance, to order the latents when not declared


def _read_statements(text: str, source) -> _Statements:
    """Cut the text into lines and read each statement; blank and comment lines are skipped."""
    st = _Statements()
    if text.startswith("\ufeff"):
        text = text[1:]
    for lineno, line in enumerate(text.split("\n"), start=1):
        toks = _tokens(line[:-1] if line.endswith("\r") else line, source, lineno)
        if toks:
            _statement(st, toks, line, source, lineno)
    return st


def _statement(st: _Statements, toks, line: str, source, lineno) -> None:
    """One statement: a declaration, an intervention or edges; anything else is refused."""
    kinds = [k for k, _ in toks]
    head = toks[0][1]
    if kinds[:2] == ["name", ":"] and head in ("latents", "actions", "graphs"):
        _declaration(st, head, _names_of(toks[2:], source, lineno), source, lineno)
    elif kinds[:2] == ["name", "("] and head == "do":
        _intervention(st, toks, kinds, source, lineno)
    elif kinds[:2] == ["name", "->"]:
        children = _names_of(toks[2:], source, lineno)
        if not children:
            _fail(source, f"line {lineno}: an edge needs a child after '->'")
        st.raw_edges.extend((head, c, lineno) for c in children)
        st.mentions.append(head)
        st.mentions.extend(children)
    elif kinds[0] == "other" and (len(kinds) == 1 or kinds[1] in ("->", ",")):
        _fail(source, f"line {lineno}: {head!r} is not a valid name (names that are not "
                      'letters, digits, _ . - \' are written in double quotes: "my name")')
    else:
        _fail(source, f"line {lineno}: cannot parse {line.strip()[:80]!r}; expected "
                      "'parent -> child', 'do(targets)', 'latents: ...', 'actions: ...' or "
                      "'graphs: ...'")


def _declaration(st: _Statements, head: str, names, source, lineno) -> None:
    """``latents: ...`` (once, at least one name), ``actions: ...`` (once) or ``graphs: a z``."""
    if head == "latents":
        if st.latents is not None:
            _fail(source, f"line {lineno}: 'latents:' given twice")
        if not names:  # zero latents is no model (draw, verify and generate crashed)
            _fail(source, f"line {lineno}: 'latents:' names no latent")
        st.latents = names
    elif head == "actions":
        if st.actions is not None:
            _fail(source, f"line {lineno}: 'actions:' given twice")
        st.actions = names
    else:
        bad = [n for n in names if n not in ("a", "z")]
        if bad:
            _fail(source, f"line {lineno}: 'graphs:' takes the letters a and z, got {bad[0]!r}")
        st.graphs = set(names)


def _intervention(st: _Statements, toks, kinds, source, lineno) -> None:
    """``do(targets)`` or ``do(targets) as NAME``: at least one target."""
    try:
        close = kinds.index(")")
    except ValueError:
        _fail(source, f"line {lineno}: do( is not closed by ')'")
    names = _names_of(toks[2:close], source, lineno)
    rest = toks[close + 1:]
    label = None
    if rest:
        if len(rest) != 2 or rest[0] != ("name", "as") or rest[1][0] != "name":
            _fail(source, f"line {lineno}: after do(...) expected nothing or 'as NAME'")
        label = rest[1][1]
    if not names:
        _fail(source, f"line {lineno}: do() needs at least one target")
    st.targets.append(names)
    st.target_names.append(label)
    st.mentions.extend(names)


def _split_edges(st: _Statements, source):
    """``(temporal edges, action edges)``: an edge out of a declared action is an action edge;
    an edge into one is refused."""
    action_set = set(st.actions or ())
    t_edges, a_edges = [], []
    for parent, child, lineno in st.raw_edges:
        if child in action_set:
            _fail(source, f"line {lineno}: {child!r} is an action and cannot be a child")
        (a_edges if parent in action_set else t_edges).append((parent, child, lineno))
    return t_edges, a_edges


def _intervention_names(st: _Statements, source) -> list:
    """The action name of each intervention: its ``as`` name, else the first free ``a<k>``."""
    do_names = []
    taken = set(st.actions or ()) | set(st.latents or ())
    labels = set(st.target_names)  # a set: membership tests stay O(1) for 10^5 interventions
    for idx, label in enumerate(st.target_names):
        if label is None:  # the k-th action of the model is called a<k> when that name is free
            k = len(st.actions or ()) + idx + 1
            while f"a{k}" in taken or f"a{k}" in labels:
                k += 1
            label = f"a{k}"
        if label in taken:
            _fail(source, f"the intervention name {label!r} is already used")
        taken.add(label)
        do_names.append(label)
    return do_names


def _text_latents(st: _Statements, t_edges, a_edges, source) -> list:
    """The latents: declared, or the names met in order (actions excepted); every edge's
    latent end must be one of them."""
    latents = st.latents
    if latents is None:
        action_set = set(st.actions or ())
        latents = first_seen(x for x in st.mentions if x not in action_set)
        if not latents:
            _fail(source, "empty model: no latents, edges or interventions")
    lat_set = set(latents)
    checks = [(p, ln) for p, c, ln in t_edges] + [(c, ln) for _, c, ln in t_edges + a_edges]
    for name, lineno in checks:
        if name not in lat_set:
            _fail(source, f"line {lineno}: {name!r} is not a declared latent"
                          f"{did_you_mean(name, latents)}")
    return latents


def _text_graphs(st: _Statements, t_edges, source):
    """``(has_z, has_a)``: which graphs the model has, from its statements and ``graphs:``.

    Without ``graphs:``, Gz exists when there is a temporal edge or no action at all, and Ga
    when actions are declared or interventions given; ``graphs:`` may add an empty Gz but must
    agree with the edges and actions given.
    """
    graphs = st.graphs
    has_z = bool(t_edges) or (graphs is not None and "z" in graphs) or \
        (graphs is None and not st.actions and not st.targets)
    has_a = bool(st.actions) or bool(st.targets)
    if graphs is not None:
        if "z" not in graphs and t_edges:
            _fail(source, "'graphs:' leaves out z but temporal edges are given")
        if "a" not in graphs and has_a:
            _fail(source, "'graphs:' leaves out a but actions are given")
        if "a" in graphs and not has_a:
            _fail(source, "'graphs: a' needs 'actions:' or do(...)")
    return has_z, has_a


def format_text(g: LatentGraph) -> str:
    """Write a model in the compact text form (:func:`parse_text` reads it back unchanged).

    Names that are not bare (see :func:`parse_text`) are written in double quotes, so any
    name, in any script, with spaces, commas, arrows or quotes, reads back as itself.

    Examples
    --------
    >>> import identkit as ik
    >>> print(ik.io.format_text(ik.LatentGraph(Gz=[[1, 0], [1, 1]], Ga=[[0], [1]])), end="")
    latents: z1 z2
    actions: a1
    graphs: a z
    z1 -> z1, z2
    z2 -> z2
    a1 -> z2
    >>> print(ik.io.format_text(ik.LatentGraph(Gz=[[1]], latents=["joint one"])), end="")
    latents: "joint one"
    graphs: z
    "joint one" -> "joint one"
    """
    lat = [quote_name(x) for x in g.latents]
    act = [quote_name(x) for x in g.actions]
    lines = [f"latents: {' '.join(lat)}"]
    if g.Ga_csr is not None:
        lines.append(f"actions: {' '.join(act)}")
    lines.append("graphs: " + " ".join(g.graphs))
    if g.Gz_csr is not None:
        T = g.Gz_T_csr
        for j in range(g.n_latents):
            ch = T.indices[T.indptr[j]: T.indptr[j + 1]].tolist()
            if ch:
                lines.append(f"{lat[j]} -> " + ", ".join(lat[i] for i in ch))
    if g.Ga_csr is not None:
        T = g.Ga_T_csr
        for l in range(g.n_actions):
            ch = T.indices[T.indptr[l]: T.indptr[l + 1]].tolist()
            if ch:
                lines.append(f"{act[l]} -> " + ", ".join(lat[i] for i in ch))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- files and text


def yaml_module():
    """The PyYAML module, imported on first use.

    Raises
    ------
    DependencyError
        When PyYAML is not installed (the message names the extra, ``identkit[yaml]``).
    """
    try:
        import yaml
    except ImportError:  # pragma: no cover - depends on the environment
        raise DependencyError(
            "reading or writing YAML needs PyYAML: pip install 'identkit[yaml]'"
        ) from None
    return yaml


def format_bytes(n: float) -> str:
    """``n`` bytes in binary units, as the memory and size refusals print them.

    >>> format_bytes(512), format_bytes(3 * 2**30)
    ('512 bytes', '3.0 GiB')
    """
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return ""  # pragma: no cover - the loop always returns


def read_bytes(path: str, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file, or of standard input when ``path`` is ``-``.

    Anything else (a directory, a named pipe, a device such as ``/dev/zero``, a socket) is
    refused without reading, and at most ``max_bytes`` are read.

    Raises
    ------
    GraphFileError
        Naming the file and why it cannot be read.
    """
    import stat

    if isinstance(max_bytes, bool) or not isinstance(max_bytes, (int, np.integer)) \
            or max_bytes < 0:
        raise GraphFileError(f"max_bytes must be a non-negative integer, got {max_bytes!r}")
    if path == "-":
        # a replaced sys.stdin (io.StringIO, a notebook's) may have no binary .buffer
        stream = getattr(sys.stdin, "buffer", sys.stdin)
        if stream is None or not hasattr(stream, "read"):
            _fail("<stdin>", "standard input is closed or cannot be read")
        chunks, total = [], 0
        while total <= max_bytes:  # in chunks: read(max_bytes) would allocate all of it
            chunk = stream.read(min(1 << 20, max_bytes + 1 - total))
            if isinstance(chunk, str):
                chunk = chunk.encode("utf-8")
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        data = b"".join(chunks)
        if len(data) > max_bytes:
            _fail("<stdin>", f"more than {format_bytes(max_bytes)}, the size limit "
                             "(raise it with max_bytes, or --max-bytes on the command line)")
        return data
    try:
        # O_NONBLOCK: opening a named pipe must not wait for a writer
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        _fail(path, "no such file")
    except PermissionError:
        _fail(path, "cannot read: permission denied")
    except OSError as exc:
        _fail(path, f"cannot open: {exc.strerror or exc}")
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        kind = ("a directory" if stat.S_ISDIR(st.st_mode) else
                "a named pipe" if stat.S_ISFIFO(st.st_mode) else
                "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else
                "not a file")
        _fail(path, f"is {kind}, not a regular file (give a file, or - for standard input)")
    with os.fdopen(fd, "rb") as fh:
        if st.st_size > max_bytes:
            _fail(path, f"is {format_bytes(st.st_size)}, over the size limit of {format_bytes(max_bytes)} "
                        "(raise it with max_bytes, or --max-bytes on the command line)")
        try:
            # read the size the file has (one more byte to notice growth): asking for
            # max_bytes would make Python allocate all of it up front
            data = fh.read(min(st.st_size, max_bytes) + 1)
            if len(data) > st.st_size:  # the file grew while we read it: read on, capped
                data += fh.read(max_bytes + 1 - len(data))
        except OSError as exc:
            _fail(path, f"cannot read: {exc.strerror or exc}")
    if len(data) > max_bytes:  # the file grew while we read it
        _fail(path, f"is over the size limit of {format_bytes(max_bytes)}")
    return data


def _decode(data: bytes, source: str) -> str:
    """UTF-8 bytes to text; a leading byte-order mark is dropped, binary data refused."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        _fail(source, f"not a UTF-8 text file (byte 0x{data[exc.start]:02x} at line {line}, "
                      f"offset {exc.start})")
    nul = text.find("\x00")
    if nul >= 0:
        _fail(source, f"not a text file (a NUL character at offset {nul}); graph files are "
                      "UTF-8 text or .npz")
    return text


def read_text(path, max_bytes: int = MAX_BYTES) -> str:
    """The text of a UTF-8 file (or of standard input for ``-``), checked before it is read.

    Parameters
    ----------
    path : str or path-like
    max_bytes : int
        Refuse files larger than this (default :data:`MAX_BYTES`).

    Raises
    ------
    GraphFileError
        If the file is missing, not a regular file (a directory, a named pipe, a device), over
        the size limit, or not UTF-8 text; a byte-order mark is accepted and dropped.

    Examples
    --------
    >>> import os, tempfile, identkit as ik
    >>> path = os.path.join(tempfile.mkdtemp(), "g.txt")
    >>> with open(path, "wb") as fh:
    ...     _ = fh.write(b"\\xef\\xbb\\xbfx -> y\\n")
    >>> ik.io.read_text(path)
    'x -> y\\n'
    >>> ik.io.read_text(os.path.dirname(path))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    identkit.errors.GraphFileError: ...: is a directory, not a regular file (give a file, or - for standard input)
    """
    path = _fspath(path)
    return _decode(read_bytes(path, max_bytes), "<stdin>" if path == "-" else path)


_DECL = re.compile(r"^\s*(latents|actions|graphs)\s*:\s*(.*)$")


def _format_of(path: str, text_head: str | None = None) -> str:
    """The format named by the extension, or sniffed from the first statement.

    Without a known extension: ``{`` or ``[`` starts JSON; a first statement ``parent ->
    child``, ``do(...)`` or ``latents: a b`` (names, not ``[...]`` or a number) makes the text
    form; any other ``key:`` or ``- item`` makes YAML.
    """
    ext = os.path.splitext(path)[1].lower() if path != "-" else ""
    if ext == ".json":
        return "json"
    if ext in (".yaml", ".yml"):
        return "yaml"
    if ext == ".npz":
        return "npz"
    if ext in (".txt", ".graph", ".ik"):
        return "text"
    if text_head is None:
        return "text"
    head = text_head.lstrip("\ufeff")
    if head.lstrip().startswith(("{", "[")):
        return "json"
    for line in head.split("\n"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = _DECL.match(line)
        if m:
            rest = m.group(2).split("#", 1)[0].strip()
            return "yaml" if not rest or rest[0] in "[{" or rest.isdigit() else "text"
        if "->" in line or re.match(r"^do\s*\(", line):
            return "text"
        if re.match(r"^(-\s|---|[^\s:]+\s*:(\s|$))", line) or line.startswith(("'", '"')) \
                and re.match(r"^(['\"]).*?\1\s*:(\s|$)", line):
            return "yaml"
        return "text"
    return "text"


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise _TooLong(len(text.lstrip("-")))
    return int(text)


class _TooLong(ValueError):
    pass


class _DuplicateKey(ValueError):
    pass


def _json_object(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateKey(k)
        out[k] = v
    return out


def parse_data(text: str, format: str, source: str):
    """JSON or YAML text to plain data (the YAML loader is the safe one).

    Duplicate mapping keys, integers longer than 100 digits and YAML aliases that expand to
    over a million entries are refused, naming the key or the place.

    Parameters
    ----------
    text : str
    format : {"json", "yaml"}
    source : str
        The file name (or ``<stdin>``) the messages name.

    Raises
    ------
    GraphFileError
        For malformed text, naming ``source`` and the line or key at fault.

    Examples
    --------
    >>> from identkit.io import parse_data
    >>> parse_data('{"Gz": [[1]]}', "json", "g.json")
    {'Gz': [[1]]}
    >>> parse_data('{"Gz": 1, "Gz": 2}', "json", "g.json")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    identkit.errors.GraphFileError: g.json: the key 'Gz' is given twice in one mapping ...
    """
    if format == "json":
        try:
            return json.loads(text, object_pairs_hook=_json_object, parse_int=_json_int)
        except json.JSONDecodeError as exc:
            _fail(source, f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")
        except RecursionError:
            _fail(source, "malformed JSON: nested too deeply")
        except _DuplicateKey as exc:
            _fail(source, f"the key {exc.args[0]!r} is given twice in one mapping "
                          "(a duplicate key would silently replace the first value)")
        except _TooLong as exc:
            m = re.search(r"[0-9]{%d,}" % (_MAX_INT_DIGITS + 1), text)
            where = f" at line {text.count(chr(10), 0, m.start()) + 1}" if m else ""
            _fail(source, f"an integer of {exc.args[0]} digits{where}; graph and mechanism "
                          f"files need at most {_MAX_INT_DIGITS}")
    yaml = yaml_module()
    try:
        return _yaml_stream_load(text, source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        _fail(source, f"malformed or unsafe YAML{where}: {problem}")


_SAFE_SCALAR_TAGS = {"tag:yaml.org,2002:" + t
                     for t in ("str", "int", "float", "bool", "null", "timestamp")}


def _yaml_stream_load(text: str, source: str):
    """Load one YAML document from the parser's event stream, building plain data directly.

    The same result as ``yaml.safe_load`` for the plain data graph files hold, but without the
    intermediate node graph that makes PyYAML use over 100 times a file's size: memory stays
    near the size of the resulting lists. Only standard scalar tags (str, int, float, bool,
    null), lists and mappings are accepted; any other tag is refused as unsafe. A key given
    twice in one mapping, an integer of more than 100 digits, and aliases that expand the
    document by more than a million entries (a "billion laughs" file) are refused.
    Complexity: O(events), whatever the aliases.
    """
    yaml = yaml_module()
    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    resolver = yaml.resolver.Resolver()
    constructor = yaml.constructor.SafeConstructor()
    events = yaml.events
    stack: list = []          # [container, pending key or _NOKEY, anchor, entries inside]
    anchors: dict = {}        # anchor -> (value, entries inside it once expanded)
    root = [_NOKEY]
    docs = 0
    expanded = [0]            # entries that aliases have added so far

    def add(value, anchor=None, ev=None, size=1):
        if anchor:
            anchors[anchor] = (value, size)
        if not stack:
            root[0] = value
            return
        top = stack[-1]
        top[3] += size
        if isinstance(top[0], list):
            top[0].append(value)
        elif top[1] is _NOKEY:
            try:
                hash(value)
            except TypeError:
                raise GraphFileError(f"{source}: a mapping key must be a plain value") from None
            if value in top[0]:
                line = ev.start_mark.line + 1 if ev is not None and ev.start_mark else "?"
                raise GraphFileError(f"{source}: the key {value!r} is given twice in one mapping "
                                     f"(again at line {line}; a duplicate key would silently "
                                     "replace the first value)")
            top[1] = value
        else:
            top[0][top[1]] = value
            top[1] = _NOKEY

    def unsafe(ev, tag):
        line = ev.start_mark.line + 1 if ev.start_mark else "?"
        raise GraphFileError(f"{source}: malformed or unsafe YAML at line {line}: the tag {tag!r} "
                             "is not allowed (plain data only)")

    def too_long(ev, value):
        line = ev.start_mark.line + 1 if ev.start_mark else "?"
        raise GraphFileError(f"{source}: an integer of {len(value.lstrip('+-'))} digits at line "
                             f"{line}; graph and mechanism files need at most {_MAX_INT_DIGITS}")

    for ev in yaml.parse(text, Loader=loader_cls):
        if isinstance(ev, events.DocumentStartEvent):
            docs += 1
            if docs > 1:
                raise GraphFileError(f"{source}: the file holds more than one YAML document")
        elif isinstance(ev, events.ScalarEvent):
            value, tag = ev.value, ev.tag
            if tag is None and ev.implicit[0] and _PLAIN_INT.match(value):
                if len(value) > _MAX_INT_DIGITS:
                    too_long(ev, value)
                add(int(value), ev.anchor, ev)  # the common case of matrix entries, decided fast
                continue
            if tag in (None, "!"):
                tag = resolver.resolve(yaml.ScalarNode, value, ev.implicit)
            if tag not in _SAFE_SCALAR_TAGS:
                unsafe(ev, tag)
            if tag == "tag:yaml.org,2002:int" and len(value) > _MAX_INT_DIGITS:
                too_long(ev, value)
            # the tag's constructor directly: construct_object would cache every node
            node = yaml.ScalarNode(tag, value, style=ev.style)
            add(constructor.yaml_constructors[tag](constructor, node), ev.anchor, ev)
        elif isinstance(ev, events.SequenceStartEvent):
            if ev.tag not in (None, "!", "tag:yaml.org,2002:seq"):
                unsafe(ev, ev.tag)
            stack.append([[], _NOKEY, ev.anchor, 1])
        elif isinstance(ev, events.MappingStartEvent):
            if ev.tag not in (None, "!", "tag:yaml.org,2002:map"):
                unsafe(ev, ev.tag)
            stack.append([{}, _NOKEY, ev.anchor, 1])
        elif isinstance(ev, (events.SequenceEndEvent, events.MappingEndEvent)):
            obj, _, anchor, size = stack.pop()
            add(obj, anchor, ev, size)
        elif isinstance(ev, events.AliasEvent):
            if ev.anchor not in anchors:
                raise GraphFileError(f"{source}: unknown YAML alias *{ev.anchor}")
            value, size = anchors[ev.anchor]
            expanded[0] += size
            if expanded[0] > _MAX_ALIAS_NODES:
                line = ev.start_mark.line + 1 if ev.start_mark else "?"
                raise GraphFileError(
                    f"{source}: YAML aliases expand the document by more than "
                    f"{_MAX_ALIAS_NODES:,} entries (at line {line}, *{ev.anchor}); write the "
                    "entries out instead")
            add(value, None, ev, size)
    return None if root[0] is _NOKEY else root[0]


_NOKEY = object()
_PLAIN_INT = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")


def loads_graph(text: str, format: str = "json", source: str = "<string>") -> LatentGraph:
    """Parse a graph from a string in ``"json"``, ``"yaml"`` or ``"text"`` form.

    Raises
    ------
    GraphFileError
        Malformed content (with the line and column the parser reports), or a schema error.
    DependencyError
        For YAML when PyYAML is missing.

    Examples
    --------
    >>> import identkit as ik
    >>> ik.io.loads_graph("latents: 2\\nGa: [[1], [0]]\\n", "yaml").Ga.astype(int).tolist()
    [[1], [0]]
    """
    if format in ("json", "yaml"):
        return graph_from_dict(parse_data(text, format, source), source)
    if format == "text":
        return parse_text(text, source)
    raise GraphFileError(f"{source}: unknown format {format!r}; use json, yaml, text or npz")


def dumps_graph(g: LatentGraph, format: str = "json", style: str = "auto") -> str:
    """Write a model as a string in ``"json"``, ``"yaml"`` or ``"text"`` form.

    Examples
    --------
    >>> import identkit as ik
    >>> print(ik.io.dumps_graph(ik.LatentGraph(Ga=[[1], [0]]), "json"), end="")
    {
      "latents": ["z1", "z2"],
      "actions": ["a1"],
      "Ga": [
        [1],
        [0]
      ]
    }
    """
    if format == "text":
        return format_text(g)
    data = graph_to_dict(g, style)
    if format == "json":
        return _jsonfmt.dumps(data) + "\n"
    if format == "yaml":
        yaml = yaml_module()
        return yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=100)
    raise GraphFileError(f"unknown format {format!r}; use json, yaml or text")


def read_model(path, format: str | None = None, *, max_bytes: int = MAX_BYTES,
               max_memory: int = MAX_MEMORY) -> "LatentGraph | dict":
    """Read a graph file, or the plain data of a mechanism file, from a path or standard input.

    Like :func:`read_graph`, except for a JSON or YAML file that holds a written mechanism: that
    file is returned as its parsed mapping, unchanged. Whether a file is a mechanism is decided
    here, by :func:`is_mechanism_data` (it has the key ``mean`` or ``log_density``), without
    importing sympy: ``io`` sits below the backends in the layers (see the architecture page)
    and cannot build a mechanism itself. The caller turns the mapping into one with
    :func:`identkit.symbolic.mechanism_from_dict` (the command line does). ``.npz`` files and
    the text form are always graphs.

    Parameters
    ----------
    path, format, max_bytes, max_memory
        As for :func:`read_graph`, which documents them once: standard input as ``-``, the
        formats, and the size and memory limits (checked before anything is allocated).

    Returns
    -------
    LatentGraph or dict
        The model of a graph file, or the mapping of a mechanism file (``is_mechanism_data``
        holds for it).

    Raises
    ------
    GraphFileError
        As for :func:`read_graph`, except that a mechanism file is returned, not refused.

    Examples
    --------
    >>> import os, tempfile, identkit as ik
    >>> path = os.path.join(tempfile.mkdtemp(), "m.json")
    >>> with open(path, "w") as fh:
    ...     _ = fh.write('{"latents": ["x"], "mean": {"x": "x_lag1"}}')
    >>> ik.io.read_model(path)
    {'latents': ['x'], 'mean': {'x': 'x_lag1'}}
    """
    path = _fspath(path)
    source = "<stdin>" if path == "-" else path
    fmt = format or _format_of(path)
    if format is not None and format not in ("json", "yaml", "text", "npz"):
        _fail(source, f"unknown format {format!r}; use json, yaml, text or npz")
    data = read_bytes(path, max_bytes)
    if fmt == "npz" or (format is None and fmt == "text" and data.startswith(b"PK\x03\x04")):
        return _read_npz(data, source, max_memory)
    text = _decode(data, source)
    del data
    if not text.strip():  # every format: an empty file is no model (not malformed JSON)
        _fail(source, "empty model: the input is empty (give Gz, Ga, temporal_edges, "
                      "action_edges or interventions)")
    if format is None and fmt == "text":
        fmt = _format_of(path, text[:4096])
    if fmt in ("json", "yaml"):
        parsed = parse_data(text, fmt, source)
        del text  # keep the peak near the parsed data plus one boolean matrix
        if is_mechanism_data(parsed):
            return parsed
        return graph_from_dict(parsed, source, max_memory=max_memory)
    return parse_text(text, source)


def read_graph(path, format: str | None = None, *, max_bytes: int = MAX_BYTES,
               max_memory: int = MAX_MEMORY) -> LatentGraph:
    """Read a graph file (JSON, YAML, text form or ``.npz``), chosen by extension or ``format``.

    A mechanism file is refused; :func:`read_model` reads either kind, with the parameters and
    limits documented here.

    Parameters
    ----------
    path : str or path-like
        A regular file, or ``-`` for standard input (the format is then sniffed, or ``format``).
    format : {"json", "yaml", "text", "npz"}, optional
    max_bytes : int
        Refuse files larger than this (default 256 MiB).
    max_memory : int
        Refuse files whose declared counts (``latents: 100000000``) or ``.npz`` array shapes
        would make identkit allocate more than this many bytes (default 2 GiB); the check is
        made before anything is allocated and the message gives the estimate.

    Raises
    ------
    GraphFileError
        If the file is missing, not a regular file, too large, unreadable, malformed, breaks
        the schema, or holds a mechanism; the message names the file and the key, line or entry
        at fault.

    Examples
    --------
    >>> import os, tempfile, identkit as ik
    >>> path = os.path.join(tempfile.mkdtemp(), "g.txt")
    >>> with open(path, "w") as fh:
    ...     _ = fh.write("z1 -> z1, z2\\nz2 -> z2\\n")
    >>> ik.io.read_graph(path).Gz.astype(int).tolist()
    [[1, 0], [1, 1]]
    """
    model = read_model(path, format, max_bytes=max_bytes, max_memory=max_memory)
    if isinstance(model, dict):
        _fail("<stdin>" if _fspath(path) == "-" else _fspath(path),
              "is a mechanism file (it has 'mean' or 'log_density'), not a graph file; read it "
              "with identkit.symbolic.load_mechanism, whose .derive_graph() derives the graphs")
    return model


def is_mechanism_data(data) -> bool:
    """Whether parsed file data is a mechanism (a mapping with ``mean`` or ``log_density``).

    Examples
    --------
    >>> import identkit as ik
    >>> ik.io.is_mechanism_data({"latents": 2, "mean": {}}), ik.io.is_mechanism_data({"Gz": [[1]]})
    (True, False)
    """
    return isinstance(data, dict) and ("mean" in data or "log_density" in data)


def write_graph(g: LatentGraph, path, format: str | None = None, style: str = "auto") -> None:
    """Write a model to ``path`` in the format its extension names (or ``format``).

    Examples
    --------
    >>> import os, tempfile, identkit as ik
    >>> g = ik.examples.get("ex5").graph
    >>> path = os.path.join(tempfile.mkdtemp(), "ex5.npz")
    >>> ik.io.write_graph(g, path)
    >>> ik.io.read_graph(path) == g
    True
    """
    path = os.fspath(path)
    fmt = format or _format_of(path)
    if fmt == "npz":
        from .errors import OutputError

        bad = next((n for n in g.latents + g.actions if n.endswith("\x00")), None)
        if bad is not None:  # numpy's fixed-width strings drop trailing NUL characters
            raise OutputError(f"{path}: the name {bad!r} ends in a NUL character, which .npz "
                              "string arrays cannot hold; write JSON, YAML or the text form")
        arrays = {"latents": np.array(g.latents, dtype=str)}
        if g.Gz_csr is not None:
            arrays["Gz"] = g.Gz
        if g.Ga_csr is not None:
            arrays["Ga"] = g.Ga
            arrays["actions"] = np.array(g.actions, dtype=str)
        atomic_write(path, lambda fh: np.savez_compressed(fh, **arrays), binary=True)
        return
    text = dumps_graph(g, fmt, style)
    atomic_write(path, lambda fh: fh.write(text))


def atomic_write(path: str, write, binary: bool = False) -> None:
    """Write through a temporary file beside ``path`` and rename it into place, so a failure
    never leaves a half-written file or destroys the previous one.

    Raises
    ------
    OutputError
        When the directory cannot be written; the message names the path.
    """
    from .errors import OutputError

    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with open(tmp, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8"})) as fh:
            write(fh)
        os.replace(tmp, path)
    except OSError as exc:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None


def atomic_write_all(files, binary: bool = False) -> None:
    """Write several files all or nothing: each through a temporary file beside it, then every
    temporary renamed into place; a failure at any step leaves the directories as they were.

    A target that already exists is moved aside before its new content is renamed in, and moved
    back if a later file fails; the moved-aside copies are removed once every file is in place.
    Used by ``identkit generate --split all`` (:func:`identkit.numeric.write_dataset`), whose
    three splits are written together or not at all.

    Parameters
    ----------
    files : mapping of str to callable
        ``{path: write}``; ``write(fh)`` writes the content to an open file.
    binary : bool
        Open the files in binary mode (else text, UTF-8).

    Raises
    ------
    OutputError
        When a file cannot be written (a directory of that name, no permission, a full disk);
        the message names the path. Nothing new is left behind and an existing target keeps its
        content. An exception raised by a ``write`` callable is re-raised after the same
        cleanup.

    Examples
    --------
    >>> import os, tempfile
    >>> from identkit.io import atomic_write_all
    >>> d = tempfile.mkdtemp()
    >>> a, b = os.path.join(d, "a.txt"), os.path.join(d, "b.txt")
    >>> os.mkdir(b)                     # b cannot be written: a is not written either
    >>> atomic_write_all({a: lambda fh: fh.write("A"), b: lambda fh: fh.write("B")})
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    identkit.errors.OutputError: ...b.txt: cannot write: a directory has that name
    >>> os.path.exists(a)
    False

    Notes
    -----
    Each rename is atomic; the set of renames is not, but it is undone on failure (a crash of
    the process between two renames can leave the moved-aside copy ``PATH.bak-PID``).
    """
    from .errors import OutputError

    paths = [os.fspath(p) for p in files]
    writers = list(files.values())
    pid = os.getpid()
    temps: dict[str, str] = {}        # target -> its written temporary
    backups: dict[str, str] = {}      # target -> where its previous content was moved
    placed: list[str] = []            # targets renamed into place, in order
    current = None
    try:
        for path in paths:
            current = path
            if os.path.isdir(path) and not os.path.islink(path):
                raise IsADirectoryError(None, "a directory has that name")
        for path, write in zip(paths, writers):
            current = path
            tmp = f"{path}.tmp-{pid}"
            temps[path] = tmp
            with open(tmp, "wb" if binary else "w",
                      **({} if binary else {"encoding": "utf-8"})) as fh:
                write(fh)
        for path in paths:
            current = path
            if os.path.lexists(path):
                bak = f"{path}.bak-{pid}"
                os.replace(path, bak)
                backups[path] = bak
            os.replace(temps[path], path)
            del temps[path]
            placed.append(path)
    except BaseException as exc:
        _undo_writes(temps, backups, placed)
        if isinstance(exc, OSError):
            raise OutputError(f"{current}: cannot write: {exc.strerror or exc}") from None
        raise
    for bak in backups.values():
        try:
            os.remove(bak)
        except OSError:
            pass


def _undo_writes(temps: dict, backups: dict, placed: list) -> None:
    """Undo :func:`atomic_write_all` after a failure: remove the new files and temporaries,
    and move every moved-aside target back. Best effort: a step that fails does not stop the
    others."""
    for path in reversed(placed):
        if path not in backups:
            try:
                os.remove(path)
            except OSError:
                pass
    for path, bak in backups.items():
        try:
            os.replace(bak, path)
        except OSError:
            pass
    for tmp in temps.values():
        try:
            if os.path.lexists(tmp):
                os.remove(tmp)
        except OSError:
            pass


_DATA_ARRAYS = ("x", "z", "a", "z_prev", "x_prev", "x_mean", "x_std")
_GRAPH_ARRAYS = ("Gz", "Ga", "latents", "actions")


def _npz_headers(data: bytes, path: str) -> dict:
    """``{array name: (shape, dtype)}`` of an ``.npz`` read from its headers only. O(arrays)."""
    import io as _io
    import zipfile

    from numpy.lib import format as npformat

    out = {}
    try:
        with zipfile.ZipFile(_io.BytesIO(data)) as zf:
            for info in zf.infolist():
                name = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
                with zf.open(info) as fh:
                    version = npformat.read_magic(fh)
                    if version == (1, 0):
                        shape, _, dtype = npformat.read_array_header_1_0(fh)
                    else:
                        shape, _, dtype = npformat.read_array_header_2_0(fh)
                out[name] = (shape, dtype)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as exc:
        _fail(path, f"not a readable .npz file: {str(exc).splitlines()[0] if str(exc) else exc}")
    return out


def _read_npz(data: bytes, path: str, max_memory: int = MAX_MEMORY) -> LatentGraph:
    import io as _io

    headers = _npz_headers(data, path)
    # the data arrays of `identkit generate` may travel with the graph; they are not read here
    unknown = [k for k in headers if k not in _GRAPH_ARRAYS + _DATA_ARRAYS]
    if unknown:
        _fail(path, f"unknown array '{unknown[0]}'"
                    f"{did_you_mean(unknown[0], _GRAPH_ARRAYS, cutoff=0.4)}")
    need = 0
    for name, (shape, dtype) in headers.items():
        if name in _GRAPH_ARRAYS:
            n = int(np.prod(shape, dtype=object)) if shape else 1
            need += n * max(dtype.itemsize, 1) + (n * 2 if name in ("Gz", "Ga") else 0)
    if need > max_memory:
        _fail(path, f"its arrays need about {format_bytes(need)} of memory once loaded, over the limit "
                    f"of {format_bytes(max_memory)} (raise it with max_memory, or --max-memory)")
    try:
        with np.load(_io.BytesIO(data), allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files if k in _GRAPH_ARRAYS}
    except ValueError as exc:
        _fail(path, f"not a plain .npz of arrays (pickled objects are refused): {exc}")
    except (OSError, EOFError) as exc:
        _fail(path, f"not a readable .npz file: {exc}")
    if "Gz" not in arrays and "Ga" not in arrays:
        _fail(path, "empty model: the file has neither a 'Gz' nor a 'Ga' array")
    try:
        return LatentGraph(
            Gz=arrays.get("Gz"),
            Ga=arrays.get("Ga"),
            latents=[str(x) for x in arrays["latents"].tolist()] if "latents" in arrays else None,
            actions=[str(x) for x in arrays["actions"].tolist()] if "actions" in arrays else None,
        )
    except GraphError as exc:
        _fail(path, str(exc))
