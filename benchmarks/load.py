"""The load phase: interleaved rounds in which every configuration gets a fresh deployment and runs every operation
once (warm-up, then a measured wrk run with the machine's state and the probe's figures around it).

A run with any non-2xx answer or socket error is invalid and left out of the medians. After a deployment that
stores to a shared database (two workers on a SQLite file, replicas on PostgreSQL) has stopped, the events it
stored are counted in the database: every write wrk saw acknowledged must be there, once.
"""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
from pathlib import Path
from typing import Any

import lag
from pgcluster import PgCluster
from procstat import CpuWindow, loadavg, wait_for_quiet
from servers import Config, Deployment, Ports, ServerFailed, serving
from wrkload import Operation, PreflightFailed, WrkFailed, preflight, wrk

EVENTS = "asapp-metadata-ingestion/%.agent"
"""Collections holding the ASAPP agent events operation (c) stores (one per app)."""


def measure(
    deployment: Deployment, op: Operation, args: argparse.Namespace, workdir: Path, db_roots: list[int]
) -> dict[str, Any]:
    """Warm up, then a measured run; a run during which other processes used more than `--quiet-cores` is repeated
    (at most `--retries` times) and the quietest attempt kept. `sent` counts every request answered, warm-up too."""
    sent = 0
    if args.warmup > 0:
        sent += wrk(deployment, op, args.threads, args.connections, args.warmup, workdir)["requests"]
    attempts: list[dict[str, Any]] = []
    probed = deployment.probe_dir is not None
    for _ in range(args.retries + 1):
        quiet = wait_for_quiet(args.quiet_cores, args.max_wait, exclude=deployment.roots() + db_roots)
        if probed:
            deployment.probe_mark()  # what came before this run is not this run's
        window = CpuWindow({"server": deployment.roots(), "db": db_roots})
        load_before = loadavg()
        window.start()
        result = wrk(deployment, op, args.threads, args.connections, args.duration, workdir)
        cpu = window.stop()
        sent += result["requests"]
        requests = max(result["requests"], 1)
        result.update(
            loadavg_1m=load_before,
            others_cores_before=round(quiet, 2),
            others_cores_during=cpu["others_cores"],
            others_top=cpu["others_top"],
            server_cpu_ms_per_req=round(1000 * cpu["server_cpu_s"] / requests, 3),
            server_cpu_split_s=cpu["server_cpu_split_s"],
            db_cpu_ms_per_req=round(1000 * cpu["db_cpu_s"] / requests, 3) if db_roots else None,
            wrk_cpu_s=cpu["load_generator_cpu_s"],
            **(lag.summarise(deployment.probe_mark()) if probed else {}),
        )
        attempts.append(result)
        if result["others_cores_during"] <= args.quiet_cores:
            break
    result = min(attempts, key=lambda attempt: float(attempt["others_cores_during"]))
    result["attempts"] = len(attempts)
    result["answered_incl_warmup"] = sent
    if result["non_2xx"] or result["socket_errors"]:
        result["invalid"] = f"{result['non_2xx']} non-2xx, {result['socket_errors']} socket errors"
    return result


def stored_events(deployment: Deployment) -> int | None:
    """Events of operation (c) in a shared database (None for a private in-memory one)."""
    if deployment.db_path is not None:
        with contextlib.closing(sqlite3.connect(f"file:{deployment.db_path}?mode=ro", uri=True, timeout=10)) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM documents WHERE collection LIKE ?", (EVENTS,)).fetchone()[0])
    if deployment.database_url is not None:
        import psycopg

        with psycopg.connect(deployment.database_url, autocommit=True) as conn:
            row = conn.execute("SELECT count(*) FROM mock_documents WHERE collection LIKE %s", (EVENTS,)).fetchone()
            return int(row[0]) if row else 0
    return None


def load_phase(
    configs: list[Config],
    chosen: list[Operation],
    args: argparse.Namespace,
    ports: Ports,
    workdir: Path,
    pg: PgCluster | None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """`--rounds` rounds; returns the runs and, per deployment, its memory, state and write-count check."""
    runs: list[dict[str, Any]] = []
    deployments: list[dict[str, Any]] = []
    specs = tuple(dict.fromkeys(op.spec for op in chosen))
    for round_no in range(args.rounds):
        order = configs[round_no % len(configs) :] + configs[: round_no % len(configs)]
        for config in order:
            record: dict[str, Any] = {"round": round_no, "config": config.name}
            deployments.append(record)
            try:
                url = pg.new_database() if config.store == "postgres" and pg is not None else None
                with serving(config, ports, workdir, args.code_dir, url, specs=specs) as (deployment, seconds):
                    deployment.wait_settled()
                    record.update(startup_s=round(seconds, 3), rss_start=deployment.rss_mb())
                    baseline = stored_events(deployment)
                    db_roots = pg.roots() if url and pg is not None else []
                    writes = sum(preflight(deployment, op) for op in chosen if op.method == "POST")
                    sequence = chosen if round_no % 2 == 0 else list(reversed(chosen))
                    in_flight_bound = 0
                    for op in sequence:
                        result = measure(deployment, op, args, workdir, db_roots)
                        runs.append({"round": round_no, "config": config.name, "operation": op.name, **result})
                        _print_run(round_no, config, op, result)
                        if op.method == "POST":
                            writes += result["answered_incl_warmup"]
                            in_flight_bound += args.connections * (result["attempts"] + (args.warmup > 0))
                    record["rss_after"] = deployment.rss_mb()
                    if deployment.probe_dir is not None:
                        record["state"] = lag.state(deployment.probe_mark())
                record["writes"] = _write_check(deployment, baseline, writes, in_flight_bound)
            except (ServerFailed, PreflightFailed, WrkFailed, OSError) as exc:
                record["error"] = f"{type(exc).__name__}: {exc}"
                print(f"  round {round_no + 1} {config.name:8} FAILED: {record['error'][:300]}", flush=True)
            except Exception as exc:  # a store backend that is not ready must not end the whole run
                if config.store != "postgres":
                    raise
                record["error"] = f"{type(exc).__name__}: {exc}"
                print(f"  round {round_no + 1} {config.name:8} FAILED: {record['error'][:300]}", flush=True)
    return runs, deployments


def _write_check(deployment: Deployment, baseline: int | None, acknowledged: int, bound: int) -> dict[str, Any] | None:
    """Acknowledged writes against the events stored: none lost; extras only from requests in flight at wrk's stop
    (sent, then abandoned by wrk before the answer arrived)."""
    if baseline is None:
        return None
    final = stored_events(deployment)
    assert final is not None
    stored = final - baseline
    return {
        "acknowledged": acknowledged,
        "stored": stored,
        "in_flight_bound": bound,
        "ok": acknowledged <= stored <= acknowledged + bound,
    }


def _print_run(round_no: int, config: Config, op: Operation, r: dict[str, Any]) -> None:
    flag = f"  INVALID: {r['invalid']}" if "invalid" in r else ""
    probe = (
        f"  lag p99/max {r['lag_p99_ms']:.1f}/{r['lag_max_ms']:.1f} (own {r['lag_own_max_ms']:.1f}) ms,"
        f" store/journal max {r['store_or_journal_max_ms']:.1f} (cpu {r['store_or_journal_cpu_max_ms']:.1f}) ms,"
        f" gc max {r.get('gc_max_ms', 0):.1f} ms ({r.get('gc_full_count', 0)} full),"
        f" waited for a core {100 * r['runqueue_wait_share']:.0f}%"
        if "lag_max_ms" in r
        else ""
    )
    print(
        f"  round {round_no + 1} {config.name:8} {op.name:6} {r['rps']:8.0f} req/s  p50 {r['p50_ms']:6.1f} "
        f"p99 {r['p99_ms']:6.1f} max {r['max_ms']:7.1f} ms  cpu {r['server_cpu_ms_per_req']:.2f} ms/req"
        f"{probe}  load {r['loadavg_1m']:.1f} others {r['others_cores_during']:.2f}{flag}",
        flush=True,
    )
