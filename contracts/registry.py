"""The one registry of vendor APIs: each entry names a contract and the modules that implement it.

Adding a vendor API is one entry here plus its own files: `specs/<name>.yaml` (the contract),
`fixtures/default/<name>.yaml` (the mock's seed data), the mock's behaviour module and the harness' profile module.
Everything else (mounting, seeding, auth profiles, checks, rate limits) is found through this table.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from contracts.documents import read_document
from contracts.errors import ContractNotFound
from contracts.model import Contract

__all__ = [
    "FIXTURES_DIR",
    "REGISTRY",
    "SPECS_DIR",
    "Registration",
    "contract_names",
    "load_contract",
    "load_contract_file",
    "registration",
]

_PACKAGE = Path(__file__).resolve().parent


def _locate(relative: str) -> Path:
    """The repository copy when running from a checkout, else the copy packaged in the wheel."""
    checkout = _PACKAGE.parent / relative
    return checkout if checkout.is_dir() else _PACKAGE / "_data" / relative


SPECS_DIR = _locate("specs")
"""Where the contracts are: `<checkout>/specs`, or `contracts/_data/specs` in an installed wheel."""
FIXTURES_DIR = _locate("fixtures/default")
"""The mock's default fixtures folder."""


@dataclass(frozen=True)
class Registration:
    """One vendor API: its name (the contract's file stem and the mock's mount point) and its modules."""

    name: str
    mock: str
    """Module holding the mock's behaviour (handlers by operationId, security checkers, fixtures, envelope)."""
    harness: str
    """Module holding the harness' profile (auth, workflows, envelope checks, live rate limit)."""

    @property
    def contract_file(self) -> Path:
        """`specs/<name>.yaml`."""
        return SPECS_DIR / f"{self.name}.yaml"

    def fixture_file(self, folder: Path = FIXTURES_DIR) -> Path:
        """`<folder>/<name>.yaml`."""
        return folder / f"{self.name}.yaml"


REGISTRY: tuple[Registration, ...] = (
    Registration("aisera-ingestion", "mockserver.vendors.aisera_ingestion", "conformance.vendors.aisera_ingestion"),
    Registration(
        "aisera-conversation", "mockserver.vendors.aisera_conversation", "conformance.vendors.aisera_conversation"
    ),
    Registration("sysaid-copilot", "mockserver.vendors.sysaid_copilot", "conformance.vendors.sysaid_copilot"),
    Registration(
        "asapp-metadata-ingestion",
        "mockserver.vendors.asapp_metadata_ingestion",
        "conformance.vendors.asapp_metadata_ingestion",
    ),
    Registration("alvaria-messaging", "mockserver.vendors.alvaria_messaging", "conformance.vendors.alvaria_messaging"),
)


def contract_names() -> tuple[str, ...]:
    """Every registered contract, in registry order."""
    return tuple(entry.name for entry in REGISTRY)


def registration(name: str) -> Registration:
    """The registration of a contract name (ContractNotFound lists the known ones)."""
    for entry in REGISTRY:
        if entry.name == name:
            return entry
    raise ContractNotFound(name, contract_names())


@functools.cache
def load_contract(name: str) -> Contract:
    """A registered contract, loaded once per process (shared: never modify it)."""
    entry = registration(name)
    return Contract.from_document(name, read_document(entry.contract_file), entry.contract_file)


def load_contract_file(path: Path, name: str | None = None) -> Contract:
    """Any contract file (a team's own spec, the admin API's), named after its stem unless `name` is given."""
    return Contract.from_document(name or path.stem, read_document(path), path)
