"""Request patterns (`POST /__admin/journal/count|verify`, overrides' `match`): what a journaled or live request
must carry to match, and, for verification, what the closest non-matching requests got wrong.

A pattern's `body` is a JSON subset: every field it gives must be present and equal, recursively (a list matches a
list of the same length whose items match). `headers` compare names case-insensitively and values exactly; `query`
values exactly (the first value of a repeated parameter).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Pattern", "contains"]


def contains(actual: Any, expected: Any) -> bool:
    """Whether `actual` holds every field of `expected` with the same value (recursively)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and contains(actual[k], v) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(map(contains, actual, expected))
    if isinstance(expected, bool) or isinstance(actual, bool):
        return actual is expected
    return bool(actual == expected)


def _entry_body(entry: Mapping[str, Any]) -> Any:
    text = (entry.get("request") or {}).get("body")
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


@dataclass(frozen=True)
class Pattern:
    """What a request must carry to match."""

    spec: str | None = None
    operation_id: str | None = None
    method: str | None = None
    path: str | None = None
    status: int | None = None
    body: Any = None
    has_body: bool = False
    headers: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Pattern:
        """From the admin API's `RequestPattern`."""
        return cls(
            spec=data.get("spec"),
            operation_id=data.get("operationId"),
            method=str(data["method"]).upper() if data.get("method") else None,
            path=data.get("path"),
            status=data.get("status"),
            body=data.get("body"),
            has_body="body" in data,
            headers={str(k).lower(): str(v) for k, v in (data.get("headers") or {}).items()},
            query={str(k): str(v) for k, v in (data.get("query") or {}).items()},
        )

    def describe(self) -> str:
        """`sysaid-copilot startChat with body containing {...}` (for verification failures)."""
        parts = [
            self.spec or "any API",
            self.operation_id or f"{self.method or 'any method'} {self.path or 'any path'}",
        ]
        if self.has_body:
            parts.append(f"with body containing {json.dumps(self.body)}")
        if self.headers:
            parts.append(f"with headers {dict(self.headers)}")
        if self.query:
            parts.append(f"with query {dict(self.query)}")
        if self.status is not None:
            parts.append(f"answered {self.status}")
        return " ".join(parts)

    def differences(self, entry: Mapping[str, Any]) -> list[str]:
        """Why a journal entry does not match (empty when it does)."""
        found: list[str] = []
        scalar = (("spec", self.spec), ("operationId", self.operation_id), ("method", self.method),
                  ("path", self.path), ("status", self.status))  # fmt: skip
        for key, wanted in scalar:
            if wanted is not None and entry.get(key) != wanted:
                found.append(f"{key} is {entry.get(key)!r}, not {wanted!r}")
        if self.has_body and not contains(_entry_body(entry), self.body):
            found.append(f"body {json.dumps(_entry_body(entry))[:200]} does not contain {json.dumps(self.body)[:200]}")
        headers = {str(k).lower(): v for k, v in ((entry.get("request") or {}).get("headers") or {}).items()}
        for name, value in self.headers.items():
            if headers.get(name) != value:
                found.append(f"header {name} is {headers.get(name)!r}, not {value!r}")
        query = entry.get("query") or {}
        for name, value in self.query.items():
            got = query.get(name)
            got = got[0] if isinstance(got, list) and got else got
            if got != value:
                found.append(f"query {name} is {got!r}, not {value!r}")
        return found

    def matches_live(self, body: Any, headers: Mapping[str, str], query: Mapping[str, list[str]]) -> bool:
        """Whether a request being served matches (for overrides: only body, headers and query are compared)."""
        if self.has_body and not contains(body, self.body):
            return False
        if any(headers.get(name) != value for name, value in self.headers.items()):
            return False
        return all((query.get(name) or [""])[0] == value and name in query for name, value in self.query.items())
