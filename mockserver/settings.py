"""Every setting of `contract-mock` (serve and proxy), with its default, validation and documentation, in one place.

Each field is reachable four ways, highest precedence first: a command-line flag, an environment variable
`CONTRACT_MOCK_<FIELD>`, a TOML config file (`--config FILE`, else `contract-mock.toml` in the working directory,
else `[tool.contract-mock]` in `./pyproject.toml`), and the default here. `docs/configuration.md` tables them all
(generated from `FIELDS`, and checked by a test). Values are validated when the object is built, with an error
that names the field, where the value came from and what is valid.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from contracts import FIXTURES_DIR, contract_names, did_you_mean
from mockserver.errors import SettingsError

__all__ = ["ENV_PREFIX", "FIELDS", "LogLevel", "SettingSource", "Settings", "load_settings"]

ENV_PREFIX = "CONTRACT_MOCK_"
CONFIG_FILE = "contract-mock.toml"
PYPROJECT_TABLE = "contract-mock"


class LogLevel(StrEnum):
    """Log levels (uvicorn's names)."""

    CRITICAL = "critical"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    DEBUG = "debug"


def _doc(text: str, *, flag: str | None = None, group: str = "serve") -> dict[str, Any]:
    return {"doc": text, "flag": flag, "group": group}


@dataclass(frozen=True)
class Settings:
    """Settings of one `contract-mock` process (`None` means "not given")."""

    host: str = field(default="127.0.0.1", metadata=_doc("Interface to listen on."))
    port: int = field(default=8080, metadata=_doc("Port to listen on (0: any free port)."))
    workers: int = field(
        default=1, metadata=_doc("Worker processes; without `db` they share a temporary SQLite file removed on exit.")
    )
    log_level: LogLevel = field(
        default=LogLevel.INFO, metadata=_doc("Log level; `info` prints an access line per request.")
    )
    specs: tuple[str, ...] = field(
        default_factory=contract_names, metadata=_doc("Contracts to mount (repeatable flag `--spec`).", flag="--spec")
    )
    fixtures: Path = field(default=FIXTURES_DIR, metadata=_doc("Fixtures folder to seed from."))
    db: str | None = field(
        default=None,
        metadata=_doc(
            "Where state lives: a SQLite file path (shared by every worker on one machine), a `postgresql://` URL "
            "(shared by replicas on several hosts), or nothing for a private in-memory database."
        ),
    )
    validate_responses: bool = field(
        default=True,
        metadata=_doc("Validate every answer against its contract (a breach becomes a 500 and a journal problem)."),
    )
    vendor_limits: bool = field(
        default=False,
        metadata=_doc("Enforce the vendors' documented rate and size limits (429/413) so clients can test back-off."),
    )
    max_body_bytes: int = field(
        default=16 * 1024 * 1024, metadata=_doc("Larger request bodies get the operation's 413.")
    )
    body_timeout_seconds: float = field(
        default=10.0,
        metadata=_doc("A request body that has not fully arrived in this time is refused (stalled clients)."),
    )
    header_timeout_seconds: float = field(
        default=10.0,
        metadata=_doc("A connection whose request line and headers have not arrived in this time is closed."),
    )
    keep_alive_seconds: float = field(
        default=5.0, metadata=_doc("Idle keep-alive connections are closed after this time.")
    )
    admin_token: str | None = field(
        default=None,
        metadata=_doc(
            "Bearer token the admin API (`/__admin`) requires; mandatory when `host` is not a loopback address. "
            "Prefer the environment variable or a config file to a flag: flags show in process listings."
        ),
    )
    journal_limit: int = field(default=5000, metadata=_doc("Journal entries kept (oldest dropped first)."))
    journal_body_bytes: int = field(
        default=16384, metadata=_doc("Request and response bodies are kept in the journal up to this many bytes.")
    )
    journal_flush_seconds: float = field(
        default=0.05, metadata=_doc("Journal entries reach the shared store within this time (batched writes).")
    )
    sysaid_public_prefix: str = field(
        default="/spaces/api/sysai",
        metadata=_doc("SysAid's public URL prefix, served as an alias of `/sysaid-copilot`."),
    )
    sysaid_callback_base_url: str | None = field(
        default=None,
        metadata=_doc(
            "SysAid server receiving the fromEmail notification callback (nothing: recorded, not sent).",
            flag="--sysaid-callback-url",
        ),
    )
    background_delay_seconds: float = field(
        default=0.05, metadata=_doc("Wall-clock delay before simulated background work (fromEmail, crawls) completes.")
    )
    reload: bool = field(
        default=False,
        metadata=_doc("Watch `specs/` and the fixtures folder and reload on change, keeping stored state."),
    )
    upstream: str | None = field(default=None, metadata=_doc("Proxy: base URL of the real deployment.", group="proxy"))
    proxy_spec: str | None = field(
        default=None,
        metadata=_doc("Proxy: the contract the traffic is validated against.", flag="--spec", group="proxy"),
    )
    violations_file: Path | None = field(
        default=Path("proxy-violations.jsonl"),
        metadata=_doc("Proxy: JSON Lines file receiving every violation.", group="proxy"),
    )
    record: Path | None = field(
        default=None,
        metadata=_doc("Proxy: record the forwarded traffic to this HAR file (credentials masked).", group="proxy"),
    )
    upstream_timeout_seconds: float = field(
        default=60.0, metadata=_doc("Proxy: timeout of one upstream call.", group="proxy")
    )

    def __post_init__(self) -> None:
        if isinstance(self.db, Path):  # a path object is as good as its text
            object.__setattr__(self, "db", str(self.db))
        if isinstance(self.specs, list):
            object.__setattr__(self, "specs", tuple(self.specs))
        _validate(self)

    @property
    def loopback(self) -> bool:
        """Whether the mock listens on this machine only."""
        return _is_loopback(self.host)

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def to_json(self) -> str:
        """Serialise (for worker processes, which rebuild the same settings)."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return json.dumps({key: str(value) if isinstance(value, Path) else value for key, value in data.items()})

    @classmethod
    def from_json(cls, text: str) -> Settings:
        """Inverse of `to_json`."""
        return _build(json.loads(text), "worker settings")

    def public(self) -> dict[str, Any]:
        """Every field for display, the admin token masked."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data["admin_token"] = "[MASKED]" if self.admin_token else None
        return {key: str(value) if isinstance(value, Path) else value for key, value in data.items()}


FIELDS: tuple[dataclasses.Field[Any], ...] = dataclasses.fields(Settings)
"""Every setting, with its documentation in `metadata`."""


def _is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _fail(name: str, problem: str) -> None:
    raise SettingsError(f"setting {name}: {problem}")


def _validate(s: Settings) -> None:
    if not 0 <= s.port <= 65535:
        _fail("port", f"must be between 0 and 65535, got {s.port}")
    if not 1 <= s.workers <= 64:
        _fail("workers", f"must be between 1 and 64, got {s.workers}")
    known = contract_names()
    for name in s.specs:
        if name not in known:
            _fail("specs", f"unknown contract {name!r}.{did_you_mean(name, known)} Valid: {', '.join(known)}")
    if not s.specs:
        _fail("specs", "at least one contract is needed")
    for name in ("max_body_bytes", "journal_limit", "journal_body_bytes"):
        if getattr(s, name) < 1:
            _fail(name, f"must be at least 1, got {getattr(s, name)}")
    for name in (
        "body_timeout_seconds",
        "header_timeout_seconds",
        "keep_alive_seconds",
        "journal_flush_seconds",
        "upstream_timeout_seconds",
    ):
        value = getattr(s, name)
        if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
            _fail(name, f"must be a positive number of seconds, got {value!r}")
    if not (math.isfinite(s.background_delay_seconds) and s.background_delay_seconds >= 0):
        _fail("background_delay_seconds", f"must be zero or more seconds, got {s.background_delay_seconds!r}")
    if s.db is not None and "://" in s.db and not s.db.startswith(("postgresql://", "postgres://", "sqlite:///")):
        _fail(
            "db", f"unsupported database URL {s.db.split('://')[0]}://...: use a file path, sqlite:/// or postgresql://"
        )
    if not s.loopback and not s.admin_token:
        _fail("admin_token", f"required when listening on {s.host} (not loopback): set {ENV_PREFIX}ADMIN_TOKEN")
    if s.sysaid_public_prefix and not s.sysaid_public_prefix.startswith("/"):
        _fail("sysaid_public_prefix", f"must start with '/', got {s.sysaid_public_prefix!r}")
    for name in ("upstream", "sysaid_callback_base_url"):
        value = getattr(s, name)
        if value is not None and not value.startswith(("http://", "https://")):
            _fail(name, f"must be an http(s) URL, got {value!r}")


# -- sources -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SettingSource:
    """Where a setting's value came from, for error messages and `contract-mock config`."""

    name: str
    origin: str


def _convert(spec: dataclasses.Field[Any], raw: Any, origin: str) -> Any:
    """A raw value (TOML value, environment string, JSON value) as the field's type."""
    kind = str(spec.type)
    try:
        if raw is None:
            return None
        if "tuple[str" in kind:
            return tuple(raw.split(",") if isinstance(raw, str) else raw)
        if kind.startswith("bool"):
            if isinstance(raw, bool):
                return raw
            lowered = str(raw).strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError("expected true or false")
        if kind.startswith("int"):
            if isinstance(raw, bool):
                raise ValueError("expected an integer")
            return int(raw)
        if kind.startswith("float"):
            return float(raw)
        if kind.startswith("LogLevel"):
            return LogLevel(str(raw).lower())
        if kind.startswith("Path"):
            return Path(str(raw)).expanduser()
        return str(raw)
    except ValueError as exc:
        raise SettingsError(f"setting {spec.name} from {origin}: {raw!r} is not valid ({exc})") from None


def _build(values: Mapping[str, Any], origin: str) -> Settings:
    known = {f.name: f for f in FIELDS}
    converted = {}
    for name, raw in values.items():
        if name not in known:
            raise SettingsError(f"{origin}: unknown setting {name!r}.{did_you_mean(name, known)}")
        converted[name] = _convert(known[name], raw, origin)
    return Settings(**converted)


def _config_values(config: Path | None, cwd: Path) -> tuple[dict[str, Any], str]:
    path = config or (cwd / CONFIG_FILE if (cwd / CONFIG_FILE).is_file() else None)
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"config file {path}: {exc}") from None
        return {key.replace("-", "_"): value for key, value in data.items()}, str(path)
    pyproject = cwd / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{pyproject}: {exc}") from None
        table = data.get("tool", {}).get(PYPROJECT_TABLE, {})
        return {key.replace("-", "_"): value for key, value in table.items()}, f"{pyproject} [tool.{PYPROJECT_TABLE}]"
    return {}, "defaults"


def load_settings(
    flags: Mapping[str, Any],
    *,
    environ: Mapping[str, str] | None = None,
    config: Path | None = None,
    cwd: Path | None = None,
    defaults: Mapping[str, Any] | None = None,
) -> tuple[Settings, dict[str, str]]:
    """Settings from flags > environment > config file > `defaults` (a command's own) > the field defaults, and
    where each given value came from."""
    environ = os.environ if environ is None else environ
    file_values, file_origin = _config_values(config, cwd or Path.cwd())
    merged: dict[str, Any] = dict(defaults or {})
    origins: dict[str, str] = {name: "command default" for name in merged}
    known = {f.name for f in FIELDS}
    for name, value in file_values.items():
        if name not in known:
            raise SettingsError(f"{file_origin}: unknown setting {name!r}.{did_you_mean(name, known)}")
        merged[name], origins[name] = value, file_origin
    for key, value in environ.items():
        if key.startswith(ENV_PREFIX):
            name = key[len(ENV_PREFIX) :].lower()
            if name not in known:
                raise SettingsError(f"environment {key}: unknown setting.{did_you_mean(name, known)}")
            merged[name], origins[name] = value, f"environment {key}"
    for name, value in flags.items():
        if value is not None:
            merged[name], origins[name] = value, "command line"
    try:
        settings = _build(merged, "settings")
    except SettingsError as exc:
        name = str(exc).removeprefix("setting ").split(":", 1)[0].split(" ", 1)[0]
        where = origins.get(name)
        raise SettingsError(f"{exc} (from {where})" if where else str(exc)) from None
    return settings, origins


def settings_table() -> str:
    """The Markdown table of every setting (docs/configuration.md embeds it; a test keeps the two equal)."""
    rows = [
        "| setting | flag | environment | default | what it does |",
        "|---|---|---|---|---|",
    ]
    for spec in FIELDS:
        flag = spec.metadata.get("flag") or "--" + spec.name.replace("_", "-")
        if str(spec.type).startswith("bool"):
            flag = f"{flag}/--no-{flag.removeprefix('--')}"
        default: Any = spec.default
        factory: Any = spec.default_factory
        if default is dataclasses.MISSING and callable(factory):
            default = factory()
        if isinstance(default, Path):
            default = "fixtures/default" if default == FIXTURES_DIR else str(default)
        if isinstance(default, tuple):
            default = "all contracts" if default == contract_names() else ", ".join(default)
        if isinstance(default, StrEnum):
            default = default.value
        shown = "(none)" if default is None else f"`{default}`"
        scope = " (proxy)" if spec.metadata.get("group") == "proxy" else ""
        environment = f"{ENV_PREFIX}{spec.name.upper()}"
        rows.append(f"| `{spec.name}` | `{flag}`{scope} | `{environment}` | {shown} | {spec.metadata['doc']} |")
    return "\n".join(rows)
