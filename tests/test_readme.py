"""The README's shell sessions and Python block run as written.

A shell block is a list of ``$ command`` lines, each followed by the output it prints. ``$ cat F``
blocks create the files the later commands read; ``identkit`` runs as ``python -m identkit``;
``$ echo $?`` checks the previous command's exit status; an expected line that is ``...`` matches any lines,
and ``(...)`` or a trailing ``...`` in a line match any text there.
"""

import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.md")


def _blocks(lang=""):
    text = open(README, encoding="utf-8").read()
    return [m.group(1) for m in re.finditer(r"```" + lang + r"\n(.*?)```", text, flags=re.S)]


def _sessions():
    return [b for b in _blocks() if b.lstrip().startswith("$ ")]


def _steps(block):
    steps, cur = [], None
    for line in block.splitlines():
        if line.startswith("$ "):
            cur = [line[2:], []]
            steps.append(cur)
        elif cur is not None:
            cur[1].append(line)
    return steps


def _matches(expected, got):
    """``...`` alone matches any line; ``(...)`` or a trailing ``...`` inside a line match any text."""
    if expected == "...":
        return True
    parts = re.split(r"\(\.\.\.\)|\.\.\.$", expected)
    pattern = ".*".join(re.escape(p) for p in parts)
    return re.fullmatch(pattern, got) is not None


def _compare(expected_lines, out, cmd):
    got = out.splitlines()
    i = 0
    for exp in expected_lines:
        if exp == "...":          # any number of lines, up to the next expected one
            continue
        assert i < len(got), f"{cmd}: output ended before {exp!r}"
        while not _matches(exp, got[i]):
            assert i > 0 and expected_lines[expected_lines.index(exp) - 1] == "...", (
                f"{cmd}: expected {exp!r}, got {got[i]!r}")
            i += 1
            assert i < len(got), f"{cmd}: {exp!r} not found"
        i += 1


def test_readme_has_sessions():
    assert len(_sessions()) >= 3


@pytest.mark.parametrize("block", _sessions(), ids=lambda b: b.splitlines()[0][:40])
def test_readme_shell_session_runs_as_written(block, tmp_path):
    shared = tmp_path  # files written by one block are read by the later ones
    for other in _sessions():
        for cmd, lines in _steps(other):
            if cmd.startswith("cat "):
                (shared / cmd[4:].strip()).write_text("\n".join(lines) + "\n", encoding="utf-8")
    status = None
    for cmd, expected in _steps(block):
        if cmd.startswith("cat "):
            continue
        if cmd == "echo $?":
            assert [str(status)] == [e for e in expected if e], f"exit status {status}"
            continue
        assert cmd.startswith("identkit "), cmd
        shell = cmd.replace("identkit ", f'"{sys.executable}" -m identkit ', 1)
        res = subprocess.run(shell, shell=True, cwd=shared, capture_output=True, text=True,
                             timeout=300)
        status = res.returncode
        assert res.stderr == "", res.stderr
        _compare(expected, res.stdout, cmd)


def test_readme_python_block_runs(tmp_path):
    (code,) = _blocks("python")
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    res = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, timeout=300, env=env)
    assert res.returncode == 0, res.stderr
