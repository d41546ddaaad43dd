"""The fixture corpus: every case under fixtures/diff gives exactly the findings its expected.yaml lists.

Sunset dates are judged as of `today` in expected.yaml (default 2026-01-15, so no case depends on the calendar),
with the grace periods of its `deprecation_days` (default none).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.diff import RULES, Family, Policy, diff_documents, load_revision

CORPUS = Path(__file__).resolve().parents[3] / "fixtures" / "diff"
CASES = sorted(path.name for path in CORPUS.iterdir() if path.is_dir())
TODAY = date(2026, 1, 15)

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
    # the second drift-gate issue: families that were silent, the two misses, and the changelog INFO rules
    "request-parameter-default-value-added",
    "request-parameter-default-value-changed",
    "request-parameter-default-value-removed",
    "api-path-removed-before-sunset",
    "api-removed-before-sunset",
    "sunset-deleted",
    "api-invalid-stability-level",
    "api-stability-decreased",
    "api-deprecated-sunset-missing",
    "api-sunset-date-too-small",
    "request-parameter-removed-before-sunset",
    "request-property-deprecated",
    "request-parameter-x-extensible-enum-value-removed",
    "request-property-x-extensible-enum-value-removed",
    "response-header-type-changed",
    "response-header-became-nullable",
    "response-required-property-became-not-write-only",
    "request-body-wrapped-in-one-of",
    "request-body-one-of-added",
    "api-operation-id-removed",
    "api-operation-id-added",
    "api-tag-added",
    "api-tag-removed",
    "request-optional-property-became-read-only",
    "response-optional-write-only-property-removed",
    "request-property-default-value-changed",
    "response-property-default-value-added",
    "request-property-const-added",
    "response-property-const-removed",
    "request-property-list-of-types-narrowed",
    "response-property-list-of-types-widened",
}


def _data(case: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((CORPUS / case / "expected.yaml").read_text(encoding="utf-8"))
    assert data["description"], f"{case}: expected.yaml needs a description"
    return data


def _expected(case: str) -> list[dict[str, str]]:
    return list(_data(case)["findings"])


def _policy(case: str) -> Policy:
    data = _data(case)
    days = data.get("deprecation_days") or {}
    return Policy(data.get("today", TODAY), days.get("beta", 0), days.get("stable", 0))


@pytest.mark.parametrize("case", CASES)
def test_case_reports_exactly_the_expected_findings(case: str) -> None:
    old = load_revision(str(CORPUS / case / "old.yaml"))
    new = load_revision(str(CORPUS / case / "new.yaml"))
    found = diff_documents(old.document, new.document, case, policy=_policy(case))
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
            document = load_revision(str(CORPUS / case / side)).document
            assert diff_documents(document, document, policy=_policy(case)) == [], f"{case}/{side} differs from itself"


def test_corpus_has_enough_cases_and_refactors() -> None:
    silent = [case for case in CASES if not _expected(case)]
    assert len(CASES) >= 25
    assert len(silent) >= 5, silent
    assert any(case.startswith("real-") and not _expected(case) for case in CASES)
    assert any(case.startswith("real-") and _expected(case) for case in CASES)


def test_corpus_covers_every_change_the_issues_list() -> None:
    covered = {item["id"] for case in CASES for item in _expected(case)}
    assert REQUIRED_RULES - covered == set()


def test_corpus_exercises_every_rule_family() -> None:
    covered = {RULES[item["id"]].family for case in CASES for item in _expected(case)}
    assert set(Family) - covered == set()
