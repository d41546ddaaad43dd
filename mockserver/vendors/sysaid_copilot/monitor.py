"""Chat monitoring and fine-tuning: `POST /api/monitor/query` and `PUT /api/monitor/{chatuid}/{index}` (admin).

Every answer a chat produced is a monitoring record, addressed by its thread and message index (A32): the question
before it, the answer (null for "No Answer"), the quality rate the Copilot gave it, and the admin's read and
verification indicators. An update may also write the corrected question and answer into a verified-answers dataset
(`verifiedAnswerDataset`, plus `verifiedAnswerId` to overwrite an existing record); later chats asking that question
get the verified answer.
"""

from __future__ import annotations

import functools
from typing import Any

from mockserver.runtime import runtime
from mockserver.vendors.sysaid_copilot.datasets import org_dataset
from mockserver.vendors.sysaid_copilot.model import CHATS, RECORDS, component, default_record_status, next_id, now_iso
from mockserver.vendors.sysaid_copilot.queries import page_of
from mockserver.vendors.sysaid_copilot.replies import Reply, ok, refuse
from mockserver.vendors.sysaid_copilot.session import Caller, caller

__all__ = ["monitor_records", "query_monitor_records", "update_monitor_record"]

_INDICATORS = ("readIndicator", "verificationIndicator", "question", "answer")
"""The fields of `PUT /api/monitor/{chatuid}/{index}` kept on the record itself (the others name a verified answer)."""


@functools.cache
def _order_fields() -> tuple[str, ...]:
    """The fields a monitor query may order by: those of a record (`MonitorRecord`; the guide's list is open)."""
    return tuple(component("MonitorRecord")["properties"])


def _record(chat: dict[str, Any], index: int) -> dict[str, Any]:
    message = chat["messages"][index]
    monitor = message["monitor"]
    previous = chat["messages"][index - 1] if index > 0 else None
    asked = previous["content"] if previous is not None and previous["role"] == "user" else None
    return {
        "chatuid": chat["chatuid"],
        "index": index,
        "question": monitor.get("question", asked),
        "answer": monitor.get("answer", message["content"] if message["answered"] else None),
        "qualityRate": message["qualityRate"],
        "verificationIndicator": monitor["verificationIndicator"],
        "readIndicator": monitor["readIndicator"],
        "verifiedAnswerDataset": monitor.get("verifiedAnswerDataset"),
        "verifiedAnswerId": monitor.get("verifiedAnswerId"),
        "createdAt": message["createdAt"],
        "updatedAt": monitor["updatedAt"],
    }


async def monitor_records(org: str) -> list[dict[str, Any]]:
    """Every monitoring record of an organization's chats."""
    return [
        _record(chat, index)
        for chat in await runtime().store.find(CHATS, org=org)
        for index, message in enumerate(chat["messages"])
        if message["role"] == "assistant"
    ]


async def query_monitor_records(body: dict[str, Any] | None = None) -> Reply:
    """`POST /api/monitor/query`: the organization's records, filtered by text and verification, ordered, paged."""
    user = caller()
    query = body or {}
    page = page_of(query, component("MonitorQuery"), _order_fields(), [["createdAt", "DESC"]])
    if isinstance(page, str):
        return refuse(page)
    records = await monitor_records(user.org)
    if "text" in query:
        needle = query["text"].casefold()
        records = [r for r in records if any(needle in (r[key] or "").casefold() for key in ("question", "answer"))]
    if "verificationIndicator" in query:
        records = [r for r in records if r["verificationIndicator"] == query["verificationIndicator"]]
    return ok(total=len(records), records=page.apply(records), limit=page.limit, offset=page.offset)


async def _verify(user: Caller, record: dict[str, Any], dataset_id: int, answer_id: int | None) -> int | str:
    """Write the record's question and answer into the verified-answers dataset; the answer's record id or an error."""
    dataset = await org_dataset(user, dataset_id)
    if dataset is None:
        return f"Dataset {dataset_id} not found"
    if not record["answer"]:
        return "The record has no answer to verify: send the answer"
    store = runtime().store
    now = now_iso()
    fields = {"text": record["answer"], "summary": record["question"], "isVerifiedAnswer": True, "updatedAt": now}
    if answer_id is not None:
        existing = await store.get(RECORDS, str(answer_id))
        if existing is None or existing["dataset"] != dataset_id:
            return f"Record {answer_id} not found in dataset {dataset_id}"
        await store.put(RECORDS, str(answer_id), {**existing, **fields})
        return answer_id
    answer_id = await next_id("record")
    await store.put(
        RECORDS,
        str(answer_id),
        {
            "id": answer_id,
            "dataset": dataset_id,
            "org": user.org,
            "status": default_record_status(),
            "resourceLocator": None,
            "resourceUpdatedAt": None,
            "createdAt": now,
            "item": None,
            **fields,
        },
    )
    return answer_id


async def update_monitor_record(chatuid: str, index: int, body: dict[str, Any] | None = None) -> Reply:
    """`PUT /api/monitor/{chatuid}/{index}` (admin): update the record and, when given, its verified answer."""
    user = caller()
    changes = body or {}
    store = runtime().store
    async with store.transaction():
        chat = await store.get(CHATS, chatuid.lower())
        if chat is None or chat["org"] != user.org or index >= len(chat["messages"]):
            return refuse(f"Monitor record {chatuid}/{index} not found")
        message = chat["messages"][index]
        if message["role"] != "assistant":
            return refuse(f"Monitor record {chatuid}/{index} not found: message {index} is a question, not an answer")
        monitor = {**message["monitor"], **{key: changes[key] for key in _INDICATORS if key in changes}}
        if "verifiedAnswerDataset" in changes or "verifiedAnswerId" in changes:
            dataset_id = changes.get("verifiedAnswerDataset", monitor.get("verifiedAnswerDataset"))
            if dataset_id is None:
                return refuse("verifiedAnswerId needs verifiedAnswerDataset (the dataset holding the answer)")
            message["monitor"] = monitor
            verified = await _verify(user, _record(chat, index), dataset_id, changes.get("verifiedAnswerId"))
            if isinstance(verified, str):
                return refuse(verified)
            monitor.update(verifiedAnswerDataset=dataset_id, verifiedAnswerId=verified)
        message["monitor"] = {**monitor, "updatedAt": now_iso()}
        await store.put(CHATS, chat["chatuid"], chat)
    return ok()
