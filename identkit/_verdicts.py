"""What the numeric and symbolic assumption reports share: combining per-graph verdicts."""

from __future__ import annotations


class RegularizedVerdicts:
    """Mixin for reports with per-action checks in ``actions`` (each with ``.holds``) and a
    ``holds_z`` property: combine them per regularized graph."""

    actions: tuple
    holds_z: bool | None

    @property
    def holds_a(self) -> bool | None:
        """Sufficient influence of a: every action's check holds (None without actions)."""
        if not self.actions:
            return None
        return all(c.holds for c in self.actions)

    def holds_for(self, regularize: str) -> bool:
        """Whether the sufficient-influence assumptions of the regularized graphs hold."""
        ok = True
        if "a" in regularize and self.holds_a is not None:
            ok &= bool(self.holds_a)
        if "z" in regularize and self.holds_z is not None:
            ok &= bool(self.holds_z)
        return bool(ok)
