"""What a newcomer sees first: the start-up banner, with each API's base URL, its Swagger UI and the demo
credentials of the fixtures being served (`<fixtures>/credentials.yaml`, the same file the harness reads)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from contracts import FIXTURES_DIR
from contracts.documents import read_document
from mockserver.settings import Settings

__all__ = ["banner", "demo_credentials", "flat_credentials"]


def demo_credentials(fixtures: Path) -> dict[str, dict[str, Any]]:
    """The published demo credentials of the default fixtures (shown on the index page, in the served contracts and
    in the banner); nothing for any other fixtures folder, whose credentials.yaml may hold a team's own secrets."""
    path = fixtures / "credentials.yaml"
    if fixtures.resolve() != FIXTURES_DIR.resolve() or not path.is_file():
        return {}
    data = read_document(path)  # libyaml, cached: the harness and the seeding read the same file
    return {str(spec): dict(values) for spec, values in data.items() if isinstance(values, dict)}


def flat_credentials(values: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """`{"admin": {"jsessionid": "x"}}` -> `[("admin.jsessionid", "x")]`."""
    flat: list[tuple[str, str]] = []
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.extend(flat_credentials(value, f"{name}."))
        else:
            flat.append((name, str(value)))
    return flat


def _where(db: str | None) -> str:
    """Where the state lives, for the banner (a database URL is shown without its password)."""
    if db is None:
        return "in memory (gone when the mock stops)"
    if "://" in db:
        parts = urlsplit(db)
        host = parts.hostname or ""
        user = f"{parts.username}@" if parts.username else ""
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{user}{host}{port}{parts.path}"
    return db


def banner(settings: Settings, seconds: float) -> str:
    """The lines `contract-mock serve` prints once it is ready to start."""
    base = f"http://{settings.host}:{settings.port}"
    lines = [f"contract-mock ready in {seconds:.2f}s on {base}/ ({settings.workers} worker(s))"]
    lines.append(f"  state: {_where(settings.db)}")
    credentials = demo_credentials(settings.fixtures)
    for name in settings.specs:
        lines.append(f"  {base}/{name}   (Swagger UI {base}/{name}/ui/)")
        demo = ", ".join(f"{key}={value}" for key, value in flat_credentials(credentials.get(name, {})))
        if demo:
            lines.append(f"      demo credentials: {demo}")
    admin = "" if not settings.admin_token else " (admin token required)"
    lines.append(f"  {base}/__admin   (Swagger UI {base}/__admin/ui/){admin}")
    return "\n".join(lines)
