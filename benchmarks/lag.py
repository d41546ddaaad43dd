"""Reading the probe's dumps (`probe/sitecustomize.py`): loop lag, the longest request step, journal flush step and
store statement, merged over the serving processes of one run."""

from __future__ import annotations

from typing import Any


def _percentile(buckets: dict[float, int], q: float) -> float:
    """Upper edge of the bucket holding the q-th percentile (0 when empty)."""
    total = sum(buckets.values())
    if not total:
        return 0.0
    seen = 0
    for edge in sorted(buckets):
        seen += buckets[edge]
        if seen >= total * q / 100:
            return edge
    return max(buckets)


def _merged(dumps: list[dict[str, Any]], key: str) -> tuple[dict[float, int], float, int]:
    buckets: dict[float, int] = {}
    dumps = [d for d in dumps if key in d]
    for dump in dumps:
        for edge, count in dump[key]["buckets"]:
            buckets[float(edge)] = buckets.get(float(edge), 0) + int(count)
    return buckets, max((d[key]["max_ms"] for d in dumps), default=0.0), sum(d[key]["n"] for d in dumps)


def summarise(dumps: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures one run reports: lag p99/max and samples, longest steps, the store's busiest issuers."""
    if not dumps:
        return {}
    out: dict[str, Any] = {}
    for key, label in (
        ("lag", "lag"),
        ("lag_own", "lag_own"),
        ("request_step", "request_step"),
        ("flush_step", "flush_step"),
        ("statement", "statement"),
        ("gc", "gc"),
    ):
        buckets, longest, n = _merged(dumps, key)
        out[f"{label}_p99_ms"] = round(_percentile(buckets, 99), 2)
        out[f"{label}_max_ms"] = round(longest, 2)
        out[f"{label}_n"] = n
    seconds = max(d["seconds"] for d in dumps) or 1.0
    out["lag_samples_per_s"] = round(out["lag_n"] / len(dumps) / seconds)
    by: dict[str, float] = {}
    counts: dict[str, int] = {}
    for dump in dumps:
        for issuer, ms in dump["statement_max_ms_by"].items():
            by[issuer] = max(by.get(issuer, 0.0), ms)
        for issuer, n in dump["statement_count_by"].items():
            counts[issuer] = counts.get(issuer, 0) + n
    out["statement_max_ms_by"] = dict(sorted(by.items(), key=lambda kv: -kv[1])[:5])
    out["statement_count_by"] = dict(sorted(counts.items(), key=lambda kv: -kv[1])[:8])
    for key in ("request_step", "flush_step", "statement"):
        out[f"{key}_cpu_max_ms"] = round(max(d["cpu_max_ms"][key] for d in dumps), 2)
    out["store_or_journal_max_ms"] = max(out["flush_step_max_ms"], out["statement_max_ms"])
    out["store_or_journal_cpu_max_ms"] = max(out["flush_step_cpu_max_ms"], out["statement_cpu_max_ms"])
    out["gc_full_count"] = sum(int(d.get("gc_count_by_gen", {}).get("2", 0)) for d in dumps)
    out["gc_full_max_ms"] = round(max(float(d.get("gc_max_ms_by_gen", {}).get("2", 0.0)) for d in dumps), 2)
    out["runqueue_wait_ms"] = max(d["runqueue_wait_ms"] for d in dumps)
    out["runqueue_wait_share"] = round(max(d["runqueue_wait_ms"] / 1000 / (d["seconds"] or 1) for d in dumps), 3)
    return out


def state(dumps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per serving process: RSS and heap, and what its store holds (SQLite: bytes, journal rows, documents)."""
    rows = []
    for dump in sorted(dumps, key=lambda d: d["pid"]):
        rows.append(
            {
                "pid": dump["pid"],
                "rss_mb": round(dump.get("VmRSS", 0) / 1024, 1),
                "anon_mb": round(dump.get("RssAnon", 0) / 1024, 1),
                "allocated_blocks": dump.get("allocated_blocks"),
                "store": dump.get("store"),
                "journal_buffered": dump.get("journal_buffered"),
                **({"store_error": dump["store_error"]} if "store_error" in dump else {}),
            }
        )
    return rows
