"""The validating proxy: traffic passes through unchanged; violations in either direction are reported."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
import yaml
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from contracts import FIXTURES_DIR
from mockserver import Settings, create_app
from mockserver.proxy import create_proxy

ASAPP = "asapp-metadata-ingestion"
CREDENTIALS = yaml.safe_load((FIXTURES_DIR / "credentials.yaml").read_text())[ASAPP]
HEADERS = {"asapp-api-id": CREDENTIALS["api_id"], "asapp-api-secret": CREDENTIALS["api_secret"]}
AGENT = "/metadata-ingestion/v1/single-agent-metadata"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def serve() -> Iterator[Any]:
    """Run ASGI apps under uvicorn in threads; returns their base URLs."""
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(app: Any, **options: Any) -> str:
        port = _free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", loop="asyncio", **options)
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        servers.append((server, thread))
        return f"http://127.0.0.1:{port}"

    def stop_all() -> None:
        for server, thread in servers:
            server.should_exit = True
            thread.join(timeout=5)
        servers.clear()

    start.stop_all = stop_all  # type: ignore[attr-defined]
    yield start
    stop_all()


def _violations(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_proxy_passes_traffic_unchanged_and_flags_a_request_without_credentials(serve: Any, tmp_path: Path) -> None:
    upstream = serve(create_app(Settings(specs=(ASAPP,))))
    log = tmp_path / "violations.jsonl"
    app, watcher = create_proxy(Settings(proxy_spec=ASAPP, upstream=f"{upstream}/{ASAPP}", violations_file=log))
    proxy = serve(app)
    with httpx.Client(base_url=proxy) as client:
        ok = client.post(AGENT, json={"externalAgentId": "agent-7", "eventId": "ev-7"}, headers=HEADERS)
        assert ok.status_code == 200
        assert ok.json()["result"]["eventId"] == "ev-7"
        refused = client.post(AGENT, json={"externalAgentId": "agent-7"})
        assert refused.status_code == 401
        batch = client.post(
            "/metadata-ingestion/v1/many-agent-metadata", json={"items": [{"externalAgentId": "a"}]}, headers=HEADERS
        )
        assert batch.json()["errorCount"] == 0
    found = _violations(log)
    assert [(v["direction"], v["status"]) for v in found] == [("request", None)], found
    assert "security" in found[0]["reason"].lower() or "SecurityNotFound" in found[0]["where"]
    assert "1 violation(s)" in watcher.summary()


def test_proxy_in_front_of_the_mock_reports_nothing_for_conforming_traffic(serve: Any, tmp_path: Path) -> None:
    upstream = serve(create_app(Settings(specs=(ASAPP,))))
    log = tmp_path / "violations.jsonl"
    app, watcher = create_proxy(Settings(proxy_spec=ASAPP, upstream=f"{upstream}/{ASAPP}", violations_file=log))
    proxy = serve(app)
    with httpx.Client(base_url=proxy) as client:
        for index in range(5):
            client.post(AGENT, json={"externalAgentId": f"agent-{index}"}, headers=HEADERS).raise_for_status()
        convo = client.post(
            "/metadata-ingestion/v1/single-convo-metadata", json={"externalConversationId": "c1"}, headers=HEADERS
        )
        assert convo.status_code == 200
    assert _violations(log) == []
    assert "no violations" in watcher.summary()


def _broken_upstream() -> Starlette:
    async def single(request: Request) -> Response:
        body = await request.json()
        if body.get("externalAgentId") == "wrong-type":
            return JSONResponse({"result": {"eventId": 42}})
        if body.get("externalAgentId") == "undocumented-status":
            return JSONResponse({"result": {"eventId": "x"}}, status_code=418)
        return JSONResponse({"unexpected": True})

    return Starlette(routes=[Route(AGENT, single, methods=["POST"])])


def test_proxy_reports_each_violation_of_a_broken_upstream(serve: Any, tmp_path: Path) -> None:
    upstream = serve(_broken_upstream())
    log = tmp_path / "violations.jsonl"
    app, watcher = create_proxy(Settings(proxy_spec=ASAPP, upstream=upstream, violations_file=log))
    proxy = serve(app)
    with httpx.Client(base_url=proxy) as client:
        missing = client.post(AGENT, json={"externalAgentId": "missing-result"}, headers=HEADERS)
        assert missing.json() == {"unexpected": True}  # forwarded unchanged
        client.post(AGENT, json={"externalAgentId": "wrong-type"}, headers=HEADERS)
        teapot = client.post(AGENT, json={"externalAgentId": "undocumented-status"}, headers=HEADERS)
        assert teapot.status_code == 418
        client.post(AGENT, json={"externalAgentId": "bad id!"}, headers=HEADERS)
        recorded = client.get("/__proxy/violations").json()
    found = _violations(log)
    assert recorded["count"] == len(found)
    by_reason = {(v["direction"], v["where"]): v for v in found}
    assert ("response", "body") in by_reason and "'result' is a required property" in by_reason[("response", "body")][
        "reason"
    ]
    assert by_reason[("response", "body/result/eventId")]["reason"] == "42 is not of type 'string'"
    assert any(v["status"] == 418 and v["direction"] == "response" for v in found)
    assert any(v["direction"] == "request" and v["where"] == "body/externalAgentId" for v in found)
    assert all(v["operation"] == "singleAgentMetadata" for v in found)
    assert CREDENTIALS["api_secret"] not in log.read_text()
    assert "singleAgentMetadata" in watcher.summary()


def test_proxy_forwards_date_and_server_headers_once_and_records_har_without_credentials(
    serve: Any, tmp_path: Path
) -> None:
    async def single(request: Request) -> Response:
        headers = {"date": "Mon, 01 Jan 2024 00:00:00 GMT", "server": "vendor-gateway"}
        return JSONResponse({"result": {"eventId": "e1", "error": ""}}, headers=headers)

    upstream = serve(Starlette(routes=[Route(AGENT, single, methods=["POST"])]), server_header=False, date_header=False)
    har = tmp_path / "traffic.har"
    stopped: list[str] = []
    app, _ = create_proxy(
        Settings(proxy_spec=ASAPP, upstream=upstream, violations_file=None, record=har), on_stop=stopped.append
    )
    proxy = serve(app, server_header=False, date_header=False)
    with httpx.Client(base_url=proxy) as client:
        answer = client.post(AGENT, json={"externalAgentId": "a1"}, headers=HEADERS)
    assert answer.headers.get_list("date") == ["Mon, 01 Jan 2024 00:00:00 GMT"]
    assert answer.headers.get_list("server") == ["vendor-gateway"]
    serve.stop_all()
    assert stopped and "1 exchange(s) recorded" in stopped[0]
    recorded = json.loads(har.read_text())["log"]["entries"]
    assert [entry["request"]["method"] for entry in recorded] == ["POST"]
    headers = {h["name"].lower(): h["value"] for h in recorded[0]["request"]["headers"]}
    assert headers["asapp-api-secret"] == "[MASKED]" and headers["asapp-api-id"] == "[MASKED]"
    assert json.loads(recorded[0]["response"]["content"]["text"]) == {"result": {"eventId": "e1", "error": ""}}
    assert CREDENTIALS["api_secret"] not in har.read_text()


def test_the_proxy_prints_its_summary_when_stopped_by_sigterm(serve: Any, tmp_path: Path) -> None:
    """`contract-mock proxy` as a process: SIGTERM (what a container runtime or CI sends) ends it with the summary."""
    import os
    import signal
    import subprocess
    import sys

    upstream = serve(create_app(Settings(specs=(ASAPP,))))
    port = _free_port()
    command = [sys.executable, "-m", "mockserver", "proxy", "--spec", ASAPP, "--upstream", f"{upstream}/{ASAPP}",
               "--port", str(port), "--violations-file", str(tmp_path / "violations.jsonl")]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"}
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.post(f"{base}{AGENT}", json={"externalAgentId": "sig-1"}, headers=HEADERS, timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        assert answer.status_code == 200
        assert httpx.post(f"{base}{AGENT}", json={}, headers={}, timeout=2).status_code == 401
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    text = output.decode(errors="replace")
    assert f"contract-mock proxy: 1 violation(s) of {ASAPP}" in text, text
    assert CREDENTIALS["api_secret"] not in text
