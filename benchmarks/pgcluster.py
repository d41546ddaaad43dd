"""A throw-away PostgreSQL cluster for the replica rows: Debian's server binaries, `initdb` into a temporary folder,
started on a port of the agreed range, one new database per deployment, removed at the end.

PostgreSQL refuses to run as root, so a root benchmark runs `initdb` and `pg_ctl` as the `postgres` user
(`runuser`). Clients connect over TCP with a password, as replicas on other hosts would. Settings: the defaults
(fsync on) except `synchronous_commit=off`, the counterpart of the SQLite store's `synchronous=NORMAL` in WAL mode
(a crash may lose the last commits, never corrupts), and `max_connections=200`.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

from servers import Ports

USER = "mock"


def server_binaries() -> Path | None:
    """Debian's newest `/usr/lib/postgresql/<version>/bin`, else the folder of `postgres` on PATH."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/postgres"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if found:
        return found[-1].parent
    on_path = shutil.which("postgres")
    return Path(on_path).resolve().parent if on_path and shutil.which("initdb") else None


class PgUnavailable(RuntimeError):
    """PostgreSQL cannot be used here (the message says why)."""


class PgCluster:
    """One running cluster; `new_database()` gives each deployment an empty database."""

    def __init__(self, ports: Ports) -> None:
        bindir = server_binaries()
        if bindir is None:
            raise PgUnavailable("PostgreSQL server binaries not installed (apt-get install -y postgresql)")
        try:
            import psycopg  # noqa: F401  # the mock's driver, from the `postgres` extra
        except ImportError as exc:
            raise PgUnavailable(f"psycopg is not installed in the venv ({exc}): pip install -e '.[postgres]'") from None
        self.bindir = bindir
        self.version = bindir.parent.name
        self.root = Path(tempfile.mkdtemp(prefix="contract-mock-bench-pg-"))
        self.port = ports.take()
        self.password = secrets.token_urlsafe(12)
        self._names = itertools.count(1)
        (self.root / "socket").mkdir()
        (self.root / "password").write_text(self.password)
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            for path in (self.root, self.root / "socket", self.root / "password"):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        try:
            self._run(
                "initdb",
                "--pgdata",
                str(self.root / "data"),
                "--username",
                USER,
                "--pwfile",
                str(self.root / "password"),
                "--auth-local",
                "trust",
                "--auth-host",
                "scram-sha-256",
                "--encoding",
                "UTF8",
                "--locale",
                "C",
            )
            options = (
                f"-c port={self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories="
                f"{self.root / 'socket'} -c max_connections=200 -c synchronous_commit=off"
            )
            self._run(
                "pg_ctl",
                "start",
                "--wait",
                "--timeout=60",
                "--pgdata",
                str(self.root / "data"),
                "--log",
                str(self.root / "server.log"),
                "-o",
                options,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            log = ""
            with contextlib.suppress(OSError):
                log = (self.root / "server.log").read_text(errors="replace")[-800:]
            shutil.rmtree(self.root, ignore_errors=True)
            detail = getattr(exc, "stderr", b"") or b""
            raise PgUnavailable(
                f"PostgreSQL did not start: {exc} {detail.decode(errors='replace')[-400:]} {log}"
            ) from exc

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bindir / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=90, cwd=self.root)

    def url(self, database: str) -> str:
        """A TCP URL with the password (given to the mock through its environment)."""
        return f"postgresql://{USER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """The URL of a new, empty database."""
        import psycopg

        name = f"bench_{next(self._names)}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def roots(self) -> list[int]:
        """The postmaster's pid (its backends are its children): the database's CPU is measured apart."""
        with contextlib.suppress(OSError, ValueError, IndexError):
            return [int((self.root / "data" / "postmaster.pid").read_text().split()[0])]
        return []

    def server_version(self) -> str:
        """`SHOW server_version`."""
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return str(row[0]) if row else self.version

    def stop(self) -> None:
        """Stop the server at once and remove its folder."""
        try:
            with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError):
                self._run("pg_ctl", "stop", "--pgdata", str(self.root / "data"), "--mode", "immediate", "--wait")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
