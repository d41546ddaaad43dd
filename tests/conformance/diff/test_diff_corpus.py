"""The fixture corpus: every case under fixtures/diff gives exactly the findings its expected.yaml lists."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from conformance.diff import RULES, diff_documents, load_contract

CORPUS = Path(__file__).resolve().parents[3] / "fixtures" / "diff"
CASES = sorted(path.name for path in CORPUS.iterdir() if path.is_dir())

# The changes the drift-gate issue asks to cover, by rule id; each must be exercised by some case.
REQUIRED_RULES = {
    "api-path-removed-without-deprecation",
    "api-removed-without-deprecation",
    "new-required-request-parameter",
    "new-required-request-property",
    "request-parameter-became-required",
    "request-property-became-required",
    "request-property-type-changed",
    "request-parameter-type-changed",
    "request-property-pattern-added",
    "request-property-max-length-decreased",
    "request-parameter-max-decreased",
    "request-property-min-increased",
    "request-parameter-enum-value-removed",
    "request-property-enum-value-removed",
    "response-required-property-removed",
    "response-property-became-optional",
    "response-property-type-changed",
    "response-property-enum-value-added",
    "response-success-status-removed",
    "request-body-media-type-removed",
    "response-media-type-removed",
    "api-security-became-required",
    "api-security-removed",
    "api-security-scope-added",
    "request-body-one-of-removed",
    "response-body-one-of-added",
    "request-property-became-not-nullable",
    "response-property-became-nullable",
}


def _expected(case: str) -> list[dict[str, str]]:
    data = yaml.safe_load((CORPUS / case / "expected.yaml").read_text(encoding="utf-8"))
    assert data["description"], f"{case}: expected.yaml needs a description"
    return list(data["findings"])


@pytest.mark.parametrize("case", CASES)
def test_case_reports_exactly_the_expected_findings(case: str) -> None:
    old = load_contract(str(CORPUS / case / "old.yaml"))
    new = load_contract(str(CORPUS / case / "new.yaml"))
    found = diff_documents(old.document, new.document, case)
    received = Counter((finding.rule_id, finding.level.value, finding.operation) for finding in found)
    documented = Counter((item["id"], item["level"], item["operation"]) for item in _expected(case))
    assert received == documented, "\n".join(f"{f.level} {f.rule_id} {f.operation}: {f.message}" for f in found)


@pytest.mark.parametrize("case", CASES)
def test_expected_levels_are_the_catalogued_ones(case: str) -> None:
    for item in _expected(case):
        assert item["id"] in RULES, f"{case}: unknown rule id {item['id']}"
        assert RULES[item["id"]].level.value == item["level"], f"{case}: {item['id']} is not {item['level']}"


def test_every_case_is_also_silent_against_itself() -> None:
    for case in CASES:
        for side in ("old.yaml", "new.yaml"):
            document = load_contract(str(CORPUS / case / side)).document
            assert diff_documents(document, document) == [], f"{case}/{side} differs from itself"


def test_corpus_has_enough_cases_and_refactors() -> None:
    silent = [case for case in CASES if not _expected(case)]
    assert len(CASES) >= 25
    assert len(silent) >= 5, silent
    assert any(case.startswith("real-") and not _expected(case) for case in CASES)
    assert any(case.startswith("real-") and _expected(case) for case in CASES)


def test_corpus_covers_every_change_the_issue_lists() -> None:
    covered = {item["id"] for case in CASES for item in _expected(case)}
    assert REQUIRED_RULES - covered == set()
