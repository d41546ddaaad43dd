"""Login and organization configuration: `POST /api/login`, `POST /api/org`, and the unprotected service endpoints."""

from __future__ import annotations

from typing import Any

from mockserver.runtime import runtime
from mockserver.vendors.sysaid_copilot.model import ORGS, SPEC, now_iso
from mockserver.vendors.sysaid_copilot.replies import JSON, NOT_ADMIN, Reply, ok
from mockserver.vendors.sysaid_copilot.session import caller

__all__ = ["ORG_FIELDS", "get_health", "get_kobi_details", "login_user", "org_conf", "update_org"]

ORG_FIELDS = (
    "orgName",
    "logoURL",
    "assistantName",
    "chatSystemMessage",
    "chatbotName",
    "userRole",
    "srTimeRangeValue",
    "srTimeRangeUnit",
    "welcomeMessage",
    "starterMessage",
    "errorMessage",
)
"""The fields of `orgConf` that `POST /api/org` may change (seed 001)."""


def org_conf(org: str) -> dict[str, Any]:
    """The current configuration of an organization."""
    found = runtime().store.get(ORGS, org)
    return dict(found["orgConf"]) if found else {}


async def get_health() -> Reply:
    """`GET /api/health`: the load balancer's check (A9)."""
    return {"status": "ok"}, 200, JSON


async def get_kobi_details() -> Reply:
    """`GET /api/kobi`: a few details on the server (A10)."""
    version = runtime().contracts[SPEC].document["info"]["version"]
    return (
        {"status": "ok", "service": "SysAid Copilot (contract mock)", "version": version, "time": now_iso()},
        200,
        JSON,
    )


async def login_user() -> Reply:
    """`POST /api/login`: the user's details and the organization's configuration."""
    user = caller()
    return ok(
        message="Login successful", fullname=user.fullname, isAdministrator=user.is_admin, orgConf=org_conf(user.org)
    )


async def update_org(body: dict[str, Any]) -> Reply:
    """`POST /api/org` (admin): change the given fields, keep the others; the next login shows the change."""
    user = caller()
    if not user.is_admin:
        return {"status": "error", "message": NOT_ADMIN}, 200, JSON
    store = runtime().store
    changes = {name: body[name] for name in ORG_FIELDS if name in body}
    with store.transaction():
        org = store.get(ORGS, user.org)
        if org is None:
            return {"status": "error", "message": f"Organization {user.org} not found"}, 200, JSON
        conf = {**org["orgConf"], **changes}
        store.put(ORGS, user.org, {**org, "orgConf": conf})
    return ok(message=f"Org {conf.get('orgName', user.org)} updated")
