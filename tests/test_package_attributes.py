"""``import identkit as ik`` reaches every subpackage as an attribute, imported only on first use."""

import subprocess
import sys

import pytest

import identkit as ik

SUBPACKAGES = ["design", "guarantees", "metrics", "numeric", "symbolic", "plot", "strategies",
               "testing", "theorems", "examples", "io"]


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_subpackage_is_an_attribute_of_the_package(name):
    import importlib

    assert getattr(ik, name) is importlib.import_module(f"identkit.{name}")
    assert name in dir(ik)


def test_metrics_mcc_through_the_package_attribute():
    import numpy as np

    z = np.random.default_rng(0).standard_normal((200, 3))
    assert ik.metrics.mcc(z, z[:, ::-1]).value == pytest.approx(1.0)


def test_import_identkit_loads_no_backend():
    code = ("import sys, identkit; bad = [m for m in ('sympy', 'scipy', 'identkit.metrics', "
            "'identkit.symbolic', 'identkit.numeric') if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        ik.nonexistent  # noqa: B018
