"""Baselines accept known findings so that only new drift fails CI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from toy_api import make_app

from conformance import Campaign, RunSettings
from conformance.baseline import Baseline
from conformance.errors import BaselineError
from conformance.results import Finding


def _finding(check: str) -> Finding:
    return Finding(
        spec="toy",
        operation="POST /items",
        operation_id="createItem",
        check=check,
        title="t",
        received="r",
        documented="d",
        curl=(),
        seed=1,
        phase="fuzzing",
    )


def test_round_trip_marks_only_accepted_findings(tmp_path: Path):
    path = tmp_path / "baseline.json"
    Baseline.from_findings([_finding("a")]).save(path)
    marked = Baseline.load(path).mark([_finding("a"), _finding("b")])
    assert [f.known for f in marked] == [True, False]
    assert json.loads(path.read_text())["accepted"][0]["fingerprint"] == "toy|POST /items|a|t"


@pytest.mark.parametrize("content", ["not json", '{"version": 99, "accepted": []}', '{"version": 1, "accepted": [1]}'])
def test_malformed_baselines_are_configuration_errors(tmp_path: Path, content: str):
    path = tmp_path / "baseline.json"
    path.write_text(content)
    with pytest.raises(BaselineError):
        Baseline.load(path)


def test_missing_baseline_says_how_to_create_one(tmp_path: Path):
    with pytest.raises(BaselineError, match="--update-baseline"):
        Baseline.load(tmp_path / "absent.json")


def test_campaign_gates_only_on_new_findings(toy_contract: Path, tmp_path: Path):
    path = tmp_path / "baseline.json"
    settings = RunSettings(specs=("toy",), credentials_file=toy_contract, max_examples=10, seed=2, baseline=path)
    recorded = Campaign(settings.with_changes(update_baseline=True), app=make_app(bad_item=True)).run()
    assert recorded.exit_code == 1
    assert path.exists()
    gated = Campaign(settings, app=make_app(bad_item=True)).run()
    assert gated.findings and all(f.known for f in gated.findings)
    assert gated.exit_code == 0
    new_drift = Campaign(settings, app=make_app(bad_item=True, ignore_auth=True)).run()
    assert new_drift.exit_code == 1
    assert {f.check for f in new_drift.findings if not f.known} >= {"auth_enforcement"}
