"""The app factory: one Connexion app serving every contract under `/<spec-name>`, plus the admin API."""

from __future__ import annotations

import copy
import html
import json
import logging
import os
from pathlib import Path
from typing import Any

import connexion
import yaml
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest
from connexion.middleware import MiddlewarePosition
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from mockserver import admin
from mockserver.clock import Clock
from mockserver.contracts import Contract, load_contract, snake_case
from mockserver.errors import ConfigurationError, render_error
from mockserver.fixtures import SEEDED, seed_all
from mockserver.middleware import OperationMiddleware, RequestMiddleware
from mockserver.runtime import Runtime, activate
from mockserver.settings import Settings
from mockserver.store import Store
from mockserver.validation import VALIDATOR_MAP
from mockserver.vendors import vendor_module

__all__ = ["SETTINGS_ENV", "app_from_environment", "create_app", "create_runtime"]

SETTINGS_ENV = "CONTRACT_MOCK_SETTINGS"
"""Environment variable through which `contract-mock serve --workers N` hands settings to each worker."""

_INFO_FUNC = {
    ("apiKey", None): "x-apikeyInfoFunc",
    ("http", "bearer"): "x-bearerInfoFunc",
    ("http", "basic"): "x-basicInfoFunc",
    ("oauth2", None): "x-tokenInfoFunc",
}

ADMIN_SPEC = Path(__file__).with_name("admin.yaml")


def _inject_security(contract: Contract, module: Any) -> dict[str, Any]:
    """A copy of the contract whose security schemes point at the vendor's checkers (for Connexion only)."""
    document = copy.deepcopy(contract.document)
    schemes = document.get("components", {}).get("securitySchemes", {})
    checkers: dict[str, Any] = getattr(module, "SECURITY", {})
    for name, scheme in schemes.items():
        kind = scheme.get("type")
        key = _INFO_FUNC.get((kind, scheme.get("scheme", "").lower() if kind == "http" else None))
        if key is None:
            raise ConfigurationError(f"{contract.name}: security scheme {name!r} of type {kind!r} is not supported")
        checker = checkers.get(name)
        if checker is None:
            raise ConfigurationError(f"{contract.name}: {module.__name__}.SECURITY has no checker for {name!r}")
        scheme[key] = f"{checker.__module__}.{checker.__name__}"
    return document


def _served_contract(contract: Contract) -> Any:
    """`GET /<spec>/openapi.json|yaml`: the contract as written, with the mock's mount as its first server."""
    document = copy.deepcopy(contract.document)
    document["servers"] = [{"url": f"/{contract.name}", "description": "this mock"}, *document.get("servers", [])]
    as_json = json.dumps(document)
    dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    as_yaml = yaml.dump(document, Dumper=dumper, sort_keys=False, allow_unicode=True)

    async def serve(request: Request) -> Response:
        if request.url.path.endswith(".yaml"):
            return Response(as_yaml, media_type="text/yaml")
        return Response(as_json, media_type="application/json")

    return serve


def _resolver(module: Any, spec: str) -> Resolver:
    def resolve(operation_id: str) -> Any:
        name = snake_case(operation_id.rsplit(".", 1)[-1])
        handler = getattr(module, name, None)
        if handler is None:
            raise ConfigurationError(f"{spec}: operation {operation_id!r} has no handler {module.__name__}.{name}")
        return handler

    return Resolver(function_resolver=resolve)


def create_runtime(settings: Settings) -> Runtime:
    """Open the store, load the contracts and seed the fixtures unless the store already holds seeded state."""
    for spec in settings.specs:
        load_contract(spec)  # fails early with the list of valid names
    store = Store(settings.db)
    rt = Runtime(settings=settings, store=store, clock=Clock(store))
    rt.contracts = {spec: load_contract(spec) for spec in settings.specs}
    if store.get(*SEEDED) is None:
        seed_all(rt, settings.fixtures)
    return rt


async def _index(request: Request) -> Response:
    """`GET /`: the mounted APIs with their Swagger UI and contract links."""
    from mockserver.runtime import runtime

    apis: list[dict[str, str | int]] = [
        {
            "name": name,
            "title": contract.title,
            "baseUrl": f"/{name}",
            "ui": f"/{name}/ui/",
            "spec": f"/{name}/openapi.json",
            "operations": len(contract.operations),
        }
        for name, contract in runtime().contracts.items()
    ]
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"apis": apis, "admin": "/__admin/ui/"})
    rows = "".join(
        f"<tr><td><code>{html.escape(str(api['baseUrl']))}</code></td><td>{html.escape(str(api['title']))}</td>"
        f"<td>{api['operations']}</td><td><a href='{api['ui']}'>Swagger UI</a> · "
        f"<a href='{api['spec']}'>contract</a></td></tr>"
        for api in apis
    )
    page = (
        "<!doctype html><meta charset=utf-8><title>contract-mock</title>"
        "<style>body{font:15px system-ui;margin:2em}td,th{padding:.3em 1em;text-align:left}</style>"
        "<h1>contract-mock</h1><p>Each API is mounted under its base URL.</p>"
        f"<table><tr><th>base URL</th><th>API</th><th>operations</th><th></th></tr>{rows}</table>"
        "<p>Admin API: <a href='/__admin/ui/'>/__admin</a></p>"
    )
    return HTMLResponse(page)


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> connexion.AsyncApp:
    """An ASGI app serving every contract in `settings.specs` plus `/__admin`."""
    # Connexion logs "accepts multiple content types" on every request to such an operation; it is not a problem.
    logging.getLogger("connexion.operations.openapi3").setLevel(logging.ERROR)
    settings = settings or Settings()
    rt = runtime or create_runtime(settings)
    activate(rt)
    app = connexion.AsyncApp(
        __name__,
        strict_validation=True,
        validate_responses=settings.validate_responses,
        pythonic_params=True,
        validator_map=VALIDATOR_MAP,
        swagger_ui_options=SwaggerUIOptions(swagger_ui=True),
    )
    aliases = {}
    if "sysaid-copilot" in rt.contracts and settings.sysaid_public_prefix:
        aliases["/sysaid-copilot" + settings.sysaid_public_prefix.rstrip("/")] = "/sysaid-copilot"
    app.add_middleware(RequestMiddleware, position=MiddlewarePosition.BEFORE_EXCEPTION, runtime=rt, aliases=aliases)
    app.add_middleware(OperationMiddleware, position=MiddlewarePosition.BEFORE_SECURITY, runtime=rt)
    for spec, contract in rt.contracts.items():
        module = vendor_module(spec)
        document = _inject_security(contract, module)
        prepare = getattr(module, "prepare_contract", None)
        if prepare is not None:
            document = prepare(document)
        app.add_api(
            document,
            base_path=f"/{spec}",
            name=spec,
            resolver=_resolver(module, spec),
            swagger_ui_options=SwaggerUIOptions(serve_spec=False, swagger_ui=True),
        )
        served = _served_contract(contract)
        for suffix in ("json", "yaml"):
            app.add_url_rule(f"/{spec}/openapi.{suffix}", f"{spec}-{suffix}", served, methods=["GET"])
    app.add_api(
        ADMIN_SPEC, base_path="/__admin", name="__admin", resolver=_resolver(admin, "__admin"), validate_responses=True
    )
    for error in (ProblemException, HTTPException, Exception):
        app.add_error_handler(error, _handle_error)
    app.add_url_rule("/", "index", _index, methods=["GET"])
    return app


def _handle_error(request: ConnexionRequest, exc: Exception) -> Any:
    return render_error(request, exc)


def app_from_environment() -> connexion.AsyncApp:
    """Factory for uvicorn workers: settings come from `CONTRACT_MOCK_SETTINGS` (JSON)."""
    raw = os.environ.get(SETTINGS_ENV)
    settings = Settings.from_json(raw) if raw else Settings()
    return create_app(settings)
