"""Login and organization configuration: `POST /api/login`, `POST /api/org`, and the unprotected service endpoints."""

from __future__ import annotations

import functools
from typing import Any

from contracts import load_contract
from mockserver.runtime import runtime
from mockserver.vendors.sysaid_copilot.model import ORGS, SPEC, now_iso
from mockserver.vendors.sysaid_copilot.replies import JSON, Reply, ok
from mockserver.vendors.sysaid_copilot.session import caller

__all__ = ["get_health", "get_kobi_details", "login_user", "org_conf", "org_fields", "update_org"]


@functools.cache
def org_fields() -> tuple[str, ...]:
    """The fields of `orgConf` that `POST /api/org` may change: the properties of its body schema."""
    contract = load_contract(SPEC)
    body = contract.operations["updateOrg"].request_body
    schema = contract.resolve(body.content["application/json"].schema) if body is not None else {}
    return tuple(schema.get("properties") or ())


async def org_conf(org: str) -> dict[str, Any]:
    """The current configuration of an organization."""
    found = await runtime().store.get(ORGS, org)
    return dict(found["orgConf"]) if found else {}


async def get_health() -> Reply:
    """`GET /api/health`: the load balancer's check (A9)."""
    return {"status": "ok"}, 200, JSON


async def get_kobi_details() -> Reply:
    """`GET /api/kobi`: a few details on the server (A10)."""
    version = runtime().contracts[SPEC].version
    return (
        {"status": "ok", "service": "SysAid Copilot (contract mock)", "version": version, "time": now_iso()},
        200,
        JSON,
    )


async def login_user() -> Reply:
    """`POST /api/login`: the user's details and the organization's configuration."""
    user = caller()
    conf = await org_conf(user.org)
    return ok(message="Login successful", fullname=user.fullname, isAdministrator=user.is_admin, orgConf=conf)


async def update_org(body: dict[str, Any]) -> Reply:
    """`POST /api/org` (admin): change the given fields, keep the others; the next login shows the change."""
    user = caller()
    store = runtime().store
    changes = {name: body[name] for name in org_fields() if name in body}
    async with store.transaction():
        org = await store.get(ORGS, user.org)
        if org is None:
            return {"status": "error", "message": f"Organization {user.org} not found"}, 200, JSON
        conf = {**org["orgConf"], **changes}
        await store.put(ORGS, user.org, {**org, "orgConf": conf})
    return ok(message=f"Org {conf.get('orgName', user.org)} updated")
