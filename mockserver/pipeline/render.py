"""Typed refusals rendered as the vendor's documented envelope, in a status and media type the operation declares."""

from __future__ import annotations

import json
import logging

from contracts import Operation
from mockserver.pipeline.responses import Answer, dumps
from mockserver.problems import RequestError
from mockserver.vendors import Behaviour

__all__ = ["declared_status", "render_error"]

log = logging.getLogger("mockserver.errors")


def declared_status(operation: Operation | None, status: int) -> int:
    """The status to send: the one asked for when the operation declares it, else the nearest declared fallback."""
    if operation is None or operation.declares(status):
        return status
    if status == 403 and operation.declares(401):
        return 401
    fallback = 400 if 400 <= status < 500 else 500
    # Expected for framework-level refusals (415 -> 400, say): debug, not a warning on every such request.
    log.debug("%s %s does not declare %s; answering %s", operation.contract, operation.operation_id, status, fallback)
    return fallback


def render_error(behaviour: Behaviour, operation: Operation | None, error: RequestError) -> Answer:
    """The vendor's envelope for a refusal (after the vendor's own `refine`, if it has one)."""
    if behaviour.refine is not None:
        error = behaviour.refine(error, operation)
    status = declared_status(operation, error.status)
    if status != error.status:
        error = error.with_status(status)
    media = operation.media_type(status) if operation is not None else "application/json"
    payload = behaviour.error_body(error, operation, media)
    headers = dict(error.headers)
    if media is not None and media.startswith("text/") and "charset" not in media:
        headers.setdefault("Content-Type", f"{media}; charset=utf-8")
    if media is None or payload is None:
        return Answer(status, headers, None)
    if isinstance(payload, bytes):
        body = payload
    elif isinstance(payload, str) and not media.split(";")[0].endswith("json"):
        body = payload.encode("utf-8")
    else:
        body = dumps(payload)
    data = payload if not isinstance(payload, bytes | str) else _maybe_json(body, media)
    return Answer(status, headers, media, body=body, data=data)


def _maybe_json(body: bytes, media: str) -> object:
    if not media.split(";")[0].endswith("json"):
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None
