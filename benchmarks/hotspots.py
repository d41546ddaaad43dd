"""Per-call costs of the mock's own request work: the three operations sent in-process to the app (ASGI, no HTTP
server, no wrk, one request at a time) with a timer around each stage of the compiled pipeline.

Each cell is microseconds per request (median over `--repeat` batches of `--calls` requests), inclusive of what the
stage calls, so the stages nest: `Pipeline._serve` holds everything below it. The store lines count every SQLite
statement the request made (`SqliteStore._run`), and the journal flush is its cost per request, although it runs
after the answer (batched). The timers' own overhead is measured and given. Set against the server's CPU per
request under wrk (run.py), the difference is the HTTP server's share (uvicorn, httptools, uvloop).

A second table splits the start-up of one worker (fresh interpreters, median of `--repeat`).

Run: `.venv/bin/python benchmarks/hotspots.py [--repeat 7] [--calls 1000]` (against the checkout), or through
`run.py --hotspots` (against the run's snapshot). Nothing in `mockserver/` is changed.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import importlib
import inspect
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from wrkload import Operation, operations  # the same requests as the load phase

STAGES = (
    ("mockserver.pipeline.serve", "Pipeline._serve", "pipeline: whole request"),
    ("mockserver.runtime", "Runtime.sync", "  runtime sync (store generation read)"),
    ("mockserver.pipeline.compiler", "CompiledApi.route", "  route"),
    ("mockserver.pipeline.security", "CompiledSecurity.authenticate", "  security (vendor checkers)"),
    ("mockserver.pipeline.serve", "read_parameters", "  parameters"),
    ("mockserver.pipeline.serve", "Pipeline._read_body", "  body read, parsed, validated"),
    (None, "handler", "  handler (vendor module)"),
    ("mockserver.pipeline.serve", "normalise", "  handler result normalised"),
    ("mockserver.pipeline.responses", "ResponseChecks.problems", "  response validated"),
    ("mockserver.pipeline.responses", "Answer.send", "  answer sent"),
    ("mockserver.pipeline.serve", "Pipeline._journal", "  journal entry built (masking)"),
    ("mockserver.store.sqlite", "SqliteStore._run", "store: SQLite statements (all)"),
    ("mockserver.journal", "Journal.flush", "journal flush (after the answer, batched)"),
)


WHOLE = "whole request through the app (Connexion's AsyncApp, the middlewares before the pipeline)"


class Timers:
    """Accumulated seconds and calls per stage."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def reset(self) -> None:
        self.seconds = dict.fromkeys(self.seconds, 0.0)
        self.calls = dict.fromkeys(self.calls, 0)

    def wrap(self, label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        self.seconds.setdefault(label, 0.0)
        self.calls.setdefault(label, 0)
        if inspect.iscoroutinefunction(function):

            @functools.wraps(function)
            async def timed_async(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return await function(*args, **kwargs)
                finally:
                    self.seconds[label] += time.perf_counter() - started
                    self.calls[label] += 1

            return timed_async

        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - started
                self.calls[label] += 1

        return timed


def install(timers: Timers) -> list[str]:
    """Wrap every stage that exists in this version of the mock; return the ones that do not."""
    missing = []
    for module_name, path, label in STAGES:
        if module_name is None:
            continue
        module = importlib.import_module(module_name)
        owner_name, _, attribute = path.rpartition(".")
        owner = getattr(module, owner_name, None) if owner_name else module
        if owner is None or not hasattr(owner, attribute):
            missing.append(f"{module_name}.{path}")
            continue
        setattr(owner, attribute, timers.wrap(label, getattr(owner, attribute)))
    return missing


def _scope(op: Operation) -> dict[str, Any]:
    headers = [(b"host", b"127.0.0.1:8080")] + [(k.lower().encode(), v.encode()) for k, v in op.headers]
    if op.body is not None:
        headers.append((b"content-length", str(len(op.body)).encode()))
    path = f"/{op.spec}{op.path}"
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": op.method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8080),
    }


async def _request(app: Any, op: Operation) -> int:
    sent: list[dict[str, Any]] = []
    body = (op.body or "").encode()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(_scope(op), receive, send)
    return int(sent[0]["status"])


async def measure(
    app: Any, rt: Any, timers: Timers, chosen: list[Operation], calls: int, repeat: int
) -> dict[str, dict[str, float]]:
    """Microseconds per request of each stage, per operation (median over batches); plus statements per request."""
    results: dict[str, dict[str, float]] = {}
    for op in chosen:
        for _ in range(min(calls, 300)):  # warm-up: caches, the journal's first batches
            status = await _request(app, op)
            await asyncio.sleep(0)
        if status != 200:
            raise SystemExit(f"{op.name} answered {status} in-process")
        batches: list[dict[str, float]] = []
        for _ in range(repeat):
            timers.reset()
            in_app = 0.0
            for _ in range(calls):
                started = time.perf_counter()
                await _request(app, op)
                in_app += time.perf_counter() - started
                await asyncio.sleep(0)  # lets the journal's flush task run, as the event loop would
            await rt.journal.flush()
            batch = {label: 1e6 * s / calls for label, s in timers.seconds.items()}
            batch[WHOLE] = 1e6 * in_app / calls
            batch["statements per request"] = timers.calls.get("store: SQLite statements (all)", 0) / calls
            batches.append(batch)
        results[op.name] = {key: statistics.median(b[key] for b in batches) for key in batches[0]}
    return results


async def journal_steps(rt: Any, repeat: int) -> dict[str, tuple[float, float]]:
    """Milliseconds of the journal's two blocking steps, on the store this run uses (min and median of `repeat`):
    one flush of a full batch (`journal._BATCH` entries, each a copy of a real request's entry) and one trim to
    the limit (the journal holds its limit plus one trim interval of entries)."""
    from mockserver import journal as journal_module
    from mockserver.store import JournalQuery

    batch = getattr(journal_module, "_BATCH", 256)
    sample = (await rt.journal.entries(JournalQuery(limit=1)))[-1]
    sample.pop("seq", None)
    flushes, trims = [], []
    for _ in range(repeat):
        rt.journal._buffer = [dict(sample) for _ in range(batch)]
        rt.journal._since_trim = 0
        started = time.perf_counter()
        await rt.journal.flush()
        flushes.append(time.perf_counter() - started)
        await rt.store.journal_append([dict(sample) for _ in range(500)])
        started = time.perf_counter()
        await rt.store.journal_trim(rt.journal.limit)
        trims.append(time.perf_counter() - started)
    return {
        f"one journal flush of a full batch ({batch} entries), min / median": (
            min(flushes),
            statistics.median(flushes),
        ),
        f"one journal trim to {rt.journal.limit} entries (500 over), min / median": (
            min(trims),
            statistics.median(trims),
        ),
    }


def timer_overhead(calls: int = 100_000) -> float:
    """Microseconds one timer adds around a call."""
    timers = Timers()

    def nothing() -> None:
        return None

    wrapped = timers.wrap("x", nothing)
    started = time.perf_counter()
    for _ in range(calls):
        nothing()
    bare = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(calls):
        wrapped()
    return 1e6 * (time.perf_counter() - started - bare) / calls


_STAGES = """
import time
started = time.perf_counter()
import mockserver.cli
cli = time.perf_counter()
from mockserver.app import create_app, create_runtime
from mockserver.settings import Settings
imported = time.perf_counter()
runtime = create_runtime(Settings())
seeded = time.perf_counter()
create_app(Settings(), runtime=runtime)
print(cli - started, imported - cli, seeded - imported, time.perf_counter() - seeded)
"""


def startup_parts(repeat: int) -> dict[str, float]:
    """Milliseconds of each start-up stage of one worker (fresh interpreters)."""
    bare, stages = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare.append(time.perf_counter() - started)
        done = subprocess.run([sys.executable, "-c", _STAGES], check=True, capture_output=True, text=True)
        stages.append([float(x) for x in done.stdout.split()[-4:]])
    return {
        "interpreter start (python -c pass)": statistics.median(bare) * 1000,
        "import mockserver.cli (and all it pulls in: the package's __init__ imports the app)": statistics.median(
            s[0] for s in stages
        )
        * 1000,
        "import mockserver.app (what the line above left)": statistics.median(s[1] for s in stages) * 1000,
        "create_runtime: store, 5 contracts loaded, fixtures seeded": statistics.median(s[2] for s in stages) * 1000,
        "create_app: pipeline compiled, Connexion add_api x6": statistics.median(s[3] for s in stages) * 1000,
    }


def main() -> None:
    """Print the per-request table and the start-up table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="batches per measurement (median taken)")
    parser.add_argument("--calls", type=int, default=1000, help="requests per batch")
    parser.add_argument("--quick", action="store_true", help="3 batches of 200 requests, 2 start-ups")
    args = parser.parse_args()
    if args.quick:
        args.repeat, args.calls = 3, 200
    import mockserver.pipeline.serve  # noqa: F401  # imported before wrapping, as the app will use it
    from mockserver import Settings, create_app
    from mockserver.runtime import runtime
    from mockserver.settings import LogLevel

    timers = Timers()
    missing = install(timers)
    app = create_app(Settings(log_level=LogLevel.WARNING))
    rt = runtime()
    for api in rt.apis.values():  # handlers are bound into the compiled operations at start-up
        for compiled in api.operations.values():
            object.__setattr__(compiled, "handler", timers.wrap("  handler (vendor module)", compiled.handler))
    chosen = list(operations().values())

    async def run() -> tuple[dict[str, dict[str, float]], dict[str, Any]]:
        measured = await measure(app, rt, timers, chosen, args.calls, args.repeat)
        steps = await journal_steps(rt, args.repeat)
        await rt.close()
        return measured, steps

    results, steps = asyncio.run(run())
    names = [op.name for op in chosen]
    print(
        f"| µs per request (in-process, one at a time; {args.repeat} x {args.calls} requests) | "
        + " | ".join(names)
        + " |"
    )
    print("|---|" + "---|" * len(names))
    rows = [WHOLE] + [label for _, _, label in STAGES]
    for label in [*rows, "statements per request"]:
        cells = [results[n].get(label) for n in names]
        if all(c is None for c in cells):
            continue
        digits = 1 if label == "statements per request" else 0
        print(
            f"| {label.replace('  ', '&nbsp;&nbsp;')} | "
            + " | ".join("-" if c is None else f"{c:.{digits}f}" for c in cells)
            + " |"
        )
    print("\n| step that blocks the event loop (in-memory store) | ms |\n|---|---|")
    for name, (low, middle) in steps.items():
        print(f"| {name} | {1000 * low:.1f} / {1000 * middle:.1f} |")
    print(
        f"\nEach timer adds about {timer_overhead():.2f} µs per call."
        + (f" Stages not found in this version: {', '.join(missing)}." if missing else "")
    )
    print("\n| start-up part (1 worker) | ms |\n|---|---|")
    for name, ms in startup_parts(2 if args.quick else args.repeat).items():
        print(f"| {name} | {ms:.0f} |")


if __name__ == "__main__":
    main()
