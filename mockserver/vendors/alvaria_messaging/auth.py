"""Alvaria authentication: the OAuth 2.0 client-credentials token service and the three security checkers.

A token is issued to a registered client (HTTP Basic `clientId:secret`) for its own organization (`realm`), with
the requested scopes the client is allowed, and lives `tokenService.lifetimeSeconds` (3599) on the mock clock.
Tokens are stored by their SHA-256 only; each issue purges the tokens that have expired, oldest first.

Every credential is authenticated before any is authorized, so a bad credential is a 401 even when another one
lacks authority: the bearer checker first makes sure the `x-api-key` sent with it is a known key (leaving its 401 to
the key's own checker), then refuses with 403 a token or key of another known organization than the path's, and a
token without the scopes the operation's requirement lists. An unknown organization is left to the handler's 404.
"""

from __future__ import annotations

import functools
import hmac
import itertools
import uuid
from typing import Any

from contracts import load_contract
from mockserver.pipeline.call import Call, current
from mockserver.problems import Kind, Location, Rejected, RequestError, Violation, unauthorized
from mockserver.runtime import runtime
from mockserver.store import Document, Store, digest
from mockserver.vendors.alvaria_messaging import directory
from mockserver.vendors.alvaria_messaging.envelopes import oauth_refusal

__all__ = [
    "check_access_token",
    "check_api_key",
    "check_client",
    "purge_expired_tokens",
    "request_alvaria_access_token",
]

BEARER = "oauth2ClientCredentials"
API_KEY = "xApiKey"
CLIENT = "clientBasicAuth"
_PURGE_BATCH = 100
Reply = tuple[dict[str, Any], int, dict[str, str]]
_NO_CACHE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
"""RFC 6749 section 5.1: token responses must not be cached."""


async def check_client(credential: tuple[str, str], call: Call) -> dict[str, Any]:
    """HTTP Basic on the token service: a registered client and its secret."""
    client_id, secret = credential
    found = await directory.client(client_id)
    if found is None or not hmac.compare_digest(found["secretSha256"], digest(secret)):
        raise unauthorized("Client authentication failed: unknown client or wrong secret.", scheme=CLIENT)
    return {"clientId": client_id, "orgId": found["orgId"], "scopes": found["scopes"]}


async def check_api_key(value: str, call: Call) -> dict[str, Any]:
    """`x-api-key`: a registered key (its organization is authorized with the token, see the module docstring)."""
    found = await directory.api_key(value)
    if found is None:
        raise unauthorized("The x-api-key is not a registered key.", scheme=API_KEY)
    return {"orgId": found["orgId"]}


async def check_access_token(token: str, call: Call) -> dict[str, Any]:
    """Bearer token: issued by the token service, not expired on the mock clock, with authority for the request."""
    store = runtime().store
    key = directory.credential_key(token)
    found = await store.get(directory.TOKENS, key)
    if found is not None and runtime().clock.now() >= found["expiresAt"]:
        await store.delete(directory.TOKENS, key)
        found = None
    if found is None:
        raise unauthorized("The access token is unknown or has expired.", scheme=BEARER)
    await _authorize(found, call)
    return {"clientId": found["clientId"], "scope": found["scope"], "orgId": found["orgId"]}


def _path_org(call: Call) -> str | None:
    """The `orgId` the request path names (known before security; parameters are validated after it)."""
    return call.variables.get("orgId")


def _forbidden(detail: str, name: str, constraint: str, expected: Any = None) -> Rejected:
    violation = Violation(Location.CREDENTIALS, name, constraint=constraint, expected=expected)
    reason = "insufficientScope" if constraint == "scope" else "forbidden"
    return Rejected(RequestError(Kind.FORBIDDEN, detail, violations=(violation,), scheme=BEARER, reason=reason))


async def _refuse_other_organization(owner: str, target: str | None, credential: str) -> None:
    """403 when the path names another known organization than the credential's."""
    if target and target != owner and await directory.organization(target) is not None:
        raise _forbidden(
            f"The {credential} was issued for organization {owner!r}, not {target!r}.", "orgId", "organization"
        )


@functools.cache
def _api_key_header() -> str:
    return load_contract(directory.SPEC).security_schemes[API_KEY].parameter.lower()


async def _authorize(grant: Document, call: Call) -> None:
    """403 for a token or key of another organization, or a token without the operation's scopes."""
    paired = any(API_KEY in requirement for requirement in call.operation.security)
    key = await directory.api_key(call.headers.get(_api_key_header(), "")) if paired else None
    if paired and key is None:
        return  # an unknown x-api-key: its own checker answers 401, which comes before any 403
    target = _path_org(call)
    await _refuse_other_organization(grant["orgId"], target, "access token")
    if key is not None:
        await _refuse_other_organization(key["orgId"], target, "x-api-key")
    required = [scope for requirement in call.operation.security for scope in requirement.get(BEARER, ())]
    missing = [scope for scope in required if scope not in grant["scope"].split(" ")]
    if missing:
        detail = f"The access token does not grant the {' '.join(missing)} scope."
        raise _forbidden(detail, " ".join(missing), "scope", required)


async def purge_expired_tokens(store: Store, now: float) -> int:
    """Remove the expired tokens; they expire in the order they were issued (one lifetime, a forward clock)."""
    removed = 0
    limit = 1  # most calls find the oldest token still live: read one, then batches while they are expired
    while True:
        oldest = await store.find(directory.TOKENS, limit=limit)
        expired = list(itertools.takewhile(lambda token: now >= token["expiresAt"], oldest))
        for token in expired:
            await store.delete(directory.TOKENS, token["tokenSha256"])
        removed += len(expired)
        if len(expired) < limit:
            return removed
        limit = _PURGE_BATCH


def _requested_scopes(text: str) -> list[str]:
    return list(dict.fromkeys(text.split(" ")))


async def request_alvaria_access_token(body: dict[str, Any], realm: str | None = None) -> Reply:
    """Client-credentials grant: realm = the client's organization, granted = requested ∩ allowed scopes."""
    caller = current().principal[CLIENT]
    form_realm = body.get("realm")
    if realm and form_realm and realm != form_realm:
        raise oauth_refusal(400, "invalid_request", f"realm is {realm!r} in the query but {form_realm!r} in the form.")
    realm = form_realm or realm
    if not realm:
        raise oauth_refusal(400, "invalid_request", "realm (the organization) is required, as form field or query.")
    if realm != caller["orgId"]:
        raise oauth_refusal(
            401, "invalid_client", f"Client {caller['clientId']!r} is not registered in realm {realm!r}."
        )
    service = await directory.token_service()
    requested = _requested_scopes(body["scope"])
    unknown = [scope for scope in requested if scope not in service["scopes"]]
    if unknown:
        raise oauth_refusal(400, "invalid_scope", f"Unknown scope(s) {unknown}; known: {service['scopes']}.")
    granted = [scope for scope in requested if scope in caller["scopes"]]
    if not granted:
        allowed = caller["scopes"]
        detail = f"Client {caller['clientId']!r} may be granted none of {requested}; allowed: {allowed}."
        raise oauth_refusal(400, "invalid_scope", detail)
    rt = runtime()
    lifetime = int(service["lifetimeSeconds"])
    token = str(uuid.uuid4())
    key = directory.credential_key(token)
    scope = " ".join(granted)
    now = rt.clock.now()
    grant = {
        "tokenSha256": key,
        "clientId": caller["clientId"],
        "orgId": realm,
        "scope": scope,
        "issuedAt": rt.clock.now_iso(),
        "expiresAt": now + lifetime,
    }
    async with rt.store.transaction():
        await purge_expired_tokens(rt.store, now)
        await rt.store.put(directory.TOKENS, key, grant)
    reply = {"access_token": token, "scope": scope, "token_type": "Bearer", "expires_in": lifetime}
    return reply, 200, _NO_CACHE
