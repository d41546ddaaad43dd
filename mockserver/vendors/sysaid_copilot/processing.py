"""Simulated document processing and URL crawling, with completion derived from the mock clock.

An uploaded document, or a new URLMaster item, is PROCESSING until `background_delay_seconds` of mock time have
passed: a background task completes it after that wall-clock delay, and every read of the dataset completes the
items that are due, so advancing the clock through the admin API completes them too. Processing turns the content
into dataset records of the item (one per document, one per crawled page) and updates the dataset's fetch status.
A file whose bytes do not fit the item type (no `%PDF` header for a PDFDocument, say), an empty file or a URL that is
not http(s) ends FAILED with the reason in `statusMessage`. Item types and statuses are the contract's enums, by
their `x-enum-varnames`.
"""

from __future__ import annotations

import asyncio
import base64
import re
from typing import Any
from urllib.parse import urlparse

from mockserver.runtime import runtime
from mockserver.vendors.sysaid_copilot.background import spawn
from mockserver.vendors.sysaid_copilot.model import (
    CONTENTS,
    DATASETS,
    ITEMS,
    RECORDS,
    default_record_status,
    enum_names,
    item_key,
    next_id,
    now_iso,
)

__all__ = [
    "COMPLETED",
    "FAILED",
    "MAX_CRAWL_PAGES",
    "PROCESSING",
    "URL_MASTER",
    "finalize_due",
    "start_processing",
]

_STATUS = enum_names("DocumentItemStatus")
_TYPE = enum_names("DocumentItemType")
PROCESSING, COMPLETED, FAILED = _STATUS["PROCESSING"], _STATUS["COMPLETED"], _STATUS["FAILED"]
URL_MASTER = _TYPE["URLMaster"]
MAX_CRAWL_PAGES = 25
"""Pages a simulated crawl stops at, whatever `maxLevels` says."""
LINKS_PER_PAGE = 2
MAX_RECORD_TEXT = 2000
_SIGNATURES = {
    _TYPE["PDFDocument"]: ((b"%PDF",), "The file is not a PDF document"),
    _TYPE["WordDocument"]: ((b"PK\x03\x04", b"\xd0\xcf\x11\xe0"), "The file is not a Word document (.docx or .doc)"),
}
_PRINTABLE_RUN = re.compile(rb"[\x20-\x7e]{4,}")


async def start_processing(item: dict[str, Any], *, wait: bool) -> dict[str, Any]:
    """Mark an item PROCESSING (due after the configured delay) and store it; with `wait`, process it now."""
    rt = runtime()
    delay = 0.0 if wait else rt.settings.background_delay_seconds
    item.update(
        status=PROCESSING, statusMessage="Processing document", doneAt=rt.clock.now() + delay, updatedAt=now_iso()
    )
    await rt.store.put(ITEMS, item_key(item["dataset"], item["id"]), item)
    if wait:
        return await _finalize(item)
    spawn(_complete_later(item["dataset"], delay), f"process-item-{item['dataset']}-{item['id']}")
    return item


async def _complete_later(dataset_id: int, delay: float) -> None:
    await asyncio.sleep(delay)
    await finalize_due(dataset_id)


async def finalize_due(dataset_id: int) -> None:
    """Complete the dataset's PROCESSING items whose time has come on the mock clock."""
    rt = runtime()
    now = rt.clock.now()
    async with rt.store.transaction():
        for item in await rt.store.find(ITEMS, dataset=dataset_id, status=PROCESSING):
            if item.get("doneAt") is not None and now >= item["doneAt"]:
                await _finalize(item)


async def _finalize(item: dict[str, Any]) -> dict[str, Any]:
    """Turn an item's content into records and set its final status (inside the caller's transaction or alone)."""
    store = runtime().store
    key = item_key(item["dataset"], item["id"])
    await store.delete_where(RECORDS, dataset=item["dataset"], item=item["id"])
    if item["itemType"] == URL_MASTER:
        texts, failure = _crawl(item["resourceLocator"], item.get("maxLevels", 1))
    else:
        content = await store.get(CONTENTS, key)
        data = base64.b64decode(content["data"]) if content else b""
        texts, failure = _extract(item["itemType"], data, item["file"]["filename"] if item.get("file") else "")
    now = now_iso()
    for locator, text in texts:
        record_id = await next_id("record")
        await store.put(
            RECORDS,
            str(record_id),
            {
                "id": record_id,
                "dataset": item["dataset"],
                "org": item["org"],
                "text": text[:MAX_RECORD_TEXT],
                "summary": item["name"],
                "status": default_record_status(),
                "resourceLocator": locator or item["resourceLocator"],
                "resourceUpdatedAt": item["resourceUpdatedAt"],
                "createdAt": now,
                "updatedAt": now,
                "isVerifiedAnswer": False,
                "item": item["id"],
            },
        )
    if failure:
        item.update(status=FAILED, statusMessage=failure)
    else:
        pages = f"Crawled {len(texts)} page(s)" if item["itemType"] == URL_MASTER else "Document processed"
        item.update(status=COMPLETED, statusMessage=pages)
    item.update(doneAt=None, updatedAt=now)
    await store.put(ITEMS, key, item)
    dataset = await store.get(DATASETS, str(item["dataset"]))
    if dataset is not None:
        fetch = dict(dataset["fetchStatus"], lastFetchAttempt=now, lastFetchError=failure or "")
        if not failure:
            fetch["lastSucccessfulFetch"] = now
        await store.put(DATASETS, str(dataset["id"]), {**dataset, "fetchStatus": fetch})
    return item


def _extract(item_type: int, data: bytes, filename: str) -> tuple[list[tuple[str | None, str]], str]:
    """The text of an uploaded document, or the reason it cannot be processed."""
    if not data:
        return [], "The file is empty"
    signatures, refusal = _SIGNATURES.get(item_type, ((), ""))
    if signatures and not data.startswith(signatures):
        return [], refusal
    if item_type == _TYPE["CSVDocument"]:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return [], "The file is not UTF-8 CSV text"
    else:
        text = " ".join(run.decode() for run in _PRINTABLE_RUN.findall(data))
    return [(None, text.strip() or f"Text extracted from {filename or 'the document'}")], ""


def _crawl(url: str, max_levels: int) -> tuple[list[tuple[str | None, str]], str]:
    """The pages a crawl of `url` reaches: the master page, then two links per page and level."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return [], f"Invalid URL {url[:200]!r}: a URLMaster item needs an http(s) resourceLocator"
    pages, level = [url], [url]
    for _ in range(max(1, max_levels) - 1):
        level = [f"{page.rstrip('/')}/page-{n}" for page in level for n in range(1, LINKS_PER_PAGE + 1)]
        pages.extend(level)
        if len(pages) >= MAX_CRAWL_PAGES:
            break
    return [(page, f"Text of {page}") for page in pages[:MAX_CRAWL_PAGES]], ""
