"""The paper's results as executable statements.

Each module states one result in our words, cites it (theorem, proposition or lemma number of
Lachapelle et al.), names the parts of the statement in ``PARTS`` (the directions of an "iff",
the halves of a theorem) and offers ``check``, which tries to refute it by computation through
independent routes. What every check shares is documented here once; each check's own docstring
says what is its own (its cases, its implementation under test, what a counterexample is).

``check(quick=True, *, seed=0, <implementation>=<the package's>)``
    ``quick`` (bool) runs the smaller instances (what the tests and ``identkit theorems`` run);
    ``quick=False`` runs more and larger ones. ``seed`` (int, ``numpy.random.Generator`` or
    None) is keyword-only (positional use still works, with a ``DeprecationWarning``); the same
    seed gives the same evidence, and a deterministic check accepts it for the one signature.
    The implementation the check relies on is a keyword argument defaulting to the package's,
    so a test can hand it a deliberately wrong one and watch the check find the counterexample.
Returns :class:`Evidence`
    ``status`` is ``"holds"`` when every part of ``PARTS`` was tested and none refuted,
    ``"refuted"`` with the first ``counterexample`` and its ``failed_part``, or
    ``"undecided"`` when some part was never tested; ``parts`` gives the instances of each
    part, in the order of ``PARTS``, with the routes compared and the largest sizes reached.

========================================  =========================================================
module                                    statement
========================================  =========================================================
:mod:`~.preserving_pattern`               Prop 3: the closed form of the G-preserving pattern
:mod:`~.preserving_group`                 Props 4-5: invertible G-preserving matrices form a group
:mod:`~.pattern_rows`                     Lemma 13: a pattern row is an intersection of columns
:mod:`~.combined_consistency`             Prop 6: a- and z-consistency combine
:mod:`~.criterion_iff_identity`           Prop 7: the criterion holds iff C = I
:mod:`~.self_loops_no_two_cycles`         Prop 8: self-loops and no 2-cycles suffice
:mod:`~.criterion_as_intersections`       Prop 11: the criterion as intersections (CLeaR 2022)
:mod:`~.denser_unless_preserving`         Theorems 1-3: only preserving maps keep the graphs sparse
:mod:`~.fewest_interventions`             Sperner with Example 12: the fewest interventions
========================================  =========================================================

The old module names (``prop3``, ``props4_5``, ``lemma13``, ``prop6``, ``prop7``, ``prop8``,
``prop11``, ``theorems123``, ``sperner_design``) still work, with one ``DeprecationWarning``:
as attributes (``theorems.prop3``), in ``from identkit.theorems import prop3``, and as module
paths (``import identkit.theorems.prop3``, ``from identkit.theorems.prop3 import check``).

Where the code lives. The modules are the repository's top-level ``theorems/`` folder, beside
``identkit/``, ``tests/`` and ``docs/``; ``pyproject.toml`` installs that folder as this
subpackage (``package-dir``), in a wheel as in an editable install, so ``identkit theorems``
works from an installed package. Inside the folder every import is absolute (``identkit.``...),
so a module means the same thing under either name; the repository's ``conftest.py`` makes
pytest collect the folder as ``identkit.theorems`` itself (the same module objects, never a
second copy), and ``test_statements.py`` runs each statement's quick check as a test.

>>> from identkit import theorems
>>> ev = theorems.criterion_iff_identity.check(quick=True)
>>> ev.holds, ev.instances > 100
(True, True)
"""

import inspect
import sys
import types
import warnings

from identkit._compat import keyword_only
from identkit.errors import IdentkitError
from identkit.theorems import (
    combined_consistency,
    criterion_as_intersections,
    criterion_iff_identity,
    denser_unless_preserving,
    fewest_interventions,
    pattern_rows,
    preserving_group,
    preserving_pattern,
    self_loops_no_two_cycles,
)
from identkit.theorems._evidence import Evidence

MODULES = (preserving_pattern, preserving_group, pattern_rows, combined_consistency,
           criterion_iff_identity, self_loops_no_two_cycles, criterion_as_intersections,
           denser_unless_preserving, fewest_interventions)

# the names the modules had before they were named by what they state
RENAMED = {"prop3": "preserving_pattern", "props4_5": "preserving_group", "lemma13": "pattern_rows",
           "prop6": "combined_consistency", "prop7": "criterion_iff_identity",
           "prop8": "self_loops_no_two_cycles", "prop11": "criterion_as_intersections",
           "theorems123": "denser_unless_preserving", "sperner_design": "fewest_interventions"}

__all__ = ["Evidence", "MODULES", "run_all", "table"] + [m.__name__.rsplit(".", 1)[1] for m in MODULES]


def _warn_renamed(old: str) -> None:
    warnings.warn(f"identkit.theorems.{old} is now identkit.theorems.{RENAMED[old]}",
                  DeprecationWarning, stacklevel=3)


def _asked_by_the_import_system() -> bool:
    # ``from identkit.theorems import prop3`` looks the name up twice: importlib's
    # _handle_fromlist probes it (hasattr), then the statement reads it; warn on the read only
    caller = inspect.currentframe().f_back.f_back
    return caller is not None and caller.f_code.co_filename.startswith("<frozen importlib")


def __getattr__(name):
    if name in RENAMED:
        if not _asked_by_the_import_system():
            _warn_renamed(name)
        return globals()[RENAMED[name]]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _RenamedModule(types.ModuleType):
    """``identkit.theorems.<old name>`` in ``sys.modules``, so the old module paths still
    import; each read of a name warns once and gives the renamed module's object."""

    def __init__(self, old: str):
        super().__init__(f"{__name__}.{old}", f"Deprecated: now identkit.theorems.{RENAMED[old]}.")
        self.__dict__["_old"] = old

    def __getattr__(self, attr):
        if attr.startswith("__"):  # the import system's probes (__path__, __spec__ ...)
            raise AttributeError(attr)
        _warn_renamed(self._old)
        return getattr(globals()[RENAMED[self._old]], attr)

    def __dir__(self):
        return dir(globals()[RENAMED[self._old]])


for _old in RENAMED:
    sys.modules.setdefault(f"{__name__}.{_old}", _RenamedModule(_old))
del _old


@keyword_only("seed")
def run_all(quick: bool = True, *, seed=0) -> list:
    """Run every check, in the order of :data:`MODULES`.

    Parameters
    ----------
    quick : bool
        Smaller instances (what the tests run).
    seed : int, numpy.random.Generator or None
        Keyword-only (positional use still works, with a ``DeprecationWarning``); the same seed
        gives the same evidence.

    Returns
    -------
    list of Evidence
        One per module.

    Examples
    --------
    >>> from identkit import theorems
    >>> [ev.name for ev in theorems.run_all(quick=True)][:2]
    ['preserving_pattern', 'preserving_group']
    """
    return [m.check(quick=quick, seed=seed) for m in MODULES]


def table(results) -> str:
    """The results as the table ``identkit theorems`` prints: one row per statement (holds:
    yes / NO / undecided, instances, reference), one row per part with its instances (a part
    never tested is marked undecided), and the counterexample of a refuted statement.

    Examples
    --------
    >>> from identkit import theorems
    >>> print(theorems.table([theorems.criterion_iff_identity.check(quick=True)]))
    ... # doctest: +ELLIPSIS
    result                  holds      instances  reference
    criterion_iff_identity  yes        ...  Proposition 7 (Assumption 5)
    ...criterion ⇒ C = I
    ...C = I ⇒ criterion
    """
    try:
        results = list(results)
    except TypeError:
        raise IdentkitError(f"results: table takes an iterable of Evidence (from run_all or a "
                        f"module's check), got {type(results).__name__}") from None
    bad = next((r for r in results if not isinstance(r, Evidence)), None)
    if bad is not None:
        raise IdentkitError(f"results: table takes Evidence (from run_all or a module's check), "
                        f"got {type(bad).__name__} {bad!r}")
    w = max([len("result")] + [len(r.name) for r in results])
    verdict = {"holds": "yes", "refuted": "NO", "undecided": "undecided"}
    lines = [f"{'result':<{w}}  {'holds':<9}  {'instances':>9}  reference"]
    for r in results:
        lines.append(f"{r.name:<{w}}  {verdict[r.status]:<9}  {r.instances:>9}  {r.reference}")
        for part, n in r.parts:
            note = "  (never tested: undecided)" if n == 0 else ""
            lines.append(f"{'':<{w}}  {'':<9}  {n:>9}  {part}{note}")
        if r.counterexample:
            lines.append(f"{'':<{w}}  counterexample ({r.failed_part}): {r.counterexample}")
    return "\n".join(lines)
