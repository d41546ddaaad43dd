"""Every option of a conformance run, with its default, in one place, and where each value comes from.

`None` means "not given": the runner resolves it from the target (loopback or not) and the vendor. Each option is
reachable four ways, highest precedence first: a command-line flag, an environment variable `CONTRACT_TEST_<OPTION>`,
a TOML config file (`--config FILE`, else `contract-test.toml` in the working directory, else `[tool.contract-test]`
in `./pyproject.toml`), and the default here (`load_run_settings`). Credentials are not options: they come from the
credentials file and `CONTRACT_<SPEC>_<KEY>` variables (`credentials.py`).
"""

from __future__ import annotations

import json
import os
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from conformance.errors import ConfigurationError, did_you_mean

__all__ = [
    "DEFAULT_MAX_EXAMPLES",
    "DataMode",
    "Phase",
    "ProgressMode",
    "RunSettings",
    "check_base_url",
    "load_run_settings",
    "parse_enum_list",
    "parse_rate_limit",
]

DEFAULT_MAX_EXAMPLES = 100
ENV_PREFIX = "CONTRACT_TEST_"
CONFIG_FILE = "contract-test.toml"
PYPROJECT_TABLE = "contract-test"
FLAG_NAMES = {
    "specs": "spec",
    "credentials_file": "credentials",
    "data_mode": "mode",
    "include_operations": "include_operation",
    "exclude_operations": "exclude_operation",
    "extra_headers": "header",
    "report_html": "report",
    "json_report": "json",
}
"""Options whose flag is not named after the field; the config file and environment take either name."""
E = TypeVar("E", bound=StrEnum)
RATE_LIMIT_PATTERN = re.compile(r"^(\d+)/([smhd])$")


class Phase(StrEnum):
    """Schemathesis test phases a run may use."""

    EXAMPLES = "examples"
    COVERAGE = "coverage"
    FUZZING = "fuzzing"
    STATEFUL = "stateful"


class DataMode(StrEnum):
    """Which generated data is sent: valid only, invalid only, or both."""

    POSITIVE = "positive"
    NEGATIVE = "negative"
    ALL = "all"


class ProgressMode(StrEnum):
    """Whether the live progress display is shown."""

    AUTO = "auto"
    ON = "on"
    OFF = "off"


@dataclass(frozen=True)
class RunSettings:
    """Options of one `contract-test run`; immutable, derive variants with `with_changes`."""

    specs: tuple[str, ...] = ()
    base_url: str | None = None
    credentials_file: Path | None = None
    phases: tuple[Phase, ...] = tuple(Phase)
    data_mode: DataMode = DataMode.ALL
    max_examples: int = DEFAULT_MAX_EXAMPLES
    stateful_max_steps: int | None = None
    seed: int | None = None
    workers: int = 1
    include_operations: tuple[str, ...] = ()
    exclude_operations: tuple[str, ...] = ()
    read_only: bool = False
    rate_limit: str | None = None
    probe_methods: bool | None = None
    max_time: int | None = None
    request_timeout: float = 10.0
    fail_on_unobserved: bool = False
    junit_xml: Path | None = None
    report_html: Path | None = None
    json_report: Path | None = None
    baseline: Path | None = None
    update_baseline: bool = False
    progress: ProgressMode = ProgressMode.AUTO
    extra_headers: dict[str, str] = field(default_factory=dict)
    verbose: bool = False

    def __post_init__(self) -> None:
        if self.base_url is not None:
            check_base_url(self.base_url)
        if self.max_examples < 1:
            raise ConfigurationError(f"--max-examples must be at least 1, got {self.max_examples}")
        if self.workers < 1:
            raise ConfigurationError(f"--workers must be at least 1, got {self.workers}")
        if self.max_time is not None and self.max_time < 1:
            raise ConfigurationError(f"--max-time must be at least 1 second, got {self.max_time}")
        if self.rate_limit is not None:
            parse_rate_limit(self.rate_limit)
        if not self.phases:
            raise ConfigurationError("at least one phase is required")
        if self.update_baseline and self.baseline is None:
            raise ConfigurationError("--update-baseline needs --baseline FILE")

    def with_changes(self, **changes: object) -> RunSettings:
        """Return a copy with some fields replaced (validated again)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def check_base_url(value: str) -> None:
    """A base URL needs an http(s) scheme and a host; fail with the URL it was probably meant to be."""
    parts = urlsplit(value.replace("{spec}", "spec"))
    if parts.scheme in ("http", "https") and parts.netloc:
        return
    if "://" not in value:
        raise ConfigurationError(f"--base-url {value!r} has no scheme: did you mean 'http://{value}'?")
    raise ConfigurationError(f"--base-url {value!r} must be an http:// or https:// URL with a host")


def parse_rate_limit(value: str) -> tuple[int, str]:
    """Validate a rate such as `5/m` or `100/s`; return (calls, unit)."""
    match = RATE_LIMIT_PATTERN.match(value)
    if match is None or int(match.group(1)) < 1:
        raise ConfigurationError(
            f"Invalid rate limit {value!r}: expected CALLS/UNIT with UNIT one of s, m, h, d (for example 5/m)"
        )
    return int(match.group(1)), match.group(2)


def parse_enum_list(raw: str, enum: type[E], option: str) -> tuple[E, ...]:
    """Parse a comma-separated list of enum values, failing with the valid choices and a suggestion."""
    choices = [member.value for member in enum]
    values: list[E] = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        if item not in choices:
            raise ConfigurationError(
                f"Invalid value {item!r} for {option}.{did_you_mean(item, choices)} Valid choices: {', '.join(choices)}"
            )
        member = enum(item)
        if member not in values:
            values.append(member)
    if not values:
        raise ConfigurationError(f"{option} needs at least one of: {', '.join(choices)}")
    return tuple(values)


def _headers_from_text(raw: str) -> dict[str, str]:
    """`Name: value` lines (or a JSON object) as a header mapping."""
    if raw.lstrip().startswith("{"):
        value = json.loads(raw)
        if not isinstance(value, dict):
            raise ValueError("expected a JSON object of header names to values")
        return {str(k): str(v) for k, v in value.items()}
    headers = {}
    for line in filter(None, (part.strip() for part in raw.splitlines())):
        name, sep, content = line.partition(":")
        if not sep or not name.strip():
            raise ValueError(f"{line!r}: expected 'Name: value'")
        headers[name.strip()] = content.strip()
    return headers


def _convert(name: str, kind: Any, raw: Any, base: Path | None) -> Any:
    """A TOML value or an environment string as the type `kind` of option `name`; relative paths from a config file
    are taken from the file's folder."""
    optional = typing.get_origin(kind) in (typing.Union, types.UnionType)
    if optional:
        kind = next(arg for arg in typing.get_args(kind) if arg is not type(None))
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is tuple:
        items = [part.strip() for part in raw.split(",")] if isinstance(raw, str) else list(raw)
        if isinstance(args[0], type) and issubclass(args[0], StrEnum):
            return parse_enum_list(",".join(str(item) for item in items), args[0], name)
        return tuple(str(item) for item in items if str(item))
    if origin is dict:
        if isinstance(raw, Mapping):
            return {str(k): str(v) for k, v in raw.items()}
        return _headers_from_text(str(raw))
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        lowered = str(raw).strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ValueError("expected true or false")
    if kind is int:
        if isinstance(raw, bool):
            raise ValueError("expected an integer")
        return int(raw)
    if kind is float:
        if isinstance(raw, bool):
            raise ValueError("expected a number")
        return float(raw)
    if kind is Path:
        path = Path(str(raw)).expanduser()
        return base / path if base is not None and not path.is_absolute() else path
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        return kind(str(raw).strip().lower())
    if not isinstance(raw, str):
        raise ValueError("expected a string")
    return raw


def _config_table(config: Path | None, cwd: Path) -> tuple[dict[str, Any], str, Path | None]:
    """The config file's options, where they came from, and the folder relative paths in it start from."""
    path = config or (cwd / CONFIG_FILE if (cwd / CONFIG_FILE).is_file() else None)
    table: Any
    if path is not None:
        origin = str(path)
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigurationError(f"config file {path}: {exc}") from None
    else:
        path = cwd / "pyproject.toml"
        origin = f"{path} [tool.{PYPROJECT_TABLE}]"
        if not path.is_file():
            return {}, "defaults", None
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {}).get(PYPROJECT_TABLE, {})
        except tomllib.TOMLDecodeError as exc:
            raise ConfigurationError(f"{path}: {exc}") from None
    if not isinstance(table, dict):
        raise ConfigurationError(f"{origin}: expected a table of options")
    return {key.replace("-", "_"): value for key, value in table.items()}, origin, path.parent.resolve()


def load_run_settings(
    flags: Mapping[str, Any],
    *,
    environ: Mapping[str, str] | None = None,
    config: Path | None = None,
    cwd: Path | None = None,
) -> tuple[RunSettings, dict[str, str]]:
    """Options from flags (only those given on the command line) > `CONTRACT_TEST_*` environment > config file >
    defaults, and where each given value came from. A wrong name or value fails naming the option and its source."""
    environ = os.environ if environ is None else environ
    hints = typing.get_type_hints(RunSettings)
    known = [f.name for f in fields(RunSettings)]
    aliases = {flag: name for name, flag in FLAG_NAMES.items()}
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}

    def take(name: str, raw: Any, origin: str, base: Path | None) -> None:
        name = aliases.get(name, name)
        if name not in known:
            choices = [*known, *aliases]
            raise ConfigurationError(f"{origin}: unknown option {name!r}.{did_you_mean(name, choices)}")
        try:
            values[name] = _convert(name, hints[name], raw, base)
        except (ValueError, TypeError, ConfigurationError) as exc:
            raise ConfigurationError(f"option {name} from {origin}: {raw!r} is not valid ({exc})") from None
        origins[name] = origin

    file_values, file_origin, base = _config_table(config, cwd or Path.cwd())
    for name, raw in file_values.items():
        take(name, raw, file_origin, base)
    for key, raw in sorted(environ.items()):
        if key.startswith(ENV_PREFIX):
            take(key[len(ENV_PREFIX) :].lower(), raw, f"environment {key}", None)
    for name, value in flags.items():
        values[name], origins[name] = value, "command line"
    try:
        settings = RunSettings(**values)
    except ConfigurationError as exc:
        sources = sorted({origin for origin in origins.values() if origin != "command line"})
        raise ConfigurationError(f"{exc} (settings from {', '.join(sources)})" if sources else str(exc)) from None
    return settings, origins
