"""Aisera Ingestion APIs: password-grant bearer tokens, App Token checks and per-tenant record storage.

Access tokens live in the store (collection `aisera-ingestion/tokens`, keyed by their hash) so every worker
honours them, and they expire on the mock clock. Records are stored per tenant and entity in the collection
`aisera-ingestion/<tenant>.<entity>` (listed by the admin API); knowledge articles are upserted by their `id`.
In vendor-limits mode the contract's `info.x-vendor-limits` recommendations are enforced: calls per endpoint per
minute (429 with Retry-After, on the mock clock) and records or bytes per request (413).
"""

from __future__ import annotations

import hashlib
import json
import math
import secrets
from http import HTTPStatus
from typing import Any

import connexion
from connexion.exceptions import OAuthProblem

from mockserver.contracts import Operation
from mockserver.runtime import runtime
from mockserver.store import Store

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
]

SPEC = "aisera-ingestion"
TOKEN_LIFETIME_SECONDS = 3600
"""Seed 000, "Auth": the bearer access token expires in an hour."""
SERVICE_ACCOUNT = "Service Account"
RATE_WINDOW_SECONDS = 60.0
"""The window of `callsPerEndpointPerMinute`."""

_APPS = f"{SPEC}/apps"
_USERS = f"{SPEC}/users"
_TOKENS = f"{SPEC}/tokens"
_CALLS = f"{SPEC}/calls"
_HEADERS = {"Content-Type": "application/json"}

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


def seed(store: Store, data: dict[str, Any]) -> None:
    """Store every tenant's applications (keyed by App Token) and users (keyed by tenant and username)."""
    for tenant in data["tenants"]:
        for app in tenant["apps"]:
            store.put(_APPS, app["app_token"], {"tenant": tenant["name"], "name": app["name"]})
        for user in tenant["users"]:
            store.put(_USERS, f"{tenant['name']}:{user['username']}", {"tenant": tenant["name"], **user})


_PHRASES = {413: "Payload Too Large"}
_CREDENTIALS = {
    "serviceAccountToken": ("access token", "Authorization: Bearer header"),
    "accessTokenQuery": ("access token", "access_token query parameter"),
    "appTokenHeader": ("App Token", "x-app-token header"),
    "appTokenQuery": ("App Token", "x-app-token query parameter"),
}


def _error(status: int, message: str, path: str | None = None) -> dict[str, Any]:
    """The Aisera envelope `{code, error, errors[{message, path}]}` (no details on a 5xx)."""
    detail: dict[str, Any] = {"message": message if len(message) <= 300 else message[:297] + "..."}
    if path:
        detail["path"] = path
    phrase = _PHRASES.get(status) or HTTPStatus(status).phrase
    return {"code": status, "error": phrase, "errors": [detail] if status < 500 else []}


def _accepted_credentials(operation: Operation) -> str:
    """`the access token (Authorization: Bearer header or ...) and the App Token (...)` for this operation."""
    places: dict[str, list[str]] = {}
    for requirement in operation.definition.get("security", []):
        for scheme in requirement:
            what, where = _CREDENTIALS[scheme]
            if where not in places.setdefault(what, []):
                places[what].append(where)
    return " and ".join(f"the {what} ({' or '.join(where)})" for what, where in places.items())


def error_body(status: int, message: str, media_type: str | None, operation: Operation | None) -> dict[str, Any]:
    """The Aisera envelope for a framework error, pointing at the body field or credential concerned."""
    path: str | None = None
    if status == 401:
        path = "x-app-token" if "App Token" in message else "Authorization"
        if "access_token query" in message:
            path = "access_token"
        if message.startswith("No authorization") and operation is not None:
            message, path = f"missing credentials: send {_accepted_credentials(operation)}", None
    elif " - '" in message and message.endswith("'"):
        path = "body." + message.rsplit(" - '", 1)[1][:-1]
    elif message.startswith("Extra query parameter"):
        path = "query"
    elif message.startswith("Invalid Content-type"):
        path = "Content-Type"
    elif status in (400, 413):
        path = "body"
    return _error(status, message, path)


# -- credentials ---------------------------------------------------------------------------------


def _token_key(token: str) -> str:
    """Tokens are stored under their SHA-256, so the admin API never lists a usable credential."""
    return hashlib.sha256(token.encode()).hexdigest()


def _bearer(token: str, source: str) -> dict[str, Any]:
    """The caller an access token stands for; expired or unknown tokens are refused with a reason."""
    grant = runtime().store.get(_TOKENS, _token_key(token))
    if grant is None:
        raise OAuthProblem(detail=f"unknown access token ({source})")
    if runtime().clock.now() >= grant["expiresAt"]:
        raise OAuthProblem(detail=f"access token expired ({source}); request a new one from the token endpoint")
    return {"sub": grant["username"], "scope": "", **grant}


def check_service_account_token(token: str) -> dict[str, Any]:
    """`Authorization: Bearer <token>`."""
    return _bearer(token, "Authorization header")


def check_access_token_query(value: str) -> dict[str, Any]:
    """`?access_token=<token>`."""
    return _bearer(value, "access_token query parameter")


def check_app_token(value: str) -> dict[str, Any]:
    """`x-app-token`, as a header or a query parameter."""
    app = runtime().store.get(_APPS, value)
    if app is None:
        raise OAuthProblem(detail="unknown App Token")
    return {"appToken": value, **app}


SECURITY = {
    "serviceAccountToken": check_service_account_token,
    "accessTokenQuery": check_access_token_query,
    "appTokenHeader": check_app_token,
    "appTokenQuery": check_app_token,
}


def _caller() -> tuple[dict[str, Any], dict[str, Any]]:
    """The bearer grant and the application of the current request (Connexion passed both schemes)."""
    info: dict[str, dict[str, Any]] = connexion.context.context["token_info"]
    grant = info.get("serviceAccountToken") or info["accessTokenQuery"]
    app = info.get("appTokenHeader") or info["appTokenQuery"]
    return grant, app


# -- token endpoint ------------------------------------------------------------------------------


async def request_ingestion_token(body: dict[str, Any]) -> Reply:
    """Password grant: `client_id` is an App Token, username/password those of a service account of its tenant."""
    store = runtime().store
    app = store.get(_APPS, str(body["client_id"]))
    if app is None:
        return _error(401, "client_id is not the App Token of an application", "client_id"), 401, _HEADERS
    user = store.get(_USERS, f"{app['tenant']}:{body['username']}")
    if user is None or not secrets.compare_digest(str(user["password"]).encode(), str(body["password"]).encode()):
        return _error(401, "username or password is incorrect", "password"), 401, _HEADERS
    if user["login_role"] != SERVICE_ACCOUNT:
        message = f"the login role of {body['username']} is {user['login_role']}, not {SERVICE_ACCOUNT}"
        return _error(401, message, "username"), 401, _HEADERS
    token = secrets.token_urlsafe(32)
    now = runtime().clock.now()
    store.put(
        _TOKENS,
        _token_key(token),
        {
            "tenant": app["tenant"],
            "app": app["name"],
            "appToken": body["client_id"],
            "username": user["username"],
            "issuedAt": now,
            "expiresAt": now + TOKEN_LIFETIME_SECONDS,
        },
    )
    reply = {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME_SECONDS}
    return reply, 200, {**_HEADERS, "Cache-Control": "no-store"}


# -- vendor limits -------------------------------------------------------------------------------


def _limits() -> dict[str, Any]:
    limits: dict[str, Any] = runtime().contracts[SPEC].document["info"]["x-vendor-limits"]
    return limits


def _rate_limited(tenant: str, entity: str) -> int | None:
    """Seconds until the endpoint may be called again, or None after counting this call in the window."""
    rt = runtime()
    allowed = int(_limits()["callsPerEndpointPerMinute"])
    key = f"{tenant}.{entity}"
    with rt.store.transaction():
        now = rt.clock.now()
        window = rt.store.get(_CALLS, key) or {"calls": []}
        calls = [float(moment) for moment in window["calls"] if moment > now - RATE_WINDOW_SECONDS]
        if len(calls) >= allowed:
            return max(1, math.ceil(calls[0] + RATE_WINDOW_SECONDS - now))
        rt.store.put(_CALLS, key, {"calls": [*calls, now]})
    return None


def _body_size(body: Any) -> int:
    """Bytes of the request body: its Content-Length, else the size of the parsed body re-encoded."""
    declared = connexion.request.headers.get("content-length", "")
    if declared.isdigit():
        return int(declared)
    return len(json.dumps(body, separators=(",", ":")).encode())


def _too_large(body: Any, count: int) -> str | None:
    """Why a request exceeds the recommended payload (records or bytes), or None."""
    limits = _limits()
    if count > int(limits["maxRecordsPerRequest"]):
        return f"at most {limits['maxRecordsPerRequest']} records per request, got {count}"
    size = _body_size(body)
    if size > int(limits["maxPayloadBytes"]):
        return f"at most {limits['maxPayloadBytes']} bytes of content per request, got {size}"
    return None


# -- entity endpoints ----------------------------------------------------------------------------


def _store_records(tenant: str, app: str, entity: str, records: list[dict[str, Any]]) -> None:
    """Append the records; knowledge articles replace an earlier article with the same `id`."""
    rt = runtime()
    collection = f"{SPEC}/{tenant}.{entity}"
    received = rt.clock.now_iso()
    with rt.store.transaction():
        for record in records:
            key = record.get("id") if entity == "knowledge-articles" else None
            if isinstance(key, str) and key:
                first = (rt.store.get(collection, key) or {}).get("firstReceivedAt", received)
            else:
                key = f"auto-{rt.store.increment(collection)}"
                first = received
            document = {"id": key, "app": app, "firstReceivedAt": first, "receivedAt": received, "record": record}
            rt.store.put(collection, key, document)


async def _ingest(entity: str, body: dict[str, Any] | list[dict[str, Any]]) -> Reply:
    grant, app = _caller()
    if grant["appToken"] != app["appToken"]:
        message = f"the access token was issued for the application {grant['app']!r}, not {app['name']!r}"
        return _error(401, message, "x-app-token"), 401, _HEADERS
    records = body if isinstance(body, list) else [body]
    if runtime().vendor_limits():
        wait = _rate_limited(grant["tenant"], entity)
        if wait is not None:
            message = f"at most {_limits()['callsPerEndpointPerMinute']} calls per endpoint per minute"
            return _error(429, message, f"/{entity}"), 429, {**_HEADERS, "Retry-After": str(wait)}
        reason = _too_large(body, len(records))
        if reason is not None:
            return _error(413, reason, "body"), 413, _HEADERS
    _store_records(grant["tenant"], app["name"], entity, records)
    return {"entity": entity, "accepted": len(records)}, 200, _HEADERS


async def ingest_alerts(body: dict[str, Any] | list[dict[str, Any]]) -> Reply:
    """`POST /alerts`."""
    return await _ingest("alerts", body)


async def ingest_changes(body: dict[str, Any] | list[dict[str, Any]]) -> Reply:
    """`POST /changes`."""
    return await _ingest("changes", body)


async def ingest_incidents(body: dict[str, Any] | list[dict[str, Any]]) -> Reply:
    """`POST /incidents`."""
    return await _ingest("incidents", body)


async def ingest_knowledge_articles(body: list[dict[str, Any]]) -> Reply:
    """`POST /knowledge-articles`: new articles or updates of earlier ones (same `id`)."""
    return await _ingest("knowledge-articles", body)


async def ingest_problems(body: dict[str, Any] | list[dict[str, Any]]) -> Reply:
    """`POST /problems`."""
    return await _ingest("problems", body)


async def ingest_requests(body: dict[str, Any] | list[dict[str, Any]]) -> Reply:
    """`POST /requests`."""
    return await _ingest("requests", body)


async def ingest_request_items(body: dict[str, Any] | list[dict[str, Any]]) -> Reply:
    """`POST /requestitems`."""
    return await _ingest("requestitems", body)


async def ingest_conversations(body: dict[str, Any] | list[dict[str, Any]]) -> Reply:
    """`POST /conversations`."""
    return await _ingest("conversations", body)
