"""What the numeric and symbolic assumption reports share: combining per-graph verdicts."""

from __future__ import annotations


class RegularizedVerdicts:
    """Mixin: given ``holds_a`` and ``holds_z`` (True, False or None when the graph is absent),
    say whether the assumptions of the regularized graphs hold."""

    holds_a: bool | None
    holds_z: bool | None

    def holds_for(self, regularize: str) -> bool:
        """Whether the sufficient-influence assumptions of the regularized graphs hold."""
        ok = True
        if "a" in regularize and self.holds_a is not None:
            ok &= bool(self.holds_a)
        if "z" in regularize and self.holds_z is not None:
            ok &= bool(self.holds_z)
        return bool(ok)
