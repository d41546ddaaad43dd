"""Document items of a dataset: create, upload, download, delete and query.

An item is a placeholder created with `PUT /api/document/{datasetId}` (a URLMaster item starts a simulated crawl);
its document is uploaded later as the multipart part `file` and kept byte for byte, so a download returns exactly
what was uploaded, as `application/octet-stream` with `Content-Disposition: attachment` and the file name (A31).
Processing is simulated by `processing.py`. Like the dataset operations, these are for administrators; the download
refuses with its documented HTTP 400 envelope, the others in-band.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

from starlette.datastructures import UploadFile

from mockserver.runtime import runtime
from mockserver.vendors.sysaid_copilot.datasets import org_dataset
from mockserver.vendors.sysaid_copilot.model import CONTENTS, ITEMS, RECORDS, format_time, next_id, now_iso, parse_time
from mockserver.vendors.sysaid_copilot.processing import URL_MASTER, finalize_due, start_processing
from mockserver.vendors.sysaid_copilot.queries import like, page_of
from mockserver.vendors.sysaid_copilot.replies import JSON, NOT_ADMIN, Reply, ok, refuse
from mockserver.vendors.sysaid_copilot.routing import integer_path
from mockserver.vendors.sysaid_copilot.session import Caller, caller

__all__ = ["create_document", "delete_document", "download_document", "query_documents", "upload_document"]

ITEM_FIELDS = (
    "id",
    "dataset",
    "name",
    "itemType",
    "status",
    "statusMessage",
    "resourceLocator",
    "resourceUpdatedAt",
    "createdAt",
    "updatedAt",
)
DOWNLOAD_TYPE = "application/octet-stream"


def _item_result(item: dict[str, Any]) -> Reply:
    return ok(dataset=item["dataset"], id=item["id"], itemType=item["itemType"], itemStatus=item["status"])


def _org_item(user: Caller, dataset_id: int, item_id: int) -> dict[str, Any] | None:
    item = runtime().store.get(ITEMS, str(item_id))
    if item is None or item["org"] != user.org or item["dataset"] != dataset_id:
        return None
    return item


@integer_path("dataset_id")
async def create_document(dataset_id: int, body: dict[str, Any]) -> Reply:
    """`PUT /api/document/{datasetId}`: a new item with the documented defaults; a URLMaster item starts crawling."""
    user = caller()
    if not user.is_admin:
        return refuse(NOT_ADMIN)
    if org_dataset(user, dataset_id) is None:
        return refuse(f"Dataset {dataset_id} not found")
    if not body["name"]:
        return refuse("name must not be empty")
    max_levels = body.get("maxLevels", 1)
    if body["itemType"] == URL_MASTER and max_levels < 1:
        return refuse(f"maxLevels must be 1 or more, got {max_levels}")
    now = now_iso()
    updated_at = now
    if "resourceUpdatedAt" in body:
        moment = parse_time(body["resourceUpdatedAt"])
        if moment is None:
            return refuse(f"resourceUpdatedAt {body['resourceUpdatedAt'][:60]!r} is not a valid date")
        updated_at = format_time(moment)
    item = {
        "id": next_id("item"),
        "dataset": dataset_id,
        "org": user.org,
        "name": body["name"],
        "itemType": body["itemType"],
        "status": body.get("status", 0),
        "statusMessage": body.get("statusMessage", "Processing document"),
        "resourceLocator": body.get("resourceLocator") or body["name"],
        "resourceUpdatedAt": updated_at,
        "maxLevels": max_levels,
        "createdAt": now,
        "updatedAt": now,
        "file": None,
        "doneAt": None,
    }
    if item["itemType"] == URL_MASTER:
        item = start_processing(item, wait=False)
    else:
        runtime().store.put(ITEMS, str(item["id"]), item)
    return _item_result(item)


async def _read_upload(file: Any, body: dict[str, Any] | None) -> tuple[bytes, str | None]:
    """The uploaded bytes and file name, from a file part or (without a file name) a plain form field."""
    if isinstance(file, UploadFile):
        return await file.read(), file.filename
    value = file if file is not None else (body or {}).get("file")
    if isinstance(value, bytes):
        return value, None
    return str(value).encode(), None


@integer_path("dataset_id", "id_")
async def upload_document(
    dataset_id: int, id_: int, file: Any = None, body: dict[str, Any] | None = None, wait: bool = False
) -> Reply:
    """`PUT /api/document/{datasetId}/{id}`: store the document and process it (now with `wait=true`, else later)."""
    try:
        return await _upload(dataset_id, id_, file, body, wait)
    finally:
        if isinstance(file, UploadFile):
            await file.close()


async def _upload(dataset_id: int, id_: int, file: Any, body: dict[str, Any] | None, wait: bool) -> Reply:
    user = caller()
    if not user.is_admin:
        return refuse(NOT_ADMIN)
    if file is None and not (body or {}).get("file"):
        return refuse("No file uploaded: send the document as the multipart part 'file'")
    item = _org_item(user, dataset_id, id_)
    if item is None:
        return refuse(f"Document {id_} not found in dataset {dataset_id}")
    if item["itemType"] == URL_MASTER:
        return refuse("A URLMaster item is crawled from its resourceLocator; it takes no upload")
    data, filename = await _read_upload(file, body)
    store = runtime().store
    store.put(CONTENTS, str(id_), {"item": id_, "org": user.org, "data": base64.b64encode(data).decode()})
    item["file"] = {"filename": filename or item["name"], "size": len(data)}
    item = start_processing(item, wait=wait)
    return _item_result(item)


def _disposition(filename: str) -> str:
    """`attachment` with the file name (ASCII fallback plus RFC 6266 `filename*` for other characters)."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in filename) or "document"
    header = f'attachment; filename="{fallback}"'
    return header if fallback == filename else f"{header}; filename*=UTF-8''{quote(filename, safe='')}"


@integer_path("dataset_id", "id_")
async def download_document(dataset_id: int, id_: int) -> Reply:
    """`GET /api/document/{datasetId}/{id}` (admin): the uploaded bytes; errors are HTTP 400 with the envelope."""
    user = caller()
    if not user.is_admin:
        return {"status": "error", "error": NOT_ADMIN}, 400, JSON
    item = _org_item(user, dataset_id, id_)
    if item is None:
        return {"status": "error", "error": f"Document {id_} not found in dataset {dataset_id}"}, 400, JSON
    content = runtime().store.get(CONTENTS, str(id_))
    if content is None or item.get("file") is None:
        return {"status": "error", "error": f"Document {id_} has no uploaded content"}, 400, JSON
    headers = {"Content-Type": DOWNLOAD_TYPE, "Content-Disposition": _disposition(item["file"]["filename"])}
    return base64.b64decode(content["data"]), 200, headers


@integer_path("dataset_id", "id_")
async def delete_document(dataset_id: int, id_: int) -> Reply:
    """`DELETE /api/document/{datasetId}/{id}`: remove the item, its document and its records."""
    user = caller()
    if not user.is_admin:
        return refuse(NOT_ADMIN)
    store = runtime().store
    with store.transaction():
        item = _org_item(user, dataset_id, id_)
        if item is None:
            return refuse(f"Document {id_} not found in dataset {dataset_id}")
        store.delete(ITEMS, str(id_))
        store.delete(CONTENTS, str(id_))
        store.delete_where(RECORDS, item=id_)
    return ok()


@integer_path("dataset_id")
async def query_documents(dataset_id: int, body: dict[str, Any] | None = None) -> Reply:
    """`POST /api/document/{datasetId}/query`: filtered (`name` as LIKE), ordered, paged items with the total."""
    user = caller()
    if not user.is_admin:
        return refuse(NOT_ADMIN)
    query = body or {}
    if org_dataset(user, dataset_id) is None:
        return refuse(f"Dataset {dataset_id} not found")
    page = page_of(query, ITEM_FIELDS, [["id", "DESC"]])
    if isinstance(page, str):
        return refuse(page)
    finalize_due(dataset_id)
    items = runtime().store.find(ITEMS, dataset=dataset_id)
    for key in ("itemType", "status", "resourceLocator"):
        if key in query:
            items = [item for item in items if item.get(key) == query[key]]
    if "name" in query:
        items = [item for item in items if like(query["name"], item["name"])]
    views = [{field: item.get(field) for field in ITEM_FIELDS} for item in page.apply(items)]
    return ok(dataset=dataset_id, total=len(items), items=views)
