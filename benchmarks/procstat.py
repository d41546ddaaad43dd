"""What the machine is doing: CPU used per process, memory of a process tree, load, and the facts a results
table must state. Reads `/proc` directly (Linux), so measuring needs nothing beyond the standard library.

CPU of "others" counts every live process outside the measured groups and this benchmark, plus what processes that
exited during the window used in it: a colleague's test run made of short-lived processes is seen too. An exited
process's CPU reaches its parent's `cutime`/`cstime` when it is reaped, for its whole life; what it had used before
the window (known from the first snapshot) is taken off again.
"""

from __future__ import annotations

import collections
import contextlib
import datetime
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class _Ticks:
    own: int
    """utime + stime."""
    reaped: int
    """cutime + cstime: CPU of children this process has waited for."""
    ppid: int
    name: str


def _cpu_ticks() -> dict[int, _Ticks]:
    """CPU ticks, parent pid and name of every process."""
    ticks = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            text = Path(entry.path, "stat").read_text()
            name = text[text.index("(") + 1 : text.rindex(")")]
            fields = text[text.rindex(")") + 2 :].split()
            ticks[int(entry.name)] = _Ticks(
                int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14]), int(fields[1]), name
            )
    return ticks


def cmdline(pid: int) -> str:
    """The command line of a process ("?" when it is gone)."""
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    return "?"


def descendants(root: int, table: dict[int, _Ticks] | None = None) -> list[int]:
    """`root` and every live process below it (`root` first)."""
    table = table if table is not None else _cpu_ticks()
    children: dict[int, list[int]] = collections.defaultdict(list)
    for pid, ticks in table.items():
        children[ticks.ppid].append(pid)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in table or pid == root:
            found.append(pid)
        todo.extend(children.get(pid, []))
    return found


@dataclass
class CpuWindow:
    """CPU used by named process groups (each a list of tree roots) and by everything else between `start()`
    and `stop()`. This benchmark and its children (wrk) are neither."""

    groups: dict[str, list[int]] = field(default_factory=dict)
    _before: dict[int, _Ticks] = field(default_factory=dict)
    _started: float = 0.0

    def start(self) -> None:
        """Take the first snapshot."""
        self._before, self._started = _cpu_ticks(), time.monotonic()

    def stop(self) -> dict[str, Any]:
        """CPU seconds per group (and per process of each group), cores used by others, the busiest of them."""
        after, elapsed = _cpu_ticks(), max(time.monotonic() - self._started, 1e-6)
        members = {
            name: {pid for root in roots for pid in descendants(root, after)} for name, roots in self.groups.items()
        }
        measured = set().union(*members.values()) if members else set()
        me = os.getpid()
        zero = _Ticks(0, 0, 0, "")
        result: dict[str, Any] = {}
        for name, pids in members.items():
            deltas = {pid: after[pid].own - self._before.get(pid, zero).own for pid in pids if pid in after}
            result[f"{name}_cpu_s"] = round(sum(deltas.values()) / CLK_TCK, 3)
            result[f"{name}_cpu_split_s"] = sorted((round(d / CLK_TCK, 2) for d in deltas.values()), reverse=True)
        others: list[tuple[float, int]] = []
        for pid, ticks in after.items():
            if pid == me or pid in measured:
                continue
            before = self._before.get(pid)
            delta = ticks.own - (before.own if before else 0)
            if before is not None:  # children reaped in the window, less what they had used before it
                gone = [t for old, t in self._before.items() if old not in after and t.ppid == pid]
                delta += max(0, ticks.reaped - before.reaped - sum(t.own + t.reaped for t in gone))
            if delta > 0:
                others.append((delta / CLK_TCK / elapsed, pid))
        others.sort(reverse=True)
        mine = after.get(me, zero)
        result.update(
            others_cores=round(sum(c for c, _ in others), 2),
            others_top=[f"{c:.2f} {cmdline(pid)[:90]}" for c, pid in others[:3] if c >= 0.05],
            load_generator_cpu_s=round((mine.reaped - self._before.get(me, zero).reaped) / CLK_TCK, 2),
        )
        return result


def busy_others(seconds: float = 1.0, exclude: list[int] | None = None) -> float:
    """Cores used by every process but this one (and the trees in `exclude`) over a short window."""
    window = CpuWindow({"excluded": exclude or []})
    window.start()
    time.sleep(seconds)
    return float(window.stop()["others_cores"])


def loadavg() -> float:
    """The 1-minute load average."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def wait_for_quiet(threshold: float, max_wait: float, exclude: list[int] | None = None) -> float:
    """Wait (at most `max_wait` s) until other processes use less than `threshold` cores; return what was seen."""
    deadline = time.monotonic() + max_wait
    seen = busy_others(1.0 if max_wait > 0 else 0.3, exclude)
    while seen > threshold and time.monotonic() < deadline:
        seen = busy_others(2.0, exclude)
    return seen


def rss_kb(pids: list[int]) -> dict[int, int]:
    """VmRSS of each live process, in kB."""
    sizes = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes[pid] = int(line.split()[1])
    return sizes


def _run(root: Path, *cmd: str) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, cwd=root, check=False, timeout=60).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "unavailable"


def machine_facts(root: Path) -> dict[str, Any]:
    """What a results table must state about the machine and the code measured."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    memory = next(
        (line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal:")),
        "0",
    )
    versions = _run(root, sys.executable, "-m", "pip", "list", "--format=freeze", "--disable-pip-version-check")
    wanted = (
        "connexion",
        "starlette",
        "uvicorn",
        "uvloop",
        "httptools",
        "jsonschema-rs",
        "jsonschema_rs",
        "schemathesis",
        "psycopg",
        "psycopg-pool",
        "py-spy",
    )
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "nproc": _run(root, "nproc"),
        "cpu": cpu,
        "memory_gib": round(int(memory) / 1024 / 1024, 1),
        "free_h": _run(root, "free", "-h"),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "wrk": _run(root, "wrk", "--version").splitlines()[0] if shutil.which("wrk") else "missing",
        "node": _run(root, "node", "--version") if shutil.which("node") else "missing",
        "packages": {
            line.split("==")[0].lower(): line.split("==")[1]
            for line in versions.splitlines()
            if "==" in line and line.lower().split("==")[0] in wanted
        },
        "git_head": _run(root, "git", "rev-parse", "--short", "HEAD"),
        "git_dirty_files": len(_run(root, "git", "status", "--porcelain").splitlines()),
        "loadavg_at_start": loadavg(),
    }
