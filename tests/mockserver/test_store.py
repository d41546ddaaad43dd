"""The store's behaviour, one suite for every backend: SQLite in memory, a SQLite file, PostgreSQL.

Tests about several processes open two store instances on one database, as two workers or two replicas would (on
the in-memory backend both are the same instance, which must behave the same). The PostgreSQL-only tests at the end
cover what only a networked backend has: event loops, connection pools, URLs, lock timeouts.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
import uvloop
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from postgres_support import PostgresServer, free_port, server_binaries

from mockserver.store import JournalQuery, SqliteStore, Store, StoreBusy, StoreError, StoreRefused, open_store, postgres
from mockserver.store.base import decode, encode
from mockserver.store.postgres import PostgresStore

pytestmark = pytest.mark.anyio

BACKENDS = ["sqlite-memory", "sqlite-file", "postgresql"]
OpenStore = Callable[[], Store]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    """Where the test's state lives: nothing (private memory), a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite-memory":
        return None
    if request.param == "sqlite-file":
        return str(tmp_path / "state.sqlite")
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
async def stores(database: str | None) -> AsyncIterator[OpenStore]:
    """Opens store instances on the test's database, closed after the test (in memory: always the same one)."""
    opened: list[Store] = []

    def make() -> Store:
        if database is None and opened:
            return opened[0]
        opened.append(open_store(database))
        return opened[-1]

    yield make
    for store in opened:
        await store.close()


@pytest.fixture
def store(stores: OpenStore) -> Store:
    return stores()


def entry(n: int, **fields: Any) -> dict[str, Any]:
    """A journal entry (the fields the journal indexes, plus `n` to tell entries apart)."""
    return {"at": 1000.0 + n, "kind": "request", "spec": "s1", "operationId": "op", "method": "GET", "status": 200,
            "n": n, **fields}  # fmt: skip


async def numbers(store: Store, query: JournalQuery) -> list[int]:
    return [item["n"] for item in await store.journal_read(query)]


# -- documents ---------------------------------------------------------------------------------------------------


async def test_put_get_insert_update_delete(store: Store) -> None:
    assert await store.put("v/items", "a", {"name": "first", "n": 1}) == {"name": "first", "n": 1}
    assert await store.get("v/items", "a") == {"name": "first", "n": 1}
    assert await store.insert("v/items", "a", {"name": "other"}) is False
    assert await store.get("v/items", "a") == {"name": "first", "n": 1}
    assert await store.insert("v/items", "b", {"name": "second"}) is True
    assert await store.update("v/items", "a", {"n": 2}) == {"name": "first", "n": 2}
    assert await store.update("v/items", "missing", {"n": 2}) is None
    assert await store.get("v/items", "missing") is None
    assert await store.delete("v/items", "a") is True
    assert await store.delete("v/items", "a") is False
    assert await store.get("v/items", "a") is None
    assert await store.find("v/items") == [{"name": "second"}]


async def test_find_filters_on_top_level_fields_in_insertion_order(store: Store) -> None:
    for index, owner in enumerate(["ann", "bob", "ann", "cy"]):
        await store.put("v/chats", f"c{index}", {"owner": owner, "open": index % 2 == 0, "tag": None, "n": index,
                                                  "meta": {"k": [index % 2]}})  # fmt: skip
    await store.put("v/chats", "c4", {"owner": "dee", "n": 4.0, "meta": {"k": [0]}})
    assert [d["owner"] for d in await store.find("v/chats")] == ["ann", "bob", "ann", "cy", "dee"]
    assert [d["n"] for d in await store.find("v/chats", owner="ann")] == [0, 2]
    assert [d["n"] for d in await store.find("v/chats", owner="ann", open=True)] == [0, 2]
    assert [d["n"] for d in await store.find("v/chats", open=False)] == [1, 3]
    assert [d["n"] for d in await store.find("v/chats", tag=None)] == [0, 1, 2, 3, 4]  # null or missing
    assert [d["n"] for d in await store.find("v/chats", n=4)] == [4.0]  # numbers compare by value
    assert [d["n"] for d in await store.find("v/chats", meta={"k": [0]})] == [0, 2, 4.0]
    assert await store.find("v/chats", owner="nobody") == []
    assert await store.find("v/other") == []
    assert await store.count("v/chats") == 5
    assert await store.count("v/chats", owner="bob") == 1
    assert [d["n"] for d in await store.find("v/chats", limit=3)] == [0, 1, 2]
    assert [d["n"] for d in await store.find("v/chats", limit=1, owner="ann")] == [0]


async def test_replacing_a_document_keeps_its_place(store: Store) -> None:
    await store.put("v/x", "a", {"v": 1})
    await store.put("v/x", "b", {"v": 2})
    await store.put("v/x", "a", {"v": 3})
    await store.update("v/x", "b", {"v": 4})
    assert await store.find("v/x") == [{"v": 3}, {"v": 4}]


async def test_query_refuses_field_names_that_are_not_identifiers(store: Store) -> None:
    with pytest.raises(ValueError, match="invalid field name"):
        await store.find("v/x", **{"a') OR 1=1 --": 1})
    with pytest.raises(ValueError, match="invalid field name"):
        await store.count("v/x", **{"a.b": 1})


async def test_delete_where_and_collections(store: Store) -> None:
    await store.put("v/a", "1", {"k": 1})
    await store.put("v/a", "2", {"k": 2})
    await store.put("v_b/c", "1", {"k": 1})
    await store.put("vXb/c", "1", {"k": 1})
    await store.put("w/b", "1", {"k": 1})
    assert await store.collections() == ["v/a", "vXb/c", "v_b/c", "w/b"]
    assert await store.collections("v/") == ["v/a"]
    assert await store.collections("v_") == ["v_b/c"]  # a prefix, not a pattern
    assert await store.delete_where("v/a", k=1) == 1
    assert await store.find("v/a") == [{"k": 2}]
    assert await store.delete_where("v/a") == 1
    assert "v/a" not in await store.collections()  # only collections that hold documents are listed


TRICKY: dict[str, Any] = {
    "nul": "a\0b",
    "noncharacter": "\ufdd0",
    "noncharacter then zero": "\ufdd00",
    "mixed": "\0\ufdd0\0\ufdd0\ufdd0",
    "astral": "😀 naïve",
    "empty": "",
    "exponent float": 1e16,
    "largest float": 1.7976931348623157e308,
    "smallest float": 5e-324,
    "negative zero": -0.0,
    "negative float": -1.5e300,
    "fraction": 0.1,
    "big integer": 2**70,
    "nested": {"k\0": [1, [2.5e20, {"": None}], True, False], "b": 1, "aa": 2},
}


def shape(value: Any) -> Any:
    """A JSON value with every scalar replaced by its type, and each object's keys in their order."""
    if isinstance(value, dict):
        return [(key, shape(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [shape(item) for item in value]
    return type(value).__name__


async def test_every_value_encode_accepts_reads_back_as_written(store: Store) -> None:
    collection, doc_id = "v/\0odd\ufdd0", "id\0\ufdd00"
    await store.put(collection, doc_id, TRICKY)
    back = await store.get(collection, doc_id)
    assert back == TRICKY
    assert shape(back) == shape(decode(encode(TRICKY)))  # floats stay floats, keys keep the order `encode` wrote
    assert await store.find(collection, nul="a\0b", mixed=TRICKY["mixed"]) == [TRICKY]
    assert await store.find(collection, noncharacter="\ufdd0\ufdd0") == []
    assert await store.collections("v/\0") == [collection]
    await store.increment("counter\0", 2)
    assert await store.counter("counter\0") == 2
    assert await store.counter("counter") == 0
    await store.journal_append([entry(1, spec="s\0", body=TRICKY)])
    [journaled] = await store.journal_read(JournalQuery(spec="s\0"))
    assert journaled["body"] == TRICKY
    await store.save_snapshot("snap\0", 1.0, {"value": TRICKY})
    assert await store.snapshot("snap\0") == {"value": TRICKY}
    assert await store.snapshots() == [("snap\0", 1.0)]
    state = await store.dump()
    await store.load(state)
    assert await store.dump() == state
    assert await store.get(collection, doc_id) == TRICKY


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=JSON, doc_id=st.text(max_size=10))
async def test_any_json_value_round_trips(store: Store, value: Any, doc_id: str) -> None:
    # one store for every example (the health check warns about that): each example writes its own id
    await store.put("v/any", doc_id, {"value": value})
    assert await store.get("v/any", doc_id) == {"value": value}
    assert await store.find("v/any", value=value, limit=1) != []


# -- counters ----------------------------------------------------------------------------------------------------


async def test_counters(store: Store) -> None:
    assert await store.counter("orders") == 0
    assert await store.increment("orders") == 1
    assert await store.increment("orders", 10) == 11
    assert await store.increment("orders", -1) == 10
    assert await store.counter("orders") == 10


async def test_increment_never_hands_out_a_value_twice_across_instances(stores: OpenStore) -> None:
    first, second = stores(), stores()
    values = await asyncio.gather(*(store.increment("ids") for store in [first, second] * 100))
    assert sorted(values) == list(range(1, 201))


# -- transactions ------------------------------------------------------------------------------------------------


class Boom(Exception):
    pass


async def test_transaction_commits_together_or_rolls_back_on_error(store: Store) -> None:
    async with store.transaction():
        await store.put("v/x", "a", {"n": 1})
        await store.increment("n")
    assert await store.get("v/x", "a") == {"n": 1}
    with pytest.raises(Boom):
        async with store.transaction():
            await store.put("v/x", "a", {"n": 2})
            await store.put("v/x", "b", {"n": 2})
            await store.delete("v/x", "a")
            await store.increment("n")
            raise Boom
    assert await store.find("v/x") == [{"n": 1}]
    assert await store.counter("n") == 1


async def test_nested_transactions_join_the_outer_one(store: Store) -> None:
    async with store.transaction():
        await store.put("v/x", "outer", {})
        with pytest.raises(Boom):
            async with store.transaction():
                await store.put("v/x", "inner", {})
                raise Boom
        await store.put("v/x", "after", {})
    assert [d for d in await store.collections()] == ["v/x"]
    assert await store.count("v/x") == 3  # no savepoint: the caught inner error undid nothing
    with pytest.raises(Boom):
        async with store.transaction():
            await store.put("v/y", "outer", {})
            async with store.transaction():
                await store.put("v/y", "inner", {})
            raise Boom
    assert await store.count("v/y") == 0  # the inner block was part of the outer one


async def test_read_modify_write_transactions_lose_no_update_across_instances(stores: OpenStore) -> None:
    first, second = stores(), stores()
    await first.put("v/n", "x", {"n": 0})

    async def bump(store: Store) -> None:
        async with store.transaction():
            current = await store.get("v/n", "x")
            assert current is not None
            await asyncio.sleep(0)  # give every other writer the chance to interleave
            await store.put("v/n", "x", {"n": current["n"] + 1})

    await asyncio.gather(*(bump(store) for store in [first, second] * 20))
    assert await second.get("v/n", "x") == {"n": 40}


async def test_a_write_never_lands_inside_another_instances_transaction(stores: OpenStore) -> None:
    first, second = stores(), stores()
    await first.put("v/x", "a", {"n": 0})
    inside = asyncio.Event()
    order: list[str] = []

    async def read_modify_write() -> None:
        async with first.transaction():
            current = await first.get("v/x", "a")
            assert current is not None
            inside.set()
            await asyncio.sleep(0.2)  # the other instance writes meanwhile
            await first.put("v/x", "a", {"n": current["n"] + 1, "by": "transaction"})
            order.append("transaction")

    async def blind_write() -> None:
        await inside.wait()
        await second.put("v/x", "a", {"n": 100, "by": "write"})
        order.append("write")

    await asyncio.gather(read_modify_write(), blind_write())
    assert order == ["transaction", "write"]
    assert await first.get("v/x", "a") == {"n": 100, "by": "write"}  # as if one ran after the other


async def test_other_tasks_never_join_a_transaction(store: Store) -> None:
    inside = asyncio.Event()

    async def failing_transaction() -> None:
        async with store.transaction():
            await store.put("v/x", "mine", {})
            inside.set()
            await asyncio.sleep(0.05)
            raise Boom

    async def other_task() -> None:
        await inside.wait()
        await store.put("v/x", "other", {})

    results = await asyncio.gather(failing_transaction(), other_task(), return_exceptions=True)
    assert isinstance(results[0], Boom)
    assert await store.get("v/x", "mine") is None
    assert await store.get("v/x", "other") == {}  # written on its own, not rolled back with the transaction


async def test_uncommitted_writes_are_never_seen_by_other_tasks(stores: OpenStore) -> None:
    writer, reader = stores(), stores()
    await writer.put("v/x", "a", {"n": 0})
    await writer.put("v/x", "b", {"n": 0})
    inside = asyncio.Event()
    committed = False

    async def write_both() -> None:
        nonlocal committed
        async with writer.transaction():
            await writer.put("v/x", "a", {"n": 1})
            inside.set()
            await asyncio.sleep(0.1)
            await writer.put("v/x", "b", {"n": 1})
        committed = True

    async def read() -> None:
        await inside.wait()
        seen = await reader.get("v/x", "a")
        assert seen == {"n": 0} or committed
        async with reader.transaction():  # reads inside a transaction see one state
            pair = [await reader.get("v/x", "a"), await reader.get("v/x", "b")]
        assert pair in ([{"n": 0}, {"n": 0}], [{"n": 1}, {"n": 1}])

    await asyncio.gather(write_both(), read())
    assert await reader.find("v/x") == [{"n": 1}, {"n": 1}]


async def test_a_task_outliving_its_parents_transaction_writes_on_its_own(store: Store) -> None:
    parent_done = asyncio.Event()

    async def child() -> None:
        await parent_done.wait()
        await store.put("v/x", "child", {})

    with pytest.raises(Boom):
        async with store.transaction():
            task = asyncio.get_running_loop().create_task(child())  # inherits the transaction's context
            await store.put("v/x", "parent", {})
            raise Boom
    parent_done.set()
    await task
    assert await store.get("v/x", "parent") is None
    assert await store.get("v/x", "child") == {}


# -- journal -----------------------------------------------------------------------------------------------------


async def test_journal_append_in_batches_and_filters(store: Store) -> None:
    await store.journal_append([entry(1), entry(2, spec="s2"), entry(3, operationId="other", status=404, seq=99)])
    await store.journal_append([entry(4, kind="callback", method="POST")])
    await store.journal_append([])
    everything = await store.journal_read(JournalQuery())
    seqs = [item["seq"] for item in everything]
    assert [item["n"] for item in everything] == [1, 2, 3, 4]
    assert seqs == sorted(set(seqs)) and 99 not in seqs  # the store numbers entries itself
    assert everything[0] == {**entry(1), "seq": seqs[0]}
    assert await numbers(store, JournalQuery(spec="s2")) == [2]
    assert await numbers(store, JournalQuery(operation_id="other")) == [3]
    assert await numbers(store, JournalQuery(status=404)) == [3]
    assert await numbers(store, JournalQuery(method="POST")) == [4]
    assert await numbers(store, JournalQuery(kind="callback")) == [4]
    assert await numbers(store, JournalQuery(spec="s1", status=200)) == [1, 4]
    assert await numbers(store, JournalQuery(since_seq=seqs[1])) == [3, 4]
    assert await numbers(store, JournalQuery(since_time=1003.0)) == [3, 4]
    assert await numbers(store, JournalQuery(limit=2)) == [3, 4]
    assert await numbers(store, JournalQuery(spec="s1", limit=2)) == [3, 4]
    assert await numbers(store, JournalQuery(spec="none")) == []


async def test_journal_trim_clear_and_restores_never_rewind_the_sequence(store: Store) -> None:
    await store.journal_append([entry(n) for n in range(10)])
    assert await store.journal_trim(3) == 7
    assert await numbers(store, JournalQuery()) == [7, 8, 9]
    assert await store.journal_trim(5) == 0
    last = (await store.journal_read(JournalQuery()))[-1]["seq"]
    assert await store.journal_clear() == 3
    assert await store.journal_read(JournalQuery()) == []
    await store.journal_append([entry(10)])
    [after_clear] = await store.journal_read(JournalQuery())
    assert after_clear["seq"] > last
    await store.load(await store.dump())  # a restore leaves the journal alone
    await store.journal_append([entry(11)])
    assert [item["seq"] > after_clear["seq"] for item in await store.journal_read(JournalQuery(since_seq=last))] == [
        False,
        True,
    ]


async def test_journal_sequence_increases_across_instances(stores: OpenStore) -> None:
    first, second = stores(), stores()
    seen: list[int] = []
    writing = True

    async def follow() -> None:  # a reader polling "everything after the last seq I saw" must miss nothing
        while writing:
            after = seen[-1] if seen else None
            seen.extend(item["seq"] for item in await second.journal_read(JournalQuery(since_seq=after)))
            await asyncio.sleep(0)

    async def write(store: Store, writer: int) -> None:
        for n in range(20):
            await store.journal_append([entry(n, writer=writer, part=0), entry(n, writer=writer, part=1)])

    follower = asyncio.get_running_loop().create_task(follow())
    await asyncio.gather(write(first, 1), write(second, 2))
    writing = False
    await follower
    everything = await first.journal_read(JournalQuery())
    seqs = [item["seq"] for item in everything]
    assert len(everything) == 80 and seqs == sorted(set(seqs))
    for before, after in zip(everything[::2], everything[1::2], strict=True):  # a batch stays together, in order
        assert (before["writer"], before["n"], before["part"], after["part"]) == (after["writer"], after["n"], 0, 1)
    seen.extend(item["seq"] for item in await second.journal_read(JournalQuery(since_seq=seen[-1] if seen else None)))
    assert seen == seqs


# -- whole state -------------------------------------------------------------------------------------------------


async def test_snapshots(store: Store) -> None:
    await store.save_snapshot("one", 10.0, {"documents": [], "counters": []})
    await store.save_snapshot("two", 5.0, {"documents": [["v/a", "1", "{}"]], "counters": [["c", 1]]})
    assert await store.snapshots() == [("two", 5.0), ("one", 10.0)]
    await store.save_snapshot("one", 20.0, {"x": 1})
    assert await store.snapshots() == [("two", 5.0), ("one", 20.0)]
    assert await store.snapshot("one") == {"x": 1}
    assert await store.snapshot("two") == {"documents": [["v/a", "1", "{}"]], "counters": [["c", 1]]}
    assert await store.snapshot("missing") is None
    assert await store.delete_snapshot("two") is True
    assert await store.delete_snapshot("two") is False
    assert await store.snapshots() == [("one", 20.0)]


async def test_dump_load_and_clear_keep_internal_counters_and_kept_collections(store: Store) -> None:
    await store.put("v/a", "1", {"n": 1})
    await store.put("v/b", "x", {"b": True})
    await store.put("__meta", "settings", {"vendorLimits": True})
    await store.put("v/a", "0", {"n": 0})
    await store.increment("orders", 3)
    await store.increment("__clock_offset__", 7)
    generation = await store.bump_generation()
    await store.save_snapshot("kept", 1.0, {"x": 1})
    state = await store.dump(exclude=("__meta",))
    assert state == {
        "documents": [["v/a", "1", '{"n":1}'], ["v/b", "x", '{"b":true}'], ["v/a", "0", '{"n":0}']],
        "counters": [["orders", 3]],  # internal counters are not part of a dump
    }
    await store.put("v/a", "1", {"n": 99})
    await store.put("v/c", "new", {})
    await store.put("__meta", "settings", {"vendorLimits": False})
    await store.increment("orders")
    await store.increment("__clock_offset__")
    await store.load(state, keep=("__meta",))
    assert await store.find("v/a") == [{"n": 1}, {"n": 0}]
    assert await store.get("v/c", "new") is None
    assert await store.get("__meta", "settings") == {"vendorLimits": False}
    assert await store.counter("orders") == 3
    assert await store.counter("__clock_offset__") == 8
    assert await store.generation() == generation
    assert await store.snapshots() == [("kept", 1.0)]
    await store.clear(keep=("__meta",))
    assert await store.collections() == ["__meta"]
    assert await store.counter("orders") == 0
    assert await store.counter("__clock_offset__") == 8
    await store.clear()
    assert await store.collections() == []
    assert await store.generation() == generation


NOT_JSON = [math.nan, math.inf, -math.inf, "lone \ud800 surrogate", {"key \udfff": 1}, {1, 2}, b"bytes"]


@pytest.mark.parametrize("value", NOT_JSON, ids=repr)
async def test_values_json_cannot_carry_are_refused_before_anything_is_written(store: Store, value: Any) -> None:
    with pytest.raises(StoreRefused):
        await store.put("v/x", "a", {"v": value})
    with pytest.raises(StoreRefused):
        await store.insert("v/x", "a", {"v": value})
    with pytest.raises(StoreRefused):
        await store.find("v/x", v=value)
    with pytest.raises(StoreRefused):
        await store.save_snapshot("s", 1.0, {"v": value})
    with pytest.raises(StoreRefused):
        await store.journal_append([entry(1), entry(2, v=value)])
    with pytest.raises(StoreRefused):
        async with store.transaction():
            await store.put("v/x", "before", {})
            await store.put("v/x", "a", {"v": value})
    assert await store.count("v/x") == 0
    assert await store.snapshots() == []
    assert await store.journal_read(JournalQuery()) == []


async def test_keys_that_are_not_unicode_text_are_refused(store: Store) -> None:
    bad = "\ud800"
    calls = [
        store.put(f"v/{bad}", "a", {}),
        store.put("v/x", bad, {}),
        store.insert("v/x", bad, {}),
        store.get("v/x", bad),
        store.delete("v/x", bad),
        store.increment(bad),
        store.counter(bad),
        store.save_snapshot(bad, 1.0, {}),
        store.snapshot(bad),
        store.delete_snapshot(bad),
        store.collections(bad),
    ]
    for call in calls:
        with pytest.raises(StoreRefused, match="not Unicode text"):
            await call
    assert await store.collections() == []
    assert await store.snapshots() == []


async def test_generation_changes_are_seen_by_every_instance_at_once(stores: OpenStore) -> None:
    first, second = stores(), stores()
    start = await second.generation()
    assert await first.bump_generation() == start + 1
    assert await second.generation() == start + 1
    assert await second.bump_generation() == start + 2
    assert await first.generation() == start + 2


# -- PostgreSQL only ---------------------------------------------------------------------------------------------


def test_the_url_a_postgresql_store_shows_never_holds_the_password() -> None:
    store = PostgresStore("postgresql://mock:s3cret@db.example:5432/mock?sslmode=require&password=other")
    assert store.url == "postgresql://mock@db.example:5432/mock?sslmode=require"
    assert PostgresStore("postgres://db.example/mock").url == "postgres://db.example/mock"
    with pytest.raises(StoreError) as refused:
        PostgresStore("postgresql://mock:s3cret@db.example/mock?nonsense=1")
    assert "s3cret" not in str(refused.value) and "postgresql://mock@db.example/mock" in str(refused.value)


async def test_an_unreachable_postgresql_server_is_a_store_error_without_the_password() -> None:
    store = PostgresStore(f"postgresql://mock:s3cret@127.0.0.1:{free_port()}/mock?connect_timeout=5")
    with pytest.raises(StoreError, match=r"cannot connect to PostgreSQL at postgresql://mock@127\.0\.0\.1") as failed:
        await store.get("v/x", "a")
    assert "s3cret" not in str(failed.value)
    await store.close()


def named(url: str, application: str) -> str:
    """The URL with an application name, to count the connections made through it."""
    return f"{url}&application_name={application}"


def _connections(url: str, application: str) -> int:
    """How many connections are open under an application name (they go away a moment after being closed)."""
    deadline = time.monotonic() + 5
    with psycopg.connect(url, autocommit=True) as conn:
        while True:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (application,)
            ).fetchone()
            assert row is not None
            if row[0] <= 1 or time.monotonic() > deadline:
                return int(row[0])
            time.sleep(0.05)


def test_a_postgresql_store_serves_successive_event_loops_and_close_releases_every_connection(
    postgres_url: str,
) -> None:
    store = PostgresStore(named(postgres_url, "loops"))
    asyncio.run(store.put("v/x", "a", {"loop": "seeding"}))  # the app seeds from a temporary loop ...
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:  # ... then serves from uvicorn's
        assert runner.run(store.get("v/x", "a")) == {"loop": "seeding"}
        runner.run(store.put("v/x", "a", {"loop": "serving"}))
        assert _connections(postgres_url, "loops") == 1  # the finished loop's connections were closed
        runner.run(store.close())
    assert _connections(postgres_url, "loops") == 0
    with pytest.raises(StoreError, match="closed"):
        asyncio.run(store.get("v/x", "a"))


async def test_a_postgresql_store_serves_loops_of_several_threads_at_once(postgres_url: str) -> None:
    store = PostgresStore(named(postgres_url, "threads"))
    await store.put("v/x", "main", {})

    async def from_another_loop() -> list[Any]:
        await store.put("v/x", "thread", {})
        return await store.find("v/x")

    assert await asyncio.to_thread(asyncio.run, from_another_loop()) == [{}, {}]
    assert await store.count("v/x") == 2
    await store.close()
    assert await asyncio.to_thread(_connections, postgres_url, "threads") == 0


async def test_postgresql_replicas_starting_together_create_the_tables_once(postgres_url: str) -> None:
    replicas = [PostgresStore(postgres_url) for _ in range(8)]
    try:
        started = await asyncio.gather(*(replica.increment("started") for replica in replicas))
        assert sorted(started) == list(range(1, 9))
    finally:
        for replica in replicas:
            await replica.close()


async def test_a_postgresql_lock_held_past_the_deadline_is_store_busy(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgres, "BUSY_DEADLINE_SECONDS", 0.3)
    waiting, holding = PostgresStore(postgres_url), PostgresStore(postgres_url)
    try:
        await waiting.put("v/x", "a", {})
        async with holding.transaction():  # another replica's transaction that does not end
            started = time.monotonic()
            with pytest.raises(StoreBusy, match="stayed locked"):
                await waiting.put("v/x", "a", {"n": 1})
            assert time.monotonic() - started < 3
            assert await waiting.get("v/x", "a") == {}  # reads never wait
        await waiting.put("v/x", "a", {"n": 2})
        assert await holding.get("v/x", "a") == {"n": 2}
    finally:
        await waiting.close()
        await holding.close()


def test_a_postgresql_store_carries_on_once_its_server_is_back(postgres_server: PostgresServer) -> None:
    bindir = server_binaries()
    assert bindir is not None  # the session server started from it
    server = PostgresServer.start(bindir)  # a server of this test's own, to stop and start
    store = PostgresStore(server.new_schema())

    async def scenario() -> None:
        await store.put("v/x", "before", {})
        await asyncio.to_thread(server.halt)
        with pytest.raises(StoreError):
            await store.get("v/x", "before")
        await asyncio.to_thread(server.resume)
        deadline = time.monotonic() + 30
        while True:  # each pooled connection broken by the restart fails once, then is replaced
            try:
                assert await store.get("v/x", "before") == {}
                break
            except StoreError:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.1)
        await store.put("v/x", "after", {})
        assert await store.count("v/x") == 2
        await store.close()

    try:
        asyncio.run(scenario())
    finally:
        server.stop()


async def test_a_sqlite_dump_loads_into_postgresql_and_back_unchanged(postgres_url: str) -> None:
    embedded, networked = SqliteStore(None), PostgresStore(postgres_url)
    try:
        await embedded.put("v/tricky", "id\0", TRICKY)
        await embedded.put("v/plain", "b", {"b": 1, "aa": [1.5, None]})
        await embedded.increment("orders", 4)
        state = await embedded.dump()
        await networked.load(state)
        assert await networked.dump() == state
        assert await networked.get("v/tricky", "id\0") == TRICKY
        await embedded.clear()
        await embedded.load(await networked.dump())
        assert await embedded.dump() == state
    finally:
        await embedded.close()
        await networked.close()
