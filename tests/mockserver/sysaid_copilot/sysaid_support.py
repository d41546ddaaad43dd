"""Helpers of the SysAid Copilot mock tests: fixture identities and a client that logs in as one of them."""

from __future__ import annotations

from typing import Any

import httpx
import yaml
from starlette.testclient import TestClient

from mockserver.contracts import FIXTURES_DIR

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
