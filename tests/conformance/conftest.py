"""Fixtures for harness tests: the toy API registered as a contract named `toy`, with its own auth profile."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
import yaml
from toy_api import API_KEY, CONTRACT

from conformance import auth, contracts
from conformance.auth.base import AuthProfile


class ToyProfile(AuthProfile):
    """The toy API's single API key."""

    spec: ClassVar[str] = "toy"
    expected_keys: ClassVar[tuple[str, ...]] = ("api_key",)

    def scheme_value(self, scheme: str) -> str | None:
        return self.credentials.require("api_key") if scheme == "toyKey" else None


@pytest.fixture
def toy_contract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make `toy` an available contract (beside the real ones) with credentials in a file; return that file."""
    spec_file = tmp_path / "toy.yaml"
    spec_file.write_text(yaml.safe_dump(CONTRACT, sort_keys=False))
    real = contracts.available_specs()
    monkeypatch.setattr(contracts, "available_specs", lambda: {**real, "toy": spec_file})
    monkeypatch.setitem(auth.PROFILES, "toy", ToyProfile)
    credentials = tmp_path / "credentials.yaml"
    credentials.write_text(yaml.safe_dump({"toy": {"api_key": API_KEY}}))
    return credentials
