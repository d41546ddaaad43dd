"""Measure `contract-mock serve`: start-up time, resident memory, and throughput/latency under wrk.

Method (the one the stack-notes baseline used): wrk on loopback, 32 connections, 10 s runs, rounds interleaved
across the server configurations, medians over rounds. Every measured run starts from a freshly started server
seeded with the default fixtures. Next to each run the script records what else the machine was doing (load
average, CPU used by other processes during the run) and the server's own CPU time per request, which is far less
sensitive to a busy machine than requests per second.

Run with the project's interpreter: `.venv/bin/python benchmarks/run.py --help`. Needs `wrk` on PATH
(`apt-get install -y wrk`) and, for `--profile`, `py-spy`. Every server it starts is stopped on exit, also on
Ctrl-C. Results go to `benchmarks/results/<timestamp>.json` (every run) and `.md` (the summary table).

This file holds the phases and the command line; `mockprocess` starts and stops the mock, `wrkload` drives wrk,
`procstat` reads the machine's state from /proc, `report` builds the table, `hotspots` times single calls.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from mockprocess import ABLATIONS, PORTS, ROOT, Config, Ports, serving, snapshot_code, stop_all
from procstat import CpuWindow, cmdline, loadavg, machine_facts, wait_for_quiet
from report import summarise_profile, table
from wrkload import Scenario, measure, preflight, scenarios, wrk

RESULTS = Path(__file__).resolve().parent / "results"


# -- phases ------------------------------------------------------------------------------------------------------


def startup_phase(configs: list[Config], args: argparse.Namespace, ports: Ports, workdir: Path) -> list[dict[str, Any]]:
    """`--startup-runs` starts of each configuration, interleaved."""
    runs = []
    for attempt in range(args.startup_runs):
        for config in configs:
            quiet = wait_for_quiet(args.quiet_cores, args.max_wait)
            window = CpuWindow(server_root=-1)
            window.start()
            with serving(config, ports, workdir, args.code_dir) as (server, seconds):
                window.server_root = server.process.pid  # the server's own start-up is not "others"
                during = window.stop()["others_cores"]
                runs.append({"config": config.name, "attempt": attempt, "startup_s": round(seconds, 3),
                             "loadavg_1m": loadavg(), "others_cores_before": round(quiet, 2),
                             "others_cores_during": during})
                print(f"  startup {config.name:22} {seconds:6.2f} s  (others {quiet:.2f} cores before, "
                      f"{during:.2f} during)", flush=True)
    return runs


def load_phase(
    configs: list[Config], chosen: list[Scenario], args: argparse.Namespace, ports: Ports, workdir: Path
) -> list[dict[str, Any]]:
    """`--rounds` rounds; in each, every configuration gets a fresh server and runs every scenario once."""
    runs = []
    for round_no in range(args.rounds):
        order = configs[round_no % len(configs) :] + configs[: round_no % len(configs)]
        for config in order:
            with serving(config, ports, workdir, args.code_dir) as (server, seconds):
                server.wait_settled()
                rss_start = server.rss_mb()
                for scenario in chosen:
                    preflight(server.port, scenario)
                sequence = chosen if round_no % 2 == 0 else list(reversed(chosen))
                results = {s.name: measure(server, s, args, workdir) for s in sequence}
                rss_after = server.rss_mb()
            for name, result in results.items():
                runs.append({"round": round_no, "config": config.name, "scenario": name, "startup_s": seconds,
                             "rss_start_mb": rss_start["total_mb"], "rss_after_mb": rss_after["total_mb"],
                             "rss_after_parts": rss_after["parts_mb"], **result})
                flag = f"  INVALID: {result['invalid']}" if "invalid" in result else ""
                print(
                    f"  round {round_no + 1} {config.name:22} {name:4} {result['rps']:8.0f} req/s "
                    f"p50 {result['p50_ms']:6.1f} p99 {result['p99_ms']:6.1f} ms  "
                    f"cpu {result['server_cpu_ms_per_req']:.2f} ms/req  load {result['loadavg_1m']:.2f} "
                    f"others {result['others_cores_during']:.2f} cores  rss {rss_start['total_mb']:.0f}->"
                    f"{rss_after['total_mb']:.0f} MB{flag}",
                    flush=True,
                )
    return runs


def profile_phase(chosen: list[Scenario], args: argparse.Namespace, ports: Ports, workdir: Path) -> dict[str, Any]:
    """py-spy on a validating server (1 worker, then one worker of 2) under each scenario: where the CPU goes."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    summary = {}
    for config in (Config(1, True, args.log_level), Config(2, True, args.log_level)):
        for scenario in chosen:
            with serving(config, ports, workdir, args.code_dir) as (server, _):
                server.wait_settled()
                wrk(server.port, scenario, args, args.warmup or 2, workdir)
                tree = server.tree()
                target = tree[0] if config.workers == 1 else max(tree[1:], key=lambda pid: "fork" in cmdline(pid))
                folded = RESULTS / f"{args.stamp}-profile-{config.name}-{scenario.name}.folded"
                spy = subprocess.Popen([py_spy, "record", "-p", str(target), "-d", str(int(args.duration)), "-r",
                                        "100", "-f", "raw", "-o", str(folded), "--nonblocking"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                wrk(server.port, scenario, args, args.duration + 1, workdir)
                spy.wait(timeout=60)
            key = f"{config.name} {scenario.name}"
            summary[key] = summarise_profile(folded)
            with folded.open("rb") as raw, gzip.open(f"{folded}.gz", "wb") as packed:
                shutil.copyfileobj(raw, packed)
            folded.unlink()
            print(f"  profile {key}: {json.dumps(summary[key], indent=1)}", flush=True)
    return summary


def hotspots_phase(args: argparse.Namespace, workdir: Path) -> str:
    """`hotspots.py` (per-call costs of the mock's own request work) against the measured code."""
    env = Config(1, True, args.log_level).environment(workdir, args.code_dir)
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("hotspots.py"))], env=env, cwd=workdir,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"hotspots.py failed: {done.stderr}")
    print(done.stdout, flush=True)
    return done.stdout


# -- command line ------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; the defaults are the documented method."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of load runs (medians over these)")
    parser.add_argument("--duration", type=float, default=10, help="seconds per measured wrk run")
    parser.add_argument("--warmup", type=float, default=2, help="unmeasured wrk seconds before each run (0: none)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--startup-runs", type=int, default=5, help="starts per configuration for start-up time")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to measure")
    parser.add_argument("--validation", nargs="+", choices=["on", "off"], default=["on", "off"],
                        help="response validation settings to measure")
    parser.add_argument("--scenarios", nargs="+", choices=["get", "post"], default=["get", "post"])
    parser.add_argument("--log-level", default="warning", choices=["warning", "info"],
                        help="server log level; 'info' (the CLI default) adds uvicorn's access log per request")
    parser.add_argument("--port", type=int, default=PORTS.start, help=f"first port ({PORTS.start}-{PORTS.stop - 1})")
    parser.add_argument("--quiet-cores", type=float, default=0.3,
                        help="before a run, wait while other processes use more than this many cores ...")
    parser.add_argument("--max-wait", type=float, default=60, help="... but at most this many seconds")
    parser.add_argument("--retries", type=int, default=2,
                        help="repeat a run during which other processes used more than --quiet-cores")
    parser.add_argument("--ablate", nargs="+", choices=sorted(ABLATIONS), default=[],
                        help="experiment: also run each configuration with each of these parts switched off in turn "
                        "(not in start-up)")
    parser.add_argument("--code", choices=["snapshot", "live"], default="snapshot",
                        help="'snapshot': copy mockserver/, specs/ and fixtures/ at the start so every server runs the "
                        "same code; 'live': run the checkout as it is at each server start")
    parser.add_argument("--skip-startup", action="store_true", help="skip the start-up phase")
    parser.add_argument("--skip-load", action="store_true", help="skip the load phase")
    parser.add_argument("--profile", action="store_true",
                        help="afterwards, profile a validating server (1 worker, and one worker of 2) under each "
                        "scenario with py-spy (results/<stamp>-profile-*.folded.gz)")
    parser.add_argument("--hotspots", action="store_true",
                        help="afterwards, time the mock's own per-request store work call by call (hotspots.py)")
    parser.add_argument("--quick", action="store_true", help="smoke test: 1 round, 3 s runs, 1 start, no warm-up")
    args = parser.parse_args(argv)
    if args.port not in PORTS:
        parser.error(f"--port must be within {PORTS.start}-{PORTS.stop - 1}")
    if args.quick:
        args.rounds, args.duration, args.startup_runs, args.warmup, args.max_wait, args.retries = 1, 3, 1, 0, 0, 0
    args.stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the phases, print the table, write the results files."""
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get update && apt-get install -y wrk")
    signal.signal(signal.SIGINT, stop_all)
    signal.signal(signal.SIGTERM, stop_all)
    configs = [Config(w, v == "on", args.log_level) for w in args.workers for v in args.validation]
    if args.ablate:
        configs += [Config(c.workers, c.validate, c.log_level, (part,)) for part in args.ablate for c in configs]
    ports = Ports(args.port)
    facts = machine_facts(ROOT)
    RESULTS.mkdir(exist_ok=True)
    startups: list[dict[str, Any]] = []
    runs: list[dict[str, Any]] = []
    profile: dict[str, Any] = {}
    hotspots = ""
    with tempfile.TemporaryDirectory(prefix="contract-mock-bench-") as tmp:
        workdir = Path(tmp)
        args.code_dir = None
        if args.code == "snapshot":
            args.code_dir, facts["code"] = snapshot_code(workdir)
        chosen = [scenarios(args.code_dir)[name] for name in args.scenarios]
        print(f"{facts['date']}  nproc {facts['nproc']}  python {facts['python']}  load {loadavg():.2f}  "
              f"code {facts['git_head']} {facts.get('code', 'live checkout')}", flush=True)
        try:
            if not args.skip_startup:
                startups = startup_phase([c for c in configs if not c.ablate], args, ports, workdir)
            if not args.skip_load:
                runs = load_phase(configs, chosen, args, ports, workdir)
            if args.profile:
                profile = profile_phase(chosen, args, ports, workdir)
            if args.hotspots:
                hotspots = hotspots_phase(args, workdir)
        finally:
            stop_all()
    summary = table(startups, runs, configs)
    print("\n" + summary)
    out = RESULTS / f"{args.stamp}.json"
    settings = {k: v for k, v in vars(args).items() if k not in ("stamp", "code_dir")}
    out.write_text(json.dumps({"machine": facts, "settings": settings, "startups": startups, "runs": runs,
                               "profile": profile, "hotspots": hotspots, "table": summary}, indent=1))
    out.with_suffix(".md").write_text(f"{facts['date']} ({out.name})\n\n{summary}\n\n{hotspots}")
    print(f"\nwrote {out.relative_to(ROOT)} and {out.with_suffix('.md').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
