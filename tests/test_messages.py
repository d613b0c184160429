"""Refusal messages that help (issue 25, item 5): one line of about 200 characters, naming the
key, file or option at fault in the words of the interface that was used."""

import json

import pytest
import yaml

from identkit.cli import _one_line, main
from identkit.errors import GraphFileError, ParseError
from identkit.io import read_model
from identkit.symbolic import load_mechanism
from identkit.symbolic.parser import parse_expression, shown


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_refused_nested_expression_is_quoted_by_its_start(tmp_path, capsys, monkeypatch):
    """A nested exp of 202 characters used to be echoed whole (over 400 characters)."""
    monkeypatch.chdir(tmp_path)
    path = "mech.yaml"
    text = yaml.safe_dump({"latents": ["z1"], "actions": ["a1"],
                           "mean": {"z1": "exp(" * 40 + "a1" + ")" * 40}})
    (tmp_path / path).write_text(text)
    code, out, err = run(capsys, "check", path)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert len(err) < 300 and "(202 characters)" in err and "exp(exp(exp(" in err


@pytest.mark.parametrize("text,column", [("a1 + " * 50 + " ^ ", 250), ("(" * 150, None)])
def test_a_syntax_error_shows_the_part_around_its_column(text, column):
    with pytest.raises(ParseError) as info:
        parse_expression(text, ["a1"], where="mean of z1")
    message = str(info.value)
    assert len(message) < 200 and f"({len(text)} characters)" in message
    if column is not None:
        assert "^" in message  # the part around the error, not the start


def test_shown_is_whole_when_short_and_bounded_when_long():
    assert shown("a1") == "'a1'"
    for n in (61, 1_000, 10**6):
        assert len(shown("x" * n)) < 100 and len(shown("x" * n, column=n // 2)) < 100


def test_every_cli_message_is_cut_to_one_bounded_line():
    long = "the file 'a" + "b" * 10_000 + "' has no edge\nsecond line"
    cut = _one_line(long)
    assert "\n" not in cut and len(cut) < 300
    assert cut.startswith("the file 'ab") and cut.endswith("' has no edge")  # start and reason
    assert _one_line("short\nsecond") == "short"


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n", "null\n", "~\n"])
@pytest.mark.parametrize("ext", ["yaml", "json", "txt"])
def test_an_empty_file_is_an_empty_model_in_every_format(tmp_path, text, ext):
    if ext != "yaml" and text.strip():
        pytest.skip("not an empty document in this syntax")  # 'null' is a name in the text form
    path = tmp_path / f"g.{ext}"
    path.write_text(text)
    with pytest.raises(GraphFileError, match="empty model") as info:
        read_model(path)
    assert "NoneType" not in str(info.value)


def test_an_empty_mechanism_file_is_an_empty_model(tmp_path):
    for text in ("", "# nothing\n", "null\n"):
        path = tmp_path / "mech.yaml"
        path.write_text(text)
        with pytest.raises(GraphFileError, match="empty model") as info:
            load_mechanism(path)
        assert "NoneType" not in str(info.value)


def test_ga_and_gz_of_different_heights_name_both_matrices(tmp_path):
    path = tmp_path / "g.json"
    path.write_text(json.dumps({"Ga": [[1, 0], [0, 1]], "Gz": [[1, 0, 0], [0, 1, 0],
                                                                [0, 0, 1]]}))
    with pytest.raises(GraphFileError) as info:
        read_model(path)
    message = str(info.value)
    assert "'Ga' has 2 rows but 'Gz' has 3" in message and "latents" not in message


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x07", "\n", "\t", "\x7f", "\x9b"])
def test_control_characters_in_names_are_refused_in_every_format(tmp_path, char, capsys):
    name = f"red{char}[31m"
    path = tmp_path / "g.json"
    path.write_text(json.dumps({"latents": [name, "b"], "Gz": [[1, 0], [0, 1]]}))
    with pytest.raises(GraphFileError, match=f"U\\+{ord(char):04X}"):
        read_model(path)
    code, out, err = run(capsys, "check", path)
    assert code == 2 and out == "" and char not in err.rstrip("\n")
    ypath = tmp_path / "g.yaml"
    ypath.write_text(yaml.safe_dump({"action_edges": [["a", name]]}))
    with pytest.raises(GraphFileError, match="control character"):
        read_model(ypath)


def test_printable_unicode_names_are_still_accepted(tmp_path):
    path = tmp_path / "g.json"
    path.write_text(json.dumps({"latents": ["café", "no\u00a0break", "√x"],
                                "Gz": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]}))
    assert read_model(path).latents == ("café", "no\u00a0break", "√x")


def test_cli_messages_speak_in_options_not_keywords(capsys):
    code, out, err = run(capsys, "check", "--example", "ex8", "--regularize", "a")
    assert code == 2 and "--regularize 'a'" in err and "regularize=" not in err
    code, out, err = run(capsys, "design", "--latents", "3", "--format", "text")
    assert code == 0 and "--static" in out and "temporal=False" not in out


def test_out_of_memory_names_the_file_and_the_sizes_given(tmp_path, monkeypatch, capsys):
    """The last-resort message (no estimate caught it) names what was being read and the size
    options, so the user knows what to shrink."""
    import identkit.report

    def out_of_memory(*args, **kwargs):
        raise MemoryError

    path = tmp_path / "big.json"
    path.write_text(json.dumps({"Gz": [[1, 0], [0, 1]]}))
    monkeypatch.setattr(identkit.report, "analyze", out_of_memory)
    code, out, err = run(capsys, "check", path)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"reading {path}" in err and "bytes)" in err and "--max-memory" in err


# ------------------------------------------------------------------ the length of a name (item 4)

LONG = 10**6  # far over the cap; what used to cost 200 times its size in the text reader


@pytest.mark.parametrize("text", [
    "a" * LONG + " -> b\n",                      # bare
    "a-" * (LONG // 2) + " -> b\n",              # bare with hyphens (a repeated group)
    '"' + "a" * LONG + '" -> b\n',               # quoted
    '"' + "a\\n" * (LONG // 3) + '" -> b\n',     # quoted, full of escapes
    "latents: b, " + "c" * LONG + "\nb -> b\n",  # in a statement
])
def test_a_name_over_the_cap_is_refused_in_the_text_form(tmp_path, text):
    import tracemalloc

    path = tmp_path / "g.txt"
    path.write_text(text)
    tracemalloc.start()
    try:
        with pytest.raises(GraphFileError, match="1000 characters") as info:
            read_model(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(str(info.value)) < len(str(path)) + 150
    assert peak < 20 * len(text)  # was about 170 bytes per character in the regex engine


@pytest.mark.parametrize("ext", ["json", "yaml", "npz"])
def test_a_name_over_the_cap_is_refused_in_every_format(tmp_path, ext):
    import identkit as ik

    path = tmp_path / f"g.{ext}"
    names = ["z" * 1001, "b"]
    if ext == "npz":
        import numpy as np

        np.savez(path, Gz=np.eye(2, dtype=np.int8), latents=np.array(names))
    else:
        text = {"latents": names, "Gz": [[1, 0], [0, 1]]}
        path.write_text(json.dumps(text) if ext == "json" else yaml.safe_dump(text))
    with pytest.raises(GraphFileError, match="has 1001 characters; a name has at most 1000 characters"):
        read_model(path)
    with pytest.raises(ik.errors.GraphError, match="at most 1000"):
        ik.LatentGraph(Gz=[[1, 0], [0, 1]], latents=names)


def test_a_name_at_the_cap_is_accepted_and_round_trips(tmp_path):
    import identkit as ik

    names = ["z" * 1000, "w-" * 499 + "ab", "x y" * 333 + "x"]
    g = ik.LatentGraph(Gz=[[1, 0, 0], [1, 1, 0], [0, 1, 1]], latents=names)
    for ext in ("txt", "json", "yaml"):
        path = tmp_path / f"g.{ext}"
        ik.io.write_graph(g, path)
        assert read_model(path) == g
