"""The paper's results as executable statements.

Each module states one result in our words, cites it, and offers ``check(quick=True, seed=0,
...)``, which tries to refute it by computation through independent routes and returns
:class:`Evidence` (how many instances, which routes, the largest sizes) or a counterexample.
Every check takes the implementation it relies on as a keyword argument, so a test can hand it a
deliberately wrong one and watch it find the counterexample.

>>> from identkit import theorems
>>> ev = theorems.prop7.check(quick=True)
>>> ev.holds, ev.instances > 100
(True, True)
"""

from . import (
    lemma13,
    prop3,
    prop6,
    prop7,
    prop8,
    prop11,
    props4_5,
    sperner_design,
    theorems123,
)
from ._evidence import Evidence

MODULES = (prop3, props4_5, lemma13, prop6, prop7, prop8, prop11, theorems123, sperner_design)

__all__ = ["Evidence", "MODULES", "run_all"] + [m.__name__.rsplit(".", 1)[1] for m in MODULES]


def run_all(quick: bool = True, seed=0) -> list:
    """Run every check; returns a list of :class:`Evidence`."""
    return [m.check(quick=quick, seed=seed) for m in MODULES]
