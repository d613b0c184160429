"""Old code keeps running: the deprecation paths a review found missing or noisy (issue 18).

Each test calls the API the way code written before the redesign did, and checks that it
still works, warns exactly once (DeprecationWarning), and gives what the new way gives.
"""

import importlib
import warnings

import numpy as np
import pytest

import identkit as ik
from identkit import numeric
from identkit import theorems
from identkit.errors import SeedError
from identkit.symbolic import mechanism_from_dict
from identkit.symbolic._exact import Budget


def _deprecations(code: str) -> tuple[dict, list]:
    """Run ``code`` in a fresh namespace; its names and the DeprecationWarnings it raised."""
    namespace = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        exec(code, namespace)
    return namespace, [w for w in caught if issubclass(w.category, DeprecationWarning)]


# ------------------------------------------------ the theorem modules under their old names

@pytest.mark.parametrize("old, new", sorted(theorems.RENAMED.items()))
def test_old_theorem_module_path_imports_with_one_warning(old, new):
    """``from identkit.theorems.prop3 import check`` (a module path, not an attribute) was a
    ModuleNotFoundError after the rename."""
    namespace, warned = _deprecations(f"from identkit.theorems.{old} import check")
    assert namespace["check"] is getattr(theorems, new).check
    assert len(warned) == 1 and f"identkit.theorems.{new}" in str(warned[0].message)


def test_import_old_theorem_module_path_as_a_name_gives_the_renamed_module():
    namespace, warned = _deprecations("import identkit.theorems.prop7 as m")
    assert namespace["m"] is theorems.criterion_iff_identity
    assert len(warned) == 1


def test_old_theorem_module_path_through_import_module_warns_on_use():
    module = importlib.import_module("identkit.theorems.sperner_design")
    with pytest.warns(DeprecationWarning, match="fewest_interventions"):
        check = module.check
    assert check is theorems.fewest_interventions.check
    with pytest.raises(AttributeError):
        with pytest.warns(DeprecationWarning):
            module.no_such_name


def test_from_theorems_import_old_name_warns_once_not_twice():
    """The import system probes the name before the statement reads it: one warning."""
    namespace, warned = _deprecations("from identkit.theorems import prop3")
    assert namespace["prop3"] is theorems.preserving_pattern
    assert len(warned) == 1


def test_old_theorem_module_warning_points_at_the_caller():
    _, warned = _deprecations("from identkit.theorems.lemma13 import check")
    assert warned[0].filename == "<string>"


# ------------------------------------------- check_learned_model read as the dict it returned

@pytest.fixture(scope="module")
def learned():
    g = ik.examples.get("ex8").graph
    f = numeric.make_mixing(3, 5, seed=0)
    return numeric.check_learned_model(g, f, f, n_points=20)


def test_learned_model_check_reads_as_the_old_dict(learned):
    """Code that used the returned dict as a dict: get, in, keys, dict(res), len."""
    assert learned.get("consistent") is True and learned.get("absent", 7) == 7
    assert "consistent" in learned and "absent" not in learned
    assert dict(learned) == learned.to_dict()
    assert sorted(learned.keys()) == sorted(learned.to_dict())
    assert len(learned) == len(learned.to_dict())
    assert learned.get("permutation") == [0, 1, 2]


def test_learned_model_check_old_key_through_get_still_reads_V_with_a_warning(learned):
    with pytest.warns(DeprecationWarning, match="measured_entanglement"):
        V = learned.get("entanglement_graph")
    assert V == learned.measured_entanglement.astype(int).tolist()


# ----------------------------------------------- SymbolicMechanism.graph(seed, budget), the old way

@pytest.fixture(scope="module")
def mech():
    return mechanism_from_dict(ik.examples.get("mechanism-ex9").spec)


def test_graph_alias_with_positional_seed_warns_once(mech):
    """graph(1) used to warn twice: its own deprecation and derive_graph's positional seed."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = mech.graph(1, None)
    assert [str(w.message) for w in caught] == [
        "SymbolicMechanism.graph() is deprecated; use derive_graph()"]
    new = mech.derive_graph(seed=1)
    assert np.array_equal(old.graph.Gz, new.graph.Gz)
    assert np.array_equal(old.graph.Ga, new.graph.Ga)


def test_graph_alias_passes_seed_and_budget_on(mech):
    with pytest.warns(DeprecationWarning):
        with pytest.raises(SeedError):
            mech.graph(-1)
    expired = Budget(0.0)
    expired.expired = True
    with pytest.warns(DeprecationWarning):
        old = mech.graph(0, expired)
    assert str(old) == str(mech.derive_graph(budget=expired))
    assert "time budget" in str(old)


def test_graph_alias_refuses_what_its_old_signature_refused(mech):
    with pytest.warns(DeprecationWarning), pytest.raises(TypeError, match="multiple values"):
        mech.graph(0, seed=0)
    with pytest.warns(DeprecationWarning), pytest.raises(TypeError, match="at most 2"):
        mech.graph(0, None, 3)


# ------------------------------------- a renamed metric detail read through .details, as before

@pytest.fixture(scope="module")
def kl():
    from identkit.metrics import kl_decomposition

    return kl_decomposition(np.zeros((500, 2)), np.zeros((500, 2)), seed=0)


def test_renamed_detail_still_reads_through_details_with_one_warning(kl):
    """``out.details["mutual_information"]`` was a KeyError after the rename, while
    ``out["mutual_information"]`` warned and worked."""
    for read in (lambda: kl.details["mutual_information"],
                 lambda: kl.details.get("mutual_information"),
                 lambda: "mutual_information" in kl.details):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            value = read()
        assert len(caught) == 1 and caught[0].category is DeprecationWarning
        assert caught[0].filename == __file__  # the caller's line, not collections.abc
        assert "index_code_mutual_information" in str(caught[0].message)
        assert value is True or value == kl.details["index_code_mutual_information"]


def test_renamed_detail_lists_only_the_new_name(kl):
    assert "mutual_information" not in list(kl.details)
    assert len(kl.details) == len(kl.to_dict()) - 2  # metric and value
    assert "index_code_mutual_information" in kl.to_dict()
    assert kl.details.get("absent", 5) == 5 and "absent" not in kl.details


def test_result_item_access_to_a_renamed_detail_warns_once(kl):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert kl["mutual_information"] == kl.index_code_mutual_information
    assert len(caught) == 1


def test_the_exact_engine_module_moved_inside_and_its_old_path_warns():
    """``identkit.symbolic.exact`` (undocumented, public by name) is internal now: the old
    import path gives the same objects, with one DeprecationWarning."""
    import subprocess
    import sys

    code = ("import warnings; warnings.simplefilter('always')\n"
            "with warnings.catch_warnings(record=True) as w:\n"
            "    from identkit.symbolic.exact import decide_zero, Budget\n"
            "from identkit.symbolic import _exact\n"
            "print(len([x for x in w if x.category is DeprecationWarning]), "
            "decide_zero is _exact.decide_zero, Budget is _exact.Budget)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1", "True", "True"]
