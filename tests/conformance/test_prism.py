"""Proof on a foreign implementation: the harness against Prism (`@stoplight/prism-cli`) mocking a contract.

Prism serves each operation's examples: it keeps no state and checks only that credentials are present, never
their values. Every finding the harness reports against it must be one of the classes such a mock is expected to
produce (`EXPECTED`, documented in docs/conformance.md); anything else is a harness false positive.

Prism is looked up in `$PRISM`, then `.tools/prism` (where `.ci/run` installs it), then on PATH; without it, or
without node, the tests are skipped with the reason. SysAid's `uploadDocument` is left out: its documented request
(a file part without a Content-Type of its own) crashes the Prism process (stack notes).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from toy_server import free_port

from conformance import Campaign, Finding, Phase, RunSettings
from conformance.summary import render_summary
from contracts import registration

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PHASES = (Phase.EXAMPLES, Phase.COVERAGE, Phase.FUZZING)


def _prism() -> str | None:
    candidates = [os.environ.get("PRISM"), str(ROOT / ".tools" / "prism" / "node_modules" / ".bin" / "prism")]
    candidates.append(shutil.which("prism"))
    return next((c for c in candidates if c and Path(c).is_file() and os.access(c, os.X_OK)), None)


PRISM = _prism()
if shutil.which("node") is None or PRISM is None:
    pytestmark = [  # type: ignore[assignment]  # a list of marks replaces the single one
        pytest.mark.slow,
        pytest.mark.skip(reason="Prism is not installed (npm install --prefix .tools/prism @stoplight/prism-cli)"),
    ]


def _prism_error(finding: Finding) -> bool:
    """Prism answered with its own error body (RFC 9457 problem details, or its JSON parser's), not the vendor's."""
    body = (finding.exchange.response_body or "") if finding.exchange else finding.received
    return "stoplight.io/prism" in body or '"code":"invalid_json"' in body.replace(" ", "")


@dataclass(frozen=True)
class Expected:
    """A class of findings a stateless, credential-blind mock produces, and how to recognise it."""

    name: str
    checks: frozenset[str]
    condition: Callable[[Finding], bool] = lambda finding: True

    def covers(self, finding: Finding) -> bool:
        return finding.check in self.checks and self.condition(finding)


EXPECTED = (
    Expected(
        "credential-blind: any credential value, any identity, any role is served",
        frozenset({"auth_enforcement", "admin_role_enforcement", "identity_isolation", "role_dependent_fields"}),
    ),
    Expected(
        "stateless: the same example whatever was sent, stored or deleted",
        frozenset(
            {
                "paging_honoured",
                "ordering_honoured",
                "batch_status",
                "long_operation_completes",
                "use_after_free",
                "ensure_resource_availability",
            }
        ),
    ),
    Expected(
        "Prism's own error bodies (problem+json, its JSON parser's), not the vendor envelope",
        frozenset(
            {
                "response_schema_conformance",
                "content_type_conformance",
                "status_code_conformance",
                "unsupported_method",
                "not_a_server_error",
                "asapp_batch_error_count",
            }
        ),
        _prism_error,
    ),
    Expected(
        "Prism's request validation is not the vendor's (formats and patterns it does not enforce)",
        frozenset({"negative_data_rejection", "positive_data_acceptance"}),
    ),
    Expected(
        "Prism serves a text/event-stream example without its final line break: the last event is never dispatched",
        frozenset({"stream_framing"}),
        lambda finding: finding.received == "a stream ending mid-event",
    ),
)


@pytest.fixture
def prism() -> Iterator[Callable[[str], str]]:
    """Start Prism on a contract (on a free port) and return its base URL; every process started is stopped."""
    started: list[subprocess.Popen[bytes]] = []

    def serve(spec: str) -> str:
        assert PRISM is not None
        port = free_port()
        command = [
            PRISM,
            "mock",
            str(registration(spec).contract_file),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-v",
            "warn",
        ]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started.append(process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    return f"http://127.0.0.1:{port}"
            if process.poll() is not None:
                raise RuntimeError(f"Prism exited with {process.returncode}")
            time.sleep(0.2)
        raise TimeoutError(f"Prism did not listen on {port}")

    try:
        yield serve
    finally:
        for process in started:
            process.terminate()
            process.wait(timeout=15)


@pytest.mark.parametrize(
    ("spec", "excluded"), [("asapp-metadata-ingestion", ()), ("sysaid-copilot", ("uploadDocument",))]
)
def test_every_finding_against_prism_is_an_expected_class(
    spec: str, excluded: tuple[str, ...], prism: Callable[[str], str]
) -> None:
    base_url = prism(spec)
    settings = RunSettings(
        specs=(spec,), base_url=base_url, phases=PHASES, max_examples=10, seed=1, exclude_operations=excluded
    )
    result = Campaign(settings).run()
    spec_result = result.specs[0]
    summary = render_summary(result)
    unexpected = [f for f in result.findings if not any(expected.covers(f) for expected in EXPECTED)]
    assert unexpected == [], "harness false positives:\n\n" + "\n\n".join(f.render() for f in unexpected)
    assert spec_result.errors == [], summary
    assert spec_result.untested is None, summary
    assert spec_result.counts.judged > 50
    assert result.exit_code == 1, "a credential-blind mock is not conformant"
    classes = {expected.name for expected in EXPECTED for f in result.findings if expected.covers(f)}
    assert EXPECTED[0].name in classes, "the credential checks must see through a credential-blind mock"
    assert not {"sysaid_status_envelope", "aisera_error_code", "alvaria_error_code"} & {
        check for finding in result.findings for check in finding.checks
    }, "vendor envelope checks never judge Prism's problem+json bodies"
