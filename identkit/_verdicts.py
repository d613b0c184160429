"""What the numeric and symbolic assumption reports share: per-graph verdicts combined by the
theorem logic of :mod:`identkit.guarantees`."""

from __future__ import annotations

from . import guarantees as gt


class RegularizedVerdicts:
    """Mixin for reports with per-action checks in ``actions`` (each with ``.holds``: True,
    False, or None for undecided) and a :meth:`temporal_routes` method giving Theorem 3's and
    Theorem 5's routes (empty without a temporal graph)."""

    actions: tuple

    def temporal_routes(self) -> tuple:  # pragma: no cover - overridden
        return ()

    def action_route(self):
        """Theorem 1 or 2 (None without an action check)."""
        if not self.actions:
            return None
        discrete = any(c.assumption == "Assumption 7" for c in self.actions)
        return gt.action_route([(c.target, c.holds) for c in self.actions], discrete)

    def routes(self) -> tuple:
        """Every theorem route that applies, for :func:`identkit.guarantees.justify`."""
        a = self.action_route()
        return ((a,) if a is not None else ()) + tuple(self.temporal_routes())

    @property
    def state_a(self) -> str | None:
        """``holds``/``fails``/``undecided`` for the action graph (None without actions)."""
        a = self.action_route()
        return None if a is None else a.state

    @property
    def state_z(self) -> str | None:
        """Theorem 3 *or* Theorem 5, three-valued (None without a temporal graph)."""
        routes = self.temporal_routes()
        return gt.any_of(r.state for r in routes) if routes else None

    @property
    def holds_a(self) -> bool | None:
        """Sufficient influence of a: every action's check holds (None without actions;
        False when one fails or is undecided)."""
        s = self.state_a
        return None if s is None else s == gt.HOLDS

    @property
    def holds_z(self) -> bool | None:
        """Theorem 3's or Theorem 5's hypotheses hold (None without a temporal graph)."""
        s = self.state_z
        return None if s is None else s == gt.HOLDS

    def holds_for(self, regularize: str) -> bool:
        """Whether the sufficient-influence assumptions of every regularized graph hold."""
        ok = True
        if "a" in regularize and self.holds_a is not None:
            ok &= bool(self.holds_a)
        if "z" in regularize and self.holds_z is not None:
            ok &= bool(self.holds_z)
        return bool(ok)
