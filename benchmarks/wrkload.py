"""The load: the two requests measured, wrk runs with a Lua script per request, and one measured run with the
machine's state recorded around it."""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from mockprocess import ROOT, Server
from procstat import CpuWindow, loadavg, wait_for_quiet

CREDENTIALS = ROOT / "fixtures" / "default" / "credentials.yaml"


@dataclass(frozen=True)
class Scenario:
    """One request repeated by every wrk connection."""

    name: str
    method: str
    path: str
    headers: dict[str, str]
    body: str | None = None

    def lua(self) -> str:
        """A wrk script sending this request and printing the summary as one JSON line."""
        lines = [f"wrk.method = {json.dumps(self.method)}"]
        lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in self.headers.items()]
        if self.body is not None:
            lines.append(f"wrk.body = {json.dumps(self.body)}")
        lines.append(_LUA_DONE)
        return "\n".join(lines) + "\n"


_LUA_DONE = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH_JSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""


def scenarios(code: Path | None = None) -> dict[str, Scenario]:
    """The two requests of the brief, with the credentials of the default fixtures (of the measured code)."""
    creds = yaml.safe_load(((code or ROOT) / CREDENTIALS.relative_to(ROOT)).read_text())
    sysaid, asapp = creds["sysaid-copilot"], creds["asapp-metadata-ingestion"]
    cookie = f"JSESSIONID={sysaid['admin']['jsessionid']}; SERVERID={sysaid['admin']['serverid']}"
    return {
        "get": Scenario(
            "get",
            "GET",
            "/sysaid-copilot/api/chat",
            {"x-sysaid-hostname": sysaid["hostname"], "Cookie": cookie},
        ),
        "post": Scenario(
            "post",
            "POST",
            "/asapp-metadata-ingestion/metadata-ingestion/v1/single-agent-metadata",
            {
                "asapp-api-id": asapp["api_id"],
                "asapp-api-secret": asapp["api_secret"],
                "Content-Type": "application/json",
            },
            '{"externalAgentId": "agent-1"}',
        ),
    }


def preflight(port: int, scenario: Scenario) -> None:
    """Send the scenario's request once and insist on a 200 with the expected body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(scenario.method, scenario.path, body=scenario.body, headers=scenario.headers)
        response = conn.getresponse()
        body = json.loads(response.read())
    finally:
        conn.close()
    expected = body.get("status") == "ok" if scenario.name == "get" else bool(body.get("result", {}).get("eventId"))
    if response.status != 200 or not expected:
        raise SystemExit(f"{scenario.name} preflight failed: {response.status} {body}")


def wrk(port: int, scenario: Scenario, args: argparse.Namespace, seconds: float, workdir: Path) -> dict[str, Any]:
    """One wrk run; the summary parsed from the script's JSON line."""
    script = workdir / f"{scenario.name}.lua"
    script.write_text(scenario.lua())
    command = [
        "wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s", "--timeout", "10s",
        "-s", str(script), f"http://127.0.0.1:{port}{scenario.path}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({done.returncode}): {done.stdout}\n{done.stderr}")
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    errors = sum(raw[k] for k in ("connect", "read", "write", "timeout"))
    return {
        "requests": raw["requests"],
        "rps": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "non_2xx": raw["status"],
        "socket_errors": errors,
    }


def measure(server: Server, scenario: Scenario, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Warm up, then a measured wrk run with the machine's state around it; a run during which other processes
    used more than `--quiet-cores` is repeated (at most `--retries` times) and the quietest attempt kept."""
    if args.warmup > 0:
        wrk(server.port, scenario, args, args.warmup, workdir)
    attempts: list[dict[str, Any]] = []
    for _ in range(args.retries + 1):
        before_quiet = wait_for_quiet(args.quiet_cores, args.max_wait)
        window = CpuWindow(server.process.pid)
        load_before = loadavg()
        window.start()
        result = wrk(server.port, scenario, args, args.duration, workdir)
        cpu = window.stop()
        result.update(
            loadavg_1m=load_before,
            others_cores_before=round(before_quiet, 2),
            others_cores_during=cpu["others_cores"],
            others_top=cpu["others_top"],
            server_cpu_ms_per_req=round(1000 * cpu["server_cpu_s"] / max(result["requests"], 1), 3),
            server_cpu_split_s=cpu["server_cpu_split_s"],
        )
        attempts.append(result)
        if result["others_cores_during"] <= args.quiet_cores:
            break
    result = min(attempts, key=lambda attempt: float(attempt["others_cores_during"]))
    result["attempts"] = len(attempts)
    if result["non_2xx"] or result["socket_errors"]:
        result["invalid"] = f"{result['non_2xx']} non-2xx, {result['socket_errors']} socket errors"
    return result
