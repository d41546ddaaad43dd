"""Every sample request printed in the two Aisera documents gets the documented answer from the default fixtures.

Aisera Ingestion APIs (the overview page) prints the token request's four body parameters ("Auth") and the eight
entity endpoint URLs ("Setup", "Use") with the two headers they need; it prints no entity body (those are in the
Postman collection, which is not published), so each endpoint is replayed with the contract's first request
example. Aisera Conversation API, API Overview prints the `/api/receive` URL for a query (text) or action feedback
("Use"), the `{followUpId, text}` option snippet (in the "Exceptions" table), `sessionVars` and
`needsSessionHistory` "as a body parameter" (FAQ 1, 9) and the hand-off utterance "I want to talk to an agent"
(FAQ 7, 8). Each is sent as printed; the answer must have the documented status and shape.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient

from contracts import FIXTURES_DIR, load_contract
from mockserver.pipeline.schemas import Direction, SchemaValidator, to_json_schema

MakeClient = Callable[..., TestClient]

INGESTION, CONVERSATION = "aisera-ingestion", "aisera-conversation"
CREDENTIALS = yaml.safe_load((FIXTURES_DIR / "credentials.yaml").read_text(encoding="utf-8"))
INGEST = CREDENTIALS[INGESTION]
CHANNEL = CREDENTIALS[CONVERSATION]
TOKEN_PATH = "/tenant-users/oauth2/token"
PASSWORD_GRANT = {
    "grant_type": "password",
    "client_id": INGEST["app_token"],
    "username": INGEST["username"],
    "password": INGEST["password"],
}
ENDPOINTS = [
    "alerts",
    "changes",
    "incidents",
    "knowledge-articles",
    "problems",
    "requests",
    "requestitems",
    "conversations",
]


def _chat(data: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"token": CHANNEL["token"], "userId": CHANNEL["user_id"], **top, "data": data}


def _acknowledges(entity: str) -> Callable[[dict[str, Any]], bool]:
    return lambda body: body["entity"] == entity and body["accepted"] >= 1


@dataclass(frozen=True)
class Sample:
    """One printed request: where it is printed, what is sent, and what the answer must show."""

    source: str
    spec: str
    path: str
    body: Any
    form: bool = False
    check: Callable[[dict[str, Any]], bool] = lambda body: True


SAMPLES = [
    Sample(
        "Ingestion APIs, Auth: the four body parameters (form encoding)",
        INGESTION,
        TOKEN_PATH,
        PASSWORD_GRANT,
        form=True,
        check=lambda body: body["expires_in"] == 3600 and body["token_type"] == "Bearer",
    ),
    Sample(
        "Ingestion APIs, Auth: the four body parameters as printed (JSON notation)",
        INGESTION,
        TOKEN_PATH,
        PASSWORD_GRANT,
        check=lambda body: body["expires_in"] == 3600,
    ),
    *[
        Sample(
            f"Ingestion APIs, Setup and Use: https://<tenant>.api.aisera.cloud/{entity}",
            INGESTION,
            f"/{entity}",
            None,
            check=_acknowledges(entity),
        )
        for entity in ENDPOINTS
    ],
    Sample(
        "Conversation API, API Overview, Use: a query (text)",
        CONVERSATION,
        "/api/receive",
        _chat({"text": "How do I connect to the wifi?"}),
        check=lambda body: body["modeType"] == "Normal" and body["answers"][0]["type"] == "text",
    ),
    Sample(
        "Conversation API, API Overview, Exceptions: the option snippet sent back as action feedback (FAQ 12)",
        CONVERSATION,
        "/api/receive",
        _chat({"followUpId": "F283672027", "text": "followUpText"}),
        check=lambda body: body["modeType"] == "FlowCompleted" and "laptop" in body["answers"][0]["text"],
    ),
    Sample(
        "Conversation API, API Overview, FAQ 1: sessionVars as a body parameter with a json payload",
        CONVERSATION,
        "/api/receive",
        _chat({"text": "I need a new laptop"}, sessionVars={"department": "Finance", "costCenter": "CC-4410"}),
        check=lambda body: (
            body["sessionVars"] == {"department": "Finance", "costCenter": "CC-4410"}
            and body["modeType"] == "FlowStarted"
        ),
    ),
    Sample(
        "Conversation API, API Overview, FAQ 9: needsSessionHistory as a body parameter with a value of true",
        CONVERSATION,
        "/api/receive",
        _chat({"text": ""}, needsSessionHistory=True),
        check=lambda body: body["history"] == [] and body["answers"] == [],
    ),
    Sample(
        "Conversation API, API Overview, FAQ 7 and 8: the hand-off utterance",
        CONVERSATION,
        "/api/receive",
        _chat({"text": "I want to talk to an agent"}),
        check=lambda body: body["modeType"] == "LiveAgentWaitingUpdate",
    ),
    Sample(
        "Conversation API, API Overview, FAQ 6: a request that starts a workflow (modeType FlowStarted)",
        CONVERSATION,
        "/api/receive",
        _chat({"text": "reset my vpn token"}),
        check=lambda body: (
            body["modeType"] == "FlowStarted"
            and body["answers"][0]["options"][0] == {"followUpId": "F283672027", "text": "Laptop"}
        ),
    ),
]


def _first_example(spec: str, path: str) -> Any:
    operation = load_contract(spec).match("post", path)
    assert operation is not None and operation.request_body is not None
    return next(iter(operation.request_body.content["application/json"].examples.values()))


def _ingestion_headers(client: TestClient) -> dict[str, str]:
    response = client.post(f"/{INGESTION}{TOKEN_PATH}", data=PASSWORD_GRANT)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}", "x-app-token": INGEST["app_token"]}


def _success_schema(spec: str, path: str) -> SchemaValidator:
    contract = load_contract(spec)
    operation = contract.match("post", path)
    assert operation is not None
    schema = operation.responses["200"].content["application/json"].schema
    return SchemaValidator.compile(to_json_schema(contract.document, schema, Direction.RESPONSE))


def test_every_printed_endpoint_is_replayed() -> None:
    paths = {sample.path for sample in SAMPLES}
    contracts = [load_contract(INGESTION), load_contract(CONVERSATION)]
    assert paths == {operation.path for contract in contracts for operation in contract}


@pytest.mark.parametrize("sample", SAMPLES, ids=[sample.source for sample in SAMPLES])
def test_seed_sample_gets_the_documented_answer(make_client: MakeClient, sample: Sample) -> None:
    client = make_client(specs=(sample.spec,))
    headers = _ingestion_headers(client) if sample.spec == INGESTION and sample.path != TOKEN_PATH else {}
    url = f"/{sample.spec}{sample.path}"
    body = sample.body if sample.body is not None else _first_example(sample.spec, sample.path)
    response = (
        client.post(url, data=body, headers=headers) if sample.form else client.post(url, json=body, headers=headers)
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    answer = response.json()
    assert _success_schema(sample.spec, sample.path).is_valid(answer), answer
    assert sample.check(answer), answer
