"""The one settings object: every field documented in docs/configuration.md, reachable from flags, environment and
config file in that order of precedence, and validated with an error naming the setting and where it came from."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mockserver import SettingsError
from mockserver.cli import main
from mockserver.settings import FIELDS, Settings, load_settings, settings_table

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_the_documented_table_is_the_generated_one() -> None:
    text = DOCS.read_text(encoding="utf-8")
    start, end = text.index("<!-- settings-table:mock -->"), text.index("<!-- /settings-table:mock -->")
    assert text[start:end].split("\n", 1)[1].strip() == settings_table().strip()


def test_flags_beat_the_environment_which_beats_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "contract-mock.toml").write_text("port = 9001\njournal_limit = 77\nvendor-limits = true\n")
    settings, origins = load_settings(
        {"port": 9003}, environ={"CONTRACT_MOCK_PORT": "9002", "CONTRACT_MOCK_JOURNAL_LIMIT": "88"}, cwd=tmp_path
    )
    assert (settings.port, settings.journal_limit, settings.vendor_limits) == (9003, 88, True)
    assert origins["port"] == "command line"
    assert origins["journal_limit"] == "environment CONTRACT_MOCK_JOURNAL_LIMIT"
    assert origins["vendor_limits"].endswith("contract-mock.toml")


def test_pyproject_table_is_read_when_there_is_no_config_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.contract-mock]\nport = 9100\nspecs = ["sysaid-copilot"]\n')
    settings, _ = load_settings({}, environ={}, cwd=tmp_path)
    assert (settings.port, settings.specs) == (9100, ("sysaid-copilot",))


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"CONTRACT_MOCK_PORT": "eighty"}, "setting port from settings: 'eighty' is not valid"),
        ({"CONTRACT_MOCK_PORT": "70000"}, "setting port: must be between 0 and 65535, got 70000 (from environment"),
        ({"CONTRACT_MOCK_WORKERZ": "2"}, "unknown setting. Did you mean 'workers'?"),
        ({"CONTRACT_MOCK_BODY_TIMEOUT_SECONDS": "nan"}, "must be a positive number of seconds"),
        ({"CONTRACT_MOCK_DB": "mysql://x/y"}, "unsupported database URL mysql://"),
        ({"CONTRACT_MOCK_HOST": "0.0.0.0"}, "admin_token: required when listening on 0.0.0.0"),
    ],
)
def test_bad_values_name_the_setting_and_where_they_came_from(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace("?", r"\?")):
        load_settings({}, environ=environ, cwd=Path("/nonexistent"))


def test_every_setting_is_a_flag_of_its_command() -> None:
    serve_help = CliRunner().invoke(main, ["serve", "--help"]).output
    proxy_help = CliRunner().invoke(main, ["proxy", "--help"]).output
    for spec in FIELDS:
        flag = (spec.metadata.get("flag") or "--" + spec.name.replace("_", "-")).split("/")[0]
        assert flag in (proxy_help if spec.metadata.get("group") == "proxy" else serve_help), spec.name


def test_config_prints_each_value_with_its_source_and_masks_the_admin_token() -> None:
    result = CliRunner().invoke(main, ["config", "--port", "9005"], env={"CONTRACT_MOCK_ADMIN_TOKEN": "t0ps3cret"})
    assert result.exit_code == 0, result.output
    assert "port = 9005   (command line)" in result.output
    assert "admin_token = '[MASKED]'   (environment CONTRACT_MOCK_ADMIN_TOKEN)" in result.output
    assert "t0ps3cret" not in result.output


def test_settings_round_trip_for_worker_processes() -> None:
    settings = Settings(port=9006, specs=("asapp-metadata-ingestion",), db="x.sqlite", vendor_limits=True)
    assert Settings.from_json(settings.to_json()) == settings
