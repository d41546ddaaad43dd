"""Document items of a dataset: create, upload, download, delete and query.

An item is a placeholder created with `PUT /api/document/{datasetId}` (a URLMaster item starts a simulated crawl);
its document is uploaded later as the multipart part `file` and kept byte for byte, so a download returns exactly
what was uploaded, as `application/octet-stream` with `Content-Disposition: attachment` and the file name (A31).
Item ids are unique within their dataset (A39: the guide's samples address item 456 in datasets 123 and 4).
Processing is simulated by `processing.py`. Like the dataset operations these are `x-admin-only`; the login
middleware refuses other users with each operation's documented answer (HTTP 400 for the download).
"""

from __future__ import annotations

import base64
import functools
from typing import Any
from urllib.parse import quote

from starlette.datastructures import UploadFile

from mockserver.runtime import runtime
from mockserver.vendors.sysaid_copilot.datasets import org_dataset
from mockserver.vendors.sysaid_copilot.model import (
    CONTENTS,
    ITEMS,
    RECORDS,
    component,
    format_time,
    item_key,
    next_id,
    now_iso,
    parse_time,
)
from mockserver.vendors.sysaid_copilot.processing import URL_MASTER, finalize_due, start_processing
from mockserver.vendors.sysaid_copilot.queries import like, page_of
from mockserver.vendors.sysaid_copilot.replies import JSON, Reply, ok, refuse
from mockserver.vendors.sysaid_copilot.session import Caller, caller

__all__ = ["create_document", "delete_document", "download_document", "query_documents", "upload_document"]

DOWNLOAD_TYPE = "application/octet-stream"


@functools.cache
def _item_fields() -> tuple[str, ...]:
    """The fields of an item as the query returns it (the contract's `DocumentItem`)."""
    return tuple(component("DocumentItem")["properties"])


def _defaults() -> dict[str, Any]:
    """The defaults `PUT /api/document/{datasetId}` documents (`DocumentCreate`: status, statusMessage, maxLevels)."""
    properties = component("DocumentCreate")["properties"]
    return {name: schema["default"] for name, schema in properties.items() if "default" in schema}


def _item_result(item: dict[str, Any]) -> Reply:
    return ok(dataset=item["dataset"], id=item["id"], itemType=item["itemType"], itemStatus=item["status"])


async def _org_item(user: Caller, dataset_id: int, item_id: int) -> dict[str, Any] | None:
    item = await runtime().store.get(ITEMS, item_key(dataset_id, item_id))
    return item if item is not None and item["org"] == user.org else None


async def create_document(dataset_id: int, body: dict[str, Any]) -> Reply:
    """`PUT /api/document/{datasetId}`: a new item with the documented defaults; a URLMaster item starts crawling."""
    user = caller()
    if await org_dataset(user, dataset_id) is None:
        return refuse(f"Dataset {dataset_id} not found")
    if not body["name"]:
        return refuse("name must not be empty")
    fields = {**_defaults(), **body}
    if fields["itemType"] == URL_MASTER and fields["maxLevels"] < 1:
        return refuse(f"maxLevels must be 1 or more, got {fields['maxLevels']}")
    now = now_iso()
    updated_at = now
    if "resourceUpdatedAt" in body:
        moment = parse_time(body["resourceUpdatedAt"])
        if moment is None:
            return refuse(f"resourceUpdatedAt {body['resourceUpdatedAt'][:60]!r} is not a valid date")
        updated_at = format_time(moment)
    item = {
        "id": await next_id("item"),
        "dataset": dataset_id,
        "org": user.org,
        "name": body["name"],
        "itemType": fields["itemType"],
        "status": fields["status"],
        "statusMessage": fields["statusMessage"],
        "resourceLocator": body.get("resourceLocator") or body["name"],
        "resourceUpdatedAt": updated_at,
        "maxLevels": fields["maxLevels"],
        "createdAt": now,
        "updatedAt": now,
        "file": None,
        "doneAt": None,
    }
    if item["itemType"] == URL_MASTER:
        item = await start_processing(item, wait=False)
    else:
        await runtime().store.put(ITEMS, item_key(dataset_id, item["id"]), item)
    return _item_result(item)


async def upload_document(dataset_id: int, id_: int, file: UploadFile | None = None, wait: bool = False) -> Reply:
    """`PUT /api/document/{datasetId}/{id}`: store the document and process it (now with `wait=true`, else later)."""
    user = caller()
    if file is None:
        return refuse("No file uploaded: send the document as the multipart part 'file' with a file name")
    item = await _org_item(user, dataset_id, id_)
    if item is None:
        return refuse(f"Document {id_} not found in dataset {dataset_id}")
    if item["itemType"] == URL_MASTER:
        return refuse("A URLMaster item is crawled from its resourceLocator; it takes no upload")
    data = await file.read()
    content = {"dataset": dataset_id, "item": id_, "org": user.org, "data": base64.b64encode(data).decode()}
    await runtime().store.put(CONTENTS, item_key(dataset_id, id_), content)
    item["file"] = {"filename": file.filename or item["name"], "size": len(data)}
    return _item_result(await start_processing(item, wait=wait))


def _disposition(filename: str) -> str:
    """`attachment` with the file name (ASCII fallback plus RFC 6266 `filename*` for other characters)."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in filename) or "document"
    header = f'attachment; filename="{fallback}"'
    return header if fallback == filename else f"{header}; filename*=UTF-8''{quote(filename, safe='')}"


async def download_document(dataset_id: int, id_: int) -> Reply:
    """`GET /api/document/{datasetId}/{id}` (admin): the uploaded bytes; errors are HTTP 400 with the envelope."""
    user = caller()
    item = await _org_item(user, dataset_id, id_)
    if item is None:
        return {"status": "error", "error": f"Document {id_} not found in dataset {dataset_id}"}, 400, JSON
    content = await runtime().store.get(CONTENTS, item_key(dataset_id, id_))
    if content is None or item.get("file") is None:
        return {"status": "error", "error": f"Document {id_} has no uploaded content"}, 400, JSON
    headers = {"Content-Type": DOWNLOAD_TYPE, "Content-Disposition": _disposition(item["file"]["filename"])}
    return base64.b64decode(content["data"]), 200, headers


async def delete_document(dataset_id: int, id_: int) -> Reply:
    """`DELETE /api/document/{datasetId}/{id}`: remove the item, its document and its records."""
    user = caller()
    store = runtime().store
    async with store.transaction():
        item = await _org_item(user, dataset_id, id_)
        if item is None:
            return refuse(f"Document {id_} not found in dataset {dataset_id}")
        await store.delete(ITEMS, item_key(dataset_id, id_))
        await store.delete(CONTENTS, item_key(dataset_id, id_))
        await store.delete_where(RECORDS, dataset=dataset_id, item=id_)
    return ok()


async def query_documents(dataset_id: int, body: dict[str, Any] | None = None) -> Reply:
    """`POST /api/document/{datasetId}/query`: filtered (`name` as LIKE), ordered, paged items with the total."""
    user = caller()
    query = body or {}
    if await org_dataset(user, dataset_id) is None:
        return refuse(f"Dataset {dataset_id} not found")
    page = page_of(query, component("DocumentQuery"), _item_fields(), [["id", "DESC"]])
    if isinstance(page, str):
        return refuse(page)
    await finalize_due(dataset_id)
    items = await runtime().store.find(ITEMS, dataset=dataset_id)
    for key in ("itemType", "status", "resourceLocator"):
        if key in query:
            items = [item for item in items if item.get(key) == query[key]]
    if "name" in query:
        items = [item for item in items if like(query["name"], item["name"])]
    views = [{field: item.get(field) for field in _item_fields()} for item in page.apply(items)]
    return ok(dataset=dataset_id, total=len(items), items=views)
