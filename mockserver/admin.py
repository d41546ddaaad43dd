"""The admin API (`admin.yaml`, mounted at `/__admin`): reset, fixtures, snapshots, journal, records, faults, clock,
settings. It is served by the same compiled pipeline as the vendor APIs; its errors are `application/problem+json`.

With `Settings.admin_token` set, every admin call needs `Authorization: Bearer <token>` (compared in constant time);
without it (allowed on loopback only) the admin API is open.
"""

from __future__ import annotations

import dataclasses
import hmac
import html
import json
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any

import jinja2
from starlette.responses import RedirectResponse, Response

from contracts import Operation
from mockserver import faults, overrides
from mockserver.banner import demo_credentials
from mockserver.errors import ClockError, FixtureError, SettingsError
from mockserver.fixtures import KEEP_ON_RESET, SEEDED, seed_all
from mockserver.matching import Pattern
from mockserver.pipeline.call import Call, current
from mockserver.problems import Kind, RequestError, bad_request, not_found, unauthorized
from mockserver.recording import har_from_journal
from mockserver.runtime import runtime
from mockserver.settings import Settings
from mockserver.store import JournalQuery
from mockserver.vendors import Behaviour

__all__ = [
    "advance_clock",
    "behaviour",
    "clear_faults",
    "clear_journal",
    "clear_overrides",
    "count_requests",
    "create_override",
    "create_snapshot",
    "delete_fault",
    "delete_override",
    "delete_snapshot",
    "demo_login",
    "export_journal_har",
    "journal_page",
    "journal_rows",
    "list_collections",
    "list_faults",
    "list_overrides",
    "list_records",
    "list_snapshots",
    "load_fixtures",
    "open_admin_session",
    "read_clock",
    "read_journal",
    "read_journal_entry",
    "read_settings",
    "reset_state",
    "restore_snapshot",
    "set_fault",
    "update_settings",
    "verify_requests",
]

Reply = tuple[Any, int, dict[str, str]]
_JSON = {"Content-Type": "application/json"}


def NoContent() -> Response:
    """An empty 204 answer without a Content-Type."""
    return Response(status_code=204)


async def check_admin_token(token: str, call: Call) -> dict[str, Any]:
    """`Authorization: Bearer <admin token>`."""
    expected = runtime().settings.admin_token or ""
    if not hmac.compare_digest(token.encode(), expected.encode()):
        raise unauthorized("the admin token is not valid", scheme="adminToken")
    return {"admin": True}


SECURITY = {"adminToken": check_admin_token, "adminCookie": check_admin_token}
ADMIN_COOKIE = "contract_mock_admin"

_PAGES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=jinja2.select_autoescape(default=True),
)
FIXTURE_SCHEMA: dict[str, Any] = {}


async def seed(store: Any, data: dict[str, Any]) -> None:
    """The admin API has no fixtures."""


def error_body(error: RequestError, operation: Operation | None, media_type: str | None) -> dict[str, Any] | str:
    """RFC 9457 problem details; the login page where the operation answers people (text/html)."""
    if media_type == "text/html":
        return _PAGES.get_template("login.html").render(
            error=error.detail if error.kind is Kind.CREDENTIALS_INVALID else ""
        )
    return {
        "type": "about:blank",
        "title": HTTPStatus(error.status).phrase,
        "status": error.status,
        "detail": error.detail,
    }


def behaviour(settings: Settings) -> Behaviour:
    """This module as the admin API's behaviour (credentials checked only when an admin token is configured)."""
    return dataclasses.replace(Behaviour.load("__admin", __name__), open_access=not settings.admin_token)


async def _seed(folder: Path) -> Reply:
    try:
        await seed_all(runtime(), folder)
    except FixtureError as exc:
        raise bad_request(str(exc)) from exc
    await runtime().changed()
    return {"status": "reset", "detail": f"state seeded from {folder}"}, 200, _JSON


async def reset_state() -> Reply:
    """Reset to the fixtures loaded last (atomically); overrides are cleared too."""
    marker = await runtime().store.get(*SEEDED) or {}
    reply = await _seed(Path(marker.get("fixtures", runtime().settings.fixtures)))
    await overrides.clear_overrides(runtime())
    return reply


async def load_fixtures(body: dict[str, Any]) -> Reply:
    """Load another fixtures folder."""
    return await _seed(Path(body["path"]))


async def list_snapshots() -> Reply:
    """Every snapshot."""
    items = [
        {"name": name, "created": datetime.fromtimestamp(created, tz=UTC).isoformat()}
        for name, created in await runtime().store.snapshots()
    ]
    return {"snapshots": items}, 200, _JSON


async def create_snapshot(body: dict[str, Any]) -> Reply:
    """Save the vendors' state (not the journal, faults or the clock) under a name."""
    rt = runtime()
    await rt.store.save_snapshot(body["name"], rt.clock.now(), await rt.store.dump(exclude=KEEP_ON_RESET))
    return {"status": "saved", "detail": body["name"]}, 201, _JSON


async def restore_snapshot(name: str) -> Reply:
    """Replace the vendors' state with a snapshot (the journal and the clock keep moving forward)."""
    rt = runtime()
    state = await rt.store.snapshot(name)
    if state is None:
        raise not_found(f"no snapshot named {name!r}; saved: {[n for n, _ in await rt.store.snapshots()]}")
    await rt.store.load(state, keep=KEEP_ON_RESET)
    await rt.changed()
    return {"status": "restored", "detail": name}, 200, _JSON


async def delete_snapshot(name: str) -> Reply | Response:
    """Forget a snapshot."""
    if not await runtime().store.delete_snapshot(name):
        raise not_found(f"no snapshot named {name!r}")
    return NoContent()


def _query(
    spec: str | None,
    operation_id: str | None,
    status: int | None,
    method: str | None,
    kind: str | None,
    since: str | None,
    after: int | None,
    limit: int | None,
) -> JournalQuery:
    moment = None
    if since is not None:
        try:
            moment = datetime.fromisoformat(since.replace("Z", "+00:00")).timestamp()
        except ValueError as exc:
            raise bad_request(f"since {since!r} is not an ISO-8601 date-time") from exc
    return JournalQuery(
        spec=spec or None,
        operation_id=operation_id or None,
        status=status,
        method=method.upper() if method else None,
        kind=kind,
        since_time=moment,
        since_seq=after,
        limit=limit,
    )


async def read_journal(
    spec: str | None = None,
    operation_id: str | None = None,
    status: int | None = None,
    method: str | None = None,
    kind: str | None = None,
    since: str | None = None,
    after: int | None = None,
    limit: int = 1000,
) -> Reply:
    """The newest `limit` matching journal entries, oldest first."""
    query = _query(spec, operation_id, status, method, kind, since, after, limit)
    return {"entries": await runtime().journal.entries(query)}, 200, _JSON


async def read_journal_entry(seq: int) -> Reply:
    """One journal entry by its sequence number."""
    found = await runtime().journal.entries(JournalQuery(since_seq=seq - 1, limit=None))
    entry = next((item for item in found if item["seq"] == seq), None)
    if entry is None:
        raise not_found(f"no journal entry {seq} (trimmed, cleared or not yet written)")
    return entry, 200, _JSON


async def _matching(pattern: Pattern) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(matching request entries, all candidate request entries) for a pattern."""
    query = JournalQuery(spec=pattern.spec, kind="request")
    entries = await runtime().journal.entries(query)
    return [entry for entry in entries if not pattern.differences(entry)], entries


async def count_requests(body: dict[str, Any]) -> Reply:
    """How many journaled requests match a pattern."""
    matched, _ = await _matching(Pattern.from_json(body))
    return {"count": len(matched), "seqs": [entry["seq"] for entry in matched]}, 200, _JSON


async def verify_requests(body: dict[str, Any]) -> Reply:
    """200 when the pattern was called as expected; 409 with the difference and the closest requests otherwise."""
    pattern = Pattern.from_json(body)
    matched, candidates = await _matching(pattern)
    count = len(matched)
    exactly, at_least, at_most = body.get("count"), body.get("atLeast"), body.get("atMost")
    if exactly is None and at_least is None and at_most is None:
        at_least = 1
    expected = (
        f"exactly {exactly}" if exactly is not None else
        " and ".join(part for part in (
            f"at least {at_least}" if at_least is not None else "",
            f"at most {at_most}" if at_most is not None else "",
        ) if part)
    )  # fmt: skip
    ok = (
        (exactly is None or count == exactly)
        and (at_least is None or count >= at_least)
        and (at_most is None or count <= at_most)
    )
    if ok:
        return {"count": count}, 200, _JSON
    ranked = sorted(
        (entry for entry in candidates if pattern.differences(entry)),
        key=lambda e: (len(pattern.differences(e)), -e["seq"]),
    )
    closest = [
        {
            "seq": entry["seq"],
            "method": entry.get("method"),
            "path": entry.get("path"),
            "operationId": entry.get("operationId"),
            "differences": pattern.differences(entry),
        }
        for entry in ranked[:3]
    ]
    detail = f"expected {expected} call(s) of {pattern.describe()}, got {count}"
    problem = {
        "type": "about:blank",
        "title": "Conflict",
        "status": 409,
        "detail": detail,
        "count": count,
        "closest": closest,
    }
    return problem, 409, {"Content-Type": "application/problem+json"}


async def export_journal_har(
    spec: str | None = None,
    operation_id: str | None = None,
    status: int | None = None,
    method: str | None = None,
    since: str | None = None,
    after: int | None = None,
) -> Reply:
    """The journaled requests as HAR 1.2."""
    query = _query(spec, operation_id, status, method, "request", since, after, None)
    call = current()
    origin = f"{call.scope.get('scheme', 'http')}://{call.headers.get('host', 'localhost')}"
    return har_from_journal(await runtime().journal.entries(query), origin), 200, _JSON


async def clear_journal() -> Reply | Response:
    """Empty the journal."""
    await runtime().journal.clear()
    return NoContent()


def _known_spec(spec: str) -> None:
    if spec not in runtime().contracts:
        raise not_found(f"no API named {spec!r}; mounted: {', '.join(runtime().contracts)}")


async def list_collections(spec: str) -> Reply:
    """A vendor's stored collections and their sizes."""
    _known_spec(spec)
    store = runtime().store
    names = await store.collections(prefix=f"{spec}/")
    return {"collections": {name[len(spec) + 1 :]: await store.count(name) for name in names}}, 200, _JSON


async def list_records(spec: str, collection: str) -> Reply:
    """Documents of one collection."""
    _known_spec(spec)
    store = runtime().store
    name = f"{spec}/{collection}"
    records = await store.find(name)
    if not records:
        known = [n[len(spec) + 1 :] for n in await store.collections(prefix=f"{spec}/")]
        raise not_found(f"{spec} has no collection {collection!r}; stored: {known}")
    return {"records": records}, 200, _JSON


async def list_faults() -> Reply:
    """Installed faults."""
    return {"faults": await runtime().store.find(faults.COLLECTION)}, 200, _JSON


async def clear_faults() -> Reply | Response:
    """Remove every fault."""
    await faults.clear_faults(runtime())
    return NoContent()


async def set_fault(spec: str, operation_id: str, body: dict[str, Any]) -> Reply:
    """Install a fault on one operation."""
    try:
        fault = await faults.set_fault(
            runtime(),
            faults.Fault(
                spec=spec,
                operationId=operation_id,
                latencyMs=body.get("latencyMs", 0),
                status=body.get("status"),
                retryAfter=body.get("retryAfter"),
                probability=body.get("probability", 1.0),
                reason=body.get("reason"),
            ),
        )
    except SettingsError as exc:
        raise bad_request(str(exc)) from exc
    return fault.__dict__, 200, _JSON


async def delete_fault(spec: str, operation_id: str) -> Reply | Response:
    """Remove one operation's fault."""
    if not await faults.clear_faults(runtime(), spec, operation_id):
        raise not_found(f"no fault installed on {spec} {operation_id}")
    return NoContent()


async def list_overrides() -> Reply:
    """Installed overrides, oldest first."""
    found = await runtime().store.find(overrides.COLLECTION)
    return {"overrides": [{k: v for k, v in item.items() if k != "created"} for item in found]}, 200, _JSON


async def create_override(body: dict[str, Any]) -> Reply:
    """Install an override after checking its answer against the contract."""
    try:
        installed = await overrides.install_override(runtime(), body)
    except SettingsError as exc:
        raise bad_request(str(exc)) from exc
    return {k: v for k, v in installed.items() if k != "created"}, 201, _JSON


async def clear_overrides() -> Reply | Response:
    """Remove every override."""
    await overrides.clear_overrides(runtime())
    return NoContent()


async def delete_override(id_: str) -> Reply | Response:
    """Remove one override."""
    if not await overrides.clear_overrides(runtime(), id_):
        raise not_found(f"no override {id_!r}")
    return NoContent()


async def demo_login(spec: str, identity: str = "admin") -> Response:
    """Set a demo identity's cookies for one API's mount and link back to its Swagger UI."""
    rt = runtime()
    _known_spec(spec)
    cookie_names = [s.parameter for s in rt.contracts[spec].security_schemes.values() if s.location == "cookie"]
    if not cookie_names:
        raise not_found(f"{spec} does not authenticate with cookies: use Swagger UI's Authorize button")
    credentials = demo_credentials(Path(rt.settings.fixtures)).get(spec, {})
    values = credentials.get(identity)
    if not isinstance(values, dict):
        known = [name for name, value in credentials.items() if isinstance(value, dict)]
        raise bad_request(f"{spec} has no demo identity {identity!r}; known: {', '.join(known) or 'none'}")
    by_name = {str(key).lower(): str(value) for key, value in values.items()}
    missing = [name for name in cookie_names if name.lower() not in by_name]
    if missing:
        raise bad_request(f"the demo identity {identity!r} of {spec} has no value for cookie(s) {', '.join(missing)}")
    page = (
        "<!doctype html><meta charset=utf-8><title>demo login</title>"
        f"<p>Logged in to <code>/{html.escape(spec)}</code> as the demo identity <b>{html.escape(identity)}</b> "
        f"(cookies {html.escape(', '.join(cookie_names))} set for this browser).</p>"
        f"<p><a href='/{html.escape(spec)}/ui/'>Back to the {html.escape(spec)} Swagger UI</a></p>"
    )
    response = Response(page, media_type="text/html")
    for name in cookie_names:
        response.set_cookie(name, by_name[name.lower()], path=f"/{spec}", httponly=True, samesite="lax")
    return response


def _filters(spec: str | None, operation_id: str | None, status: int | None, method: str | None) -> dict[str, str]:
    given = {"spec": spec, "operationId": operation_id, "status": status, "method": method}
    return {key: str(value) for key, value in given.items() if value not in (None, "")}


_PAGE_ROWS = 200


async def journal_page(
    spec: str | None = None,
    operation_id: str | None = None,
    status: int | None = None,
    method: str | None = None,
    seq: int | None = None,
) -> Reply:
    """The journal page: filters, the newest entries (newest first) and, with `seq`, one entry in full."""
    rt = runtime()
    entries = await rt.journal.entries(_query(spec, operation_id, status, method, "request", None, None, _PAGE_ROWS))
    selected = None
    if seq is not None:
        selected = next(
            (e for e in await rt.journal.entries(JournalQuery(since_seq=seq - 1, limit=None)) if e["seq"] == seq), None
        )
    filters = _filters(spec, operation_id, status, method)
    page = _PAGES.get_template("journal.html").render(
        entries=list(reversed(entries)),
        specs=list(rt.contracts),
        filters=filters,
        filters_query="&".join(f"{k}={v}" for k, v in filters.items()),
        filters_json=json.dumps(filters).replace("</", "<\\/"),
        selected=selected,
        missing=seq if seq is not None and selected is None else None,
    )
    return page, 200, {"Content-Type": "text/html"}


async def journal_rows(
    spec: str | None = None,
    operation_id: str | None = None,
    status: int | None = None,
    method: str | None = None,
    after: int | None = None,
) -> Reply:
    """The table rows of entries newer than `after`, newest first (the page polls this)."""
    entries = await runtime().journal.entries(
        _query(spec, operation_id, status, method, "request", None, after, _PAGE_ROWS)
    )
    filters = _filters(spec, operation_id, status, method)
    rows = _PAGES.get_template("_rows.html").render(
        entries=list(reversed(entries)), filters_query="&".join(f"{k}={v}" for k, v in filters.items())
    )
    return rows, 200, {"Content-Type": "text/html"}


async def open_admin_session(body: dict[str, Any]) -> Response:
    """Check the admin token from the login form and keep it in an HttpOnly cookie for the admin pages."""
    expected = runtime().settings.admin_token
    if expected is None:
        return RedirectResponse("/__admin/", status_code=303)
    if not hmac.compare_digest(str(body["token"]).encode(), expected.encode()):
        raise unauthorized("the admin token is not valid", scheme="adminCookie")
    response = RedirectResponse("/__admin/", status_code=303)
    response.set_cookie(ADMIN_COOKIE, expected, path="/__admin", httponly=True, samesite="strict")
    return response


def _clock() -> dict[str, Any]:
    rt = runtime()
    return {"now": rt.clock.now_iso(), "offsetSeconds": rt.clock.offset()}


async def read_clock() -> Reply:
    """The mock's time."""
    return _clock(), 200, _JSON


async def advance_clock(body: dict[str, Any]) -> Reply:
    """Move the clock forward (every worker follows)."""
    rt = runtime()
    try:
        await rt.clock.advance(body["seconds"])
    except ClockError as exc:
        raise bad_request(str(exc), kind=Kind.SCHEMA_VIOLATION) from exc
    await rt.changed()
    return _clock(), 200, _JSON


def _settings() -> dict[str, Any]:
    rt = runtime()
    return {
        "vendorLimits": rt.vendor_limits(),
        "validateResponses": rt.settings.validate_responses,
        "specs": list(rt.contracts),
    }


async def read_settings() -> Reply:
    """Runtime settings."""
    return _settings(), 200, _JSON


async def update_settings(body: dict[str, Any]) -> Reply:
    """Change runtime settings."""
    if "vendorLimits" in body:
        await runtime().set_vendor_limits(bool(body["vendorLimits"]))
    return _settings(), 200, _JSON
