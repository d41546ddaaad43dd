"""Query paging, ordering (several pairs, empty values last) and SQL LIKE matching in linear time."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sysaid_support import Sysaid

from mockserver.vendors.sysaid_copilot.model import component
from mockserver.vendors.sysaid_copilot.queries import Page, like, page_of

ROWS: list[dict[str, Any]] = [
    {"id": 1, "rate": 0.5, "name": "b"},
    {"id": 2, "rate": None, "name": "a"},
    {"id": 3, "rate": 0.9, "name": "a"},
    {"id": 4, "rate": 0.5, "name": "c"},
]


def ids(rows: list[dict[str, Any]]) -> list[object]:
    return [row["id"] for row in rows]


def test_pairs_sort_left_to_right_and_empty_values_last() -> None:
    page = Page(limit=10, offset=0, order=(("rate", "DESC"), ("id", "ASC")))
    assert ids(page.apply(ROWS)) == [3, 1, 4, 2]
    assert ids(Page(10, 0, (("rate", "ASC"),)).apply(ROWS)) == [1, 4, 3, 2]
    assert ids(Page(10, 0, (("name", "ASC"), ("id", "DESC"))).apply(ROWS)) == [3, 2, 1, 4]


def test_limit_and_offset_slice_after_ordering() -> None:
    assert ids(Page(2, 1, (("id", "DESC"),)).apply(ROWS)) == [3, 2]
    assert Page(5, 10, ()).apply(ROWS) == []


def test_page_of_applies_the_contracts_defaults_and_refuses_misplaced_pairs() -> None:
    records = component("DatasetRecordQuery")
    assert page_of({}, records, ("id",)) == Page(limit=100, offset=0, order=(("id", "DESC"),))
    monitor = page_of({}, component("MonitorQuery"), ("createdAt",), [["createdAt", "DESC"]])
    assert monitor == Page(limit=100, offset=0, order=(("createdAt", "DESC"),))
    assert page_of({"order": [["DESC", "id"]]}, records, ("id",)) == "Invalid order field 'DESC': use one of id"
    assert page_of({"order": [["id", "down"]]}, records, ("id",)) == (
        "Invalid order direction 'down' for id: use ASC or DESC"
    )


def test_like_matches_sql_wildcards_ignoring_case() -> None:
    assert like("%guide", "Alpha GUIDE")
    assert like("_amma%", "Gamma notes")
    assert not like("guide", "Alpha guide")
    assert like("100%", "100% sure")
    assert not like("a.c", "abc")
    assert not like("x", None)


def reference_like(pattern: str, value: str) -> bool:
    """SQL LIKE through a (backtracking) regular expression: correct, but only usable on short inputs."""
    parts = (".*" if char == "%" else "." if char == "_" else re.escape(char) for char in pattern.lower())
    return re.fullmatch("".join(parts), value.lower(), re.DOTALL) is not None


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="ab%_", max_size=8), st.text(alphabet="abAB", max_size=10))
def test_like_agrees_with_the_regular_expression_definition(pattern: str, value: str) -> None:
    assert like(pattern, value) == reference_like(pattern, value)


def test_like_answers_adversarial_patterns_correctly() -> None:
    name = "a" * 99_999 + "x"
    assert like("%" * 10_000 + "x", name)
    assert not like("%" * 10_000 + "x", "a" * 100_000)
    assert not like("%a" * 5_000 + "%b", "a" * 100_000)
    assert like("%a" * 5_000 + "%x", name)
    assert like("%" * 20 + "_" * 99_999 + "x", name)
    assert not like("%" * 20 + "_" * 100_000 + "x", name)
    assert not like("%a_a%", "b" * 100_000)
    assert like("%%%%%%%%%%%%%x", "%%%%%%%%%%%%%%x")


def test_like_counts_one_character_per_underscore_whatever_its_case_mapping() -> None:
    assert like("_", "İ")
    assert like("stra_e", "STRAßE")
    assert not like("strasse", "straße")


def test_the_seed_report_pattern_is_answered_through_the_api(sysaid: Sysaid) -> None:
    body = sysaid.ok("POST", "/api/document/123/query", json={"name": "%" * 10_000 + "x"})
    assert (body["total"], body["items"]) == (0, [])
    found = sysaid.ok("POST", "/api/document/123/query", json={"name": "%" * 10_000 + "t"})
    assert [item["id"] for item in found["items"]] == [456]
