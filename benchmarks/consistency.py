"""The consistency phase: state and tokens agree across the processes that share one database (two workers on a
SQLite file; two replicas on PostgreSQL).

Every request goes on a new connection, 16 at a time, so the kernel spreads them over both workers (replicas are
addressed in turn); the CPU each process used during the check shows that both served.
1. 200 writes of operation (c), each with its own `eventId`; each must be acknowledged with that id.
2. 40 reads of the stored events (admin API): each must list every acknowledged id exactly once.
3. A token minted by each process (Aisera Ingestion's password grant) is used 40 times through all of them.
"""

from __future__ import annotations

import argparse
import http.client
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import yaml
from pgcluster import PgCluster
from procstat import CpuWindow
from servers import Config, Deployment, Ports, ServerFailed, serving
from wrkload import CREDENTIALS, Operation

PARALLEL = 16


def _request(
    port: int, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        raw = response.read()
    finally:
        conn.close()
    try:
        return response.status, json.loads(raw)
    except ValueError:
        return response.status, raw[:200].decode(errors="replace")


def check(deployment: Deployment, ingest: Operation, code: Path | None) -> dict[str, Any]:
    """Run the three checks; every failure is listed (at most 5 of each kind)."""
    ports = [port for port, _ in deployment.endpoints(ingest.spec)]
    failures: list[str] = []
    window = CpuWindow({"server": deployment.roots()})
    window.start()
    with ThreadPoolExecutor(PARALLEL) as pool:
        ids = [f"bench-{uuid.uuid4()}" for _ in range(200)]

        def write(n: int) -> str | None:
            body = json.dumps({"externalAgentId": "agent-1", "eventId": ids[n]})
            status, answer = _request(
                ports[n % len(ports)], "POST", f"/{ingest.spec}{ingest.path}", body, dict(ingest.headers)
            )
            ok = status == 200 and isinstance(answer, dict) and answer.get("result", {}).get("eventId") == ids[n]
            return None if ok else f"write {n}: {status} {str(answer)[:120]}"

        failures += [f for f in pool.map(write, range(len(ids))) if f][:5]
        status, listing = _request(ports[0], "GET", f"/__admin/records/{ingest.spec}")
        collections = [c for c in _names(listing) if c.endswith(".agent")]
        if status != 200 or not collections:
            failures.append(f"no agent collection in /__admin/records/{ingest.spec}: {status} {str(listing)[:200]}")
        else:
            expected = set(ids)

            def read(n: int) -> str | None:
                status, answer = _request(
                    ports[n % len(ports)], "GET", f"/__admin/records/{ingest.spec}/{collections[0]}"
                )
                seen = [r.get("eventId") for r in answer.get("records", [])] if isinstance(answer, dict) else []
                ours = [i for i in seen if i in expected]
                if status != 200 or set(ours) != expected or len(ours) != len(expected):
                    return f"read {n}: {status}, {len(set(ours))} of {len(expected)} ids, {len(ours)} rows"
                return None

            failures += [f for f in pool.map(read, range(40)) if f][:5]
        failures += _tokens(pool, ports, code)
    cpu = window.stop()
    busy = [s for s in cpu["server_cpu_split_s"] if s >= 0.05]
    return {
        "ok": not failures,
        "failures": failures,
        "processes_that_served": len(busy),
        "cpu_split_s": cpu["server_cpu_split_s"],
    }


def _names(listing: Any) -> list[str]:
    """Collection names from `GET /__admin/records/<spec>` (`{"collections": {name: count}}`, or a list)."""
    collections = listing.get("collections") if isinstance(listing, dict) else listing
    if isinstance(collections, dict):
        return [str(name) for name in collections]
    if isinstance(collections, list):
        return [str(c.get("name", c)) if isinstance(c, dict) else str(c) for c in collections]
    return []


def _tokens(pool: ThreadPoolExecutor, ports: list[int], code: Path | None) -> list[str]:
    """Mint a token through each process; use each one through every process."""
    creds = yaml.safe_load(((code or Path(__file__).resolve().parent.parent) / CREDENTIALS).read_text())
    aisera = creds["aisera-ingestion"]
    form = urlencode(
        {
            "grant_type": "password",
            "client_id": aisera["app_token"],
            "username": aisera["username"],
            "password": aisera["password"],
        }
    )
    failures: list[str] = []
    for minted_on in ports:
        status, answer = _request(
            minted_on,
            "POST",
            "/aisera-ingestion/tenant-users/oauth2/token",
            form,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if status != 200 or not token:
            return [f"token request on port {minted_on}: {status} {str(answer)[:160]}"]
        headers = {
            "Authorization": f"Bearer {token}",
            "x-app-token": aisera["app_token"],
            "Content-Type": "application/json",
        }

        def use(n: int, headers: dict[str, str] = headers, minted_on: int = minted_on) -> str | None:
            status, answer = _request(
                ports[n % len(ports)],
                "POST",
                "/aisera-ingestion/alerts",
                json.dumps({"alertId": f"bench-{n}", "title": "consistency check"}),
                headers,
            )
            return None if status == 200 else f"token use {n} (minted on {minted_on}): {status} {str(answer)[:120]}"

        failures += [f for f in pool.map(use, range(40)) if f][:5]
    return failures


def consistency_phase(
    configs: list[Config],
    ingest: Operation,
    args: argparse.Namespace,
    ports: Ports,
    workdir: Path,
    pg: PgCluster | None,
) -> list[dict[str, Any]]:
    """The checks on each shared-database configuration, each on a fresh deployment."""
    results = []
    for config in configs:
        record: dict[str, Any] = {"config": config.name}
        try:
            url = pg.new_database() if config.store == "postgres" and pg is not None else None
            with serving(config, ports, workdir, args.code_dir, url, probe=False) as (deployment, _):
                deployment.wait_settled()
                record.update(check(deployment, ingest, args.code_dir))
        except Exception as exc:  # reported, not raised: a backend in progress must not end the run
            record.update(ok=False, error=f"{type(exc).__name__}: {exc}"[:600])
            if not isinstance(exc, ServerFailed | OSError) and config.store != "postgres":
                raise
        results.append(record)
        problems = record.get("failures") or record.get("error")
        verdict = "consistent" if record.get("ok") else f"NOT consistent: {problems}"
        print(
            f"  consistency {config.name:8} {verdict}  (processes that served: "
            f"{record.get('processes_that_served', '?')}, CPU s {record.get('cpu_split_s', '?')})",
            flush=True,
        )
    return results
