"""A tiny ASGI API, its contract and its harness profile, for testing the harness without the mock server.

`make_app(**defects)` builds a correct implementation; each keyword switches on one deliberate defect so a
test can prove the harness notices it. `PROFILE` is the toy vendor's harness profile: registering the contract
with `harness="toy_api"` is all the harness needs (`conftest.py::toy_contract`), as for a real vendor.
"""

from __future__ import annotations

import itertools
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conformance.auth.base import AuthProfile
from conformance.vendors import LiveRate, VendorProfile

API_KEY = "toy-secret-key-123"
ERROR = {
    "type": "object",
    "required": ["code", "error"],
    "properties": {"code": {"type": "integer"}, "error": {"type": "string"}},
}
ITEM = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(s): {"description": "error", **_json({"$ref": "#/components/schemas/Error"})} for s in statuses}


CONTRACT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Toy", "version": "1.0.0"},
    "paths": {
        "/items": {
            "post": {
                "operationId": "createItem",
                "security": [{"toyKey": []}],
                "requestBody": {
                    "required": True,
                    **_json(
                        {
                            "type": "object",
                            "required": ["name"],
                            "additionalProperties": False,
                            "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 20}},
                        }
                    ),
                },
                "responses": {
                    "201": {
                        "description": "created",
                        **_json({"$ref": "#/components/schemas/Item"}),
                        "links": {
                            "GetItem": {"operationId": "getItem", "parameters": {"id": "$response.body#/id"}},
                            "DeleteItem": {"operationId": "deleteItem", "parameters": {"id": "$response.body#/id"}},
                        },
                    },
                    **_errors(400, 401),
                },
            }
        },
        "/items/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {
                "operationId": "getItem",
                "security": [{"toyKey": []}],
                "responses": {
                    "200": {"description": "ok", **_json({"$ref": "#/components/schemas/Item"})},
                    **_errors(401, 404),
                },
            },
            "delete": {
                "operationId": "deleteItem",
                "security": [{"toyKey": []}],
                "responses": {"204": {"description": "deleted"}, **_errors(401, 404)},
            },
        },
    },
    "components": {
        "securitySchemes": {"toyKey": {"type": "apiKey", "in": "header", "name": "x-toy-key"}},
        "schemas": {"Error": ERROR, "Item": ITEM},
    },
}


def make_app(
    *,
    ignore_auth: bool = False,
    wrong_error_code: bool = False,
    bad_item: bool = False,
    crash_reads: bool = False,
    no_allow: bool = False,
    log: list[str] | None = None,
) -> Starlette:
    """The toy API; each flag injects one defect; `log` collects `METHOD path` of every request.

    `crash_reads`: `GET /items/{id}` answers 500 with a plain-text body (one root cause, several checks tripped);
    `no_allow`: a 405 for an undeclared method carries no `Allow` header.
    """
    items: dict[str, str] = {}
    ids = itertools.count(1)

    def error(status: int) -> JSONResponse:
        return JSONResponse({"code": 418 if wrong_error_code else status, "error": "no"}, status_code=status)

    def authorized(request: Request) -> bool:
        return ignore_auth or request.headers.get("x-toy-key") == API_KEY

    async def create(request: Request) -> Response:
        if not authorized(request):
            return error(401)
        try:
            body = await request.json()
        except ValueError:
            return error(400)
        name = body.get("name") if isinstance(body, dict) else None
        if not isinstance(body, dict) or set(body) - {"name"} or not isinstance(name, str) or not 1 <= len(name) <= 20:
            return error(400)
        item_id = str(next(ids))
        items[item_id] = name
        return JSONResponse({"id": item_id, "name": 7 if bad_item else name}, status_code=201)

    async def item(request: Request) -> Response:
        if not authorized(request):
            return error(401)
        item_id = request.path_params["id"]
        if item_id not in items:
            return error(404)
        if request.method == "DELETE":
            del items[item_id]
            return Response(status_code=204)
        if crash_reads:
            return Response("Internal Server Error", status_code=500, media_type="text/plain")
        return JSONResponse({"id": item_id, "name": items[item_id]})

    app = Starlette(
        routes=[
            Route("/toy/items", create, methods=["POST"]),
            Route("/toy/items/{id}", item, methods=["GET", "DELETE"]),
        ]
    )
    if log is None and not no_allow:
        return app

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and log is not None:
            log.append(f"{scope['method']} {scope['path']}")

        async def without_allow(message: Any) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                message = {**message, "headers": [h for h in message["headers"] if h[0].lower() != b"allow"]}
            await send(message)

        await app(scope, receive, without_allow if no_allow else send)

    return wrapped  # type: ignore[return-value]


def make_broken_app() -> Starlette:
    """The toy API answering creations with a body that breaks its schema (for the pytest plugin tests)."""
    return make_app(bad_item=True)


class ToyProfile(AuthProfile):
    """The toy API's single API key."""

    def scheme_value(self, scheme: str) -> str | None:
        return self.credentials.require("api_key") if scheme == "toyKey" else None


PROFILE = VendorProfile(
    auth=ToyProfile, credential_keys=("api_key",), live_rate=LiveRate("60/m", False, "the toy's own figure")
)
