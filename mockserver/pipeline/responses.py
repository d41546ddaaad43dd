"""What handlers return, normalised into one answer, checked against the contract and written to the client.

A handler returns `(body, status[, headers])`, a bare body (200), or a Starlette `Response` (streams, files, 204s).
With response validation on, the status must be declared, the media type must be one the status declares, a JSON
body must satisfy its schema and every required header must be present; anything else is the mock's own bug, so it
becomes a 500 in the vendor's envelope and a journal problem instead of reaching a client as if it were valid.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from contracts import Operation
from mockserver.pipeline.parameters import coerce_scalar
from mockserver.pipeline.schemas import Direction, SchemaValidator, to_json_schema
from mockserver.problems import Location

__all__ = ["Answer", "ResponseChecks", "compile_response_checks", "dumps", "normalise"]


def dumps(body: Any) -> bytes:
    """Compact UTF-8 JSON (non-finite numbers are a bug: the store and parser never let them in). Text that is not
    Unicode (a lone surrogate echoed from a refused request) is written as JSON escapes, never as invalid UTF-8."""
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(body, separators=(",", ":"), allow_nan=False).encode("ascii")


@dataclass
class Answer:
    """A normalised handler result."""

    status: int
    headers: dict[str, str]
    media_type: str | None
    body: bytes = b""
    data: Any = None
    """The JSON value behind `body` (for validation and the journal); None for non-JSON bodies."""
    response: Response | None = field(default=None, repr=False)
    """A Starlette response sent as it is (streams)."""

    @property
    def is_json(self) -> bool:
        """Whether the body is JSON by its media type."""
        return bool(self.media_type) and (self.media_type or "").split(";")[0].strip().endswith("json")

    async def send(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Write the answer."""
        if self.response is not None:
            await self.response(scope, receive, send)
            return
        headers = [(key.lower().encode("latin-1"), str(value).encode("latin-1")) for key, value in self.headers.items()]
        if self.media_type and b"content-type" not in {key for key, _ in headers}:
            headers.append((b"content-type", self.media_type.encode("latin-1")))
        if self.status not in (204, 304):
            headers.append((b"content-length", str(len(self.body)).encode("latin-1")))
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": self.body if self.status not in (204, 304) else b""})


def _split_headers(headers: Mapping[str, str]) -> tuple[dict[str, str], str | None]:
    rest = {key: str(value) for key, value in headers.items() if key.lower() != "content-type"}
    media = next((str(value) for key, value in headers.items() if key.lower() == "content-type"), None)
    return rest, media


def normalise(result: Any, operation: Operation) -> Answer:
    """Any handler result as an `Answer` (the media type defaults to the one the status declares)."""
    if isinstance(result, Response):
        media = result.headers.get("content-type") or result.media_type
        headers = {
            key: value for key, value in result.headers.items() if key.lower() not in ("content-length", "content-type")
        }
        if isinstance(result, StreamingResponse) or not hasattr(result, "body"):
            return Answer(result.status_code, headers, media, response=result)
        raw = bytes(result.body)
        return Answer(result.status_code, headers, media, body=raw, data=_json_or_none(raw, media))
    status, headers = 200, {}
    body = result
    if isinstance(result, tuple):
        body = result[0]
        status = int(result[1]) if len(result) > 1 else 200
        headers = dict(result[2]) if len(result) > 2 and result[2] else {}
    headers, media = _split_headers(headers)
    media = media or operation.media_type(status)
    if body is None:
        return Answer(status, headers, media if status not in (204, 304) else None)
    if isinstance(body, bytes):
        return Answer(status, headers, media, body=body, data=_json_or_none(body, media))
    if isinstance(body, str) and not (media or "").split(";")[0].endswith("json"):
        return Answer(status, headers, media or "text/plain", body=body.encode("utf-8"))
    return Answer(status, headers, media or "application/json", body=dumps(body), data=body)


def _json_or_none(body: bytes, media: str | None) -> Any:
    if not media or not media.split(";")[0].strip().endswith("json") or not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


@dataclass(frozen=True)
class ResponseChecks:
    """One operation's declared responses, compiled: media types, body validators and required headers."""

    operation: Operation
    validators: Mapping[tuple[str, str], SchemaValidator | None]
    """(response key, media type) -> the body's validator (None: no schema)."""
    header_validators: Mapping[tuple[str, str], tuple[str | None, SchemaValidator]] = field(default_factory=dict)
    """(response key, lower-cased header name) -> the header schema's type and validator."""

    def problems(self, answer: Answer) -> list[str]:
        """Why the answer is not one the contract declares (empty when it is)."""
        response = self.operation.response_for(answer.status)
        if response is None:
            return [f"status {answer.status} is not declared (declared: {', '.join(self.operation.responses)})"]
        found: list[str] = []
        present = {key.lower() for key in answer.headers}
        found += [
            f"required header {name} is missing" for name in response.required_headers if name.lower() not in present
        ]
        for name, value in answer.headers.items():
            checked = self.header_validators.get((response.key, name.lower()))
            if checked is not None:
                kind, header_validator = checked
                coerced = coerce_scalar(kind, str(value))
                if not header_validator.is_valid(coerced):
                    violation = header_validator.violations(coerced, Location.HEADER)[0]
                    found.append(f"header {name} {str(value)!r} does not match its schema: {violation.describe()}")
        if not response.content:
            if answer.body or answer.response is not None:
                found.append(f"status {answer.status} declares no body, but one was sent")
            return found
        media = (answer.media_type or "").split(";")[0].strip().lower()
        declared = next((name for name in response.content if name.lower() == media), None)
        if declared is None:
            found.append(
                f"media type {media or '(none)'} is not declared for {answer.status} ({', '.join(response.content)})"
            )
            return found
        validator = self.validators.get((response.key, declared))
        if validator is not None and answer.response is None and media.endswith("json"):
            if answer.data is None and answer.body:
                found.append("the body is not valid JSON")
            elif not validator.is_valid(answer.data):
                violation = validator.violations(answer.data, Location.BODY)[0]
                found.append(f"the body does not match the schema: {violation.describe()}")
        return found


def compile_response_checks(root: Mapping[str, Any], operation: Operation) -> ResponseChecks:
    """Compile the response validators of one operation once."""
    validators: dict[tuple[str, str], SchemaValidator | None] = {}
    for key, response in operation.responses.items():
        for media, content in response.content.items():
            if content.schema is not None and media.split(";")[0].strip().endswith("json"):
                validators[(key, media)] = SchemaValidator.compile(
                    to_json_schema(root, content.schema, Direction.RESPONSE)
                )
            else:
                validators[(key, media)] = None
    headers: dict[tuple[str, str], tuple[str | None, SchemaValidator]] = {}
    for key, response in operation.responses.items():
        for name, header in response.headers.items():
            if header.schema is not None:
                schema = to_json_schema(root, header.schema, Direction.RESPONSE)
                kind = schema.get("type") if isinstance(schema.get("type"), str) else None
                headers[(key, name.lower())] = (kind, SchemaValidator.compile(schema))
    return ResponseChecks(operation, validators, headers)
