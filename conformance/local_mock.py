"""The mock server inside a test process, for a consumer's own tests: in-process (ASGI) or on a free loopback port.

    mock = LocalMock()                       # the default fixtures of every contract
    app = mock.app                           # in-process ASGI app (httpx.ASGITransport, Starlette TestClient...)
    url = mock.url("sysaid-copilot")         # served by uvicorn on 127.0.0.1:<free port>, started on first use
    mock.close()                             # stops the server (the pytest fixture `contract_mock` does this)

The mock is reached only through its public factory (`mockserver.create_app`, `mockserver.Settings`).
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

from conformance.credentials import Credentials
from conformance.errors import ConfigurationError
from contracts import contract_names

__all__ = ["LocalMock"]

START_TIMEOUT_SECONDS = 15.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalMock:
    """One mock server for a test session; `settings` is a `mockserver.Settings` (default: every contract)."""

    def __init__(self, settings: Any | None = None) -> None:
        self.settings = settings
        self._app: Any | None = None
        self._server: Any | None = None
        self._thread: threading.Thread | None = None
        self.origin: str | None = None

    @property
    def app(self) -> Any:
        """The mock as an in-process ASGI app (created on first use)."""
        if self._app is None:
            from mockserver import Settings, create_app

            self._app = create_app(self.settings or Settings())
        return self._app

    @property
    def specs(self) -> tuple[str, ...]:
        """The contracts the mock serves."""
        return tuple(getattr(self.settings, "specs", contract_names()))

    def url(self, spec: str) -> str:
        """The base URL of one contract on the mock, serving it on a free port first if needed."""
        if spec not in self.specs:
            raise ConfigurationError(f"The mock does not serve {spec!r}; it serves {', '.join(self.specs)}")
        return f"{self.start()}/{spec}"

    def credentials(self, spec: str) -> dict[str, str]:
        """The credentials that work against the default fixtures, as flat dotted keys."""
        return dict(Credentials.load(None, [spec], environ={}).for_spec(spec).values)

    def start(self) -> str:
        """Serve the mock on 127.0.0.1 (once) and return its origin."""
        if self.origin is not None:
            return self.origin
        import uvicorn

        port = _free_port()
        config = uvicorn.Config(self.app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="contract-mock", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise ConfigurationError(f"the mock did not start on 127.0.0.1:{port}")
            time.sleep(0.02)
        self.origin = f"http://127.0.0.1:{port}"
        return self.origin

    def close(self) -> None:
        """Stop the served mock, if it was started."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = self._thread = None
        self.origin = None

    def __enter__(self) -> LocalMock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
