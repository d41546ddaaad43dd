"""The login middleware: `JSESSIONID` and `SERVERID` cookies plus `x-sysaid-hostname` -> user and organization.

The three credentials are ANDed in the contract, so the pipeline calls one checker per scheme, in the order the
requirement lists them. `JSESSIONID` must be a session of a fixture user (stored under its digest, never in clear);
`SERVERID` is only checked for presence (A2); `x-sysaid-hostname` must name the SysAid server of that user's
organization (the guide's "organization mapping"). Refusals never echo a credential (the hostname header is one of
the contract's security schemes). Any failure is the guide's UnauthorizedError (401, A1), unless the
operation documents another answer for it (`x-refusals`, see `refusals.py`). The hostname checker, which knows the
user, also enforces `x-admin-only`: a non-administrator is refused as forbidden, rendered as the operation's
documented `notAdmin` answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contracts import Operation
from mockserver import problems
from mockserver.pipeline.call import Call, current
from mockserver.runtime import runtime
from mockserver.vendors.sysaid_copilot.model import HOSTNAMES, ORGS, SESSIONS, digest

__all__ = ["NOT_ADMIN", "SECURITY", "Caller", "caller", "may_call", "org_by_hostname"]

NOT_ADMIN = "User is not admin"
"""The guide's own wording for a non-administrator caller."""
HOSTNAME_SCHEME = "sysaidHostnameHeader"
"""The scheme whose checker returns the authenticated caller."""


@dataclass(frozen=True)
class Caller:
    """The authenticated user of the current request."""

    org: str
    username: str
    fullname: str
    is_admin: bool

    def as_principal(self) -> dict[str, Any]:
        """The caller as the pipeline keeps it in `Call.principal`."""
        return {"org": self.org, "username": self.username, "fullname": self.fullname, "isAdministrator": self.is_admin}


async def _session(jsessionid: str) -> dict[str, Any]:
    # Sessions are fixture data (written only by seeding), so the runtime's per-generation cache holds them.
    session: dict[str, Any] | None = await runtime().cached(SESSIONS, digest(jsessionid)) if jsessionid else None
    if session is None:
        raise problems.unauthorized(
            "the JSESSIONID cookie is not a logged-in SysAid session", scheme="jsessionIdCookie"
        )
    return session


async def org_by_hostname(hostname: str) -> dict[str, Any] | None:
    """The organization whose SysAid server has this hostname (case-insensitive, port ignored)."""
    name = hostname.strip().lower().rstrip(".").split(":", 1)[0]
    mapped = await runtime().cached(HOSTNAMES, name) if name else None
    found: dict[str, Any] | None = await runtime().store.get(ORGS, mapped["org"]) if mapped else None
    return found


def may_call(user: Caller, operation: Operation) -> bool:
    """Whether the user may call the operation (`x-admin-only` operations are for administrators)."""
    return user.is_admin or not operation.admin_only


async def check_jsessionid(jsessionid: str, call: Call) -> dict[str, Any]:
    """`JSESSIONID`: authenticates the user."""
    session = await _session(jsessionid)
    return {"username": session["username"]}


async def check_serverid(serverid: str, call: Call) -> dict[str, Any]:
    """`SERVERID`: the load balancer's cookie from the same login, checked for presence only (A2)."""
    if not serverid.strip():
        raise problems.unauthorized("the SERVERID cookie is empty", scheme="serverIdCookie")
    return {"serverid": "present"}


async def check_hostname(hostname: str, call: Call) -> dict[str, Any]:
    """`x-sysaid-hostname`: maps the authenticated user to an organization, then checks `x-admin-only`."""
    org = await org_by_hostname(hostname)
    if org is None:
        raise problems.unauthorized(
            "x-sysaid-hostname is not a SysAid server known to the Copilot", scheme=HOSTNAME_SCHEME
        )
    session = await _session(call.cookies.get("JSESSIONID", ""))
    if session["org"] != org["org"]:
        detail = "the user is not mapped to an organization on the SysAid server x-sysaid-hostname names"
        raise problems.unauthorized(detail, scheme=HOSTNAME_SCHEME)
    user = Caller(session["org"], session["username"], session["fullname"], bool(session["isAdministrator"]))
    if not may_call(user, call.operation):
        raise problems.forbidden(NOT_ADMIN, scheme=HOSTNAME_SCHEME)
    return user.as_principal()


SECURITY = {
    "jsessionIdCookie": check_jsessionid,
    "serverIdCookie": check_serverid,
    HOSTNAME_SCHEME: check_hostname,
}


def caller() -> Caller:
    """The user the login middleware authenticated for the current request."""
    info: dict[str, Any] = current().principal[HOSTNAME_SCHEME]
    return Caller(info["org"], info["username"], info["fullname"], bool(info["isAdministrator"]))
