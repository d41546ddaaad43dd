"""Aisera Ingestion APIs: password-grant bearer tokens, App Token checks and per-tenant record storage.

Access tokens live in the store (collection `aisera-ingestion/tokens`, keyed by their SHA-256, so the admin API never
lists a usable credential) so every worker honours them; they expire on the mock clock and expired ones are purged
when tokens are issued. Records are stored per tenant and entity in `aisera-ingestion/<tenant>.<entity>` (listed by
the admin API); knowledge articles are upserted by their `id`. In vendor-limits mode the contract's
`info.x-vendor-limits` recommendations are enforced: calls per endpoint per minute (429 with Retry-After, on the
mock clock) and records or bytes per request (413). Errors use the Aisera envelope (`aisera_conversation.envelope`).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from contracts import Contract, Operation, SecurityScheme
from mockserver.errors import FixtureError
from mockserver.pipeline.call import Call, current
from mockserver.problems import Kind, Location, RequestError, Violation, bad_request, rate_limited, unauthorized
from mockserver.runtime import runtime
from mockserver.store import Store
from mockserver.vendors.aisera_conversation.envelope import credential_fields, detail, envelope

__all__ = [
    "FIXTURE_SCHEMA",
    "SECURITY",
    "SPEC",
    "error_body",
    "ingest_alerts",
    "ingest_changes",
    "ingest_conversations",
    "ingest_incidents",
    "ingest_knowledge_articles",
    "ingest_problems",
    "ingest_request_items",
    "ingest_requests",
    "request_ingestion_token",
    "seed",
    "validate_fixture",
]

SPEC = "aisera-ingestion"
TOKEN_LIFETIME_SECONDS = 3600
"""Aisera Ingestion APIs, Auth: the bearer access token expires in an hour."""
SERVICE_ACCOUNT = "Service Account"
RATE_WINDOW_SECONDS = 60.0
"""The window of `callsPerEndpointPerMinute`."""
PURGE_EVERY_SECONDS = 60
"""Expired tokens are looked for at most once per minute of mock time (each look reads every stored token)."""

_APPS = f"{SPEC}/apps"
_USERS = f"{SPEC}/users"
_TOKENS = f"{SPEC}/tokens"
_CALLS = f"{SPEC}/calls"
_PURGED = f"{SPEC}/tokens-purged-minute"
"""Counter: the mock-clock minute of the last purge of expired tokens."""
_HEADERS = {"Content-Type": "application/json"}
_PHRASES = {413: "Payload Too Large"}
_CREDENTIALS = {"x-app-token": "App Token", "Authorization": "access token", "access_token": "access token"}
"""What Aisera Ingestion APIs, Auth calls the credential each of the contract's security schemes carries."""
_KINDS = ("access token", "App Token")

Reply = tuple[dict[str, Any], int, dict[str, str]]

FIXTURE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["tenants"],
    "additionalProperties": False,
    "properties": {
        "tenants": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["name", "apps", "users"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"},
                    "apps": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["name", "app_token"],
                            "additionalProperties": False,
                            "properties": {
                                "name": {"type": "string", "minLength": 1},
                                "app_token": {"type": "string", "minLength": 1},
                            },
                        },
                    },
                    "users": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["username", "password", "login_role"],
                            "additionalProperties": False,
                            "properties": {
                                "username": {"type": "string", "minLength": 1},
                                "password": {"type": "string", "minLength": 1},
                                "login_role": {"enum": [SERVICE_ACCOUNT, "End User", "Administrator"]},
                            },
                        },
                    },
                },
            },
        }
    },
}


def validate_fixture(data: dict[str, Any]) -> None:
    """Tenant names and App Tokens are unique, and so are usernames within a tenant."""
    tenants: set[str] = set()
    apps: dict[str, str] = {}
    for tenant in data["tenants"]:
        if tenant["name"] in tenants:
            raise FixtureError(f"{SPEC}: tenant {tenant['name']!r} is listed twice")
        tenants.add(tenant["name"])
        for app in tenant["apps"]:
            owner = apps.setdefault(app["app_token"], f"{tenant['name']}/{app['name']}")
            if owner != f"{tenant['name']}/{app['name']}":
                raise FixtureError(f"{SPEC}: {owner} and {tenant['name']}/{app['name']} share an App Token")
        usernames = [user["username"] for user in tenant["users"]]
        repeated = sorted({name for name in usernames if usernames.count(name) > 1})
        if repeated:
            raise FixtureError(f"{SPEC}: tenant {tenant['name']!r} lists user(s) {repeated} more than once")


async def seed(store: Store, data: dict[str, Any]) -> None:
    """Store every tenant's applications (keyed by their App Token's SHA-256) and users (keyed by tenant and username,
    with the password's SHA-256): the admin API lists no credential."""
    for tenant in data["tenants"]:
        for app in tenant["apps"]:
            await store.put(_APPS, _token_key(app["app_token"]), {"tenant": tenant["name"], "name": app["name"]})
        for user in tenant["users"]:
            stored = {key: value for key, value in user.items() if key != "password"}
            stored["passwordSha256"] = _token_key(str(user["password"]))
            await store.put(_USERS, f"{tenant['name']}:{user['username']}", {"tenant": tenant["name"], **stored})


# -- errors ----------------------------------------------------------------------------------------------------


def _error(status: int, message: str, path: str | None = None) -> dict[str, Any]:
    """The Aisera envelope with the status's phrase as `error` (no details on a 5xx)."""
    found = {"message": message} | ({"path": path} if path else {})
    return envelope(status, _PHRASES.get(status) or HTTPStatus(status).phrase, [found] if status < 500 else [])


def _contract() -> Contract:
    return runtime().contracts[SPEC]


def _schemes(operation: Operation, credential: str) -> list[SecurityScheme]:
    """The operation's security schemes that carry one credential, in the order it declares them."""
    found: list[SecurityScheme] = []
    for requirement in operation.security:
        for name in requirement:
            scheme = _contract().security_schemes[name]
            if _CREDENTIALS.get(scheme.parameter) == credential and scheme not in found:
                found.append(scheme)
    return found


def _place(scheme: SecurityScheme) -> str:
    """`Authorization: Bearer header`, `x-app-token header`, `access_token query parameter`."""
    if scheme.type != "apiKey":
        return "Authorization: Bearer header"
    return f"{scheme.parameter} {'query parameter' if scheme.location == 'query' else scheme.location}"


def _present(call: Call | None, scheme: SecurityScheme) -> bool:
    if call is None:
        return False
    if scheme.location == "query":
        return call.query_value(scheme.parameter) is not None
    return scheme.parameter.lower() in call.headers


def _missing(operation: Operation) -> tuple[str, str]:
    """What the request lacks (message) and the first missing credential's name (path)."""
    try:
        call: Call | None = current()
    except LookupError:
        call = None
    wanted = {credential: _schemes(operation, credential) for credential in _KINDS}
    lacking = [name for name, schemes in wanted.items() if not any(_present(call, s) for s in schemes)] or list(_KINDS)
    sends = [f"the {name} ({' or '.join(_place(scheme) for scheme in wanted[name])})" for name in lacking]
    return f"missing credentials: send {' and '.join(sends)}", wanted[lacking[0]][0].parameter


def error_body(error: RequestError, operation: Operation | None, media_type: str | None) -> dict[str, Any]:
    """The Aisera envelope for a refusal, pointing at the body field, parameter or credential concerned."""
    status = error.status
    if status >= 500:
        return _error(status, error.detail)
    if error.kind is Kind.CREDENTIALS_MISSING and operation is not None:
        return _error(status, *_missing(operation))
    if error.kind is Kind.CREDENTIALS_INVALID:
        scheme = _contract().security_schemes.get(error.scheme or "")
        return _error(status, error.detail, scheme.parameter if scheme is not None else None)
    if error.kind is Kind.RATE_LIMITED and operation is not None:
        return _error(status, error.detail, operation.path)
    found = detail(error, body_root="body", secret=credential_fields(_contract()))
    return _error(status, found["message"], found.get("path"))


# -- credentials -----------------------------------------------------------------------------------------------


def _token_key(token: str) -> str:
    """Tokens (and the App Token they are bound to) are stored as their SHA-256: the admin API lists no credential."""
    return hashlib.sha256(token.encode()).hexdigest()


async def _bearer(token: str, scheme: str) -> dict[str, Any]:
    """The grant an access token stands for; expired or unknown tokens are refused with a reason."""
    where = _place(_contract().security_schemes[scheme])
    grant = await runtime().store.get(_TOKENS, _token_key(token))
    if grant is None:
        raise unauthorized(f"unknown access token ({where})", scheme=scheme)
    if runtime().clock.now() >= grant["expiresAt"]:
        raise unauthorized(f"access token expired ({where}); request a new one from the token endpoint", scheme=scheme)
    return grant


async def check_service_account_token(token: str, call: Call) -> dict[str, Any]:
    """`Authorization: Bearer <token>`."""
    return await _bearer(token, "serviceAccountToken")


async def check_access_token_query(token: str, call: Call) -> dict[str, Any]:
    """`?access_token=<token>`."""
    return await _bearer(token, "accessTokenQuery")


async def _app(value: str, scheme: str) -> dict[str, Any]:
    app = await runtime().store.get(_APPS, _token_key(value))
    if app is None:
        raise unauthorized(f"unknown App Token ({_place(_contract().security_schemes[scheme])})", scheme=scheme)
    return {"appToken": value, **app}


async def check_app_token_header(value: str, call: Call) -> dict[str, Any]:
    """`x-app-token` header."""
    return await _app(value, "appTokenHeader")


async def check_app_token_query(value: str, call: Call) -> dict[str, Any]:
    """`?x-app-token=`."""
    return await _app(value, "appTokenQuery")


SECURITY = {
    "serviceAccountToken": check_service_account_token,
    "accessTokenQuery": check_access_token_query,
    "appTokenHeader": check_app_token_header,
    "appTokenQuery": check_app_token_query,
}


def _caller() -> tuple[dict[str, Any], dict[str, Any]]:
    """The bearer grant and the application of the current request; the grant must be the application's.

    Assumption A21: a token is honoured only with the App Token it was issued for (its `client_id`).
    """
    principal = current().principal
    grant = principal.get("serviceAccountToken") or principal["accessTokenQuery"]
    scheme = "appTokenHeader" if "appTokenHeader" in principal else "appTokenQuery"
    app = principal[scheme]
    if not hmac.compare_digest(grant["appKey"], _token_key(app["appToken"])):
        message = f"the access token was issued for the application {grant['app']!r}, not {app['name']!r}"
        raise unauthorized(message, scheme=scheme)
    return grant, app


# -- token endpoint --------------------------------------------------------------------------------------------


async def _purge_expired(store: Store, now: float) -> None:
    """Forget expired tokens (at most once per `PURGE_EVERY_SECONDS` of mock time, whichever worker does it)."""
    minute = math.floor(now / PURGE_EVERY_SECONDS)
    async with store.transaction():  # exactly one worker or replica moves the marker to this minute
        last = await store.counter(_PURGED)
        if minute <= last:
            return
        await store.increment(_PURGED, minute - last)
    for grant in await store.find(_TOKENS):
        if grant["expiresAt"] <= now:
            await store.delete(_TOKENS, grant["key"])


async def request_ingestion_token(body: dict[str, Any]) -> Reply:
    """Password grant: `client_id` is an App Token, username/password those of a service account of its tenant."""
    store = runtime().store
    app = await store.get(_APPS, _token_key(str(body["client_id"])))
    if app is None:
        return _error(401, "client_id is not the App Token of an application", "client_id"), 401, _HEADERS
    user = await store.get(_USERS, f"{app['tenant']}:{body['username']}")
    if user is None or not hmac.compare_digest(user["passwordSha256"], _token_key(str(body["password"]))):
        return _error(401, "username or password is incorrect", "password"), 401, _HEADERS
    if user["login_role"] != SERVICE_ACCOUNT:
        message = f"the login role of {body['username']} is {user['login_role']}, not {SERVICE_ACCOUNT}"
        return _error(401, message, "username"), 401, _HEADERS
    token = secrets.token_urlsafe(32)
    now = runtime().clock.now()
    await _purge_expired(store, now)
    grant = {
        "key": _token_key(token),
        "tenant": app["tenant"],
        "app": app["name"],
        "appKey": _token_key(body["client_id"]),
        "username": user["username"],
        "issuedAt": now,
        "expiresAt": now + TOKEN_LIFETIME_SECONDS,
    }
    await store.put(_TOKENS, grant["key"], grant)
    reply = {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME_SECONDS}
    return reply, 200, {**_HEADERS, "Cache-Control": "no-store"}


# -- vendor limits ---------------------------------------------------------------------------------------------


def _limits() -> Mapping[str, Any]:
    limits: Mapping[str, Any] = _contract().extensions["x-vendor-limits"]
    return limits


async def _count_call(tenant: str, entity: str) -> None:
    """Count this call in the endpoint's one-minute window, or refuse it (429) with the seconds to wait."""
    rt = runtime()
    allowed = int(_limits()["callsPerEndpointPerMinute"])
    key = f"{tenant}.{entity}"
    async with rt.store.transaction():
        now = rt.clock.now()
        window = await rt.store.get(_CALLS, key) or {"calls": []}
        calls = [float(moment) for moment in window["calls"] if moment > now - RATE_WINDOW_SECONDS]
        if len(calls) < allowed:
            await rt.store.put(_CALLS, key, {"calls": [*calls, now]})
            return
    wait = max(1, math.ceil(calls[0] + RATE_WINDOW_SECONDS - now))
    raise rate_limited(f"at most {allowed} calls per endpoint per minute", wait)


def _check_size(count: int) -> None:
    """Refuse (413) a request above the recommended records or bytes."""
    limits = _limits()
    size = len(current().raw_body)
    if count > int(limits["maxRecordsPerRequest"]):
        reason = f"at most {limits['maxRecordsPerRequest']} records per request, got {count}"
    elif size > int(limits["maxPayloadBytes"]):
        reason = f"at most {limits['maxPayloadBytes']} bytes of content per request, got {size}"
    else:
        return
    raise bad_request(reason, Violation(Location.BODY), kind=Kind.BODY_TOO_LARGE, status=413)


# -- entity endpoints ------------------------------------------------------------------------------------------


async def _store_records(collection: str, app: str, records: list[dict[str, Any]], *, upsert: bool) -> None:
    """Append the records; with `upsert`, a record replaces an earlier one with the same `id`."""
    rt = runtime()
    received = rt.clock.now_iso()
    async with rt.store.transaction():
        for record in records:
            key = record.get("id") if upsert else None
            if isinstance(key, str) and key:
                first = (await rt.store.get(collection, key) or {}).get("firstReceivedAt", received)
            else:
                key = f"auto-{await rt.store.increment(collection)}"
                first = received
            document = {"id": key, "app": app, "firstReceivedAt": first, "receivedAt": received, "record": record}
            await rt.store.put(collection, key, document)


async def _ingest(body: dict[str, Any] | list[dict[str, Any]], *, upsert: bool = False) -> Reply:
    """Store the records of the operation being called; the entity is its path (`/incidents` -> `incidents`)."""
    entity = current().operation.path.lstrip("/")
    grant, app = _caller()
    records = body if isinstance(body, list) else [body]
    if runtime().vendor_limits():
        await _count_call(grant["tenant"], entity)
        _check_size(len(records))
    await _store_records(f"{SPEC}/{grant['tenant']}.{entity}", app["name"], records, upsert=upsert)
    return {"entity": entity, "accepted": len(records)}, 200, _HEADERS


async def ingest_alerts(body: dict[str, Any] | list[dict[str, Any]]) -> Reply:
    """`POST /alerts`."""
    return await _ingest(body)


async def ingest_changes(body: dict[str, Any] | list[dict[str, Any]]) -> Reply:
    """`POST /changes`."""
    return await _ingest(body)


async def ingest_incidents(body: dict[str, Any] | list[dict[str, Any]]) -> Reply:
    """`POST /incidents`."""
    return await _ingest(body)


async def ingest_knowledge_articles(body: list[dict[str, Any]]) -> Reply:
    """`POST /knowledge-articles`: new articles or updates of earlier ones (same `id`, assumption A10)."""
    return await _ingest(body, upsert=True)


async def ingest_problems(body: dict[str, Any] | list[dict[str, Any]]) -> Reply:
    """`POST /problems`."""
    return await _ingest(body)


async def ingest_requests(body: dict[str, Any] | list[dict[str, Any]]) -> Reply:
    """`POST /requests`."""
    return await _ingest(body)


async def ingest_request_items(body: dict[str, Any] | list[dict[str, Any]]) -> Reply:
    """`POST /requestitems`."""
    return await _ingest(body)


async def ingest_conversations(body: dict[str, Any] | list[dict[str, Any]]) -> Reply:
    """`POST /conversations`."""
    return await _ingest(body)
