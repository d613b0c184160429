"""Each statement of the folder holds in quick mode: one test per module, every part tested."""

import pytest

from identkit import theorems


@pytest.mark.parametrize("module", theorems.MODULES, ids=lambda m: m.NAME)
def test_statement_holds_in_quick_mode(module):
    ev = module.check(quick=True, seed=1)  # seed 0 is what `identkit theorems` runs
    assert ev.holds and ev.status == "holds", ev.counterexample
    assert ev.name == module.NAME == module.__name__.rsplit(".", 1)[1]
    assert ev.instances > 5 and ev.routes
    assert ev.parts and all(n > 0 for _, n in ev.parts), ev.parts
    assert sum(n for _, n in ev.parts) == ev.instances
    assert set(ev.to_dict()) >= {"name", "reference", "holds", "instances"}
