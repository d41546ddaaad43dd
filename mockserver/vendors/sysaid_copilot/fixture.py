"""How SysAid Copilot's fixture file (schema in `fixture_schema.py`) is loaded into the store.

One entry per organization (a SysAid account reached through its `x-sysaid-hostname`): its configuration
(`orgConf`), users and their `JSESSIONID` sessions, the knowledge chats answer from, SR categories, service
requests, and optional chats, streams, long operations and datasets (with records and documents) that the contract's
examples address.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from mockserver.errors import FixtureError
from mockserver.store import Store
from mockserver.vendors.sysaid_copilot.model import (
    CHATS,
    CONTENTS,
    DATASETS,
    ITEMS,
    LONG_OPERATIONS,
    ORGS,
    RECORDS,
    SERVICE_REQUESTS,
    SESSIONS,
    SPEC,
    STREAMS,
    format_time,
    parse_time,
    sr_key,
)
from mockserver.vendors.sysaid_copilot.streams import stream_document

__all__ = ["seed"]


def _fail(org: str, message: str) -> FixtureError:
    return FixtureError(f"{SPEC}: organization {org!r}: {message}")


def _unique(store: Store, collection: str, key: str, org: str, what: str) -> None:
    if store.get(collection, key) is not None:
        raise _fail(org, f"{what} {key!r} is used twice")


def seed(store: Store, fixture: dict[str, Any]) -> None:
    """Load every organization with its users, knowledge, SRs, chats, datasets and documents."""
    highest = {"dataset": 0, "record": 0, "item": 0, "sr": 0}
    hostnames: set[str] = set()
    for org, data in fixture["organizations"].items():
        hostname = data["hostname"].lower()
        if hostname in hostnames:
            raise _fail(org, f"hostname {hostname!r} is used by another organization")
        hostnames.add(hostname)
        store.put(
            ORGS,
            org,
            {
                "org": org,
                "hostname": hostname,
                "accountId": data["accountId"],
                "orgConf": data["orgConf"],
                "knowledge": data["knowledge"],
                "categories": data["categories"],
            },
        )
        usernames = set()
        for user in data["users"]:
            _unique(store, SESSIONS, user["jsessionid"], org, "jsessionid")
            usernames.add(user["username"])
            fields = {key: user[key] for key in ("username", "fullname", "isAdministrator")}
            store.put(SESSIONS, user["jsessionid"], {"org": org, **fields})
        for sr in data["serviceRequests"]:
            if sr["requester"] not in usernames:
                raise _fail(org, f"SR {sr['srId']} names unknown requester {sr['requester']!r}")
            store.put(SERVICE_REQUESTS, sr_key(org, sr["srId"]), {"org": org, "closed": False, **sr})
            highest["sr"] = max(highest["sr"], sr["srId"])
        for chat in data.get("chats", []):
            if chat["username"] not in usernames:
                raise _fail(org, f"chat {chat['chatuid']} names unknown user {chat['username']!r}")
            _unique(store, CHATS, chat["chatuid"], org, "chatuid")
            store.put(CHATS, chat["chatuid"], _chat(org, chat))
        for stream in data.get("streams", []):
            _seed_stream(store, org, stream)
        for operation in data.get("longOperations", []):
            _seed_long_operation(store, org, operation)
        for dataset in data.get("datasets", []):
            _seed_dataset(store, org, dataset, highest)
    for kind, value in highest.items():
        store.increment(f"{SPEC}/{kind}-id", value)


def _chat(org: str, chat: dict[str, Any]) -> dict[str, Any]:
    """A fixture chat as stored: messages one second apart, assistant messages with their monitor fields."""
    started = parse_time(chat["createdAt"])
    if started is None:
        raise _fail(org, f"chat {chat['chatuid']}: createdAt {chat['createdAt']!r} is not an RFC 3339 date-time")
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
        "chatuid": chat["chatuid"],
        "org": org,
        "username": chat["username"],
        "summary": first[:100],
        "createdAt": messages[0]["createdAt"],
        "updatedAt": messages[-1]["createdAt"],
        "srId": chat.get("srId"),
        "resolved": False,
        "messages": messages,
    }


def _seed_stream(store: Store, org: str, stream: dict[str, Any]) -> None:
    chat = store.get(CHATS, stream["chatuid"])
    if chat is None or chat["org"] != org:
        raise _fail(org, f"stream {stream['sid']!r} names unknown chat {stream['chatuid']}")
    answer = next((m for m in reversed(chat["messages"]) if m["role"] == "assistant"), None)
    if answer is None:
        raise _fail(org, f"stream {stream['sid']!r}: chat {stream['chatuid']} has no answer to stream")
    _unique(store, STREAMS, stream["sid"], org, "sid")
    content = answer["content"] if answer["answered"] else None
    store.put(
        STREAMS,
        stream["sid"],
        stream_document(stream["sid"], chat, content, created=chat["updatedAt"], expires_at=None),
    )


def _seed_long_operation(store: Store, org: str, operation: dict[str, Any]) -> None:
    chat = store.get(CHATS, operation["chatuid"])
    if chat is None or chat["org"] != org or store.get(SERVICE_REQUESTS, sr_key(org, operation["srId"])) is None:
        raise _fail(org, f"long operation {operation['id']} names an unknown chat or SR")
    store.put(
        LONG_OPERATIONS,
        operation["id"].lower(),
        {
            "id": operation["id"].lower(),
            "org": org,
            "username": chat["username"],
            "chatuid": chat["chatuid"],
            "kind": "createSr",
            "startedAt": 0.0,
            "polls": 1,
            "srId": operation["srId"],
        },
    )


def _seed_dataset(store: Store, org: str, dataset: dict[str, Any], highest: dict[str, int]) -> None:
    _unique(store, DATASETS, str(dataset["id"]), org, "dataset id")
    highest["dataset"] = max(highest["dataset"], dataset["id"])
    stored = {key: value for key, value in dataset.items() if key not in ("records", "items")}
    defaults = {"maxDistance": None, "gueranteeItems": None, "configuration": None}
    fetch = {"lastSucccessfulFetch": None, "lastFetchAttempt": None, "lastFetchError": None}
    store.put(DATASETS, str(dataset["id"]), {**defaults, **stored, "org": org, "fetchStatus": fetch})
    created = "2024-07-01T08:00:00.000Z"
    for record in dataset.get("records", []):
        _unique(store, RECORDS, str(record["id"]), org, "record id")
        highest["record"] = max(highest["record"], record["id"])
        updated_at = parse_time(record["resourceUpdatedAt"]) if "resourceUpdatedAt" in record else None
        store.put(
            RECORDS,
            str(record["id"]),
            {
                "id": record["id"],
                "dataset": dataset["id"],
                "org": org,
                "text": record["text"],
                "summary": record.get("summary"),
                "status": record.get("status", "FETCHED"),
                "resourceLocator": record.get("resourceLocator"),
                "resourceUpdatedAt": format_time(updated_at) if updated_at else None,
                "createdAt": created,
                "updatedAt": created,
                "isVerifiedAnswer": record.get("isVerifiedAnswer", False),
                "item": None,
            },
        )
    for item in dataset.get("items", []):
        _unique(store, ITEMS, str(item["id"]), org, "item id")
        highest["item"] = max(highest["item"], item["id"])
        file = item.get("file")
        store.put(
            ITEMS,
            str(item["id"]),
            {
                "id": item["id"],
                "dataset": dataset["id"],
                "org": org,
                "name": item["name"],
                "itemType": item["itemType"],
                "status": item["status"],
                "statusMessage": item.get("statusMessage", "Processing document"),
                "resourceLocator": item.get("resourceLocator", item["name"]),
                "resourceUpdatedAt": created,
                "maxLevels": 1,
                "createdAt": created,
                "updatedAt": created,
                "file": {"filename": file["filename"], "size": len(file["content"].encode())} if file else None,
                "doneAt": None,
            },
        )
        if file:
            encoded = base64.b64encode(file["content"].encode()).decode()
            store.put(CONTENTS, str(item["id"]), {"item": item["id"], "org": org, "data": encoded})
