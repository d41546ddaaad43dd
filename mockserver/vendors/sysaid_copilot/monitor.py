"""Chat monitoring and fine-tuning: `POST /api/monitor/query` and `PUT /api/monitor/{chatuid}/{index}` (admin).

Every answer a chat produced is a monitoring record, addressed by its thread and message index (A32): the question
before it, the answer (null for "No Answer"), the quality rate the Copilot gave it, and the admin's read and
verification indicators. An update may also write the corrected question and answer into a verified-answers dataset
(`verifiedAnswerDataset`, plus `verifiedAnswerId` to overwrite an existing record); later chats asking that question
get the verified answer.
"""

from __future__ import annotations

from typing import Any

from mockserver.runtime import runtime
from mockserver.vendors.sysaid_copilot.datasets import org_dataset
from mockserver.vendors.sysaid_copilot.model import CHATS, RECORDS, next_id, now_iso
from mockserver.vendors.sysaid_copilot.queries import page_of
from mockserver.vendors.sysaid_copilot.replies import NOT_ADMIN, Reply, ok, refuse
from mockserver.vendors.sysaid_copilot.routing import integer_path
from mockserver.vendors.sysaid_copilot.session import Caller, caller

__all__ = ["monitor_records", "query_monitor_records", "update_monitor_record"]

ORDER_FIELDS = ("qualityRate", "createdAt", "updatedAt", "verificationIndicator", "readIndicator", "chatuid", "index")
_INDICATORS = ("readIndicator", "verificationIndicator", "question", "answer")


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


def monitor_records(org: str) -> list[dict[str, Any]]:
    """Every monitoring record of an organization's chats."""
    return [
        _record(chat, index)
        for chat in runtime().store.find(CHATS, org=org)
        for index, message in enumerate(chat["messages"])
        if message["role"] == "assistant"
    ]


async def query_monitor_records(body: dict[str, Any] | None = None) -> Reply:
    """`POST /api/monitor/query`: the organization's records, filtered by text and verification, ordered, paged."""
    user = caller()
    if not user.is_admin:
        return refuse(NOT_ADMIN)
    query = body or {}
    page = page_of(query, ORDER_FIELDS, [["createdAt", "DESC"]])
    if isinstance(page, str):
        return refuse(page)
    records = monitor_records(user.org)
    if "text" in query:
        needle = query["text"].casefold()
        records = [r for r in records if any(needle in (r[key] or "").casefold() for key in ("question", "answer"))]
    if "verificationIndicator" in query:
        records = [r for r in records if r["verificationIndicator"] == query["verificationIndicator"]]
    return ok(total=len(records), records=page.apply(records), limit=page.limit, offset=page.offset)


def _verify(user: Caller, record: dict[str, Any], dataset_id: int, answer_id: int | None) -> int | str:
    """Write the record's question and answer into the verified-answers dataset; the answer's record id or an error."""
    dataset = org_dataset(user, dataset_id)
    if dataset is None:
        return f"Dataset {dataset_id} not found"
    if not record["answer"]:
        return "The record has no answer to verify: send the answer"
    store = runtime().store
    now = now_iso()
    fields = {"text": record["answer"], "summary": record["question"], "isVerifiedAnswer": True, "updatedAt": now}
    if answer_id is not None:
        existing = store.get(RECORDS, str(answer_id))
        if existing is None or existing["dataset"] != dataset_id:
            return f"Record {answer_id} not found in dataset {dataset_id}"
        store.put(RECORDS, str(answer_id), {**existing, **fields})
        return answer_id
    answer_id = next_id("record")
    store.put(
        RECORDS,
        str(answer_id),
        {
            "id": answer_id,
            "dataset": dataset_id,
            "org": user.org,
            "status": "FETCHED",
            "resourceLocator": None,
            "resourceUpdatedAt": None,
            "createdAt": now,
            "item": None,
            **fields,
        },
    )
    return answer_id


@integer_path("index")
async def update_monitor_record(chatuid: str, index: int, body: dict[str, Any] | None = None) -> Reply:
    """`PUT /api/monitor/{chatuid}/{index}` (admin): update the record and, when given, its verified answer."""
    user = caller()
    if not user.is_admin:
        return refuse(NOT_ADMIN)
    changes = body or {}
    store = runtime().store
    with store.transaction():
        chat = store.get(CHATS, chatuid.lower())
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
            verified = _verify(user, _record(chat, index), dataset_id, changes.get("verifiedAnswerId"))
            if isinstance(verified, str):
                return refuse(verified)
            monitor.update(verifiedAnswerDataset=dataset_id, verifiedAnswerId=verified)
        message["monitor"] = {**monitor, "updatedAt": now_iso()}
        store.put(CHATS, chat["chatuid"], chat)
    return ok()
