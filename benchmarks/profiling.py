"""The profile phase: py-spy samples one serving process of the mock under each operation's load, and the samples
become a table of where the request time goes and a flame graph.

py-spy samples at 100 Hz for the measured duration while wrk keeps 32 connections busy, pausing the server for each
sample (its blocking mode: `--nonblocking` truncated four stacks in ten here); idle samples are not recorded.
Files: `results/<stamp>-profile-<config>-<operation>.folded.gz` (collapsed stacks: speedscope.app and flamegraph.pl
read them) and `.svg` (open in a browser; hover for the frame).
No probe is loaded: the profile shows the product only.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from flamegraph import render
from servers import MOCK_1W, MOCK_2W, Ports, ServerFailed, serving
from wrkload import Operation, PreflightFailed, preflight, wrk

_LINE = re.compile(r":\d+\)$")
STAGES = {
    "HTTP server: reading and parsing (outside the app)": (("", "uvicorn/protocols/"), "!connexion/apps/"),
    "HTTP server: writing answers (RequestResponseCycle.send)": (("send", "uvicorn/protocols/"),),
    "app: Connexion/Starlette layers and the pipeline": (("__call__", "connexion/apps/"),),
    "pipeline: whole request (Pipeline._serve)": (("_serve", "pipeline/serve.py"),),
    "pipeline: runtime sync (generation read)": (("sync", "mockserver/runtime.py"),),
    "pipeline: route": (("route", "pipeline/compiler.py"),),
    "pipeline: security (vendor checkers)": (("authenticate", "pipeline/security.py"),),
    "pipeline: parameters": (("read_parameters", "pipeline/parameters.py"),),
    "pipeline: body read, parse, validate": (("_read_body", "pipeline/serve.py"),),
    "pipeline: handler (vendor module)": (("", "mockserver/vendors/"),),
    "pipeline: handler result normalised": (("normalise", "pipeline/responses.py"),),
    "pipeline: response validation": (("problems", "pipeline/responses.py"),),
    "pipeline: answer sent": (("send", "pipeline/responses.py"),),
    "pipeline: journal entry built": (("_journal", "pipeline/serve.py"),),
    "journal flush (task)": (("_flush_soon", "mockserver/journal.py"),),
    "store: SQLite statements": (("_run", "store/sqlite.py"),),
    "store: PostgreSQL": (("", "store/postgres.py"),),
    "JSON Schema validation (jsonschema-rs)": (("", "pipeline/schemas.py"),),
}
"""Named parts of the request path: share of busy samples with a matching frame anywhere on the stack (inclusive,
so they nest and overlap). A mark `"!fragment"` excludes samples with a frame in such a file."""
PACKAGES = (
    "mockserver/",
    "contracts/",
    "uvicorn/",
    "starlette/",
    "connexion/",
    "psycopg",
    "json/",
    "asyncio/",
    "sqlite3/",
)


def _split(frame: str) -> tuple[str, str]:
    """`Pipeline._serve (mockserver/pipeline/serve.py)` -> (`Pipeline._serve`, `mockserver/pipeline/serve.py`)."""
    name, _, rest = frame.partition(" (")
    return name, rest.rstrip(")")


def _matches(name: str, file: str, mark: tuple[str, str]) -> bool:
    function, fragment = mark
    return fragment in file and (not function or name == function or name.endswith("." + function))


def ensure_py_spy() -> str:
    """py-spy from the venv, installed there first when missing."""
    found = Path(sys.executable).with_name("py-spy")
    if not found.exists() and shutil.which("py-spy") is None:
        print("  installing py-spy into the venv", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "py-spy"], check=True)
    return str(found) if found.exists() else str(shutil.which("py-spy"))


def summarise(folded: Path) -> dict[str, Any]:
    """Busy samples, the share of each named stage, own time by package (the sampled frame's file: time in C code,
    sqlite3's or the JSON encoder's, is its Python caller's), and the top functions by own and inclusive time."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    stages: collections.Counter[str] = collections.Counter()
    packages: collections.Counter[str] = collections.Counter()
    busy = 0
    for line in folded.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_LINE.sub(")", f) for f in stack.split(";")]
        busy += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
        parsed = [_split(f) for f in frames]
        for stage, marks in STAGES.items():
            wanted = [m for m in marks if isinstance(m, tuple)]
            unwanted = [m[1:] for m in marks if isinstance(m, str)]
            if any(_matches(name, file, mark) for name, file in parsed for mark in wanted) and not any(
                fragment in file for _, file in parsed for fragment in unwanted
            ):
                stages[stage] += count
        leaf_file = parsed[-1][1]
        packages[next((p.rstrip("/") for p in PACKAGES if p in leaf_file), "other")] += count

    def share(n: int) -> float:
        return round(100 * n / busy, 1) if busy else 0.0

    return {
        "busy_samples": busy,
        "stages_percent": {s: share(stages[s]) for s in STAGES if stages[s]},
        "own_by_package_percent": {p: share(n) for p, n in packages.most_common()},
        "top_own_percent": {f: share(n) for f, n in own.most_common(15)},
        "top_inclusive_mockserver_percent": {
            f: share(n)
            for f, n in [(f, n) for f, n in inclusive.most_common() if "mockserver/" in f or "contracts/" in f][:25]
        },
    }


def profile_phase(
    chosen: list[Operation], args: argparse.Namespace, ports: Ports, workdir: Path, results_dir: Path
) -> dict[str, Any]:
    """For each `--profile-workers` setting and operation: a fresh mock, a warm-up, then py-spy during wrk."""
    py_spy = ensure_py_spy()
    summary: dict[str, Any] = {}
    for workers in args.profile_workers:
        config = MOCK_1W if workers == 1 else MOCK_2W
        for op in chosen:
            key = f"{config.name} {op.name}"
            stem = results_dir / f"{args.stamp}-profile-{config.name}-{op.name}"
            folded = stem.with_suffix(".folded")
            try:
                with serving(config, ports, workdir, args.code_dir, probe=False) as (deployment, _):
                    deployment.wait_settled()
                    preflight(deployment, op)
                    wrk(deployment, op, args.threads, args.connections, max(args.warmup, 1), workdir)
                    target = deployment.serving_pids()[0]
                    spy = subprocess.Popen(
                        [
                            py_spy,
                            "record",
                            "-p",
                            str(target),
                            "-d",
                            str(int(args.duration)),
                            "-r",
                            "100",
                            "-f",
                            "raw",
                            "-o",
                            str(folded),
                        ],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.PIPE,
                    )
                    try:
                        wrk(deployment, op, args.threads, args.connections, args.duration + 1, workdir)
                        _, err = spy.communicate(timeout=120)
                    finally:
                        if spy.poll() is None:
                            spy.kill()
                            spy.wait()
                if not folded.exists():
                    raise RuntimeError(f"py-spy wrote nothing: {err.decode(errors='replace')[-300:]}")
            except (ServerFailed, PreflightFailed, RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
                summary[key] = {"error": f"{type(exc).__name__}: {exc}"[:400]}
                print(f"  profile {key}: FAILED {summary[key]['error']}", flush=True)
                continue
            summary[key] = summarise(folded)
            stem.with_suffix(".svg").write_text(render(folded.read_text(), f"contract-mock {key}"))
            with folded.open("rb") as raw, gzip.open(f"{folded}.gz", "wb") as packed:
                shutil.copyfileobj(raw, packed)
            folded.unlink()
            summary[key]["files"] = [f"{stem.name}.folded.gz", f"{stem.name}.svg"]
            stages = ", ".join(f"{s} {p}%" for s, p in list(summary[key]["stages_percent"].items())[:6])
            print(f"  profile {key}: {summary[key]['busy_samples']} samples; {stages}", flush=True)
    return summary
