"""The servers under test as processes: the mock's configurations and Prism, a snapshot of the mock's code, free
ports in the agreed range, and deployments that are always stopped (their whole process trees), also on Ctrl-C.

A deployment is what one configuration starts: one `contract-mock serve` (one or two workers), two replicas on one
PostgreSQL database, or the Prism processes (one per contract). It knows, for each contract, the base URLs that
serve it, the process trees to measure, and (for the mock) the probe's folder.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from procstat import cmdline, descendants, rss_kb

ROOT = Path(__file__).resolve().parent.parent
"""The checkout whose mock is measured."""
BENCH = Path(__file__).resolve().parent
PROBE = BENCH / "probe"
PRISM_DIR = BENCH.parent / ".tools" / "prism"
"""Shared with CI (`.ci/run` installs Prism 5.14.2 there for the harness's Prism test)."""
PRISM = PRISM_DIR / "node_modules" / ".bin" / "prism"
PORTS = range(18600, 18700)
"""Ports this benchmark may use (agreed with the team)."""
CODE_PARTS = ("contracts", "mockserver", "conformance", "specs", "fixtures")
"""What a snapshot copies: the packages and the data they read."""
EXPERIMENTS = {"gc-freeze": "`gc.freeze()` once the server has started (applied by the probe)"}
"""Experiments `--experiment` can add to the load phase (implemented in `probe/sitecustomize.py`)."""


@dataclass(frozen=True)
class Config:
    """One way of starting the servers under test."""

    name: str
    kind: str = "mock"
    """`mock` or `prism`."""
    workers: int = 1
    replicas: int = 1
    store: str = "memory"
    """`memory` (the default for one worker), `file` (a SQLite file: what `--workers 2` uses) or `postgres`."""
    validate: bool = True
    log_level: str = "warning"
    probe: bool = True
    """Load the loop-lag probe (`probe/sitecustomize.py`) into the mock's processes."""
    experiments: tuple[str, ...] = ()
    """Changes the probe makes to the mock's processes, to price them (see `EXPERIMENTS`); never the product."""

    def with_experiment(self, experiment: str) -> Config:
        """The same configuration with one experiment applied (its name says so)."""
        return dataclasses.replace(
            self, name=f"{self.name}+{experiment}", experiments=(*self.experiments, experiment), probe=True
        )

    def describe(self) -> str:
        """How the configuration is started, for tables."""
        if self.kind == "prism":
            return "Prism 5 `prism mock -v warn`, one process per contract"
        parts = [f"{self.workers} worker{'s' if self.workers > 1 else ''}"]
        if self.replicas > 1:
            parts = [f"{self.replicas} replicas of 1 worker"]
        parts.append({"memory": "SQLite in memory", "file": "SQLite WAL file", "postgres": "PostgreSQL"}[self.store])
        if not self.validate:
            parts.append("no response validation")
        parts += [f"experiment {e}: {EXPERIMENTS[e]}" for e in self.experiments]
        return "contract-mock, " + ", ".join(parts)


MOCK_1W = Config("mock-1w")
MOCK_2W = Config("mock-2w", workers=2, store="file")
PRISM_CONFIG = Config("prism", kind="prism")
PG_1 = Config("pg-1", store="postgres")
PG_2 = Config("pg-2", store="postgres", replicas=2)
CONFIGS = {c.name: c for c in (MOCK_1W, MOCK_2W, PRISM_CONFIG, PG_1, PG_2)}


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

    def __init__(self, first: int = PORTS.start) -> None:
        self._next = first

    def take(self) -> int:
        """The next free port in the range."""
        for _ in PORTS:
            port, self._next = self._next, PORTS.start + (self._next + 1 - PORTS.start) % len(PORTS)
            if _port_free(port):
                return port
        raise SystemExit(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def http_get(port: int, path: str, timeout: float = 1.0, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """One GET on loopback: status and body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@dataclass
class Process:
    """One started server process tree and the URL prefix of each contract it serves."""

    label: str
    process: subprocess.Popen[bytes]
    port: int
    prefixes: dict[str, str]
    log: Path
    started: float = field(default_factory=time.perf_counter)

    def tree(self) -> list[int]:
        """The process and its live descendants (workers, multiprocessing's resource tracker)."""
        return descendants(self.process.pid) if self.process.poll() is None else []

    def stop(self) -> None:
        """SIGTERM (uvicorn stops its workers, Prism exits), then SIGKILL whatever is left of the tree."""
        tree = self.tree()
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        for pid in tree[1:]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


class Deployment:
    """The processes one configuration started; `stop()` ends them all (also from `stop_all`)."""

    running: list[Deployment] = []

    def __init__(self, config: Config, workdir: Path) -> None:
        self.config = config
        self.processes: list[Process] = []
        self.probe_dir: Path | None = None
        self.db_path: Path | None = None
        self.database_url: str | None = None
        self.workdir = workdir
        Deployment.running.append(self)

    # -- what the benchmark reads ------------------------------------------------------------------------------

    def endpoints(self, spec: str) -> list[tuple[int, str]]:
        """(port, path prefix) of every process serving `spec`."""
        return [(p.port, p.prefixes[spec]) for p in self.processes if spec in p.prefixes]

    def roots(self) -> list[int]:
        """The root pid of every process tree."""
        return [p.process.pid for p in self.processes]

    def tree(self) -> list[int]:
        """Every live pid of the deployment."""
        return [pid for p in self.processes for pid in p.tree()]

    def serving_pids(self) -> list[int]:
        """The processes that serve requests: uvicorn's workers (not their supervisor), or the single process."""
        pids = []
        for p in self.processes:
            tree = p.tree()
            if self.config.kind == "mock" and self.config.workers > 1:
                pids += [pid for pid in tree[1:] if "resource_tracker" not in cmdline(pid)]
            else:
                pids += tree[:1]
        return pids

    def rss_mb(self) -> dict[str, Any]:
        """Resident memory of every process, the total and the serving processes'."""
        sizes = rss_kb(self.tree())
        serving = set(self.serving_pids())
        return {
            "total_mb": round(sum(sizes.values()) / 1024, 1),
            "serving_mb": sorted((round(kb / 1024, 1) for pid, kb in sizes.items() if pid in serving), reverse=True),
            "parts_mb": {f"{pid} {cmdline(pid)[-50:]}": round(kb / 1024, 1) for pid, kb in sizes.items()},
        }

    def wait_settled(self, timeout: float = 30.0) -> None:
        """Wait until every worker exists and the tree's memory stops changing (workers finish importing)."""
        deadline, previous = time.monotonic() + timeout, -1
        while time.monotonic() < deadline:
            total = sum(rss_kb(self.tree()).values())
            enough = len(self.serving_pids()) >= self.config.workers * self.config.replicas
            settled = self.config.kind == "prism" or (enough and previous > 0 and abs(total - previous) < 256)
            if settled and (self.probe_dir is None or len(self.probed_pids()) >= len(self.serving_pids())):
                return
            previous = total
            time.sleep(0.3)

    # -- the probe ---------------------------------------------------------------------------------------------

    def probed_pids(self) -> list[int]:
        """Live processes whose probe is installed (they wrote `ready-<pid>`)."""
        if self.probe_dir is None:
            return []
        live = set(self.tree())
        return [int(f.name.split("-")[1]) for f in self.probe_dir.glob("ready-*") if int(f.name.split("-")[1]) in live]

    def probe_mark(self, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Ask every probed process for what it recorded since the last mark (SIGUSR1) and return the dumps."""
        assert self.probe_dir is not None
        pids = self.probed_pids()
        before = {pid: len(list(self.probe_dir.glob(f"{pid}-*.json"))) for pid in pids}
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGUSR1)
        dumps, deadline = [], time.monotonic() + timeout
        for pid in pids:
            path = self.probe_dir / f"{pid}-{before[pid]}.json"
            while not path.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            if path.exists():
                dumps.append(json.loads(path.read_text()))
        return dumps

    def stop(self) -> None:
        """Stop every process of the deployment."""
        for p in self.processes:
            p.stop()
        self.processes = []
        if self in Deployment.running:
            Deployment.running.remove(self)

    # -- starting ----------------------------------------------------------------------------------------------

    def wait_ready(self, timeout: float = 90.0) -> float:
        """Seconds from the first launch to the moment every process has answered one HTTP request."""
        first = min(p.started for p in self.processes)
        for p in self.processes:
            _wait_answer(p, self.config.kind, first + timeout)
        return time.perf_counter() - first


def _wait_answer(p: Process, kind: str, deadline: float) -> None:
    """Poll every 10 ms: the mock is ready when `GET /` (the index of every mounted API) answers 200; Prism when it
    answers anything (it has no index)."""
    while time.perf_counter() < deadline:
        if p.process.poll() is not None:
            raise ServerFailed(f"{p.label} exited with {p.process.returncode}: {_tail(p.log)}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            status, _ = http_get(p.port, "/")
            if kind == "prism" or status == 200:
                return
        time.sleep(0.01)
    raise ServerFailed(f"{p.label} not ready in time: {_tail(p.log)}")


class ServerFailed(RuntimeError):
    """A server did not start (its log's end is in the message)."""


def _tail(log: Path, size: int = 1500) -> str:
    with contextlib.suppress(OSError):
        return log.read_text(errors="replace")[-size:]
    return "(no log)"


def _clean_environment() -> dict[str, str]:
    """The environment without settings that would change the mock (`CONTRACT_MOCK_*`) or Python's path."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("CONTRACT_MOCK_", "PYTHONPATH", "BENCH_"))}


def mock_environment(code: Path | None, probe_dir: Path | None = None) -> dict[str, str]:
    """The environment of a mock (or harness) process: the code snapshot first on the path, the probe before it."""
    env = _clean_environment()
    path = [str(code)] if code else []
    if probe_dir is not None:
        path.insert(0, str(PROBE))
        env["BENCH_PROBE_DIR"] = str(probe_dir)
    if path:
        env["PYTHONPATH"] = os.pathsep.join(path)
    return env


def start(
    config: Config,
    ports: Ports,
    workdir: Path,
    code: Path | None,
    database_url: str | None = None,
    probe: bool | None = None,
    specs: tuple[str, ...] | None = None,
) -> Deployment:
    """Launch a configuration (not waiting for it): the caller calls `wait_ready()` and always `stop()`.
    `specs` limits Prism to the contracts a phase needs (the mock always serves all five)."""
    deployment = Deployment(config, workdir)
    stamp = time.monotonic_ns()
    if config.kind == "prism":
        for spec in specs or prism_specs():
            port = ports.take()
            log = workdir / f"prism-{spec}-{port}.log"
            document = (code or ROOT) / "specs" / f"{spec}.yaml"
            command = [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), "-v", "warn", str(document)]
            with log.open("ab") as sink:
                process = subprocess.Popen(
                    command,
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    cwd=workdir,
                    env=_clean_environment(),
                )
            deployment.processes.append(Process(f"prism {spec}", process, port, {spec: ""}, log))
        return deployment
    if config.probe if probe is None else probe:
        deployment.probe_dir = workdir / f"probe-{config.name}-{stamp}"
        deployment.probe_dir.mkdir()
    env = mock_environment(code, deployment.probe_dir)
    if config.experiments:
        env["BENCH_EXPERIMENTS"] = ",".join(config.experiments)
    db_args: list[str] = []
    if config.store == "file":
        deployment.db_path = workdir / f"state-{config.name}-{stamp}.sqlite"
        db_args = ["--db", str(deployment.db_path)]
    elif config.store == "postgres":
        if database_url is None:
            raise ServerFailed("no PostgreSQL database for this configuration")
        deployment.database_url = database_url
        env["CONTRACT_MOCK_DB"] = database_url  # in the environment: a flag would show the password in `ps`
    executable = Path(sys.executable).with_name("contract-mock")
    for replica in range(config.replicas):
        port = ports.take()
        log = workdir / f"{config.name}-{replica}-{port}.log"
        command = [
            str(executable),
            "serve",
            "--port",
            str(port),
            "--workers",
            str(config.workers),
            "--log-level",
            config.log_level,
            *db_args,
        ]
        if not config.validate:
            command.append("--no-validate-responses")
        with log.open("ab") as sink:
            process = subprocess.Popen(
                command, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True, cwd=workdir, env=env
            )
        prefixes = {spec: f"/{spec}" for spec in prism_specs()}
        deployment.processes.append(Process(f"{config.name}#{replica}", process, port, prefixes, log))
    return deployment


@contextlib.contextmanager
def serving(
    config: Config,
    ports: Ports,
    workdir: Path,
    code: Path | None,
    database_url: str | None = None,
    probe: bool | None = None,
    specs: tuple[str, ...] | None = None,
) -> Iterator[tuple[Deployment, float]]:
    """A started, ready deployment and its start-up time; stopped on leaving."""
    deployment = start(config, ports, workdir, code, database_url, probe, specs)
    try:
        yield deployment, deployment.wait_ready()
    finally:
        deployment.stop()


def stop_all(*signal_args: object) -> None:
    """Stop every deployment still running (signal handler and final cleanup)."""
    for deployment in list(Deployment.running):
        deployment.stop()
    if signal_args:
        raise SystemExit(130)


def prism_specs() -> tuple[str, ...]:
    """The five contracts, in the registry's order (read from the checkout: the names do not change in a run)."""
    sys.path.insert(0, str(ROOT))
    try:
        from contracts import contract_names

        return tuple(contract_names())
    finally:
        sys.path.remove(str(ROOT))


def ensure_prism() -> str:
    """Prism's version, installing `@stoplight/prism-cli` into `.tools/prism` first when missing."""
    if not PRISM.exists():
        if shutil.which("npm") is None:
            raise ServerFailed("Prism is not installed and npm is missing (install Node 20 and npm)")
        print("  installing Prism: npm install --prefix .tools/prism @stoplight/prism-cli", flush=True)
        subprocess.run(
            ["npm", "install", "--prefix", str(PRISM_DIR), "--no-audit", "--no-fund", "@stoplight/prism-cli"],
            check=True,
            capture_output=True,
        )
    done = subprocess.run([str(PRISM), "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip() or "unknown"


def snapshot_code(workdir: Path) -> tuple[Path, dict[str, Any]]:
    """Copy the mock and the harness (packages, contracts, fixtures) as they are now, so that every server of a run
    runs the same code even while colleagues edit the checkout; returns the copy and what identifies it."""
    target = workdir / "code"
    digest = hashlib.sha256()
    for part in CODE_PARTS:
        shutil.copytree(ROOT / part, target / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for file in sorted(f for f in target.rglob("*") if f.is_file()):
        digest.update(str(file.relative_to(target)).encode() + b"\0" + file.read_bytes())
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import mockserver, contracts, conformance; print(mockserver.__file__, contracts.SPECS_DIR)",
        ],
        env=mock_environment(target),
        capture_output=True,
        text=True,
        check=False,
        cwd=workdir,
    )
    if not probe.stdout.strip().startswith(str(target)) or str(target / "specs") not in probe.stdout:
        raise SystemExit(f"the snapshot is not what the server would import: {probe.stdout}{probe.stderr}")
    changed = subprocess.run(
        ["git", "status", "--porcelain", "--", *CODE_PARTS], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.split("\n")
    return target, {"sha256": digest.hexdigest()[:12], "uncommitted_changes": [c for c in changed if c]}
