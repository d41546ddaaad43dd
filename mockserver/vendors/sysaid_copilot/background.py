"""Work the service goes on with after answering, run by the runtime (kept referenced until it finishes)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from mockserver.runtime import runtime

__all__ = ["spawn"]

log = logging.getLogger("mockserver.sysaid_copilot")


async def _logged(work: Coroutine[Any, Any, None], name: str) -> None:
    """Run `work`; a failure is logged with the task's name (the request that started it has been answered)."""
    try:
        await work
    except Exception:
        log.exception("background task sysaid-copilot:%s failed", name)


def spawn(work: Coroutine[Any, Any, None], name: str) -> asyncio.Task[Any]:
    """Run `work` in the background through `runtime().spawn`, logging a failure instead of losing it."""
    return runtime().spawn(_logged(work, name))
