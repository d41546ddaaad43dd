"""How SysAid Copilot's fixture file (schema in `fixture_schema.py`) is checked and loaded into the store.

One entry per organization (a SysAid account reached through its `x-sysaid-hostname`): its configuration
(`orgConf`), users and their `JSESSIONID` sessions, the knowledge chats answer from, SR categories, service
requests, and optional chats, streams, long operations and datasets (with records and documents) that the contract's
examples and the guide's sample requests address. `validate_fixture` checks what the JSON Schema cannot (unique
ids, references between entries) before anything is replaced; `seed` then only writes. Session cookies and stream
ids are stored under their digest.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from mockserver.errors import FixtureError
from mockserver.store import Store
from mockserver.vendors.sysaid_copilot.model import (
    CHATS,
    CONTENTS,
    DATASETS,
    HOSTNAMES,
    ITEMS,
    LONG_OPERATIONS,
    ORGS,
    RECORDS,
    SERVICE_REQUESTS,
    SESSIONS,
    SPEC,
    STREAMS,
    component,
    default_record_status,
    digest,
    format_time,
    item_key,
    parse_time,
    sr_key,
)
from mockserver.vendors.sysaid_copilot.streams import stream_document

__all__ = ["seed", "validate_fixture"]

_CREATED = "2024-07-01T08:00:00.000Z"
"""Creation time of fixture records and items (the fixture gives none)."""


def _fail(org: str, message: str) -> FixtureError:
    return FixtureError(f"{SPEC}: organization {org!r}: {message}")


class _Unique:
    """Remembers keys across the whole fixture and refuses one used twice."""

    def __init__(self) -> None:
        self.seen: set[tuple[str, str]] = set()

    def check(self, org: str, what: str, key: object, shown: str | None = None) -> None:
        """Refuse a key seen before; `shown` names it in the error instead of the key (a credential, say)."""
        if (what, str(key)) in self.seen:
            raise _fail(org, f"{what} {shown or repr(str(key))} is used twice")
        self.seen.add((what, str(key)))


def _organizations(fixture: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    yield from fixture["organizations"].items()


def validate_fixture(fixture: dict[str, Any]) -> None:
    """Unique hostnames, sessions and ids, and every reference (requester, chat, SR) to an entry that exists."""
    unique = _Unique()
    for org, data in _organizations(fixture):
        unique.check(org, "hostname", data["hostname"].lower())
        usernames = {user["username"] for user in data["users"]}
        for user in data["users"]:
            unique.check(org, "jsessionid", user["jsessionid"], shown=f"of user {user['username']!r}")
        sr_ids = set()
        for sr in data["serviceRequests"]:
            if sr["requester"] not in usernames:
                raise _fail(org, f"SR {sr['srId']} names unknown requester {sr['requester']!r}")
            unique.check(org, "SR id", f"{org}:{sr['srId']}")
            sr_ids.add(sr["srId"])
        chats = {}
        for chat in data.get("chats", []):
            if chat["username"] not in usernames:
                raise _fail(org, f"chat {chat['chatuid']} names unknown user {chat['username']!r}")
            if parse_time(chat["createdAt"]) is None:
                raise _fail(
                    org, f"chat {chat['chatuid']}: createdAt {chat['createdAt']!r} is not an RFC 3339 date-time"
                )
            unique.check(org, "chatuid", chat["chatuid"].lower())
            chats[chat["chatuid"].lower()] = chat
        for stream in data.get("streams", []):
            chat = chats.get(stream["chatuid"].lower())
            if chat is None:
                raise _fail(org, f"stream {stream['sid']!r} names unknown chat {stream['chatuid']}")
            if not any(message["role"] == "assistant" for message in chat["messages"]):
                raise _fail(org, f"stream {stream['sid']!r}: chat {stream['chatuid']} has no answer to stream")
            unique.check(org, "sid", stream["sid"])
        for operation in data.get("longOperations", []):
            if operation["chatuid"].lower() not in chats or operation["srId"] not in sr_ids:
                raise _fail(org, f"long operation {operation['id']} names an unknown chat or SR")
            unique.check(org, "long operation id", operation["id"].lower())
        for dataset in data.get("datasets", []):
            unique.check(org, "dataset id", dataset["id"])
            for record in dataset.get("records", []):
                unique.check(org, "record id", record["id"])
            for item in dataset.get("items", []):
                unique.check(org, "item id", item_key(dataset["id"], item["id"]))


async def seed(store: Store, fixture: dict[str, Any]) -> None:
    """Load every organization with its users, knowledge, SRs, chats, datasets and documents (already validated)."""
    highest = {"dataset": 0, "record": 0, "item": 0, "sr": 0}
    for org, data in _organizations(fixture):
        organization = {key: data[key] for key in ("accountId", "orgConf", "knowledge", "categories")}
        await store.put(ORGS, org, {"org": org, "hostname": data["hostname"].lower(), **organization})
        await store.put(HOSTNAMES, data["hostname"].lower(), {"org": org})
        for user in data["users"]:
            fields = {key: user[key] for key in ("username", "fullname", "isAdministrator")}
            await store.put(SESSIONS, digest(user["jsessionid"]), {"org": org, **fields})
        for sr in data["serviceRequests"]:
            await store.put(SERVICE_REQUESTS, sr_key(org, sr["srId"]), {"org": org, "closed": False, **sr})
            highest["sr"] = max(highest["sr"], sr["srId"])
        chats = {chat["chatuid"].lower(): _chat(org, chat) for chat in data.get("chats", [])}
        for chatuid, chat in chats.items():
            await store.put(CHATS, chatuid, chat)
        for stream in data.get("streams", []):
            chat = chats[stream["chatuid"].lower()]
            answer = next(m for m in reversed(chat["messages"]) if m["role"] == "assistant")
            content = answer["content"] if answer["answered"] else None
            recording = stream_document(stream["sid"], chat, content, created=chat["updatedAt"], expires_at=None)
            await store.put(STREAMS, digest(stream["sid"]), recording)
        for operation in data.get("longOperations", []):
            await store.put(LONG_OPERATIONS, operation["id"].lower(), _long_operation(org, operation, chats))
        for dataset in data.get("datasets", []):
            await _seed_dataset(store, org, dataset, highest)
    for kind, value in highest.items():
        await store.increment(f"{SPEC}/{kind}-id", value)


def _chat(org: str, chat: dict[str, Any]) -> dict[str, Any]:
    """A fixture chat as stored: messages one second apart, assistant messages with their monitor fields."""
    started = parse_time(chat["createdAt"])
    assert started is not None  # validate_fixture checked it
    messages = []
    for index, message in enumerate(chat["messages"]):
        created = format_time(started + timedelta(seconds=index))
        stored: dict[str, Any] = {
            "role": message["role"],
            "content": message["content"],
            "createdAt": created,
            "info": message.get("info", ""),
        }
        if message["role"] == "assistant":
            answered = message.get("answered", True)
            stored.update(
                answered=answered,
                qualityRate=message.get("qualityRate", 0.8 if answered else 0.0),
                monitor={"readIndicator": 0, "verificationIndicator": 0, "updatedAt": created},
            )
        messages.append(stored)
    first = next((m["content"] for m in chat["messages"] if m["role"] == "user"), chat["messages"][0]["content"])
    return {
        "chatuid": chat["chatuid"].lower(),
        "org": org,
        "username": chat["username"],
        "summary": first[:100],
        "createdAt": messages[0]["createdAt"],
        "updatedAt": messages[-1]["createdAt"],
        "srId": chat.get("srId"),
        "resolved": False,
        "messages": messages,
    }


def _long_operation(org: str, operation: dict[str, Any], chats: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A completed SR creation (the contract's example long-operation id)."""
    chat = chats[operation["chatuid"].lower()]
    return {
        "id": operation["id"].lower(),
        "org": org,
        "username": chat["username"],
        "chatuid": chat["chatuid"],
        "kind": "createSr",
        "startedAt": 0.0,
        "polls": 1,
        "srId": operation["srId"],
    }


async def _seed_dataset(store: Store, org: str, dataset: dict[str, Any], highest: dict[str, int]) -> None:
    highest["dataset"] = max(highest["dataset"], dataset["id"])
    stored = {key: value for key, value in dataset.items() if key not in ("records", "items")}
    defaults = {"maxDistance": None, "gueranteeItems": None, "configuration": None}
    fetch = {"lastSucccessfulFetch": None, "lastFetchAttempt": None, "lastFetchError": None}
    await store.put(DATASETS, str(dataset["id"]), {**defaults, **stored, "org": org, "fetchStatus": fetch})
    for record in dataset.get("records", []):
        highest["record"] = max(highest["record"], record["id"])
        updated_at = parse_time(record["resourceUpdatedAt"]) if "resourceUpdatedAt" in record else None
        await store.put(
            RECORDS,
            str(record["id"]),
            {
                "id": record["id"],
                "dataset": dataset["id"],
                "org": org,
                "text": record["text"],
                "summary": record.get("summary"),
                "status": record.get("status", default_record_status()),
                "resourceLocator": record.get("resourceLocator"),
                "resourceUpdatedAt": format_time(updated_at) if updated_at else None,
                "createdAt": _CREATED,
                "updatedAt": _CREATED,
                "isVerifiedAnswer": record.get("isVerifiedAnswer", False),
                "item": None,
            },
        )
    for item in dataset.get("items", []):
        await _seed_item(store, org, dataset["id"], item)
        highest["item"] = max(highest["item"], item["id"])


async def _seed_item(store: Store, org: str, dataset_id: int, item: dict[str, Any]) -> None:
    file = item.get("file")
    key = item_key(dataset_id, item["id"])
    await store.put(
        ITEMS,
        key,
        {
            "id": item["id"],
            "dataset": dataset_id,
            "org": org,
            "name": item["name"],
            "itemType": item["itemType"],
            "status": item["status"],
            "statusMessage": item.get(
                "statusMessage", component("DocumentCreate")["properties"]["statusMessage"]["default"]
            ),
            "resourceLocator": item.get("resourceLocator", item["name"]),
            "resourceUpdatedAt": _CREATED,
            "maxLevels": 1,
            "createdAt": _CREATED,
            "updatedAt": _CREATED,
            "file": {"filename": file["filename"], "size": len(file["content"].encode())} if file else None,
            "doneAt": None,
        },
    )
    if file:
        encoded = base64.b64encode(file["content"].encode()).decode()
        await store.put(CONTENTS, key, {"dataset": dataset_id, "item": item["id"], "org": org, "data": encoded})
