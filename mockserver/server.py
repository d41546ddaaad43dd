"""Serving the app: uvicorn (uvloop and httptools) with the timeouts the settings document.

Uvicorn bounds idle keep-alive connections but not a client that opens a connection and sends its request line
and headers slowly (or never): `GuardedHttpToolsProtocol` closes such a connection after
`Settings.header_timeout_seconds`. Stalled bodies are bounded by the pipeline (`Settings.body_timeout_seconds`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from mockserver.settings import Settings

__all__ = ["CredentialFilter", "GuardedHttpToolsProtocol", "install_log_masking", "uvicorn_options"]

log = logging.getLogger("mockserver.server")


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """Uvicorn's httptools protocol with a deadline for the request line and headers of every request."""

    header_timeout: float = 10.0
    """Set from the settings in each worker process before it serves."""

    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._header_timer is None:
            self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._header_timer = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            log.info("closing a connection whose request headers did not arrive within %gs", self.header_timeout)
            self.transport.close()


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The uvicorn options the settings imply (the same for one worker and for several)."""
    GuardedHttpToolsProtocol.header_timeout = settings.header_timeout_seconds
    return {
        "host": settings.host,
        "port": settings.port,
        "workers": settings.workers,
        "log_level": settings.log_level.value,
        "http": GuardedHttpToolsProtocol,
        "loop": "uvloop",
        "timeout_keep_alive": max(1, round(settings.keep_alive_seconds)),
        "timeout_graceful_shutdown": 10,
    }


class CredentialFilter(logging.Filter):
    """Masks the values of credential query parameters (as the contracts declare them) in uvicorn's access log."""

    def __init__(self, names: frozenset[str]) -> None:
        super().__init__()
        self.names = names

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (*args[:2], self.mask(args[2]), *args[3:])
        return True

    def mask(self, target: str) -> str:
        """`/p?access_token=abc&x=1` -> `/p?access_token=[MASKED]&x=1`."""
        path, _, query = target.partition("?")
        parts = []
        for pair in query.split("&"):
            name, sep, _value = pair.partition("=")
            parts.append(f"{name}=[MASKED]" if sep and _unquoted(name) in self.names else pair)
        return f"{path}?{'&'.join(parts)}"


def _unquoted(name: str) -> str:
    from urllib.parse import unquote_plus

    return unquote_plus(name)


def install_log_masking(names: frozenset[str]) -> None:
    """Mask credential query parameters in every uvicorn access line (idempotent)."""
    access = logging.getLogger("uvicorn.access")
    for existing in list(access.filters):
        if isinstance(existing, CredentialFilter):
            access.removeFilter(existing)
    access.addFilter(CredentialFilter(names))
