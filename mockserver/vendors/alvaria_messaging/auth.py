"""Alvaria authentication: the OAuth 2.0 client-credentials token service and the three security checkers.

A token is issued to a registered client (HTTP Basic `clientId:secret`) for its own organization (`realm`), with
the requested scopes the client is allowed, and lives `tokenService.lifetimeSeconds` (3599) on the mock clock.
Credentials of one organization (token or `x-api-key`) used on another known organization's path are refused with
403: they are valid, but not for that organization; an unknown organization is left to the handler's 404.
"""

from __future__ import annotations

import hmac
import re
import uuid
from typing import Any

from connexion.context import context
from connexion.exceptions import Forbidden
from connexion.lifecycle import ConnexionRequest

from mockserver.runtime import runtime
from mockserver.vendors.alvaria_messaging import directory
from mockserver.vendors.alvaria_messaging.envelopes import JSON, Reply, oauth_reply

__all__ = ["check_access_token", "check_api_key", "check_client", "request_alvaria_access_token"]

_ORG_IN_PATH = re.compile(r"/organizations/([^/]+)/")


def check_client(username: str, password: str) -> dict[str, Any] | None:
    """HTTP Basic on the token service: a registered client and its secret."""
    found = directory.client(username)
    if found is None or not hmac.compare_digest(found["secret"].encode(), password.encode()):
        return None
    return {"sub": username, "orgId": found["orgId"]}


def _refuse_other_organization(owner: str, request: ConnexionRequest, credential: str) -> None:
    """403 when the path names another known organization than the credential's."""
    found = _ORG_IN_PATH.search(request.url.path)
    target = found.group(1) if found else None
    if target and target != owner and directory.organization(target) is not None:
        raise Forbidden(detail=f"The {credential} was issued for organization {owner!r}, not {target!r}.")


def check_access_token(token: str, request: ConnexionRequest) -> dict[str, Any] | None:
    """Bearer token: issued by the token service, not expired on the mock clock, for the path's organization."""
    rt = runtime()
    found = rt.store.get(directory.TOKENS, token)
    if found is None:
        return None
    if rt.clock.now() >= found["expiresAt"]:
        rt.store.delete(directory.TOKENS, token)
        return None
    _refuse_other_organization(found["orgId"], request, "access token")
    return {"sub": found["clientId"], "scope": found["scope"], "orgId": found["orgId"]}


def check_api_key(value: str, request: ConnexionRequest) -> dict[str, Any] | None:
    """`x-api-key`: a key registered for the path's organization."""
    found = directory.api_key(value)
    if found is None:
        return None
    _refuse_other_organization(found["orgId"], request, "x-api-key")
    return {"orgId": found["orgId"]}


def _requested_scopes(text: str) -> list[str]:
    return list(dict.fromkeys(text.split(" ")))


async def request_alvaria_access_token(body: dict[str, Any], realm: str | None = None) -> Reply:
    """Client-credentials grant: realm = the client's organization, granted = requested ∩ allowed scopes."""
    caller = context["token_info"]
    registered = directory.client(caller["sub"])
    if registered is None:
        return oauth_reply(401, "invalid_client", "Client authentication failed.")
    form_realm = body.get("realm")
    if realm and form_realm and realm != form_realm:
        return oauth_reply(400, "invalid_request", f"realm is {realm!r} in the query but {form_realm!r} in the form.")
    realm = form_realm or realm
    if not realm:
        return oauth_reply(400, "invalid_request", "realm (the organization) is required, as form field or query.")
    if realm != registered["orgId"]:
        return oauth_reply(401, "invalid_client", f"Client {caller['sub']!r} is not registered in realm {realm!r}.")
    service = directory.token_service()
    requested = _requested_scopes(body["scope"])
    unknown = [scope for scope in requested if scope not in service["scopes"]]
    if unknown:
        return oauth_reply(400, "invalid_scope", f"Unknown scope(s) {unknown}; known: {service['scopes']}.")
    granted = [scope for scope in requested if scope in registered["scopes"]]
    if not granted:
        return oauth_reply(
            400,
            "invalid_scope",
            f"Client {caller['sub']!r} may be granted none of {requested}; allowed: {registered['scopes']}.",
        )
    rt = runtime()
    lifetime = int(service["lifetimeSeconds"])
    token = str(uuid.uuid4())
    scope = " ".join(granted)
    rt.store.put(
        directory.TOKENS,
        token,
        {
            "accessToken": token,
            "clientId": caller["sub"],
            "orgId": realm,
            "scope": scope,
            "issuedAt": rt.clock.now_iso(),
            "expiresAt": rt.clock.now() + lifetime,
        },
    )
    reply = {"access_token": token, "scope": scope, "token_type": "Bearer", "expires_in": lifetime}
    return reply, 200, {**JSON, "Cache-Control": "no-store", "Pragma": "no-cache"}
