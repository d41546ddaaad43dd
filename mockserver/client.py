"""A small client of the admin API for a team's own tests: verify what was called, force an answer, reset, move the
clock. It speaks HTTP (httpx), so it works against a mock in another process as well as one served in-process.

    admin = AdminClient("http://127.0.0.1:8080")
    admin.override("asapp-metadata-ingestion", "singleAgentMetadata", status=429, headers={"Retry-After": "1"},
                   body={...}, skip=2)                     # the third call gets a 429
    ...                                                    # exercise the code under test
    admin.verify("asapp-metadata-ingestion", "singleAgentMetadata", count=3, body={"externalAgentId": "agent-1"})

A failed verification raises `VerificationFailed` (an `AssertionError`, so pytest shows it as a test failure) with
the mock's explanation and the closest requests it journaled.
"""

from __future__ import annotations

from typing import Any

import httpx

from mockserver.errors import MockServerError

__all__ = ["AdminClient", "AdminError", "VerificationFailed"]


class AdminError(MockServerError, RuntimeError):
    """The admin API refused a call (the message holds its problem detail)."""


class VerificationFailed(AssertionError):
    """The journal does not hold the calls a test expected."""

    def __init__(self, detail: str, closest: list[dict[str, Any]]) -> None:
        lines = [detail, *(f"  closest #{c['seq']} {c.get('method')} {c.get('path')}: {'; '.join(c['differences'])}"
                           for c in closest)]  # fmt: skip
        super().__init__("\n".join(lines))
        self.detail = detail
        self.closest = closest


class AdminClient:
    """The mock's admin API (`<origin>/__admin`)."""

    def __init__(self, origin: str, *, token: str | None = None, transport: httpx.BaseTransport | None = None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(base_url=origin.rstrip("/") + "/__admin", headers=headers, transport=transport)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> AdminClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = self._http.request(method, path, **kwargs)
        if response.status_code >= 400 and response.status_code != 409:
            detail = response.json().get("detail", response.text) if response.content else response.reason_phrase
            raise AdminError(f"{method} /__admin{path}: {response.status_code} {detail}")
        return response

    def reset(self) -> None:
        """Back to the fixtures; overrides are cleared."""
        self._call("POST", "/reset")

    def advance_clock(self, seconds: float) -> str:
        """Move the mock's clock forward; returns the new mock time."""
        return str(self._call("POST", "/clock/advance", json={"seconds": seconds}).json()["now"])

    def override(
        self,
        spec: str,
        operation_id: str,
        *,
        status: int,
        body: Any = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
        skip: int = 0,
        match: dict[str, Any] | None = None,
    ) -> str:
        """Make an operation give this documented answer for its next `times` matching calls (after `skip`);
        returns the override's id. The mock refuses an answer its contract does not declare."""
        response: dict[str, Any] = {"status": status}
        if body is not None:
            response["body"] = body
        if headers:
            response["headers"] = headers
        payload: dict[str, Any] = {"spec": spec, "operationId": operation_id, "times": times, "skip": skip}
        if match:
            payload["match"] = match
        return str(self._call("POST", "/overrides", json={**payload, "response": response}).json()["id"])

    def count(self, spec: str | None = None, operation_id: str | None = None, **pattern: Any) -> int:
        """How many journaled requests match (`method`, `path`, `status`, `body` subset, `headers`, `query`)."""
        return int(self._call("POST", "/journal/count", json=_pattern(spec, operation_id, pattern)).json()["count"])

    def verify(
        self,
        spec: str | None = None,
        operation_id: str | None = None,
        *,
        count: int | None = None,
        at_least: int | None = None,
        at_most: int | None = None,
        **pattern: Any,
    ) -> int:
        """Assert how often a pattern was called (default: at least once); returns the count."""
        payload = _pattern(spec, operation_id, pattern)
        for key, value in (("count", count), ("atLeast", at_least), ("atMost", at_most)):
            if value is not None:
                payload[key] = value
        answer = self._call("POST", "/journal/verify", json=payload)
        if answer.status_code == 409:
            problem = answer.json()
            raise VerificationFailed(str(problem["detail"]), list(problem.get("closest", [])))
        return int(answer.json()["count"])

    def journal(self, **filters: Any) -> list[dict[str, Any]]:
        """Journal entries, oldest first (`spec`, `operationId`, `status`, `method`, `since`, `after`, `limit`)."""
        entries: list[dict[str, Any]] = self._call("GET", "/journal", params=filters).json()["entries"]
        return entries


def _pattern(spec: str | None, operation_id: str | None, pattern: dict[str, Any]) -> dict[str, Any]:
    found = {"spec": spec, "operationId": operation_id, **pattern}
    return {key: value for key, value in found.items() if value is not None}
