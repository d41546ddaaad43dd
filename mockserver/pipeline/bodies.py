"""Request bodies: read within the size and time limits, then parsed strictly by media type.

JSON is held to RFC 8259: UTF-8 text, no `NaN`/`Infinity`, no number too large to be finite, no lone UTF-16
surrogate (`"\\ud800"` is not Unicode text), and at most `MAX_JSON_DEPTH` levels of nesting. Every such body is
refused with the operation's documented 400 before anything reads it, so nothing a later read cannot parse is ever
stored. The body is judged by what arrives, not by `Content-Length`: a chunked body counts the same.
"""

from __future__ import annotations

import asyncio
import io
import json
import math
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from python_multipart.exceptions import MultipartParseError
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.types import Message, Receive

from mockserver.pipeline.parameters import coerce_scalar
from mockserver.problems import Kind, Location, Rejected, RequestError, Violation

__all__ = [
    "MAX_JSON_DEPTH",
    "Form",
    "parse_form",
    "parse_json",
    "parse_multipart",
    "read_body",
]

MAX_JSON_DEPTH = 64
"""Deepest nesting of arrays and objects a JSON body may have (every vendor document nests far less)."""


def _malformed(detail: str, constraint: str) -> Rejected:
    violation = Violation(Location.BODY, constraint=constraint)
    return Rejected(RequestError(Kind.BODY_MALFORMED, detail, violations=(violation,)))


async def read_body(receive: Receive, limit: int, timeout: float) -> bytes:
    """The whole body; 413 past `limit` bytes (however it is framed), 408-class refusal when it stalls."""
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(timeout):
            while True:
                message: Message = await receive()
                if message["type"] == "http.disconnect":
                    raise Rejected(RequestError(Kind.BODY_INCOMPLETE, "the client disconnected mid-body"))
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    raise Rejected(RequestError(Kind.BODY_TOO_LARGE, f"Request body exceeds {limit} bytes"))
                if chunk:
                    chunks.append(chunk)
                if not message.get("more_body", False):
                    break
    except TimeoutError:
        detail = f"the request body did not arrive within {timeout:g} s ({size} bytes received)"
        raise Rejected(RequestError(Kind.BODY_INCOMPLETE, detail, status=408)) from None
    return b"".join(chunks)


def _refuse_constant(name: str) -> Any:
    raise _malformed(f"{name} is not a JSON number", "finite")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _malformed(f"{text[:40]} is too large to be a finite number", "finite")
    return value


def _too_deep(value: Any) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > MAX_JSON_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _lone_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float)
"""Built once: `json.loads` with hooks would build a decoder per call."""


def parse_json(raw: bytes) -> Any:
    """A JSON body, strictly (see the module docstring)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _malformed(f"the body is not UTF-8 text (byte {exc.start})", "encoding") from None
    try:
        value = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise _malformed(
            f"the body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", "json"
        ) from None
    except RecursionError:
        raise _malformed(f"the body nests deeper than {MAX_JSON_DEPTH} levels", "depth") from None
    except ValueError as exc:  # an integer past Python's digit limit
        raise _malformed(f"the body holds a number that cannot be read ({str(exc)[:80]})", "number") from None
    if (text.count("[") + text.count("{")) > MAX_JSON_DEPTH and _too_deep(value):
        raise _malformed(f"the body nests deeper than {MAX_JSON_DEPTH} levels", "depth")
    if ("\\ud" in text or "\\uD" in text) and _lone_surrogate(value):
        raise _malformed("the body holds a lone UTF-16 surrogate, which is not Unicode text", "encoding")
    return value


def _coerce_field(schema: Mapping[str, Any], values: list[str]) -> Any:
    kind = schema.get("type")
    if kind == "array":
        item = schema.get("items") or {}
        return [coerce_scalar(item.get("type"), value) for value in values]
    return coerce_scalar(kind if isinstance(kind, str) else None, values[-1])


def parse_form(raw: bytes, schema: Mapping[str, Any]) -> dict[str, Any]:
    """An `application/x-www-form-urlencoded` body, each field coerced to its declared type."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _malformed("the form is not UTF-8 text", "encoding") from None
    fields: dict[str, list[str]] = {}
    for name, value in parse_qsl(text, keep_blank_values=True):
        fields.setdefault(name, []).append(value)
    properties = schema.get("properties") or {}
    form = {name: _coerce_field(properties.get(name) or {}, values) for name, values in fields.items()}
    if _lone_surrogate(form):
        raise _malformed("the form holds a value that is not Unicode text", "encoding")
    return form


@dataclass(frozen=True)
class Form:
    """A parsed multipart body: the text fields (coerced) and the file parts."""

    fields: dict[str, Any]
    files: dict[str, UploadFile]


def _is_file(schema: Mapping[str, Any]) -> bool:
    return schema.get("type") == "string" and schema.get("format") in ("binary", "base64")


async def parse_multipart(raw: bytes, headers: Headers, schema: Mapping[str, Any]) -> Form:
    """A `multipart/form-data` body (python-multipart through Starlette's parser)."""

    async def stream() -> AsyncGenerator[bytes, None]:
        yield raw

    try:
        parsed = await MultiPartParser(headers, stream()).parse()
    except (MultiPartException, MultipartParseError) as exc:
        raise _malformed(f"the multipart body cannot be parsed: {exc}", "multipart") from None
    properties = schema.get("properties") or {}
    fields: dict[str, Any] = {}
    files: dict[str, UploadFile] = {}
    for name in parsed:
        values = parsed.getlist(name)
        declared = properties.get(name) or {}
        uploads = [value for value in values if isinstance(value, UploadFile)]
        if _is_file(declared) and not uploads and values:
            # A binary part sent without a file name (curl -F file=text) is still the file's content.
            content = str(values[0]).encode("utf-8")
            uploads = [UploadFile(io.BytesIO(content), size=len(content), filename=None)]
        if _is_file(declared) or _is_file(declared.get("items") or {}) or uploads:
            # A file part is validated as a string (its content is not checked against the schema).
            fields[name] = "" if len(values) == 1 and _is_file(declared) else [""] * len(values)
            if uploads:
                files[name] = uploads[0]
        else:
            fields[name] = _coerce_field(declared, [str(value) for value in values])
    return Form(fields, files)
