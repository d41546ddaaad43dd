"""Keeping a run safe against live systems: loopback detection, vendor rate limits (each vendor profile's live rate,
`conformance/vendors/`), read-only selection, undeclared-method probing, honouring `Retry-After`, and a time limit
that a rate limit cannot overrun."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pyrate_limiter import Limiter
from schemathesis.core.rate_limit import parse_retry_after

from conformance.errors import ConfigurationError
from contracts import Contract

if TYPE_CHECKING:
    from schemathesis import BaseSchema, Case, HookContext, Response
    from schemathesis.config import ProjectConfig

    from conformance.vendors import VendorProfile

__all__ = [
    "DEFAULT_LIVE_RATE",
    "SAFE_METHODS",
    "DeadlineLimiter",
    "DeadlineReached",
    "LiveRate",
    "RateLimitPlan",
    "StatedRate",
    "install_deadline",
    "install_retry_after",
    "is_loopback",
    "rate_limit_plan",
]

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Undeclared methods that are still safe to probe in read-only mode (RFC 9110 section 9.2.1).
SAFE_PROBE_METHODS = ("options", "trace")


@dataclass(frozen=True)
class LiveRate:
    """A request rate for live targets (`5/m`, `100/s`), per operation or for the whole API, and its source."""

    rate: str
    per_operation: bool
    source: str

    def for_contract(self, contract: Contract) -> LiveRate:
        """This rate (the contract states none)."""
        return self


@dataclass(frozen=True)
class StatedRate:
    """The rate a contract states in `info.x-vendor-limits`: `key` counts the calls allowed per `unit` (`s`, `m`)."""

    key: str
    unit: str
    per_operation: bool = False

    def for_contract(self, contract: Contract) -> LiveRate:
        """The stated rate, its source the first sentence of the extension's description (the vendor document)."""
        limits = contract.extensions.get("x-vendor-limits")
        if not isinstance(limits, Mapping) or not isinstance(limits.get(self.key), int):
            raise ConfigurationError(f"{contract.name}: info.x-vendor-limits states no {self.key} (an integer)")
        document = str(limits.get("description", "the contract")).split(".")[0]
        source = f"{document} (info.x-vendor-limits.{self.key}: {limits[self.key]})"
        return LiveRate(f"{limits[self.key]}/{self.unit}", self.per_operation, source)


class RateLimitPlan:
    """A rate and whether it applies to each operation separately (per endpoint) or to the whole API."""

    def __init__(self, rate: str | None, per_operation: bool, source: str) -> None:
        self.rate = rate
        self.per_operation = per_operation
        self.source = source

    def describe(self) -> str:
        """One line for the run header."""
        if self.rate is None:
            return f"no rate limit ({self.source})"
        scope = "per operation" if self.per_operation else "for the whole API"
        return f"{self.rate} {scope} ({self.source})"


DEFAULT_LIVE_RATE = LiveRate("60/m", False, "no vendor figure; conservative harness default")
"""The rate against a live target of a contract no vendor profile knows."""


def is_loopback(base_url: str) -> bool:
    """Whether the target is this machine (`localhost`, 127.0.0.0/8, ::1) or an in-process app."""
    host = urlsplit(base_url).hostname or ""
    if host in ("localhost", "testserver") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def rate_limit_plan(
    contract: Contract, base_url: str, explicit: str | None, vendor: VendorProfile | None
) -> RateLimitPlan:
    """The explicit `--rate-limit`, else the vendor's live rate for non-loopback targets."""
    if explicit is not None:
        return RateLimitPlan(explicit, False, "--rate-limit")
    if is_loopback(base_url):
        return RateLimitPlan(None, False, "loopback target")
    live = vendor.live_rate.for_contract(contract) if vendor is not None else DEFAULT_LIVE_RATE
    return RateLimitPlan(live.rate, live.per_operation, live.source)


def install_retry_after(schema: BaseSchema, sleep: Callable[[float], None] = time.sleep) -> None:
    """After a 429, wait as long as `Retry-After` says (at most 60 s) before the next request."""

    def after_call(context: HookContext, case: Case[Any], response: Response) -> None:
        if response.status_code != 429:
            return
        values = response.headers.get("retry-after") or [""]
        delay = parse_retry_after(values[0])
        if delay:
            sleep(delay)

    schema.hook("after_call")(after_call)


class DeadlineReached(Exception):
    """The run's `--max-time` came before the rate limiter let the next request go; the request is not sent."""


class DeadlineLimiter(Limiter):
    """A rate limiter that waits for a slot only until the run's deadline, then stops the run instead of sending.

    Schemathesis checks its time limit between tests, but a request blocked in the limiter (12 s a call at 5/m)
    would otherwise run past it: `--max-time 20` under a 5/m limit ran 60 s.
    """

    def __init__(self, inner: Limiter, deadline: float, on_deadline: Callable[[], None]) -> None:
        # Sharing the inner limiter's buckets keeps one count of the calls made.
        super().__init__(inner.bucket_factory)
        self.deadline = deadline
        self.on_deadline = on_deadline

    def try_acquire(
        self, name: str = "pyrate", weight: int = 1, blocking: bool = True, timeout: int | float = -1
    ) -> bool:
        """Take a slot before the deadline; with none left, wait for the deadline and refuse to send."""
        remaining = self.deadline - time.monotonic()
        if remaining > 0 and super().try_acquire(name, weight, blocking=True, timeout=remaining) is True:
            return True
        # No request may go out before the deadline: sit it out, so the engine stops at its own time limit with
        # every finished case reported, instead of spinning on refused requests.
        time.sleep(max(self.deadline - time.monotonic(), 0.0))
        self.on_deadline()
        raise DeadlineReached(f"--max-time reached while waiting for the rate limit ({name})")


def install_deadline(project: ProjectConfig, deadline: float, on_deadline: Callable[[], None]) -> None:
    """Make every rate limiter of a schema's configuration give up at the deadline."""
    if isinstance(project.rate_limit, Limiter):
        project.rate_limit = DeadlineLimiter(project.rate_limit, deadline, on_deadline)
    for operation in project.operations.operations:
        if isinstance(operation.rate_limit, Limiter):
            operation.rate_limit = DeadlineLimiter(operation.rate_limit, deadline, on_deadline)
