"""Measure `contract-mock serve` against the performance targets: throughput and latency beside Prism, scaling to
two workers, start-up, memory over a long run, event-loop lag, the harness's wall time, and replicas on PostgreSQL.

Run with the project's interpreter: `.venv/bin/python benchmarks/run.py --help`. Needs `wrk`, Node and npm (Prism is
installed into .tools/prism when missing), PostgreSQL's server binaries for the replica rows, and py-spy for
`--profile` (installed into the venv when missing). Every server it starts is stopped on exit, also on Ctrl-C.
Results go to `benchmarks/results/<stamp>.json` (everything) and `.md` (the tables and the targets' verdicts),
`benchmarks/results/quick/` for `--quick` smoke runs; `--record` also rewrites the "Latest results" section of
benchmarks/README.md.

Phases, in the order they run: `startup`, `load` (with `postgres`: the replica rows join its rounds), `consistency`,
`memory`, `harness`, `profile`, `hotspots`. Modules: `servers` (processes under test), `wrkload` (operations and
wrk), `load`, `startup`, `memory`, `consistency`, `harness`, `profiling` (phases), `pgcluster`, `procstat` (the
machine's state), `lag` (the probe's dumps; the probe is `probe/sitecustomize.py`), `targets`, `report`.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import report
import targets
from consistency import consistency_phase
from harness import harness_phase
from load import load_phase
from memory import memory_phase
from pgcluster import PgCluster, PgUnavailable, server_binaries
from procstat import loadavg, machine_facts
from profiling import profile_phase
from servers import (
    CONFIGS,
    EXPERIMENTS,
    MOCK_1W,
    MOCK_2W,
    PG_1,
    PG_2,
    PORTS,
    PRISM,
    PRISM_CONFIG,
    ROOT,
    Ports,
    ensure_prism,
    mock_environment,
    snapshot_code,
    stop_all,
)
from startup import startup_phase
from wrkload import operations

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
PHASES = ("startup", "load", "consistency", "memory", "harness", "postgres", "profile", "hotspots")
DEFAULT_PHASES = ("startup", "load", "consistency", "memory", "harness", "postgres")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; the defaults are the documented method."""
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    add = parser.add_argument
    add("--phases", nargs="+", choices=PHASES, default=list(DEFAULT_PHASES), help="phases to run")
    add("--skip", nargs="+", choices=PHASES, default=[], help="phases to leave out of --phases")
    add("--profile", action="store_true", help="add the profile phase (py-spy under each operation's load)")
    add("--hotspots", action="store_true", help="add the hotspots phase (hotspots.py: per-call costs)")
    add(
        "--configs",
        nargs="+",
        choices=["mock-1w", "mock-2w", "prism"],
        default=["mock-1w", "mock-2w", "prism"],
        help="configurations of the load phase (the postgres phase adds pg-1 and pg-2)",
    )
    add("--operations", nargs="+", choices=["health", "chat", "ingest"], default=["health", "chat", "ingest"])
    add("--rounds", type=int, default=3, help="interleaved rounds of load runs (medians over these)")
    add("--duration", type=float, default=10, help="seconds per measured wrk run")
    add("--warmup", type=float, default=2, help="unmeasured wrk seconds before each run (0: none)")
    add("--connections", type=int, default=32, help="wrk connections")
    add("--threads", type=int, default=2, help="wrk threads")
    add("--startup-runs", type=int, default=5, help="starts per configuration (Prism: at most 3)")
    add("--memory-requests", type=int, default=100_000, help="requests of the long memory run")
    add("--memory-segments", type=int, default=5, help="points at which memory is read during the long run")
    add("--memory-configs", nargs="+", choices=["mock-1w", "mock-2w"], default=["mock-1w", "mock-2w"])
    add(
        "--profile-workers",
        type=int,
        nargs="+",
        choices=[1, 2],
        default=[1],
        help="profile the 1-worker mock, one worker of the 2-worker mock, or both",
    )
    add("--no-probe", action="store_true", help="load runs without the loop-lag probe (no lag figures)")
    add(
        "--experiment",
        nargs="+",
        choices=sorted(EXPERIMENTS),
        default=[],
        help="also run the mock's load configurations with each experiment applied (never the product; "
        "see probe/sitecustomize.py)",
    )
    add("--port", type=int, default=PORTS.start, help=f"first port to try ({PORTS.start}-{PORTS.stop - 1})")
    add(
        "--quiet-cores",
        type=float,
        default=0.3,
        help="before a run, wait while other processes use more than this many cores ...",
    )
    add("--max-wait", type=float, default=60, help="... but at most this many seconds")
    add(
        "--retries",
        type=int,
        default=2,
        help="repeat a run during which other processes used more than --quiet-cores (the quietest attempt is kept)",
    )
    add(
        "--code",
        choices=["snapshot", "live"],
        default="snapshot",
        help="'snapshot': copy the packages, specs/ and fixtures/ at the start so every server runs the same code; "
        "'live': run the checkout as it is at each start",
    )
    add(
        "--quick",
        action="store_true",
        help="smoke test of every phase: 1 round of 2 s runs, 1 start each, a "
        "4,000-request memory run, the harness without its coverage phase, no waiting for a quiet machine",
    )
    add("--record", action="store_true", help="rewrite the 'Latest results' section of benchmarks/README.md")
    args = parser.parse_args(argv)
    if args.port not in PORTS:
        parser.error(f"--port must be within {PORTS.start}-{PORTS.stop - 1}")
    if args.quick:
        if args.record:
            parser.error("--record keeps the method's numbers: a --quick smoke run is not recorded")
        args.rounds, args.duration, args.warmup, args.startup_runs = 1, 2, 1, 1
        args.memory_requests, args.memory_segments, args.max_wait, args.retries = 4000, 2, 0, 0
    phases = list(
        dict.fromkeys(args.phases + (["profile"] if args.profile else []) + (["hotspots"] if args.hotspots else []))
    )
    args.phases = [p for p in PHASES if p in phases and p not in args.skip]
    args.stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return args


def _postgres(args: argparse.Namespace, ports: Ports, workdir: Path) -> tuple[PgCluster | None, dict[str, Any]]:
    """A cluster for the replica rows, or the reason there is none (the rows then say "not available")."""
    probe = subprocess.run(
        [sys.executable, "-c", "import mockserver.store.postgres"],
        capture_output=True,
        text=True,
        check=False,
        cwd=workdir,
        env=mock_environment(args.code_dir),
    )
    if probe.returncode != 0:
        return None, {"reason": "mockserver.store.postgres does not import: " + probe.stderr.strip()[-300:]}
    try:
        cluster = PgCluster(ports)
    except PgUnavailable as exc:
        return None, {"reason": str(exc)[:400]}
    return cluster, {"version": cluster.server_version(), "port": cluster.port}


def _pg_binaries_version() -> str:
    """The PostgreSQL server binaries' version (`postgres --version`), or why there are none."""
    bindir = server_binaries()
    if bindir is None:
        return "not installed"
    done = subprocess.run([str(bindir / "postgres"), "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip().removeprefix("postgres (PostgreSQL) ") or bindir.parent.name


def hotspots_phase(args: argparse.Namespace, workdir: Path) -> str:
    """`hotspots.py` against the measured code."""
    done = subprocess.run(
        [sys.executable, str(BENCH / "hotspots.py"), *(["--quick"] if args.quick else [])],
        env=mock_environment(args.code_dir),
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return f"hotspots.py failed:\n```\n{done.stderr[-2000:]}\n```"
    print(done.stdout, flush=True)
    return done.stdout


def main(argv: list[str] | None = None) -> int:
    """Run the phases, print and write the results, check the targets."""
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get update && apt-get install -y wrk")
    signal.signal(signal.SIGINT, stop_all)
    signal.signal(signal.SIGTERM, stop_all)
    began = time.monotonic()
    ports = Ports(args.port)
    results_dir = RESULTS / "quick" if args.quick else RESULTS  # smoke runs are not kept with the recorded ones
    results_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "stamp": args.stamp,
        "phases": args.phases,
        "machine": machine_facts(ROOT),
        "operations": args.operations,
        "journal_limit": 5000,
    }
    pg: PgCluster | None = None
    with tempfile.TemporaryDirectory(prefix="contract-mock-bench-") as tmp:
        workdir = Path(tmp)
        args.code_dir = None
        if args.code == "snapshot":
            args.code_dir, results["machine"]["code"] = snapshot_code(workdir)
        chosen = [operations(args.code_dir)[name] for name in args.operations]
        m = results["machine"]
        print(
            f"{m['date']}  nproc {m['nproc']}  python {m['python']}  load {loadavg():.2f}  git {m['git_head']}  "
            f"code {m.get('code', {}).get('sha256', 'live checkout')}  phases {' '.join(args.phases)}",
            flush=True,
        )
        configs = [CONFIGS[name] for name in args.configs] if "load" in args.phases else []
        try:
            if "postgres" in args.phases:
                pg, results["postgres"] = _postgres(args, ports, workdir)
                if pg is None:
                    print(f"  postgres: not available: {results['postgres']['reason']}", flush=True)
                if pg is not None:
                    configs = (configs or [MOCK_1W]) + [PG_1, PG_2]
            configs += [
                c.with_experiment(e)
                for e in args.experiment
                for c in configs
                if c.kind == "mock" and c.store != "postgres"
            ]
            results["configs"] = [c.name for c in configs]
            results["config_descriptions"] = {c.name: c.describe() for c in configs}
            if any(c.kind == "prism" for c in configs) or "startup" in args.phases:
                results["prism_version"] = ensure_prism()
            elif PRISM.exists():
                results["prism_version"] = ensure_prism()  # only reads the version
            results.setdefault("postgres", {}).setdefault("version", _pg_binaries_version())
            if "startup" in args.phases:
                print("startup", flush=True)
                results["startups"] = startup_phase([MOCK_1W, MOCK_2W, PRISM_CONFIG], args, ports, workdir)
            if configs:
                print("load", flush=True)
                if args.no_probe:
                    configs = [dataclasses.replace(c, probe=False) for c in configs]
                runs, deployments = load_phase(configs, chosen, args, ports, workdir, pg)
                results.update(runs=runs, deployments=deployments)
            if "consistency" in args.phases:
                print("consistency", flush=True)
                shared = [MOCK_2W] + ([PG_2] if pg is not None else [])
                ingest = operations(args.code_dir)["ingest"]
                results["consistency"] = consistency_phase(shared, ingest, args, ports, workdir, pg)
            if "memory" in args.phases:
                print("memory", flush=True)
                results["memory"] = memory_phase(
                    [CONFIGS[n] for n in args.memory_configs], chosen, args, ports, workdir
                )
            if "harness" in args.phases:
                print("harness", flush=True)
                results["harness"] = harness_phase(args, ports, workdir, results_dir)
            if "profile" in args.phases:
                print("profile", flush=True)
                results["profile"] = profile_phase(chosen, args, ports, workdir, results_dir)
            if "hotspots" in args.phases:
                print("hotspots", flush=True)
                results["hotspots"] = hotspots_phase(args, workdir)
        finally:
            stop_all()
            if pg is not None:
                pg.stop()
    results["settings"] = {k: v for k, v in vars(args).items() if k not in ("stamp", "code_dir")}
    results["elapsed_s"] = round(time.monotonic() - began, 1)
    verdicts = targets.check(results)
    results["targets"] = [v.__dict__ for v in verdicts]
    out = results_dir / f"{args.stamp}.json"
    out.write_text(json.dumps(results, indent=1, default=str))
    text = report.markdown(results, verdicts)
    out.with_suffix(".md").write_text(text)
    print("\n" + report.targets_table(verdicts))
    print(
        f"\nwrote {out.relative_to(ROOT)} and {out.with_suffix('.md').relative_to(ROOT)} ({results['elapsed_s']:.0f} s)"
    )
    if args.record:
        report.record(BENCH / "README.md", results, verdicts, str(out.with_suffix(".md").relative_to(BENCH)))
        print("rewrote the 'Latest results' section of benchmarks/README.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
