"""`contract-test diff`: the click command of the drift gate (exit 0 pass, 1 findings at --fail-on, 2 bad input)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from conformance.diff.errors import DiffError
from conformance.diff.findings import Level
from conformance.diff.gate import DEFAULT_BASE_REF, DiffOptions, run_diff
from conformance.diff.render import OutputFormat, render, summary_line
from conformance.errors import did_you_mean

__all__ = ["EXIT_ERROR", "EXIT_FINDINGS", "EXIT_OK", "diff_command"]

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
_F = TypeVar("_F", bound=Callable[..., Any])


def _deprecation_days(stability: str) -> Callable[[_F], _F]:
    """`--deprecation-days-<stability>`: oasdiff's grace period for resources at that stability level."""
    return click.option(
        f"--deprecation-days-{stability}",
        type=click.IntRange(min=0),
        default=0,
        show_default=True,
        help=f"Days of notice a deprecation of a {stability} resource must give in x-sunset (0: a date is optional).",
    )


class _OneLineUsageErrors(click.Command):
    """A command whose usage errors are one line on stderr and exit code 2, like its other input errors."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse as click does, turning a usage error into a one-line message."""
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            click.echo(f"Error: {error.format_message()} (see --help)", err=True)
            ctx.exit(EXIT_ERROR)


@click.command(
    "diff",
    cls=_OneLineUsageErrors,
    short_help="Report breaking changes between two versions of a contract.",
    help="Report breaking changes from OLD to NEW; each is a contract file or REF:path (for example "
    "origin/main:specs/sysaid-copilot.yaml, the path from the repository root).",
)
@click.argument("contracts", nargs=-1, metavar="[OLD NEW]")
@click.option(
    "--all",
    "base_ref",
    is_flag=False,
    flag_value=DEFAULT_BASE_REF,
    default=None,
    metavar="[REF]",
    help=f"Compare every contract under --specs-dir with its version at git REF (default {DEFAULT_BASE_REF}).",
)
@click.option(
    "--fail-on",
    callback=lambda _ctx, _param, value: _level(value),
    default=Level.ERR.value,
    show_default=True,
    metavar="ERR|WARN|INFO",
    help="Exit 1 when a finding at this level or above remains after the ignore file.",
)
@click.option(
    "--ignore",
    "ignore_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Accepted changes (`METHOD /path rule-id reason`) and severity overrides (`severity rule-id LEVEL reason`).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice([fmt.value for fmt in OutputFormat], case_sensitive=False),
    default=OutputFormat.TEXT.value,
    show_default=True,
    help="Report format: text, markdown (pull-request comment), json or junit.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the report to this file and print only the summary line.",
)
@click.option(
    "--repo",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Git repository that REF:path and --all read from (default: the current directory).",
)
@click.option(
    "--specs-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("specs"),
    show_default=True,
    help="Directory of the contracts for --all, relative to --repo.",
)
@_deprecation_days("stable")
@_deprecation_days("beta")
@click.pass_context
def diff_command(ctx: click.Context, /, contracts: tuple[str, ...], **options: Any) -> None:
    """Run the drift gate with the command-line options and exit with its verdict."""
    if len(contracts) not in (0, 2):
        _fail(ctx, f"expected two contracts, OLD and NEW, got {len(contracts)}: {' '.join(contracts)}")
    old, new = contracts if contracts else (None, None)
    try:
        settings = DiffOptions(
            old=old,
            new=new,
            base_ref=options["base_ref"],
            fail_on=options["fail_on"],
            ignore_file=options["ignore_file"],
            output_format=OutputFormat(options["output_format"].lower()),
            output=options["output"],
            repo=options["repo"],
            specs_dir=options["specs_dir"],
            deprecation_days_beta=options["deprecation_days_beta"],
            deprecation_days_stable=options["deprecation_days_stable"],
        )
        report = run_diff(settings)
    except DiffError as error:
        _fail(ctx, str(error))
    text = render(report, settings.output_format, settings.fail_on)
    if settings.output is None:
        click.echo(text, nl=False)
    else:
        try:
            settings.output.write_text(text, encoding="utf-8")
        except OSError as error:
            _fail(ctx, f"cannot write the report to {settings.output}: {error.strerror or error}")
        click.echo(summary_line(report, settings.fail_on))
    ctx.exit(EXIT_FINDINGS if report.failing(settings.fail_on) else EXIT_OK)


def _level(value: str) -> Level:
    """`--fail-on` in any case; anything else is a usage error listing the choices."""
    choices = [level.value for level in Level]
    if value.upper() not in choices:
        hint = did_you_mean(value.upper(), choices)
        raise click.BadParameter(f"{value!r} is not a level.{hint} Valid choices: {', '.join(choices)}")
    return Level(value.upper())


def _fail(ctx: click.Context, message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    ctx.exit(EXIT_ERROR)
