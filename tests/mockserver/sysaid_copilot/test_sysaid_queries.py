"""Query paging, ordering (several pairs, empty values last) and SQL LIKE matching."""

from __future__ import annotations

from typing import Any

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


def test_page_of_applies_defaults_and_refuses_misplaced_pairs() -> None:
    page = page_of({}, ("id",), [["id", "DESC"]])
    assert page == Page(limit=100, offset=0, order=(("id", "DESC"),))
    assert page_of({"order": [["DESC", "id"]]}, ("id",), []) == "Invalid order field 'DESC': use one of id"
    assert page_of({"order": [["id", "down"]]}, ("id",), []) == "Invalid order direction 'down' for id: use ASC or DESC"


def test_like_matches_sql_wildcards_ignoring_case() -> None:
    assert like("%guide", "Alpha GUIDE")
    assert like("_amma%", "Gamma notes")
    assert not like("guide", "Alpha guide")
    assert like("100%", "100% sure")
    assert not like("a.c", "abc")
    assert not like("x", None)
