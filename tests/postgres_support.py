"""A throw-away PostgreSQL server for the tests: `initdb` into a temporary folder, started on a free loopback port.

The server binaries come from the machine's PostgreSQL packages (Debian: `apt-get install postgresql`, which puts
them under /usr/lib/postgresql/<version>/bin); without them the tests that need a server skip, saying so. PostgreSQL
refuses to run as root, so a root test process runs the server as the `postgres` user (`runuser`). Connections go
over TCP with a password (as replicas on other hosts would); the unix socket lives in the temporary folder.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import psycopg

__all__ = ["SKIP_REASON", "PostgresServer", "free_port", "server_binaries"]

SKIP_REASON = "PostgreSQL server binaries not installed: apt-get install postgresql"
USER = "mock"
DATABASE = "mock"
_START_SECONDS = 60


def server_binaries() -> Path | None:
    """The folder holding `initdb`, `pg_ctl` and `postgres`: Debian's newest version, else the ones on PATH."""
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/postgres"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    if debian:
        return debian[-1].parent
    found = shutil.which("postgres")
    if found and shutil.which("initdb") and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresServer:
    """One running cluster with one database, `mock`; `new_schema()` gives each test its own schema in it."""

    bindir: Path
    root: Path
    port: int
    password: str

    _names = count(1)

    @classmethod
    def start(cls, bindir: Path) -> PostgresServer:
        """initdb and start a cluster in a new temporary folder (removed by `stop`)."""
        root = Path(tempfile.mkdtemp(prefix="contract-mock-postgres-"))
        server = cls(bindir, root, free_port(), secrets.token_urlsafe(12))
        (root / "socket").mkdir()
        (root / "password").write_text(server.password, encoding="utf-8")
        if os.geteuid() == 0:  # the server must not run as root: hand the folder to the `postgres` user
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("PostgreSQL refuses to run as root, and there is no `postgres` user") from None
            for path in (root, root / "socket", root / "password"):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        try:
            server._run(
                "initdb",
                "--pgdata", str(root / "data"),
                "--username", USER,
                "--pwfile", str(root / "password"),
                "--auth-local", "trust",
                "--auth-host", "scram-sha-256",
                "--encoding", "UTF8",
                "--locale", "C",
            )  # fmt: skip
            server.resume()
            with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {DATABASE}")
        except BaseException:
            server.stop()
            raise
        return server

    def resume(self) -> None:
        """Start the server (again, after `halt`: same port, same data)."""
        options = " ".join(
            [
                f"-c port={self.port}",
                "-c listen_addresses=127.0.0.1",
                f"-c unix_socket_directories={self.root / 'socket'}",
                "-c max_connections=200",
                "-c fsync=off",  # a test cluster: its data need not survive a crash of the machine
                "-c full_page_writes=off",
            ]
        )
        try:
            self._run(
                "pg_ctl", "start", "--wait", f"--timeout={_START_SECONDS}",
                "--pgdata", str(self.root / "data"), "--log", str(self.root / "server.log"), "-o", options,
            )  # fmt: skip
        except RuntimeError as exc:
            log = self.root / "server.log"
            tail = log.read_text(encoding="utf-8", errors="replace")[-2000:] if log.is_file() else ""
            raise RuntimeError(f"PostgreSQL did not start on port {self.port}: {exc}\n{tail}") from exc

    def halt(self) -> None:
        """Stop the server, keeping its data (`resume` starts it again)."""
        self._run("pg_ctl", "stop", "--pgdata", str(self.root / "data"), "--mode", "fast", "--wait")

    def _run(self, program: str, *args: str) -> None:
        """Run one of the server's programs (as `postgres` when we are root); its output in the error if it fails."""
        command: Sequence[str] = [str(self.bindir / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, timeout=_START_SECONDS, cwd=self.root, check=False)
        if done.returncode != 0:
            output = (done.stdout + done.stderr).decode(errors="replace").strip()[-2000:]
            raise RuntimeError(f"{program} exited with {done.returncode}: {output}")

    def url(self, database: str = DATABASE) -> str:
        """A TCP URL of a database, with the password (as the mock is given it)."""
        return f"postgresql://{USER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def new_schema(self) -> str:
        """The URL of a new, empty schema (`search_path` set in the URL): much quicker to make than a database."""
        name = f"test_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {name}")
        return f"{self.url()}?options=-csearch_path%3D{name}"

    def stop(self) -> None:
        """Stop the server at once (when it runs) and remove its folder."""
        try:
            if (self.root / "data" / "postmaster.pid").is_file():
                self._run("pg_ctl", "stop", "--pgdata", str(self.root / "data"), "--mode", "immediate", "--wait")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
