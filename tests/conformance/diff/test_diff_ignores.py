"""The ignore file: parsing, validation messages, and which findings it accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.diff import Finding, IgnoreFileError, Level, apply_ignores, load_ignore_file, parse_ignore_lines

ENUM_ADDED = "response-property-enum-value-added"


def _finding(rule_id: str = ENUM_ADDED, method: str = "GET", path: str = "/a/{id}") -> Finding:
    return Finding(rule_id, Level.WARN, method, path, "something changed", "shop")


def test_lines_comments_and_reasons_are_parsed(tmp_path: Path) -> None:
    path = tmp_path / "drift-ignore"
    path.write_text(
        "# accepted changes\n\n"
        "GET /a/{id} response-property-enum-value-added  # vendor adds statuses; clients tolerate them\n"
        "* /b request-property-removed unused field dropped by the vendor\n"
    )
    first, second = load_ignore_file(path)
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
    [rule] = parse_ignore_lines(["get /a/{itemId} response-property-enum-value-added reason"], "f")
    assert rule.matches(_finding())
    assert not rule.matches(_finding(method="POST"))
    assert not rule.matches(_finding(path="/a/{id}/b"))
    assert not rule.matches(_finding(rule_id="response-property-became-nullable"))
    [wildcard] = parse_ignore_lines(["* /a/{id} response-property-enum-value-added reason"], "f")
    assert wildcard.matches(_finding(method="POST"))


def test_apply_splits_kept_from_ignored_and_reports_unused_lines() -> None:
    rules = parse_ignore_lines(
        ["GET /a/{id} response-property-enum-value-added vendor-confirmed", "GET /z endpoint-added stale"], "f"
    )
    kept_finding, ignored_finding = _finding(method="POST"), _finding()
    kept, ignored, unused = apply_ignores([kept_finding, ignored_finding], rules)
    assert kept == [kept_finding]
    assert ignored == [(ignored_finding, rules[0])]
    assert unused == [rules[1]]
