"""Serving an ASGI app with uvicorn on a free loopback port, in a background thread, for network tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


def free_port() -> int:
    """A port the OS says is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run `app` on 127.0.0.1 until the block ends; yields the origin URL."""
    with serving(app) as (origin, _):
        yield origin


@contextmanager
def serving(app: Any) -> Iterator[tuple[str, Callable[[], None]]]:
    """Like `serve`, also yielding a function that stops the server early (the target going away)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)

    try:
        yield f"http://127.0.0.1:{port}", stop
    finally:
        stop()
