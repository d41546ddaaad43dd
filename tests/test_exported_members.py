"""The public surfaces are deliberate: these names, and nothing else, are exported."""

from __future__ import annotations

import conformance
import conformance.diff
import contracts
import mockserver
import mockserver.pipeline
import mockserver.store


def test_mockserver_exports() -> None:
    assert set(mockserver.__all__) == {
        "AdminClient",
        "AdminError",
        "VerificationFailed",
        "SettingsError",
        "FixtureError",
        "MockServerError",
        "Settings",
        "create_app",
        "load_settings",
    }
    assert all(hasattr(mockserver, name) for name in mockserver.__all__)


def test_contracts_exports() -> None:
    assert {"Contract", "Operation", "REGISTRY", "load_contract", "resolve", "inline", "ContractError"} <= set(
        contracts.__all__
    )
    assert all(hasattr(contracts, name) for name in contracts.__all__)


def test_the_vendor_facing_surfaces_are_deliberate() -> None:
    assert set(mockserver.pipeline.__all__) == {"Call", "Direction", "SchemaValidator", "current", "to_json_schema"}
    assert {"Store", "SqliteStore", "StoreError", "StoreRefused", "StoreBusy", "open_store"} <= set(
        mockserver.store.__all__
    )
    for package in (mockserver.pipeline, mockserver.store):
        assert all(hasattr(package, name) for name in package.__all__)


def test_conformance_exports() -> None:
    assert all(hasattr(conformance, name) for name in conformance.__all__)
    assert {"Campaign", "RunSettings", "RunResult", "ConformanceError", "Phase"} <= set(conformance.__all__)


def test_diff_exports() -> None:
    assert all(hasattr(conformance.diff, name) for name in conformance.diff.__all__)
