"""Graph files: every format reads back what it wrote; every bad input gets a named error."""

import json

import jsonschema
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import identkit as ik
from identkit import io
from identkit.errors import GraphFileError
from identkit.strategies import latent_graphs

FIG1_YAML = """
latents: [tree, robot, ball]
actions: [torque]
Gz: [[1,0,0],[1,1,0],[1,1,1]]
Ga: [[0],[1],[0]]
temporal_edges: [[tree, tree], [tree, robot], [robot, robot], [tree, ball], [robot, ball], [ball, ball]]
action_edges: [[torque, robot]]
"""


def test_yaml_with_matrices_and_edges_that_agree():
    g = io.loads_graph(FIG1_YAML, "yaml")
    assert g == ik.examples.get("fig1").graph


def test_all_schema_forms_give_the_same_model():
    expected = ik.LatentGraph.from_interventions([["z1", "z2"], ["z1", "z3"], ["z2", "z3"]])
    forms = [
        {"latents": 3, "Ga": [[1, 1, 0], [1, 0, 1], [0, 1, 1]]},
        {"interventions": [["z1", "z2"], ["z1", "z3"], ["z2", "z3"]]},
        {"latents": ["z1", "z2", "z3"], "actions": 3,
         "action_edges": [["a1", "z1"], ["a1", "z2"], ["a2", "z1"], ["a2", "z3"],
                          ["a3", "z2"], ["a3", "z3"]]},
        {"Ga": [[True, True, False], [True, False, True], [False, True, True]],
         "interventions": [["z1", "z2"], ["z1", "z3"], ["z2", "z3"]]},
    ]
    for data in forms:
        assert io.graph_from_dict(data) == expected
        jsonschema.validate(data, io.schema())


def test_text_form():
    g = io.parse_text("""
        # Figure 1, in the text form
        tree -> tree, robot, ball
        robot -> robot, ball
        ball -> ball
        actions: torque
        torque -> robot
    """)
    assert g == ik.examples.get("fig1").graph
    h = io.parse_text("do(z1, z2)\ndo(z1, z3) as second\ndo(z2, z3)\n")
    assert h.actions == ("a1", "second", "a3")
    assert h == ik.LatentGraph.from_interventions(
        [["z1", "z2"], ["z1", "z3"], ["z2", "z3"]], actions=["a1", "second", "a3"])
    # a temporal graph with no edges survives through 'graphs:'
    e = io.parse_text("latents: x y\ngraphs: z\n")
    assert e.Gz is not None and not e.Gz.any()


def test_every_catalogue_entry_round_trips_in_every_format(tmp_path):
    for ex in ik.examples.catalogue():
        for ext in ("json", "yaml", "txt", "npz"):
            path = tmp_path / f"{ex.name}.{ext}"
            io.write_graph(ex.graph, path)
            assert io.read_graph(path) == ex.graph, (ex.name, ext)
        jsonschema.validate(io.graph_to_dict(ex.graph), io.schema())
        jsonschema.validate(io.graph_to_dict(ex.graph, "edges"), io.schema())


@settings(max_examples=60, deadline=None)
@given(latent_graphs(max_latents=7), st.sampled_from(["json", "yaml", "text"]),
       st.sampled_from(["matrix", "edges"]))
def test_round_trip_random_graphs(g, fmt, style):
    text = io.dumps_graph(g, fmt, style)
    assert io.loads_graph(text, fmt) == g
    assert ik.LatentGraph.from_networkx(g.to_networkx()) == g


def test_round_trip_npz_and_large_edge_style(tmp_path):
    g = ik.examples.random_graph(60, kind="both", p=0.05, n_actions=7, seed=2)
    for name in ("g.npz", "g.json", "g.yaml", "g.txt"):
        io.write_graph(g, tmp_path / name)
        assert io.read_graph(tmp_path / name) == g
    assert "temporal_edges" in json.loads((tmp_path / "g.json").read_text())


BAD_DICTS = [
    ({"latents": 2, "Gzz": [[1]]}, "unknown key 'Gzz' (did you mean 'Gz'?)"),
    ({"latents": 2}, "empty model"),
    ({}, "empty model"),
    ([1, 2], "top level must be a mapping"),
    ({"Gz": [[1, 0], [0]]}, "ragged: row 1"),
    ({"Gz": [[1, 2], [0, 1]]}, "Gz[0, 1] is 2"),
    ({"Ga": [["x"], [1]]}, "Ga[0, 0] is 'x'"),
    ({"latents": ["a", "b"], "temporal_edges": [["a", "c"]]},
     "key 'temporal_edges' entry 0 uses the undeclared latent 'c'"),
    ({"latents": ["a", "b"], "Gz": [[1, 0], [0, 1]], "temporal_edges": [["a", "b"]]},
     "'Gz' and 'temporal_edges' disagree at Gz[0, 0]"),
    ({"latents": ["a", "a"], "Gz": [[1, 0], [0, 1]]}, "names 'a' twice"),
    ({"latents": 3, "Gz": [[1, 0], [0, 1]]}, "declares 3 latents but 'Gz' has 2 rows"),
    ({"interventions": [["z1"], []]}, "targets[1] is empty"),
    ({"interventions": [["z1"]], "actions": ["p", "q"]}, "1 target sets but 2 actions"),
    ({"action_edges": [["a", "z1"]], "actions": ["b"]},
     "key 'action_edges' entry 0 uses the undeclared action 'a'"),
    ({"temporal_edges": [["z1"]]}, "entry 0 must be a pair"),
    ({"latents": [1, 2], "Gz": [[1, 0], [0, 1]]}, "names must be strings"),
    ({"latents": True, "Gz": [[1]]}, "must be a list of names or an integer"),
    ({"interventions": [["z1", 3]]}, "key 'interventions' entry 0 must be a list of latent names"),
    ({"interventions": "z1"}, "key 'interventions' must be a list of target lists"),
    ({"temporal_edges": []}, "no latents: declare 'latents' or give at least one edge"),
]


def test_action_names_come_from_the_first_source_that_gives_them():
    # from the action edges, in order of first appearance (not sorted)
    g = io.graph_from_dict({"action_edges": [["push", "z1"], ["pull", "z2"]]})
    assert g.actions == ("push", "pull")
    # Ga's columns name the actions a1..am before the action edges do, so edges may use them
    g = io.graph_from_dict({"Ga": [[1, 0], [0, 1]], "action_edges": [["a2", "z2"], ["a1", "z1"]]})
    assert g.actions == ("a1", "a2") and g.Ga.astype(int).tolist() == [[1, 0], [0, 1]]


@pytest.mark.parametrize("data, words", BAD_DICTS)
def test_bad_dicts(data, words):
    with pytest.raises(GraphFileError) as info:
        io.graph_from_dict(data, "model.json")
    msg = str(info.value)
    assert msg.startswith("model.json: ")
    assert words in msg


BAD_TEXT = [
    ("tree => robot", "line 1: cannot parse"),
    ("latents: x y\nx -> q", "line 2: 'q' is not a declared latent"),
    ("actions: push\nx -> push", "line 2: 'push' is an action and cannot be a child"),
    ("do()", "line 1: do() needs at least one target"),
    ("graphs: q", "takes the letters a and z"),
    ("x -> 9y", "not a valid name"),
    ("# nothing\n", "empty model"),
    ("latents: a b\nlatents: a b", "line 2: 'latents:' given twice"),
    ("x ->", "line 1: an edge needs a child after '->'"),
    ("latents: a b\ndo(a) as b", "the intervention name 'b' is already used"),
    ("actions: p\np -> x\ndo(x) as p", "the intervention name 'p' is already used"),
    ("graphs: a z\nx -> x", "'graphs: a' needs 'actions:' or do(...)"),
    ("do(x) of y", "line 1: after do(...) expected nothing or 'as NAME'"),
]


def test_parse_text_ignores_a_byte_order_mark_at_the_start():
    assert io.parse_text("\ufeffx -> x, y").latents == ("x", "y")


@pytest.mark.parametrize("text, words", BAD_TEXT)
def test_bad_text(text, words):
    with pytest.raises(GraphFileError, match=None) as info:
        io.parse_text(text, "g.txt")
    assert words in str(info.value) and str(info.value).startswith("g.txt: ")


def test_bad_files(tmp_path):
    with pytest.raises(GraphFileError, match="no such file"):
        io.read_graph(tmp_path / "missing.json")
    p = tmp_path / "broken.json"
    p.write_text('{"Gz": [[1, 0], [0, 1]')
    with pytest.raises(GraphFileError, match="broken.json: malformed JSON at line 1"):
        io.read_graph(p)
    p = tmp_path / "broken.yaml"
    p.write_text("Gz: [[1, 0], [0, 1]\nGa: {")
    with pytest.raises(GraphFileError, match="broken.yaml: malformed or unsafe YAML"):
        io.read_graph(p)
    p = tmp_path / "evil.yaml"
    p.write_text("Gz: !!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(GraphFileError, match="evil.yaml: malformed or unsafe YAML"):
        io.read_graph(p)
    p = tmp_path / "pickled.npz"
    np.savez(p, Gz=np.array([object()], dtype=object))
    with pytest.raises(GraphFileError, match="pickled objects are refused"):
        io.read_graph(p)
    p = tmp_path / "other.npz"
    np.savez(p, Gx=np.eye(2))
    with pytest.raises(GraphFileError, match=r"unknown array 'Gx' \(did you mean 'Gz'\?\)"):
        io.read_graph(p)
    p = tmp_path / "binary.json"
    p.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(GraphFileError, match="not a UTF-8"):
        io.read_graph(p)
    with pytest.raises(GraphFileError, match="is a directory"):
        io.read_graph(tmp_path)


def test_json_sniffed_without_extension(tmp_path):
    p = tmp_path / "model"
    p.write_text('{"Gz": [[1]]}')
    assert io.read_graph(p) == ik.LatentGraph(Gz=[[1]])


def test_schema_rejects_what_the_reader_rejects():
    schema = io.schema()
    for data, _ in BAD_DICTS[:7]:
        if isinstance(data, dict) and ("Gzz" in data or not data or data == {"latents": 2}):
            with pytest.raises(jsonschema.ValidationError):
                jsonschema.validate(data, schema)


YAML_DOCS = [
    "a: 1\nb: [1, 2.5, -3, 0, 010, 0x1F, 1e3, .inf]\nc: {x: yes, y: no, z: ~, w: 'no'}\n",
    "latents: [tree, robot, 'ball']\nGz:\n- [1, 0, 0]\n- [1, 1, 0]\n- [1, 1, 1]\n",
    "base: &row [1, 0]\nrows: [*row, *row]\nnested: {k: &m {a: 1}, again: *m}\n",
    "- 'quoted: yes'\n- \"two\\nlines\"\n- true\n- False\n- 2024-01-01x\n- null\n- 2024-01-01\n",
    "empty: []\nalso: {}\nstr: hello world\nunicode: ⊆ ∅\n",
    "just a scalar\n",
]


@pytest.mark.parametrize("text", YAML_DOCS)
def test_streaming_yaml_loader_matches_safe_load(text):
    import yaml

    assert io._yaml_stream_load(text, "doc.yaml") == yaml.safe_load(text)


@given(st.recursive(st.none() | st.booleans() | st.integers(-10**6, 10**6)
                    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
                    lambda kids: st.lists(kids, max_size=4)
                    | st.dictionaries(st.text(max_size=5), kids, max_size=4), max_leaves=20))
def test_streaming_yaml_loader_round_trips_random_data(data):
    import yaml

    for flow in (None, False, True):
        text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
        assert io._yaml_stream_load(text, "doc.yaml") == yaml.safe_load(text)


@pytest.mark.parametrize("text, words", [
    ("a: !!python/object/apply:os.system ['ls']\n", "is not allowed"),
    ("a: !!binary aGVsbG8=\n", "is not allowed"),
    ("a: !custom 1\n", "is not allowed"),
    ("a: 1\n---\nb: 2\n", "more than one YAML document"),
])
def test_streaming_yaml_loader_refuses(text, words):
    with pytest.raises(GraphFileError, match=words):
        io.parse_data(text, "yaml", "doc.yaml")


def test_writing_is_atomic_and_errors_are_typed(tmp_path):
    g = ik.examples.get("ex8").graph
    path = tmp_path / "g.json"
    io.write_graph(g, path)
    before = path.read_text()
    with pytest.raises(ik.OutputError, match="cannot write"):
        io.write_graph(g, tmp_path / "no" / "such" / "dir" / "g.json")
    # a failure while writing leaves the previous file intact and no temporary file behind
    with pytest.raises(ik.GraphFileError):
        io.write_graph(g, path, format="xml")
    assert path.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.json"]


# names: any non-blank Unicode string (no lone surrogates: files are UTF-8)
# any character but the control ones, which names cannot hold (test_control_characters_...)
_NAMES = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1,
                 max_size=6).filter(lambda s: s.strip())


@st.composite
def _named_models(draw):
    g = draw(latent_graphs(max_latents=5))
    names = draw(st.lists(_NAMES, min_size=g.n_latents + g.n_actions,
                          max_size=g.n_latents + g.n_actions, unique=True))
    return ik.LatentGraph(Gz=g.Gz, Ga=g.Ga, latents=names[:g.n_latents],
                          actions=names[g.n_latents:] if g.Ga is not None else None)


@settings(max_examples=150, deadline=None)
@given(_named_models(), st.sampled_from(["json", "yaml", "txt", "npz"]))
def test_arbitrary_unicode_names_round_trip_in_every_format(tmp_path_factory, g, ext):
    """Whatever identkit writes it reads back: names with spaces, commas, arrows, quotes,
    unprintable characters, any script (the text form quotes what is not a bare name)."""
    path = tmp_path_factory.mktemp("rt") / f"g.{ext}"
    if ext == "npz" and any(n.endswith("\x00") for n in g.latents + g.actions):
        with pytest.raises(ik.OutputError, match="NUL"):
            io.write_graph(g, path)
        assert not path.exists()
        return
    io.write_graph(g, path)
    back = io.read_graph(path)
    assert back == g and back.latents == g.latents and back.actions == g.actions


@pytest.mark.parametrize("name", ["joint one", "a, b", "x -> y", 'say "hi"', "#tag", "do(x)",
                                  "latents:", "α β", "no\u00a0break", "9lives", "x\u2028y", "a\\b"])
def test_text_form_quotes_every_name_that_is_not_bare(name):
    g = ik.LatentGraph(Gz=[[1, 1], [0, 1]], latents=[name, "plain"])
    from identkit.graphs import quote_name

    text = io.format_text(g)
    quoted = quote_name(name)
    assert quoted.startswith('"') and quoted in text and quoted.isprintable()
    assert text.count("\n") == 4  # unprintable characters never break a line
    assert io.parse_text(text) == g


def test_bare_names_are_written_without_quotes():
    g = ik.LatentGraph(Gz=[[1]], latents=["z'1.a-b_c"])
    assert io.format_text(g).splitlines()[0] == "latents: z'1.a-b_c"
    assert io.parse_text("x->y") == io.parse_text("x -> y")  # '->' is never part of a name


@pytest.mark.parametrize("text, words", [
    ('"open -> x', "a quoted name is not closed"),
    ('"a\\q" -> x', "bad quoted name"),
    ("do(x) as", "expected nothing or 'as NAME'"),
    ("do(x", "do( is not closed"),
])
def test_bad_quoting_is_refused_with_the_line(text, words):
    with pytest.raises(GraphFileError) as info:
        io.parse_text("latents: x\n" + text, "g.txt")
    assert "line 2" in str(info.value) and words in str(info.value)


def test_format_sniffing_without_an_extension(tmp_path):
    g = ik.examples.get("fig1").graph
    for fmt in ("json", "yaml", "text"):
        path = tmp_path / f"model-{fmt}"
        path.write_text(io.dumps_graph(g, fmt))
        assert io.read_graph(path) == g, fmt
    path = tmp_path / "model-npz"
    io.write_graph(g, tmp_path / "m.npz")
    path.write_bytes((tmp_path / "m.npz").read_bytes())
    assert io.read_graph(path) == g


@pytest.mark.parametrize("fmt, template", [("json", '{"a": %s}'), ("yaml", "a: %s\n")])
def test_integer_length_limit_is_exactly_100_digits(fmt, template):
    assert io.parse_data(template % ("1" * 100), fmt, "f") == {"a": int("1" * 100)}
    with pytest.raises(GraphFileError, match="an integer of 101 digits at line 1"):
        io.parse_data(template % ("1" * 101), fmt, "f")


def test_yaml_aliases_are_bounded_in_total_not_one_by_one():
    # 20,000 aliases of a 100-entry row: each is small, together they add 2,020,000 entries
    text = "r: &r [" + ", ".join(["1"] * 100) + "]\nGz: [" + ", ".join(["*r"] * 20_000) + "]\n"
    with pytest.raises(GraphFileError, match="YAML aliases expand the document by more than"):
        io.parse_data(text, "yaml", "f")
    ok = "r: &r [1, 0]\nGz: [*r, *r]\n"  # ordinary reuse of an anchor is fine
    assert io.parse_data(ok, "yaml", "f") == {"r": [1, 0], "Gz": [[1, 0], [1, 0]]}


def test_duplicate_keys_in_nested_mappings_are_refused():
    with pytest.raises(GraphFileError, match="'z1' is given twice"):
        io.parse_data('{"mean": {"z1": "a", "z1": "b"}}', "json", "m.json")
    with pytest.raises(GraphFileError, match="'z1' is given twice in one mapping .again at line 3"):
        io.parse_data("mean:\n  z1: a\n  z1: b\n", "yaml", "m.yaml")


def test_boolcsr_against_dense_numpy_on_every_3x2_matrix():
    """The numpy-only storage, checked entry by entry against dense arrays on all 2^6 0/1
    matrices of shape 3 x 2 (and all pairs of them for first_difference)."""
    import itertools

    import numpy as np

    from identkit._csr import BoolCSR

    mats = [np.array(bits, dtype=bool).reshape(3, 2)
            for bits in itertools.product([0, 1], repeat=6)]
    csrs = [BoolCSR.from_dense(m) for m in mats]
    perm = [2, 0, 1]
    for m, c in zip(mats, csrs):
        assert (c.toarray() == m).all() and (c.T.toarray() == m.T).all() and c.nnz == m.sum()
        r, k = np.nonzero(m)
        assert (BoolCSR.from_coo(np.r_[r, r], np.r_[k, k], m.shape).toarray() == m).all()
        assert (c.take(perm).toarray() == m[perm]).all()
        assert (c.take(perm, [1, 0]).toarray() == m[perm][:, [1, 0]]).all()
        assert (c.hstack(c).toarray() == np.hstack([m, m])).all()
        assert (c.to_scipy().toarray() == m).all()
        assert (c.diagonal() == np.diagonal(m)).all()
    for (m1, c1), (m2, c2) in itertools.product(list(zip(mats, csrs))[::5], repeat=2):
        diff = c1.first_difference(c2)
        if (m1 == m2).all():
            assert diff is None
        else:
            i, j = (int(x) for x in np.argwhere(m1 != m2)[0])
            assert diff == (i, j, int(m1[i, j]), int(m2[i, j]))


def test_read_model_returns_a_mechanism_file_as_its_data_and_read_graph_refuses_it(tmp_path):
    mech = {"latents": ["x"], "mean": {"x": "x_lag1"}}
    for name, text in (("m.json", json.dumps(mech)), ("m.yaml", "latents: [x]\nmean: {x: x_lag1}\n"),
                       ("d.json", json.dumps({"latents": ["x"], "log_density": {"x": "0"}}))):
        p = tmp_path / name
        p.write_text(text)
        data = io.read_model(p)
        assert isinstance(data, dict) and io.is_mechanism_data(data)
        with pytest.raises(GraphFileError, match="is a mechanism file"):
            io.read_graph(p)
    p = tmp_path / "g.json"
    p.write_text(json.dumps({"latents": ["x"], "Gz": [[1]]}))
    assert io.read_model(p) == io.read_graph(p) == ik.LatentGraph(Gz=[[1]], latents=["x"])


def test_read_model_sniffs_mechanisms_without_importing_sympy(tmp_path):
    import subprocess
    import sys

    p = tmp_path / "m.json"
    p.write_text(json.dumps({"latents": ["x"], "mean": {"x": "x_lag1"}}))
    code = ("import sys, identkit.io as io; d = io.read_model(sys.argv[1]); "
            "print(type(d).__name__, 'sympy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(p)], capture_output=True, text=True,
                         timeout=120)
    assert out.stdout.split() == ["dict", "False"], out.stderr
