"""SysAid Copilot: the `JSESSIONID`/`SERVERID` cookies of a SysAid login plus `x-sysaid-hostname`, for an
administrator and, when configured, an ordinary user of the same organization."""

from __future__ import annotations

from typing import ClassVar

from conformance.auth.base import AuthProfile
from conformance.contracts import OperationInfo

__all__ = ["SysaidProfile", "is_admin_only"]

ADMIN, USER = "admin", "user"


def is_admin_only(operation: OperationInfo) -> bool:
    """Whether the contract marks `operation` as administrator-only (`x-admin-only: true`)."""
    return operation.admin_only


class SysaidProfile(AuthProfile):
    """Cookies and hostname of one identity (`admin` by default, `user` for the non-admin checks)."""

    spec: ClassVar[str] = "sysaid-copilot"
    expected_keys: ClassVar[tuple[str, ...]] = (
        "hostname",
        "admin.jsessionid",
        "admin.serverid",
        "user.jsessionid",
        "user.serverid",
    )
    identities: ClassVar[tuple[str, ...]] = (ADMIN, USER)
    # The contract describes SERVERID as a load-balancer stickiness cookie: required, but not a secret that
    # the server checks, so only its absence is probed.
    presence_only: ClassVar[frozenset[str]] = frozenset({"SERVERID"})

    def scheme_value(self, scheme: str) -> str | None:
        """Cookie values of the current identity, or the hostname header."""
        name = str(self.contract.security_schemes.get(scheme, {}).get("name", "")).lower()
        if name == "x-sysaid-hostname":
            return self.credentials.require("hostname")
        if name in ("jsessionid", "serverid"):
            return self.credentials.require(f"{self.identity}.{name}")
        return None

    def has_identity(self, identity: str) -> bool:
        """Whether credentials for `identity` are configured."""
        return self.credentials.get(f"{identity}.jsessionid") is not None

    def binding(self, operation: OperationInfo, location: str, name: str) -> str | None:
        """No parameter carries the client's identity on this API."""
        return None
