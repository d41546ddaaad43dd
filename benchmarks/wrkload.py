"""The load: the three operations of the performance issue, the wrk runs that repeat them, and the checks that
make a run valid.

Each wrk run uses one Lua script per request (method, headers, body) whose `done()` prints the summary and a table
of latency quantiles as one JSON line. A deployment with two replicas gets one wrk per replica, each with half the
threads and connections, started together; their results are merged (requests added, latency quantiles mixed in
proportion to each one's requests).
"""

from __future__ import annotations

import bisect
import http.client
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from servers import ROOT, Deployment

CREDENTIALS = Path("fixtures") / "default" / "credentials.yaml"
QUANTILES = (
    [q / 10 for q in range(10, 1000, 10)] + [99 + q / 10 for q in range(1, 10)] + [99.9 + q / 100 for q in range(1, 10)]
)
"""Latency percentiles each wrk run reports (fine near the tail, for merging two runs' p99)."""


@dataclass(frozen=True)
class Operation:
    """One request repeated by every wrk connection, relative to its contract's base URL."""

    name: str
    label: str
    spec: str
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: str | None = None

    def lua(self, prefix: str) -> str:
        """A wrk script sending this request under `prefix` and printing the summary as one JSON line."""
        lines = [f"wrk.method = {json.dumps(self.method)}", f"wrk.path = {json.dumps(prefix + self.path)}"]
        lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in self.headers]
        if self.body is not None:
            lines.append(f"wrk.body = {json.dumps(self.body)}")
        return "\n".join(lines) + "\n" + _LUA_DONE

    def expected(self, status: int, body: Any, kind: str) -> bool:
        """Whether one answer is the success this operation must get (Prism: any 2xx; the mock: 200 with the
        stored state the fixtures imply)."""
        if not 200 <= status < 300:
            return False
        if kind == "prism":
            return True
        if self.name == "health":
            return status == 200 and isinstance(body, dict) and body.get("status") == "ok"
        if self.name == "chat":
            return status == 200 and isinstance(body, dict) and len(body.get("chats") or []) >= 1
        return status == 200 and bool((body.get("result") or {}).get("eventId")) if isinstance(body, dict) else False


_LUA_DONE = r"""
local quantiles = {QUANTILES}
done = function(summary, latency, requests)
  local e = summary.errors
  local q = {}
  for i, p in ipairs(quantiles) do q[i] = string.format("[%g,%d]", p, latency:percentile(p)) end
  io.write(string.format('BENCH_JSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,"quantiles":[%s]}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max, latency.mean, table.concat(q, ",")))
end
""".replace("QUANTILES", ",".join(f"{q:g}" for q in QUANTILES))

_LUA_MIXED = r"""
-- Every connection cycles through the operations.
local requests, index = {}, 0
init = function(args)
REQUESTS
end
request = function()
  index = index % #requests + 1
  return requests[index]
end
"""


def operations(code: Path | None = None) -> dict[str, Operation]:
    """The three operations of the brief, with the credentials of the default fixtures (of the measured code)."""
    creds = yaml.safe_load(((code or ROOT) / CREDENTIALS).read_text())
    sysaid, asapp = creds["sysaid-copilot"], creds["asapp-metadata-ingestion"]
    cookie = f"JSESSIONID={sysaid['admin']['jsessionid']}; SERVERID={sysaid['admin']['serverid']}"
    return {
        "health": Operation(
            "health", "(a) public GET /sysaid-copilot/api/health", "sysaid-copilot", "GET", "/api/health", ()
        ),
        "chat": Operation(
            "chat",
            "(b) authenticated read GET /sysaid-copilot/api/chat (admin)",
            "sysaid-copilot",
            "GET",
            "/api/chat",
            (("x-sysaid-hostname", sysaid["hostname"]), ("Cookie", cookie)),
        ),
        "ingest": Operation(
            "ingest",
            "(c) validated stateful write POST /asapp-metadata-ingestion/.../single-agent-metadata",
            "asapp-metadata-ingestion",
            "POST",
            "/metadata-ingestion/v1/single-agent-metadata",
            (
                ("asapp-api-id", asapp["api_id"]),
                ("asapp-api-secret", asapp["api_secret"]),
                ("Content-Type", "application/json"),
            ),
            '{"externalAgentId": "agent-1"}',
        ),
    }


def send_once(port: int, prefix: str, operation: Operation, timeout: float = 10) -> tuple[int, Any]:
    """The operation's request, sent once: status and parsed body (None when not JSON)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(operation.method, prefix + operation.path, body=operation.body, headers=dict(operation.headers))
        response = conn.getresponse()
        raw = response.read()
    finally:
        conn.close()
    try:
        return response.status, json.loads(raw)
    except ValueError:
        return response.status, None


def preflight(deployment: Deployment, operation: Operation) -> int:
    """Send the operation once to every process serving it and insist on the expected success; return how many
    requests were sent (a write is stored once per request)."""
    sent = 0
    for port, prefix in deployment.endpoints(operation.spec):
        status, body = send_once(port, prefix, operation)
        sent += 1
        if not operation.expected(status, body, deployment.config.kind):
            raise PreflightFailed(f"{deployment.config.name} {operation.name} on port {port}: {status} {body}")
    return sent


class PreflightFailed(RuntimeError):
    """An operation did not get its expected answer before a run (the run would measure an error path)."""


def _wrk_command(port: int, path: str, threads: int, connections: int, seconds: float, script: Path) -> list[str]:
    return [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}{path}",
    ]


def _parse(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise WrkFailed(f"wrk failed ({done.returncode}): {done.stdout[-1500:]}\n{done.stderr[-1500:]}")
    return dict(json.loads(line.removeprefix("BENCH_JSON ")))


class WrkFailed(RuntimeError):
    """wrk itself failed (not the server)."""


def wrk(
    deployment: Deployment, operation: Operation, threads: int, connections: int, seconds: float, workdir: Path
) -> dict[str, Any]:
    """One wrk run (one per replica, together); the merged summary."""
    endpoints = deployment.endpoints(operation.spec)
    share = len(endpoints)
    running = []
    for port, prefix in endpoints:
        script = workdir / f"{operation.name}-{port}.lua"
        script.write_text(operation.lua(prefix))
        command = _wrk_command(
            port, prefix + operation.path, max(1, threads // share), max(1, connections // share), seconds, script
        )
        running.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    raws = []
    try:
        for process in running:
            out, err = process.communicate(timeout=seconds + 60)
            raws.append(_parse(subprocess.CompletedProcess(process.args, process.returncode, out, err)))
    finally:  # Ctrl-C or a failed run: no wrk outlives the benchmark
        for process in running:
            if process.poll() is None:
                process.kill()
                process.wait()
    return merge(raws)


def merge(raws: list[dict[str, Any]]) -> dict[str, Any]:
    """One result from the JSON lines of wrk runs made together (latency quantiles mixed by request counts)."""
    requests = sum(r["requests"] for r in raws)
    seconds = max(r["duration_us"] for r in raws) / 1e6
    if len(raws) == 1:
        p50, p99 = raws[0]["p50_us"] / 1000, raws[0]["p99_us"] / 1000
    else:
        p50, p99 = (_mixed_quantile(raws, q) / 1000 for q in (50, 99))
    return {
        "requests": requests,
        "rps": round(requests / seconds, 1) if seconds else 0.0,
        "p50_ms": round(p50, 2),
        "p99_ms": round(p99, 2),
        "max_ms": round(max(r["max_us"] for r in raws) / 1000, 1),
        "non_2xx": sum(r["status"] for r in raws),
        "socket_errors": sum(r[k] for r in raws for k in ("connect", "read", "write", "timeout")),
        "wrk_processes": len(raws),
    }


def _mixed_quantile(raws: list[dict[str, Any]], q: float) -> float:
    """The q-th percentile of the mixture of several runs' latency distributions (from their quantile tables)."""

    def cdf(raw: dict[str, Any], x: float) -> float:
        table = raw["quantiles"]
        values = [v for _, v in table]
        i = bisect.bisect_right(values, x)
        return 100.0 if i >= len(table) else (table[i - 1][0] if i else 0.0)

    total = sum(r["requests"] for r in raws) or 1
    candidates = sorted({v for r in raws for _, v in r["quantiles"]})
    for x in candidates:
        if sum(r["requests"] * cdf(r, x) for r in raws) / total >= q:
            return float(x)
    return float(candidates[-1]) if candidates else 0.0


def wrk_mixed(
    deployment: Deployment, chosen: list[Operation], seconds: float, threads: int, connections: int, workdir: Path
) -> dict[str, Any]:
    """`seconds` of requests cycling through `chosen` on every connection (one wrk; the memory run)."""
    port, _ = deployment.endpoints(chosen[0].spec)[0]
    built = []
    for op in chosen:
        prefix = deployment.endpoints(op.spec)[0][1]
        headers = "{" + ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in op.headers) + "}"
        body = json.dumps(op.body) if op.body is not None else "nil"
        built.append(
            f"  requests[#requests + 1] = wrk.format({json.dumps(op.method)}, "
            f"{json.dumps(prefix + op.path)}, {headers}, {body})"
        )
    script = workdir / "mixed.lua"
    script.write_text(_LUA_MIXED.replace("REQUESTS", "\n".join(built)) + _LUA_DONE)
    done = subprocess.run(
        _wrk_command(port, "/", threads, connections, seconds, script),
        capture_output=True,
        text=True,
        check=False,
        timeout=seconds + 60,
    )
    return merge([_parse(done)])
