"""The contract's own examples succeed against the default fixtures, and the fixture file is checked on load."""

from __future__ import annotations

import copy
import itertools
from pathlib import Path
from typing import Any

import pytest
import yaml
from sysaid_support import BASE, SPEC, Sysaid, login_headers

from mockserver.contracts import FIXTURES_DIR, load_contract
from mockserver.errors import FixtureError
from mockserver.fixtures import load_fixture
from mockserver.store import Store
from mockserver.vendors import sysaid_copilot

CONTRACT = load_contract(SPEC)
SUCCESS = {"ok", "stream", "in-progress", "completed"}


def path_variants(operation_id: str) -> list[str]:
    """The operation's path filled with every combination of its parameters' examples."""
    operation = CONTRACT.operations[operation_id]
    parameters = [p for p in operation.definition.get("parameters", []) if p["in"] == "path"]
    choices = [[(p["name"], str(e["value"])) for e in p["examples"].values()] for p in parameters]
    variants = []
    for combination in itertools.product(*choices):
        path = operation.path
        for name, value in combination:
            path = path.replace("{" + name + "}", value)
        variants.append(path)
    return variants


def request_bodies(operation_id: str) -> list[dict[str, Any]]:
    """Request keyword arguments for each request-body example (one empty request when there is none)."""
    content = CONTRACT.operations[operation_id].definition.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        return [{"json": e["value"]} for e in content["application/json"].get("examples", {}).values()] or [{}]
    if "multipart/form-data" in content:
        examples = content["multipart/form-data"]["examples"].values()
        return [{"files": {"file": ("example.pdf", e["value"]["file"].encode(), "application/pdf")}} for e in examples]
    return [{}]


def succeeded(response: Any) -> bool:
    if response.status_code != 200:
        return False
    if not response.headers.get("content-type", "").startswith("application/json"):
        return True
    body = response.json()
    return body.get("status", "ok") in SUCCESS


@pytest.mark.parametrize("operation_id", sorted(CONTRACT.operations))
def test_every_contract_example_succeeds(make_sysaid: Any, operation_id: str) -> None:
    operation = CONTRACT.operations[operation_id]
    for kwargs in request_bodies(operation_id):
        outcomes = []
        for path in path_variants(operation_id):
            sysaid: Sysaid = make_sysaid()
            response = sysaid.call(operation.method, path, **copy.deepcopy(kwargs))
            outcomes.append((path, response.status_code, response.text[:200]))
            if succeeded(response):
                break
        else:
            pytest.fail(f"{operation_id}: no example combination succeeded: {outcomes}")


def test_all_34_operations_have_a_handler() -> None:
    assert len(CONTRACT.operations) == 34
    exported = set(sysaid_copilot.__all__)
    from mockserver.contracts import snake_case

    assert {snake_case(op) for op in CONTRACT.operations} <= exported
    assert {"SPEC", "SECURITY", "FIXTURE_SCHEMA", "seed", "error_body", "prepare_contract"} <= exported


def fixture_copy(tmp_path: Path, change: Any) -> Path:
    data = yaml.safe_load((FIXTURES_DIR / f"{SPEC}.yaml").read_text(encoding="utf-8"))
    change(data)
    (tmp_path / f"{SPEC}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["organizations"]["globex"].update(hostname="acme.sysaidit.com"), "hostname 'acme.sysaidit.com'"),
        (
            lambda d: d["organizations"]["acme"]["users"][1].update(jsessionid="A1B2C3D4E5F60718293A4B5C6D7E8F90"),
            "jsessionid",
        ),
        (lambda d: d["organizations"]["acme"]["serviceRequests"][0].update(requester="nobody"), "unknown requester"),
        (lambda d: d["organizations"]["acme"]["chats"][0].update(username="nobody"), "unknown user"),
        (lambda d: d["organizations"]["globex"]["datasets"][0].update(id=4), "dataset id '4' is used twice"),
    ],
)
def test_inconsistent_fixtures_are_refused_with_the_reason(tmp_path: Path, change: Any, message: str) -> None:
    folder = fixture_copy(tmp_path, change)
    with pytest.raises(FixtureError, match="sysaid-copilot") as raised:
        sysaid_copilot.seed(Store(), load_fixture(folder, SPEC))
    assert message in str(raised.value)


def test_fixture_schema_refuses_unknown_keys(tmp_path: Path) -> None:
    folder = fixture_copy(tmp_path, lambda d: d["organizations"]["acme"].update(colour="blue"))
    with pytest.raises(FixtureError, match="colour"):
        load_fixture(folder, SPEC)


def test_prefix_and_base_url_reach_the_same_handlers(sysaid: Sysaid) -> None:
    direct = sysaid.client.post(f"{BASE}/api/login", headers=login_headers("admin")).json()
    public = sysaid.client.post(f"{BASE}/spaces/api/sysai/api/login", headers=login_headers("admin")).json()
    assert direct == public
