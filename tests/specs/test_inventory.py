"""Every operation the contracts issue lists (specs/inventory.yaml) is present in its contract."""

from __future__ import annotations

import pytest
import yaml

from contracts import SPECS_DIR, contract_names, load_contract

SPEC_NAMES = contract_names()

INVENTORY = yaml.safe_load((SPECS_DIR / "inventory.yaml").read_text(encoding="utf-8"))


def test_inventory_names_exactly_the_five_contracts() -> None:
    assert set(INVENTORY) == set(SPEC_NAMES)


@pytest.mark.parametrize("name", SPEC_NAMES)
def test_every_listed_operation_is_declared(name: str) -> None:
    declared = set(load_contract(name).by_label)
    missing = [entry for entry in INVENTORY[name] if entry not in declared]
    assert not missing, f"{name} lacks {missing}"


def test_sysaid_has_all_34_operations() -> None:
    assert len(INVENTORY["sysaid-copilot"]) == 34
    assert len(load_contract("sysaid-copilot").operations) >= 34
