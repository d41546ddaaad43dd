"""pytest plugin (entry point `pytest11: contract`): embed the contracts in a team's own test suite.

    pytest --contract-spec sysaid-copilot --contract-base-url http://127.0.0.1:8000/sysaid-copilot
    pytest --contract-spec all --contract-app mockserver.testing:app     # in-process ASGI app

Each selected operation becomes a test item `contract[<spec>:<operationId>]`. The whole contract's campaign
runs once, when its first item runs (so stateful sequences still span operations); each item then fails
with that operation's findings, in the same "Received / Documented" form as the command line.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

from conformance.errors import ConformanceError
from conformance.results import SpecResult
from conformance.settings import ProgressMode, RunSettings

__all__ = ["ContractItem", "ContractViolation", "load_app"]

RESULTS_KEY = pytest.StashKey[dict[str, SpecResult]]()


class ContractViolation(Exception):
    """An operation broke its contract; the message holds every finding."""


def load_app(reference: str) -> Any:
    """Import `module:attribute`; a trailing `()` calls it (an app factory without arguments)."""
    module_name, _, attribute = reference.partition(":")
    call = attribute.endswith("()")
    target = getattr(importlib.import_module(module_name), attribute.removesuffix("()"))
    return target() if call else target


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the `--contract-*` options."""
    group = parser.getgroup("contract", "contract conformance (conformance harness)")
    group.addoption("--contract-spec", action="append", default=[], help="Contract to test (repeatable) or 'all'.")
    group.addoption("--contract-base-url", help="Base URL; '{spec}' is replaced by the contract name.")
    group.addoption("--contract-app", help="In-process ASGI app as module:attribute (module:factory() to call).")
    group.addoption("--contract-credentials", type=Path, help="Credentials YAML (default: fixture credentials).")
    group.addoption("--contract-max-examples", type=int, default=25, help="Examples per operation and phase.")
    group.addoption("--contract-seed", type=int, help="Generation seed.")
    group.addoption("--contract-read-only", action="store_true", help="Send only safe methods.")


def _settings(config: pytest.Config) -> RunSettings:
    return RunSettings(
        specs=tuple(config.getoption("contract_spec")),
        base_url=config.getoption("contract_base_url"),
        credentials_file=config.getoption("contract_credentials"),
        max_examples=config.getoption("contract_max_examples"),
        seed=config.getoption("contract_seed"),
        read_only=config.getoption("contract_read_only"),
        progress=ProgressMode.OFF,
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Add one item per selected operation of each `--contract-spec`."""
    if not config.getoption("contract_spec"):
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
        for operation_id in selection[spec]:
            items.append(
                ContractItem.from_parent(
                    session, name=f"contract[{spec}:{operation_id}]", spec=spec, operation_id=operation_id
                )
            )


class ContractItem(pytest.Item):
    """One operation of one contract."""

    def __init__(self, *, spec: str, operation_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec
        self.operation_id = operation_id

    def _result(self) -> SpecResult:
        results = self.config.stash[RESULTS_KEY]
        if self.spec not in results:
            from conformance.runner import Campaign

            settings = _settings(self.config).with_changes(specs=(self.spec,))
            reference = self.config.getoption("contract_app")
            app = load_app(reference) if reference else None
            run = Campaign(settings, app=app).run()
            results[self.spec] = run.specs[0] if run.specs else SpecResult(self.spec, "", 0)
        return results[self.spec]

    def runtest(self) -> None:
        """Fail with this operation's findings (and the campaign's engine errors, reported once)."""
        result = self._result()
        findings = [f for f in result.new_findings if f.operation_id == self.operation_id]
        if findings:
            raise ContractViolation("\n\n".join(f.render() for f in findings))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        """The findings themselves, without a Python traceback."""
        if isinstance(excinfo.value, ContractViolation):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        """Where pytest says the item lives."""
        return self.path, None, self.name
