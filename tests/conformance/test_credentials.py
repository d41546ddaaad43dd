"""Credentials: the fixed YAML format, environment overrides, defaults from the checkout or installed data."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance import credentials as credentials_module
from conformance.credentials import Credentials, default_credentials_file, env_name
from conformance.errors import CredentialsError
from contracts import FIXTURES_DIR

SPECS = ("sysaid-copilot", "alvaria-messaging", "aisera-ingestion")


def test_default_file_is_the_fixture_credentials():
    path = default_credentials_file()
    assert path.parts[-3:] == ("fixtures", "default", "credentials.yaml")
    creds = Credentials.load(None, SPECS, environ={})
    assert creds.for_spec("sysaid-copilot").require("admin.jsessionid") == "A1B2C3D4E5F60718293A4B5C6D7E8F90"
    assert creds.for_spec("alvaria-messaging").require("scope") == "messagingapi streamingapi"


def test_env_name_joins_nested_keys_with_underscores():
    assert env_name("sysaid-copilot", "admin.jsessionid") == "CONTRACT_SYSAID_COPILOT_ADMIN_JSESSIONID"
    assert env_name("alvaria-messaging", "client_secret") == "CONTRACT_ALVARIA_MESSAGING_CLIENT_SECRET"


def test_environment_overrides_a_nested_value_from_the_file():
    environ = {"CONTRACT_SYSAID_COPILOT_ADMIN_JSESSIONID": "FROM-ENV-123456"}
    creds = Credentials.load(None, SPECS, environ=environ)
    assert creds.for_spec("sysaid-copilot").require("admin.jsessionid") == "FROM-ENV-123456"
    assert creds.for_spec("sysaid-copilot").require("user.jsessionid") == "0F1E2D3C4B5A69788796A5B4C3D2E1F0"


def test_environment_supplies_a_nested_key_the_file_lacks(tmp_path: Path):
    file = tmp_path / "creds.yaml"
    file.write_text("sysaid-copilot:\n  hostname: h.example\n  admin: {jsessionid: AAAAAAAA, serverid: s1}\n")
    environ = {"CONTRACT_SYSAID_COPILOT_USER_JSESSIONID": "USERSESSION1"}
    creds = Credentials.load(
        file, ["sysaid-copilot"], environ=environ, expected={"sysaid-copilot": ["user.jsessionid"]}
    )
    assert creds.for_spec("sysaid-copilot").get("user.jsessionid") == "USERSESSION1"


def test_missing_key_names_the_file_and_the_variable(tmp_path: Path):
    file = tmp_path / "creds.yaml"
    file.write_text("asapp-metadata-ingestion:\n  api_id: some-id\n")
    vendor = Credentials.load(file, ["asapp-metadata-ingestion"], environ={}).for_spec("asapp-metadata-ingestion")
    with pytest.raises(CredentialsError) as excinfo:
        vendor.require("api_secret")
    message = str(excinfo.value)
    assert str(file) in message
    assert "$CONTRACT_ASAPP_METADATA_INGESTION_API_SECRET" in message


def test_secrets_exclude_identifiers_that_appear_in_urls():
    creds = Credentials.load(None, ["alvaria-messaging", "sysaid-copilot"], environ={})
    secrets = set(creds.secrets())
    assert "alv-client-demo-secret" in secrets
    assert "A1B2C3D4E5F60718293A4B5C6D7E8F90" in secrets
    assert "acme" not in secrets
    assert "acme.sysaidit.com" not in secrets


@pytest.mark.parametrize("content", ["- just\n- a list\n", "sysaid-copilot: [1, 2]\n", "a: [unclosed\n"])
def test_malformed_files_are_configuration_errors(tmp_path: Path, content: str):
    file = tmp_path / "creds.yaml"
    file.write_text(content)
    with pytest.raises(CredentialsError):
        Credentials.load(file, ["sysaid-copilot"], environ={})


def test_the_default_credentials_are_the_registry_fixtures(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Where the fixtures are (checkout or installed package) is the contracts registry's knowledge."""
    assert default_credentials_file() == FIXTURES_DIR / "credentials.yaml"
    monkeypatch.setattr(credentials_module, "FIXTURES_DIR", tmp_path)
    with pytest.raises(CredentialsError, match="No default credentials found"):
        default_credentials_file()
