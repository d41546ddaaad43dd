"""Vendor profiles are found through the registry (one `Registration` per vendor), and what the harness reads about
a contract beyond the model (names, credential names, parameter schemas) comes from the contract itself."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import contracts
from conformance.contracts import credential_names, load_contract, parameter_schema, resolve_spec_names
from conformance.errors import ConfigurationError, UnknownSpecError
from conformance.vendors import VendorProfile, expected_keys, profile_for, profiles
from contracts import Registration, contract_names, registry


def test_every_registered_contract_has_its_harness_profile():
    assert list(profiles()) == list(contract_names())
    assert all(isinstance(profile, VendorProfile) for profile in profiles().values())
    assert expected_keys(["asapp-metadata-ingestion", "not-registered"]) == {
        "asapp-metadata-ingestion": ("api_id", "api_secret")
    }


def test_a_contract_no_registration_knows_has_no_profile():
    assert profile_for("not-registered") is None


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], str]]:
    """Register a contract named after its harness module (the toy's contract file); the caches are cleared."""

    def register(module: str) -> str:
        name = f"broken-{module.rsplit('.', 1)[-1]}"
        monkeypatch.setattr(registry, "REGISTRY", (*registry.REGISTRY, Registration(name, mock="", harness=module)))
        profile_for.cache_clear()
        return name

    yield register
    profile_for.cache_clear()


def test_a_registration_naming_a_missing_module_fails_loudly(registered: Callable[[str], str]):
    name = registered("conformance.vendors.no_such_vendor")
    with pytest.raises(
        ConfigurationError, match=rf"{name}: harness profile module conformance\.vendors\.no_such_vendor"
    ):
        profile_for(name)


def test_a_module_without_a_profile_fails_loudly(registered: Callable[[str], str], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "vendor_without_profile", types.ModuleType("vendor_without_profile"))
    name = registered("vendor_without_profile")
    with pytest.raises(ConfigurationError, match="vendor_without_profile exports no PROFILE"):
        profile_for(name)


def test_spec_names_expand_all_and_name_the_valid_choices():
    assert resolve_spec_names(("all",)) == contract_names()
    assert resolve_spec_names(("sysaid-copilot", "all", "sysaid-copilot"))[0] == "sysaid-copilot"
    with pytest.raises(UnknownSpecError, match="sysaid-copilot"):
        resolve_spec_names(("sysaid-copliot",))
    with pytest.raises(ConfigurationError, match="--spec is required"):
        resolve_spec_names(())
    assert load_contract("asapp-metadata-ingestion") is contracts.load_contract("asapp-metadata-ingestion")


def test_credential_names_are_the_contracts_own():
    """The names Schemathesis masks: security scheme parameters and `x-credential` parameters and fields."""
    assert credential_names(load_contract("aisera-ingestion")) >= {
        "x-app-token",
        "access_token",
        "client_id",
        "password",
    }
    assert credential_names(load_contract("sysaid-copilot")) >= {"jsessionid", "serverid", "x-sysaid-hostname", "sid"}
    assert credential_names(load_contract("alvaria-messaging")) >= {"x-api-key", "via-client-sessionid", "sessionid"}
    assert credential_names(load_contract("asapp-metadata-ingestion")) == {"asapp-api-id", "asapp-api-secret"}
    assert "token" in credential_names(load_contract("aisera-conversation"))


def test_parameter_schemas_come_resolved_from_parameters_and_body_properties():
    sysaid = load_contract("sysaid-copilot")
    query = sysaid.operation("queryDatasetRecords")
    assert query is not None
    assert parameter_schema(sysaid, query, "body", "limit") == {
        "type": "integer",
        "minimum": 1,
        "maximum": 1000,
        "default": 100,
    }
    assert parameter_schema(sysaid, query, "path", "datasetId") is not None
    assert parameter_schema(sysaid, query, "body", "nowhere") is None
    assert parameter_schema(sysaid, query, "query", "nowhere") is None


def test_the_toy_vendor_is_its_files_plus_one_registration(toy_contract: Path):
    """`tests/conformance/toy_api.py` holds the toy's API, contract and PROFILE; `conftest.py` registers it."""
    toy = profile_for("toy")
    assert toy is not None and toy.credential_keys == ("api_key",)
    assert "toy" in resolve_spec_names(("all",))
