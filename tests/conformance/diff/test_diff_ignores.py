"""The ignore file: parsing, validation messages, which findings it accepts, and the severity overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.diff import (
    DriftFinding,
    IgnoreFileError,
    Level,
    SeverityOverride,
    apply_ignores,
    apply_severities,
    load_ignore_file,
    parse_ignore_lines,
)

ENUM_ADDED = "response-property-enum-value-added"


def _finding(rule_id: str = ENUM_ADDED, method: str = "GET", path: str = "/a/{id}") -> DriftFinding:
    return DriftFinding(rule_id, Level.WARN, method, path, "something changed", "shop")


def test_lines_comments_and_reasons_are_parsed(tmp_path: Path) -> None:
    path = tmp_path / "drift-ignore"
    path.write_text(
        "# accepted changes\n\n"
        "GET /a/{id} response-property-enum-value-added  # vendor adds statuses; clients tolerate them\n"
        "* /b request-property-removed unused field dropped by the vendor\n"
    )
    first, second = load_ignore_file(path).ignores
    assert (first.method, first.path, first.rule_id, first.line) == ("GET", "/a/{id}", ENUM_ADDED, 3)
    assert first.reason == "vendor adds statuses; clients tolerate them"
    assert (second.method, second.reason) == ("*", "unused field dropped by the vendor")


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("GET /a", "has only 2 field"),
        ("GET /a response-property-enum-value-added", "no reason given"),
        ("FETCH /a endpoint-added because", "unknown method 'FETCH'"),
        ("GET a endpoint-added because", "does not start with '/'"),
        ("GET /a response-property-enum-value-add because", "did you mean 'response-property-enum-value-added'"),
        ("GETT /a endpoint-added because", "did you mean 'GET'"),
        ("severity endpoint-added WARNING louder", "'WARNING' is not a level. Did you mean 'WARN'?"),
        ("severity endpoint-add ERR louder", "did you mean 'endpoint-added'"),
        ("severity api-removed-without-deprecation WARN", "no reason given for lowering"),
    ],
)
def test_a_bad_line_names_file_line_and_problem(line: str, problem: str) -> None:
    with pytest.raises(IgnoreFileError) as raised:
        parse_ignore_lines(["# header", line], ".drift-ignore")
    message = str(raised.value)
    assert message.startswith(".drift-ignore, line 2: ")
    assert problem.lower() in message.lower()


def test_an_unreadable_file_is_an_ignore_file_error(tmp_path: Path) -> None:
    with pytest.raises(IgnoreFileError, match="cannot read the ignore file"):
        load_ignore_file(tmp_path / "missing")


def test_matching_is_by_rule_method_and_path_shape() -> None:
    [rule] = parse_ignore_lines(["get /a/{itemId} response-property-enum-value-added reason"], "f").ignores
    assert rule.matches(_finding())
    assert not rule.matches(_finding(method="POST"))
    assert not rule.matches(_finding(path="/a/{id}/b"))
    assert not rule.matches(_finding(rule_id="response-property-became-nullable"))
    [wildcard] = parse_ignore_lines(["* /a/{id} response-property-enum-value-added reason"], "f").ignores
    assert wildcard.matches(_finding(method="POST"))


def test_apply_splits_kept_from_ignored_and_reports_unused_lines() -> None:
    rules = parse_ignore_lines(
        ["GET /a/{id} response-property-enum-value-added vendor-confirmed", "GET /z endpoint-added stale"], "f"
    ).ignores
    kept_finding, ignored_finding = _finding(method="POST"), _finding()
    kept, ignored, unused = apply_ignores([kept_finding, ignored_finding], rules)
    assert kept == [kept_finding]
    assert ignored == [(ignored_finding, rules[0])]
    assert unused == [rules[1]]


def test_severity_lines_sit_beside_ignore_lines() -> None:
    config = parse_ignore_lines(
        [
            "GET /a/{id} response-property-enum-value-added vendor-confirmed",
            "severity response-property-enum-value-added err  generated clients fail on unknown values",
            "Severity api-tag-added WARN",
            "severity request-parameter-default-value-changed INFO  defaults live in server configuration",
        ],
        ".drift-ignore",
    )
    assert [rule.rule_id for rule in config.ignores] == [ENUM_ADDED]
    assert config.severities == (
        SeverityOverride(ENUM_ADDED, Level.ERR, "generated clients fail on unknown values", ".drift-ignore", 2),
        SeverityOverride("api-tag-added", Level.WARN, "", ".drift-ignore", 3),
        SeverityOverride(
            "request-parameter-default-value-changed",
            Level.INFO,
            "defaults live in server configuration",
            ".drift-ignore",
            4,
        ),
    )
    assert str(config.severities[1]) == ".drift-ignore:3: severity api-tag-added WARN"


def test_a_rule_gets_one_severity_line() -> None:
    with pytest.raises(IgnoreFileError, match="line 3: the severity of endpoint-added is already set at line 1"):
        parse_ignore_lines(["severity endpoint-added WARN", "", "severity endpoint-added ERR"], "f")


def test_severities_set_levels_and_count_what_they_changed() -> None:
    overrides = [SeverityOverride(ENUM_ADDED, Level.ERR), SeverityOverride("endpoint-added", Level.INFO)]
    enum_added, added = _finding(), DriftFinding("endpoint-added", Level.INFO, "POST", "/b", "the operation was added")
    leveled, used = apply_severities([enum_added, added], overrides)
    assert [finding.level for finding in leveled] == [Level.ERR, Level.INFO]
    assert leveled[0].message == enum_added.message
    assert used == [(overrides[0], 1)], "an override that changes nothing is not listed"
