"""Helpers of the SysAid Copilot mock tests: fixture identities, a client that logs in as one of them, and a
Server-Sent Events reader that checks every event against the contract's `x-sse-events`."""

from __future__ import annotations

import functools
import json
from typing import Any

import httpx
import yaml
from starlette.testclient import TestClient

from contracts import FIXTURES_DIR, load_contract
from mockserver.pipeline.schemas import Direction, SchemaValidator, to_json_schema
from mockserver.problems import Location

SPEC = "sysaid-copilot"
BASE = f"/{SPEC}"
CREDENTIALS = yaml.safe_load((FIXTURES_DIR / "credentials.yaml").read_text(encoding="utf-8"))[SPEC]
ACME = CREDENTIALS["hostname"]
GLOBEX = "globex.sysaidit.com"
IDENTITIES: dict[str, tuple[str, str]] = {
    "admin": (ACME, CREDENTIALS["admin"]["jsessionid"]),
    "user": (ACME, CREDENTIALS["user"]["jsessionid"]),
    "user2": (ACME, "7C6B5A4938271605F4E3D2C1B0A99887"),
    "globex_admin": (GLOBEX, "9F8E7D6C5B4A39281706F5E4D3C2B1A0"),
    "globex_user": (GLOBEX, "1122334455667788AABBCCDDEEFF0011"),
}
EXAMPLE_CHAT = "123e4567-e89b-12d3-a456-426614174000"


def login_headers(who: str | None) -> dict[str, str]:
    """The cookies and hostname header of a fixture identity (none for None)."""
    if who is None:
        return {}
    hostname, jsessionid = IDENTITIES[who]
    return {"x-sysaid-hostname": hostname, "Cookie": f"JSESSIONID={jsessionid}; SERVERID=srv-app-01"}


class Sysaid:
    """A test client for the SysAid mock that sends a fixture identity's credentials."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def call(self, method: str, path: str, who: str | None = "admin", **kwargs: Any) -> httpx.Response:
        """`method path` under the contract's base URL, logged in as `who`."""
        headers = {**login_headers(who), **kwargs.pop("headers", {})}
        response: httpx.Response = self.client.request(method, BASE + path, headers=headers, **kwargs)
        return response

    def ok(self, method: str, path: str, who: str | None = "admin", **kwargs: Any) -> dict[str, Any]:
        """The body of a call that must succeed with `status` "ok"."""
        response = self.call(method, path, who, **kwargs)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert body["status"] == "ok", body
        return body

    def refused(self, method: str, path: str, who: str | None = "admin", **kwargs: Any) -> str:
        """The message of a call the service refuses in-band (HTTP 200, `status` "error")."""
        response = self.call(method, path, who, **kwargs)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] == "error", body
        return str(body.get("error", body.get("message")))

    def advance(self, seconds: float) -> None:
        """Move the mock clock forward through the admin API."""
        assert self.client.post("/__admin/clock/advance", json={"seconds": seconds}).status_code == 200

    def records(self, collection: str) -> list[dict[str, Any]]:
        """The stored documents of one of this vendor's collections (admin API)."""
        response = self.client.get(f"/__admin/records/{SPEC}/{collection}")
        return list(response.json()["records"]) if response.status_code == 200 else []

    def journal(self, kind: str) -> list[dict[str, Any]]:
        """This vendor's journal entries of one kind."""
        response = self.client.get("/__admin/journal", params={"spec": SPEC, "kind": kind})
        assert response.status_code == 200
        return list(response.json()["entries"])


@functools.cache
def event_validators(operation_id: str = "streamChat") -> dict[str, SchemaValidator]:
    """The data validator of each event name the operation's `text/event-stream` answer declares in `x-sse-events`."""
    contract = load_contract(SPEC)
    response = contract.resolve(contract.operations[operation_id].definition["responses"]["200"])
    declared = response["content"]["text/event-stream"]["x-sse-events"]
    return {
        name: SchemaValidator.compile(to_json_schema(contract.document, schema, Direction.RESPONSE))
        for name, schema in declared.items()
    }


def parse_events(text: str) -> list[tuple[str, str]]:
    """(event name, data text) of every event of an SSE body, as the SSE format defines them (no name: "message")."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        if not block.strip():
            continue
        name, data = "message", []
        for line in block.split("\n"):
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)
        events.append((name, "\n".join(data)))
    return events


def checked_events(text: str, operation_id: str = "streamChat") -> list[tuple[str, dict[str, Any]]]:
    """The events of an SSE body with their decoded data, each checked against the schema `x-sse-events` names for
    it; the stream must end with its last event (`done` or `error`) and have no other after it."""
    validators = event_validators(operation_id)
    events = []
    for name, data in parse_events(text):
        assert name in validators, f"event {name!r} is not declared in x-sse-events ({', '.join(validators)})"
        decoded = json.loads(data)
        violations = () if validators[name].is_valid(decoded) else validators[name].violations(decoded, Location.BODY)
        assert not violations, f"event {name!r} data {data} breaks its schema: {violations[0].describe()}"
        events.append((name, decoded))
    names = [name for name, _ in events]
    assert names and names[-1] in ("done", "error"), f"the stream does not end with done or error: {names}"
    assert all(name == "message" for name in names[:-1]), f"an event follows the last one: {names}"
    return events
