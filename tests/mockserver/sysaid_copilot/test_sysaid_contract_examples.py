"""The contract's own examples succeed against the default fixtures, and the fixture file is checked on load."""

from __future__ import annotations

import copy
import itertools
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from sysaid_support import BASE, SPEC, Sysaid, login_headers

from contracts import FIXTURES_DIR, load_contract
from mockserver.errors import FixtureError
from mockserver.fixtures import load_fixture
from mockserver.vendors import handler_name, sysaid_copilot

CONTRACT = load_contract(SPEC)
SUCCESS = {"ok", "stream", "in-progress", "completed"}


def path_variants(operation_id: str) -> list[str]:
    """The operation's path filled with every combination of its parameters' examples."""
    operation = CONTRACT.operations[operation_id]
    parameters = [p for p in operation.parameters if p.location == "path"]
    choices = [[(p.name, str(e["value"])) for e in p.definition["examples"].values()] for p in parameters]
    variants = []
    for combination in itertools.product(*choices):
        path = operation.path
        for name, value in combination:
            path = path.replace("{" + name + "}", value)
        variants.append(path)
    return variants


def request_bodies(operation_id: str) -> list[dict[str, Any]]:
    """Request keyword arguments for each request-body example (one empty request when there is none)."""
    body = CONTRACT.operations[operation_id].request_body
    content = body.content if body is not None else {}
    if "application/json" in content:
        return [{"json": example} for example in content["application/json"].examples.values()] or [{}]
    if "multipart/form-data" in content:
        examples = content["multipart/form-data"].examples.values()
        return [{"files": {"file": ("example.pdf", e["file"].encode(), "application/pdf")}} for e in examples]
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


def test_all_34_operations_have_a_handler_and_the_module_its_hooks() -> None:
    assert len(CONTRACT.operations) == 34
    exported = set(sysaid_copilot.__all__)
    assert {handler_name(op) for op in CONTRACT.operations} <= exported
    hooks = {
        "SPEC",
        "SECURITY",
        "FIXTURE_SCHEMA",
        "seed",
        "validate_fixture",
        "error_body",
        "refine",
        "fault_reasons",
        "fixture_from_exchanges",
    }
    assert hooks <= exported
    assert exported == hooks | {handler_name(op) for op in CONTRACT.operations}


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
        (lambda d: d["organizations"]["acme"]["streams"][0].update(chatuid=str(uuid.uuid4())), "names unknown chat"),
        (
            lambda d: d["organizations"]["acme"]["longOperations"][0].update(srId=5001),
            "names an unknown chat or SR",
        ),
        (lambda d: d["organizations"]["acme"]["chats"][0].update(createdAt="yesterday"), "createdAt"),
    ],
)
def test_inconsistent_fixtures_are_refused_with_the_reason(tmp_path: Path, change: Any, message: str) -> None:
    folder = fixture_copy(tmp_path, change)
    with pytest.raises(FixtureError, match="sysaid-copilot") as raised:
        sysaid_copilot.validate_fixture(load_fixture(folder, SPEC, sysaid_copilot.FIXTURE_SCHEMA))
    assert message in str(raised.value)


def test_a_duplicate_session_is_named_by_its_user_not_by_the_cookie(tmp_path: Path) -> None:
    secret = "A1B2C3D4E5F60718293A4B5C6D7E8F90"
    folder = fixture_copy(tmp_path, lambda d: d["organizations"]["acme"]["users"][1].update(jsessionid=secret))
    with pytest.raises(FixtureError, match=r"jsessionid of user 'john\.smith' is used twice") as raised:
        sysaid_copilot.validate_fixture(load_fixture(folder, SPEC, sysaid_copilot.FIXTURE_SCHEMA))
    assert secret not in str(raised.value)


def test_the_same_item_id_may_be_used_in_two_datasets_but_not_twice_in_one(tmp_path: Path) -> None:
    fixture = load_fixture(FIXTURES_DIR, SPEC, sysaid_copilot.FIXTURE_SCHEMA)
    sysaid_copilot.validate_fixture(fixture)
    datasets = {d["id"]: d for d in fixture["organizations"]["acme"]["datasets"]}
    assert {i["id"] for i in datasets[123]["items"]} & {i["id"] for i in datasets[4]["items"]} == {456}

    def twice(data: dict[str, Any]) -> None:
        items = data["organizations"]["acme"]["datasets"][1]["items"]
        items.append(dict(items[0]))

    folder = fixture_copy(tmp_path, twice)
    with pytest.raises(FixtureError, match="item id '4:456' is used twice"):
        sysaid_copilot.validate_fixture(load_fixture(folder, SPEC, sysaid_copilot.FIXTURE_SCHEMA))


def test_fixture_schema_refuses_unknown_keys(tmp_path: Path) -> None:
    folder = fixture_copy(tmp_path, lambda d: d["organizations"]["acme"].update(colour="blue"))
    with pytest.raises(FixtureError, match="colour"):
        load_fixture(folder, SPEC, sysaid_copilot.FIXTURE_SCHEMA)


def test_fixture_schema_reads_the_org_fields_and_enums_from_the_contract() -> None:
    schema = sysaid_copilot.FIXTURE_SCHEMA["properties"]["organizations"]["additionalProperties"]
    org_conf = schema["properties"]["orgConf"]["properties"]
    request = CONTRACT.operations["updateOrg"].request_body
    assert request is not None
    body = CONTRACT.resolve(request.content["application/json"].schema)
    assert org_conf == body["properties"]
    item = schema["properties"]["datasets"]["items"]["properties"]["items"]["items"]["properties"]
    assert item["itemType"]["enum"] == [1, 2, 3, 4]


def test_prefix_and_base_url_reach_the_same_handlers(sysaid: Sysaid) -> None:
    direct = sysaid.client.post(f"{BASE}/api/login", headers=login_headers("admin")).json()
    public = sysaid.client.post(f"{BASE}/spaces/api/sysai/api/login", headers=login_headers("admin")).json()
    assert direct == public
