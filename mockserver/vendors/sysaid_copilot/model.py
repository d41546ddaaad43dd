"""SysAid Copilot's stored model: collection names, id counters and time formats shared by every module.

Everything lives in the store (never in module state), so every worker process sees the same chats, streams,
long operations, datasets and documents. Each document carries the organization it belongs to (`org`), and every
lookup checks it, so nothing leaks from one organization to another.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from contracts import load_contract
from mockserver.runtime import runtime

__all__ = [
    "CHATS",
    "CONTENTS",
    "DATASETS",
    "FEEDBACK",
    "HOSTNAMES",
    "ITEMS",
    "LONG_OPERATIONS",
    "ORGS",
    "QA_DATASET_TYPE",
    "RECORDS",
    "SERVICE_REQUESTS",
    "SESSIONS",
    "SPEC",
    "STREAMS",
    "component",
    "default_record_status",
    "digest",
    "enum_names",
    "format_time",
    "item_key",
    "item_statuses",
    "next_id",
    "now_iso",
    "parse_time",
    "sr_key",
]

SPEC = "sysaid-copilot"

ORGS = f"{SPEC}/orgs"
HOSTNAMES = f"{SPEC}/hostnames"
"""Hostname -> organization name: fixture data, so the login middleware reads it from the runtime's cache."""
SESSIONS = f"{SPEC}/sessions"
SERVICE_REQUESTS = f"{SPEC}/service-requests"
CHATS = f"{SPEC}/chats"
STREAMS = f"{SPEC}/streams"
LONG_OPERATIONS = f"{SPEC}/long-operations"
DATASETS = f"{SPEC}/datasets"
RECORDS = f"{SPEC}/records"
ITEMS = f"{SPEC}/items"
CONTENTS = f"{SPEC}/contents"
FEEDBACK = f"{SPEC}/feedback"

_COUNTERS = ("dataset", "record", "item", "sr")


async def next_id(kind: str) -> int:
    """The next integer id of a kind (dataset, record, item, sr), shared by every worker."""
    if kind not in _COUNTERS:
        raise ValueError(f"unknown id kind {kind!r}; known: {', '.join(_COUNTERS)}")
    return await runtime().store.increment(f"{SPEC}/{kind}-id")


@functools.cache
def component(name: str) -> Mapping[str, Any]:
    """A schema of the contract's `components/schemas`, as written (shared: never modify it), so that field lists,
    defaults and enums are read from the contract instead of restated here."""
    schema: Mapping[str, Any] = load_contract(SPEC).document["components"]["schemas"][name]
    return schema


def sr_key(org: str, sr_id: int | str) -> str:
    """Store id of a service request (SR ids are only unique within one SysAid account)."""
    return f"{org}:{sr_id}"


def item_key(dataset_id: int, item_id: int) -> str:
    """Store id of a document item and its content (item ids are only unique within a dataset, A39)."""
    return f"{dataset_id}:{item_id}"


def digest(credential: str) -> str:
    """Store id of a credential (a session cookie, a stream id): its SHA-256, so the store never holds it in clear."""
    return hashlib.sha256(credential.encode("utf-8", "surrogatepass")).hexdigest()


def now_iso() -> str:
    """The mock clock's current time, as the service formats timestamps."""
    return runtime().clock.now_iso()


def parse_time(value: str) -> datetime | None:
    """An RFC 3339 timestamp as an aware datetime, or None when the text is not one."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def format_time(moment: datetime) -> str:
    """A datetime in the service's timestamp format (UTC, milliseconds, `Z`)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


QA_DATASET_TYPE = 2
"""`datasetType` of Q&A (verified answers) datasets, whose records carry `isVerifiedAnswer`; the guide names the
type without its number."""


def enum_names(schema_name: str) -> dict[str, int]:
    """An integer enum of the contract by member name (its `x-enum-varnames`, as code generators read them)."""
    schema = component(schema_name)
    return dict(zip(schema["x-enum-varnames"], schema["enum"], strict=True))


def default_record_status() -> str:
    """The status of a record stored without one (`DatasetRecordInput.status` default: FETCHED)."""
    return str(component("DatasetRecordInput")["properties"]["status"]["default"])


def item_statuses() -> dict[int, str]:
    """Document item status codes and their names (`DocumentItemStatus`: 0 PROCESSING, 1 COMPLETED...)."""
    return {code: name for name, code in enum_names("DocumentItemStatus").items()}
