"""Shared pytest configuration: hypothesis profiles, x64 isolation, the
options of the program fuzzer and the conformance sweep, and the one-line
summary of what those two covered."""
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


def pytest_addoption(parser):
    """Options of the program fuzzer (tests/test_fuzz.py)."""
    group = parser.getgroup("fuzz", "program fuzzer (tests/test_fuzz.py)")
    group.addoption("--fuzz-long", action="store_true",
                    help="run many thousand fuzz programs instead of the default few hundred")
    group.addoption("--fuzz-seed", type=int, default=None, metavar="N",
                    help="run only fuzz program N, under every transformation it allows")
    group.addoption("--fuzz-count", type=int, default=None, metavar="N",
                    help="run fuzz programs 0..N-1 (overrides the default count)")
    parser.addoption("--conformance-full", action="store_true", default=False,
                     help="tests/test_conformance.py: run every dtype and shape group of "
                          "every entry (default: a seeded sample)")


# ---------------------------------------------------------------------------
# The summary line: what the conformance sweep (tests/test_conformance.py) and
# the program fuzzer (tests/test_fuzz.py) covered, and how often minijax
# disagreed with JAX there. Each of their tests records, as user properties,
# the primitives it bound and the function or program it checked; the reports
# carry them from the xdist workers to the process that prints the line.

SWEEP_FILES = ("test_conformance.py", "test_fuzz.py")


def _in_sweep(nodeid):
    return nodeid.split("::")[0].rsplit("/", 1)[-1] in SWEEP_FILES


@pytest.fixture(autouse=True)
def _record_coverage(request):
    """In the sweep and the fuzzer: note the primitives each test binds."""
    if not _in_sweep(request.node.nodeid):
        yield
        return
    from minijax import core
    seen, bind = set(), core.Primitive.bind

    def recording_bind(self, *args, **params):
        seen.add(self.name)
        return bind(self, *args, **params)
    core.Primitive.bind = recording_bind
    try:
        yield
    finally:
        core.Primitive.bind = bind
        entry = getattr(getattr(request.node, "callspec", None), "params", {}).get("entry")
        if entry is not None:
            request.node.user_properties.append(("function", f"{entry.module}.{entry.name}"))
        request.node.user_properties.append(("primitives", sorted(seen)))


class _Coverage:
    """Tallies the sweep's and the fuzzer's test reports."""

    def __init__(self):
        self.functions, self.primitives = set(), set()
        self.programs = self.checks = self.disagreements = 0

    def add(self, report):
        if not _in_sweep(report.nodeid):
            return
        if report.failed:
            self.disagreements += 1
        if report.when != "teardown":    # which has every property of the test
            return
        properties = dict(report.user_properties)
        self.primitives.update(properties.get("primitives", ()))
        if "function" in properties:
            self.functions.add(properties["function"])
        if "fuzz_checks" in properties:
            self.programs += 1
            self.checks += properties["fuzz_checks"]

    def line(self):
        from minijax.core import all_primitives
        return (f"minijax vs JAX: {len(self.functions)} public functions swept, "
                f"{len(self.primitives)} of {len(all_primitives)} primitives bound, "
                f"{self.programs} fuzz programs ({self.checks} transformation checks), "
                f"{self.disagreements} disagreements")


_COVERAGE = _Coverage()


def pytest_runtest_logreport(report):
    _COVERAGE.add(report)


def pytest_terminal_summary(terminalreporter, config):
    if hasattr(config, "workerinput"):        # an xdist worker: the controller prints
        return
    if _COVERAGE.functions or _COVERAGE.programs:
        terminalreporter.write_line(_COVERAGE.line())
