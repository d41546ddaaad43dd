"""`contract-mock serve | proxy | config`: the command line, generated from the settings' own field table.

Every option of `Settings` is a flag here (with its documentation), an environment variable and a config-file key
(`settings.py` says how they combine). The environment and config files are read only here, at the edge.
"""

from __future__ import annotations

import dataclasses
import errno
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import uvicorn

from mockserver.errors import MockServerError
from mockserver.settings import FIELDS, LogLevel, Settings, load_settings

__all__ = ["main"]

Command = Callable[..., Any]


def _option(spec: dataclasses.Field[Any]) -> Callable[[Command], Command]:
    """A click option for one settings field (default None: "not given", so lower-precedence sources apply)."""
    meta = spec.metadata
    flag = meta.get("flag") or "--" + spec.name.replace("_", "-")
    kind = str(spec.type)
    help_text = str(meta["doc"])
    if kind.startswith("bool"):
        name = flag.removeprefix("--")
        return click.option(f"--{name}/--no-{name}", spec.name, default=None, help=help_text)
    if "tuple[str" in kind:
        return click.option(flag, spec.name, multiple=True, default=None, metavar="NAME", help=help_text)
    types: dict[str, Any] = {"int": int, "float": float, "LogLevel": click.Choice([level.value for level in LogLevel])}
    click_type = next((value for prefix, value in types.items() if kind.startswith(prefix)), str)
    return click.option(flag, spec.name, type=click_type, default=None, help=help_text)


def _options(group: str, *extra: str) -> Callable[[Command], Command]:
    def decorate(command: Command) -> Command:
        for spec in reversed([f for f in FIELDS if f.metadata.get("group") == group or f.name in extra]):
            command = _option(spec)(command)
        return click.option(
            "--config",
            "config_file",
            type=click.Path(dir_okay=False, path_type=Path),
            help=("TOML config file (default: ./contract-mock.toml, else [tool.contract-mock] in ./pyproject.toml)."),
        )(command)

    return decorate


def _settings(options: dict[str, Any], defaults: dict[str, Any] | None = None) -> Settings:
    config = options.pop("config_file", None)
    flags = {key: (None if value == () else value) for key, value in options.items()}
    try:
        settings, _ = load_settings(flags, config=config, defaults=defaults)
    except MockServerError as exc:
        raise click.UsageError(str(exc)) from None
    return settings


def _check_port(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            reason = "is already in use" if exc.errno == errno.EADDRINUSE else f"cannot be bound ({exc.strerror})"
            raise click.ClickException(f"port {port} on {host} {reason}; choose another with --port") from exc


@click.group()
@click.version_option(package_name="contract-harness")
def main() -> None:
    """Contract-first mock server for the Aisera, SysAid Copilot, ASAPP and Alvaria APIs."""


@main.command()
@_options("serve")
def serve(**options: Any) -> None:
    """Serve every contract under http://HOST:PORT/<spec-name>, plus the admin API under /__admin."""
    from mockserver.app import SETTINGS_ENV, create_app, create_runtime, freeze_startup_objects, run_sync
    from mockserver.banner import banner
    from mockserver.server import uvicorn_options

    started = time.perf_counter()
    settings = _settings(options)
    if not settings.fixtures.is_dir():
        raise click.ClickException(f"fixtures folder {settings.fixtures} does not exist")
    _check_port(settings.host, settings.port)
    scratch: Path | None = None
    if settings.workers > 1 and settings.db is None:
        scratch = Path(tempfile.mkdtemp(prefix="contract-mock-"))
        settings = settings.replace(db=str(scratch / "state.sqlite"))
    try:
        if settings.workers > 1:
            run_sync(create_runtime(settings).store.close())  # seed once, before the workers share the database
            import os

            os.environ[SETTINGS_ENV] = settings.to_json()
            target: Any = "mockserver.app:app_from_environment"
        else:
            target = create_app(settings)
            freeze_startup_objects()
    except MockServerError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(banner(settings, time.perf_counter() - started))
    try:
        uvicorn.run(target, factory=settings.workers > 1, **uvicorn_options(settings))
    finally:
        if scratch is not None:  # the shared database of this run only: "in memory" means nothing is kept
            shutil.rmtree(scratch, ignore_errors=True)


@main.command()
@_options("proxy", "host", "port", "log_level", "db", "journal_limit", "journal_body_bytes", "max_body_bytes")
def proxy(**options: Any) -> None:
    """Forward traffic to --upstream unchanged and report where it departs from the contract."""
    from mockserver.proxy import create_proxy

    settings = _settings(options, defaults={"port": 8081, "log_level": "warning"})
    if settings.upstream is None or settings.proxy_spec is None:
        raise click.UsageError("the proxy needs --spec NAME and --upstream URL")
    _check_port(settings.host, settings.port)
    app, _ = create_proxy(settings, on_stop=click.echo)
    click.echo(
        f"contract-mock proxy: http://{settings.host}:{settings.port}/ -> {settings.upstream} ({settings.proxy_spec}); "
        f"violations -> {settings.violations_file}" + (f"; recording -> {settings.record}" if settings.record else "")
    )
    # The upstream's own `date` and `server` headers are forwarded unchanged: the proxy adds none of its own.
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.value,
        server_header=False,
        date_header=False,
    )


@main.command("fixtures-from-har")
@click.argument("har", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--spec", required=True, metavar="NAME", help="The contract the recording is of.")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder to write to.")
@click.option("--from", "base", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Fixtures folder to start from (default: the default fixtures).")  # fmt: skip
def fixtures_from_har(har: Path, spec: str, out: Path, base: Path | None) -> None:
    """Turn a recording (a HAR file, e.g. from `proxy --record`) into fixture data for one API."""
    from contracts import FIXTURES_DIR
    from mockserver.har_fixtures import draft_fixture, write_draft

    try:
        draft = draft_fixture(har, spec, base or FIXTURES_DIR)
    except MockServerError as exc:
        raise click.ClickException(str(exc)) from exc
    written = write_draft(draft, spec, out)
    click.echo(f"{written}: {draft.used} recorded exchange(s) used")
    for note in draft.notes:
        click.echo(f"  note: {note}")


@main.command("config")
@_options("serve")
def show_config(**options: Any) -> None:
    """Print the effective settings and where each value came from (the admin token masked)."""
    config = options.pop("config_file", None)
    flags = {key: (None if value == () else value) for key, value in options.items()}
    try:
        settings, origins = load_settings(flags, config=config)
    except MockServerError as exc:
        raise click.UsageError(str(exc)) from None
    for name, value in settings.public().items():
        click.echo(f"{name} = {value!r}   ({origins.get(name, 'default')})")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
