"""The pytest plugin turns each operation of a contract into a test item, in-process or over the network."""

from __future__ import annotations

from pathlib import Path

import pytest
from toy_api import make_app
from toy_server import serve

pytest_plugins = ["pytester"]


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
        "-v",
    )
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["*contract?toy:createItem? PASSED*", "*contract?toy:deleteItem? PASSED*"])


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
            "-k",
            "getItem",
        )
    result.assert_outcomes(passed=1, deselected=2)


def test_unknown_spec_is_a_usage_error(pytester: pytest.Pytester):
    result = pytester.runpytest("--contract-spec", "sysaid", "--contract-base-url", "http://127.0.0.1:9")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*Unknown spec 'sysaid'*Did you mean 'sysaid-copilot'?*"])


def test_without_the_option_nothing_is_added(pytester: pytest.Pytester):
    pytester.makepyfile("def test_plain():\n    assert 1 + 1 == 2\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
