"""Client credentials per vendor: a YAML file, overridden by `CONTRACT_<SPEC>_<KEY>` environment variables.

The file maps a spec name to its keys, possibly nested (`sysaid-copilot: {admin: {jsessionid: ...}}`).
Nested keys are addressed with dots here (`admin.jsessionid`) and joined with `_` in the environment
(`CONTRACT_SYSAID_COPILOT_ADMIN_JSESSIONID`). Without `--credentials` the default fixture credentials are used,
from the checkout (`fixtures/default/credentials.yaml`) or the installed package data (`contracts.FIXTURES_DIR`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from conformance.errors import CredentialsError, did_you_mean
from contracts import FIXTURES_DIR

__all__ = ["NON_SECRET_KEYS", "Credentials", "VendorCredentials", "default_credentials_file", "env_name"]

ENV_PREFIX = "CONTRACT_"
# Identifiers that appear in URLs and reports; every other value is treated as a secret and masked.
NON_SECRET_KEYS = frozenset({"hostname", "org_id", "user_id", "username", "scope"})


def env_name(spec: str, key: str) -> str:
    """Environment variable that overrides `key` of `spec`."""
    return ENV_PREFIX + f"{spec}_{key}".upper().replace("-", "_").replace(".", "_")


def default_credentials_file() -> Path:
    """The default fixture credentials, from the checkout or the installed package data."""
    default = FIXTURES_DIR / "credentials.yaml"
    if not default.is_file():
        raise CredentialsError(f"No default credentials found ({default}); pass --credentials FILE")
    return default


@dataclass(frozen=True)
class VendorCredentials:
    """Flat, dotted-key view of one vendor's credentials, with where each value came from."""

    spec: str
    values: Mapping[str, str]
    source: str
    origins: Mapping[str, str] = field(default_factory=dict)
    """Where each key's value came from: the file, or `$CONTRACT_...` for an environment override."""

    def origin(self, key: str) -> str:
        """The file or environment variable a key's value came from."""
        return self.origins.get(key, self.source)

    def describe(self, keys: Iterable[str]) -> str:
        """`api_id, api_secret from creds.yaml; token from $CONTRACT_X_TOKEN`: names and sources, never values."""
        by_origin: dict[str, list[str]] = {}
        for key in keys:
            if key in self.values:
                by_origin.setdefault(self.origin(key), []).append(key)
        return "; ".join(f"{', '.join(names)} from {origin}" for origin, names in by_origin.items()) or self.source

    def get(self, key: str) -> str | None:
        """The value of `key`, or None when absent."""
        return self.values.get(key)

    def require(self, key: str) -> str:
        """The value of `key`; a missing key is a configuration error naming both ways to provide it."""
        value = self.values.get(key)
        if value is None or value == "":
            hint = did_you_mean(key, self.values)
            raise CredentialsError(
                f"{self.spec}: credential {key!r} is missing from {self.source} and "
                f"${env_name(self.spec, key)} is not set.{hint}"
            )
        return value

    def secrets(self) -> Iterator[str]:
        """Every value that must never appear in output."""
        for key, value in self.values.items():
            if key.split(".")[-1] not in NON_SECRET_KEYS and value:
                yield value


@dataclass(frozen=True)
class Credentials:
    """Credentials for every vendor in a file, with environment overrides applied."""

    vendors: Mapping[str, VendorCredentials] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        path: Path | None,
        specs: Iterable[str],
        environ: Mapping[str, str] | None = None,
        expected: Mapping[str, Iterable[str]] | None = None,
    ) -> Credentials:
        """Read `path` (default fixtures when None) and apply `CONTRACT_*` overrides for `specs`.

        `expected` lists the dotted keys each vendor profile knows, so an environment variable for a nested
        key the file lacks still lands in the right place.
        """
        environ = os.environ if environ is None else environ
        source = path or default_credentials_file()
        try:
            raw = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise CredentialsError(f"Cannot read credentials file {source}: {exc}") from exc
        if not isinstance(raw, dict):
            raise CredentialsError(f"{source}: expected a mapping of spec name to credentials")
        vendors: dict[str, VendorCredentials] = {}
        for spec in specs:
            section = raw.get(spec, {})
            if not isinstance(section, dict):
                raise CredentialsError(f"{source}: section {spec!r} must be a mapping")
            values = dict(_flatten(section))
            origins = _apply_environment(spec, values, environ, (expected or {}).get(spec, ()))
            vendors[spec] = VendorCredentials(spec=spec, values=values, source=str(source), origins=origins)
        return cls(vendors=vendors)

    def for_spec(self, spec: str) -> VendorCredentials:
        """The credentials of one vendor (empty when the file has no section for it)."""
        return self.vendors.get(spec) or VendorCredentials(spec=spec, values={}, source="<none>")

    def secrets(self) -> Iterator[str]:
        """Every secret value of every vendor."""
        for vendor in self.vendors.values():
            yield from vendor.secrets()


def _flatten(section: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for key, value in section.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _flatten(value, prefix=f"{dotted}.")
        elif value is not None:
            yield dotted, str(value)


def _apply_environment(
    spec: str, values: dict[str, str], environ: Mapping[str, str], expected: Iterable[str]
) -> dict[str, str]:
    """Apply `CONTRACT_*` overrides in place; return `$VARIABLE` per overridden key."""
    known = {env_name(spec, key): key for key in [*expected, *values]}
    prefix = env_name(spec, "")
    origins: dict[str, str] = {}
    for name, value in environ.items():
        if not name.startswith(prefix):
            continue
        key = known.get(name)
        if key is None:
            # A variable for a key the file lacks: nesting is ambiguous, so it is taken as a flat key.
            key = name[len(prefix) :].lower()
        values[key] = value
        origins[key] = f"${name}"
    return origins
