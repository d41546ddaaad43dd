"""The harness against the mock: every contract, default settings, zero failures; in-process and over HTTP.

Budget: the whole file must stay under about 4 minutes on 2 cores. Default settings are used except
`--max-examples`, lowered from 100 to MAX_EXAMPLES for the fuzzing and stateful phases (the examples and coverage
phases enumerate each schema and ignore it). At 100 a full run of the five contracts takes several minutes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from toy_server import free_port

from conformance import Campaign, RunSettings
from conformance.summary import render_summary
from mockserver import Settings, create_app

pytestmark = pytest.mark.slow

SPECS = ("aisera-ingestion", "aisera-conversation", "sysaid-copilot", "asapp-metadata-ingestion", "alvaria-messaging")
MAX_EXAMPLES = 25
SEED = 20240730
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "default"
SECRETS = (
    "ingest-demo-password",
    "alv-client-demo-secret",
    "asapp-demo-app-secret",
    "A1B2C3D4E5F60718293A4B5C6D7E8F90",
)


@pytest.mark.parametrize("spec", SPECS)
def test_every_contract_is_conformant_in_process(spec: str):
    app = create_app(Settings(specs=(spec,), db=None, fixtures=FIXTURES, validate_responses=True))
    result = Campaign(RunSettings(specs=(spec,), max_examples=MAX_EXAMPLES, seed=SEED), app=app).run()
    summary = render_summary(result)
    assert result.findings == [], summary
    assert result.specs[0].errors == [], summary
    assert result.exit_code == 0
    assert result.specs[0].cases > 50
    assert not any(secret in summary for secret in SECRETS)


def _wait_for(port: int, deadline: float) -> None:
    import socket

    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"the mock did not listen on {port}")


def test_cli_against_the_mock_served_by_uvicorn(tmp_path: Path):
    port = free_port()
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    mock = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        _wait_for(port, time.monotonic() + 30)
        report = tmp_path / "report.json"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "conformance",
                "run",
                "--spec",
                "all",
                "--base-url",
                f"http://127.0.0.1:{port}/{{spec}}",
                "--phases",
                "examples,coverage",
                "--seed",
                str(SEED),
                "--json",
                str(report),
                "--progress",
                "off",
            ],
            capture_output=True,
            text=True,
            timeout=180,
            env=env,
            check=False,
        )
    finally:
        mock.terminate()
        mock.wait(timeout=10)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    data = json.loads(report.read_text())
    assert sorted(spec["spec"] for spec in data["specs"]) == sorted(SPECS)
    assert all(spec["findings"] == [] and spec["cases"] > 0 for spec in data["specs"])
    assert not any(secret in done.stdout or secret in report.read_text() for secret in SECRETS)
