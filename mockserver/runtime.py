"""The running mock's shared parts (settings, store, clock, contracts, behaviours, journal, cached server-wide
settings), reachable from every handler through `runtime()`.

One `Runtime` exists per app (per worker process); handlers call `runtime()` instead of importing globals, so tests
can build several apps in one process. Server-wide settings that the admin API changes (clock offset, faults,
vendor limits) are cached here and reloaded when the store's generation moves, checked once per request (`sync`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from contracts import Contract
from mockserver.clock import Clock
from mockserver.errors import SettingsError
from mockserver.journal import Journal
from mockserver.settings import Settings
from mockserver.store import Store

if TYPE_CHECKING:
    from mockserver.faults import Fault
    from mockserver.pipeline.compiler import CompiledApi
    from mockserver.vendors import Behaviour

__all__ = ["META", "Runtime", "activate", "runtime"]

log = logging.getLogger("mockserver")

META = "__meta"
"""Collection of server-wide records (the seeded marker, runtime settings)."""

SHUTDOWN_GRACE_SECONDS = 2.0
"""How long a stopping server waits for background work (callbacks, simulated processing) before cancelling it."""


@dataclass
class Runtime:
    """What handlers need: settings, state, time, the loaded contracts and the cached server-wide settings."""

    settings: Settings
    store: Store
    clock: Clock
    journal: Journal
    contracts: dict[str, Contract] = field(default_factory=dict)
    behaviours: dict[str, Behaviour] = field(default_factory=dict)
    apis: dict[str, CompiledApi] = field(default_factory=dict)
    """The compiled contracts (set when the app is built)."""
    faults: dict[tuple[str, str], Fault] = field(default_factory=dict)
    overridden: frozenset[tuple[str, str]] = frozenset()
    """(spec, operationId) of every operation with an override."""
    background: set[asyncio.Task[Any]] = field(default_factory=set)
    """Background tasks in flight (kept referenced until they finish)."""
    _generation: int = -1
    _vendor_limits: bool | None = None
    _cache: dict[tuple[str, str], Any] = field(default_factory=dict)

    async def sync(self) -> None:
        """Reload the cached server-wide settings if another worker (or the admin API) changed them. A private
        store can only change through this process, whose own changes reload at once (`changed`): no read."""
        if not self.store.shared and self._generation >= 0:
            return
        generation = await self.store.generation()
        if generation != self._generation:
            await self._reload(generation)

    async def _reload(self, generation: int) -> None:
        from mockserver.faults import load_faults
        from mockserver.overrides import overridden_operations

        await self.clock.load()
        self.faults = await load_faults(self)
        self.overridden = await overridden_operations(self)
        override = await self.store.get(META, "settings") or {}
        self._vendor_limits = override.get("vendorLimits")
        self._cache.clear()
        self._generation = generation

    async def cached(self, collection: str, doc_id: str) -> Any:
        """A document that only fixtures write (apps, users, organizations), cached until the generation moves:
        resets, fixture loads and reloads all move it, on every worker."""
        key = (collection, doc_id)
        if key not in self._cache:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[key] = await self.store.get(collection, doc_id)
        return self._cache[key]

    async def changed(self) -> None:
        """Tell every worker that server-wide settings changed, and reload them here now."""
        await self._reload(await self.store.bump_generation())

    def vendor_limits(self) -> bool:
        """Whether vendors' documented limits are enforced (the admin API can change it while running)."""
        return self.settings.vendor_limits if self._vendor_limits is None else self._vendor_limits

    async def set_vendor_limits(self, enabled: bool) -> None:
        """Turn vendor limits on or off for every worker."""
        await self.store.put(META, "settings", {"vendorLimits": enabled})
        await self.changed()

    def journal_event(self, spec: str, kind: str, detail: dict[str, Any]) -> None:
        """Record something that happened outside a request (a callback, a background step)."""
        self.journal.record(
            {"kind": kind, "at": self.clock.now(), "time": self.clock.now_iso(), "spec": spec, "detail": detail}
        )

    def spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run background work (a callback, simulated processing), kept referenced until it finishes."""
        task = asyncio.get_running_loop().create_task(work)
        self.background.add(task)
        task.add_done_callback(self.background.discard)
        return task

    async def close(self) -> None:
        """Give background work a short grace to finish, flush the journal and close the store (a clean stop loses
        no acknowledged request). Work still waiting after the grace (a simulated 30 s crawl, say) is cancelled: its
        outcome is computed on the next read after a restart, as the vendors' own background processing would be."""
        if self.background:
            _, pending = await asyncio.wait(list(self.background), timeout=SHUTDOWN_GRACE_SECONDS)
            for task in pending:
                task.cancel()
            if pending:
                log.info("stopped %d background task(s) still waiting at shutdown", len(pending))
                await asyncio.gather(*pending, return_exceptions=True)
        await self.journal.close()
        await self.store.close()


_current: ContextVar[Runtime | None] = ContextVar("mockserver_runtime", default=None)
_latest: Runtime | None = None


def activate(value: Runtime) -> Token[Runtime | None]:
    """Make `value` the runtime of the current context (each app's pipeline does this per request)."""
    global _latest
    _latest = value
    return _current.set(value)


def runtime() -> Runtime:
    """The runtime of the app serving the current request (or of the app created last)."""
    value = _current.get() or _latest
    if value is None:
        raise SettingsError("the mock server has not been created: call mockserver.create_app() first")
    return value
