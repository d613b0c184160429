"""Symbolic backend: written mechanisms to exact graphs and exact assumption verdicts (sympy).

Expressions are parsed through a whitelist (:func:`parse_expression`), never evaluated as code.
A :class:`SymbolicMechanism` is a :class:`identkit.protocols.Mechanism`: ``derive_graph``,
``check_assumptions`` and ``check`` (each with a keyword-only ``seed``, default 0) answer as
the numeric backend's mechanisms do, exactly.
"""

from .assumptions import AssumptionReport, Verdict, check_assumptions
from .check import MechanismCheck, check_mechanism
from .mechanism import (
    MECHANISM_KEYS,
    DerivedGraph,
    SymbolicMap,
    SymbolicMechanism,
    is_mechanism_dict,
    load_mechanism,
    mechanism_from_dict,
    mechanism_schema,
    worked_mechanism,
)
from .parser import FUNCTIONS, parse_expression

__all__ = [
    "parse_expression", "FUNCTIONS",
    "SymbolicMechanism", "DerivedGraph", "SymbolicMap", "mechanism_from_dict", "load_mechanism", "worked_mechanism",
    "is_mechanism_dict", "MECHANISM_KEYS", "mechanism_schema",
    "check_assumptions", "AssumptionReport", "Verdict",
    "check_mechanism", "MechanismCheck",
]
