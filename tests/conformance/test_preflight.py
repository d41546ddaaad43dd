"""A verdict that means something: the preflight, refused credentials, broken token endpoints, and a run that
tested nothing, each reproducing a case of the harness-trust issue ("Why" 1-4) with the verdict it now gets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from mock_mutants import Answer, rewrite, rewrite_json
from toy_api import API_KEY, make_app
from toy_server import serve, serving

from conformance import Campaign, Phase, RunSettings
from conformance.cli import main
from conformance.summary import render_summary
from mockserver import Settings, create_app

FAST = (Phase.EXAMPLES, Phase.COVERAGE)
DOWN = ("--base-url", "http://127.0.0.1:9/aisera-conversation")
CREDENTIALS = Path(__file__).resolve().parents[2] / "fixtures" / "default" / "credentials.yaml"


def cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["run", "--progress", "off", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def cli_against_mock(spec: str, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """`contract-test run` against the mock serving `spec` on a free port."""
    with serve(create_app(Settings(specs=(spec,)))) as origin:
        return cli("--spec", spec, "--base-url", f"{origin}/{spec}", *args, env=env)


def test_target_down_exits_2_with_one_line():
    """Why 4: the CLI used to print 1,458 "Network Error" lines and end "VIOLATIONS FOUND (0 failure(s))"."""
    done = subprocess.run(
        [sys.executable, "-m", "conformance", "run", "--spec", "aisera-conversation", "--progress", "off", *DOWN],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "Error: cannot connect to http://127.0.0.1:9/aisera-conversation: connection refused; "
        "check --base-url and that the server is running"
    ]


def test_wrong_asapp_secret_exits_2_naming_the_variable_not_the_secret():
    """Why 2: a wrong ASAPP secret used to end "Result: CONFORMANT; exit code 0"."""
    secret = {"CONTRACT_ASAPP_METADATA_INGESTION_API_SECRET": "not-the-secret-4711"}
    code, out, err = cli_against_mock("asapp-metadata-ingestion", env=secret)
    assert code == 2
    [line] = err.strip().splitlines()
    assert "got 401: check the credentials for asapp-metadata-ingestion" in line
    assert "api_secret from $CONTRACT_ASAPP_METADATA_INGESTION_API_SECRET" in line
    assert "api_id from" in line and "credentials.yaml" in line
    assert "not-the-secret-4711" not in out + err


@pytest.mark.parametrize("identity", ["admin", "user"])
def test_wrong_sysaid_session_exits_2_naming_the_identity_and_file(identity: str, tmp_path: Path):
    """Why 2: a wrong SysAid JSESSIONID used to end "Result: CONFORMANT; exit code 0"."""
    credentials = yaml.safe_load(CREDENTIALS.read_text())
    credentials["sysaid-copilot"][identity]["jsessionid"] = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
    file = tmp_path / "mine.yaml"
    file.write_text(yaml.safe_dump(credentials))
    code, out, err = cli_against_mock("sysaid-copilot", "--credentials", str(file))
    assert code == 2
    [line] = err.strip().splitlines()
    # The first candidate, `GET /api/chat`, documents its refusal of a caller not logged in (`x-refusals`).
    refused = "got 200 (the documented notLoggedIn refusal)"
    assert f"as {identity} {refused}: check the credentials for sysaid-copilot as {identity}" in line
    assert f"{identity}.jsessionid" in line and str(file) in line
    assert "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF" not in out + err


def test_refused_token_credentials_exit_2():
    secret = {"CONTRACT_ALVARIA_MESSAGING_CLIENT_SECRET": "wrong-client-secret"}
    code, _, err = cli_against_mock("alvaria-messaging", env=secret)
    assert code == 2
    assert "the token endpoint POST /tokenservice/oauth2/access_token refused the credentials with 401" in err
    assert "client_secret from $CONTRACT_ALVARIA_MESSAGING_CLIENT_SECRET" in err


def _mock(spec: str, wrapper: Any = None) -> Any:
    app = create_app(Settings(specs=(spec,), validate_responses=False))
    return wrapper(app) if wrapper is not None else app


def _token_operation(scope: dict[str, Any]) -> bool:
    return scope["path"].endswith(("/tenant-users/oauth2/token", "/tokenservice/oauth2/access_token"))


def test_token_answer_without_access_token_is_a_violation_and_the_rest_is_tested():
    """Why 3: a 200 without `access_token` used to kill the harness with `KeyError: 'access_token'`."""
    broken = _mock(
        "aisera-ingestion",
        rewrite_json(_token_operation, lambda status, _: status == 200, lambda body: body.pop("access_token")),
    )
    settings = RunSettings(specs=("aisera-ingestion",), phases=FAST, seed=3, max_examples=5)
    result = Campaign(settings, app=broken).run()
    spec = result.specs[0]
    token = [finding for finding in spec.findings if finding.check == "token_endpoint"]
    assert result.exit_code == 1, render_summary(result)
    assert len(token) == 1
    [finding] = token
    assert finding.operation == "POST /tenant-users/oauth2/token"
    assert finding.received.startswith("HTTP 200 application/json")
    assert "access_token" in finding.documented
    assert finding.curl[0].startswith("curl -X POST") and "ingest-demo-password" not in finding.curl[0]
    assert any(note.startswith("not tested: 8 operation(s) need the token") for note in spec.notes)
    assert set(spec.checks_run) == {"POST /tenant-users/oauth2/token"}, "what needs no token is still tested"
    assert spec.counts.answered > 0


def test_undocumented_token_status_is_a_violation_not_a_credentials_error():
    """Why 3: an undocumented status from the token endpoint used to exit 2 with "Check the credentials"."""

    def unavailable(answer: Answer) -> None:
        answer.status = 503
        answer.body = b'{"error": "temporarily_unavailable"}'
        answer.headers["content-type"] = "application/json"

    settings = RunSettings(specs=("alvaria-messaging",), phases=FAST, seed=3, max_examples=5)
    result = Campaign(settings, app=_mock("alvaria-messaging", rewrite(_token_operation, unavailable))).run()
    [finding] = [finding for finding in result.findings if finding.check == "token_endpoint"]
    assert result.exit_code == 1
    assert finding.received.startswith("HTTP 503")
    assert "documented statuses 200, 400, 401, 413, 500" in finding.documented
    assert "Check the credentials" not in render_summary(result)


def test_every_authenticated_request_refused_is_not_tested(toy_contract: Path):
    """The preflight's request succeeded, every case after it was refused: never conformant."""
    seen: list[int] = []

    async def first_request_only(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            seen.append(1)
            if len(seen) > 1:
                scope = {**scope, "headers": [h for h in scope["headers"] if h[0] != b"x-toy-key"]}
        await make_app()(scope, receive, send)

    settings = RunSettings(specs=("toy",), credentials_file=toy_contract, phases=FAST, seed=2)
    result = Campaign(settings, app=first_request_only).run()
    spec = result.specs[0]
    assert result.exit_code == 2
    assert spec.untested is not None
    assert spec.untested.startswith("every authenticated request was refused with 401, 403")
    assert "api_key from" in spec.untested and API_KEY not in render_summary(result)
    assert render_summary(result).splitlines()[-1].startswith("Result: NOT TESTED (toy: every authenticated")


def test_every_response_404_says_the_base_url_lacks_the_path(toy_contract: Path):
    with serve(make_app()) as origin:
        settings = RunSettings(specs=("toy",), base_url=origin, credentials_file=toy_contract, phases=FAST, seed=2)
        result = Campaign(settings).run()
    spec = result.specs[0]
    assert result.exit_code == 2
    assert spec.untested == (
        f"every response was 404 ({spec.counts.answered} of {spec.counts.answered}): the base URL probably lacks "
        f"the API's path (for the mock: {origin}/toy)"
    )


def test_transport_errors_during_the_run_are_folded_with_a_count(toy_contract: Path):
    """The target went away after the preflight: one error line with a count, and never conformant."""

    class StopServer:
        def __init__(self, stop: Any) -> None:
            self.stop = stop

        def start(self, spec: str, operations: int, phases: int, budget: float | None) -> None:
            self.stop()

        def event(self, event: object) -> None:
            pass

        def finish(self) -> None:
            pass

    with serving(make_app()) as (origin, stop):
        settings = RunSettings(
            specs=("toy",), base_url=f"{origin}/toy", credentials_file=toy_contract, phases=FAST, seed=2
        )
        result = Campaign(settings, progress=StopServer(stop)).run()
    spec = result.specs[0]
    summary = render_summary(result)
    [group] = spec.errors
    assert group.count > 5
    assert group.message == "connection refused"
    assert summary.count("!! error:") == 1
    assert f"!! error: {group.count} x transport: connection refused (on " in summary
    assert result.exit_code == 2
    assert spec.untested is not None and spec.untested.startswith(f"no request reached {origin}/toy")
