"""SysAid Copilot's stored model: collection names, id counters and time formats shared by every module.

Everything lives in the store (never in module state), so every worker process sees the same chats, streams,
long operations, datasets and documents. Each document carries the organization it belongs to (`org`), and every
lookup checks it, so nothing leaks from one organization to another.
"""

from __future__ import annotations

from datetime import UTC, datetime

from mockserver.runtime import runtime

__all__ = [
    "CHATS",
    "CONTENTS",
    "DATASETS",
    "FEEDBACK",
    "ITEMS",
    "ITEM_STATUSES",
    "LONG_OPERATIONS",
    "ORGS",
    "QA_DATASET_TYPE",
    "RECORDS",
    "SERVICE_REQUESTS",
    "SESSIONS",
    "SPEC",
    "STREAMS",
    "format_time",
    "next_id",
    "now_iso",
    "parse_time",
    "sr_key",
]

SPEC = "sysaid-copilot"

ORGS = f"{SPEC}/orgs"
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


def next_id(kind: str) -> int:
    """The next integer id of a kind (dataset, record, item, sr), shared by every worker."""
    if kind not in _COUNTERS:
        raise ValueError(f"unknown id kind {kind!r}; known: {', '.join(_COUNTERS)}")
    return runtime().store.increment(f"{SPEC}/{kind}-id")


def sr_key(org: str, sr_id: int | str) -> str:
    """Store id of a service request (SR ids are only unique within one SysAid account)."""
    return f"{org}:{sr_id}"


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
"""`datasetType` of Q&A (verified answers) datasets, whose records carry `isVerifiedAnswer`; the seed names the
type without its number."""
ITEM_STATUSES = {0: "PROCESSING", 1: "COMPLETED", 2: "FAILED", 3: "UPLOADING"}
"""Document item statuses (seed 001, `PUT /api/document/:datasetid`)."""
