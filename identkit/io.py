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

``.npz`` files hold the arrays ``Gz`` and/or ``Ga`` (0/1 or bool) and optionally the string arrays
``latents`` and ``actions``; they are loaded without pickle. The data arrays that ``identkit
generate`` writes beside them (``x``, ``z``, ``a``, ``z_prev``, ``x_prev``, ``x_mean``, ``x_std``)
are allowed and ignored.

Every reader raises :class:`~identkit.GraphFileError` naming the file and the key, line or entry
at fault; nothing is coerced.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from importlib import resources

import numpy as np

from . import _jsonfmt
from .errors import DependencyError, GraphError, GraphFileError
from .graphs import LatentGraph, _first_seen

__all__ = [
    "graph_from_dict",
    "graph_to_dict",
    "read_graph",
    "write_graph",
    "loads_graph",
    "dumps_graph",
    "parse_text",
    "format_text",
    "schema",
]

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
    text = resources.files("identkit").joinpath("schemas/graph.schema.json").read_text("utf-8")
    return json.loads(text)


# ------------------------------------------------------------------------------------- dicts


def _fail(source, msg):
    raise GraphFileError(f"{source}: {msg}")


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
        if len(set(value)) != len(value):
            dup = next(v for v in value if list(value).count(v) > 1)
            _fail(source, f"key '{key}' names {dup!r} twice")
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


def graph_from_dict(data, source: str = "<graph>") -> LatentGraph:
    """Build a :class:`~identkit.LatentGraph` from a mapping in the graph-file schema.

    Parameters
    ----------
    data : Mapping
    source : str
        Where the data came from, used in error messages (a file name).

    Raises
    ------
    GraphFileError
        If the mapping has unknown keys (the closest valid one is suggested), malformed values,
        undeclared names, no graph at all, or matrices and edges that disagree.

    Examples
    --------
    >>> import identkit as ik
    >>> g = ik.io.graph_from_dict({"latents": ["x", "y"], "temporal_edges": [["x", "y"]]})
    >>> g.Gz.astype(int).tolist()
    [[0, 0], [1, 0]]
    """
    if not isinstance(data, dict):
        _fail(source, f"the top level must be a mapping of keys, got {type(data).__name__}")
    for key in data:
        if key not in KEYS:
            close = difflib.get_close_matches(str(key), KEYS, n=1, cutoff=0.4)
            hint = f"; did you mean '{close[0]}'?" if close else f"; valid keys: {', '.join(KEYS)}"
            _fail(source, f"unknown key '{key}'{hint}")
    if not any(k in data for k in ("Gz", "Ga", "temporal_edges", "action_edges", "interventions")):
        _fail(source, "empty model: give Gz, Ga, temporal_edges, action_edges or interventions")
    latents = _names(data.get("latents"), "latents", source)
    actions = _names(data.get("actions"), "actions", source)
    t_edges = _edge_list(data["temporal_edges"], "temporal_edges", source) \
        if "temporal_edges" in data else None
    a_edges = _edge_list(data["action_edges"], "action_edges", source) \
        if "action_edges" in data else None
    targets = data.get("interventions")
    if targets is not None:
        if not isinstance(targets, list):
            _fail(source, "key 'interventions' must be a list of target lists")
        for k, t in enumerate(targets):
            if not isinstance(t, list) or not all(isinstance(x, str) for x in t):
                _fail(source, f"key 'interventions' entry {k} must be a list of latent names")

    # the latent names: declared, or from a matrix's size, or from the names used
    d = None
    for key in ("Gz", "Ga"):
        if key in data:
            try:
                d = len(data[key])
            except TypeError:
                _fail(source, f"key '{key}' must be a list of rows")
            break
    if isinstance(latents, int):
        latent_names = [f"z{k + 1}" for k in range(latents)]
    elif latents is not None:
        latent_names = latents
    elif d is not None:
        latent_names = [f"z{k + 1}" for k in range(d)]
    else:
        latent_names = _first_seen([x for e in t_edges or () for x in e]
                                   + [v for _, v in a_edges or ()]
                                   + [x for t in targets or () for x in t])
        if not latent_names:
            _fail(source, "no latents: declare 'latents' or give at least one edge")
    if d is not None and d != len(latent_names):
        _fail(source, f"'latents' declares {len(latent_names)} latents but the matrix has {d} rows")
    lat_set = set(latent_names)

    # the action names
    if isinstance(actions, int):
        action_names = [f"a{k + 1}" for k in range(actions)]
    elif actions is not None:
        action_names = actions
    elif "Ga" in data:
        try:
            m = len(data["Ga"][0])
        except (TypeError, IndexError, KeyError):
            _fail(source, "key 'Ga' must be a non-empty list of rows")
        action_names = [f"a{k + 1}" for k in range(m)]
    elif a_edges is not None:
        action_names = _first_seen(a for a, _ in a_edges)
    elif targets is not None:
        action_names = [f"a{k + 1}" for k in range(len(targets))]
    else:
        action_names = None

    def check_names(pairs, key, kinds):
        for k, pair in enumerate(pairs):
            for name, (kind, allowed) in zip(pair, kinds):
                if name not in allowed:
                    close = difflib.get_close_matches(name, list(allowed), n=1)
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                    _fail(source, f"key '{key}' entry {k} uses the undeclared {kind} {name!r}{hint}")

    if t_edges is not None:
        check_names(t_edges, "temporal_edges", (("latent", lat_set), ("latent", lat_set)))
    if a_edges is not None:
        check_names(a_edges, "action_edges",
                    (("action", set(action_names or ())), ("latent", lat_set)))
    for k, t in enumerate(targets or ()):
        check_names([(x, x) for x in t], "interventions",
                    (("latent", lat_set), ("latent", lat_set)))

    try:
        # each source of each graph, as a LatentGraph with the common names
        Gz_sources, Ga_sources = [], []
        if "Gz" in data:
            Gz_sources.append(("Gz", LatentGraph(Gz=data["Gz"], latents=latent_names).Gz_sparse))
        if t_edges is not None:
            Gz_sources.append(("temporal_edges", LatentGraph.from_edges(
                temporal_edges=t_edges, latents=latent_names).Gz_sparse))
        if "Ga" in data:
            Ga_sources.append(("Ga", LatentGraph(Ga=data["Ga"], latents=latent_names,
                                                 actions=action_names).Ga_sparse))
        if a_edges is not None:
            Ga_sources.append(("action_edges", LatentGraph.from_edges(
                action_edges=a_edges, latents=latent_names, actions=action_names).Ga_sparse))
        if targets is not None:
            if action_names is not None and len(action_names) != len(targets):
                _fail(source, f"key 'interventions' has {len(targets)} target sets but "
                              f"{len(action_names)} actions are declared")
            Ga_sources.append(("interventions", LatentGraph.from_interventions(
                targets, latents=latent_names, actions=action_names).Ga_sparse))
    except GraphError as exc:
        _fail(source, str(exc))
    for sources, label in ((Gz_sources, "Gz"), (Ga_sources, "Ga")):
        for (k1, m1), (k2, m2) in zip(sources, sources[1:]):
            if m1.shape != m2.shape or (m1 != m2).nnz:
                diff = (m1 != m2).tocoo() if m1.shape == m2.shape else None
                where = ""
                if diff is not None and diff.nnz:
                    i, j = int(diff.row[0]), int(diff.col[0])
                    cols = latent_names if label == "Gz" else (action_names or [])
                    where = (f" at {label}[{i}, {j}] (child {latent_names[i]!r}, parent "
                             f"{cols[j]!r}): {k1} says {int(m1[i, j])}, {k2} says {int(m2[i, j])}")
                _fail(source, f"'{k1}' and '{k2}' disagree{where}")
    try:
        return LatentGraph(
            Gz=Gz_sources[0][1] if Gz_sources else None,
            Ga=Ga_sources[0][1] if Ga_sources else None,
            latents=latent_names,
            actions=action_names if Ga_sources else None,
        )
    except GraphError as exc:
        _fail(source, str(exc))


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
    if g.Ga_sparse is not None:
        out["actions"] = list(g.actions)
    if style == "matrix":
        if g.Gz_sparse is not None:
            out["Gz"] = g.Gz.astype(int).tolist()
        if g.Ga_sparse is not None:
            out["Ga"] = g.Ga.astype(int).tolist()
    else:
        if g.Gz_sparse is not None:
            r, c = g.Gz_sparse.nonzero()
            out["temporal_edges"] = [[g.latents[j], g.latents[i]]
                                     for i, j in zip(r.tolist(), c.tolist())]
        if g.Ga_sparse is not None:
            r, c = g.Ga_sparse.nonzero()
            out["action_edges"] = [[g.actions[l], g.latents[i]]
                                   for i, l in zip(r.tolist(), c.tolist())]
    return out


# -------------------------------------------------------------------------------- text form

_NAME = r"[A-Za-z_][A-Za-z0-9_.\-']*"
_RE_DECL = re.compile(r"^(latents|actions|graphs)\s*:\s*(.*)$")
_RE_DO = re.compile(r"^do\s*\((.*)\)\s*(?:as\s+(" + _NAME + r"))?$")
_RE_EDGE = re.compile(r"^(" + _NAME + r")\s*->\s*(.+)$")
_RE_NAME = re.compile(r"^" + _NAME + r"$")


def _split_names(text, source, lineno):
    parts = [p for p in re.split(r"[,\s]+", text.strip()) if p]
    for p in parts:
        if not _RE_NAME.match(p):
            _fail(source, f"line {lineno}: {p!r} is not a valid name")
    return parts


def parse_text(text: str, source: str = "<text>") -> LatentGraph:
    """Parse the compact text form (see the module docstring).

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
    """
    latents = actions = graphs = None
    t_edges, a_edges, targets, target_names = [], [], [], []
    raw_edges = []
    mentions = []  # names in order of appearance, to order the latents when not declared
    for lineno, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = _RE_DECL.match(line)
        if m:
            key, rest = m.groups()
            names = _split_names(rest, source, lineno)
            if key == "latents":
                if latents is not None:
                    _fail(source, f"line {lineno}: 'latents:' given twice")
                latents = names
            elif key == "actions":
                if actions is not None:
                    _fail(source, f"line {lineno}: 'actions:' given twice")
                actions = names
            else:
                bad = [n for n in names if n not in ("a", "z")]
                if bad:
                    _fail(source, f"line {lineno}: 'graphs:' takes the letters a and z, got {bad[0]!r}")
                graphs = set(names)
            continue
        m = _RE_DO.match(line)
        if m:
            inner, label = m.groups()
            names = _split_names(inner, source, lineno)
            if not names:
                _fail(source, f"line {lineno}: do() needs at least one target")
            targets.append(names)
            target_names.append(label)
            mentions.extend(names)
            continue
        m = _RE_EDGE.match(line)
        if m:
            parent, rest = m.groups()
            children = _split_names(rest, source, lineno)
            if not children:
                _fail(source, f"line {lineno}: an edge needs a child after '->'")
            raw_edges.extend((parent, c, lineno) for c in children)
            mentions.extend([parent] + children)
            continue
        _fail(source, f"line {lineno}: cannot parse {line!r}; expected 'parent -> child', "
                      "'do(targets)', 'latents: ...', 'actions: ...' or 'graphs: ...'")
    action_set = set(actions or ())
    for parent, child, lineno in raw_edges:
        if child in action_set:
            _fail(source, f"line {lineno}: {child!r} is an action and cannot be a child")
        (a_edges if parent in action_set else t_edges).append((parent, child, lineno))
    # intervention actions
    do_names = []
    taken = set(actions or ()) | set(latents or ())
    for idx, label in enumerate(target_names):
        if label is None:  # the k-th action of the model is called a<k> when that name is free
            k = len(actions or ()) + idx + 1
            while f"a{k}" in taken or f"a{k}" in target_names:
                k += 1
            label = f"a{k}"
        if label in taken:
            _fail(source, f"the intervention name {label!r} is already used")
        taken.add(label)
        do_names.append(label)
    if latents is None:
        latents = _first_seen(x for x in mentions if x not in action_set)
        if not latents:
            _fail(source, "empty model: no latents, edges or interventions")
    lat_set = set(latents)
    checks = [(p, ln) for p, c, ln in t_edges] + [(c, ln) for _, c, ln in t_edges + a_edges]
    for name, lineno in checks:
        if name not in lat_set:
            close = difflib.get_close_matches(name, latents, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            _fail(source, f"line {lineno}: {name!r} is not a declared latent{hint}")
    has_z = bool(t_edges) or (graphs is not None and "z" in graphs) or \
        (graphs is None and not actions and not targets)
    has_a = bool(actions) or bool(targets)
    if graphs is not None:
        if "z" not in graphs and t_edges:
            _fail(source, "'graphs:' leaves out z but temporal edges are given")
        if "a" not in graphs and has_a:
            _fail(source, "'graphs:' leaves out a but actions are given")
        if "a" in graphs and not has_a:
            _fail(source, "'graphs: a' needs 'actions:' or do(...)")
    t_pairs = [(p, c) for p, c, _ in t_edges] if has_z else None
    try:
        if actions:
            g = LatentGraph.from_edges(temporal_edges=t_pairs,
                                       action_edges=[(a, c) for a, c, _ in a_edges],
                                       latents=latents, actions=actions)
        elif has_z:
            g = LatentGraph.from_edges(temporal_edges=t_pairs, latents=latents)
        else:
            g = None
        if targets:
            g = (LatentGraph.from_interventions(targets, latents=latents, actions=do_names)
                 if g is None else g.with_interventions(targets, names=do_names))
    except GraphError as exc:
        _fail(source, f"{exc}")
    return g


def format_text(g: LatentGraph) -> str:
    """Write a model in the compact text form (:func:`parse_text` reads it back unchanged).

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
    """
    lines = [f"latents: {' '.join(g.latents)}"]
    if g.Ga_sparse is not None:
        lines.append(f"actions: {' '.join(g.actions)}")
    lines.append("graphs: " + " ".join(g.graphs))
    if g.Gz_sparse is not None:
        T = g._Gz_T
        for j in range(g.n_latents):
            ch = T.indices[T.indptr[j]: T.indptr[j + 1]].tolist()
            if ch:
                lines.append(f"{g.latents[j]} -> " + ", ".join(g.latents[i] for i in ch))
    if g.Ga_sparse is not None:
        T = g._Ga_T
        for l in range(g.n_actions):
            ch = T.indices[T.indptr[l]: T.indptr[l + 1]].tolist()
            if ch:
                lines.append(f"{g.actions[l]} -> " + ", ".join(g.latents[i] for i in ch))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- files and text


def _yaml():
    try:
        import yaml
    except ImportError:  # pragma: no cover - depends on the environment
        raise DependencyError(
            "reading or writing YAML needs PyYAML: pip install 'identkit[yaml]'"
        ) from None
    return yaml


def _format_of(path: str, text_head: str | None = None) -> str:
    ext = os.path.splitext(path)[1].lower()
    if ext == ".json":
        return "json"
    if ext in (".yaml", ".yml"):
        return "yaml"
    if ext == ".npz":
        return "npz"
    if ext in (".txt", ".graph", ".ik"):
        return "text"
    if text_head is not None and text_head.lstrip().startswith("{"):
        return "json"
    return "text"


def _parse_data(text: str, format: str, source: str):
    """JSON or YAML text to plain data (the YAML loader is the safe one)."""
    if format == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            _fail(source, f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")
        except RecursionError:
            _fail(source, "malformed JSON: nested too deeply")
    yaml = _yaml()
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
    null), lists and mappings are accepted; any other tag is refused as unsafe.
    """
    yaml = _yaml()
    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    resolver = yaml.resolver.Resolver()
    constructor = yaml.constructor.SafeConstructor()
    events = yaml.events
    stack: list = []          # [container, pending key or _NOKEY]
    anchors: dict = {}
    root = [_NOKEY]
    docs = 0

    def add(value, anchor=None):
        if anchor:
            anchors[anchor] = value
        if not stack:
            root[0] = value
            return
        top = stack[-1]
        if isinstance(top[0], list):
            top[0].append(value)
        elif top[1] is _NOKEY:
            try:
                hash(value)
            except TypeError:
                raise GraphFileError(f"{source}: a mapping key must be a plain value") from None
            top[1] = value
        else:
            top[0][top[1]] = value
            top[1] = _NOKEY

    def unsafe(ev, tag):
        line = ev.start_mark.line + 1 if ev.start_mark else "?"
        raise GraphFileError(f"{source}: malformed or unsafe YAML at line {line}: the tag {tag!r} "
                             "is not allowed (plain data only)")

    for ev in yaml.parse(text, Loader=loader_cls):
        if isinstance(ev, events.DocumentStartEvent):
            docs += 1
            if docs > 1:
                raise GraphFileError(f"{source}: the file holds more than one YAML document")
        elif isinstance(ev, events.ScalarEvent):
            value, tag = ev.value, ev.tag
            if tag is None and ev.implicit[0] and _PLAIN_INT.match(value):
                add(int(value), ev.anchor)  # the common case of matrix entries, decided fast
                continue
            if tag in (None, "!"):
                tag = resolver.resolve(yaml.ScalarNode, value, ev.implicit)
            if tag not in _SAFE_SCALAR_TAGS:
                unsafe(ev, tag)
            # the tag's constructor directly: construct_object would cache every node
            node = yaml.ScalarNode(tag, value, style=ev.style)
            add(constructor.yaml_constructors[tag](constructor, node), ev.anchor)
        elif isinstance(ev, events.SequenceStartEvent):
            if ev.tag not in (None, "!", "tag:yaml.org,2002:seq"):
                unsafe(ev, ev.tag)
            stack.append([[], _NOKEY, ev.anchor])
        elif isinstance(ev, events.MappingStartEvent):
            if ev.tag not in (None, "!", "tag:yaml.org,2002:map"):
                unsafe(ev, ev.tag)
            stack.append([{}, _NOKEY, ev.anchor])
        elif isinstance(ev, (events.SequenceEndEvent, events.MappingEndEvent)):
            obj, _, anchor = stack.pop()
            add(obj, anchor)
        elif isinstance(ev, events.AliasEvent):
            if ev.anchor not in anchors:
                raise GraphFileError(f"{source}: unknown YAML alias *{ev.anchor}")
            add(anchors[ev.anchor])
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
        return graph_from_dict(_parse_data(text, format, source), source)
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
        yaml = _yaml()
        return yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=100)
    raise GraphFileError(f"unknown format {format!r}; use json, yaml or text")


def read_graph(path, format: str | None = None) -> LatentGraph:
    """Read a graph file (JSON, YAML, text form or ``.npz``), chosen by extension or ``format``.

    Raises
    ------
    GraphFileError
        If the file is missing, unreadable, malformed, or breaks the schema; the message names
        the file and the key, line or entry at fault.

    Examples
    --------
    >>> import os, tempfile, identkit as ik
    >>> path = os.path.join(tempfile.mkdtemp(), "g.txt")
    >>> with open(path, "w") as fh:
    ...     _ = fh.write("z1 -> z1, z2\\nz2 -> z2\\n")
    >>> ik.io.read_graph(path).Gz.astype(int).tolist()
    [[1, 0], [1, 1]]
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise GraphFileError(f"{path}: no such file")
    if os.path.isdir(path):
        raise GraphFileError(f"{path}: is a directory, not a graph file")
    fmt = format or _format_of(path)
    if fmt == "npz":
        return _read_npz(path)
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except UnicodeDecodeError:
        raise GraphFileError(f"{path}: not a UTF-8 text file") from None
    except OSError as exc:
        raise GraphFileError(f"{path}: cannot read: {exc.strerror}") from None
    if format is None and fmt == "text":
        fmt = _format_of(path, text[:100])
    if fmt in ("json", "yaml"):
        data = _parse_data(text, fmt, path)
        del text  # keep the peak near the parsed data plus one boolean matrix
        return graph_from_dict(data, path)
    return loads_graph(text, fmt, source=path)


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
        arrays = {"latents": np.array(g.latents, dtype=str)}
        if g.Gz_sparse is not None:
            arrays["Gz"] = g.Gz
        if g.Ga_sparse is not None:
            arrays["Ga"] = g.Ga
            arrays["actions"] = np.array(g.actions, dtype=str)
        _atomic_write(path, lambda fh: np.savez_compressed(fh, **arrays), binary=True)
        return
    text = dumps_graph(g, fmt, style)
    _atomic_write(path, lambda fh: fh.write(text))


def _atomic_write(path: str, write, binary: bool = False) -> None:
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


_DATA_ARRAYS = ("x", "z", "a", "z_prev", "x_prev", "x_mean", "x_std")


def _read_npz(path) -> LatentGraph:
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except ValueError as exc:
        _fail(path, f"not a plain .npz of arrays (pickled objects are refused): {exc}")
    except (OSError, EOFError) as exc:
        _fail(path, f"not a readable .npz file: {exc}")
    # the data arrays of `identkit generate` may travel with the graph; they are not read here
    unknown = [k for k in arrays if k not in ("Gz", "Ga", "latents", "actions") + _DATA_ARRAYS]
    if unknown:
        close = difflib.get_close_matches(unknown[0], ["Gz", "Ga", "latents", "actions"], n=1,
                                        cutoff=0.4)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        _fail(path, f"unknown array '{unknown[0]}'{hint}")
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
