"""The command line prints exactly what it printed before its logic moved into the API.

``tests/data/cli_golden.json`` holds the output (stdout, stderr, exit status) of every command
below on the whole catalogue, captured with the code before the refactor of issue 18 (report
output, the default regularization, latent specs and the one catalogue moved out of the CLI).
Regenerate only on a deliberate change of output: ``python tests/test_cli_golden.py`` (it runs
the identkit first on ``PYTHONPATH``).
"""

import contextlib
import io
import json
import os

import pytest

import identkit as ik
from identkit.cli import main

GOLDEN = os.path.join(os.path.dirname(__file__), "data", "cli_golden.json")

_MECHANISMS = ["ex9", "ex10", "ex10-linear", "ex11", "remark6", "ex12", "ex13", "ex14-constant",
               "ex14-varying", "ex15-mean", "ex15-variance", "ex16"]


def commands():
    """Every argv whose output is pinned (the catalogue's names are written out so a renamed
    entry shows up as a missing command, not as a silently smaller test)."""
    graphs = ik.examples.names()
    cmds = [["examples"]]
    for name in graphs:
        for fmt in ("text", "json", "markdown"):
            cmds.append(["check", "--example", name, "--format", fmt])
        cmds.append(["check", "--example", name, "--regularize", "", "--format", "markdown"])
        for fmt in ("json", "yaml", "text"):
            cmds.append(["examples", name, "--format", fmt])
        for fmt in ("text", "json"):
            cmds.append(["repair", "--example", name, "--format", fmt])
        cmds.append(["repair", "--example", name, "--static"])
    for name in graphs:
        cmds.append(["verify", "--example", name, "--maps", "2"])
    for name in ("ex4", "ex8", "fig1"):
        cmds.append(["verify", "--example", name, "--maps", "1", "--seed", "3", "--format",
                     "json"])
        cmds.append(["verify", "--example", name, "--maps", "1", "--regularize", "z"])
    for name in ("ex4", "ex8", "fig1"):
        cmds.append(["check", "--example", name.upper(), "--regularize", "a"])
        cmds.append(["repair", "--example", name, "--intervenable", "z1, z2,", "--single-target"])
    for name in _MECHANISMS:
        for fmt in ("json", "yaml", "text"):
            cmds.append(["examples", "mechanism-" + name, "--format", fmt])
        cmds.append(["check", "--example", "mechanism-" + name, "--format", "json"])
    for name in ("ex9", "remark6", "ex16"):
        for fmt in ("text", "markdown"):
            cmds.append(["check", "--example", "mechanism-" + name, "--format", fmt])
    for spec in ("1", "3", "6", "+7", "ball,robot", " a, b ,c ", "x,,y", "-3", "0", ",", "z1,z1"):
        for fmt in ("text", "json"):
            cmds.append(["design", "--latents", spec, "--format", fmt])
    cmds.append(["design", "--latents", "9", "--max-targets", "2"])
    cmds.append(["design", "--latents", "5", "--static"])
    for bad in ("nope", "ex88", "mechanism-nope", "mechanism-ex99"):
        cmds.append(["check", "--example", bad])
        cmds.append(["examples", bad])
    cmds.append(["repair", "--example", "ex8", "--intervenable", "z9"])
    cmds.append(["repair", "--example", "ex8", "--intervenable", "z1"])
    return cmds


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    # the exact checks of a mechanism report their progress on stderr: not pinned
    mech = argv[0] == "check" and argv[2].lower().startswith("mechanism-")
    return {"status": status, "stdout": out.getvalue(),
            "stderr": None if mech else err.getvalue()}


def _key(argv):
    return json.dumps(argv)


with open(GOLDEN, encoding="utf-8") if os.path.exists(GOLDEN) else contextlib.nullcontext() as fh:
    _GOLD = json.load(fh) if fh else {}


@pytest.mark.parametrize("argv", commands(), ids=lambda a: " ".join(a))
def test_cli_output_is_byte_identical_to_before_the_refactor(argv):
    assert _key(argv) in _GOLD, "a pinned command has no captured output"
    assert run(argv) == _GOLD[_key(argv)]


if __name__ == "__main__":  # regenerate (only on a deliberate change of output)
    data = {_key(a): run(a) for a in commands()}
    with open(GOLDEN, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1, sort_keys=True)
        fh.write("\n")
    print(f"wrote {len(data)} commands to {GOLDEN}")
