"""Findings that explain themselves and are not counted several times: one answer, one root cause, every check it
tripped named; the real reason of an `unsupported_method` failure; warnings and notes instead of silence."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from toy_api import make_app

from conformance import Campaign, Phase, RunSettings
from conformance.cli import main
from conformance.reports import render_junit
from conformance.summary import render_summary


def test_one_answer_breaking_several_checks_is_one_root_cause(toy_contract: Path):
    settings = RunSettings(
        specs=("toy",), credentials_file=toy_contract, phases=(Phase.FUZZING, Phase.STATEFUL), seed=4, max_examples=20
    )
    result = Campaign(settings, app=make_app(crash_reads=True)).run()
    reads = [finding for finding in result.findings if finding.operation == "GET /items/{id}"]
    assert len(reads) == 1, [finding.checks for finding in reads]
    [finding] = reads
    assert finding.check == "not_a_server_error"
    assert "status_code_conformance" in finding.also
    summary = render_summary(result)
    assert "-- GET /items/{id} / not_a_server_error (+ " in summary
    assert "Also tripped: " in summary
    assert "VIOLATIONS FOUND (1 failure(s))" in summary
    junit = render_junit(result)
    assert junit.count("<failure ") == 1
    assert "also tripped by the root cause reported under not_a_server_error" in junit


def test_unsupported_method_keeps_the_real_reason(toy_contract: Path):
    settings = RunSettings(specs=("toy",), credentials_file=toy_contract, phases=(Phase.COVERAGE,), seed=4)
    result = Campaign(settings, app=make_app(no_allow=True)).run()
    findings = [finding for finding in result.findings if finding.check == "unsupported_method"]
    assert findings
    for finding in findings:
        assert finding.received.endswith("(no `Allow` header)")
        assert "with an `Allow` header listing the declared methods" in finding.documented


def test_read_only_warns_about_an_included_unsafe_operation(toy_contract: Path):
    target = ["--spec", "toy", "--base-url", "http://127.0.0.1:9/toy", "--credentials", str(toy_contract)]
    selection = ["--read-only", "--include-operation", "createItem", "--include-operation", "getItem"]
    result = CliRunner().invoke(main, ["run", *target, *selection, "--progress", "off"])
    assert (
        "Warning: --read-only drops createItem (POST /items), named by --include-operation: "
        "POST is not a safe method" in result.stderr
    )
    assert result.exit_code == 2, "the target is down"
