"""Speed of the paper's datasets: 10^6 examples of every named dataset (goal: under 2 s each).

With ``--benchmark-disable`` (how the test suite runs this file) each case draws 10^4 examples
once, to keep the suite fast; benchmarking proper draws 10^6.
"""

import numpy as np
import pytest

from identkit.numeric import DATASETS, generate


@pytest.mark.parametrize("name", DATASETS)
def test_generate_a_million_examples(benchmark, name):
    n = 10_000 if benchmark.disabled else 1_000_000
    data = benchmark.pedantic(generate, args=(name, n), kwargs={"seed": 0}, rounds=1,
                              iterations=1)
    assert data["x"].shape == (n, 20) and data["z"].shape == (n, 10)
    assert np.isfinite(data["x"]).all()
