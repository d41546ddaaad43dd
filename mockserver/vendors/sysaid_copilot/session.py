"""The login middleware: `JSESSIONID` and `SERVERID` cookies plus `x-sysaid-hostname` -> user and organization.

The three credentials are ANDed in the contract, so Connexion calls one checker per scheme. `JSESSIONID` must be a
session of a fixture user; `SERVERID` is only checked for presence (contract A2); `x-sysaid-hostname` must name the
SysAid server of that user's organization (the seed's "organization mapping"). Any failure raises the seed's
UnauthorizedError, which the contract declares as 401 with `{status: "error", error}` (A1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connexion.context import context
from connexion.exceptions import OAuthProblem

from mockserver.runtime import runtime
from mockserver.vendors.sysaid_copilot.model import ORGS, SESSIONS

__all__ = ["SECURITY", "Caller", "caller", "org_by_hostname"]


@dataclass(frozen=True)
class Caller:
    """The authenticated user of the current request."""

    org: str
    username: str
    fullname: str
    is_admin: bool

    def as_token_info(self) -> dict[str, Any]:
        """The caller as Connexion keeps it in the request context."""
        return {"org": self.org, "username": self.username, "fullname": self.fullname, "isAdministrator": self.is_admin}


def _unauthorized(reason: str) -> OAuthProblem:
    return OAuthProblem(detail=f"Unauthorized: {reason}")


def _session(jsessionid: str) -> dict[str, Any]:
    session = runtime().store.get(SESSIONS, jsessionid) if jsessionid else None
    if session is None:
        raise _unauthorized("the JSESSIONID cookie is not a logged-in SysAid session")
    return session


def org_by_hostname(hostname: str) -> dict[str, Any] | None:
    """The organization whose SysAid server has this hostname (case-insensitive, port ignored)."""
    name = hostname.strip().lower().rstrip(".").split(":", 1)[0]
    found = runtime().store.find(ORGS, hostname=name, limit=1) if name else []
    return found[0] if found else None


def check_jsessionid(jsessionid: str, request: Any) -> dict[str, Any]:
    """`JSESSIONID`: authenticates the user."""
    session = _session(jsessionid)
    return {"username": session["username"]}


def check_serverid(serverid: str, request: Any) -> dict[str, Any]:
    """`SERVERID`: the load balancer's cookie from the same login, checked for presence only (A2)."""
    if not serverid.strip():
        raise _unauthorized("the SERVERID cookie is empty")
    return {"serverid": "present"}


def check_hostname(hostname: str, request: Any) -> dict[str, Any]:
    """`x-sysaid-hostname`: maps the authenticated user to an organization."""
    org = org_by_hostname(hostname)
    if org is None:
        raise _unauthorized(f"x-sysaid-hostname {hostname[:100]!r} is not a SysAid server known to the Copilot")
    session = _session(request.cookies.get("JSESSIONID", ""))
    if session["org"] != org["org"]:
        raise _unauthorized(f"the user is not mapped to an organization on {org['hostname']}")
    user = Caller(session["org"], session["username"], session["fullname"], bool(session["isAdministrator"]))
    return user.as_token_info()


SECURITY = {
    "jsessionIdCookie": check_jsessionid,
    "serverIdCookie": check_serverid,
    "sysaidHostnameHeader": check_hostname,
}


def caller() -> Caller:
    """The user the login middleware authenticated for the current request."""
    info: dict[str, Any] = context["token_info"]["sysaidHostnameHeader"]
    return Caller(info["org"], info["username"], info["fullname"], bool(info["isAdministrator"]))
