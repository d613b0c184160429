"""Start-up cost of the command (run with ``pytest benchmarks --benchmark-enable``).

Goal: ``identkit check`` on a small graph file, in any format, under 0.15 s of CPU time on a
2-core machine, measured on the command run as a process with its bytecode compiled (as an
installed package has it). The CPU time of the child (user + system, from ``getrusage``) is
recorded in ``extra_info["cpu_seconds"]``; pytest-benchmark times the wall clock. In the
ordinary test run (``--benchmark-disable``) each body runs once, which checks that the command
answers correctly.

Measured on this project's 2-core machine, bytecode compiled: 0.10-0.12 s of CPU for fig1 in
JSON, YAML or the text form (identkit's own imports and work are about 0.03 s; numpy's import is
the rest, and starting OpenBLAS's threads alone cost about 0.05 s more until small checks started
BLAS with one thread); before graphs were stored without scipy and sympy was imported only for
mechanism files it was 0.31 s (text) and 0.59 s (YAML).
"""

import os
import resource
import subprocess
import sys

import pytest

import identkit as ik

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _env(tmp_path):
    env = dict(os.environ, PYTHONPATH=ROOT, PYTHONPYCACHEPREFIX=str(tmp_path / "pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure what an installed package costs
    return env


def _run_cpu(argv, env):
    """Run ``python -m identkit argv``; return (exit status, stdout, child CPU seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, "-m", "identkit", *argv], capture_output=True,
                          text=True, env=env, timeout=120)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return proc.returncode, proc.stdout, cpu


@pytest.mark.parametrize("fmt, ext", [("json", "json"), ("yaml", "yaml"), ("text", "txt")])
def test_check_small_graph_file_startup(benchmark, tmp_path, fmt, ext):
    path = tmp_path / f"fig1.{ext}"
    path.write_text(ik.io.dumps_graph(ik.examples.get("fig1").graph, fmt))
    env = _env(tmp_path)
    _run_cpu(["check", str(path)], env)  # compile the bytecode once
    cpu = []

    def run():
        code, out, seconds = _run_cpu(["check", str(path)], env)
        cpu.append(seconds)
        return code, out

    code, out = benchmark(run)
    benchmark.extra_info["cpu_seconds"] = min(cpu)
    assert code == 0 and out.startswith("Complete disentanglement is guaranteed")


def test_check_catalogue_example_startup(benchmark, tmp_path):
    env = _env(tmp_path)
    _run_cpu(["check", "--example", "fig1"], env)
    cpu = []

    def run():
        code, out, seconds = _run_cpu(["check", "--example", "fig1"], env)
        cpu.append(seconds)
        return code

    assert benchmark(run) == 0
    benchmark.extra_info["cpu_seconds"] = min(cpu)
