"""One run's results as Markdown: the targets, the load table, start-up, memory, harness, consistency, profiles,
and the machine; and the README's "Latest results" section, which `run.py --record` rewrites."""

from __future__ import annotations

import re
import statistics
from pathlib import Path
from typing import Any

from servers import CONFIGS
from targets import Verdict, ratio, valid

_START, _END = "<!-- latest-results:start -->", "<!-- latest-results:end -->"


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _span(values: list[float], digits: int = 0) -> str:
    if not values:
        return "-"
    low, high = min(values), max(values)
    return f"{low:.{digits}f}" if low == high else f"{low:.{digits}f}-{high:.{digits}f}"


def targets_table(verdicts: list[Verdict]) -> str:
    """Target | measured | verdict."""
    lines = ["| target | measured | verdict |", "|---|---|---|"]
    for v in verdicts:
        status = v.status if v.status == "met" else f"**{v.status}**"
        lines.append(f"| {v.target} | {v.measured} | {status} |")
    return "\n".join(lines)


def load_table(results: dict[str, Any]) -> str:
    """One row per configuration and operation: medians over the valid rounds, ranges where useful."""
    runs = results.get("runs", [])
    head = (
        "| configuration | operation | req/s (median, range) | x Prism | x 1 worker | p50 / p99 / max ms | "
        "server CPU ms/req | loop lag p99 / max ms (own CPU max) | "
        "longest request step / store / journal ms (CPU) | longest GC ms (full GCs) | valid runs | "
        "others' cores |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for name in results.get("configs", []):
        for op in results.get("operations", []):
            mine = [r for r in runs if r["config"] == name and r["operation"] == op]
            good = valid(runs, name, op)
            if not mine:
                continue
            vs_prism = ratio(runs, name, "prism", op)[0] if name != "prism" else None
            vs_one = ratio(runs, name, "mock-1w", op)[0] if name not in ("prism", "mock-1w") else None
            rps = [r["rps"] for r in good]
            cpu = f"{_median([r['server_cpu_ms_per_req'] for r in good]):.2f}" if good else "-"
            if good and good[0].get("db_cpu_ms_per_req") is not None:
                cpu += f" (+ {_median([r['db_cpu_ms_per_req'] for r in good]):.2f} PostgreSQL)"
            probed = [r for r in good if "lag_max_ms" in r]

            def worst(key: str, probed: list[dict[str, Any]] = probed) -> float:
                return max(float(r[key]) for r in probed)

            lag = (
                f"{_median([r['lag_p99_ms'] for r in probed]):.1f} / {worst('lag_max_ms'):.1f} "
                f"({worst('lag_own_max_ms'):.1f})"
                if probed
                else "-"
            )
            steps = (
                f"{worst('request_step_max_ms'):.1f} / {worst('statement_max_ms'):.2f} / "
                f"{worst('flush_step_max_ms'):.1f} ({worst('request_step_cpu_max_ms'):.1f} / "
                f"{worst('statement_cpu_max_ms'):.2f} / {worst('flush_step_cpu_max_ms'):.1f})"
                if probed
                else "-"
            )
            collections = (
                f"{worst('gc_max_ms'):.1f} ({sum(int(r.get('gc_full_count', 0)) for r in probed)})"
                if probed and "gc_max_ms" in probed[0]
                else "-"
            )
            latency = (
                f"{_median([r['p50_ms'] for r in good]):.1f} / {_median([r['p99_ms'] for r in good]):.1f} / "
                f"{max(r['max_ms'] for r in good):.0f}"
                if good
                else "-"
            )
            lines.append(
                f"| {name} | {op} | {_median(rps):.0f} ({_span(rps)}) | "
                f"{f'{vs_prism:.2f}' if vs_prism else '-'} | {f'{vs_one:.2f}' if vs_one else '-'} | {latency} | "
                f"{cpu} | {lag} | {steps} | {collections} | {len(good)}/{len(mine)} | "
                f"{_span([r['others_cores_during'] for r in mine], 2)} |"
            )
    failed = [d for d in results.get("deployments", []) if d.get("error")]
    invalid = [r for r in runs if "invalid" in r]
    notes = [f"- {r['config']} {r['operation']} round {r['round'] + 1}: invalid ({r['invalid']})" for r in invalid]
    notes += [f"- {d['config']} round {d['round'] + 1}: not available: {d['error'][:300]}" for d in failed]
    return "\n".join(lines + (["", *notes] if notes else []))


def deployments_table(results: dict[str, Any]) -> str:
    """Memory of each deployment after start and after its load runs; the write-count check."""
    lines = [
        "| configuration | RSS MB per serving process, after start -> after load | tree total MB | "
        "writes acknowledged / stored |",
        "|---|---|---|---|",
    ]
    for name in results.get("configs", []):
        mine = [d for d in results.get("deployments", []) if d["config"] == name and "rss_after" in d]
        if not mine:
            continue
        start = [x for d in mine for x in d["rss_start"]["serving_mb"]]
        after = [x for d in mine for x in d["rss_after"]["serving_mb"]]
        totals = [d["rss_after"]["total_mb"] for d in mine]
        writes = [d["writes"] for d in mine if d.get("writes")]
        check = ", ".join(f"{w['acknowledged']}/{w['stored']}{'' if w['ok'] else ' MISMATCH'}" for w in writes)
        lines.append(f"| {name} | {_span(start)} -> {_span(after)} | {_span(totals)} | {check or '-'} |")
    return "\n".join(lines)


def startup_table(startups: list[dict[str, Any]]) -> str:
    """Median start-up per configuration."""
    lines = [
        "| configuration | start-up s (median) | range | starts | of which inside `serve` (banner) |",
        "|---|---|---|---|---|",
    ]
    for name in dict.fromkeys(s["config"] for s in startups):
        mine = [s for s in startups if s["config"] == name and "startup_s" in s]
        times = [s["startup_s"] for s in mine]
        inside = [s["in_process_s"] for s in mine if s.get("in_process_s")]
        failed = len([s for s in startups if s["config"] == name]) - len(mine)
        lines.append(
            f"| {name} | {_median(times):.2f} | {_span(times, 2)} | {len(times)}"
            f"{f' ({failed} failed)' if failed else ''} | {f'{_median(inside):.2f}' if inside else '-'} |"
        )
    return "\n".join(lines)


def memory_table(memory: list[dict[str, Any]]) -> str:
    """RSS per serving process and store size along the long run."""
    lines = [
        "| configuration | requests | RSS MB per worker | store MB | journal rows | documents | req/s | lag max ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in memory:
        for point in run.get("points", []):
            store = (point["state"][0].get("store") or {}) if point["state"] else {}
            rss = "/".join(f"{s['rss_mb']:.1f}" for s in point["state"]) or "-"
            lines.append(
                f"| {run['config']} | {point['requests']:,} | {rss} | "
                f"{store.get('bytes', 0) / 1024 / 1024:.1f} | {store.get('journal_rows', '-')} | "
                f"{store.get('documents', '-')} | {point.get('rps', '-')} | {point.get('lag_max_ms', '-')} |"
            )
        if run.get("error"):
            lines.append(f"| {run['config']} | failed: {run['error'][:200]} | | | | | | |")
    return "\n".join(lines)


def harness_table(harness: dict[str, Any]) -> str:
    """Wall time and cases per contract."""
    lines = [
        "| contract | wall s | cases sent (reached, judged) | cases/s (wall) | failures | exit | seed |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in harness.get("runs", []):
        detail = f" ({r['reached']}, {r.get('judged', '?')})" if "reached" in r else ""
        lines.append(
            f"| {r['spec']} | {r['wall_s']:.1f} | {r.get('cases', '?')}{detail} | {r.get('cases_per_s', '-')} "
            f"| {r.get('failures', '?')} | {r['exit_code']} | {r.get('seed', '-')} |"
        )
    if "total_wall_s" in harness:
        lines.append(
            f"| **all five** | **{harness['total_wall_s']:.1f}** | "
            f"{sum(r.get('cases', 0) for r in harness['runs'])} | | | | |"
        )
    if harness.get("options"):
        lines.append(f"\nOptions added (smoke run): `{' '.join(harness['options'])}`")
    return "\n".join(lines)


def consistency_table(checks: list[dict[str, Any]]) -> str:
    """Per shared-database configuration: passed or the failures."""
    lines = ["| configuration | result | processes that served (CPU s each) |", "|---|---|---|"]
    for c in checks:
        result = "consistent" if c.get("ok") else f"NOT consistent: {c.get('failures') or c.get('error')}"
        lines.append(
            f"| {c['config']} | {result} | {c.get('processes_that_served', '-')} ({c.get('cpu_split_s', '-')}) |"
        )
    return "\n".join(lines)


def profile_section(profile: dict[str, Any]) -> str:
    """Per profiled operation: the named stages' shares and the top functions by own time."""
    parts = []
    for key, data in profile.items():
        if "error" in data:
            parts.append(f"**{key}**: failed: {data['error']}")
            continue
        stages = ", ".join(f"{s} {p}%" for s, p in data["stages_percent"].items())
        own = "; ".join(f"`{f}` {p}%" for f, p in list(data["top_own_percent"].items())[:8])
        packages = ", ".join(f"{k} {v}%" for k, v in data.get("own_by_package_percent", {}).items())
        parts.append(
            f"**{key}** ({data['busy_samples']} samples, files {', '.join(data.get('files', []))}): "
            f"{stages}.\nOwn time by package: {packages}.\nTop own time: {own}."
        )
    return "\n\n".join(parts)


def machine_section(results: dict[str, Any]) -> str:
    """The machine and versions, as the README's results must state them."""
    m = results["machine"]
    packages = ", ".join(f"{k} {v}" for k, v in sorted(m.get("packages", {}).items()))
    code = m.get("code", {})
    return (
        f"**Machine**: `nproc` {m['nproc']}, {m['cpu']}, {m['memory_gib']} GiB memory, kernel {m['kernel']}; "
        f"load average {m['loadavg_at_start']} at the start. **Versions**: Python {m['python']}, {packages}; "
        f"Prism {results.get('prism_version', '-')} (Node {m.get('node', '-')}), {m['wrk']}, PostgreSQL "
        f"{results.get('postgres', {}).get('version', '-')}.\n**Code**: git `{m['git_head']}`, snapshot "
        f"`{code.get('sha256', 'live checkout')}`, {len(code.get('uncommitted_changes', []))} uncommitted "
        f"change(s) in the measured folders."
    )


def markdown(results: dict[str, Any], verdicts: list[Verdict]) -> str:
    """The whole results file."""
    s = results["settings"]
    sections = [
        f"# Benchmark run {results['stamp']}{' (--quick smoke run: not a verdict)' if s.get('quick') else ''}",
        machine_section(results),
        f"**Method**: phases {', '.join(results['phases'])}; {s['rounds']} round(s) of {s['duration']:g} s wrk runs "
        f"after {s['warmup']:g} s warm-up, {s['threads']} threads, {s['connections']} connections, loopback; "
        f"configurations {', '.join(results.get('configs', []))}. Took {results.get('elapsed_s', 0):.0f} s.",
        "## Targets\n\n" + targets_table(verdicts),
    ]
    if results.get("runs") or results.get("deployments"):
        descriptions = results.get("config_descriptions") or {n: CONFIGS[n].describe() for n in CONFIGS}
        described = "; ".join(f"`{n}`: {descriptions[n]}" for n in results.get("configs", []) if n in descriptions)
        sections.append("## Load\n\n" + described + "\n\n" + load_table(results) + "\n\n" + deployments_table(results))
    if results.get("postgres", {}).get("reason"):
        sections.append(f"PostgreSQL rows: not available: {results['postgres']['reason']}")
    if results.get("startups"):
        sections.append("## Start-up\n\n" + startup_table(results["startups"]))
    if results.get("memory"):
        sections.append("## Memory (long run, operations in turn)\n\n" + memory_table(results["memory"]))
    if results.get("harness"):
        sections.append("## Harness\n\n" + harness_table(results["harness"]))
    if results.get("consistency"):
        sections.append("## Consistency across processes\n\n" + consistency_table(results["consistency"]))
    if results.get("profile"):
        sections.append("## Profiles (py-spy)\n\n" + profile_section(results["profile"]))
    if results.get("hotspots"):
        sections.append("## Hot spots (per call)\n\n" + results["hotspots"])
    return "\n\n".join(sections) + "\n"


def record(readme: Path, results: dict[str, Any], verdicts: list[Verdict], files: str) -> None:
    """Rewrite the README's "Latest results" section (between its markers) with this run."""
    text = readme.read_text()
    if _START not in text or _END not in text:
        raise SystemExit(f"{readme} has no {_START} ... {_END} section to rewrite")
    body = markdown(results, verdicts).split("\n", 1)[1].strip()
    body = re.sub(r"^## ", "### ", body, flags=re.M)
    section = f"{_START}\n_Written by `run.py --record` from `{files}`._\n\n{body}\n{_END}"
    readme.write_text(text[: text.index(_START)] + section + text[text.index(_END) + len(_END) :])
