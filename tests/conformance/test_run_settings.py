"""`contract-test run` options from flags > `CONTRACT_TEST_*` environment > config file > defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import conformance.cli
from conformance.cli import main, options_table
from conformance.errors import ConfigurationError
from conformance.settings import DataMode, Phase, RunSettings, load_run_settings

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_the_documented_table_is_the_generated_one() -> None:
    text = DOCS.read_text(encoding="utf-8")
    start, end = text.index("<!-- settings-table:harness -->"), text.index("<!-- /settings-table:harness -->")
    assert text[start:end].split("\n", 1)[1].strip() == options_table().strip()


def test_every_run_option_is_in_the_table() -> None:
    table = options_table()
    for flag in ("--spec", "--base-url", "--credentials", "--phases", "--rate-limit", "--header", "--verbose"):
        assert f"`{flag}" in table


def test_flags_beat_the_environment_which_beats_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "contract-test.toml").write_text('spec = ["aisera-ingestion"]\nseed = 1\nmax-examples = 3\n')
    environ = {"CONTRACT_TEST_SEED": "2", "CONTRACT_TEST_MODE": "positive"}
    settings, origins = load_run_settings({"seed": 3}, environ=environ, cwd=tmp_path)
    assert (settings.seed, settings.data_mode, settings.max_examples) == (3, DataMode.POSITIVE, 3)
    assert settings.specs == ("aisera-ingestion",)
    assert origins["seed"] == "command line"
    assert origins["data_mode"] == "environment CONTRACT_TEST_MODE"
    assert origins["max_examples"] == str(tmp_path / "contract-test.toml")
    assert "workers" not in origins and settings.workers == RunSettings().workers


def test_pyproject_table_is_read_when_there_is_no_dedicated_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[tool.contract-test]\nspec = "sysaid-copilot,alvaria-messaging"\nread_only = true\n'
    )
    settings, origins = load_run_settings({}, environ={}, cwd=tmp_path)
    assert settings.specs == ("sysaid-copilot", "alvaria-messaging")
    assert settings.read_only is True
    assert origins["read_only"].endswith("[tool.contract-test]")
    (tmp_path / "contract-test.toml").write_text("read-only = false\n")
    settings, _ = load_run_settings({}, environ={}, cwd=tmp_path)
    assert settings.read_only is False and settings.specs == ()


def test_an_explicit_config_file_wins_over_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / "contract-test.toml").write_text("workers = 2\n")
    other = tmp_path / "ci" / "harness.toml"
    other.parent.mkdir()
    other.write_text('workers = 4\ncredentials = "creds.yaml"\nbaseline = "/abs/baseline.json"\n')
    settings, _ = load_run_settings({}, environ={}, config=other, cwd=tmp_path)
    assert settings.workers == 4
    assert settings.credentials_file == (tmp_path / "ci" / "creds.yaml").resolve()
    assert settings.baseline == Path("/abs/baseline.json")


def test_environment_values_are_converted_to_each_options_type(tmp_path: Path) -> None:
    environ = {
        "CONTRACT_TEST_PHASES": "examples, fuzzing",
        "CONTRACT_TEST_PROBE_METHODS": "no",
        "CONTRACT_TEST_REQUEST_TIMEOUT": "2.5",
        "CONTRACT_TEST_HEADER": "X-Env: ci\nX-Team: payments",
        "CONTRACT_TEST_EXCLUDE_OPERATION": "getChat,POST /api/v1/chat",
        "CONTRACT_TEST_JSON": "out/report.json",
    }
    settings, _ = load_run_settings({}, environ=environ, cwd=tmp_path)
    assert settings.phases == (Phase.EXAMPLES, Phase.FUZZING)
    assert settings.probe_methods is False
    assert settings.request_timeout == 2.5
    assert settings.extra_headers == {"X-Env": "ci", "X-Team": "payments"}
    assert settings.exclude_operations == ("getChat", "POST /api/v1/chat")
    assert settings.json_report == Path("out/report.json")
    settings, _ = load_run_settings({}, environ={"CONTRACT_TEST_HEADER": '{"X-A": "1"}'}, cwd=tmp_path)
    assert settings.extra_headers == {"X-A": "1"}


@pytest.mark.parametrize(
    ("file_text", "environ", "message"),
    [
        ("sped = 1\n", {}, "unknown option 'sped'. Did you mean 'spec'?"),
        ("", {"CONTRACT_TEST_MAX_EXAMPLE": "3"}, "environment CONTRACT_TEST_MAX_EXAMPLE: unknown option"),
        ("", {"CONTRACT_TEST_MAX_EXAMPLES": "many"}, "option max_examples from environment CONTRACT_TEST_MAX_EXAMPLES"),
        ('phases = ["examples", "fuzing"]\n', {}, "Did you mean 'fuzzing'?"),
        ("read-only = 3\n", {}, "expected true or false"),
        ("max-examples = 0\n", {}, "--max-examples must be at least 1"),
        ("spec = [\n", {}, "contract-test.toml"),
    ],
)
def test_a_wrong_name_or_value_fails_naming_it_and_where_it_came_from(
    tmp_path: Path, file_text: str, environ: dict[str, str], message: str
) -> None:
    (tmp_path / "contract-test.toml").write_text(file_text)
    with pytest.raises(ConfigurationError) as caught:
        load_run_settings({}, environ=environ, cwd=tmp_path)
    assert message in str(caught.value)


class _Recorder:
    """Stands in for `Campaign`: records the settings the command line built, then stops the run."""

    seen: list[RunSettings] = []

    def __init__(self, settings: RunSettings, **_: Any) -> None:
        self.seen.append(settings)
        raise ConfigurationError("stopped before the campaign")


def test_the_command_line_takes_options_from_every_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conformance.cli, "Campaign", _Recorder)
    _Recorder.seen.clear()
    (tmp_path / "pyproject.toml").write_text('[tool.contract-test]\nspec = ["asapp-metadata-ingestion"]\nseed = 1\n')
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    env = {"CONTRACT_TEST_SEED": "2", "CONTRACT_TEST_PHASES": "examples"}
    result = runner.invoke(main, ["run", "--seed", "3"], env=env)
    assert result.exit_code == 2 and "stopped before the campaign" in result.output
    runner.invoke(main, ["run"], env=env)
    first, second = _Recorder.seen
    assert (first.seed, first.specs, first.phases) == (3, ("asapp-metadata-ingestion",), (Phase.EXAMPLES,))
    assert second.seed == 2
    # A flag left at its default does not hide the environment or the file.
    assert first.max_examples == RunSettings().max_examples


def test_run_without_a_spec_anywhere_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["run"], env={})
    assert result.exit_code == 2
    assert "--spec is required" in result.output


def test_config_command_shows_sources_and_masks_header_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("contract-test.toml").write_text('spec = "sysaid-copilot"\n[header]\nAuthorization = "Bearer s3cr3t"\n')
    result = CliRunner().invoke(main, ["config"], env={"CONTRACT_TEST_WORKERS": "2"})
    assert result.exit_code == 0, result.output
    assert "s3cr3t" not in result.output
    assert "extra_headers = {'Authorization': '***'}" in result.output
    assert "workers = 2  (environment CONTRACT_TEST_WORKERS)" in result.output
    assert "specs = sysaid-copilot  (" in result.output and "max_examples = 100  (default)" in result.output
