"""Documented-response coverage: what was seen, what never was, and which of those may fail a run."""

from __future__ import annotations

from pathlib import Path

from toy_api import make_app

from conformance import Campaign, RunSettings
from conformance.coverage import CoverageReport, normalize_media_type
from contracts import load_contract


def test_media_types_are_normalized():
    assert normalize_media_type("Application/JSON; charset=utf-8") == "application/json"
    assert normalize_media_type(None) == ""


def test_report_lists_documented_responses_of_selected_operations():
    contract = load_contract("sysaid-copilot")
    report = CoverageReport.for_contract(contract, {"GET /api/health", "GET /api/document/{datasetId}/{id}"})
    assert set(report.operations) == {"GET /api/health", "GET /api/document/{datasetId}/{id}"}
    download = report.operations["GET /api/document/{datasetId}/{id}"]
    assert download.documented["200"] == ("application/octet-stream", "*/*")


def test_unobserved_statuses_and_media_types_are_reported():
    report = CoverageReport.for_contract(load_contract("sysaid-copilot"), {"GET /api/longOperation/{id}"})
    label = "GET /api/longOperation/{id}"
    report.record(label, 200, "application/json; charset=utf-8")
    report.record(label, 400, "application/json")
    missing = {(u.status, u.media_type) for u in report.unobserved()}
    assert ("200", "") not in missing
    assert ("400", "text/plain") in missing
    assert ("401", "") in missing
    assert ("404", "") in missing
    exempt = {u.status for u in report.unobserved() if u.exempt_reason}
    assert exempt == {"500"}
    assert {(u.status, u.media_type) for u in report.failing()} == {("400", "text/plain"), ("401", ""), ("404", "")}


def test_wildcard_media_types_match_anything_and_undocumented_statuses_are_listed():
    report = CoverageReport.for_contract(load_contract("sysaid-copilot"), {"GET /api/document/{datasetId}/{id}"})
    coverage = report.operations["GET /api/document/{datasetId}/{id}"]
    coverage.record(200, "application/pdf")
    coverage.record(418, "text/plain")
    assert coverage.was_observed("200", "*/*")
    assert not coverage.was_observed("200", "application/octet-stream")
    assert coverage.undocumented() == [418]


def test_a_campaign_records_coverage_and_can_fail_on_unobserved(toy_contract: Path):
    settings = RunSettings(specs=("toy",), credentials_file=toy_contract, max_examples=15, seed=5)
    result = Campaign(settings, app=make_app()).run()
    coverage = result.specs[0].coverage.operations
    assert coverage["POST /items"].was_observed("201", "application/json")
    assert coverage["POST /items"].was_observed("401")
    assert coverage["DELETE /items/{id}"].was_observed("204")
    assert result.exit_code == 0
    strict = Campaign(settings.with_changes(fail_on_unobserved=True), app=make_app()).run()
    assert strict.exit_code == (1 if strict.specs[0].coverage.failing() else 0)
    narrow = Campaign(
        settings.with_changes(fail_on_unobserved=True, include_operations=("getItem",)), app=make_app()
    ).run()
    assert [u.status for u in narrow.specs[0].coverage.failing()] == ["200"]
    assert narrow.exit_code == 1
