"""Exceptions raised by the conformance harness.

Every exception the harness raises on purpose derives from one root, so callers can catch them all::

    ConformanceError(Exception)
    ├── ConfigurationError(ConformanceError, ValueError)    bad option, file or environment: exit code 2
    │   ├── UnknownSpecError(ConfigurationError, LookupError)   a contract name that does not exist
    │   ├── CredentialsError(ConfigurationError)                 unreadable or incomplete credentials file
    │   ├── BaselineError(ConfigurationError)                    unreadable or malformed baseline file
    │   └── PreflightError(ConfigurationError)                   the target is unreachable or refuses the credentials
    └── AuthenticationError(ConformanceError, RuntimeError)  a vendor profile could not obtain credentials
        └── CredentialEndpointBroken(AuthenticationError)        the target's token or session endpoint broke its
                                                                 contract: reported as a `token_endpoint` finding

Conformance *violations* are not exceptions: they are findings collected into a run result. The one exception
that carries a violation, `CredentialEndpointBroken`, is turned into a finding where it is caught.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "AuthenticationError",
    "BaselineError",
    "ConfigurationError",
    "ConformanceError",
    "CredentialEndpointBroken",
    "CredentialsError",
    "PreflightError",
    "UnknownSpecError",
    "did_you_mean",
]


class ConformanceError(Exception):
    """Root of every error the harness raises on purpose."""


class ConfigurationError(ConformanceError, ValueError):
    """A bad option, file or environment value; the run cannot start (exit code 2)."""


class UnknownSpecError(ConfigurationError, LookupError):
    """A contract name that is not one of the available contracts."""

    def __init__(self, name: str, available: Iterable[str]) -> None:
        choices = sorted(available)
        self.name = name
        self.available = choices
        super().__init__(f"Unknown spec {name!r}.{did_you_mean(name, choices)} Valid choices: {', '.join(choices)}")


class CredentialsError(ConfigurationError):
    """The credentials file is unreadable, malformed or lacks a key a profile needs."""


class BaselineError(ConfigurationError):
    """The baseline file is unreadable or malformed."""


class PreflightError(ConfigurationError):
    """Before the campaign: the target does not answer, or refuses the configured credentials (exit code 2)."""


class AuthenticationError(ConformanceError, RuntimeError):
    """A vendor auth profile could not obtain credentials from the system under test."""


class CredentialEndpointBroken(AuthenticationError):
    """The endpoint that issues a credential (OAuth2 token, streaming session) answered against its contract."""

    def __init__(
        self,
        *,
        operation: str,
        operation_id: str,
        credential: str,
        title: str,
        received: str,
        documented: str,
        curl: str,
    ) -> None:
        super().__init__(f"{operation} [{operation_id}]: {title}. Received {received}; documented {documented}")
        self.credential = credential
        self.operation = operation
        self.operation_id = operation_id
        self.title = title
        self.received = received
        self.documented = documented
        self.curl = curl


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """Return a ' Did you mean ...?' hint for the closest choice, or an empty string."""
    matches = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.5)
    return f" Did you mean {matches[0]!r}?" if matches else ""
