"""Shared pytest configuration: hypothesis profiles and x64 isolation."""
import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", deadline=None, max_examples=20, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture])
settings.register_profile(
    "thorough", deadline=None, max_examples=200,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture])
settings.load_profile(os.environ.get("MINIJAX_HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def _restore_x64():
    """Every test starts and ends with 64-bit mode off (in minijax and JAX)."""
    import jax
    import minijax
    yield
    minijax.config.update("jax_enable_x64", False)
    jax.config.update("jax_enable_x64", False)
