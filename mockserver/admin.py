"""Handlers of the admin API (`admin.yaml`, mounted at `/__admin`)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connexion.exceptions import BadRequestProblem, ClientProblem
from starlette.responses import Response

from mockserver import faults, journal
from mockserver.errors import ConfigurationError, FixtureError
from mockserver.fixtures import KEEP_ON_RESET, SEEDED, seed_all
from mockserver.runtime import runtime

__all__ = [
    "advance_clock",
    "clear_faults",
    "clear_journal",
    "create_snapshot",
    "delete_fault",
    "delete_snapshot",
    "list_collections",
    "list_faults",
    "list_records",
    "list_snapshots",
    "load_fixtures",
    "read_clock",
    "read_journal",
    "read_settings",
    "reset_state",
    "restore_snapshot",
    "set_fault",
    "update_settings",
]

Reply = tuple[Any, int, dict[str, str]]
_JSON = {"Content-Type": "application/json"}


def NoContent() -> Response:
    """An empty 204 answer without a Content-Type."""
    return Response(status_code=204)


def _not_found(detail: str) -> ClientProblem:
    return ClientProblem(404, "Not Found", detail=detail)


def _seed(folder: Path) -> Reply:
    try:
        seed_all(runtime(), folder)
    except FixtureError as exc:
        raise BadRequestProblem(detail=str(exc)) from exc
    return {"status": "reset", "detail": f"state seeded from {folder}"}, 200, _JSON


async def reset_state() -> Reply:
    """Reset to the fixtures loaded last."""
    marker = runtime().store.get(*SEEDED) or {}
    return _seed(Path(marker.get("fixtures", runtime().settings.fixtures)))


async def load_fixtures(body: dict[str, Any]) -> Reply:
    """Load another fixtures folder."""
    return _seed(Path(body["path"]))


async def list_snapshots() -> Reply:
    """Every snapshot."""
    items = [
        {"name": name, "created": datetime.fromtimestamp(created, tz=UTC).isoformat()}
        for name, created in runtime().store.snapshots()
    ]
    return {"snapshots": items}, 200, _JSON


async def create_snapshot(body: dict[str, Any]) -> Reply:
    """Save the vendors' state (not the journal or faults) under a name."""
    rt = runtime()
    rt.store.save_snapshot(body["name"], rt.clock.now(), rt.store.dump(exclude=KEEP_ON_RESET))
    return {"status": "saved", "detail": body["name"]}, 201, _JSON


async def restore_snapshot(name: str) -> Reply:
    """Replace the vendors' state with a snapshot."""
    rt = runtime()
    state = rt.store.snapshot(name)
    if state is None:
        raise _not_found(f"no snapshot named {name!r}; saved: {[n for n, _ in rt.store.snapshots()]}")
    rt.store.load(state, keep=KEEP_ON_RESET)
    return {"status": "restored", "detail": name}, 200, _JSON


async def delete_snapshot(name: str) -> Reply | Response:
    """Forget a snapshot."""
    if not runtime().store.delete_snapshot(name):
        raise _not_found(f"no snapshot named {name!r}")
    return NoContent()


async def read_journal(
    spec: str | None = None, operation_id: str | None = None, kind: str | None = None, limit: int = 1000
) -> Reply:
    """The newest `limit` journal entries, oldest first."""
    found = journal.entries(runtime(), spec=spec, operation_id=operation_id, kind=kind)
    return {"entries": found[-limit:]}, 200, _JSON


async def clear_journal() -> Reply | Response:
    """Empty the journal."""
    runtime().store.delete_where(journal.COLLECTION)
    return NoContent()


def _known_spec(spec: str) -> None:
    if spec not in runtime().contracts:
        raise _not_found(f"no API named {spec!r}; mounted: {', '.join(runtime().contracts)}")


async def list_collections(spec: str) -> Reply:
    """A vendor's stored collections and their sizes."""
    _known_spec(spec)
    store = runtime().store
    names = store.collections(prefix=f"{spec}/")
    return {"collections": {name[len(spec) + 1 :]: store.count(name) for name in names}}, 200, _JSON


async def list_records(spec: str, collection: str) -> Reply:
    """Documents of one collection."""
    _known_spec(spec)
    store = runtime().store
    name = f"{spec}/{collection}"
    if store.count(name) == 0:
        known = [n[len(spec) + 1 :] for n in store.collections(prefix=f"{spec}/")]
        raise _not_found(f"{spec} has no collection {collection!r}; stored: {known}")
    return {"records": store.find(name)}, 200, _JSON


async def list_faults() -> Reply:
    """Installed faults."""
    return {"faults": runtime().store.find(faults.COLLECTION)}, 200, _JSON


async def clear_faults() -> Reply | Response:
    """Remove every fault."""
    faults.clear_faults(runtime())
    return NoContent()


async def set_fault(spec: str, operation_id: str, body: dict[str, Any]) -> Reply:
    """Install a fault on one operation."""
    try:
        fault = faults.set_fault(
            runtime(),
            faults.Fault(
                spec=spec,
                operationId=operation_id,
                latencyMs=body.get("latencyMs", 0),
                status=body.get("status"),
                retryAfter=body.get("retryAfter"),
                probability=body.get("probability", 1.0),
            ),
        )
    except ConfigurationError as exc:
        raise BadRequestProblem(detail=str(exc)) from exc
    return fault.__dict__, 200, _JSON


async def delete_fault(spec: str, operation_id: str) -> Reply | Response:
    """Remove one operation's fault."""
    if not faults.clear_faults(runtime(), spec, operation_id):
        raise _not_found(f"no fault installed on {spec} {operation_id}")
    return NoContent()


def _clock() -> dict[str, Any]:
    rt = runtime()
    return {"now": rt.clock.now_iso(), "offsetSeconds": rt.clock.offset()}


async def read_clock() -> Reply:
    """The mock's time."""
    return _clock(), 200, _JSON


async def advance_clock(body: dict[str, Any]) -> Reply:
    """Move the clock forward."""
    runtime().clock.advance(float(body["seconds"]))
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
        runtime().set_vendor_limits(bool(body["vendorLimits"]))
    return _settings(), 200, _JSON
