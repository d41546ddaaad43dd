"""The validating proxy: forwards traffic to a real deployment unchanged and checks both directions against a contract.

Requests and responses pass through byte for byte (status, headers and body; the proxy's own server adds no `date`
or `server` header of its own); bodies are streamed, and only a bounded copy of a JSON or form body is kept for
validation (uploads and event streams are checked on status, headers and media type alone), using openapi-core.
Every violation (operation, direction, path in the body, reason) goes to the journal and to a JSON Lines file.
With `record`, every exchange is also written to a HAR file, with every credential the contract declares masked.
The summary is printed when the proxy stops, whether by Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import contextlib
import copy
import json
import time
import zlib
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from typing import Any

import httpx
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from contracts import Operation, load_contract
from mockserver.clock import Clock
from mockserver.journal import Journal
from mockserver.pipeline.compiler import credentials_of
from mockserver.recording import Recorder
from mockserver.runtime import Runtime
from mockserver.settings import Settings
from mockserver.store import JournalQuery, open_store

__all__ = ["Violation", "create_proxy"]

_HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
    "transfer-encoding", "upgrade", "host",
}  # fmt: skip
_VALIDATED_MEDIA = ("json", "x-www-form-urlencoded")


@dataclass(frozen=True)
class Violation:
    """One way a request or response departed from the contract."""

    time: str
    operation: str | None
    direction: str
    method: str
    path: str
    status: int | None
    where: str
    reason: str


def _problems(errors: list[Exception]) -> list[tuple[str, str]]:
    """(where, reason) pairs from openapi-core errors, with JSON paths into the body where known."""
    found: list[tuple[str, str]] = []
    for error in errors:
        cause = error.__cause__ or error
        schema_errors = getattr(cause, "schema_errors", None)
        if schema_errors:
            for item in schema_errors:
                where = "/" + "/".join(str(part) for part in item.absolute_path)
                found.append((f"body{where}" if where != "/" else "body", item.message))
        else:
            found.append((type(cause).__name__, str(cause)))
    return found


def _decoded(body: bytes, encoding: str | None) -> bytes | None:
    if not encoding or encoding == "identity":
        return body
    if encoding in ("gzip", "deflate"):
        return zlib.decompress(body, wbits=47)  # 47: accept gzip or zlib headers
    return None


class _Proxy:
    def __init__(self, settings: Settings, rt: Runtime) -> None:
        assert settings.proxy_spec is not None and settings.upstream is not None
        self.settings = settings
        self.spec = settings.proxy_spec
        self.rt = rt
        contract = load_contract(self.spec)
        self.contract = contract
        document = copy.deepcopy(dict(contract.document))
        document["servers"] = [{"url": "/"}]
        self.openapi = OpenAPI.from_dict(document)
        self.client = httpx.AsyncClient(
            base_url=settings.upstream.rstrip("/"), timeout=settings.upstream_timeout_seconds, follow_redirects=False
        )
        self.counts: Counter[tuple[str, str]] = Counter()
        self.recorder = Recorder(settings.record, credentials_of(contract)) if settings.record else None
        self.max_validated = min(settings.max_body_bytes, 4 * 1024 * 1024)

    def _record(self, violation: Violation) -> None:
        self.counts[(violation.operation or "(unknown)", violation.direction)] += 1
        self.rt.journal_event(self.spec, "violation", asdict(violation))
        if self.settings.violations_file is not None:
            with self.settings.violations_file.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(asdict(violation)) + "\n")

    def _report(self, direction: str, op: Operation | None, request: Request, status: int | None, errors: Any) -> None:
        for where, reason in _problems(list(errors)):
            self._record(
                Violation(
                    time=self.rt.clock.now_iso(),
                    operation=op.operation_id if op else None,
                    direction=direction,
                    method=request.method,
                    path=request.url.path,
                    status=status,
                    where=where,
                    reason=reason[:500],
                )
            )

    def _mock_request(self, request: Request, body: bytes | None, op: Operation | None) -> MockRequest:
        return MockRequest(
            host_url="http://proxy",
            method=request.method,
            path=request.url.path,
            args=dict(request.query_params),
            headers=dict(request.headers),
            cookies=dict(request.cookies),
            data=body or b"",
            content_type=request.headers.get("content-type", "").split(";")[0].strip(),
        )

    async def forward(self, request: Request) -> Response:
        started = time.time()
        op = self.contract.match(request.method, request.url.path)
        if op is None:
            self._report("request", None, request, None, [LookupError("no operation of the contract matches")])
        media = request.headers.get("content-type", "")
        length = int(request.headers.get("content-length") or 0)
        buffered = any(kind in media for kind in _VALIDATED_MEDIA) and 0 < length <= self.max_validated
        body: bytes | None = await request.body() if buffered else None
        content: bytes | AsyncIterator[bytes] = body if body is not None else request.stream()
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP]
        upstream = self.client.build_request(
            request.method, request.url.path, params=request.url.query, headers=headers, content=content
        )
        response = await self.client.send(upstream, stream=True)
        mock_request = self._mock_request(request, body, op)
        if op is not None and (body is not None or length == 0):
            self._report("request", op, request, None, self.openapi.unmarshal_request(mock_request).errors)
        out_headers = {k: v for k, v in response.headers.items() if k.lower() not in _HOP_BY_HOP}
        return StreamingResponse(
            self._relay(request, op, response, mock_request, body, started),
            status_code=response.status_code,
            headers=out_headers,
        )

    async def _relay(
        self,
        request: Request,
        op: Operation | None,
        response: httpx.Response,
        mock_request: MockRequest,
        request_body: bytes | None,
        started: float,
    ) -> AsyncIterator[bytes]:
        media = response.headers.get("content-type", "")
        keep = any(kind in media for kind in _VALIDATED_MEDIA)
        captured = bytearray()
        try:
            async for chunk in response.aiter_raw():
                if keep:
                    captured += chunk
                    keep = len(captured) <= self.max_validated
                yield chunk
        finally:
            await response.aclose()
        data = _decoded(bytes(captured), response.headers.get("content-encoding")) if keep else b""
        if self.recorder is not None:
            self.recorder.add(request, request_body, response, data if keep else None, started)
        if op is None:
            return
        mock_response = MockResponse(
            data or b"",
            status_code=response.status_code,
            headers=dict(response.headers),
            content_type=media.split(";")[0].strip(),
        )
        result = self.openapi.unmarshal_response(mock_request, mock_response)
        errors = list(result.errors)
        if not keep:  # body not inspected: keep only status / media type / header problems
            errors = [e for e in errors if "Schema" not in type(e.__cause__ or e).__name__ + type(e).__name__]
        self._report("response", op, request, response.status_code, errors)

    async def violations(self, request: Request) -> Response:
        found = [entry["detail"] for entry in await self.rt.journal.entries(JournalQuery(kind="violation"))]
        return JSONResponse({"violations": found, "count": len(found)})

    def summary(self) -> str:
        """A human summary of the violations seen, for printing on exit."""
        recorded = f"; {self.recorder.count} exchange(s) recorded to {self.recorder.path}" if self.recorder else ""
        if not self.counts:
            return f"contract-mock proxy: no violations of {self.spec}{recorded}"
        lines = [f"contract-mock proxy: {sum(self.counts.values())} violation(s) of {self.spec}{recorded}"]
        for (operation, direction), count in sorted(self.counts.items()):
            lines.append(f"  {operation:<40} {direction:<8} {count}")
        return "\n".join(lines)


def create_proxy(settings: Settings, *, on_stop: Any = None) -> tuple[Starlette, Any]:
    """The proxy ASGI app and an object whose `summary()` describes what it saw (`on_stop(summary)` runs at
    shutdown: uvicorn re-raises SIGTERM after shutdown, so code after `uvicorn.run` would not run for it)."""
    store = open_store(settings.db)
    rt = Runtime(
        settings=settings.replace(specs=(settings.proxy_spec,)) if settings.proxy_spec else settings,
        store=store,
        clock=Clock(store),
        journal=Journal(store, settings.journal_limit, settings.journal_flush_seconds),
    )
    proxy = _Proxy(settings, rt)
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await proxy.client.aclose()
            if proxy.recorder is not None:
                proxy.recorder.save()
            await rt.journal.close()
            if on_stop is not None:
                on_stop(proxy.summary())

    app = Starlette(
        lifespan=lifespan,
        routes=[
            Route("/__proxy/violations", proxy.violations, methods=["GET"]),
            Route("/{path:path}", proxy.forward, methods=methods),
        ],
    )
    return app, proxy
