"""Datasets: list, create, get (with item counts by status and fetch status), update and delete.

Datasets belong to an organization; another organization's dataset is answered like a missing one. Every dataset
operation is `x-admin-only` (the guide requires an admin for records; dataset management is part of the same admin
console), so the login middleware refuses other users with the operation's documented `notAdmin` answer before
these handlers run. Errors use the guide's fixed messages ("Failed to create dataset", "Failed to retrieve
specified dataset", ...). A built-in dataset cannot be deleted.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from mockserver.runtime import runtime
from mockserver.vendors.sysaid_copilot.model import (
    CONTENTS,
    DATASETS,
    ITEMS,
    RECORDS,
    component,
    item_statuses,
    next_id,
)
from mockserver.vendors.sysaid_copilot.processing import finalize_due
from mockserver.vendors.sysaid_copilot.replies import Reply, ok, refuse
from mockserver.vendors.sysaid_copilot.session import Caller, caller

__all__ = [
    "create_dataset",
    "dataset_fields",
    "dataset_view",
    "delete_dataset",
    "get_dataset",
    "list_datasets",
    "org_dataset",
    "update_dataset",
]


@functools.cache
def _properties(schema_name: str) -> tuple[str, ...]:
    return tuple(component(schema_name)["properties"])


def dataset_fields() -> tuple[str, ...]:
    """The fields of a dataset as the service returns it (the contract's `Dataset` schema)."""
    return _properties("Dataset")


async def org_dataset(user: Caller, dataset_id: int) -> dict[str, Any] | None:
    """The caller's organization's dataset with this id, or None."""
    dataset = await runtime().store.get(DATASETS, str(dataset_id))
    return dataset if dataset is not None and dataset["org"] == user.org else None


def dataset_view(dataset: dict[str, Any]) -> dict[str, Any]:
    """A dataset as the service returns it (the eight documented fields)."""
    return {field: dataset.get(field) for field in dataset_fields()}


def _valid_configuration(value: Any) -> bool:
    if value is None:
        return True
    try:
        json.loads(value)
    except ValueError:
        return False
    return True


async def list_datasets() -> Reply:
    """`GET /api/dataset`: the organization's datasets."""
    user = caller()
    return ok(datasets=[dataset_view(d) for d in await runtime().store.find(DATASETS, org=user.org)])


async def create_dataset(body: dict[str, Any]) -> Reply:
    """`PUT /api/dataset`: a new dataset (enabled unless told otherwise; not built in)."""
    user = caller()
    if not body["title"] or not _valid_configuration(body.get("configuration")):
        return refuse("Failed to create dataset")
    dataset_id = await next_id("dataset")
    dataset = {
        "id": dataset_id,
        "org": user.org,
        "title": body["title"],
        "datasetType": body["datasetType"],
        "builtIn": False,
        "enabled": body.get("enabled", True),
        "maxDistance": body.get("maxDistance"),
        "gueranteeItems": body.get("gueranteeItems"),
        "configuration": body.get("configuration"),
        "fetchStatus": {"lastSucccessfulFetch": None, "lastFetchAttempt": None, "lastFetchError": None},
    }
    await runtime().store.put(DATASETS, str(dataset_id), dataset)
    return ok(dataset=dataset_view(dataset))


async def get_dataset(dataset_id: int) -> Reply:
    """`GET /api/dataset/{datasetId}`: the dataset, its items counted by status, and its fetch status."""
    user = caller()
    if await org_dataset(user, dataset_id) is None:
        return refuse("Failed to retrieve specified dataset")
    await finalize_due(dataset_id)
    store = runtime().store
    dataset = await store.get(DATASETS, str(dataset_id)) or {}
    names = item_statuses()
    counts: dict[int, int] = {}
    for item in await store.find(ITEMS, dataset=dataset_id):
        counts[item["status"]] = counts.get(item["status"], 0) + 1
    summary = [{"status": code, "count": counts[code], "caption": names[code]} for code in sorted(counts)]
    return ok(dataset=dataset_view(dataset), statusSummary=summary, fetchStatus=dataset["fetchStatus"])


async def update_dataset(dataset_id: int, body: dict[str, Any]) -> Reply:
    """`POST /api/dataset/{datasetId}`: change the given fields (the type cannot change)."""
    user = caller()
    changes = {key: body[key] for key in _properties("DatasetUpdate") if key in body}
    if ("title" in changes and not changes["title"]) or not _valid_configuration(changes.get("configuration")):
        return refuse("Failed to update dataset")
    store = runtime().store
    async with store.transaction():
        dataset = await org_dataset(user, dataset_id)
        if dataset is None:
            return refuse("Failed to update dataset")
        await store.put(DATASETS, str(dataset_id), {**dataset, **changes})
    return ok()


async def delete_dataset(dataset_id: int) -> Reply:
    """`DELETE /api/dataset/{datasetId}`: remove the dataset with its records and documents (not a built-in one)."""
    user = caller()
    store = runtime().store
    async with store.transaction():
        dataset = await org_dataset(user, dataset_id)
        if dataset is None or dataset["builtIn"]:
            return refuse("Failed to delete dataset")
        await store.delete_where(CONTENTS, dataset=dataset_id)
        await store.delete_where(ITEMS, dataset=dataset_id)
        await store.delete_where(RECORDS, dataset=dataset_id)
        await store.delete(DATASETS, str(dataset_id))
    return ok()
