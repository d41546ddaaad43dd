"""`contract-mock`: clear one-line errors for bad input, and a server that starts."""

from __future__ import annotations

import socket
from pathlib import Path

from click.testing import CliRunner

from mockserver.cli import main


def test_unknown_spec_suggests_the_closest_name() -> None:
    result = CliRunner().invoke(main, ["serve", "--spec", "sysaid-copliot"])
    assert result.exit_code == 2
    assert "Did you mean 'sysaid-copilot'" in result.output


def test_missing_fixtures_folder_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--fixtures", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: fixtures folder {tmp_path / 'nope'} does not exist"


def test_port_in_use_is_reported_before_starting() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"port {port} on 127.0.0.1 is already in use" in result.output


def test_proxy_refuses_a_non_http_upstream() -> None:
    result = CliRunner().invoke(main, ["proxy", "--spec", "sysaid-copilot", "--upstream", "ftp://x"])
    assert result.exit_code == 2
    assert "setting upstream: must be an http(s) URL, got 'ftp://x'" in result.output
