"""The memory phase: a separate long run of `--memory-requests` requests (the three operations in turn on every
connection), in about `--memory-segments` timed segments (a short first one measures the rate; the next ones are
sized from it, since wrk runs for a time, not a count). After the start and after each segment it records every serving
process's RSS and, from the probe, what the store holds (SQLite: database bytes, journal rows, documents), so that
growth can be set against the data stored. Loop lag is recorded per segment too.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

import lag
from servers import Config, Ports, ServerFailed, serving
from wrkload import Operation, PreflightFailed, WrkFailed, preflight, wrk_mixed


def memory_phase(
    configs: list[Config], chosen: list[Operation], args: argparse.Namespace, ports: Ports, workdir: Path
) -> list[dict[str, Any]]:
    """One long run per configuration."""
    results = []
    per_segment = max(1, args.memory_requests // args.memory_segments)
    for config in configs:
        record: dict[str, Any] = {"config": config.name, "requests_target": args.memory_requests, "points": []}
        results.append(record)
        try:
            with serving(config, ports, workdir, args.code_dir, probe=True) as (deployment, _):
                deployment.wait_settled()
                for op in chosen:
                    preflight(deployment, op)
                done, rate = 0, 0.0
                record["points"].append(_point(deployment, 0, None))
                while done < args.memory_requests * 0.99 or len(record["points"]) < 3:  # a second half to compare
                    want = max(min(per_segment, args.memory_requests - done), per_segment // 2)
                    seconds = math.ceil(want / rate) if rate else 1
                    result = wrk_mixed(deployment, chosen, max(1, seconds), args.threads, args.connections, workdir)
                    rate = result["rps"] or 1.0
                    done += result["requests"]
                    point = _point(deployment, done, result)
                    record["points"].append(point)
                    serving_mb = "/".join(f"{s['rss_mb']:.0f}" for s in point["state"])
                    store = point["state"][0].get("store") or {} if point["state"] else {}
                    print(
                        f"  memory {config.name:8} {done:7d} requests  {result['rps']:6.0f} req/s  RSS per worker "
                        f"{serving_mb} MB  store {store.get('bytes', 0) / 1e6:.1f} MB, journal rows "
                        f"{store.get('journal_rows', '?')}  lag max {point.get('lag_max_ms', 0):.1f} ms"
                        + (f"  INVALID: {point['invalid']}" if "invalid" in point else ""),
                        flush=True,
                    )
        except (ServerFailed, PreflightFailed, WrkFailed, OSError) as exc:
            record["error"] = f"{type(exc).__name__}: {exc}"[:600]
            print(f"  memory {config.name:8} FAILED: {record['error']}", flush=True)
    return results


def _point(deployment: Any, requests: int, result: dict[str, Any] | None) -> dict[str, Any]:
    dumps = deployment.probe_mark()
    point: dict[str, Any] = {"requests": requests, "rss": deployment.rss_mb(), "state": lag.state(dumps)}
    if result is not None:
        point.update(rps=result["rps"], p99_ms=result["p99_ms"], max_ms=result["max_ms"], **lag.summarise(dumps))
        if result["non_2xx"] or result["socket_errors"]:
            point["invalid"] = f"{result['non_2xx']} non-2xx, {result['socket_errors']} socket errors"
    return point
