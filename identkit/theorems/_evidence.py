"""What a theorem check returns: how hard it tried, by which routes, or the counterexample."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

__all__ = ["Evidence", "Trial"]


@dataclass(frozen=True)
class Evidence:
    """The result of trying to refute one statement.

    Attributes
    ----------
    name, reference, statement : str
    holds : bool
        False when a counterexample was found.
    instances : int
        How many instances were checked.
    routes : tuple of str
        The independent routes compared (e.g. "definition (Def 11) vs closed form").
    largest : str
        The largest sizes reached.
    counterexample : str or None
    seconds : float
    """

    name: str
    reference: str
    statement: str
    holds: bool
    instances: int
    routes: tuple
    largest: str
    counterexample: str | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {"name": self.name, "reference": self.reference, "statement": self.statement,
                "holds": self.holds, "instances": self.instances, "routes": list(self.routes),
                "largest": self.largest, "counterexample": self.counterexample,
                "seconds": round(self.seconds, 3)}


@dataclass
class Trial:
    """Accumulates instances and stops at the first counterexample."""

    name: str
    reference: str
    statement: str
    routes: tuple
    instances: int = 0
    largest: str = ""
    counterexample: str | None = None
    start: float = field(default_factory=time.perf_counter)

    def record(self, ok: bool, describe) -> bool:
        """Count one instance; on failure keep ``describe()`` as the counterexample."""
        self.instances += 1
        if not ok and self.counterexample is None:
            self.counterexample = describe()
        return ok

    @property
    def failed(self) -> bool:
        return self.counterexample is not None

    def done(self) -> Evidence:
        return Evidence(self.name, self.reference, self.statement, not self.failed,
                        self.instances, self.routes, self.largest, self.counterexample,
                        time.perf_counter() - self.start)
