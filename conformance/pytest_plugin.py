"""pytest plugin (entry point `pytest11: contract`): embed the contracts in a team's own test suite.

    pytest --contract-spec sysaid-copilot --contract-base-url http://127.0.0.1:8080/sysaid-copilot
    pytest --contract-spec all --contract-app 'mockserver:create_app()'     # the mock, in-process

Every option can also be set in the ini file (`pytest.ini`, or `[tool.pytest.ini_options]` in pyproject.toml),
without the dashes: `contract_spec` (one per line), `contract_base_url`, `contract_app`, `contract_credentials`,
`contract_max_examples`, `contract_seed`, `contract_phases`, `contract_read_only`. Command-line options win.

Each selected operation becomes a test item `contract:<spec>::<operationId>` (select with `-k`). The contract's
whole campaign runs once, when its first item runs (so stateful sequences still span operations); each item then
fails with its operation's findings, in the same "Received / Documented" form as the command line, and with the
campaign's errors: an error on the operation fails its item, an error of the whole run (the target down, refused
credentials, nothing tested) fails every item of the contract.

The `contract_mock` fixture gives a consumer's own tests the mock server: `contract_mock.app` in-process, or
`contract_mock.url("sysaid-copilot")` served on a free loopback port for the whole session.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.errors import ConformanceError
from conformance.local_mock import LocalMock
from conformance.results import SpecResult
from conformance.settings import Phase, ProgressMode, RunSettings, parse_enum_list

__all__ = ["ContractItem", "ContractNode", "ContractViolation", "contract_mock", "load_app"]

RESULTS_KEY = pytest.StashKey[dict[str, SpecResult]]()
DEFAULT_MAX_EXAMPLES = 25
# (option name without dashes, ini type, help); command-line values win over the ini file.
OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("contract_spec", "linelist", "Contract to test (repeatable) or 'all'."),
    ("contract_base_url", "string", "Base URL; '{spec}' is replaced by the contract name."),
    ("contract_app", "string", "In-process ASGI app as module:attribute (module:factory() to call)."),
    ("contract_credentials", "string", "Credentials YAML (default: the mock's fixture credentials)."),
    (
        "contract_max_examples",
        "string",
        f"Examples per operation in fuzzing and stateful (default {DEFAULT_MAX_EXAMPLES}).",
    ),
    ("contract_seed", "string", "Generation seed."),
    ("contract_phases", "string", "Comma-separated phases (default: all): examples, coverage, fuzzing, stateful."),
    ("contract_read_only", "bool", "Send only safe methods."),
)


class ContractViolation(Exception):
    """An operation broke its contract (or could not be tested); the message says how."""


def load_app(reference: str) -> Any:
    """Import `module:attribute`; a trailing `()` calls it (an app factory without arguments)."""
    module_name, _, attribute = reference.partition(":")
    if not module_name or not attribute:
        raise pytest.UsageError(f"--contract-app {reference!r}: expected module:attribute or module:factory()")
    call = attribute.endswith("()")
    try:
        target = getattr(importlib.import_module(module_name), attribute.removesuffix("()"))
    except (ImportError, AttributeError) as exc:
        raise pytest.UsageError(f"--contract-app {reference!r}: {exc}") from exc
    return target() if call else target


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the `--contract-*` options and their ini-file twins."""
    group = parser.getgroup("contract", "contract conformance (conformance harness)")
    for name, kind, help_text in OPTIONS:
        flag = "--" + name.replace("_", "-")
        if kind == "linelist":
            group.addoption(flag, dest=name, action="append", default=[], help=help_text)
        elif kind == "bool":
            group.addoption(flag, dest=name, action="store_true", default=None, help=help_text)
        else:
            group.addoption(flag, dest=name, help=help_text)
        parser.addini(name, help_text, type=kind)  # type: ignore[arg-type]


def _option(config: pytest.Config, name: str) -> Any:
    value = config.getoption(name)
    if value not in (None, []):
        return value
    ini = config.getini(name)
    return ini if ini not in ("", []) else None


def _int(config: pytest.Config, name: str) -> int | None:
    value = _option(config, name)
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise pytest.UsageError(f"{name.replace('_', '-')}: expected an integer, got {value!r}") from None


def _settings(config: pytest.Config) -> RunSettings:
    base_url, app = _option(config, "contract_base_url"), _option(config, "contract_app")
    if base_url is None and app is None:
        raise pytest.UsageError(
            "--contract-spec needs --contract-base-url URL (or contract_base_url in the ini file), "
            "or --contract-app module:app for an in-process app"
        )
    credentials = _option(config, "contract_credentials")
    phases = _option(config, "contract_phases")
    try:
        selected = parse_enum_list(phases, Phase, "--contract-phases") if phases else tuple(Phase)
    except ConformanceError as exc:
        raise pytest.UsageError(str(exc)) from None
    return RunSettings(
        phases=selected,
        specs=tuple(_option(config, "contract_spec") or ()),
        base_url=base_url,
        credentials_file=Path(credentials) if credentials else None,
        max_examples=_int(config, "contract_max_examples") or DEFAULT_MAX_EXAMPLES,
        seed=_int(config, "contract_seed"),
        read_only=bool(_option(config, "contract_read_only")),
        progress=ProgressMode.OFF,
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Add one node per contract and one item per selected operation of each `--contract-spec`."""
    if not _option(config, "contract_spec"):
        return
    # Imported here so that suites not using the plugin do not load Schemathesis' engine.
    from conformance.contracts import load_contract, resolve_spec_names
    from conformance.runner import select_operations

    try:
        settings = _settings(config)
        specs = resolve_spec_names(settings.specs)
        selection = select_operations([load_contract(name) for name in specs], settings)
    except ConformanceError as exc:
        raise pytest.UsageError(str(exc)) from exc
    config.stash[RESULTS_KEY] = {}
    for spec in specs:
        node = ContractNode.from_parent(session, name=f"contract:{spec}", nodeid=f"contract:{spec}", spec=spec)
        added: list[pytest.Item | pytest.Collector] = [
            ContractItem.from_parent(node, name=operation_id, nodeid=f"{node.nodeid}::{operation_id}", spec=spec)
            for operation_id in selection[spec]
        ]
        items.extend(item for item in added if isinstance(item, pytest.Item))
        # Tell the terminal reporter, so "collected N items" counts the contract's items too.
        config.hook.pytest_collectreport(report=pytest.CollectReport(node.nodeid, "passed", None, added))


class ContractNode(pytest.Collector):
    """One contract; its items are its selected operations (made at collection, not here)."""

    def __init__(self, *, spec: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec

    def collect(self) -> list[pytest.Item]:
        """Nothing to collect: the plugin adds the items itself."""
        return []


class ContractItem(pytest.Item):
    """One operation of one contract."""

    def __init__(self, *, spec: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec
        self.operation_id = self.name

    def _result(self) -> SpecResult:
        results = self.config.stash[RESULTS_KEY]
        if self.spec not in results:
            from conformance.runner import Campaign

            settings = _settings(self.config).with_changes(specs=(self.spec,))
            reference = _option(self.config, "contract_app")
            try:
                app = load_app(reference) if reference else None
                run = Campaign(settings, app=app).run()
                results[self.spec] = run.specs[0] if run.specs else SpecResult(self.spec, "", 0, untested="no run")
            except ConformanceError as exc:
                results[self.spec] = SpecResult(self.spec, settings.base_url or "", 0, untested=str(exc))
        return results[self.spec]

    def runtest(self) -> None:
        """Fail with this operation's findings, the errors on it, and the errors of the whole campaign."""
        result = self._result()
        if result.untested is not None:
            raise ContractViolation(f"{self.spec} not tested: {result.untested}")
        label = next((c.operation for c in result.coverage.operations.values() if c.operation_id == self.name), "")
        problems = [f.render() for f in result.new_findings if f.operation_id == self.operation_id]
        problems += [f"error: {e.render()}" for e in result.errors if not e.operations or label in e.operations]
        if problems:
            raise ContractViolation("\n\n".join(problems))
        if label == "":
            reason = next((note for note in result.notes if self.name in note and note.startswith("not tested")), "")
            pytest.skip(reason or f"{self.name} was not part of the campaign")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        """The findings themselves, without a Python traceback."""
        if isinstance(excinfo.value, ContractViolation):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        """Where pytest says the item lives."""
        return self.path, None, f"contract {self.spec}: {self.name}"


@pytest.fixture(scope="session")
def contract_mock() -> Iterator[LocalMock]:
    """The mock server with its default fixtures: `.app` in-process, `.url(spec)` on a free loopback port."""
    mock = LocalMock()
    try:
        yield mock
    finally:
        mock.close()
