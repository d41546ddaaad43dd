"""Time, call by call, the mock's own per-request work that the profiles point at (store access from mockserver).

Each line is the median over `--repeat` batches of the cost of one call, in microseconds, on a runtime seeded from
the default fixtures: once on the private in-memory store (`contract-mock serve`, 1 worker) and once on a WAL file
(`--db`, or `--workers 2`, which always uses a file). Nothing in `mockserver/` is changed; the calls are the ones
the request path makes:

- `journal.record_request`: every request to a contract (middleware.py), including its share of the prune that
  runs every 200th entry;
- `faults.fault_for`: every routed request (middleware.py), a lookup that almost always finds nothing;
- `clock.now_iso`: the journal entry's timestamp and the vendors' timestamps (reads the offset counter);
- the SysAid login checks and `GET /api/chat`'s query; the ASAPP credential checks and the stored event.

A second table splits the start-up of one worker (fresh interpreters, median of `--repeat`) and prices the YAML
work it does with PyYAML's pure-Python classes against the libyaml ones that PyYAML also ships.

Run: `.venv/bin/python benchmarks/hotspots.py [--repeat 7] [--calls 2000]`.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import yaml

from mockserver import faults, journal
from mockserver.app import create_runtime
from mockserver.contracts import SPEC_NAMES, SPECS_DIR
from mockserver.runtime import Runtime, activate
from mockserver.settings import Settings
from mockserver.vendors.sysaid_copilot.model import CHATS, SESSIONS
from mockserver.vendors.sysaid_copilot.session import org_by_hostname


def _calls(rt: Runtime) -> dict[str, Callable[[], object]]:
    store = rt.store

    def record() -> None:
        journal.record_request(rt, spec="sysaid-copilot", operation_id="listChats", method="GET",
                               path="/sysaid-copilot/api/chat", status=200, duration_ms=1.0, problems=[])

    def asapp_store() -> None:
        store.put("asapp-metadata-ingestion/bench.agents", str(uuid.uuid4()),
                  {"receivedAt": rt.clock.now_iso(), "submissions": 1, "metadata": {"externalAgentId": "agent-1"}})

    return {
        "journal.record_request (per request, prune amortised)": record,
        "faults.fault_for (miss; per routed request)": lambda: faults.fault_for(rt, "sysaid-copilot", "listChats"),
        "clock.now_iso (reads the offset counter)": rt.clock.now_iso,
        "runtime.vendor_limits (ASAPP, per request)": rt.vendor_limits,
        "sysaid: store.get session (done twice per request)": lambda: store.get(
            SESSIONS, "A1B2C3D4E5F60718293A4B5C6D7E8F90"),
        "sysaid: org_by_hostname (json_extract scan)": lambda: org_by_hostname("acme.sysaidit.com"),
        "sysaid: list_chats query (json_extract scan)": lambda: store.find(
            CHATS, org="acme", username="jdoe@acme.example"),
        "asapp: store one event (put + now_iso)": asapp_store,
    }


def _time(call: Callable[[], object], calls: int, repeat: int) -> float:
    """Median microseconds per call over `repeat` batches of `calls` calls."""
    per_call = []
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(calls):
            call()
        per_call.append((time.perf_counter() - started) / calls * 1e6)
    return statistics.median(per_call)


def main() -> None:
    """Print one table row per call and store kind."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="batches per measurement (median taken)")
    parser.add_argument("--calls", type=int, default=2000, help="calls per batch")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="contract-mock-hotspots-") as tmp:
        runtimes = {
            "memory (1 worker)": create_runtime(Settings()),
            "WAL file (--workers 2)": create_runtime(Settings(db=Path(tmp) / "state.sqlite")),
        }
        results: dict[str, dict[str, float]] = {}
        stalls: dict[str, float] = {}
        for kind, rt in runtimes.items():
            activate(rt)
            for _ in range(6000):  # fill the journal to its steady state (5000 kept, pruned every 200)
                _calls(rt)["journal.record_request (per request, prune amortised)"]()
            for name, call in _calls(rt).items():
                results.setdefault(name, {})[kind] = _time(call, args.calls, args.repeat)
            stalls[kind] = _prune_stall(rt, args.repeat)
            rt.store.close()
    kinds = list(runtimes)
    print("| call | " + " | ".join(f"{k} µs" for k in kinds) + " |")
    print("|---|" + "---|" * len(kinds))
    for name, row in results.items():
        print(f"| {name} | " + " | ".join(f"{row[k]:.0f}" for k in kinds) + " |")
    print("| one journal prune (every 200th request; blocks the event loop), ms | "
          + " | ".join(f"{stalls[k]:.1f}" for k in kinds) + " |")
    print("\n| start-up part (1 worker) | ms |\n|---|---|")
    for name, ms in startup_parts(args.repeat).items():
        print(f"| {name} | {ms:.0f} |")


_STAGES = """
import time
started = time.perf_counter()
import mockserver.cli
from mockserver.app import create_app, create_runtime
from mockserver.settings import Settings
imported = time.perf_counter()
runtime = create_runtime(Settings())
seeded = time.perf_counter()
create_app(Settings(), runtime=runtime)
print(imported - started, seeded - imported, time.perf_counter() - seeded)
"""


def startup_parts(repeat: int) -> dict[str, float]:
    """Milliseconds of each start-up stage of one worker, and of the YAML work inside it."""
    bare, stages = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare.append(time.perf_counter() - started)
        done = subprocess.run([sys.executable, "-c", _STAGES], check=True, capture_output=True, text=True)
        stages.append([float(x) for x in done.stdout.split()])
    texts = [(SPECS_DIR / f"{name}.yaml").read_text() for name in SPEC_NAMES]
    documents = [yaml.safe_load(text) for text in texts]

    def timed(work: Callable[[], object]) -> float:
        runs = []
        for _ in range(repeat):
            started = time.perf_counter()
            work()
            runs.append(time.perf_counter() - started)
        return statistics.median(runs) * 1000

    return {
        "interpreter start (python -c pass)": statistics.median(bare) * 1000,
        "import mockserver.cli (Connexion, Starlette, uvicorn...)": statistics.median(s[0] for s in stages) * 1000,
        "create_runtime: load 5 contracts, seed fixtures": statistics.median(s[1] for s in stages) * 1000,
        "create_app: Connexion add_api x6, served copies": statistics.median(s[2] for s in stages) * 1000,
        "  inside: yaml.safe_load of the 5 contracts (contracts.py)": timed(
            lambda: [yaml.safe_load(t) for t in texts]),
        "  same with yaml.CSafeLoader": timed(lambda: [yaml.load(t, Loader=yaml.CSafeLoader) for t in texts]),
        "  inside: yaml.safe_dump of the 5 served contracts (app.py)": timed(
            lambda: [yaml.safe_dump(d, sort_keys=False, allow_unicode=True) for d in documents]),
        "  same with yaml.CSafeDumper": timed(
            lambda: [yaml.dump(d, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True) for d in documents]),
    }


def _prune_stall(rt: Runtime, repeat: int) -> float:
    """Median milliseconds of the prune that `journal.record_request` runs on every 200th entry."""
    record = _calls(rt)["journal.record_request (per request, prune amortised)"]
    stalls = []
    for _ in range(repeat):
        times = []
        for _ in range(200):  # exactly one of any 200 consecutive entries prunes; it is the slowest by far
            started = time.perf_counter()
            record()
            times.append(time.perf_counter() - started)
        stalls.append(max(times) * 1000)
    return statistics.median(stalls)


if __name__ == "__main__":
    main()
