"""Work the service goes on with after answering: tasks kept referenced in the runtime until they finish."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from mockserver.runtime import runtime

__all__ = ["spawn"]

log = logging.getLogger("mockserver.sysaid_copilot")


def spawn(work: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
    """Run `work` in the background; a failure is logged (the request that started it has been answered)."""
    tasks = runtime().background
    task = asyncio.get_running_loop().create_task(work, name=f"sysaid-copilot:{name}")
    tasks.add(task)

    def finished(done: asyncio.Task[None]) -> None:
        tasks.discard(done)
        if not done.cancelled() and done.exception() is not None:
            log.error("background task %s failed", done.get_name(), exc_info=done.exception())

    task.add_done_callback(finished)
    return task
