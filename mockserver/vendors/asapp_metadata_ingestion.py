"""ASAPP Metadata Ingestion: per-app API credentials, per-item batch validation, stored metadata, vendor limits.

Apps (an `asapp-api-id` / `asapp-api-secret` pair each) come from the fixture. Accepted items are stored in
`asapp-metadata-ingestion/<app>.<agent|convo|customer>` keyed by `eventId`, so re-sending an `eventId` replaces
that event (idempotent accept) instead of duplicating it; the vendor's 409 stays fault-injection only (contract
A13). Batch items are validated one by one against the contract's item schema (`x-per-item-validation`). With
vendor limits on, each app gets the documented spike arrest (100 requests/s) and its daily quota (reset at
00:00 UTC on the mock clock), counted in `asapp-metadata-ingestion/usage`.
"""

from __future__ import annotations

import copy
import functools
import hmac
import math
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import Any

from connexion.context import context
from connexion.exceptions import OAuthProblem, ProblemException
from connexion.json_schema import Draft4RequestValidator
from jsonschema import Draft4Validator

from mockserver.contracts import Operation, load_contract
from mockserver.errors import FixtureError
from mockserver.runtime import runtime
from mockserver.store import Store

__all__ = [
    "FIXTURE_SCHEMA",
    "SECURITY",
    "SPEC",
    "error_body",
    "many_agent_metadata",
    "many_conversation_metadata",
    "many_customer_metadata",
    "prepare_contract",
    "seed",
    "single_agent_metadata",
    "single_convo_metadata",
    "single_customer_metadata",
]

SPEC = "asapp-metadata-ingestion"
SPIKE_ARREST_PER_SECOND = 100
"""Vendor rate-limits page: at most 100 requests per second (fixed one-second windows here)."""
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
_CLEARER_DETAILS = {
    "No authorization token provided": "send both the asapp-api-id and the asapp-api-secret header",
    "Request body must not be empty": "request body is required",
    "RequestBody is required": "request body is required",
}
_PATH_SUFFIX = re.compile(r"(?P<message>.*) - '(?P<path>[^']*)'", re.DOTALL)
_JSON_DECODE = re.compile(r".*: line \d+ column \d+ \(char \d+\)", re.DOTALL)

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


def seed(store: Store, fixture: dict[str, Any]) -> None:
    """Store the fixture's apps, keyed by API id, with their daily quota resolved."""
    for name, app in fixture["apps"].items():
        if store.get(_APPS, app["apiId"]) is not None:
            raise FixtureError(f"{SPEC}: apps {name!r} and another app share apiId {app['apiId']!r}")
        quota = app.get("dailyQuota", DEFAULT_DAILY_QUOTA[app["environment"]])
        store.put(_APPS, app["apiId"], {**app, "name": name, "dailyQuota": quota})


# -- credentials, access and vendor limits ---------------------------------------------------------------------


def check_api_id(api_id: str) -> dict[str, Any]:
    """`asapp-api-id`: must name a fixture app (the secret is checked with the pair by `check_api_secret`)."""
    app = runtime().store.get(_APPS, api_id)
    if app is None:
        raise OAuthProblem(detail="asapp-api-id is not the id of a known app")
    return {"app": app["name"]}


def check_api_secret(api_secret: str, request: Any) -> dict[str, Any]:
    """`asapp-api-secret`: must pair with `asapp-api-id`; then access (403) and, when on, vendor limits (429)."""
    app = runtime().store.get(_APPS, request.headers.get("asapp-api-id", ""))
    if app is None or not hmac.compare_digest(app["apiSecret"].encode(), api_secret.encode()):
        raise OAuthProblem(detail="asapp-api-secret does not match the app named by asapp-api-id")
    if not app["metadataIngestion"]:
        detail = f"Metadata Ingestion is not enabled for app {app['name']!r}; ask your ASAPP account team"
        raise ProblemException(status=403, title="Forbidden", detail=detail)
    if runtime().vendor_limits():
        _count_request(app)
    return {"app": app["name"]}


SECURITY = {"asapp-api-id": check_api_id, "asapp-api-secret": check_api_secret}


def _count_request(app: dict[str, Any]) -> None:
    """Count one request against the app's spike arrest and daily quota, or refuse it with 429 and Retry-After."""
    rt = runtime()
    now = rt.clock.now()
    moment = datetime.fromtimestamp(now, tz=UTC)
    day, second = moment.date().isoformat(), math.floor(now)
    with rt.store.transaction():
        usage = rt.store.get(_USAGE, app["name"]) or {}
        today = usage.get("requestsToday", 0) if usage.get("day") == day else 0
        this_second = usage.get("requestsThisSecond", 0) if usage.get("second") == second else 0
        if today >= app["dailyQuota"]:
            midnight = datetime.combine(moment.date() + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
            retry_after = math.ceil(midnight.timestamp() - now)
            refusal = f"daily quota of {app['dailyQuota']} requests reached; it resets at 00:00 UTC"
        elif this_second >= SPIKE_ARREST_PER_SECOND:
            retry_after = max(1, math.ceil(second + 1 - now))
            refusal = f"spike arrest: more than {SPIKE_ARREST_PER_SECOND} requests in one second"
        else:
            usage = {"app": app["name"], "day": day, "requestsToday": today + 1}
            rt.store.put(_USAGE, app["name"], {**usage, "second": second, "requestsThisSecond": this_second + 1})
            return
    headers = {"Retry-After": str(retry_after)}
    raise ProblemException(status=429, title="Too Many Requests", detail=refusal, headers=headers)


def _caller() -> str:
    """The name of the app that authenticated the current request."""
    info: dict[str, Any] = context["token_info"]
    return str(info.get("asapp-api-secret", info)["app"])


# -- validation ------------------------------------------------------------------------------------------------


def prepare_contract(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of the contract in which `x-per-item-validation` operations only validate the batch envelope."""
    prepared = copy.deepcopy(document)
    for path_item in prepared.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict) and operation.get("x-per-item-validation"):
                media = operation["requestBody"]["content"]["application/json"]
                envelope = copy.deepcopy(_dereference(prepared, media["schema"]))
                envelope["properties"]["items"] = {
                    **_dereference(prepared, envelope["properties"]["items"]),
                    "items": {},
                }
                media["schema"] = envelope
    return prepared


def _dereference(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """The schema a local `$ref` points at (or the node itself)."""
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return node
    target: Any = document
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return dict(target)


@dataclass(frozen=True)
class _Batch:
    """A batch operation's item validator and `items` bounds, taken from the original contract."""

    validator: Any
    min_items: int
    max_items: int


@functools.cache
def _batches() -> dict[str, _Batch]:
    """Item validators of every per-item-validated operation, compiled once from the contract's own schemas."""
    batches = {}
    for operation in load_contract(SPEC).operations.values():
        if operation.definition.get("x-per-item-validation"):
            items = operation.definition["requestBody"]["content"]["application/json"]["schema"]["properties"]
            validator = Draft4RequestValidator(items["items"]["items"], format_checker=Draft4Validator.FORMAT_CHECKER)
            batches[operation.operation_id] = _Batch(
                validator, items["items"].get("minItems", 0), items["items"].get("maxItems", 0)
            )
    return batches


def _bad_params(operation_id: str, message: str, path: str) -> str:
    """The vendor's `FAIL_BAD_PARAMS` text for one validation error (`path` dotted, "" at the top level)."""
    for field, label in _ENTITIES[operation_id].ids:
        missing = not path and message == f"'{field}' is a required property"
        if missing or (path == field and message.startswith(("'' ", "None "))):
            return f"{BAD_PARAMS}{label} cannot be blank"
    batch = _batches().get(operation_id)
    if batch and path == "items" and message.endswith(("should be non-empty", "is too short", "is too long")):
        return f"{BAD_PARAMS}items must hold between {batch.min_items} and {batch.max_items} entries"
    return f"{BAD_PARAMS}{path + ': ' if path else ''}{_shorten(message)}"


def _framework_bad_params(operation_id: str, message: str) -> str:
    """`_bad_params` for a message of the framework's own body validation (`<message> - '<path>'`)."""
    if _JSON_DECODE.fullmatch(message):
        return f"{BAD_PARAMS}request body is not valid JSON ({_shorten(message)})"
    split = _PATH_SUFFIX.fullmatch(message)
    if split:
        return _bad_params(operation_id, split["message"], split["path"])
    return _bad_params(operation_id, _CLEARER_DETAILS.get(message, message), "")


def _shorten(text: str, limit: int = 240) -> str:
    """Keep messages short even when they echo a large value (the reason sits at the end, so keep both ends)."""
    return text if len(text) <= limit else f"{text[:100]} ... {text[-(limit - 105) :]}"


def error_body(status: int, message: str, media_type: str | None, operation: Operation | None) -> dict[str, Any]:
    """400: the operation's own result shape (A5, A6); other statuses: ASAPP's error envelope."""
    if status == 400 and operation is not None and operation.operation_id in _ENTITIES:
        error = _framework_bad_params(operation.operation_id, message)
        if operation.operation_id in _batches():
            return {"errorCount": 1, "results": [{"error": error}]}
        return {"result": {"error": error}}
    title = _VENDOR_MESSAGES.get(status, HTTPStatus(status).phrase)
    detail = _CLEARER_DETAILS.get(message, message)
    text = title if detail in ("", title) else f"{title}: {_shorten(detail)}"
    return {"error": {"requestId": str(uuid.uuid4()), "code": f"{status}-01", "message": text}}


# -- ingestion -------------------------------------------------------------------------------------------------


def _event_id(item: Any, *, usable: bool) -> str:
    """The item's own `eventId` when sent and valid, otherwise a UUID, as the service generates."""
    sent = item.get("eventId") if isinstance(item, dict) else None
    return sent if usable and isinstance(sent, str) else str(uuid.uuid4())


def _store(operation_id: str, events: list[tuple[str, dict[str, Any]]]) -> None:
    """Store accepted items under the caller's app; an `eventId` sent again replaces its earlier event."""
    rt = runtime()
    collection = f"{SPEC}/{_caller()}.{_ENTITIES[operation_id].name}"
    received = rt.clock.now_iso()
    with rt.store.transaction():
        for event_id, item in events:
            previous = rt.store.get(collection, event_id)
            record = {
                "eventId": event_id,
                "receivedAt": received,
                "submissions": previous["submissions"] + 1 if previous else 1,
                "metadata": {**item, "eventId": event_id},
            }
            rt.store.put(collection, event_id, record)


def _single(operation_id: str, body: dict[str, Any]) -> Reply:
    """Store one item the framework validated; answer with its `eventId`."""
    event_id = _event_id(body, usable=True)
    _store(operation_id, [(event_id, body)])
    return {"result": {"eventId": event_id, "error": ""}}, 200, _JSON


def _many(operation_id: str, body: dict[str, Any]) -> Reply:
    """Validate each item on its own, store the valid ones; 200 when any was accepted, 400 when none was."""
    validator = _batches()[operation_id].validator
    results: list[dict[str, str]] = []
    accepted: list[tuple[str, dict[str, Any]]] = []
    for item in body["items"]:
        errors = list(validator.iter_errors(item))
        bad_event_id = not isinstance(item, dict) or any(list(e.path)[:1] == ["eventId"] for e in errors)
        event_id = _event_id(item, usable=not bad_event_id)
        if errors:
            path = ".".join(str(part) for part in errors[0].path)
            results.append({"eventId": event_id, "error": _bad_params(operation_id, errors[0].message, path)})
        else:
            results.append({"eventId": event_id, "error": ""})
            accepted.append((event_id, item))
    _store(operation_id, accepted)
    failed = len(results) - len(accepted)
    return {"errorCount": failed, "results": results}, 200 if accepted else 400, _JSON


async def single_agent_metadata(body: dict[str, Any]) -> Reply:
    """`POST /metadata-ingestion/v1/single-agent-metadata`."""
    return _single("singleAgentMetadata", body)


async def many_agent_metadata(body: dict[str, Any]) -> Reply:
    """`POST /metadata-ingestion/v1/many-agent-metadata`."""
    return _many("manyAgentMetadata", body)


async def single_convo_metadata(body: dict[str, Any]) -> Reply:
    """`POST /metadata-ingestion/v1/single-convo-metadata`."""
    return _single("singleConvoMetadata", body)


async def many_conversation_metadata(body: dict[str, Any]) -> Reply:
    """`POST /metadata-ingestion/v1/many-convo-metadata`."""
    return _many("manyConversationMetadata", body)


async def single_customer_metadata(body: dict[str, Any]) -> Reply:
    """`POST /metadata-ingestion/v1/single-customer-metadata`."""
    return _single("singleCustomerMetadata", body)


async def many_customer_metadata(body: dict[str, Any]) -> Reply:
    """`POST /metadata-ingestion/v1/many-customer-metadata`."""
    return _many("manyCustomerMetadata", body)
