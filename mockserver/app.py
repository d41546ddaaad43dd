"""The app factory: one Connexion app serving every contract under `/<spec-name>`, plus the admin API.

Connexion loads and validates each contract, resolves its handlers by operationId and hosts Swagger UI; the request
path of every operation is the compiled `pipeline` (Connexion's own per-request middleware costs more than the whole
budget the benchmarks set, see benchmarks/README.md). Everything is compiled here, once, before the first request.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import html
import json
import logging
import os
import threading
from collections.abc import AsyncIterator, Coroutine
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

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
from mockserver.banner import demo_credentials, flat_credentials
from mockserver.clock import Clock
from mockserver.errors import SettingsError
from mockserver.fixtures import SEEDED, seed_all
from mockserver.journal import Journal
from mockserver.pipeline.compiler import compile_api, credentials_of
from mockserver.pipeline.serve import Mount, Pipeline
from mockserver.runtime import Runtime, activate
from mockserver.server import install_log_masking
from mockserver.settings import Settings
from mockserver.specification import fast_specification_checks
from mockserver.store import Store, open_store
from mockserver.vendors import Behaviour

__all__ = [
    "ADMIN_SPEC",
    "SETTINGS_ENV",
    "app_from_environment",
    "create_app",
    "create_runtime",
    "freeze_startup_objects",
    "run_sync",
]

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
    async with rt.store.transaction():  # replicas starting together: exactly one of them seeds
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


def served_document(contract: Contract, demo: dict[str, Any], behaviour: Behaviour | None = None) -> dict[str, Any]:
    """The contract as the mock serves it: the mock's mount as first server, OAuth2 token URLs pointing at the
    mock's own token endpoints (so Swagger UI's Authorize works), and how to try it with the demo credentials."""
    document: dict[str, Any] = json.loads(json.dumps(contract.document))
    mount = f"/{contract.name}"
    document["servers"] = [{"url": mount, "description": "this mock"}, *document.get("servers", [])]
    for scheme in (document.get("components", {}).get("securitySchemes") or {}).values():
        for flow in (scheme.get("flows") or {}).values():
            if "tokenUrl" in flow:
                flow["tokenUrl"] = mount + (urlsplit(str(flow["tokenUrl"])).path or "/")
    lines = [f"- `{key}`: `{value}`" for key, value in flat_credentials(demo)]
    cookies = [s.parameter for s in contract.security_schemes.values() if s.location == "cookie"]
    notes = []
    if cookies:
        notes.append(
            f"A browser page cannot send a Cookie header: open [/__admin/demo-login/{contract.name}]"
            f"(/__admin/demo-login/{contract.name}) once (it sets {', '.join(cookies)} for this API), then use "
            "Authorize for the other credentials."
        )
    if any(s.type == "oauth2" for s in contract.security_schemes.values()):
        notes.append("Authorize obtains a token from this mock's own token endpoint with the demo credentials.")
    if lines:
        info = document.setdefault("info", {})
        info["description"] = (
            str(info.get("description", "")).rstrip()
            + "\n\n**Try it against this mock.** Demo credentials of the fixtures being served:\n\n"
            + "\n".join(lines)
            + ("\n\n" + " ".join(notes) if notes else "")
        )
    _demo_examples(document, credentials_of(contract, anywhere=False).fields, dict(flat_credentials(demo)))
    if behaviour is not None and behaviour.prepare_served is not None:
        behaviour.prepare_served(document, demo)
    return document


def _demo_examples(document: dict[str, Any], fields: frozenset[str], demo: dict[str, str]) -> None:
    """Request examples carry the demo value of every credential field (`x-credential`) that has one, so that
    "Try it out" in Swagger UI works against the mock as it comes."""
    usable = {name: demo[name] for name in fields if name in demo}
    if not usable:
        return
    for item in (document.get("paths") or {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or not isinstance(operation.get("requestBody"), dict):
                continue
            for media in (operation["requestBody"].get("content") or {}).values():
                values = [media.get("example"), *((media.get("examples") or {}).values())]
                for holder in values:
                    value = holder.get("value") if isinstance(holder, dict) and "value" in holder else holder
                    if isinstance(value, dict):
                        value.update({name: secret for name, secret in usable.items() if name in value})


def _served_contract(served: dict[str, dict[str, Any]], spec: str) -> Any:
    """`GET /<spec>/openapi.json|yaml`: the served document (`served[spec]`, replaced on reload), rendered lazily."""
    cache: dict[tuple[int, str], str] = {}

    def rendered(kind: str) -> str:
        document = served[spec]
        key = (id(document), kind)
        if key not in cache:
            dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
            cache.clear()
            cache[key] = (
                str(yaml.dump(document, Dumper=dumper, sort_keys=False, allow_unicode=True))
                if kind == "yaml"
                else json.dumps(document)
            )
        return cache[key]

    async def serve(request: Request) -> Response:
        if request.url.path.endswith(".yaml"):
            return Response(rendered("yaml"), media_type="text/yaml")
        return Response(rendered("json"), media_type="application/json")

    return serve


def _index(rt: Runtime) -> Any:
    demo = demo_credentials(Path(rt.settings.fixtures))

    async def index(request: Request) -> Response:
        """`GET /`: the mounted APIs with their Swagger UI, contract links and demo credentials."""
        apis: list[dict[str, Any]] = [
            {
                "name": name,
                "title": contract.title,
                "baseUrl": f"/{name}",
                "ui": f"/{name}/ui/",
                "spec": f"/{name}/openapi.json",
                "operations": len(contract.operations),
                "demoCredentials": dict(flat_credentials(demo.get(name, {}))),
            }
            for name, contract in rt.contracts.items()
        ]
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"apis": apis, "admin": "/__admin/ui/"})
        rows = "".join(
            f"<tr><td><code>{html.escape(str(api['baseUrl']))}</code></td><td>{html.escape(str(api['title']))}</td>"
            f"<td>{api['operations']}</td><td><a href='{api['ui']}'>Swagger UI</a> · "
            f"<a href='{api['spec']}'>contract</a></td><td>"
            + "<br>".join(
                f"<code>{html.escape(key)}</code> = <code>{html.escape(value)}</code>"
                for key, value in api["demoCredentials"].items()
            )
            + "</td></tr>"
            for api in apis
        )
        page = (
            "<!doctype html><meta charset=utf-8><title>contract-mock</title>"
            "<style>body{font:15px system-ui;margin:2em}td,th{padding:.3em 1em;text-align:left}</style>"
            "<h1>contract-mock</h1><p>Each API is mounted under its base URL.</p>"
            f"<table><tr><th>base URL</th><th>API</th><th>operations</th><th></th><th>demo credentials</th></tr>"
            f"{rows}</table>"
            "<p>Journal: <a href='/__admin/'>/__admin/</a> · Admin API: <a href='/__admin/ui/'>/__admin/ui/</a></p>"
        )
        return HTMLResponse(page)

    return index


def compile_mount(rt: Runtime, contract: Contract) -> Mount:
    """One vendor contract compiled and paired with its behaviour."""
    behaviour = rt.behaviours[contract.name]
    return Mount(
        compile_api(contract, f"/{contract.name}", behaviour.handlers(contract), behaviour.security), behaviour
    )


def _mounts(rt: Runtime) -> dict[str, Mount]:
    mounts = {spec: compile_mount(rt, contract) for spec, contract in rt.contracts.items()}
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

    served = {
        spec: served_document(contract, demo_credentials(Path(settings.fixtures)).get(spec, {}), rt.behaviours[spec])
        for spec, contract in rt.contracts.items()
    }

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        activate(rt)
        await rt.sync()
        watcher = None
        if settings.reload:
            from mockserver.reload import watch

            watcher = asyncio.get_running_loop().create_task(watch(rt, mounts, served))
        try:
            yield
        finally:
            if watcher is not None:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
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
    with fast_specification_checks():
        _add_apis(app, rt, mounts, served)
    app.add_url_rule("/", "index", _index(rt), methods=["GET"])
    return app


def _add_apis(
    app: connexion.AsyncApp, rt: Runtime, mounts: dict[str, Mount], served: dict[str, dict[str, Any]]
) -> None:
    for spec, contract in rt.contracts.items():
        app.add_api(
            dict(contract.document),
            base_path=f"/{spec}",
            name=spec,
            resolver=rt.behaviours[spec].resolver(),
            swagger_ui_options=SwaggerUIOptions(serve_spec=False, swagger_ui=True),
        )
        route = _served_contract(served, spec)
        for suffix in ("json", "yaml"):
            app.add_url_rule(f"/{spec}/openapi.{suffix}", f"{spec}-{suffix}", route, methods=["GET"])
    admin_document = dict(mounts["__admin"].api.contract.document)  # parsed once, with libyaml, by contracts
    app.add_api(admin_document, base_path="/__admin", name="__admin", resolver=mounts["__admin"].behaviour.resolver())


def freeze_startup_objects() -> None:
    """Start-up leaves ~80,000 objects that live as long as the server process (contracts, compiled validators,
    Connexion's specs); a full collection walking them stalls the loop for tens of milliseconds. Move them out of
    the collector's way once, in a server process (never in a test process that builds many apps)."""
    gc.collect()
    gc.freeze()


def app_from_environment() -> connexion.AsyncApp:
    """Factory for uvicorn workers: settings come from `CONTRACT_MOCK_SETTINGS_JSON`."""
    raw = os.environ.get(SETTINGS_ENV)
    if raw is None:
        raise SettingsError(f"{SETTINGS_ENV} is not set: start workers through `contract-mock serve`")
    app = create_app(Settings.from_json(raw))
    freeze_startup_objects()
    return app
