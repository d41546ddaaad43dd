"""ASAPP Metadata Ingestion: per-app API credentials, per-item batch validation, stored metadata, vendor limits.

Apps (an `asapp-api-id` / `asapp-api-secret` pair each) come from the fixture. Accepted items are stored in
`asapp-metadata-ingestion/<app>.<agent|convo|customer>` keyed by `eventId`, so re-sending an `eventId` replaces
that event (idempotent accept) instead of duplicating it; the vendor's 409 stays fault-injection only (contract
A13). Batch items are validated one by one against the contract's item schema (`x-per-item-validation`). With
vendor limits on, each app gets the documented spike arrest (100 requests/s) and its daily quota (reset at
00:00 UTC on the mock clock), counted in `asapp-metadata-ingestion/usage`.
"""

from __future__ import annotations

import functools
import hmac
import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import Any

from contracts import Operation, load_contract
from mockserver.errors import FixtureError
from mockserver.pipeline.call import Call, current
from mockserver.pipeline.schemas import Direction, SchemaValidator, to_json_schema
from mockserver.problems import Kind, Location, RequestError, Violation, forbidden, rate_limited, unauthorized
from mockserver.runtime import runtime
from mockserver.store import Store, digest

__all__ = [
    "FIXTURE_SCHEMA",
    "SECURITY",
    "SPEC",
    "error_body",
    "many_agent_metadata",
    "many_conversation_metadata",
    "many_customer_metadata",
    "seed",
    "single_agent_metadata",
    "single_convo_metadata",
    "single_customer_metadata",
]

SPEC = "asapp-metadata-ingestion"
DEFAULT_DAILY_QUOTA = {"sandbox": 10_000, "production": 50_000}
"""Vendor rate-limits page: requests per day by default, reset at 00:00 UTC."""
BAD_PARAMS = "FAIL_BAD_PARAMS: ERROR: "

_APPS = f"{SPEC}/apps"
_USAGE = f"{SPEC}/usage"
_JSON = {"Content-Type": "application/json"}
_VENDOR_MESSAGES = {
    401: "Unauthorized",
    403: "Forbidden Response",
    404: "Not Found",
    409: "Conflict",
    413: "Request Entity Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal server error",
    503: "Service Unavailable",
}
_MISSING_CREDENTIALS = "send both the asapp-api-id and the asapp-api-secret header"

Reply = tuple[dict[str, Any], int, dict[str, str]]


@dataclass(frozen=True)
class Entity:
    """What a family of operations ingests: its collection suffix and its required ids as the vendor names them."""

    name: str
    ids: tuple[tuple[str, str], ...]


_AGENT = Entity("agent", (("externalAgentId", "agent id"),))
_CONVO = Entity("convo", (("externalConversationId", "conversation id"),))
_CUSTOMER = Entity("customer", (("externalConversationId", "conversation id"), ("externalCustomerId", "customer id")))
_ENTITIES = {
    "singleAgentMetadata": _AGENT,
    "manyAgentMetadata": _AGENT,
    "singleConvoMetadata": _CONVO,
    "manyConversationMetadata": _CONVO,
    "singleCustomerMetadata": _CUSTOMER,
    "manyCustomerMetadata": _CUSTOMER,
}

FIXTURE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["apps"],
    "additionalProperties": False,
    "properties": {
        "apps": {
            "type": "object",
            "description": "App name -> its credentials and settings.",
            "minProperties": 1,
            "propertyNames": {"pattern": "^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"},
            "additionalProperties": {
                "type": "object",
                "required": ["apiId", "apiSecret", "environment", "metadataIngestion"],
                "additionalProperties": False,
                "properties": {
                    "apiId": {"type": "string", "minLength": 1},
                    "apiSecret": {"type": "string", "minLength": 1},
                    "environment": {"enum": sorted(DEFAULT_DAILY_QUOTA)},
                    "metadataIngestion": {"type": "boolean", "description": "Enabled by the ASAPP account team"},
                    "dailyQuota": {"type": "integer", "minimum": 1, "description": "Default: per environment"},
                },
            },
        }
    },
}


def validate_fixture(fixture: dict[str, Any]) -> None:
    """Every app has its own API id."""
    seen: dict[str, str] = {}
    for name, app in fixture["apps"].items():
        if app["apiId"] in seen:
            raise FixtureError(f"{SPEC}: apps {seen[app['apiId']]!r} and {name!r} share apiId {app['apiId']!r}")
        seen[app["apiId"]] = name


async def seed(store: Store, fixture: dict[str, Any]) -> None:
    """Store the fixture's apps, keyed by API id, with their daily quota resolved."""
    for name, app in fixture["apps"].items():
        quota = app.get("dailyQuota", DEFAULT_DAILY_QUOTA[app["environment"]])
        stored = {key: value for key, value in app.items() if key not in ("apiId", "apiSecret")}
        stored["apiSecretSha256"] = digest(app["apiSecret"])
        await store.put(_APPS, digest(app["apiId"]), {**stored, "name": name, "dailyQuota": quota})


# -- credentials, access and vendor limits ---------------------------------------------------------------------


async def _app(api_id: str) -> dict[str, Any] | None:
    """A fixture app by API id (fixture data: cached until the next reset, reload or settings change)."""
    app: dict[str, Any] | None = await runtime().cached(_APPS, digest(api_id))
    return app


async def check_api_id(api_id: str, call: Call) -> dict[str, Any]:
    """`asapp-api-id`: must name a fixture app (the secret is checked with the pair by `check_api_secret`)."""
    app = await _app(api_id)
    if app is None:
        raise unauthorized("asapp-api-id is not the id of a known app", scheme="asapp-api-id")
    return {"app": app["name"]}


async def check_api_secret(api_secret: str, call: Call) -> dict[str, Any]:
    """`asapp-api-secret`: must pair with `asapp-api-id`; then access (403) and, when on, vendor limits (429)."""
    app = await _app(call.headers.get("asapp-api-id", ""))
    if app is None or not hmac.compare_digest(app["apiSecretSha256"], digest(api_secret)):
        raise unauthorized("asapp-api-secret does not match the app named by asapp-api-id", scheme="asapp-api-secret")
    if not app["metadataIngestion"]:
        raise forbidden(f"Metadata Ingestion is not enabled for app {app['name']!r}; ask your ASAPP account team")
    if runtime().vendor_limits():
        await _count_request(app)
    return {"app": app["name"]}


SECURITY = {"asapp-api-id": check_api_id, "asapp-api-secret": check_api_secret}


@functools.cache
def _spike_arrest_per_second() -> int:
    """The contract's `info.x-vendor-limits.requestsPerSecond` (vendor rate-limits page: 100 per second; fixed
    one-second windows here)."""
    return int(load_contract(SPEC).extensions["x-vendor-limits"]["requestsPerSecond"])


async def _count_request(app: dict[str, Any]) -> None:
    """Count one request against the app's spike arrest and daily quota, or refuse it with 429 and Retry-After."""
    rt = runtime()
    now = rt.clock.now()
    moment = datetime.fromtimestamp(now, tz=UTC)
    day, second = moment.date().isoformat(), math.floor(now)
    async with rt.store.transaction():
        usage = await rt.store.get(_USAGE, app["name"]) or {}
        today = usage.get("requestsToday", 0) if usage.get("day") == day else 0
        this_second = usage.get("requestsThisSecond", 0) if usage.get("second") == second else 0
        if today >= app["dailyQuota"]:
            midnight = datetime.combine(moment.date() + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
            retry_after = math.ceil(midnight.timestamp() - now)
            refusal = f"daily quota of {app['dailyQuota']} requests reached; it resets at 00:00 UTC"
        elif this_second >= _spike_arrest_per_second():
            retry_after = max(1, math.ceil(second + 1 - now))
            refusal = f"spike arrest: more than {_spike_arrest_per_second()} requests in one second"
        else:
            usage = {"app": app["name"], "day": day, "requestsToday": today + 1}
            await rt.store.put(_USAGE, app["name"], {**usage, "second": second, "requestsThisSecond": this_second + 1})
            return
    raise rate_limited(refusal, retry_after)


def _caller() -> str:
    """The name of the app that authenticated the current request."""
    return str(current().principal["asapp-api-secret"]["app"])


# -- validation ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Batch:
    """A batch operation's item validator and `items` bounds, taken from the original contract."""

    validator: SchemaValidator
    min_items: int
    max_items: int


@functools.cache
def _batches() -> dict[str, _Batch]:
    """Item validators of every per-item-validated operation, compiled once from the contract's own schemas."""
    contract = load_contract(SPEC)
    batches = {}
    for operation in contract:
        if operation.extensions.get("x-per-item-validation") and operation.request_body is not None:
            media = operation.request_body.content["application/json"]
            envelope = to_json_schema(contract.document, media.schema, Direction.REQUEST)
            items = envelope["properties"]["items"]
            batches[operation.operation_id] = _Batch(
                SchemaValidator.compile(items["items"]), items.get("minItems", 0), items.get("maxItems", 0)
            )
    return batches


def _bad_params(operation_id: str, violation: Violation) -> str:
    """The vendor's `FAIL_BAD_PARAMS` text for one violation."""
    top = violation.path[:1]
    for field, label in _ENTITIES[operation_id].ids:
        missing = violation.constraint == "required" and violation.path == (field,)
        blank = top == (field,) and len(violation.path) == 1 and violation.value in ("", None)
        if missing or blank:
            return f"{BAD_PARAMS}{label} cannot be blank"
    batch = _batches().get(operation_id)
    if batch and violation.path == ("items",) and violation.constraint in ("minItems", "maxItems"):
        return f"{BAD_PARAMS}items must hold between {batch.min_items} and {batch.max_items} entries"
    where = violation.parent if violation.constraint == "required" else violation.dotted
    return f"{BAD_PARAMS}{where + ': ' if where else ''}{_shorten(violation.message())}"


def _request_bad_params(operation_id: str, error: RequestError) -> str:
    """`FAIL_BAD_PARAMS` text for a refusal of the request as a whole."""
    violation = error.first
    if error.kind is Kind.BODY_MISSING:
        return f"{BAD_PARAMS}request body is required"
    if error.kind is Kind.BODY_MALFORMED and violation is not None and violation.constraint == "json":
        return f"{BAD_PARAMS}request body is not valid JSON ({_shorten(error.detail)})"
    if error.kind is Kind.MEDIA_TYPE_UNSUPPORTED:
        sent = violation.value if violation else None
        return f"{BAD_PARAMS}Content-type {sent!r} is not supported: send application/json"
    if error.kind is Kind.SCHEMA_VIOLATION and violation is not None and violation.location is Location.BODY:
        return _bad_params(operation_id, violation)
    return f"{BAD_PARAMS}{_shorten(error.detail)}"


def _shorten(text: str, limit: int = 240) -> str:
    """Keep messages short even when they echo a large value (the reason sits at the end, so keep both ends)."""
    return text if len(text) <= limit else f"{text[:100]} ... {text[-(limit - 105) :]}"


def error_body(error: RequestError, operation: Operation | None, media_type: str | None) -> dict[str, Any]:
    """400: the operation's own result shape (A5, A6); other statuses: ASAPP's error envelope."""
    status = error.status
    if status == 400 and operation is not None and operation.operation_id in _ENTITIES:
        text = _request_bad_params(operation.operation_id, error)
        if operation.operation_id in _batches():
            return {"errorCount": 1, "results": [{"error": text}]}
        return {"result": {"error": text}}
    title = _VENDOR_MESSAGES.get(status, HTTPStatus(status).phrase)
    detail = _MISSING_CREDENTIALS if error.kind is Kind.CREDENTIALS_MISSING else error.detail
    text = title if detail in ("", title) else f"{title}: {_shorten(detail)}"
    return {"error": {"requestId": str(uuid.uuid4()), "code": f"{status}-01", "message": text}}


# -- ingestion -------------------------------------------------------------------------------------------------


def _event_id(item: Any, *, usable: bool) -> str:
    """The item's own `eventId` when sent and valid, otherwise a UUID, as the service generates."""
    sent = item.get("eventId") if isinstance(item, dict) else None
    return sent if usable and isinstance(sent, str) else str(uuid.uuid4())


async def _store(operation_id: str, events: list[tuple[str, dict[str, Any]]]) -> None:
    """Store accepted items under the caller's app; an `eventId` sent again replaces its earlier event."""
    rt = runtime()
    collection = f"{SPEC}/{_caller()}.{_ENTITIES[operation_id].name}"
    received = rt.clock.now_iso()
    records = [
        (
            event_id,
            {"eventId": event_id, "receivedAt": received, "submissions": 1, "metadata": {**item, "eventId": event_id}},
        )
        for event_id, item in events
    ]
    if len(records) == 1 and await rt.store.insert(collection, *records[0]):
        return  # one new event, the common case: one statement
    async with rt.store.transaction():
        for event_id, record in records:
            if await rt.store.insert(collection, event_id, record):
                continue
            previous = await rt.store.get(collection, event_id) or {"submissions": 0}
            await rt.store.put(collection, event_id, {**record, "submissions": previous["submissions"] + 1})


async def _single(operation_id: str, body: dict[str, Any]) -> Reply:
    """Store one item the pipeline validated; answer with its `eventId`."""
    event_id = _event_id(body, usable=True)
    await _store(operation_id, [(event_id, body)])
    return {"result": {"eventId": event_id, "error": ""}}, 200, _JSON


async def _many(operation_id: str, body: dict[str, Any]) -> Reply:
    """Validate each item on its own, store the valid ones; 200 when any was accepted, 400 when none was."""
    validator = _batches()[operation_id].validator
    results: list[dict[str, str]] = []
    accepted: list[tuple[str, dict[str, Any]]] = []
    for item in body["items"]:
        violations = () if validator.is_valid(item) else validator.violations(item, Location.BODY)
        bad_event_id = not isinstance(item, dict) or any(v.path[:1] == ("eventId",) for v in violations)
        event_id = _event_id(item, usable=not bad_event_id)
        if violations:
            results.append({"eventId": event_id, "error": _bad_params(operation_id, violations[0])})
        else:
            results.append({"eventId": event_id, "error": ""})
            accepted.append((event_id, item))
    await _store(operation_id, accepted)
    failed = len(results) - len(accepted)
    return {"errorCount": failed, "results": results}, 200 if accepted else 400, _JSON


async def single_agent_metadata(body: dict[str, Any]) -> Reply:
    """`POST /metadata-ingestion/v1/single-agent-metadata`."""
    return await _single("singleAgentMetadata", body)


async def many_agent_metadata(body: dict[str, Any]) -> Reply:
    """`POST /metadata-ingestion/v1/many-agent-metadata`."""
    return await _many("manyAgentMetadata", body)


async def single_convo_metadata(body: dict[str, Any]) -> Reply:
    """`POST /metadata-ingestion/v1/single-convo-metadata`."""
    return await _single("singleConvoMetadata", body)


async def many_conversation_metadata(body: dict[str, Any]) -> Reply:
    """`POST /metadata-ingestion/v1/many-convo-metadata`."""
    return await _many("manyConversationMetadata", body)


async def single_customer_metadata(body: dict[str, Any]) -> Reply:
    """`POST /metadata-ingestion/v1/single-customer-metadata`."""
    return await _single("singleCustomerMetadata", body)


async def many_customer_metadata(body: dict[str, Any]) -> Reply:
    """`POST /metadata-ingestion/v1/many-customer-metadata`."""
    return await _many("manyCustomerMetadata", body)
