"""`contract-mock serve --reload`: watch `specs/` and the fixtures folder, and apply changes without a restart and
without losing stored state.

- A changed contract is loaded and compiled again; the new operations serve from the next request on. A contract
  that no longer loads or compiles (bad YAML, a missing handler...) keeps the previous one serving, and the log says
  why. Swagger UI keeps the page it loaded; the served `openapi.json` shows the new contract.
- A changed fixture file is validated and seeded over the stored state (fixture identities are added or updated,
  records clients stored are kept); an invalid one changes nothing, and the log says why.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import watchfiles

from contracts import SPECS_DIR, ContractError, load_contract_file, registration
from mockserver.errors import MockServerError
from mockserver.fixtures import load_fixture
from mockserver.pipeline.serve import Mount
from mockserver.runtime import Runtime

__all__ = ["apply_changes", "watch"]

log = logging.getLogger("mockserver.reload")


async def apply_changes(
    rt: Runtime, mounts: dict[str, Mount], served: dict[str, dict[str, Any]], paths: set[Path]
) -> list[str]:
    """Apply changed contract and fixture files; returns one line per change applied or refused."""
    from mockserver.app import compile_mount, served_document
    from mockserver.banner import demo_credentials

    outcome: list[str] = []
    fixtures = Path(rt.settings.fixtures).resolve()
    for spec in rt.contracts:
        entry = registration(spec)
        contract_file = entry.contract_file.resolve()
        fixture_file = entry.fixture_file(fixtures).resolve()
        if contract_file in paths:
            try:
                contract = load_contract_file(contract_file, spec)
                mount = compile_mount(rt, contract)
            except (ContractError, MockServerError, KeyError, ValueError) as exc:
                outcome.append(f"{spec}: contract not reloaded, the previous one keeps serving: {exc}")
                log.error("%s", outcome[-1])
            else:
                mounts[spec] = mount
                rt.contracts[spec] = contract
                rt.apis[spec] = mount.api
                served[spec] = served_document(contract, demo_credentials(fixtures).get(spec, {}), rt.behaviours[spec])
                outcome.append(f"{spec}: contract reloaded ({len(contract.operations)} operations)")
                log.warning("%s", outcome[-1])
        if fixture_file in paths:
            behaviour = rt.behaviours[spec]
            try:
                data = load_fixture(fixtures, spec, dict(behaviour.fixture_schema))
                if behaviour.validate_fixture is not None:
                    behaviour.validate_fixture(data)
                async with rt.store.transaction():
                    await behaviour.seed(rt.store, data)
                await rt.changed()  # every worker drops what it cached of the old fixtures
            except MockServerError as exc:
                outcome.append(f"{spec}: fixtures not reloaded, nothing changed: {exc}")
                log.error("%s", outcome[-1])
            else:
                outcome.append(f"{spec}: fixtures reloaded over the stored state")
                log.warning("%s", outcome[-1])
    return outcome


async def watch(rt: Runtime, mounts: dict[str, Mount], served: dict[str, dict[str, Any]]) -> None:
    """Watch the contracts and fixtures folders until cancelled."""
    folders = [SPECS_DIR, Path(rt.settings.fixtures)]
    log.warning("reload: watching %s", ", ".join(str(folder) for folder in folders))
    async for changes in watchfiles.awatch(*folders, debounce=200, step=50):
        await apply_changes(rt, mounts, served, {Path(path).resolve() for _, path in changes})
