"""Test-suite settings: hypothesis runs without per-example deadlines (CI machines vary in speed)
and derandomized, so every run of the suite draws the same examples."""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "identkit", deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("identkit")
