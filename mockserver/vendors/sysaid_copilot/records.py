"""Dataset records (admin): query with paging, ordering, filters and total; add, update and delete.

Records belong to a dataset of the caller's organization; a record is addressed by its own id and its dataset's.
`status` defaults to FETCHED; `resourceUpdatedAt` must be an RFC 3339 date-time (A27); Q&A datasets add
`isVerifiedAnswer` to their records. Errors are in-band and say what failed ("Record 17 not found in dataset 4").
"""

from __future__ import annotations

from typing import Any

from mockserver.runtime import runtime
from mockserver.vendors.sysaid_copilot.datasets import org_dataset
from mockserver.vendors.sysaid_copilot.model import QA_DATASET_TYPE, RECORDS, format_time, next_id, now_iso, parse_time
from mockserver.vendors.sysaid_copilot.processing import finalize_due
from mockserver.vendors.sysaid_copilot.queries import page_of
from mockserver.vendors.sysaid_copilot.replies import NOT_ADMIN, Reply, ok, refuse
from mockserver.vendors.sysaid_copilot.routing import integer_path
from mockserver.vendors.sysaid_copilot.session import caller

__all__ = [
    "add_dataset_record",
    "delete_dataset_record",
    "query_dataset_records",
    "record_view",
    "update_dataset_record",
]

RECORD_FIELDS = (
    "dataset",
    "id",
    "text",
    "summary",
    "status",
    "resourceLocator",
    "resourceUpdatedAt",
    "createdAt",
    "updatedAt",
)
RECORD_ORDER_FIELDS = ("id", "createdAt", "updatedAt")
DEFAULT_RECORD_STATUS = "FETCHED"


def record_view(record: dict[str, Any], dataset: dict[str, Any]) -> dict[str, Any]:
    """A record as the service returns it; Q&A datasets add `isVerifiedAnswer`."""
    view = {field: record.get(field) for field in RECORD_FIELDS}
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


@integer_path("dataset_id")
async def query_dataset_records(dataset_id: int, body: dict[str, Any] | None = None) -> Reply:
    """`POST /api/dataset/{datasetId}/query` (admin): filtered, ordered, paged records with the total."""
    user = caller()
    if not user.is_admin:
        return refuse(NOT_ADMIN)
    query = body or {}
    dataset = org_dataset(user, dataset_id)
    if dataset is None:
        return refuse(f"Dataset {dataset_id} not found")
    page = page_of(query, RECORD_ORDER_FIELDS, [["id", "DESC"]])
    if isinstance(page, str):
        return refuse(page)
    finalize_due(dataset_id)
    records = runtime().store.find(RECORDS, dataset=dataset_id)
    if "text" in query:
        records = [r for r in records if query["text"].casefold() in r["text"].casefold()]
    for key in ("status", "resourceLocator"):
        if key in query:
            records = [r for r in records if r.get(key) == query[key]]
    views = [record_view(r, dataset) for r in page.apply(records)]
    return ok(total=len(records), records=views, limit=page.limit, offset=page.offset)


@integer_path("dataset_id")
async def add_dataset_record(dataset_id: int, body: dict[str, Any]) -> Reply:
    """`PUT /api/dataset/{datasetId}` (admin): a new record, FETCHED unless another status is given."""
    user = caller()
    if not user.is_admin:
        return refuse(NOT_ADMIN)
    dataset = org_dataset(user, dataset_id)
    if dataset is None:
        return refuse(f"Dataset {dataset_id} not found")
    fields = _record_input(body)
    if isinstance(fields, str):
        return refuse(fields)
    now = now_iso()
    record_id = next_id("record")
    record = {
        "id": record_id,
        "dataset": dataset_id,
        "org": user.org,
        "summary": None,
        "status": DEFAULT_RECORD_STATUS,
        "resourceLocator": None,
        "resourceUpdatedAt": None,
        **fields,
        "createdAt": now,
        "updatedAt": now,
        "isVerifiedAnswer": False,
        "item": None,
    }
    runtime().store.put(RECORDS, str(record_id), record)
    return ok(record=record_view(record, dataset))


@integer_path("dataset_id", "id_")
async def update_dataset_record(dataset_id: int, id_: int, body: dict[str, Any]) -> Reply:
    """`POST /api/dataset/{datasetId}/{id}` (admin): change the record's text and the other given fields."""
    user = caller()
    if not user.is_admin:
        return refuse(NOT_ADMIN)
    fields = _record_input(body)
    if isinstance(fields, str):
        return refuse(fields)
    store = runtime().store
    with store.transaction():
        dataset = org_dataset(user, dataset_id)
        if dataset is None:
            return refuse(f"Dataset {dataset_id} not found")
        record = store.get(RECORDS, str(id_))
        if record is None or record["dataset"] != dataset_id:
            return refuse(f"Record {id_} not found in dataset {dataset_id}")
        record = {**record, **fields, "updatedAt": now_iso()}
        store.put(RECORDS, str(id_), record)
    return ok(record=record_view(record, dataset))


@integer_path("dataset_id", "id_")
async def delete_dataset_record(dataset_id: int, id_: int) -> Reply:
    """`DELETE /api/dataset/{datasetId}/{id}` (admin): remove the record (and, on the service, its embeddings)."""
    user = caller()
    if not user.is_admin:
        return refuse(NOT_ADMIN)
    store = runtime().store
    with store.transaction():
        if org_dataset(user, dataset_id) is None:
            return refuse(f"Dataset {dataset_id} not found")
        record = store.get(RECORDS, str(id_))
        if record is None or record["dataset"] != dataset_id:
            return refuse(f"Record {id_} not found in dataset {dataset_id}")
        store.delete(RECORDS, str(id_))
    return ok()
