"""Fixtures for harness tests: the toy API registered as a contract named `toy`, with its harness profile."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from toy_api import API_KEY, CONTRACT

import contracts
from conformance.vendors import profile_for
from contracts import registry


@dataclass(frozen=True)
class FileRegistration(contracts.Registration):
    """A registration whose contract is a file of its own (the registry reads `specs/<name>.yaml`)."""

    file: Path = Path()

    @property
    def contract_file(self) -> Path:
        return self.file


@pytest.fixture
def toy_contract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Register `toy` beside the real contracts, its profile module `toy_api`, with credentials in a file; yield
    that file."""
    spec_file = tmp_path / "toy.yaml"
    spec_file.write_text(yaml.safe_dump(CONTRACT, sort_keys=False))
    toy = FileRegistration("toy", mock="", harness="toy_api", file=spec_file)
    monkeypatch.setattr(registry, "REGISTRY", (*registry.REGISTRY, toy))
    credentials = tmp_path / "credentials.yaml"
    credentials.write_text(yaml.safe_dump({"toy": {"api_key": API_KEY}}))
    # Both caches are per name: a toy contract (or its absence) must not outlive this test.
    contracts.load_contract.cache_clear()
    profile_for.cache_clear()
    yield credentials
    contracts.load_contract.cache_clear()
    profile_for.cache_clear()
