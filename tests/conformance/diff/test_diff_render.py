"""The four report formats: what each shows, and that JSON and JUnit parse."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest

from conformance.diff import DriftFinding, IgnoreRule, Level, OutputFormat, Report, SeverityOverride, render

BREAKING = DriftFinding(
    "response-required-property-removed", Level.ERR, "GET", "/a", "property 'x' was removed", "shop"
)
RISKY = DriftFinding("response-property-enum-value-added", Level.WARN, "GET", "/a", "gained 'b|c'", "shop")
NOTE = DriftFinding("endpoint-added", Level.INFO, "POST", "/b", "the operation was added", "crm")
ACCEPTED = DriftFinding("request-property-removed", Level.WARN, "PUT", "/c", "property 'y' was removed", "shop")
RULE = IgnoreRule("PUT", "/c", "request-property-removed", "vendor dropped it", ".drift-ignore", 4)
REPORT = Report((BREAKING, RISKY, NOTE), ((ACCEPTED, RULE),), (), ("crm", "shop"))
EMPTY = Report((), contracts=("shop",))


SHARED = "response property 'state' gained the enum value \"lost\""
AT_A = DriftFinding(
    "response-property-enum-value-added", Level.WARN, "GET", "/a", SHARED, "shop", "response 200 application/json"
)
AT_B = DriftFinding(
    "response-property-enum-value-added", Level.WARN, "GET", "/b", SHARED, "shop", "response 200 application/json"
)
AT_B_404 = DriftFinding(
    "response-property-enum-value-added", Level.WARN, "GET", "/b", SHARED, "shop", "response 404 application/json"
)
ONE_CONTRACT = Report((NOTE, AT_B, AT_A, AT_B_404, BREAKING), contracts=("shop",))


def test_text_lists_each_finding_most_severe_first_and_ends_with_the_verdict() -> None:
    lines = render(REPORT, OutputFormat.TEXT, Level.ERR).rstrip().splitlines()
    assert lines[0] == "ERR   response-required-property-removed  [shop] GET /a: property 'x' was removed"
    assert lines[1].startswith("WARN  response-property-enum-value-added  [shop] GET /a:")
    width = len("response-required-property-removed")
    assert lines[2] == f"INFO  {'endpoint-added':<{width}}  [crm] POST /b: the operation was added"
    assert "ignored  request-property-removed  PUT /c (.drift-ignore:4: vendor dropped it)" in lines
    assert lines[-1] == "3 findings (1 ERR, 1 WARN, 1 INFO), 1 ignored: FAILED: 1 at or above ERR"


def test_text_shows_one_edit_seen_at_many_places_once_with_the_places() -> None:
    lines = render(ONE_CONTRACT, OutputFormat.TEXT, Level.ERR).splitlines()
    assert lines[0].startswith("ERR   response-required-property-removed  GET /a:")
    assert lines[1] == f"WARN  response-property-enum-value-added  {SHARED}, at 3 places:"
    assert [line.strip() for line in lines[2:5]] == [
        "GET /a (response 200 application/json)",
        "GET /b (response 200 application/json)",
        "GET /b (response 404 application/json)",
    ]
    assert lines[5].startswith("INFO  endpoint-added")
    assert lines[-1].startswith("5 findings (1 ERR, 3 WARN, 1 INFO)"), "the summary still counts every finding"


def test_text_says_which_severity_overrides_changed_findings() -> None:
    override = SeverityOverride("endpoint-added", Level.WARN, "new endpoints need a review", ".drift-ignore", 7)
    report = Report((NOTE,), contracts=("crm",), overridden=((override, 1),))
    text = render(report, OutputFormat.TEXT, Level.ERR)
    note = "note: .drift-ignore:7: severity endpoint-added WARN (new endpoints need a review)"
    assert f"{note} set the level of 1 finding(s)" in text


def test_text_verdict_follows_fail_on() -> None:
    only_info = Report((NOTE,), contracts=("crm",))
    assert render(only_info, OutputFormat.TEXT, Level.WARN).rstrip().endswith("passed (--fail-on WARN)")
    assert "FAILED: 2 at or above WARN" in render(REPORT, OutputFormat.TEXT, Level.WARN)


def test_text_mentions_ignore_lines_that_matched_nothing() -> None:
    stale = Report((), unused_ignores=(RULE,), contracts=("shop",))
    assert "note: ignore line .drift-ignore:4: PUT /c request-property-removed matched no finding" in render(
        stale, OutputFormat.TEXT, Level.ERR
    )


def test_markdown_is_a_table_with_escaped_cells_info_and_ignored_details() -> None:
    markdown = render(REPORT, OutputFormat.MARKDOWN, Level.ERR)
    assert markdown.startswith("### :x: Contract drift")
    assert "| Level | Rule | Contract | Change | Where |" in markdown
    assert "| WARN | `response-property-enum-value-added` | shop | gained 'b\\|c' | `GET /a` |" in markdown
    errors, info = markdown.index("| ERR |"), markdown.index("| INFO |")
    assert markdown.index("| WARN |") > errors
    assert markdown.index("<details><summary>1 INFO change(s), for the changelog</summary>") < info
    assert "<details><summary>Ignored findings</summary>" in markdown
    assert "- `request-property-removed` `PUT /c`: vendor dropped it" in markdown


def test_markdown_lists_the_places_of_one_edit_in_one_row() -> None:
    markdown = render(ONE_CONTRACT, OutputFormat.MARKDOWN, Level.ERR)
    where = "<br>".join(
        f"`GET {path}` response {status} application/json" for path, status in (("/a", 200), ("/b", 200), ("/b", 404))
    )
    assert f"| WARN | `response-property-enum-value-added` | {SHARED} | {where} |" in markdown


def test_markdown_without_findings_says_the_gate_passed() -> None:
    markdown = render(EMPTY, OutputFormat.MARKDOWN, Level.ERR)
    assert markdown.startswith("### :white_check_mark: Contract drift")
    assert "| Level |" not in markdown


def test_json_carries_findings_with_oasdiff_ids_and_a_summary() -> None:
    data = json.loads(render(REPORT, OutputFormat.JSON, Level.WARN))
    counts = {"ERR": 1, "WARN": 1, "INFO": 1}
    assert data["summary"] == {"fail_on": "WARN", "passed": False, "counts": counts, "ignored": 1}
    assert data["findings"][0] == {
        "contract": "shop",
        "id": "response-required-property-removed",
        "level": "ERR",
        "operation": "GET /a",
        "message": "property 'x' was removed",
        "oasdiff_id": "response-required-property-removed",
    }
    assert data["ignored"][0]["reason"] == "vendor dropped it"
    assert data["ignored"][0]["ignore_line"] == ".drift-ignore:4"


@pytest.mark.parametrize(("fail_on", "failures"), [(Level.ERR, 1), (Level.WARN, 2), (Level.INFO, 3)])
def test_junit_fails_the_findings_at_or_above_fail_on(fail_on: Level, failures: int) -> None:
    root = ElementTree.fromstring(render(REPORT, OutputFormat.JUNIT, fail_on))
    assert root.tag == "testsuites"
    assert root.get("failures") == str(failures)
    assert root.get("tests") == "4"
    assert root.get("skipped") == "1"
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert set(suites) == {"contract drift shop", "contract drift crm"}
    skipped = [case for case in root.iter("testcase") if case.find("skipped") is not None]
    assert [case.get("classname") for case in skipped] == ["shop.PUT /c"]


def test_junit_without_findings_has_one_passing_case_per_contract() -> None:
    root = ElementTree.fromstring(render(EMPTY, OutputFormat.JUNIT, Level.ERR))
    [case] = list(root.iter("testcase"))
    assert case.get("name") == "no changes found"
    assert root.get("failures") == "0"


def test_json_lists_the_severity_overrides_that_changed_levels() -> None:
    override = SeverityOverride("endpoint-added", Level.WARN, "review new endpoints", ".drift-ignore", 7)
    data = json.loads(
        render(Report((NOTE,), contracts=("crm",), overridden=((override, 1),)), OutputFormat.JSON, Level.ERR)
    )
    assert data["severity_overrides"] == [
        {
            "id": "endpoint-added",
            "level": "WARN",
            "findings": 1,
            "reason": "review new endpoints",
            "ignore_line": ".drift-ignore:7",
        }
    ]
    assert data["findings"][0]["oasdiff_id"] == "endpoint-added"
