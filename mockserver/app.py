"""The app factory: one Connexion app serving every contract under `/<spec-name>`, plus the admin API.

Connexion loads and validates each contract, resolves its handlers by operationId and hosts Swagger UI; the request
path of every operation is the compiled `pipeline` (Connexion's own per-request middleware costs more than the whole
budget the benchmarks set, see benchmarks/README.md). Everything is compiled here, once, before the first request.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import html
import json
import logging
import os
import threading
from collections.abc import AsyncIterator, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import connexion
import yaml
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.options import SwaggerUIOptions
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from contracts import Contract, load_contract, load_contract_file
from mockserver import admin
from mockserver.clock import Clock
from mockserver.errors import ConfigurationError
from mockserver.fixtures import SEEDED, seed_all
from mockserver.journal import Journal
from mockserver.pipeline.compiler import compile_api
from mockserver.pipeline.serve import Mount, Pipeline
from mockserver.runtime import Runtime, activate
from mockserver.server import install_log_masking
from mockserver.settings import Settings
from mockserver.store import Store, open_store
from mockserver.vendors import Behaviour

__all__ = ["ADMIN_SPEC", "SETTINGS_ENV", "app_from_environment", "create_app", "create_runtime", "run_sync"]

log = logging.getLogger("mockserver")

SETTINGS_ENV = "CONTRACT_MOCK_SETTINGS_JSON"
"""Environment variable through which `contract-mock serve --workers N` hands settings to each worker."""
ADMIN_SPEC = Path(__file__).with_name("admin.yaml")
T = TypeVar("T")


def run_sync(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from synchronous code (in a helper thread when a loop is already running)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    result: list[T] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(work))
        except BaseException as exc:  # re-raised in the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=target, name="mockserver-setup")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return result[0]


async def _prepare(rt: Runtime) -> None:
    await rt.sync()
    if await rt.store.get(*SEEDED) is None:
        await seed_all(rt, rt.settings.fixtures)


def create_runtime(settings: Settings, store: Store | None = None) -> Runtime:
    """Open the store, load the contracts and behaviours, and seed the fixtures unless the store is seeded already."""
    store = store or open_store(settings.db)
    rt = Runtime(
        settings=settings,
        store=store,
        clock=Clock(store),
        journal=Journal(store, settings.journal_limit, settings.journal_flush_seconds),
        contracts={spec: load_contract(spec) for spec in settings.specs},
        behaviours={spec: Behaviour.load(spec) for spec in settings.specs},
    )
    run_sync(_prepare(rt))
    return rt


def _served_contract(contract: Contract) -> Any:
    """`GET /<spec>/openapi.json|yaml`: the contract as written, with the mock's mount as its first server."""
    document = json.loads(json.dumps(contract.document))
    document["servers"] = [{"url": f"/{contract.name}", "description": "this mock"}, *document.get("servers", [])]

    @functools.cache
    def rendered(kind: str) -> str:
        if kind == "yaml":
            dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
            return str(yaml.dump(document, Dumper=dumper, sort_keys=False, allow_unicode=True))
        return json.dumps(document)

    async def serve(request: Request) -> Response:
        if request.url.path.endswith(".yaml"):
            return Response(rendered("yaml"), media_type="text/yaml")
        return Response(rendered("json"), media_type="application/json")

    return serve


def _index(rt: Runtime) -> Any:
    async def index(request: Request) -> Response:
        """`GET /`: the mounted APIs with their Swagger UI and contract links."""
        apis: list[dict[str, str | int]] = [
            {
                "name": name,
                "title": contract.title,
                "baseUrl": f"/{name}",
                "ui": f"/{name}/ui/",
                "spec": f"/{name}/openapi.json",
                "operations": len(contract.operations),
            }
            for name, contract in rt.contracts.items()
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

    return index


def _mounts(rt: Runtime) -> dict[str, Mount]:
    mounts = {}
    for spec, contract in rt.contracts.items():
        behaviour = rt.behaviours[spec]
        api = compile_api(contract, f"/{spec}", behaviour.handlers(contract), behaviour.security)
        mounts[spec] = Mount(api, behaviour)
    admin_contract = load_contract_file(ADMIN_SPEC, "__admin")
    behaviour = admin.behaviour(rt.settings)
    mounts["__admin"] = Mount(
        compile_api(
            admin_contract,
            "/__admin",
            behaviour.handlers(admin_contract),
            behaviour.security,
            open_access=behaviour.open_access,
        ),
        behaviour,
        journaled=False,
    )
    return mounts


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> connexion.AsyncApp:
    """An ASGI app serving every contract in `settings.specs` plus `/__admin`."""
    settings = settings or Settings()
    rt = runtime or create_runtime(settings)
    activate(rt)
    mounts = _mounts(rt)
    rt.apis = {name: mount.api for name, mount in mounts.items() if mount.journaled}
    install_log_masking(frozenset().union(*(mount.api.credentials.query for mount in mounts.values())))
    aliases = {}
    if "sysaid-copilot" in rt.contracts and settings.sysaid_public_prefix:
        aliases["/sysaid-copilot" + settings.sysaid_public_prefix.rstrip("/")] = "/sysaid-copilot"

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        activate(rt)
        await rt.sync()
        try:
            yield
        finally:
            await rt.close()

    app = connexion.AsyncApp(
        __name__,
        lifespan=lifespan,
        middlewares=[
            ServerErrorMiddleware,
            functools.partial(Pipeline, runtime=rt, mounts=mounts, aliases=aliases),
            ExceptionMiddleware,
            SwaggerUIMiddleware,
            LifespanMiddleware,
        ],
        swagger_ui_options=SwaggerUIOptions(swagger_ui=True),
    )
    for spec, contract in rt.contracts.items():
        app.add_api(
            dict(contract.document),
            base_path=f"/{spec}",
            name=spec,
            resolver=rt.behaviours[spec].resolver(),
            swagger_ui_options=SwaggerUIOptions(serve_spec=False, swagger_ui=True),
        )
        served = _served_contract(contract)
        for suffix in ("json", "yaml"):
            app.add_url_rule(f"/{spec}/openapi.{suffix}", f"{spec}-{suffix}", served, methods=["GET"])
    app.add_api(ADMIN_SPEC, base_path="/__admin", name="__admin", resolver=mounts["__admin"].behaviour.resolver())
    app.add_url_rule("/", "index", _index(rt), methods=["GET"])
    return app


def app_from_environment() -> connexion.AsyncApp:
    """Factory for uvicorn workers: settings come from `CONTRACT_MOCK_SETTINGS_JSON`."""
    raw = os.environ.get(SETTINGS_ENV)
    if raw is None:
        raise ConfigurationError(f"{SETTINGS_ENV} is not set: start workers through `contract-mock serve`")
    return create_app(Settings.from_json(raw))
