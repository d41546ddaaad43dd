"""`contract-mock`: run the mock server (and, later, the validating proxy) from the command line."""

from __future__ import annotations

import difflib
import errno
import logging
import os
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path

import click
import uvicorn

from mockserver.app import SETTINGS_ENV, create_app, create_runtime
from mockserver.contracts import FIXTURES_DIR, SPEC_NAMES
from mockserver.errors import MockServerError
from mockserver.settings import Settings

__all__ = ["main"]


def _check_specs(names: tuple[str, ...]) -> tuple[str, ...]:
    for name in names:
        if name not in SPEC_NAMES:
            close = difflib.get_close_matches(name, SPEC_NAMES, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise click.UsageError(f"unknown spec {name!r}{hint} (valid: {', '.join(SPEC_NAMES)})")
    return names or SPEC_NAMES


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
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--spec", "specs", multiple=True, metavar="NAME", help="Contract to mount (repeatable; default all).")
@click.option(
    "--fixtures",
    type=click.Path(path_type=Path),
    default=FIXTURES_DIR,
    show_default="fixtures/default",
    help="Fixtures folder to seed from.",
)
@click.option("--db", type=click.Path(path_type=Path), default=None, help="SQLite file (default: in memory).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes.")
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["critical", "error", "warning", "info", "debug"], case_sensitive=False),
)
@click.option("--validate-responses/--no-validate-responses", default=True, show_default=True)
@click.option("--vendor-limits", is_flag=True, help="Enforce the vendors' documented rate and size limits.")
@click.option("--sysaid-callback-url", default=None, help="SysAid base URL receiving fromEmail notifications.")
def serve(
    host: str,
    port: int,
    specs: tuple[str, ...],
    fixtures: Path,
    db: Path | None,
    workers: int,
    log_level: str,
    validate_responses: bool,
    vendor_limits: bool,
    sysaid_callback_url: str | None,
) -> None:
    """Serve every contract under http://HOST:PORT/<spec-name>, plus the admin API under /__admin."""
    started = time.perf_counter()
    specs = _check_specs(specs)
    if not fixtures.is_dir():
        raise click.ClickException(f"fixtures folder {fixtures} does not exist")
    _check_port(host, port)
    scratch: Path | None = None
    if workers > 1 and db is None:
        scratch = Path(tempfile.mkdtemp(prefix="contract-mock-"))
        db = scratch / "state.sqlite"
    settings = Settings(
        specs=specs,
        fixtures=fixtures,
        db=db,
        validate_responses=validate_responses,
        vendor_limits=vendor_limits,
        sysaid_callback_base_url=sysaid_callback_url,
    )
    logging.basicConfig(level=log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    try:
        if workers > 1:
            create_runtime(settings).store.close()  # seed once, before the workers share the file
            os.environ[SETTINGS_ENV] = settings.to_json()
            app_target: object = "mockserver.app:app_from_environment"
        else:
            app_target = create_app(settings)
    except MockServerError as exc:
        raise click.ClickException(str(exc)) from exc
    base = f"http://{host}:{port}"
    click.echo(f"contract-mock ready in {time.perf_counter() - started:.2f}s on {base}/ ({workers} worker(s))")
    for name in specs:
        click.echo(f"  {base}/{name}   (UI {base}/{name}/ui/)")
    click.echo(f"  {base}/__admin   (UI {base}/__admin/ui/)")
    try:
        uvicorn.run(
            app_target,  # type: ignore[arg-type]
            host=host,
            port=port,
            workers=workers,
            factory=workers > 1,
            log_level=log_level.lower(),
        )
    finally:
        if scratch is not None:  # the shared database of this run only: "in memory" means nothing is kept
            shutil.rmtree(scratch, ignore_errors=True)


@main.command()
@click.option("--spec", required=True, metavar="NAME", help="Contract to validate the traffic against.")
@click.option("--upstream", required=True, metavar="URL", help="Base URL of the real deployment.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8081, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--violations",
    type=click.Path(path_type=Path),
    default=Path("proxy-violations.jsonl"),
    show_default=True,
    help="JSON Lines file receiving every violation.",
)
@click.option("--log-level", default="warning", show_default=True)
def proxy(spec: str, upstream: str, host: str, port: int, violations: Path, log_level: str) -> None:
    """Forward traffic to UPSTREAM unchanged and report where it departs from the contract."""
    from mockserver.proxy import ProxySettings, create_proxy

    _check_specs((spec,))
    if not upstream.startswith(("http://", "https://")):
        raise click.UsageError(f"--upstream must be an http(s) URL, got {upstream!r}")
    _check_port(host, port)
    app, watcher = create_proxy(ProxySettings(spec=spec, upstream=upstream, violations_file=violations))
    click.echo(f"contract-mock proxy: http://{host}:{port}/ -> {upstream} ({spec}); violations -> {violations}")
    try:
        uvicorn.run(app, host=host, port=port, log_level=log_level.lower())
    finally:
        click.echo(watcher.summary())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
