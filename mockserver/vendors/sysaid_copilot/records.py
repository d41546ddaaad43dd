"""Dataset records (admin): query with paging, ordering, filters and total; add, update and delete.

Records belong to a dataset of the caller's organization; a record is addressed by its own id and its dataset's.
Every record operation is `x-admin-only`: the login middleware refuses other users before these handlers run.
`status` defaults to FETCHED; `resourceUpdatedAt` must be an RFC 3339 date-time (A27); Q&A datasets add
`isVerifiedAnswer` to their records. Errors are in-band and say what failed ("Record 17 not found in dataset 4").
"""

from __future__ import annotations

import functools
from typing import Any

from mockserver.runtime import runtime
from mockserver.vendors.sysaid_copilot.datasets import org_dataset
from mockserver.vendors.sysaid_copilot.model import (
    QA_DATASET_TYPE,
    RECORDS,
    component,
    default_record_status,
    format_time,
    next_id,
    now_iso,
    parse_time,
)
from mockserver.vendors.sysaid_copilot.processing import finalize_due
from mockserver.vendors.sysaid_copilot.queries import DIRECTIONS, page_of
from mockserver.vendors.sysaid_copilot.replies import Reply, ok, refuse
from mockserver.vendors.sysaid_copilot.session import Caller, caller

__all__ = [
    "add_dataset_record",
    "delete_dataset_record",
    "query_dataset_records",
    "record_fields",
    "record_view",
    "update_dataset_record",
]


@functools.cache
def record_fields() -> tuple[str, ...]:
    """The fields every record carries (the `required` list of the contract's `DatasetRecord`, A28)."""
    return tuple(component("DatasetRecord")["required"])


@functools.cache
def _order_fields() -> tuple[str, ...]:
    """The fields a record query may order by: the `order` item enum of `DatasetRecordQuery`, less the directions."""
    order = component("DatasetRecordQuery")["properties"]["order"]
    return tuple(name for name in order["items"]["items"]["enum"] if name not in DIRECTIONS)


def record_view(record: dict[str, Any], dataset: dict[str, Any]) -> dict[str, Any]:
    """A record as the service returns it; Q&A datasets add `isVerifiedAnswer`."""
    view = {field: record.get(field) for field in record_fields()}
    if dataset["datasetType"] == QA_DATASET_TYPE:
        view["isVerifiedAnswer"] = bool(record.get("isVerifiedAnswer"))
    return view


def _record_input(body: dict[str, Any]) -> dict[str, Any] | str:
    """The record fields of an add/update body, or the error for a `resourceUpdatedAt` that is not a date."""
    fields: dict[str, Any] = {key: body[key] for key in ("text", "status", "summary", "resourceLocator") if key in body}
    if "resourceUpdatedAt" in body:
        moment = parse_time(body["resourceUpdatedAt"])
        if moment is None:
            return f"resourceUpdatedAt {body['resourceUpdatedAt'][:60]!r} is not a valid date"
        fields["resourceUpdatedAt"] = format_time(moment)
    return fields


async def _record_of(user: Caller, dataset_id: int, record_id: int) -> tuple[dict[str, Any], dict[str, Any]] | str:
    """The dataset and the record it holds, or the in-band error message."""
    dataset = await org_dataset(user, dataset_id)
    if dataset is None:
        return f"Dataset {dataset_id} not found"
    record = await runtime().store.get(RECORDS, str(record_id))
    if record is None or record["dataset"] != dataset_id:
        return f"Record {record_id} not found in dataset {dataset_id}"
    return dataset, record


async def query_dataset_records(dataset_id: int, body: dict[str, Any] | None = None) -> Reply:
    """`POST /api/dataset/{datasetId}/query` (admin): filtered, ordered, paged records with the total."""
    user = caller()
    query = body or {}
    dataset = await org_dataset(user, dataset_id)
    if dataset is None:
        return refuse(f"Dataset {dataset_id} not found")
    page = page_of(query, component("DatasetRecordQuery"), _order_fields())
    if isinstance(page, str):
        return refuse(page)
    await finalize_due(dataset_id)
    records = await runtime().store.find(RECORDS, dataset=dataset_id)
    if "text" in query:
        records = [r for r in records if query["text"].casefold() in r["text"].casefold()]
    for key in ("status", "resourceLocator"):
        if key in query:
            records = [r for r in records if r.get(key) == query[key]]
    views = [record_view(r, dataset) for r in page.apply(records)]
    return ok(total=len(records), records=views, limit=page.limit, offset=page.offset)


async def add_dataset_record(dataset_id: int, body: dict[str, Any]) -> Reply:
    """`PUT /api/dataset/{datasetId}` (admin): a new record, FETCHED unless another status is given."""
    user = caller()
    dataset = await org_dataset(user, dataset_id)
    if dataset is None:
        return refuse(f"Dataset {dataset_id} not found")
    fields = _record_input(body)
    if isinstance(fields, str):
        return refuse(fields)
    now = now_iso()
    record_id = await next_id("record")
    record = {
        "id": record_id,
        "dataset": dataset_id,
        "org": user.org,
        "summary": None,
        "status": default_record_status(),
        "resourceLocator": None,
        "resourceUpdatedAt": None,
        **fields,
        "createdAt": now,
        "updatedAt": now,
        "isVerifiedAnswer": False,
        "item": None,
    }
    await runtime().store.put(RECORDS, str(record_id), record)
    return ok(record=record_view(record, dataset))


async def update_dataset_record(dataset_id: int, id_: int, body: dict[str, Any]) -> Reply:
    """`POST /api/dataset/{datasetId}/{id}` (admin): change the record's text and the other given fields."""
    user = caller()
    fields = _record_input(body)
    if isinstance(fields, str):
        return refuse(fields)
    store = runtime().store
    async with store.transaction():
        found = await _record_of(user, dataset_id, id_)
        if isinstance(found, str):
            return refuse(found)
        dataset, record = found
        record = {**record, **fields, "updatedAt": now_iso()}
        await store.put(RECORDS, str(id_), record)
    return ok(record=record_view(record, dataset))


async def delete_dataset_record(dataset_id: int, id_: int) -> Reply:
    """`DELETE /api/dataset/{datasetId}/{id}` (admin): remove the record (and, on the service, its embeddings)."""
    user = caller()
    store = runtime().store
    async with store.transaction():
        found = await _record_of(user, dataset_id, id_)
        if isinstance(found, str):
            return refuse(found)
        await store.delete(RECORDS, str(id_))
    return ok()
