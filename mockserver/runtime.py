"""The running mock's shared parts (store, clock, settings, contracts), reachable from every handler.

One `Runtime` exists per worker process; vendor handlers call `runtime()` instead of importing globals, so tests
can build several apps in one process one after another.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any

from mockserver.clock import Clock
from mockserver.contracts import Contract
from mockserver.settings import Settings
from mockserver.store import Store

__all__ = ["Runtime", "activate", "runtime"]

log = logging.getLogger("mockserver")


@dataclass
class Runtime:
    """What handlers need: settings, state, time and the loaded contracts."""

    settings: Settings
    store: Store
    clock: Clock
    contracts: dict[str, Contract] = field(default_factory=dict)
    background: set[Any] = field(default_factory=set)
    """Background tasks in flight (kept referenced until they finish)."""

    def vendor_limits(self) -> bool:
        """Whether vendors' documented limits are enforced (the admin API can change it while running)."""
        override = self.store.get("__meta", "settings") or {}
        return bool(override.get("vendorLimits", self.settings.vendor_limits))

    def set_vendor_limits(self, enabled: bool) -> None:
        """Turn vendor limits on or off for every worker."""
        self.store.put("__meta", "settings", {"vendorLimits": enabled})

    def journal_event(self, spec: str, kind: str, detail: dict[str, Any]) -> None:
        """Record something that happened outside a request (a callback, a background step)."""
        from mockserver.journal import record_event

        record_event(self, spec, kind, detail)


_current: ContextVar[Runtime | None] = ContextVar("mockserver_runtime", default=None)
_latest: Runtime | None = None


def activate(value: Runtime) -> Token[Runtime | None]:
    """Make `value` the runtime of the current context (each app's middleware does this per request)."""
    global _latest
    _latest = value
    return _current.set(value)


def runtime() -> Runtime:
    """The runtime of the app serving the current request (or of the app created last)."""
    value = _current.get() or _latest
    if value is None:
        raise RuntimeError("the mock server has not been created: call mockserver.create_app() first")
    return value
