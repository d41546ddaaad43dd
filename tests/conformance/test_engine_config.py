"""A campaign's generated cases depend only on its seed and its target, never on earlier runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from toy_api import make_app

from conformance.runner import Campaign
from conformance.settings import Phase, RunSettings


def test_the_same_seed_gives_the_same_run_after_a_run_against_a_broken_implementation(
    toy_contract: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = RunSettings(
        specs=("toy",), credentials_file=toy_contract, phases=(Phase.FUZZING,), max_examples=20, seed=5
    )
    first = Campaign(settings, app=make_app()).run()
    broken = Campaign(settings.with_changes(seed=6), app=make_app(bad_item=True, ignore_auth=True)).run()
    again = Campaign(settings, app=make_app()).run()
    assert broken.findings, "the broken toy is caught"
    assert not first.findings and not again.findings
    assert [r.cases for r in first.specs] == [r.cases for r in again.specs]
    assert not (tmp_path / ".hypothesis").exists(), "no example database is written"
