"""Benchmark probe, injected into every Python process of a measured mock (this folder goes first on PYTHONPATH;
it acts only when `BENCH_PROBE_DIR` is set). Nothing in `mockserver/` is changed. In each process that serves
(where uvicorn's `Server.startup` runs: the one process of `--workers 1`, each worker of `--workers 2`):

- **loop lag**: a task sleeps 1 ms at a time and records how late it wakes (`time.perf_counter`, because uvloop's
  `loop.time()` has millisecond resolution). Lateness is the time the loop spent on other work before it could run
  a due timer (a blocking call, or a queue of ready request steps), or the time the OS left the process waiting for
  a core. `lag_own` is the part the loop's thread spent on the CPU (`time.thread_time`): on a busy machine the two
  differ, and the process's run-queue wait (`/proc/self/schedstat`) says by how much;
- **store statements**: the synchronous part of every `SqliteStore._run` (the SQLite call itself, on the loop's
  thread), keyed by the store method that issued it;
- **journal flushes** and **request steps**: every uninterrupted stretch (one coroutine step, between two real
  suspensions) of a `Journal.flush`, and the longest one of every request through `Pipeline._serve`. Steps and
  statements are timed in wall time and in the thread's CPU time (the `_cpu` maxima);
- **garbage collection**: every collection's duration, by generation (`gc.callbacks`): a collection runs inside
  whatever step allocated last, and a full one walks every object start-up left behind.

Experiments (never the product), chosen by `BENCH_EXPERIMENTS` (comma-separated): `gc-freeze` calls `gc.freeze()`
once the server has started, so that collections no longer walk the objects start-up created.

On SIGUSR1 the process writes what it recorded since the previous signal to `BENCH_PROBE_DIR/<pid>-<n>.json`
(with its RSS and, for a SQLite store, the database's size and row counts) and starts afresh. A file
`ready-<pid>` tells the benchmark which processes have the handler (SIGUSR1 would end any other process).
The modules are patched after they are imported (a `sys.meta_path` hook), so processes that never import them,
such as multiprocessing's resource tracker, carry nothing extra.
"""

from __future__ import annotations

import importlib.abc
import json
import math
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

_DIR = Path(os.environ["BENCH_PROBE_DIR"]) if os.environ.get("BENCH_PROBE_DIR") else None
_INTERVAL = 0.001


def bucket(ms: float) -> float:
    """Histogram bucket (upper edge, ms): 0.05 ms steps below 10 ms, 0.5 ms below 100 ms, then 5 ms."""
    if ms < 10:
        return round(math.ceil(ms * 20) / 20, 2)
    if ms < 100:
        return math.ceil(ms * 2) / 2
    return float(math.ceil(ms / 5) * 5)


class _Histogram:
    def __init__(self) -> None:
        self.counts: dict[float, int] = {}
        self.max = 0.0
        self.total = 0.0
        self.n = 0

    def add(self, ms: float) -> None:
        key = bucket(ms)
        self.counts[key] = self.counts.get(key, 0) + 1
        self.n += 1
        self.total += ms
        if ms > self.max:
            self.max = ms

    def export(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "max_ms": round(self.max, 3),
            "mean_ms": round(self.total / self.n, 4) if self.n else 0,
            "buckets": sorted(self.counts.items()),
        }


class _Recorder:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.lag = _Histogram()
        self.lag_own = _Histogram()
        self.gc = _Histogram()
        self.gc_max_by_gen: dict[int, float] = {}
        self.gc_count_by_gen: dict[int, int] = {}
        self.cpu_max = {"request_step": 0.0, "flush_step": 0.0, "statement": 0.0}
        self.sched_start = _schedstat()
        self.request_step = _Histogram()
        self.flush_step = _Histogram()
        self.statement = _Histogram()
        self.statement_max_by: dict[str, float] = {}
        self.statement_count_by: dict[str, int] = {}
        self.started = time.perf_counter()

    def statement_done(self, issuer: str, ms: float, cpu_ms: float) -> None:
        self.statement.add(ms)
        if cpu_ms > self.cpu_max["statement"]:
            self.cpu_max["statement"] = cpu_ms
        self.statement_count_by[issuer] = self.statement_count_by.get(issuer, 0) + 1
        if ms > self.statement_max_by.get(issuer, 0.0):
            self.statement_max_by[issuer] = ms


def _schedstat() -> tuple[int, int]:
    """Nanoseconds the main thread ran and waited for a core (kernel scheduler statistics)."""
    try:
        ran, waited = Path(f"/proc/self/task/{os.getpid()}/schedstat").read_text().split()[:2]
        return int(ran), int(waited)
    except (OSError, ValueError):
        return 0, 0


_recorder = _Recorder()
_sequence = 0
_gc_started = 0.0


def _gc_callback(phase: str, info: dict[str, Any]) -> None:
    global _gc_started
    if phase == "start":
        _gc_started = time.perf_counter()
        return
    ms = (time.perf_counter() - _gc_started) * 1000
    generation = int(info.get("generation", -1))
    _recorder.gc.add(ms)
    _recorder.gc_count_by_gen[generation] = _recorder.gc_count_by_gen.get(generation, 0) + 1
    if ms > _recorder.gc_max_by_gen.get(generation, 0.0):
        _recorder.gc_max_by_gen[generation] = ms


class _Stepped:
    """Awaits a coroutine while timing each of its steps (the stretches between real suspensions). `per_step`:
    every step goes into the histogram (a journal flush can keep going for a whole run while entries keep
    arriving); otherwise the longest step of each coroutine does (one value per request)."""

    __slots__ = ("_coro", "_kind", "_per_step")

    def __init__(self, coro: Any, kind: str, per_step: bool = False) -> None:
        self._coro, self._kind, self._per_step = coro, kind, per_step

    def __await__(self) -> Any:
        coro, send_value, error, longest, longest_cpu = self._coro, None, None, 0.0, 0.0
        try:
            while True:
                started, started_cpu = time.perf_counter(), time.thread_time()
                try:
                    suspended = coro.throw(error) if error is not None else coro.send(send_value)
                except StopIteration as done:
                    return done.value
                finally:
                    step, step_cpu = time.perf_counter() - started, time.thread_time() - started_cpu
                    if self._per_step:
                        self._record(step, step_cpu)
                    else:
                        longest, longest_cpu = max(longest, step), max(longest_cpu, step_cpu)
                try:
                    send_value, error = (yield suspended), None
                except BaseException as exc:  # delivered into the coroutine (cancellation included)
                    send_value, error = None, exc
        finally:
            if not self._per_step:
                self._record(longest, longest_cpu)

    def _record(self, seconds: float, cpu_seconds: float) -> None:
        getattr(_recorder, self._kind).add(seconds * 1000)
        if cpu_seconds * 1000 > _recorder.cpu_max[self._kind]:
            _recorder.cpu_max[self._kind] = cpu_seconds * 1000


def _state() -> dict[str, Any]:
    """RSS, Python heap blocks and, for a SQLite store, the database's size and rows (runs on the loop)."""
    state: dict[str, Any] = {"allocated_blocks": sys.getallocatedblocks()}
    for line in Path(f"/proc/{os.getpid()}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:", "RssAnon:", "RssFile:")):
            state[line.split(":")[0]] = int(line.split()[1])
    try:
        from mockserver import runtime as runtime_module

        store: Any = runtime_module._latest.store  # type: ignore[union-attr]  # the process's one runtime
        conn = getattr(store, "_conn", None)
        if conn is not None:
            with store._lock:
                page_size, pages, free = (
                    conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_size", "page_count", "freelist_count")
                )
                state["store"] = {
                    "kind": "sqlite",
                    "url": store.url,
                    "bytes": page_size * pages,
                    "free_bytes": page_size * free,
                    "journal_rows": conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0],
                    "documents": conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0],
                }
        else:
            state["store"] = {"kind": type(store).__name__}
        state["journal_buffered"] = len(runtime_module._latest.journal._buffer)  # type: ignore[union-attr]
    except Exception as exc:  # the probe must never take the server down
        state["store_error"] = repr(exc)
    return state


def _dump() -> None:
    global _sequence
    rec = _recorder
    data = {
        "pid": os.getpid(),
        "seq": _sequence,
        "seconds": round(time.perf_counter() - rec.started, 3),
        "lag": rec.lag.export(),
        "lag_own": rec.lag_own.export(),
        "request_step": rec.request_step.export(),
        "flush_step": rec.flush_step.export(),
        "statement": rec.statement.export(),
        "gc": rec.gc.export(),
        "gc_max_ms_by_gen": {str(k): round(v, 3) for k, v in rec.gc_max_by_gen.items()},
        "gc_count_by_gen": {str(k): v for k, v in rec.gc_count_by_gen.items()},
        "statement_max_ms_by": {k: round(v, 3) for k, v in rec.statement_max_by.items()},
        "statement_count_by": rec.statement_count_by,
        "cpu_max_ms": {k: round(v, 3) for k, v in rec.cpu_max.items()},
        "ran_ms": round((_schedstat()[0] - rec.sched_start[0]) / 1e6, 1),
        "runqueue_wait_ms": round((_schedstat()[1] - rec.sched_start[1]) / 1e6, 1),
        **_state(),
    }
    folder = _DIR or Path()
    scratch = folder / f"{os.getpid()}-{_sequence}.json.tmp"
    scratch.write_text(json.dumps(data))
    scratch.replace(folder / f"{os.getpid()}-{_sequence}.json")  # appears complete or not at all
    _sequence += 1
    rec.reset()


async def _sample_lag() -> None:
    import asyncio

    while True:
        due, cpu = time.perf_counter() + _INTERVAL, time.thread_time()
        await asyncio.sleep(_INTERVAL)
        late = max(0.0, time.perf_counter() - due)
        _recorder.lag.add(late * 1000)
        _recorder.lag_own.add(min(late, time.thread_time() - cpu) * 1000)


def _patch_uvicorn(module: Any) -> None:
    original = module.Server.startup

    async def startup(self: Any, sockets: Any = None) -> None:
        import asyncio
        import gc
        import signal

        await original(self, sockets=sockets)
        if "gc-freeze" in os.environ.get("BENCH_EXPERIMENTS", "").split(","):
            gc.collect()
            gc.freeze()
        gc.callbacks.append(_gc_callback)
        loop = asyncio.get_running_loop()
        self._bench_probe = loop.create_task(_sample_lag())
        loop.add_signal_handler(signal.SIGUSR1, _dump)
        _recorder.reset()
        ((_DIR or Path()) / f"ready-{os.getpid()}").touch()

    module.Server.startup = startup


def _patch_sqlite(module: Any) -> None:
    original = module.SqliteStore._run

    async def _run(self: Any, work: Callable[[Any], Any]) -> Any:
        issuer = sys._getframe(1).f_code.co_name

        def timed(conn: Any) -> Any:
            started, started_cpu = time.perf_counter(), time.thread_time()
            try:
                return work(conn)
            finally:
                _recorder.statement_done(
                    issuer, (time.perf_counter() - started) * 1000, (time.thread_time() - started_cpu) * 1000
                )

        return await original(self, timed)

    module.SqliteStore._run = _run


def _patch_journal(module: Any) -> None:
    original = module.Journal.flush

    async def flush(self: Any) -> Any:
        return await _Stepped(original(self), "flush_step", per_step=True)

    module.Journal.flush = flush


def _patch_pipeline(module: Any) -> None:
    original = module.Pipeline._serve

    async def _serve(self: Any, *args: Any) -> Any:
        return await _Stepped(original(self, *args), "request_step")

    module.Pipeline._serve = _serve


class _AfterImport(importlib.abc.MetaPathFinder):
    """Calls a patch function right after one of the named modules is executed."""

    def __init__(self, patches: dict[str, Callable[[Any], None]]) -> None:
        self.patches = patches

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        patch = self.patches.get(name)
        if patch is None:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        loader: Any = spec.loader
        if loader is None or not hasattr(loader, "exec_module"):
            return None
        execute = loader.exec_module

        def exec_module(module: Any) -> None:
            execute(module)
            try:
                patch(module)
            except Exception as exc:  # a renamed function: report it, keep serving
                sys.stderr.write(f"benchmark probe: cannot patch {name}: {exc!r}\n")

        loader.exec_module = exec_module
        return spec


if _DIR:
    sys.meta_path.insert(
        0,
        _AfterImport(
            {
                "uvicorn.server": _patch_uvicorn,
                "mockserver.store.sqlite": _patch_sqlite,
                "mockserver.journal": _patch_journal,
                "mockserver.pipeline.serve": _patch_pipeline,
            }
        ),
    )
