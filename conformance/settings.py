"""Every option of a conformance run, with its default, in one place.

`None` means "not given": the runner resolves it from the target (loopback or not) and the vendor. The
environment is read only by `credentials.py`, at the edge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from conformance.errors import ConfigurationError, did_you_mean

__all__ = [
    "DEFAULT_MAX_EXAMPLES",
    "DataMode",
    "Phase",
    "ProgressMode",
    "RunSettings",
    "check_base_url",
    "parse_enum_list",
    "parse_rate_limit",
]

DEFAULT_MAX_EXAMPLES = 100
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
