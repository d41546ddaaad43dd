"""Turning runs into the summary table, and py-spy samples into where the request time goes."""

from __future__ import annotations

import collections
import re
import statistics
from pathlib import Path
from typing import Any

from mockprocess import Config


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(startups: list[dict[str, Any]], runs: list[dict[str, Any]], configs: list[Config]) -> str:
    """The summary table, in the stack-notes columns plus latency p50, server CPU per request and machine load."""
    head = ("| configuration | GET req/s | GET p50 / p99 ms | GET CPU ms/req | POST req/s | POST p50 / p99 ms "
            "| POST CPU ms/req | startup s (median of n) | RSS MB start -> after load | load avg 1m | others' cores |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for config in configs:
        mine = [r for r in runs if r["config"] == config.name and "invalid" not in r]
        ups = [s["startup_s"] for s in startups if s["config"] == config.name]
        if not mine and not ups:
            continue
        cells = [config.name]
        for name in ("get", "post"):
            picked = [r for r in mine if r["scenario"] == name]
            if not picked:
                cells += ["-", "-", "-"]
                continue
            cells += [
                f"{_median([r['rps'] for r in picked]):.0f}",
                f"{_median([r['p50_ms'] for r in picked]):.1f} / {_median([r['p99_ms'] for r in picked]):.0f}",
                f"{_median([r['server_cpu_ms_per_req'] for r in picked]):.2f}",
            ]
        starts = sorted({r["rss_start_mb"] for r in mine})
        afters = sorted({r["rss_after_mb"] for r in mine})
        cells.append(f"{_median(ups):.2f} (n={len(ups)})" if ups else "-")
        cells.append(f"{starts[0]:.0f}-{starts[-1]:.0f} -> {afters[0]:.0f}-{afters[-1]:.0f}" if starts else "-")
        loads = [r["loadavg_1m"] for r in mine]
        others = [r["others_cores_during"] for r in mine]
        cells.append(f"{min(loads):.1f}-{max(loads):.1f}" if loads else "-")
        cells.append(f"{min(others):.2f}-{max(others):.2f}" if others else "-")
        lines.append("| " + " | ".join(cells) + " |")
    invalid = [r for r in runs if "invalid" in r]
    if invalid:
        lines.append(f"\n{len(invalid)} run(s) excluded as invalid: "
                     + "; ".join(f"{r['config']} {r['scenario']} round {r['round'] + 1}: {r['invalid']}"
                                 for r in invalid))
    return "\n".join(lines)


_IDLE = ("Condition.wait (", "Queue.get (")


def summarise_profile(folded: Path) -> dict[str, Any]:
    """Share of the request-serving samples spent in (inclusive) each mockserver function and framework layer.

    Request-serving samples are those under the outer middleware (event loop) or in the thread pool running a
    synchronous handler; idle waits are left out.
    """
    inclusive: collections.Counter[str] = collections.Counter()
    busy = 0
    for line in folded.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [re.sub(r":\d+\)$", ")", f) for f in stack.split(";")]
        in_loop = any("RequestMiddleware.__call__" in f for f in frames)
        in_pool = any("WorkerThread.run" in f for f in frames) and not any(f.startswith(_IDLE) for f in frames)
        if not (in_loop or in_pool):
            continue
        busy += int(count)
        for frame in set(frames):
            inclusive[frame] += int(count)
    layers = ("mockserver/", "ResponseValidationOperation.__call__ ", "RequestValidationOperation.__call__ ",
              "SecurityOperation.__call__ ", "RequestResponseCycle.send ", "WorkerThread.run ")
    shares = {f: round(100 * n / busy, 1) for f, n in inclusive.most_common() if any(m in f for m in layers)}
    return {"busy_samples": busy, "percent_of_request_time": dict(list(shares.items())[:30])}
