"""The mock under test as processes: how a configuration is started, a snapshot of its code, free ports in the
agreed range, and a `Server` that is always stopped (its whole process tree), also on Ctrl-C."""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from procstat import cmdline, descendants, rss_kb

ROOT = Path(__file__).resolve().parent.parent
"""The checkout whose mock is measured."""
PORTS = range(18600, 18700)
"""Ports this benchmark may use (agreed with the team)."""
ABLATIONS = {
    "journal": "import mockserver.journal as j; j.record_request = lambda *a, **k: None",
    "faults": "import mockserver.faults as f; f.fault_for = lambda *a, **k: None",
    "clock": "import time, mockserver.clock as c; c.Clock.now = lambda self: time.time()",
    "threadpool": (
        "import mockserver.vendors.asapp_metadata_ingestion as a\n"
        "_sync = a.single_agent_metadata\n"
        "async def single_agent_metadata(body): return _sync(body)\n"
        "a.single_agent_metadata = single_agent_metadata"
    ),
}
"""Monkeypatches that switch one per-request part of the mock off, to price it (experiments, never the product).
`journal`: no journal entries; `faults`: no fault lookup; `clock`: the offset counter is not read (wall clock);
`threadpool`: the ASAPP single-agent handler (a plain function, so Connexion runs it in a worker thread) is called
from a coroutine on the event loop instead."""


@dataclass(frozen=True)
class Config:
    """One way of starting the mock."""

    workers: int
    validate: bool
    log_level: str
    ablate: tuple[str, ...] = ()
    """Parts of the mock switched off in the server process (experiments only; see `ABLATIONS`)."""

    @property
    def name(self) -> str:
        """Short label used in tables and result files."""
        label = f"{self.workers}w-{'validate' if self.validate else 'novalidate'}"
        label += "".join(f"-no-{part}" for part in self.ablate)
        return label if self.log_level == "warning" else f"{label}-log{self.log_level}"

    def args(self, port: int, db: Path | None) -> list[str]:
        """`contract-mock serve` arguments (all five contracts, default fixtures)."""
        args = ["serve", "--port", str(port), "--workers", str(self.workers), "--log-level", self.log_level]
        if not self.validate:
            args.append("--no-validate-responses")
        if db is not None:
            args += ["--db", str(db)]
        return args

    def environment(self, workdir: Path, code: Path | None) -> dict[str, str]:
        """The server's environment: `code` (a snapshot of the mock) first on the path; ablations go in a
        `sitecustomize` so that spawned workers apply them too."""
        env = dict(os.environ)
        path = [str(code)] if code else []
        if self.ablate:
            folder = workdir / f"ablate-{'-'.join(self.ablate)}"
            folder.mkdir(exist_ok=True)
            (folder / "sitecustomize.py").write_text("\n".join(ABLATIONS[part] for part in self.ablate) + "\n")
            path.insert(0, str(folder))
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [*path, env.get("PYTHONPATH")]))
        return env


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class Ports:
    """Hands out free ports from the agreed range, round robin."""

    def __init__(self, first: int) -> None:
        self._next = first

    def take(self) -> int:
        """The next free port in the range."""
        for _ in PORTS:
            port, self._next = self._next, PORTS.start + (self._next + 1 - PORTS.start) % len(PORTS)
            if _port_free(port):
                return port
        raise SystemExit(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def _get(port: int, path: str, timeout: float = 1.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class Server:
    """One `contract-mock serve` process tree; always stopped by `stop()` (also from `atexit`-like cleanup)."""

    running: list[Server] = []

    def __init__(self, config: Config, port: int, workdir: Path, code: Path | None) -> None:
        self.config, self.port = config, port
        db = workdir / f"state-{port}-{time.monotonic_ns()}.sqlite" if config.workers > 1 else None
        self.log = (workdir / f"server-{port}.log").open("ab")
        executable = Path(sys.executable).with_name("contract-mock")
        command = [str(executable) if executable.exists() else "contract-mock", *config.args(port, db)]
        env = config.environment(workdir, code)
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            command, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT, env=env
        )
        Server.running.append(self)

    def wait_ready(self, timeout: float = 60.0) -> float:
        """Seconds from launch to the first successful `GET /`."""
        deadline = self.started + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.config.name} exited with {self.process.returncode}; see {self.log.name}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                if _get(self.port, "/")[0] == 200:
                    return time.perf_counter() - self.started
            time.sleep(0.01)
        raise SystemExit(f"{self.config.name} not ready after {timeout}s; see {self.log.name}")

    def wait_settled(self, timeout: float = 20.0) -> None:
        """Wait until every worker exists and the tree's memory stops changing (workers finish importing)."""
        deadline, previous = time.monotonic() + timeout, -1
        while time.monotonic() < deadline:
            tree = self.tree()
            total = sum(rss_kb(tree).values())
            workers = len(tree) - 2 if self.config.workers > 1 else 1  # minus parent and resource tracker
            if workers >= self.config.workers and previous > 0 and abs(total - previous) < 256:
                return
            previous = total
            time.sleep(0.5)

    def tree(self) -> list[int]:
        """The uvicorn parent and its descendants (workers and multiprocessing's resource tracker)."""
        return descendants(self.process.pid)

    def rss_mb(self) -> dict[str, Any]:
        """Resident memory of the whole tree, with the per-process parts."""
        sizes = rss_kb(self.tree())
        return {
            "total_mb": round(sum(sizes.values()) / 1024, 1),
            "parts_mb": {cmdline(pid)[-40:]: round(kb / 1024, 1) for pid, kb in sizes.items()},
        }

    def stop(self) -> None:
        """SIGTERM the parent (uvicorn stops its workers), then SIGKILL whatever is left of the tree."""
        tree = self.tree() if self.process.poll() is None else []
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        for pid in tree:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.log.close()
        if self in Server.running:
            Server.running.remove(self)


@contextlib.contextmanager
def serving(config: Config, ports: Ports, workdir: Path, code: Path | None) -> Iterator[tuple[Server, float]]:
    """A started, ready server and its start-up time; stopped on leaving."""
    server = Server(config, ports.take(), workdir, code)
    try:
        yield server, server.wait_ready()
    finally:
        server.stop()


def stop_all(*_: object) -> None:
    """Stop every server still running (signal handler and final cleanup)."""
    for server in list(Server.running):
        server.stop()
    if _:
        raise SystemExit(130)


def snapshot_code(workdir: Path) -> tuple[Path, dict[str, Any]]:
    """Copy the mock (package, contracts, fixtures) as it is now, so that every server of a run runs the same code
    even while colleagues edit the checkout; returns the copy and what identifies it."""
    target = workdir / "code"
    digest = hashlib.sha256()
    for part in ("mockserver", "specs", "fixtures"):
        shutil.copytree(ROOT / part, target / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for file in sorted(f for f in target.rglob("*") if f.is_file()):
        digest.update(str(file.relative_to(target)).encode() + b"\0" + file.read_bytes())
    env = Config(1, True, "warning").environment(workdir, target)
    probe = subprocess.run([sys.executable, "-c", "import mockserver; print(mockserver.__file__)"], env=env,
                           capture_output=True, text=True, check=False, cwd=workdir)
    if not probe.stdout.strip().startswith(str(target)):
        raise SystemExit(f"the snapshot is not what the server would import: {probe.stdout}{probe.stderr}")
    changed = subprocess.run(["git", "status", "--porcelain", "--", "mockserver", "specs", "fixtures"], cwd=ROOT,
                             capture_output=True, text=True, check=False).stdout.split("\n")
    return target, {"sha256": digest.hexdigest()[:12], "uncommitted_changes": [c for c in changed if c]}
