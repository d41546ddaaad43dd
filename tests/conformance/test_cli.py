"""The command line: exit codes, errors at the boundary with choices and suggestions, a real network run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from toy_api import make_app
from toy_server import serve

import conformance
from conformance.cli import main


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["run", *args])
    return result.exit_code, result.output


def test_public_surface_is_pinned():
    assert sorted(conformance.__all__) == [
        "AuthenticationError",
        "BaselineError",
        "Campaign",
        "CaseCounts",
        "ConfigurationError",
        "ConformanceError",
        "CredentialEndpointBroken",
        "CredentialsError",
        "DataMode",
        "ErrorGroup",
        "Exchange",
        "Finding",
        "Phase",
        "PreflightError",
        "ProgressMode",
        "RunResult",
        "RunSettings",
        "SpecResult",
        "UnknownSpecError",
        "Verdict",
    ]
    assert {"run", "diff"} <= set(main.commands)


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--spec", "sysaid-copilott", "--base-url", "http://127.0.0.1:1"], ["Did you mean 'sysaid-copilot'?", "all"]),
        (["--spec", "all", "--base-url", "http://x", "--phases", "fuzing"], ["Did you mean 'fuzzing'?", "stateful"]),
        (["--spec", "all", "--base-url", "http://x", "--rate-limit", "5/minute"], ["Invalid rate limit", "5/m"]),
        (["--spec", "all", "--base-url", "http://x", "--mode", "postive"], ["positive", "negative"]),
        (["--spec", "all", "--base-url", "http://x", "--include-operation", "getchat"], ["Did you mean 'getChat'?"]),
        (["--spec", "all", "--base-url", "http://x", "--update-baseline"], ["--update-baseline needs --baseline"]),
        (["--spec", "all"], ["--base-url is required"]),
        (["--spec", "all", "--base-url", "http://x", "--header", "novalue"], ["expected 'Name: value'"]),
    ],
)
def test_bad_options_exit_2_with_choices(args: list[str], fragments: list[str]):
    code, output = invoke(*args)
    assert code == 2
    for fragment in fragments:
        assert fragment in output


def test_network_run_against_a_conformant_api_exits_0_and_writes_reports(toy_contract: Path, tmp_path: Path):
    with serve(make_app()) as origin:
        code, output = invoke(
            "--spec",
            "toy",
            "--base-url",
            f"{origin}/toy",
            "--credentials",
            str(toy_contract),
            "--max-examples",
            "10",
            "--seed",
            "4",
            "--junit-xml",
            str(tmp_path / "j.xml"),
            "--report",
            str(tmp_path / "r.html"),
            "--json",
            str(tmp_path / "r.json"),
        )
    assert code == 0, output
    assert "Result: CONFORMANT; exit code 0" in output
    assert "seed 4" in output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["specs"][0]["base_url"] == f"{origin}/toy"
    assert (tmp_path / "j.xml").read_text().startswith("<?xml")
    assert "<!DOCTYPE html>" in (tmp_path / "r.html").read_text()


def test_network_run_against_a_broken_api_exits_1(toy_contract: Path):
    with serve(make_app(bad_item=True)) as origin:
        code, output = invoke(
            "--spec",
            "toy",
            "--base-url",
            f"{origin}/{{spec}}",
            "--credentials",
            str(toy_contract),
            "--max-examples",
            "10",
            "--seed",
            "4",
            "--phases",
            "examples,coverage,fuzzing",
        )
    assert code == 1
    assert "response_schema_conformance" in output
    assert "VIOLATIONS FOUND" in output


def test_read_only_with_nothing_safe_left_is_a_usage_error(toy_contract: Path):
    code, output = invoke(
        "--spec",
        "toy",
        "--base-url",
        "http://127.0.0.1:9/toy",
        "--credentials",
        str(toy_contract),
        "--read-only",
        "--include-operation",
        "createItem",
    )
    assert code == 2
    assert "--read-only keeps only GET, HEAD and OPTIONS operations" in output


def test_python_dash_m_runs_the_same_command():
    done = subprocess.run(
        [sys.executable, "-m", "conformance", "run", "--help"], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0
    assert "--base-url" in done.stdout


def test_progress_receives_each_contract_and_counts_cases_and_failures(toy_contract: Path):
    from conformance import Campaign, RunSettings
    from conformance.progress import ProgressState

    calls: list[tuple[str, int]] = []
    state = ProgressState()

    class Recording:
        def start(self, spec: str, operations: int, phases: int, budget: float | None) -> None:
            calls.append((spec, operations))
            state.phases = phases

        def event(self, event: object) -> None:
            state.update(event)  # type: ignore[arg-type]

        def finish(self) -> None:
            calls.append(("finished", 0))

    settings = RunSettings(specs=("toy",), credentials_file=toy_contract, max_examples=5, seed=1)
    result = Campaign(settings, app=make_app(bad_item=True), progress=Recording()).run()
    assert calls == [("toy", 3), ("finished", 0)]
    assert state.phase == "stateful"
    assert state.cases > 0
    assert state.failures >= len(result.findings) >= 1
    assert state.phases == 4 and state.phases_done == 4
    assert state.fraction() == 1.0
    assert state.remaining() == 0.0


def test_progress_estimates_the_time_left_from_the_phases_done():
    from conformance.progress import ProgressState, format_seconds

    state = ProgressState(operations=4, phases=2, started=100.0)
    assert state.timing(now=110.0) == "10s elapsed, estimating..."
    state.phases_done, state.done = 1, 0
    assert state.fraction() == 0.5
    assert state.timing(now=120.0) == "20s elapsed, about 20s left"
    state.done = 2
    assert state.remaining(now=130.0) == pytest.approx(10.0)
    capped = ProgressState(operations=1, phases=4, started=0.0, budget=30.0, phases_done=1)
    assert capped.remaining(now=20.0) == 10.0, "never beyond --max-time"
    assert [format_seconds(s) for s in (5, 65, 3725)] == ["5s", "1m05s", "1h02m"]
