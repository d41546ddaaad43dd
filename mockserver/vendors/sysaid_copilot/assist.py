"""AI admin assist: SR summaries (`GET /summarize/{srid}`), summary feedback (`POST /feedback`), and SR
categorization (`POST /api/sr/suggest_category_for_text`).

Summaries come from the organization's service requests (fixture SRs and those created by escalation); errors are
the guide's plain-text 400s ("Error in summarizeSR: ..."; the not-logged-in, not-admin and missing-field answers
come from the contract's `x-refusals`). Category suggestions are deterministic: the fixture category of the
requested `srType` whose keywords occur most often in the text (the first one when none does, with a low
similarity).
"""

from __future__ import annotations

import functools
import re
import uuid
from typing import Any

from starlette.responses import Response

from mockserver.runtime import runtime
from mockserver.vendors.sysaid_copilot.knowledge import matches
from mockserver.vendors.sysaid_copilot.model import (
    FEEDBACK,
    ORGS,
    SERVICE_REQUESTS,
    component,
    enum_names,
    now_iso,
    sr_key,
)
from mockserver.vendors.sysaid_copilot.replies import JSON, Reply, ok, refuse, text
from mockserver.vendors.sysaid_copilot.session import caller

__all__ = ["submit_summary_feedback", "suggest_category_for_text", "suggested_title", "summarize_sr"]

MAX_TITLE = 80
SUMMARY_ERROR = "Error in summarizeSR: "
"""The guide's prefix of every `GET /summarize/{srid}` error."""


@functools.cache
def _feedback_schema() -> tuple[tuple[str, ...], str]:
    """The required fields of `POST /feedback` and the `summary` default ("Summary is not available")."""
    schema = component("SummaryFeedback")
    return tuple(schema["required"]), str(schema["properties"]["summary"]["default"])


@functools.cache
def _summary_fields() -> tuple[str, ...]:
    """The fields of a summary besides its `id` (the contract's `SrSummary`)."""
    return tuple(name for name in component("SrSummary")["required"] if name != "id")


async def summarize_sr(srid: str) -> Reply:
    """`GET /summarize/{srid}` (admin): summary, sentiment, sentiment texts and title of a service request."""
    user = caller()
    store = runtime().store
    sr = await store.get(SERVICE_REQUESTS, sr_key(user.org, int(srid))) if srid.isascii() and srid.isdigit() else None
    if sr is None:
        return text(f"{SUMMARY_ERROR}Service request {srid[:60]} not found", 400)
    return {"id": str(sr["srId"]), **{key: sr[key] for key in _summary_fields()}}, 200, JSON


async def submit_summary_feedback(body: dict[str, Any]) -> Response:
    """`POST /feedback` (admin): store the feedback; HTTP 200 without a body. Missing or empty fields never get
    here: the contract's `minLength` refuses them with the documented `missingField` answer."""
    user = caller()
    required, default_summary = _feedback_schema()
    feedback_id = str(uuid.uuid4())
    await runtime().store.put(
        FEEDBACK,
        feedback_id,
        {
            "id": feedback_id,
            "org": user.org,
            "username": user.username,
            **{key: body[key] for key in required},
            "summary": body.get("summary", default_summary),
            "createdAt": now_iso(),
        },
    )
    return Response(status_code=200)


def suggested_title(description: str) -> str:
    """A short SR title from a description: its first sentence with capitalized words."""
    first = re.split(r"[.!?\n]", description.strip(), maxsplit=1)[0].strip() or description.strip()
    words = [
        word if word.isupper() or not word[:1].isalpha() else word[:1].upper() + word[1:] for word in first.split()
    ]
    return " ".join(words)[:MAX_TITLE]


async def suggest_category_for_text(body: dict[str, Any]) -> Reply:
    """`POST /api/sr/suggest_category_for_text`: the best fixture category, template and title for a text."""
    user = caller()
    description, sr_type = body["text"], body["srType"]
    if not description:
        return refuse("text not provided")
    organization = await runtime().store.get(ORGS, user.org) or {}
    categories = [c for c in organization.get("categories", []) if c["srType"] == sr_type]
    if not categories:
        return refuse(f"No service request categories are defined for srType {sr_type}")
    best, best_hits = categories[0], 0
    for candidate in categories:
        hits = sum(1 for keyword in candidate["keywords"] if matches(keyword, description))
        if hits > best_hits:
            best, best_hits = candidate, hits
    similarity = round(0.3 + 0.65 * best_hits / max(1, len(best["keywords"])), 4)
    category = {**best["category"], "srType": sr_type, "similarity": similarity}
    is_request = sr_type == enum_names("SrType")["REQUEST"]
    template = category["request_template"] if is_request else category["incident_template"]
    return ok(category=category, template=template, srType=sr_type, title=suggested_title(description), updateInfo=[])
