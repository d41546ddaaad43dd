"""The performance targets of the issue, checked against one run's results: each is met, NOT MET, or not checked
(with the reason: a phase not run, a smoke run, a failed configuration). Thresholds live here and only here."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

PRISM_RATIO = 1.5
P99_MS = 20.0
SCALING = 1.7
LOCK_WAIT_MS = 1000.0
STARTUP_S = 1.0
RSS_MB = 120.0
MEMORY_REQUESTS = 100_000
UNEXPLAINED_MB = 2.0
SQLITE_CACHE_MB = 2.0
"""SQLite's default page cache per connection (`cache_size=-2000`): growth a file-backed worker may show."""
JOURNAL_SLACK = 1000
LOOP_MS = 5.0
HARNESS_S = 120.0


@dataclass(frozen=True)
class Verdict:
    """One checked target."""

    target: str
    measured: str
    status: str
    """`met`, `NOT MET` or `not checked: <why>`."""


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def valid(runs: list[dict[str, Any]], config: str, op: str) -> list[dict[str, Any]]:
    """The valid runs of one configuration and operation."""
    return [r for r in runs if r["config"] == config and r["operation"] == op and "invalid" not in r]


def ratio(runs: list[dict[str, Any]], top: str, bottom: str, op: str) -> tuple[float | None, list[float]]:
    """Median over rounds of `top` req/s divided by `bottom` req/s measured in the same round."""
    per_round = []
    for r in valid(runs, top, op):
        other = [b for b in valid(runs, bottom, op) if b["round"] == r["round"]]
        if other and other[0]["rps"]:
            per_round.append(r["rps"] / other[0]["rps"])
    return _median(per_round), per_round


def _status(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def check(results: dict[str, Any]) -> list[Verdict]:
    """Every target, in the issue's order."""
    runs, ops = results.get("runs", []), results.get("operations", [])
    out: list[Verdict] = []
    for op in ops:
        value, rounds = ratio(runs, "mock-1w", "prism", op)
        text = f"{value:.2f}x (rounds: {', '.join(f'{x:.2f}' for x in rounds)})" if value is not None else "-"
        out.append(
            Verdict(
                f"1 worker >= {PRISM_RATIO}x Prism req/s, {op}",
                text,
                _status(value >= PRISM_RATIO) if value is not None else "not checked: no valid pair",
            )
        )
    for op in ops:
        p99s = [r["p99_ms"] for r in valid(runs, "mock-1w", op)]
        value = _median(p99s)
        out.append(
            Verdict(
                f"1 worker p99 < {P99_MS:g} ms at 32 connections, {op}",
                f"{value:.1f} ms (rounds: {', '.join(f'{x:.1f}' for x in p99s)})" if value else "-",
                _status(value < P99_MS) if value is not None else "not checked: no valid run",
            )
        )
    for op in ops:
        value, rounds = ratio(runs, "mock-2w", "mock-1w", op)
        text = f"{value:.2f}x (rounds: {', '.join(f'{x:.2f}' for x in rounds)})" if value is not None else "-"
        out.append(
            Verdict(
                f"2 workers >= {SCALING}x 1 worker req/s, {op}",
                text,
                _status(value >= SCALING) if value is not None else "not checked: no valid pair",
            )
        )
    out.append(_consistency(results))
    out.append(_lock_waits(runs))
    out.append(_startup(results.get("startups", [])))
    out += _memory(results.get("memory", []), results.get("journal_limit", 5000))
    out += _loop(results)
    out.append(_harness(results.get("harness")))
    return out


def _consistency(results: dict[str, Any]) -> Verdict:
    target = "2 workers: state and tokens consistent across workers"
    checks = [c for c in results.get("consistency", []) if c["config"] == "mock-2w"]
    writes = [d["writes"] for d in results.get("deployments", []) if d["config"] == "mock-2w" and d.get("writes")]
    if not checks and not writes:
        return Verdict(target, "-", "not checked: consistency and load phases not run on mock-2w")
    parts = []
    if checks:
        c = checks[0]
        parts.append("checks passed" if c.get("ok") else f"checks failed: {c.get('failures') or c.get('error')}")
        parts.append(f"{c.get('processes_that_served', '?')} workers served")
    if writes:
        parts.append(
            "acknowledged writes -> events stored after the load runs: "
            + ", ".join(f"{w['acknowledged']} -> {w['stored']}" for w in writes)
        )
    ok = all(c.get("ok") for c in checks) and all(w["ok"] for w in writes)
    return Verdict(target, "; ".join(parts), _status(ok))


def _lock_waits(runs: list[dict[str, Any]]) -> Verdict:
    mine = [r for r in runs if r["config"] == "mock-2w"]
    if not mine:
        return Verdict("2 workers: no request waits seconds on a database lock", "-", "not checked: no mock-2w run")
    worst = max(r["max_ms"] for r in mine)
    refused = sum(r["non_2xx"] for r in mine)
    return Verdict(
        "2 workers: no request waits seconds on a database lock",
        f"slowest answer {worst:.0f} ms, {refused} non-2xx (503 = store busy)",
        _status(worst < LOCK_WAIT_MS and refused == 0),
    )


def _startup(startups: list[dict[str, Any]]) -> Verdict:
    times = [s["startup_s"] for s in startups if s["config"] == "mock-1w" and "startup_s" in s]
    value = _median(times)
    if value is None:
        return Verdict(
            f"start-up of all five APIs to the first answer < {STARTUP_S:g} s",
            "-",
            "not checked: start-up phase not run",
        )
    listed = {int(s.get("apis_listed") or 0) for s in startups if s["config"] == "mock-1w"}
    return Verdict(
        f"start-up of all five APIs to the first answer < {STARTUP_S:g} s",
        f"{value:.2f} s (median of {len(times)}; APIs listed: {sorted(listed)})",
        _status(value < STARTUP_S and listed == {5}),
    )


def _memory(memory: list[dict[str, Any]], journal_limit: int) -> list[Verdict]:
    if not memory:
        return [
            Verdict(
                f"<= {RSS_MB:g} MB per worker after {MEMORY_REQUESTS:,} requests",
                "-",
                "not checked: memory phase not run",
            )
        ]
    out = []
    for run in memory:
        points = run.get("points", [])
        name = run["config"]
        if run.get("error") or len(points) < 3:
            out.append(Verdict(f"{name}: memory", "-", f"not checked: {run.get('error', 'too few points')}"))
            continue
        last, middle, first = points[-1], points[len(points) // 2], points[0]
        done = last["requests"]
        worst = max(s["rss_mb"] for s in last["state"])
        short = f"not checked: {done:,} requests, not {MEMORY_REQUESTS:,}" if done < MEMORY_REQUESTS * 0.98 else None
        start = "/".join(f"{s['rss_mb']:.0f}" for s in first["state"])
        end = "/".join(f"{s['rss_mb']:.0f}" for s in last["state"])
        out.append(
            Verdict(
                f"{name}: <= {RSS_MB:g} MB per worker after {MEMORY_REQUESTS:,} requests",
                f"{start} MB after start -> {end} MB after {done:,}",
                short or _status(worst <= RSS_MB),
            )
        )
        growth = []
        for before, after in zip(middle["state"], last["state"], strict=False):
            store_before, store_after = before.get("store") or {}, after.get("store") or {}
            stored_mb = (store_after.get("bytes", 0) - store_before.get("bytes", 0)) / 1024 / 1024
            if store_after.get("url", ":memory:") != ":memory:":
                stored_mb = min(stored_mb, SQLITE_CACHE_MB)  # a file-backed store keeps only its page cache
            growth.append((after["rss_mb"] - before["rss_mb"], stored_mb))
        unexplained = max(rss - stored for rss, stored in growth)
        rows = max(((s.get("store") or {}).get("journal_rows") or 0) for s in last["state"])
        text = (
            f"second half ({middle['requests']:,} -> {done:,}): RSS "
            + ", ".join(f"+{rss:.1f} MB against +{stored:.1f} MB stored" for rss, stored in growth)
            + f"; journal rows {rows} (limit {journal_limit})"
        )
        ok = unexplained <= UNEXPLAINED_MB and rows <= journal_limit + JOURNAL_SLACK
        out.append(Verdict(f"{name}: no growth beyond the stored data; journal capped", text, short or _status(ok)))
    return out


def _loop(results: dict[str, Any]) -> list[Verdict]:
    runs = [r for r in results.get("runs", []) if r["config"] in ("mock-1w", "mock-2w") and "lag_max_ms" in r]
    segments = [p for m in results.get("memory", []) for p in m.get("points", []) if "lag_max_ms" in p]
    if not runs and not segments:
        return [
            Verdict(
                f"event loop never blocked > {LOOP_MS:g} ms (loop-lag probe)", "-", "not checked: no probed load run"
            )
        ]
    measured = runs + segments

    def worst(key: str) -> float:
        return max(float(r.get(key, 0.0)) for r in measured)

    issuers: dict[str, float] = {}
    for r in measured:
        for issuer, ms in r.get("statement_max_ms_by", {}).items():
            issuers[issuer] = max(issuers.get(issuer, 0.0), ms)
    slowest = max(issuers.items(), key=lambda kv: kv[1])[0] if issuers else "-"
    contention = (
        f"; the server waited for a core up to {100 * worst('runqueue_wait_share'):.0f}% of a run's time"
        if worst("runqueue_wait_share") >= 0.02
        else ""
    )
    return [
        Verdict(
            f"loop lag under load <= {LOOP_MS:g} ms (probe in the server, every 1 ms)",
            f"max {worst('lag_max_ms'):.1f} ms, worst p99 {worst('lag_p99_ms'):.1f} ms over {len(measured)} "
            f"probed runs (the loop's own CPU in it: max {worst('lag_own_max_ms'):.1f} ms){contention}",
            _status(worst("lag_max_ms") <= LOOP_MS),
        ),
        Verdict(
            "garbage collection on the loop (context for the loop rows)",
            f"longest collection {worst('gc_max_ms'):.1f} ms; full collections: longest "
            f"{worst('gc_full_max_ms'):.1f} ms, {int(sum(r.get('gc_full_count', 0) for r in measured))} in "
            f"{len(measured)} runs",
            "no target: it explains lag outside the store and journal",
        ),
        Verdict(
            f"no store or journal step blocks the loop > {LOOP_MS:g} ms",
            f"longest store statement {worst('statement_max_ms'):.2f} ms ({slowest}; CPU "
            f"{worst('statement_cpu_max_ms'):.2f} ms), longest journal flush step {worst('flush_step_max_ms'):.2f}"
            f" ms (CPU {worst('flush_step_cpu_max_ms'):.2f} ms); longest request step "
            f"{worst('request_step_max_ms'):.2f} ms (CPU {worst('request_step_cpu_max_ms'):.2f} ms){contention}",
            _status(worst("store_or_journal_max_ms") <= LOOP_MS),
        ),
    ]


def _harness(harness: dict[str, Any] | None) -> Verdict:
    target = f"harness: all five contracts < {HARNESS_S:g} s wall, zero failures"
    if not harness:
        return Verdict(target, "-", "not checked: harness phase not run")
    if harness.get("error"):
        return Verdict(target, "-", f"not checked: {harness['error'][:200]}")
    runs = harness["runs"]
    unparsed = [r["spec"] for r in runs if "failures" not in r]
    if unparsed:
        return Verdict(target, f"{harness['total_wall_s']:.0f} s", f"not checked: no summary line from {unparsed}")
    failures = sum(r["failures"] for r in runs)
    bad = [r["spec"] for r in runs if r["exit_code"] != 0]
    text = f"{harness['total_wall_s']:.0f} s, {failures} failure(s), exit codes {[r['exit_code'] for r in runs]}"
    if harness.get("quick"):
        return Verdict(target, text, f"not checked: --quick runs the harness with {' '.join(harness['options'])}")
    return Verdict(
        target, text, _status(harness["total_wall_s"] < HARNESS_S and not failures and not bad and len(runs) == 5)
    )
