"""Vendor envelope checks, registered with Schemathesis next to its own checks.

Each vendor rule is a pure function `(http_status, body) -> (received, documented) | None`, so it can be
tested without a server; the registered checks only pick the rule for the campaign's vendor, decode the body
and raise an `EnvelopeViolation` naming what was received and what the contract documents.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import schemathesis

from conformance.context import context_for
from conformance.violations import EnvelopeViolation

if TYPE_CHECKING:
    from schemathesis import Case, CheckContext, Response

__all__ = ["aisera_problem", "alvaria_problem", "asapp_problem", "decode_body", "sse_events", "sysaid_problem"]

Problem = tuple[str, str]
Rule = Callable[[int, Any], "Problem | None"]
SSE_STATUS = {"done": "ok", "error": "error", "message": "stream"}
# RFC 9457 problem details: a framework's or proxy's error envelope, never a vendor envelope of these contracts.
PROBLEM_JSON = "application/problem+json"


def sysaid_problem(status: int, body: Any) -> Problem | None:
    """SysAid `status` ("ok", "error", "stream", "in-progress") must agree with the body and HTTP status.

    SysAid's `status` is a string; a numeric `status` belongs to another envelope (RFC 9457 problem details, which
    a non-SysAid error page sends), which this rule does not judge: content-type and schema checks do.
    """
    if not isinstance(body, dict) or not isinstance(body.get("status"), str):
        return None
    kind, text = body["status"], body.get("error", body.get("message"))
    if status >= 400 and kind != "error":
        return f"HTTP {status} with status {kind!r}", f'HTTP {status} answers carry status "error"'
    if kind == "error":
        if not isinstance(text, str) or not text:
            return 'status "error" without an error text', 'status "error" carries a non-empty `error` or `message`'
        if 200 < status < 400:
            return f'HTTP {status} with status "error"', "in-band errors are answered 200, other errors 4xx/5xx"
    elif kind in ("ok", "in-progress", "stream") and "error" in body:
        return f"status {kind!r} with an `error` field", f"status {kind!r} bodies carry no `error`"
    if kind == "stream" and not body.get("sid") and not isinstance(body.get("content"), str):
        return (
            'status "stream" without `sid` or `content`',
            'status "stream" carries the stream `sid` (events: `content`)',
        )
    return None


def sse_events(text: str) -> list[tuple[str, Any]]:
    """Parse Server-Sent Events into (event name, decoded JSON data) pairs; undecodable data is kept as text."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
        if data:
            raw = "\n".join(data)
            try:
                events.append((name, json.loads(raw)))
            except ValueError:
                events.append((name, raw))
    return events


def sysaid_stream_problem(status: int, text: str) -> Problem | None:
    """Each SysAid stream event's `status` matches its event name and body."""
    for name, data in sse_events(text):
        expected = SSE_STATUS.get(name)
        actual = data.get("status") if isinstance(data, dict) else None
        if expected is not None and actual != expected:
            return f"event {name!r} with status {actual!r}", f'event {name!r} carries status "{expected}"'
        problem = sysaid_problem(status, data)
        if problem is not None:
            return problem
    return None


def asapp_problem(status: int, body: Any) -> Problem | None:
    """ASAPP batch `errorCount` equals the failed results; single results and error codes match the status.

    The batch status rule (200 for a partial success, 400 when every item failed) is the contract's `x-batch`
    statement, enforced by `batch_status`.
    """
    if not isinstance(body, dict):
        return None
    results = body.get("results")
    if isinstance(results, list) and "errorCount" in body:
        failed = sum(1 for item in results if isinstance(item, dict) and item.get("error"))
        if body["errorCount"] != failed:
            received = f"errorCount {body['errorCount']!r} with {failed} failed result(s)"
            return received, "errorCount equal to the failed results"
    result = body.get("result")
    if isinstance(result, dict):
        if status == 200 and result.get("error"):
            return f"HTTP 200 with result.error {result['error']!r}", "an accepted item carries no error"
        if status == 400 and not result.get("error"):
            return "HTTP 400 with an empty result.error", "a refused item says why in result.error"
    error = body.get("error")
    if isinstance(error, dict) and isinstance(error.get("code"), str) and not error["code"].startswith(f"{status}-"):
        return f"HTTP {status} with error.code {error['code']!r}", f"error.code of the form {status}-NN"
    return None


def _code_matches_status(status: int, body: Any) -> Problem | None:
    if status >= 400 and isinstance(body, dict) and isinstance(body.get("code"), int) and body["code"] != status:
        return f"HTTP {status} with body code {body['code']}", f"`code` equal to the HTTP status ({status})"
    return None


def aisera_problem(status: int, body: Any) -> Problem | None:
    """Aisera error envelopes carry the HTTP status in `code`."""
    return _code_matches_status(status, body)


def alvaria_problem(status: int, body: Any) -> Problem | None:
    """Alvaria `ErrorResponse.code` is the HTTP status."""
    return _code_matches_status(status, body)


def decode_body(response: Response) -> tuple[str, Any]:
    """The response media type and its decoded body (JSON when declared so, else text)."""
    media = (response.headers.get("content-type") or [""])[0].split(";")[0].strip().lower()
    text = response.content.decode("utf-8", errors="replace") if response.content else ""
    if media.endswith("json"):
        try:
            return media, json.loads(text)
        except ValueError:
            return media, None
    return media, text


def _run(case: Case[Any], response: Response, specs: tuple[str, ...], rule: Rule) -> bool | None:
    context = context_for(case)
    if context is None or context.spec not in specs:
        return True
    media, body = decode_body(response)
    if media == PROBLEM_JSON:
        return True
    if media == "text/event-stream" and isinstance(body, str):
        problem = sysaid_stream_problem(response.status_code, body) if rule is sysaid_problem else None
    else:
        problem = rule(response.status_code, body)
    if problem is not None:
        raise EnvelopeViolation(operation=case.operation.label, received=problem[0], documented=problem[1])
    return None


@schemathesis.check
def sysaid_status_envelope(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """SysAid's in-band `status` agrees with the body and the HTTP status."""
    return _run(case, response, ("sysaid-copilot",), sysaid_problem)


@schemathesis.check
def asapp_batch_error_count(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """ASAPP batch counts, single results and error codes agree with each other and the HTTP status."""
    return _run(case, response, ("asapp-metadata-ingestion",), asapp_problem)


@schemathesis.check
def aisera_error_code(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """Aisera error `code` equals the HTTP status."""
    return _run(case, response, ("aisera-ingestion", "aisera-conversation"), aisera_problem)


@schemathesis.check
def alvaria_error_code(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """Alvaria `ErrorResponse.code` equals the HTTP status."""
    return _run(case, response, ("alvaria-messaging",), alvaria_problem)
