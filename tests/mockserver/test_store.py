"""The SQLite document store: documents, queries, counters, snapshots, sharing between connections."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from mockserver.store import Store


@pytest.fixture
def store() -> Store:
    return Store()


def test_put_get_update_delete_round_trip(store: Store) -> None:
    store.put("v/items", "a", {"name": "first", "n": 1})
    assert store.get("v/items", "a") == {"name": "first", "n": 1}
    assert store.update("v/items", "a", {"n": 2}) == {"name": "first", "n": 2}
    assert store.update("v/items", "missing", {"n": 2}) is None
    assert store.delete("v/items", "a") is True
    assert store.delete("v/items", "a") is False
    assert store.get("v/items", "a") is None


def test_find_filters_on_top_level_fields_and_keeps_insertion_order(store: Store) -> None:
    for index, owner in enumerate(["ann", "bob", "ann", "cy"]):
        store.put("v/chats", f"c{index}", {"owner": owner, "open": index % 2 == 0, "tag": None})
    assert [d["owner"] for d in store.find("v/chats")] == ["ann", "bob", "ann", "cy"]
    assert store.ids("v/chats") == ["c0", "c1", "c2", "c3"]
    assert len(store.find("v/chats", owner="ann")) == 2
    assert len(store.find("v/chats", owner="ann", open=True)) == 2
    assert len(store.find("v/chats", open=False)) == 2
    assert len(store.find("v/chats", tag=None)) == 4
    assert store.count("v/chats", owner="bob") == 1
    assert len(store.find("v/chats", limit=3)) == 3


def test_replacing_a_document_keeps_its_position(store: Store) -> None:
    store.put("v/x", "a", {"v": 1})
    store.put("v/x", "b", {"v": 2})
    store.put("v/x", "a", {"v": 3})
    assert store.ids("v/x") == ["a", "b"]


def test_query_refuses_field_names_that_are_not_identifiers(store: Store) -> None:
    with pytest.raises(ValueError, match="invalid field name"):
        store.find("v/x", **{"a') OR 1=1 --": 1})


def test_delete_where_and_collections(store: Store) -> None:
    store.put("v/a", "1", {"k": 1})
    store.put("v/a", "2", {"k": 2})
    store.put("w/b", "1", {"k": 1})
    assert store.collections("v/") == ["v/a"]
    assert store.delete_where("v/a", k=1) == 1
    assert store.ids("v/a") == ["2"]


def test_counters_are_atomic_and_clear_keeps_internal_ones(store: Store) -> None:
    assert store.increment("hits") == 1
    assert store.increment("hits", 4) == 5
    store.increment("__internal")
    store.put("v/a", "1", {})
    store.put("__journal", "1", {})
    store.clear(keep=("__journal",))
    assert store.counter("hits") == 0
    assert store.counter("__internal") == 1
    assert store.get("v/a", "1") is None
    assert store.get("__journal", "1") == {}


def test_transaction_rolls_back_on_error(store: Store) -> None:
    store.put("v/a", "1", {"k": 1})
    with pytest.raises(RuntimeError), store.transaction():
        store.put("v/a", "1", {"k": 2})
        raise RuntimeError("boom")
    assert store.get("v/a", "1") == {"k": 1}


def test_dump_and_load_restore_state_but_keep_named_collections(store: Store) -> None:
    store.put("v/a", "1", {"k": 1})
    state = store.dump(exclude=("__journal",))
    store.put("v/a", "2", {"k": 2})
    store.put("__journal", "9", {"kept": True})
    store.load(state, keep=("__journal",))
    assert store.ids("v/a") == ["1"]
    assert store.get("__journal", "9") == {"kept": True}


def test_file_store_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    first = Store(path)
    first.put("v/a", "1", {"k": 1})
    first.close()
    assert Store(path).get("v/a", "1") == {"k": 1}


def _increment_many(path: str, times: int) -> None:
    store = Store(Path(path))
    for _ in range(times):
        store.increment("shared")
    store.close()


def test_two_processes_share_one_file_without_losing_updates(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    Store(path).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_increment_many, args=(str(path), 200)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert Store(path).counter("shared") == 400


def test_append_numbers_documents_per_collection(store: Store) -> None:
    assert store.append("v/log", {"a": 1}) == 1
    assert store.append("v/log", {"a": 2}) == 2
    assert store.append("w/log", {"a": 3}) == 1
    assert store.get("v/log", "000000000002") == {"a": 2, "id": 2}


def test_nested_transactions_commit_or_roll_back_as_one(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.put("v/a", "1", {"k": 1})
        with store.transaction():
            store.put("v/a", "2", {"k": 2})
        raise RuntimeError("boom")
    assert store.ids("v/a") == []
    with store.transaction(), store.transaction():
        store.put("v/a", "3", {"k": 3})
    assert store.ids("v/a") == ["3"]


def test_trim_keeps_only_the_newest_documents(store: Store) -> None:
    for index in range(10):
        store.append("v/log", {"n": index})
    assert store.trim("v/log", keep=3) == 7
    assert [doc["n"] for doc in store.find("v/log")] == [7, 8, 9]
    assert store.trim("v/log", keep=5) == 0
