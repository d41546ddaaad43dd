"""The pytest plugin: one item per operation, in-process or over the network, errors fail items, ini options,
node ids naming the contract, and the `contract_mock` fixture for a consumer's own tests.

Outcome tests run the examples and coverage phases: they are deterministic, and several campaigns in one process
can trip a Schemathesis 4.32.5 fuzzing bug (an engine error, "unhashable type: 'GeneratedValue'"), which the
plugin reports, as it must, by failing the items.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from toy_api import make_app
from toy_server import serve

import conformance.pytest_plugin

pytest_plugins = ["pytester"]
FAST = ("--contract-phases", "examples,coverage")


def test_one_item_per_operation_passes_on_a_conformant_app(pytester: pytest.Pytester, toy_contract: Path):
    result = pytester.runpytest(
        "--contract-spec",
        "toy",
        "--contract-app",
        "toy_api:make_app()",
        "--contract-credentials",
        str(toy_contract),
        "--contract-max-examples",
        "10",
        *FAST,
        "-v",
    )
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["*collected 3 items*"])
    result.stdout.fnmatch_lines(["*contract:toy::createItem PASSED*", "*contract:toy::deleteItem PASSED*"])


def test_findings_fail_their_operation_with_received_and_documented(pytester: pytest.Pytester, toy_contract: Path):
    result = pytester.runpytest(
        "--contract-spec",
        "toy",
        "--contract-app",
        "toy_api:make_broken_app()",
        "--contract-credentials",
        str(toy_contract),
        "--contract-max-examples",
        "10",
        "--contract-seed",
        "1",
        *FAST,
    )
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*POST /items ?createItem? - check response_schema_conformance*",
            "*Received:   HTTP 201 application/json*",
            "*Documented: a body valid against the documented schema*",
            "*Reproduce (seed 1*",
        ]
    )


def test_network_mode_and_keyword_selection(pytester: pytest.Pytester, toy_contract: Path):
    with serve(make_app()) as origin:
        result = pytester.runpytest(
            "--contract-spec",
            "toy",
            "--contract-base-url",
            f"{origin}/toy",
            "--contract-credentials",
            str(toy_contract),
            "--contract-max-examples",
            "5",
            *FAST,
            "-k",
            "getItem",
        )
    result.assert_outcomes(passed=1, deselected=2)


def test_target_down_fails_every_item_instead_of_passing(pytester: pytest.Pytester):
    """Why 1: `--contract-base-url http://127.0.0.1:9/...` used to report "1 passed"."""
    result = pytester.runpytest(
        "--contract-spec", "aisera-conversation", "--contract-base-url", "http://127.0.0.1:9/aisera-conversation"
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*aisera-conversation not tested: cannot connect to http://127.0.0.1:9/aisera-conversation: connection refus*"]
    )


def test_engine_errors_fail_the_items(pytester: pytest.Pytester, toy_contract: Path):
    pytester.makepyfile(
        broken_app="""
from toy_api import make_app

async def app(scope, receive, send):
    if scope["type"] == "http" and scope["method"] == "DELETE":
        raise RuntimeError("handler crashed")
    await make_app()(scope, receive, send)
"""
    )
    result = pytester.runpytest(
        "--contract-spec",
        "toy",
        "--contract-app",
        "broken_app:app",
        "--contract-credentials",
        str(toy_contract),
        "--contract-max-examples",
        "3",
        *FAST,
    )
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) >= 1, result.stdout.str()
    result.stdout.fnmatch_lines(["*contract toy: deleteItem*"])


def test_a_missing_base_url_is_a_usage_error_naming_the_plugin_option(pytester: pytest.Pytester):
    result = pytester.runpytest("--contract-spec", "aisera-conversation")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--contract-spec needs --contract-base-url URL (or contract_base_url in the ini*"])


def test_options_can_live_in_the_ini_file(pytester: pytest.Pytester, toy_contract: Path):
    pytester.makeini(
        f"""
[pytest]
contract_spec =
    toy
contract_app = toy_api:make_app()
contract_credentials = {toy_contract}
contract_max_examples = 5
contract_phases = examples,coverage
contract_seed = 3
"""
    )
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["*contract:toy::getItem PASSED*"])


def test_command_line_options_win_over_the_ini_file(pytester: pytest.Pytester, toy_contract: Path):
    pytester.makeini("[pytest]\ncontract_spec = sysaid\ncontract_base_url = http://127.0.0.1:9\n")
    result = pytester.runpytest("--contract-spec", "sysaid-copilott")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*Unknown spec 'sysaid-copilott'*"])


def test_unknown_spec_is_a_usage_error(pytester: pytest.Pytester):
    result = pytester.runpytest("--contract-spec", "sysaid", "--contract-base-url", "http://127.0.0.1:9")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*Unknown spec 'sysaid'*Did you mean 'sysaid-copilot'?*"])


def test_without_the_option_nothing_is_added(pytester: pytest.Pytester):
    pytester.makepyfile("def test_plain():\n    assert 1 + 1 == 2\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_the_docstring_example_runs_the_mock_in_process(pytester: pytest.Pytester):
    docstring = conformance.pytest_plugin.__doc__ or ""
    app = re.search(r"--contract-app '([^']+)'", docstring)
    assert app is not None, "the docstring shows an in-process example"
    result = pytester.runpytest(
        "--contract-spec", "aisera-conversation", "--contract-app", app.group(1), "--contract-seed", "2", *FAST
    )
    result.assert_outcomes(passed=1)


def test_the_contract_mock_fixture_serves_the_mock_to_a_consumers_tests(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
import requests
from starlette.testclient import TestClient


def test_in_process(contract_mock):
    client = TestClient(contract_mock.app)
    assert client.get("/sysaid-copilot/api/health").json() == {"status": "ok"}


def test_on_a_free_port(contract_mock):
    url = contract_mock.url("aisera-conversation")
    token = contract_mock.credentials("aisera-conversation")["token"]
    answer = requests.post(f"{url}/api/receive", json={"token": token, "userId": "u1", "data": {"text": "hi"}})
    assert answer.status_code == 200
    assert answer.json()["sessionId"]
    assert url.startswith("http://127.0.0.1:")
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
