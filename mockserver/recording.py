"""Recording forwarded traffic as HAR 1.2 (`contract-mock proxy --record FILE.har`), with every credential the
contract declares masked: header, query and cookie credentials by name, and body fields marked `x-credential`.

The file is rewritten atomically every `SAVE_EVERY` exchanges and when the proxy stops, so a crash loses at most
that many. `contract-mock fixtures-from-har` turns a recording into fixture data where a vendor module can seed
from it (see `mockserver.har_fixtures`).
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any

import httpx
from starlette.requests import Request

from mockserver.journal import MASK, mask_cookie_header, mask_json
from mockserver.pipeline.compiler import Credentials

__all__ = ["SAVE_EVERY", "Recorder", "har_from_journal", "mask_body_text"]

SAVE_EVERY = 50
_CREATOR = {"name": "contract-mock proxy", "version": "1"}


def mask_body_text(text: str, media_type: str, fields: frozenset[str]) -> str:
    """A body as text with credential fields masked (JSON bodies; other bodies are kept as they are)."""
    if "json" not in media_type or not fields:
        return text
    try:
        return json.dumps(mask_json(json.loads(text), fields), ensure_ascii=False)
    except ValueError:
        return text


class Recorder:
    """Collects exchanges and writes them as one HAR document."""

    def __init__(self, path: Path, credentials: Credentials) -> None:
        self.path = path
        self.credentials = credentials
        self.entries: list[dict[str, Any]] = []

    @property
    def count(self) -> int:
        """Exchanges recorded so far."""
        return len(self.entries)

    def _headers(self, pairs: list[tuple[str, str]], *, response: bool) -> list[dict[str, str]]:
        out = []
        for name, value in pairs:
            lowered = name.lower()
            if lowered in self.credentials.headers or lowered == "authorization":
                value = MASK
            elif lowered == "cookie":
                value = mask_cookie_header(value, self.credentials.cookies)
            elif lowered == "set-cookie" and value.split("=", 1)[0].strip() in self.credentials.cookies:
                value = f"{value.split('=', 1)[0]}={MASK}"
            out.append({"name": name, "value": value})
        return out

    def add(
        self,
        request: Request,
        request_body: bytes | None,
        response: httpx.Response,
        response_body: bytes | None,
        started: float,
    ) -> None:
        """Record one exchange (a body not captured is recorded with its size only)."""
        query = [
            {"name": name, "value": MASK if name in self.credentials.query else value}
            for name, value in request.query_params.multi_items()
        ]
        url = (
            str(request.url.replace(query="&".join(f"{q['name']}={q['value']}" for q in query)))
            if query
            else str(request.url)
        )
        request_media = request.headers.get("content-type", "")
        entry: dict[str, Any] = {
            "startedDateTime": datetime.fromtimestamp(started, tz=UTC).isoformat(),
            "time": round((datetime.now(tz=UTC).timestamp() - started) * 1000, 2),
            "request": {
                "method": request.method,
                "url": url,
                "httpVersion": f"HTTP/{request.scope.get('http_version', '1.1')}",
                "headers": self._headers(list(request.headers.items()), response=False),
                "queryString": query,
                "cookies": [],
                "headersSize": -1,
                "bodySize": len(request_body) if request_body is not None else -1,
            },
            "response": {
                "status": response.status_code,
                "statusText": _phrase(response.status_code),
                "httpVersion": response.http_version,
                "headers": self._headers(list(response.headers.multi_items()), response=True),
                "cookies": [],
                "content": {
                    "size": len(response_body) if response_body is not None else -1,
                    "mimeType": response.headers.get("content-type", ""),
                },
                "redirectURL": response.headers.get("location", ""),
                "headersSize": -1,
                "bodySize": -1,
            },
            "cache": {},
            "timings": {"send": 0, "wait": 0, "receive": 0},
        }
        if request_body is not None:
            text = request_body.decode("utf-8", errors="replace")
            entry["request"]["postData"] = {
                "mimeType": request_media,
                "text": mask_body_text(text, request_media, self.credentials.fields),
            }
        if response_body is not None:
            media = response.headers.get("content-type", "")
            entry["response"]["content"]["text"] = mask_body_text(
                response_body.decode("utf-8", errors="replace"), media, self.credentials.fields
            )
        self.entries.append(entry)
        if len(self.entries) % SAVE_EVERY == 0:
            self.save()

    def save(self) -> None:
        """Write the HAR file atomically."""
        document = {"log": {"version": "1.2", "creator": _CREATOR, "entries": self.entries}}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".har-", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(document, out, ensure_ascii=False, indent=1)
        Path(temporary).replace(self.path)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def har_from_journal(entries: list[dict[str, Any]], origin: str = "http://localhost") -> dict[str, Any]:
    """Journal entries (already masked) as a HAR 1.2 document. URLs are absolute, as HAR requires: the host each
    request named, else `origin` (the mock as the export was asked of it)."""
    scheme = origin.partition("://")[0] or "http"
    converted = []
    for entry in entries:
        if entry.get("kind") != "request":
            continue
        request = entry.get("request") or {}
        response = entry.get("response") or {}
        query = [
            {"name": name, "value": str(item)}
            for name, value in (entry.get("query") or {}).items()
            for item in (value if isinstance(value, list) else [value])
        ]
        suffix = "?" + "&".join(f"{q['name']}={q['value']}" for q in query) if query else ""
        host = (request.get("headers") or {}).get("host")
        base = f"{scheme}://{host}" if isinstance(host, str) and host else origin.rstrip("/")
        har: dict[str, Any] = {
            "startedDateTime": entry.get("time"),
            "time": entry.get("durationMs", 0),
            "request": {
                "method": entry.get("method"),
                "url": f"{base}{entry.get('path')}{suffix}",
                "httpVersion": "HTTP/1.1",
                "headers": [{"name": k, "value": str(v)} for k, v in (request.get("headers") or {}).items()],
                "queryString": query,
                "cookies": [],
                "headersSize": -1,
                "bodySize": -1,
            },
            "response": {
                "status": entry.get("status"),
                "statusText": _phrase(int(entry.get("status") or 0)),
                "httpVersion": "HTTP/1.1",
                "headers": [{"name": k, "value": str(v)} for k, v in (response.get("headers") or {}).items()],
                "cookies": [],
                "content": {
                    "size": -1,
                    "mimeType": response.get("mediaType") or "",
                    "text": response.get("body") or "",
                },
                "redirectURL": "",
                "headersSize": -1,
                "bodySize": -1,
            },
            "cache": {},
            "timings": {"send": 0, "wait": entry.get("durationMs", 0), "receive": 0},
            "comment": f"seq {entry.get('seq')} {entry.get('spec')} {entry.get('operationId') or '(no operation)'}",
        }
        body = request.get("body")
        if body:
            media = (request.get("headers") or {}).get("content-type", "")
            har["request"]["postData"] = {"mimeType": media, "text": body}
        converted.append(har)
    return {"log": {"version": "1.2", "creator": {"name": "contract-mock", "version": "1"}, "entries": converted}}
