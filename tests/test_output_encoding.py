"""Every command prints in whatever encoding its streams have (issue 25, item 3).

The reports speak in the paper's symbols (‖Ĝa‖₀ ≤ ‖Ga‖₀, ∅ ⊆ {torque}, ⌊m/2⌋). Under an ASCII
stdout (``PYTHONIOENCODING=ascii``, a C locale with UTF-8 mode off) or cp1252 (Windows, output
redirected) the command still answers, with ASCII forms for what the encoding lacks; JSON output
uses JSON escapes and parses to the same document.
"""

import contextlib
import io
import json

import pytest

from identkit._console import Stream, ascii_forms
from identkit.cli import main

import test_cli_golden as golden
import test_readme as readme
from test_hostile_inputs import cli, refused

ASCII = {"PYTHONIOENCODING": "ascii:strict"}
C_LOCALE = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0",
            "PYTHONIOENCODING": ""}
CP1252 = {"PYTHONIOENCODING": "cp1252:strict"}


def _readme_commands():
    """The README's sessions as (command, expected lines), with the files they read."""
    files, steps = {}, []
    for block in readme._sessions():
        for cmd, lines in readme._steps(block):
            if cmd.startswith("cat "):
                files[cmd[4:].strip()] = "\n".join(lines) + "\n"
            elif cmd != "echo $?":
                steps.append((cmd, lines))
    return files, steps


@pytest.mark.parametrize("env", [ASCII, C_LOCALE, CP1252], ids=["ascii", "C-locale", "cp1252"])
def test_the_readme_session_runs_under_an_encoding_without_the_symbols(env, tmp_path):
    files, steps = _readme_commands()
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    encoding = "cp1252" if env is CP1252 else "ascii"
    assert steps
    for cmd, expected in steps:
        argv = cmd.split()[1:]
        argv = [a for a in argv if a not in ("|", "head", "-1")]
        proc = cli(*argv, cwd=tmp_path, env=env)
        assert proc.returncode in (0, 1), proc.stderr
        assert proc.stderr == b"", proc.stderr
        text = proc.stdout.decode(encoding)  # strict: every byte is of the stream's encoding
        if encoding == "ascii":
            assert text.isascii()
        readme._compare([ascii_forms(e, encoding) for e in expected], text, cmd)


def test_the_readme_session_under_ascii_spells_the_symbols_in_ascii(tmp_path):
    """The forms written out by hand (not by the function under test)."""
    (tmp_path / "robot.yaml").write_text(_readme_commands()[0]["robot.yaml"], encoding="utf-8")
    out = cli("check", "robot.yaml", cwd=tmp_path, env=ASCII).stdout.decode("ascii")
    assert "(||Ga_hat||_0 <= ||Ga||_0)" in out
    assert "(||Gz_hat||_0 <= ||Gz||_0)" in out
    out = cli("check", "robot.yaml", "--regularize", "a", cwd=tmp_path, env=ASCII)
    out = out.stdout.decode("ascii")
    assert "Pa_a(tree) = {} <= Pa_a(robot) = {torque}" in out
    assert "  {tree, ball} <- {robot}\n" in out
    assert "(true block <- learned block it may absorb)" in out


@pytest.mark.parametrize("env", [ASCII, C_LOCALE, CP1252], ids=["ascii", "C-locale", "cp1252"])
def test_design_under_an_encoding_without_the_symbols(env):
    proc = cli("design", "--latents", "7", env=env)
    assert proc.returncode == 0 and proc.stderr == b"", proc.stderr
    out = proc.stdout.decode("cp1252" if env is CP1252 else "ascii")
    assert "at most C(m, floor(m/2)) members" in out
    assert "C(4, 2) = 6 < 7 <= C(5, 2) = 10" in out
    proc = cli("design", "--latents", "5", "--static", env=env)
    assert "costs sum_l |T_l| = sum_i |Pa_a(i)|" in proc.stdout.decode("ascii")
    assert "when d >= 2" in proc.stdout.decode("ascii")


def _run_encoded(argv, encoding):
    raw_out, raw_err = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(raw_out, encoding=encoding, errors="strict", write_through=True)
    err = io.TextIOWrapper(raw_err, encoding=encoding, errors="strict", write_through=True)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    out.flush()
    err.flush()
    return status, raw_out.getvalue().decode(encoding), raw_err.getvalue().decode(encoding)


@pytest.mark.parametrize("encoding", ["ascii", "cp1252"])
def test_every_pinned_command_answers_the_same_under_a_narrow_encoding(encoding):
    """All the golden commands (every example, every format, every refusal): same exit status,
    the same JSON documents, the same lines wherever the UTF-8 line was already encodable."""
    for argv in golden.commands():
        want = golden._GOLD[golden._key(argv)]
        status, out, err = _run_encoded(argv, encoding)
        assert status == want["status"], argv
        if want["stderr"] is not None:
            assert err.count("\n") == want["stderr"].count("\n"), (argv, err)
        if "json" in argv and argv[0] != "examples" and status in (0, 1):
            assert json.loads(out) == json.loads(want["stdout"]), argv
            continue
        got, lines = out.splitlines(), want["stdout"].splitlines()
        assert len(got) == len(lines), argv
        for g, w in zip(got, lines):
            try:
                w.encode(encoding)
            except UnicodeEncodeError:
                continue
            assert g == w, argv


def test_a_refusal_naming_a_non_ascii_name_is_one_ascii_line():
    """The error line goes through the same rule (strict stderr, no traceback)."""
    err = refused(cli("check", "--example", "fig1‖x", env=ASCII), "fig1||x")
    assert err.isascii()


def test_names_without_an_ascii_form_are_escaped_not_lost(tmp_path):
    p = tmp_path / "m.yaml"
    p.write_text("latents: [tree, 木, ball]\ntemporal_edges: [[木, ball]]\n", encoding="utf-8")
    out = cli("check", str(p), env=ASCII).stdout.decode("ascii")
    assert "\\u6728" in out
    proc = cli("check", str(p), "--format", "json", env=ASCII)
    assert json.loads(proc.stdout.decode("ascii"))["latents"] == ["tree", "木", "ball"]


def test_forms_replace_only_what_the_encoding_lacks():
    assert ascii_forms("x ± 1 × 2 · 3 — ‖Ĝa‖₀", "cp1252") == "x ± 1 × 2 · 3 — ||Ga_hat||_0"
    assert ascii_forms("x ± 1 × 2 · 3 — ‖Ĝa‖₀", "ascii") == "x +/- 1 x 2 * 3 -- ||Ga_hat||_0"
    assert ascii_forms("i∈S, ẑ_i, x⁻¹, S_2⁵, λ", "ascii") == "i in S, z_hat_i, x^-1, S_2^5, lambda"
    assert ascii_forms("\U0001f916", "ascii") == "\\U0001f916"
    assert ascii_forms('"\U0001f916"', "ascii", json=True) == '"\\ud83e\\udd16"'
    assert json.loads(ascii_forms('"\U0001f916 ‖"', "ascii", json=True)) == "\U0001f916 ‖"
    assert ascii_forms("plain text", "ascii") == "plain text"


def test_a_utf8_stream_and_a_string_buffer_get_the_text_unchanged():
    buf = io.StringIO()
    Stream(buf).write("‖Ĝa‖₀")
    assert buf.getvalue() == "‖Ĝa‖₀"
    raw = io.BytesIO()
    s = Stream(io.TextIOWrapper(raw, encoding="utf-8"))
    s.write("‖Ĝa‖₀ \udcff")  # a lone surrogate (an undecodable file name) is escaped
    s.flush()
    assert raw.getvalue().decode("utf-8") == "‖Ĝa‖₀ \\udcff"
