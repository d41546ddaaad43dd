"""A bounded fuzz of every JSON operation of the five contracts with bodies no JSON reader should trust: deep
nesting, non-finite numbers, lone surrogates (as values and as keys), huge numbers, invalid UTF-8, oversized and
truncated bodies, and hostile values planted inside each operation's own documented example. Sent with valid
credentials, so the body parser is what is tested. None may get a 5xx, every answer must be one the operation's
contract declares (response validation is on and the mock journals any breach), and the store stays readable."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from contracts import FIXTURES_DIR, Operation, contract_names, load_contract
from mockserver import Settings, create_app

DEMO = yaml.safe_load((FIXTURES_DIR / "credentials.yaml").read_text())
PATH_VALUES = {"datasetId": "1", "id": "1", "orgId": "acme", "userId": "agent-001", "chatuid": "x", "index": "0"}
LIMIT = 64 * 1024

FIXED: dict[str, bytes] = {
    "nested-1000": b"[" * 1000 + b"]" * 1000,
    "nested-object-inside": b'{"a": ' + b'{"b": ' * 900 + b"1" + b"}" * 901,
    "nan": b'{"x": NaN}',
    "infinity": b'{"x": -Infinity}',
    "overflow": b'{"x": 1e400}',
    "huge-integer": b'{"x": ' + b"7" * 5000 + b"}",
    "surrogate-value": b'{"x": "\\ud800"}',
    "surrogate-key": b'{"\\udfff": 1}',
    "invalid-utf8": b'{"x": "\xff\xfe"}',
    "truncated": b'{"x": ',
    "null": b"null",
    "oversized": b'{"x": "' + b"y" * (LIMIT + 10) + b'"}',
}
HOSTILE = st.sampled_from(["NaN", "Infinity", "1e999", '"\\ud83d"', "[" * 80 + "]" * 80, "9" * 4400])


def _operations() -> Iterator[Operation]:
    for name in contract_names():
        for operation in load_contract(name):
            body = operation.request_body
            if body is not None and any(media.endswith("json") for media in body.content):
                yield operation


OPERATIONS = list(_operations())


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(max_body_bytes=LIMIT)), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def credentials(client: TestClient) -> dict[str, dict[str, Any]]:
    """Headers and cookies that authenticate each API against the default fixtures."""
    aisera, alvaria, sysaid = DEMO["aisera-ingestion"], DEMO["alvaria-messaging"], DEMO["sysaid-copilot"]
    grant = client.post(
        "/aisera-ingestion/tenant-users/oauth2/token",
        data={
            "grant_type": "password",
            "client_id": aisera["app_token"],
            "username": aisera["username"],
            "password": aisera["password"],
        },
    ).json()
    token = client.post(
        "/alvaria-messaging/tokenservice/oauth2/access_token",
        params={"realm": alvaria["org_id"]},
        data={"grant_type": "client_credentials", "scope": alvaria["scope"]},
        auth=(alvaria["client_id"], alvaria["client_secret"]),
    ).json()["access_token"]
    alvaria_headers = {"Authorization": f"Bearer {token}", "x-api-key": alvaria["api_key"]}
    session = client.post(
        f"/alvaria-messaging/via/v2/organizations/{alvaria['org_id']}/streaming/session",
        json={},
        headers=alvaria_headers,
    ).json()["sessionId"]
    return {
        "aisera-ingestion": {
            "headers": {"Authorization": f"Bearer {grant['access_token']}", "x-app-token": aisera["app_token"]}
        },
        "aisera-conversation": {"headers": {}},
        "sysaid-copilot": {
            "headers": {
                "x-sysaid-hostname": sysaid["hostname"],
                "Cookie": f"JSESSIONID={sysaid['admin']['jsessionid']}; SERVERID={sysaid['admin']['serverid']}",
            },
        },
        "asapp-metadata-ingestion": {
            "headers": {
                "asapp-api-id": DEMO["asapp-metadata-ingestion"]["api_id"],
                "asapp-api-secret": DEMO["asapp-metadata-ingestion"]["api_secret"],
            }
        },
        "alvaria-messaging": {"headers": {**alvaria_headers, "via-client-sessionid": session}},
    }


def _url(operation: Operation) -> str:
    path = operation.path
    for name, value in PATH_VALUES.items():
        path = path.replace("{" + name + "}", value)
    return f"/{operation.contract}{path}"


def _send(client: TestClient, credentials: dict[str, Any], operation: Operation, body: bytes) -> Any:
    auth = credentials[operation.contract]
    headers = {**auth["headers"], "content-type": "application/json"}
    return client.request(operation.method.upper(), _url(operation), content=body, headers=headers)


def _judge(operation: Operation, response: Any, what: str) -> None:
    assert response.status_code < 500, f"{operation.label} [{operation.operation_id}] {what}: {response.status_code}"
    assert operation.declares(response.status_code), f"{operation.label} {what}: undeclared {response.status_code}"


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: f"{op.contract}:{op.operation_id}")
def test_hostile_bodies_get_a_declared_refusal(
    client: TestClient, credentials: dict[str, Any], operation: Operation
) -> None:
    for name, body in FIXED.items():
        _judge(operation, _send(client, credentials, operation, body), name)


def _example(operation: Operation) -> Any:
    assert operation.request_body is not None
    for media, content in operation.request_body.content.items():
        if media.endswith("json") and content.examples:
            return copy.deepcopy(next(iter(content.examples.values())))
    return {"x": 1}


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path


def _plant(example: Any, path: tuple[Any, ...], hostile: str) -> bytes:
    """The example's JSON text with one leaf replaced by raw hostile JSON text."""
    marker = "\u0000PLANT\u0000"
    if not path:
        return hostile.encode()
    target = example
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = marker
    return json.dumps(example).replace(json.dumps(marker), hostile).encode()


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: f"{op.contract}:{op.operation_id}")
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None)
@given(data=st.data())
def test_hostile_values_inside_the_documented_example(
    client: TestClient, credentials: dict[str, Any], operation: Operation, data: st.DataObject
) -> None:
    example = _example(operation)
    paths = list(_leaves(example))
    path = data.draw(st.sampled_from(paths), label="leaf")
    hostile = data.draw(HOSTILE, label="value")
    _judge(operation, _send(client, credentials, operation, _plant(example, path, hostile)), f"{path}={hostile[:20]}")


def test_nothing_stored_is_unreadable_afterwards(client: TestClient) -> None:
    for name in contract_names():
        collections = client.get(f"/__admin/records/{name}")
        assert collections.status_code in (200, 404)
        for collection in (collections.json().get("collections") or {}) if collections.status_code == 200 else {}:
            assert client.get(f"/__admin/records/{name}/{collection}").status_code == 200
    breaches = [
        entry
        for entry in client.get("/__admin/journal", params={"limit": 10000}).json()["entries"]
        if any(problem.get("kind") == "contract-breach" for problem in entry.get("problems", []))
    ]
    assert breaches == []
