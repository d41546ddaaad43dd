"""The public surfaces are deliberate: these names, and nothing else, are exported."""

from __future__ import annotations

import conformance
import conformance.diff
import mockserver


def test_mockserver_exports() -> None:
    assert set(mockserver.__all__) == {
        "FIXTURES_DIR",
        "SPECS_DIR",
        "SPEC_NAMES",
        "ConfigurationError",
        "Contract",
        "FixtureError",
        "MockServerError",
        "Operation",
        "Settings",
        "create_app",
        "load_contract",
    }
    assert all(hasattr(mockserver, name) for name in mockserver.__all__)


def test_conformance_exports() -> None:
    assert all(hasattr(conformance, name) for name in conformance.__all__)
    assert {"Campaign", "RunSettings", "RunResult", "ConformanceError", "Phase"} <= set(conformance.__all__)


def test_diff_exports() -> None:
    assert all(hasattr(conformance.diff, name) for name in conformance.diff.__all__)
