"""What a theorem check returns: how hard it tried, by which routes, or the counterexample."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

__all__ = ["Evidence", "Trial"]

WHOLE = "statement"


@dataclass(frozen=True)
class Evidence:
    """The result of trying to refute one statement.

    A statement is split into parts (the two directions of an "iff", the two halves of a
    theorem); every part must be tested on at least one instance. ``holds`` is True only when
    every part was tested and no counterexample was found: a part with no instance leaves the
    statement ``undecided``, never "holds".

    Attributes
    ----------
    name, reference, statement : str
    holds : bool
        True when every part was tested and none was refuted.
    instances : int
        How many instances were checked, over all parts.
    routes : tuple of str
        The independent routes compared (e.g. "definition (Def 11) vs closed form").
    largest : str
        The largest sizes reached.
    counterexample : str or None
    seconds : float
    parts : tuple of (str, int)
        Each part of the statement with the number of instances that tested it.
    status : str
        ``"holds"``, ``"refuted"`` (a counterexample was found) or ``"undecided"`` (some part
        was never tested).
    failed_part : str or None
        The part the counterexample refutes.

    Examples
    --------
    >>> from identkit import theorems
    >>> ev = theorems.criterion_iff_identity.check(quick=True)
    >>> ev.status, [name for name, _ in ev.parts]
    ('holds', ['criterion ⇒ C = I', 'C = I ⇒ criterion'])
    >>> print(str(ev).splitlines()[0])
    criterion_iff_identity (Proposition 7 (Assumption 5)): holds, 874 instances
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
    parts: tuple = ()
    status: str = "holds"
    failed_part: str | None = None

    def __str__(self) -> str:
        lines = [f"{self.name} ({self.reference}): {self.status}, {self.instances} instances"]
        for part, n in self.parts:
            lines.append(f"  {n} {part}" + ("  (never tested: undecided)" if n == 0 else ""))
        if self.counterexample:
            lines.append(f"  counterexample ({self.failed_part}): {self.counterexample}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"name": self.name, "reference": self.reference, "statement": self.statement,
                "holds": self.holds, "status": self.status, "instances": self.instances,
                "parts": {name: n for name, n in self.parts}, "failed_part": self.failed_part,
                "routes": list(self.routes), "largest": self.largest,
                "counterexample": self.counterexample, "seconds": round(self.seconds, 3)}


@dataclass
class Trial:
    """Accumulates instances per part and keeps the first counterexample.

    ``parts`` names the parts of the statement up front, so a part that no instance reached is
    reported (as ``undecided``) instead of silently passing.
    """

    name: str
    reference: str
    statement: str
    routes: tuple
    parts: tuple = (WHOLE,)
    instances: int = 0
    largest: str = ""
    counterexample: str | None = None
    failed_part: str | None = None
    counts: dict = field(default_factory=dict)
    start: float = field(default_factory=time.perf_counter)

    def __post_init__(self):
        self.counts = {p: 0 for p in self.parts}

    def record(self, ok: bool, describe, part: str | None = None) -> bool:
        """Count one instance of ``part`` (the only part when None); on failure keep
        ``describe()`` as the counterexample.

        Raises
        ------
        KeyError
            For a part that was not declared (a bug in the check itself).
        """
        part = self.parts[0] if part is None and len(self.parts) == 1 else part
        if part not in self.counts:
            raise KeyError(f"{self.name}: undeclared part {part!r}")
        self.instances += 1
        self.counts[part] += 1
        if not ok and self.counterexample is None:
            self.counterexample = describe()
            self.failed_part = part
        return ok

    def fail(self, part: str, message: str) -> None:
        """Record a counterexample that is not an instance (e.g. a routine that raised)."""
        if self.counterexample is None:
            self.counterexample = message
            self.failed_part = part

    @property
    def failed(self) -> bool:
        return self.counterexample is not None

    def done(self) -> Evidence:
        untested = [p for p, n in self.counts.items() if n == 0]
        if self.failed:
            status = "refuted"
        elif untested:
            status = "undecided"
        else:
            status = "holds"
        return Evidence(self.name, self.reference, self.statement, status == "holds",
                        self.instances, self.routes, self.largest, self.counterexample,
                        time.perf_counter() - self.start, tuple(self.counts.items()), status,
                        self.failed_part)
