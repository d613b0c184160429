"""What every mechanism offers, whichever backend computes it.

A *mechanism* is a latent transition model ``p(z^t | z^{<t}, a^{t-1})`` (paper Section 2). The
numeric backend (:mod:`identkit.numeric`) measures its graphs by derivatives at sampled points and
tests the sufficient-influence assumptions by numerical ranks; the symbolic backend
(:mod:`identkit.symbolic`) derives both exactly from written expressions. Both answer the same
three questions with the same verbs, so code that takes "a mechanism" needs no ``hasattr``:

``derive_graph(*, seed=0)``
    The graphs ``Gz`` and ``Ga`` the density has: a result whose ``graph`` attribute is a
    :class:`~identkit.LatentGraph` (numeric: measured, :class:`~identkit.numeric.GraphEstimate`;
    symbolic: exact, :class:`~identkit.symbolic.DerivedGraph`).
``check_assumptions(*, seed=0)``
    The sufficient-influence verdicts (Assumptions 6-8, 10, 11), each ``holds``, ``fails`` or
    ``undecided``: a report with ``routes()`` for :func:`identkit.guarantees.justify`.
``check(regularize=None, *, seed=0)``
    Both, combined by the theorems (:mod:`identkit.guarantees`): a result with ``guaranteed``
    (complete disentanglement follows), ``guarantee``, ``justified``, ``to_dict()`` and a
    readable ``str``.

Examples
--------
>>> from identkit.protocols import Mechanism
>>> isinstance("not a mechanism", Mechanism)
False

A numeric mechanism (Example 10 with sinusoidal means) answers all three:

>>> import identkit as ik
>>> from identkit.numeric import make_mechanism
>>> mech = make_mechanism(ik.examples.get("ex5").graph, "nonlinear")
>>> isinstance(mech, Mechanism), mech.derive_graph().graph == ik.examples.get("ex5").graph
(True, True)
>>> mech.check_assumptions().holds_a, mech.check().guaranteed
(True, True)

The symbolic backend answers the same questions exactly, here for the paper's Example 10 as
written (μ(a) = (a1 + a2, a1² + a3, a2² + a3²)); with a linear mean instead (``ex10-linear``)
Assumption 6 fails and nothing is guaranteed:

>>> from identkit.symbolic import worked_mechanism
>>> exact = worked_mechanism("ex10")
>>> isinstance(exact, Mechanism), exact.check().guaranteed
(True, True)
>>> worked_mechanism("ex10-linear").check().guaranteed
False
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

__all__ = ["Mechanism"]


@runtime_checkable
class Mechanism(Protocol):
    """The verbs both backends' mechanisms implement (see the module docs).

    ``isinstance(obj, Mechanism)`` checks that the attributes and methods exist (not their
    signatures). The results differ in precision, not in kind: a measured graph may miss an edge
    a derivation would find, and a numeric verdict rests on ranks at sampled points.
    """

    @property
    def latents(self) -> tuple[str, ...]:
        """The latent names, in row order of the graphs."""

    @property
    def actions(self) -> tuple[str, ...]:
        """The action names (empty without actions)."""

    def derive_graph(self, *, seed: Any = 0) -> Any:
        """The graphs of the density (a result with a ``graph`` attribute)."""

    def check_assumptions(self, *, seed: Any = 0) -> Any:
        """The sufficient-influence verdicts (a report with ``routes()``)."""

    def check(self, regularize: str | None = None, *, seed: Any = 0) -> Any:
        """Graphs and verdicts combined by the theorems (a result with ``guaranteed``)."""
