"""What the machine is doing: CPU used per process, memory of a process tree, load, and the facts a results
table must state. Reads `/proc` directly (Linux), so measuring needs nothing beyond the standard library."""

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


def _cpu_ticks() -> dict[int, tuple[int, int, str]]:
    """utime+stime ticks, parent pid and name of every process."""
    ticks = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            text = Path(entry.path, "stat").read_text()
            name = text[text.index("(") + 1 : text.rindex(")")]
            fields = text[text.rindex(")") + 2 :].split()
            ticks[int(entry.name)] = (int(fields[11]) + int(fields[12]), int(fields[1]), name)
    return ticks


def cmdline(pid: int) -> str:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    return "?"


def descendants(root: int, table: dict[int, tuple[int, int, str]] | None = None) -> list[int]:
    """`root` and every process below it."""
    table = table if table is not None else _cpu_ticks()
    children: dict[int, list[int]] = collections.defaultdict(list)
    for pid, (_, ppid, _) in table.items():
        children[ppid].append(pid)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


@dataclass
class CpuWindow:
    """CPU used by the server tree and by everything else between `start()` and `stop()`."""

    server_root: int
    exclude: set[int] = field(default_factory=set)
    _before: dict[int, tuple[int, int, str]] = field(default_factory=dict)
    _started: float = 0.0

    def start(self) -> None:
        """Take the first snapshot."""
        self._before, self._started = _cpu_ticks(), time.monotonic()

    def stop(self) -> dict[str, Any]:
        """CPU seconds of the server, cores used by other processes, and the busiest of them."""
        after, elapsed = _cpu_ticks(), time.monotonic() - self._started
        server = set(descendants(self.server_root, after))
        mine = {os.getpid(), *self.exclude}
        others: list[tuple[float, int]] = []
        server_ticks = 0
        per_process: list[float] = []
        for pid, (ticks, _, _) in after.items():
            delta = ticks - self._before.get(pid, (0, 0, ""))[0]
            if pid in server:
                server_ticks += delta
                per_process.append(round(delta / CLK_TCK, 2))
            elif pid not in mine and delta > 0:
                others.append((delta / CLK_TCK / elapsed, pid))
        others.sort(reverse=True)
        return {
            "server_cpu_s": server_ticks / CLK_TCK,
            "server_cpu_split_s": sorted(per_process, reverse=True),
            "others_cores": round(sum(c for c, _ in others), 2),
            "others_top": [f"{c:.2f} {cmdline(pid)[:90]}" for c, pid in others[:3] if c >= 0.05],
        }


def busy_others(seconds: float = 1.0) -> float:
    """Cores used by every process but this one over a short window."""
    window = CpuWindow(server_root=-1)
    window.start()
    time.sleep(seconds)
    return float(window.stop()["others_cores"])


def loadavg() -> float:
    """The 1-minute load average."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def wait_for_quiet(threshold: float, max_wait: float) -> float:
    """Wait (at most `max_wait` s) until other processes use less than `threshold` cores; return what was seen."""
    deadline = time.monotonic() + max_wait
    seen = busy_others()
    while seen > threshold and time.monotonic() < deadline:
        seen = busy_others(2.0)
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


def machine_facts(root: Path) -> dict[str, Any]:
    """What the README's results table must state about the machine and the code measured."""

    def run(*cmd: str) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, cwd=root, check=False).stdout.strip()
        except OSError:
            return "unavailable"

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown")
    versions = run(sys.executable, "-m", "pip", "list", "--format=freeze")
    wanted = ("connexion", "starlette", "uvicorn", "uvloop", "httptools", "jsonschema")
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "nproc": run("nproc"),
        "cpu": cpu,
        "free_h": run("free", "-h"),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "wrk": run("wrk", "--version").splitlines()[0] if shutil.which("wrk") else "missing",
        "packages": [line for line in versions.splitlines() if line.lower().split("==")[0] in wanted],
        "git_head": run("git", "rev-parse", "--short", "HEAD"),
        "git_dirty_files": len(run("git", "status", "--porcelain").splitlines()),
    }
