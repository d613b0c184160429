"""Deprecated: the paper's worked mechanisms now live in the one catalogue,
:mod:`identkit.examples`, as entries of kind ``"mechanism"`` named ``mechanism-<name>``.

``identkit.examples.get("mechanism-ex9")`` gives the entry (its ``spec``, reference, title,
expected verdicts and graphs) and ``identkit.symbolic.mechanism_from_dict(ex.spec,
source=ex.name)`` builds the mechanism. The functions here still work, warn
(DeprecationWarning), and return what they returned: :class:`MechanismExample` objects named
without the prefix.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from .. import examples as _examples
from ..errors import ExampleNotFoundError
from .mechanism import SymbolicMechanism, mechanism_from_dict

__all__ = ["MechanismExample", "mechanism_examples", "get_mechanism_example"]


@dataclass(frozen=True)
class MechanismExample:
    """A worked mechanism as :func:`mechanism_examples` returned it (deprecated; see
    :class:`identkit.examples.MechanismExample`): its file content, reference and expected
    verdicts, named without the ``mechanism-`` prefix.

    ``expected`` maps an assumption name (``"Assumption 6"`` ...) to True/False for every
    target it is checked on; ``Ga``/``Gz`` are the expected derived graphs (or None).
    """

    name: str
    reference: str
    title: str
    spec: dict
    expected: dict
    Gz: list | None = None
    Ga: list | None = None

    def mechanism(self) -> SymbolicMechanism:
        return mechanism_from_dict(self.spec, source=self.name)


def _old(entry) -> MechanismExample:
    return MechanismExample(entry.name[len(_examples.MECHANISM_PREFIX):], entry.reference,
                            entry.title, entry.spec, entry.expected, entry.Gz, entry.Ga)


def _warn(old: str, new: str) -> None:
    warnings.warn(f"identkit.symbolic.catalogue.{old} is deprecated; use {new} (worked "
                  "mechanisms are named 'mechanism-<name>' there)", DeprecationWarning,
                  stacklevel=3)


def mechanism_examples() -> list[MechanismExample]:
    """Every worked mechanism, in the paper's order (deprecated: use
    ``identkit.examples.catalogue("mechanism")``).

    >>> import warnings
    >>> from identkit.symbolic.catalogue import mechanism_examples
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", DeprecationWarning)
    ...     [e.name for e in mechanism_examples()][:3]
    ['ex9', 'ex10', 'ex10-linear']
    """
    _warn("mechanism_examples()", 'identkit.examples.catalogue("mechanism")')
    return [_old(e) for e in _examples.catalogue("mechanism")]


def get_mechanism_example(name: str) -> MechanismExample:
    """The worked mechanism called ``name``; ExampleNotFoundError otherwise (deprecated: use
    ``identkit.examples.get("mechanism-" + name)``)."""
    _warn("get_mechanism_example(name)", 'identkit.examples.get("mechanism-" + name)')
    try:  # the one lookup (case-insensitive) is the catalogue's
        return _old(_examples.get(_examples.MECHANISM_PREFIX + str(name)))
    except ExampleNotFoundError:
        pass
    known = ", ".join(e.name[len(_examples.MECHANISM_PREFIX):]
                      for e in _examples.catalogue("mechanism"))
    raise ExampleNotFoundError(f"no worked mechanism named {name!r}; known: {known}")
