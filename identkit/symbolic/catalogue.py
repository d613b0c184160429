"""The paper's worked mechanisms (§3.9, §4), as mechanism files with their expected verdicts.

Constants the paper leaves free (W, μ, δ, g) are fixed to simple values that satisfy the stated
conditions (W invertible, μ_l ≠ 0, δ_l ≠ 0 or = 0 as the example requires).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ExampleNotFoundError
from .mechanism import SymbolicMechanism, mechanism_from_dict

__all__ = ["MechanismExample", "mechanism_examples", "get_mechanism_example"]

_ONE_HOT_3 = [[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]]
_Z3 = ["z1", "z2", "z3"]
_A3 = ["a1", "a2", "a3"]


@dataclass(frozen=True)
class MechanismExample:
    """A worked mechanism: its file content, reference and expected verdicts.

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


_ENTRIES = [
    MechanismExample(
        "ex9", "Example 9", "A torque moves the robot (single-target continuous action)",
        {"latents": _Z3, "actions": ["a"],
         "mean": {"z1": "z1_lag1 + sin(z1_lag1)/2",
                  "z2": "z2_lag1 + sin(z1_lag1 + z2_lag1)/2 + a",
                  "z3": "z3_lag1 + tanh(z1_lag1 + z2_lag1 + z3_lag1)/2"},
         "variance": "1/4"},
        {"Assumption 6": True},
        Gz=[[1, 0, 0], [1, 1, 0], [1, 1, 1]], Ga=[[0], [1], [0]]),
    MechanismExample(
        "ex10", "Example 10", "Multi-target continuous actions with nonlinear means (T = 1)",
        {"latents": _Z3, "actions": _A3,
         "mean": {"z1": "a1 + a2", "z2": "a1**2 + a3", "z3": "a2**2 + a3**2"}},
        {"Assumption 6": True}, Ga=[[1, 1, 0], [1, 0, 1], [0, 1, 1]]),
    MechanismExample(
        "ex10-linear", "Example 10 (linear counterpart)", "μ(a) = W a: no sufficient influence",
        {"latents": _Z3, "actions": _A3,
         "mean": {"z1": "a1 + 2*a2", "z2": "3*a1 + a3", "z3": "a2 - a3"}},
        {"Assumption 6": False}, Ga=[[1, 1, 0], [1, 0, 1], [0, 1, 1]]),
    MechanismExample(
        "ex11", "Example 11", "Single-target interventions without time",
        {"latents": _Z3, "actions": _A3, "action_values": _ONE_HOT_3,
         "mean": {"z1": "2*a1", "z2": "-a2", "z3": "3*a3"},
         "variance": {"z1": "1 + a1/2", "z2": "1 + a2", "z3": "1 - a3/2"}},
        {"Assumption 7": True}, Ga=[[1, 0, 0], [0, 1, 0], [0, 0, 1]]),
    MechanismExample(
        "remark6", "Remark 6", "One intervention on {z1, z2} without time",
        {"latents": _Z3, "actions": ["a1"], "action_values": [[0], [1]],
         "mean": {"z1": "a1", "z2": "2*a1", "z3": "0"}},
        {"Assumption 7": False}, Ga=[[1], [1], [0]]),
    MechanismExample(
        "ex12", "Example 12", "The interventions of Example 5 with temporal dynamics",
        {"latents": _Z3, "actions": _A3, "action_values": _ONE_HOT_3,
         "mean": {"z1": "z1_lag1 + (1 - a1 - a2)*(z1_lag1 + z2_lag1)",
                  "z2": "z2_lag1 + (1 - a1 - a3)*(z2_lag1 + z3_lag1)",
                  "z3": "z3_lag1 + (1 - a2 - a3)*(z1_lag1 + z3_lag1)"}},
        {"Assumption 7": True}, Ga=[[1, 1, 0], [1, 0, 1], [0, 1, 1]]),
    MechanismExample(
        "ex13", "Example 13", "Two interventions in one group targeting {z1, z2}, no time",
        {"latents": ["z1", "z2"], "actions": ["a1"], "action_values": [[0], [1], [2]],
         "mean": {"z1": "a1", "z2": "a1**2"}},
        {"Assumption 7": True}, Ga=[[1], [1]]),
    MechanismExample(
        "ex14-constant", "Example 14 (constant W)", "μ = z^{t-1} + W z^{t-1}: too simple",
        {"latents": _Z3,
         "mean": {"z1": "z1_lag1 + z1_lag1/2", "z2": "z2_lag1 + z1_lag1/3 + z2_lag1/5",
                  "z3": "z3_lag1 + z1_lag1/7 + 2*z2_lag1 + z3_lag1/2"}},
        {"Assumption 8": False}, Gz=[[1, 0, 0], [1, 1, 0], [1, 1, 1]]),
    MechanismExample(
        "ex14-varying", "Example 14 (varying W)", "μ = z^{t-1} + W(z^{t-2}) z^{t-1}",
        {"latents": _Z3,
         "mean": {"z1": "z1_lag1 + z1_lag2*z1_lag1",
                  "z2": "z2_lag1 + z2_lag2**2*z1_lag1 + z2_lag2*z2_lag1",
                  "z3": "z3_lag1 + z3_lag2**3*z1_lag1 + z3_lag2**2*z2_lag1 + z3_lag2*z3_lag1"}},
        {"Assumption 8": True}, Gz=[[1, 0, 0], [1, 1, 0], [1, 1, 1]]),
    MechanismExample(
        "ex15-mean", "Example 15 (δ = 0)", "Interventions that shift means only: k = 1",
        {"latents": _Z3, "actions": _A3, "action_values": _ONE_HOT_3,
         "mean": {"z1": "2*a1", "z2": "-a2", "z3": "3*a3"}},
        {"Assumption 10": True, "Assumption 7": True}, Ga=[[1, 0, 0], [0, 1, 0], [0, 0, 1]]),
    MechanismExample(
        "ex15-variance", "Example 15 (δ ≠ 0)", "Means and variances shift: k = 2, too few points",
        {"latents": _Z3, "actions": _A3, "action_values": _ONE_HOT_3,
         "mean": {"z1": "2*a1", "z2": "-a2", "z3": "3*a3"},
         "variance": {"z1": "1 + a1/2", "z2": "1 + a2", "z3": "1 - a3/2"}},
        {"Assumption 10": False, "Assumption 7": True}, Ga=[[1, 0, 0], [0, 1, 0], [0, 0, 1]]),
    MechanismExample(
        "ex16", "Example 16", "Markovian, no actions: Assumption 8 fails, Assumption 11 holds",
        {"latents": _Z3,
         "mean": {"z1": "z1_lag1 + z1_lag1**2/2",
                  "z2": "z2_lag1 + z1_lag1**3/3 + z2_lag1**2/2",
                  "z3": "z3_lag1 + z1_lag1**4/4 + z2_lag1**3/3 + z3_lag1**2/2"}},
        {"Assumption 8": False, "Assumption 11": True}, Gz=[[1, 0, 0], [1, 1, 0], [1, 1, 1]]),
]


def mechanism_examples() -> list[MechanismExample]:
    """Every worked mechanism, in the paper's order.

    >>> from identkit.symbolic.catalogue import mechanism_examples
    >>> [e.name for e in mechanism_examples()][:3]
    ['ex9', 'ex10', 'ex10-linear']
    """
    return list(_ENTRIES)


def get_mechanism_example(name: str) -> MechanismExample:
    """The worked mechanism called ``name``; ExampleNotFoundError otherwise."""
    for e in _ENTRIES:
        if e.name.lower() == str(name).lower():
            return e
    raise ExampleNotFoundError(
        f"no worked mechanism named {name!r}; known: {', '.join(e.name for e in _ENTRIES)}")
