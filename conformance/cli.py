"""`contract-test`: property-test a deployment of the vendor contracts.

Exit codes: 0 conformant, 1 violations found, 2 usage or configuration error.
"""

from __future__ import annotations

import sys
from dataclasses import MISSING, fields
from pathlib import Path

import click
from click.core import ParameterSource
from rich.console import Console

from conformance.diff.command import diff_command
from conformance.errors import ConformanceError, did_you_mean
from conformance.progress import NullProgress, Progress, RichProgress
from conformance.reports import write_html, write_json, write_junit
from conformance.runner import Campaign
from conformance.settings import (
    DEFAULT_MAX_EXAMPLES,
    ENV_PREFIX,
    FLAG_NAMES,
    DataMode,
    Phase,
    ProgressMode,
    RunSettings,
    load_run_settings,
    parse_enum_list,
)
from conformance.summary import render_summary
from contracts import contract_names

__all__ = ["main", "options_table"]

EXIT_CONFIGURATION = 2
CONFIG_OPTION = click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="TOML config file (default: ./contract-test.toml, else [tool.contract-test] in ./pyproject.toml).",
)


def _spec_names(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    choices = [*contract_names(), "all"]
    for value in values:
        if value not in choices:
            raise click.BadParameter(f"{value!r}.{did_you_mean(value, choices)} Valid choices: {', '.join(choices)}")
    return values


def _phases(ctx: click.Context, param: click.Parameter, value: str) -> tuple[Phase, ...]:
    try:
        return parse_enum_list(value, Phase, "--phases")
    except ConformanceError as exc:
        raise click.BadParameter(str(exc)) from None


def _headers(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    headers = {}
    for value in values:
        name, sep, content = value.partition(":")
        if not sep or not name.strip():
            raise click.BadParameter(f"{value!r}: expected 'Name: value'")
        headers[name.strip()] = content.strip()
    return headers


@click.group()
@click.version_option(package_name="contract-harness")
def main() -> None:
    """Contract-first conformance testing for the Aisera, SysAid, ASAPP and Alvaria APIs."""


@main.command()
@click.option(
    "--spec",
    "specs",
    multiple=True,
    callback=_spec_names,
    help="Contract to test (repeatable), or 'all'. Required here or in the config.",
)
@click.option("--base-url", help="Base URL of the API; '{spec}' is replaced by the contract name.")
@click.option(
    "--credentials",
    "credentials_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Credentials YAML (default: the mock's fixture credentials). CONTRACT_<SPEC>_<KEY> overrides.",
)
@click.option("--phases", default=",".join(Phase), show_default=True, callback=_phases, help="Comma-separated phases.")
@click.option(
    "--mode",
    "data_mode",
    type=click.Choice([m.value for m in DataMode]),
    default=DataMode.ALL.value,
    show_default=True,
    help="Generate valid data, invalid data, or both.",
)
@click.option(
    "--max-examples",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_EXAMPLES,
    show_default=True,
    help="Examples per operation in the fuzzing and stateful phases.",
)
@click.option("--stateful-max-steps", type=click.IntRange(min=2), help="Longest stateful sequence.")
@click.option("--seed", type=int, help="Seed for reproducible generation (printed when not given).")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Schemathesis workers (operations tested concurrently).",
)
@click.option("--include-operation", "include_operations", multiple=True, help="operationId or 'METHOD /path'.")
@click.option("--exclude-operation", "exclude_operations", multiple=True, help="operationId or 'METHOD /path'.")
@click.option("--read-only", is_flag=True, help="Send only safe methods (plus what authentication needs).")
@click.option("--rate-limit", help="For example 5/m or 100/s. Default: the vendor's recommendation off loopback.")
@click.option(
    "--probe-methods/--no-probe-methods",
    default=None,
    help="Probe undeclared methods (default: only against loopback).",
)
@click.option("--max-time", type=click.IntRange(min=1), help="Stop after this many seconds in total.")
@click.option(
    "--request-timeout",
    type=click.FloatRange(min=0.1),
    default=10.0,
    show_default=True,
    help="Seconds before one call counts as timed out.",
)
@click.option("--fail-on-unobserved", is_flag=True, help="Documented responses never observed are failures.")
@click.option("--header", "extra_headers", multiple=True, callback=_headers, help="Extra 'Name: value' header.")
@click.option("--junit-xml", type=click.Path(dir_okay=False, path_type=Path), help="Write a JUnit XML report.")
@click.option("--report", "report_html", type=click.Path(dir_okay=False, path_type=Path), help="Write an HTML report.")
@click.option("--json", "json_report", type=click.Path(dir_okay=False, path_type=Path), help="Write a JSON report.")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path), help="Accepted known failures.")
@click.option("--update-baseline", is_flag=True, help="Write the current failures to --baseline.")
@click.option(
    "--progress",
    type=click.Choice([m.value for m in ProgressMode]),
    default=ProgressMode.AUTO.value,
    help="Live progress panel (auto: when stderr is a terminal).",
)
@click.option("--verbose", is_flag=True, help="Also list exempt unobserved responses, with why each is exempt.")
@CONFIG_OPTION
def run(config: Path | None, **options: object) -> None:
    """Test one or more contracts against a deployment.

    Every option can also come from a CONTRACT_TEST_<OPTION> environment variable or a config file
    (contract-test.toml, or [tool.contract-test] in pyproject.toml); flags win, then the environment, then the file.
    """
    try:
        settings, _ = load_run_settings(_given(options), config=config)
        campaign = Campaign(settings, progress=_progress(settings.progress))
        for warning in campaign.warnings:
            click.echo(f"Warning: {warning}", err=True)
        result = campaign.run()
    except ConformanceError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_CONFIGURATION)
    click.echo(render_summary(result, verbose=settings.verbose))
    if settings.junit_xml:
        write_junit(result, settings.junit_xml)
    if settings.report_html:
        write_html(result, settings.report_html)
    if settings.json_report:
        write_json(result, settings.json_report)
    sys.exit(result.exit_code)


def _given(options: dict[str, object]) -> dict[str, object]:
    """The options given on the command line, as `RunSettings` values (click's defaults go to the lower layers)."""
    context = click.get_current_context()
    given: dict[str, object] = {}
    for name, value in options.items():
        if context.get_parameter_source(name) is not ParameterSource.COMMANDLINE:
            continue
        if name in ("specs", "include_operations", "exclude_operations"):
            value = tuple(value)  # type: ignore[arg-type]
        elif name == "data_mode":
            value = DataMode(str(value))
        elif name == "progress":
            value = ProgressMode(str(value))
        given[name] = value
    return given


@main.command("config")
@CONFIG_OPTION
def show_config(config: Path | None) -> None:
    """Print the effective run options (environment, config file, defaults) and where each came from."""
    try:
        settings, origins = load_run_settings({}, config=config)
    except ConformanceError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_CONFIGURATION)
    for item in fields(settings):
        value = getattr(settings, item.name)
        if item.name == "extra_headers":
            value = {name: "***" for name in value}
        shown = ",".join(str(v) for v in value) if isinstance(value, tuple) else value
        click.echo(f"{item.name} = {shown!s}  ({origins.get(item.name, 'default')})")


def options_table() -> str:
    """The Markdown table of every `run` option (docs/configuration.md holds it; a test keeps the two equal)."""
    defaults = {item.name: item for item in fields(RunSettings)}
    rows = [
        "| option | flag | environment | default | what it does |",
        "|---|---|---|---|---|",
    ]
    for param in run.params:
        if not isinstance(param, click.Option) or param.name not in defaults:
            continue
        item = defaults[param.name]
        default = item.default_factory() if item.default_factory is not MISSING else item.default
        if isinstance(default, tuple):
            default = ",".join(str(v) for v in default) if default else None
        shown = "(required)" if param.name == "specs" else "(none)" if default in (None, {}) else f"`{default}`"
        key = FLAG_NAMES.get(param.name, param.name)
        flag = " / ".join(param.opts + param.secondary_opts)
        environment = f"{ENV_PREFIX}{key.upper()}"
        rows.append(f"| `{key}` | `{flag}` | `{environment}` | {shown} | {param.help or ''} |")
    return "\n".join(rows) + "\n"


def _progress(mode: ProgressMode) -> Progress:
    console = Console(stderr=True)
    if mode is ProgressMode.ON or (mode is ProgressMode.AUTO and console.is_terminal):
        return RichProgress(console)
    return NullProgress()


main.add_command(diff_command, "diff")
