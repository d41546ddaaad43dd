"""`contract-test diff` through click's CliRunner: exit codes, formats, ignore file, REF:path and --all."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conformance.diff import diff_command

CORPUS = Path(__file__).resolve().parents[3] / "fixtures" / "diff"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(diff_command, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def case(name: str) -> list[str]:
    return [str(CORPUS / name / "old.yaml"), str(CORPUS / name / "new.yaml")]


def git(repo: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    return subprocess.run([*command, *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def test_a_refactor_exits_0_and_says_so() -> None:
    code, out, _ = run(*case("refactor-moved-components"))
    assert code == 0
    assert out.strip() == "0 findings (0 ERR, 0 WARN, 0 INFO): passed (--fail-on ERR)"


def test_a_breaking_change_exits_1_and_lists_it() -> None:
    code, out, _ = run(*case("operation-removed"))
    assert code == 1
    assert "api-removed-without-deprecation  DELETE /orders/{id}" in out


@pytest.mark.parametrize(("fail_on", "expected"), [("ERR", 0), ("WARN", 1), ("warn", 1), ("INFO", 1)])
def test_fail_on_sets_the_threshold(fail_on: str, expected: int) -> None:
    code, _, _ = run(*case("response-enum-value-added"), "--fail-on", fail_on)
    assert code == expected


def test_the_ignore_file_accepts_a_finding(tmp_path: Path) -> None:
    ignore = tmp_path / ".drift-ignore"
    ignore.write_text("DELETE /orders/{orderId} api-removed-without-deprecation retired with the vendor's v2\n")
    code, out, _ = run(*case("operation-removed"), "--ignore", str(ignore))
    assert code == 0
    assert "1 ignored" in out


def test_a_bad_ignore_line_exits_2_with_one_line(tmp_path: Path) -> None:
    ignore = tmp_path / ".drift-ignore"
    ignore.write_text("DELETE /orders api-removed-without-deprecation\n")
    code, out, err = run(*case("operation-removed"), "--ignore", str(ignore))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert f"{ignore}, line 1: no reason given" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["only-one.yaml"], "expected two contracts"),
        ([], "give two contracts"),
        (["missing-old.yaml", "missing-new.yaml"], "does not exist"),
        (["--fail-on", "WARNING", "a", "b"], "'WARNING' is not a level. Did you mean 'WARN'?"),
        (["--frobnicate"], "No such option"),
    ],
)
def test_usage_and_input_errors_exit_2_with_one_line(args: list[str], message: str) -> None:
    code, _, err = run(*args)
    assert code == 2
    assert err.count("\n") == 1, err
    assert message in err


def test_json_format_is_machine_readable() -> None:
    code, out, _ = run(*case("security-scope-added"), "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert [finding["id"] for finding in data["findings"]] == ["api-security-scope-added"]


def test_output_writes_the_report_and_prints_the_summary(tmp_path: Path) -> None:
    report = tmp_path / "drift.xml"
    code, out, _ = run(*case("request-body-became-required"), "--format", "junit", "--output", str(report))
    assert code == 1
    assert out.startswith("1 finding (1 ERR, 0 WARN, 0 INFO): FAILED")
    assert "<failure" in report.read_text()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_ref_path_and_all_against_a_real_repository(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    shutil.copyfile(CORPUS / "operation-removed" / "old.yaml", tmp_path / "specs" / "orders.yaml")
    shutil.copyfile(CORPUS / "refactor-reordered" / "old.yaml", tmp_path / "specs" / "stable.yaml")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "contracts")
    shutil.copyfile(CORPUS / "operation-removed" / "new.yaml", tmp_path / "specs" / "orders.yaml")
    shutil.copyfile(CORPUS / "refactor-reordered" / "new.yaml", tmp_path / "specs" / "stable.yaml")
    repo = ["--repo", str(tmp_path)]

    code, out, _ = run("main:specs/orders.yaml", str(tmp_path / "specs" / "orders.yaml"), *repo)
    assert (code, out.splitlines()[0].split()[1]) == (1, "api-removed-without-deprecation")

    code, out, _ = run("--all", "main", "--format", "json", *repo)
    data = json.loads(out)
    assert code == 1
    assert data["contracts"] == ["orders", "stable"]
    assert {(f["contract"], f["id"]) for f in data["findings"]} == {("orders", "api-removed-without-deprecation")}

    code, _, err = run("--all", *repo)
    assert code == 2
    assert "unknown git ref 'origin/main'" in err, "bare --all compares with origin/main"


SPECS = CORPUS.parents[1] / "specs"


def test_a_severity_line_raises_a_rule_so_that_the_gate_fails(tmp_path: Path) -> None:
    config = tmp_path / ".drift-ignore"
    config.write_text("severity response-property-enum-value-added ERR  generated clients reject unknown values\n")
    code, out, _ = run(*case("response-enum-value-added"), "--ignore", str(config))
    assert code == 1
    assert out.startswith("ERR   response-property-enum-value-added")
    assert "note: " in out and "set the level of 1 finding(s)" in out


def test_deprecation_days_make_a_sunset_date_mandatory(tmp_path: Path) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {/a: {get: {responses: {}}}}\n")
    new.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {/a: {get: {deprecated: true, responses: {}}}}\n"
    )
    assert run(str(old), str(new))[0] == 0
    code, out, _ = run(str(old), str(new), "--deprecation-days-stable", "90")
    assert code == 1
    assert "api-deprecated-sunset-missing  GET /a: the operation was deprecated without an x-sunset date" in out
    code, _, err = run(str(old), str(new), "--deprecation-days-beta", "-1")
    assert code == 2
    assert "-1 is not in the range x>=0" in err


def test_a_contract_migrated_to_openapi_31_compares_equal() -> None:
    code, out, _ = run(*case("refactor-openapi-30-to-31"))
    assert (code, out.strip()) == (0, "0 findings (0 ERR, 0 WARN, 0 INFO): passed (--fail-on ERR)")


def test_a_shared_schema_change_is_one_entry_with_every_place(tmp_path: Path) -> None:
    document = yaml.safe_load((SPECS / "sysaid-copilot.yaml").read_text(encoding="utf-8"))
    document["components"]["schemas"]["SysaidError"]["required"].remove("error")
    edited = tmp_path / "sysaid-copilot.yaml"
    edited.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    code, out, _ = run(str(SPECS / "sysaid-copilot.yaml"), str(edited), "--format", "markdown")
    assert code == 1
    rows = [line for line in out.splitlines() if line.startswith("| ERR |")]
    [row] = [line for line in rows if "| response property 'error' became optional |" in line]
    places = row.split(" | ")[-1].split("<br>")
    assert len(places) > 50, "one row lists every operation and status whose response is a SysaidError"
    assert "`DELETE /api/chat/{chatuid}` response 400 application/json" in places
    assert len(rows) < 5, "129 findings read as a handful of rows"
