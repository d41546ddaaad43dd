"""ASGI middleware around Connexion's stack: runtime binding, URL aliases, journal, body limit, faults."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver import faults, journal
from mockserver.errors import PROBLEMS_KEY, InjectedFault, PayloadTooLarge
from mockserver.runtime import Runtime, activate

__all__ = ["OperationMiddleware", "RequestMiddleware"]

_NOT_JOURNALED = ("/ui", "/openapi.json", "/openapi.yaml", "/swagger.json")


class RequestMiddleware:
    """Outermost: binds the runtime, rewrites public URL prefixes, records the request in the journal."""

    def __init__(self, app: ASGIApp, runtime: Runtime, aliases: dict[str, str]) -> None:
        self.app = app
        self.runtime = runtime
        self.aliases = aliases

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        activate(self.runtime)
        scope.setdefault("extensions", {})
        self._rewrite(scope)
        spec = scope["path"].lstrip("/").split("/", 1)[0]
        rest = scope["path"][len(spec) + 1 :]
        if spec not in self.runtime.contracts or rest.startswith(_NOT_JOURNALED):
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            routing = scope["extensions"].get("connexion_routing", {})
            journal.record_request(
                self.runtime,
                spec=spec,
                operation_id=routing.get("operation_id"),
                method=scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=(time.perf_counter() - started) * 1000,
                problems=list(scope.get(PROBLEMS_KEY, [])),
            )

    def _rewrite(self, scope: Scope) -> None:
        if "\n" in scope["path"]:
            # Starlette's route patterns use `.`, which never matches a newline: a path segment holding a decoded
            # %0A would get a 404 from no operation. Keep it encoded so the segment reaches its operation (which
            # answers as for any unknown id).
            scope["path"] = scope["path"].replace("\n", "%0A")
        path: str = scope["path"]
        for public, internal in self.aliases.items():
            if path.startswith(public + "/"):
                scope["path"] = internal + path[len(public) :]
                scope["raw_path"] = scope["path"].encode()
                return


class OperationMiddleware:
    """After routing: refuses oversized bodies and applies injected faults for the routed operation."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.runtime.settings.max_body_bytes
        headers = dict(scope.get("headers", []))
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge(limit)
        routing: dict[str, Any] = scope.get("extensions", {}).get("connexion_routing", {})
        operation_id = routing.get("operation_id")
        spec = scope["path"].lstrip("/").split("/", 1)[0]
        if operation_id and spec in self.runtime.contracts:
            contract = self.runtime.contracts[spec]
            routed = contract.operation(operation_id)
            if routed is not None and routed.path not in contract.templates_for(scope["path"][len(spec) + 1 :]):
                # Connexion fell through to a templated sibling of a more specific path that lacks this method.
                raise HTTPException(405)
            fault = faults.fault_for(self.runtime, spec, operation_id)
            if fault is not None:
                if fault.latencyMs:
                    await asyncio.sleep(fault.latencyMs / 1000)
                if fault.fires():
                    raise InjectedFault(fault.status or 500, fault.headers())
        await self.app(scope, _limited(receive, limit), send)


def _limited(receive: Receive, limit: int) -> Receive:
    """A receive channel that refuses bodies above `limit` bytes (for requests without Content-Length)."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise PayloadTooLarge(limit)
        return message

    return wrapped
