"""The admin client a team's own tests use: override the next answers of an operation, then verify the calls."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mockserver import AdminClient, AdminError, Settings, VerificationFailed, create_app

ASAPP = "asapp-metadata-ingestion"
SINGLE = f"/{ASAPP}/metadata-ingestion/v1/single-agent-metadata"
HEADERS = {"asapp-api-id": "asapp-demo-app-id", "asapp-api-secret": "asapp-demo-app-secret"}
TOO_MANY = {"error": {"requestId": "r-1", "code": "429-01", "message": "Too Many Requests"}}


@pytest.fixture
def origin(serve_app: Any) -> str:
    return str(serve_app(create_app(Settings(specs=(ASAPP,)))))


def test_override_the_third_call_then_verify(origin: str) -> None:
    with AdminClient(origin) as admin, httpx.Client(base_url=origin) as client:
        admin.override(ASAPP, "singleAgentMetadata", status=429, body=TOO_MANY, headers={"Retry-After": "1"}, skip=2)
        statuses = [
            client.post(SINGLE, json={"externalAgentId": "agent-1"}, headers=HEADERS).status_code for _ in range(4)
        ]
        assert statuses == [200, 200, 429, 200]
        assert admin.verify(ASAPP, "singleAgentMetadata", count=4, body={"externalAgentId": "agent-1"}) == 4
        assert admin.count(ASAPP, "singleAgentMetadata", status=429) == 1
        with pytest.raises(VerificationFailed, match="expected exactly 1 call") as failed:
            admin.verify(ASAPP, "singleAgentMetadata", count=1, body={"externalAgentId": "agent-2"})
        assert failed.value.closest and "does not contain" in failed.value.closest[0]["differences"][0]


def test_an_undeclared_answer_is_refused_and_reset_clears_overrides(origin: str) -> None:
    with AdminClient(origin) as admin, httpx.Client(base_url=origin) as client:
        with pytest.raises(AdminError, match="status 418 is not declared"):
            admin.override(ASAPP, "singleAgentMetadata", status=418)
        admin.override(ASAPP, "singleAgentMetadata", status=429, body=TOO_MANY, headers={"Retry-After": "1"})
        admin.reset()
        assert client.post(SINGLE, json={"externalAgentId": "a"}, headers=HEADERS).status_code == 200


def test_the_readme_example_works_with_the_contract_mock_fixture(contract_mock: Any) -> None:
    """README, "Use the mock from your own tests", with a stand-in for the team's client."""
    base = contract_mock.url(ASAPP)
    with AdminClient(contract_mock.start()) as admin, httpx.Client(base_url=base) as client:
        admin.reset()
        admin.override(ASAPP, "singleAgentMetadata", skip=2, status=429, headers={"Retry-After": "1"}, body=TOO_MANY)
        sent = []
        for agent in ("agent-1", "agent-2", "agent-3"):
            while True:  # the team's client: retry once after a 429
                answer = client.post("/metadata-ingestion/v1/single-agent-metadata", json={"externalAgentId": agent},
                                     headers=HEADERS)  # fmt: skip
                sent.append(answer.status_code)
                if answer.status_code != 429:
                    break
        assert sent == [200, 200, 429, 200]
        admin.verify(ASAPP, "singleAgentMetadata", count=2, body={"externalAgentId": "agent-3"})
