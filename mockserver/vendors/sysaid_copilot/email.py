"""`POST /api/chat/fromEmail`: a chat started from a service request's email, finished in the background.

The answer is "Chat started" at once. After `background_delay_seconds` the Copilot answers the SR's title and
description in a new thread of the SR's requester, evaluates the answer, and notifies the SysAid server through
`POST <sysaid_callback_base_url>/api/v1/srnotification/sendainotification` (the contract's `aiNotification`
callback, A15). Every attempt and its outcome is a journal event of kind "callback"; without a configured base URL
the attempt is recorded as not sent.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx

from mockserver.runtime import runtime
from mockserver.vendors.sysaid_copilot.background import spawn
from mockserver.vendors.sysaid_copilot.chats import add_exchange
from mockserver.vendors.sysaid_copilot.knowledge import answer_for
from mockserver.vendors.sysaid_copilot.model import CHATS, ORGS, SERVICE_REQUESTS, SPEC, now_iso, sr_key
from mockserver.vendors.sysaid_copilot.replies import Reply, ok, refuse
from mockserver.vendors.sysaid_copilot.session import caller

__all__ = ["CALLBACK_PATH", "RELEVANCE_THRESHOLD", "start_chat_from_email"]

CALLBACK_PATH = "/api/v1/srnotification/sendainotification"
RELEVANCE_THRESHOLD = 0.5
"""Answers rated below this quality are reported as not relevant."""
CALLBACK_TIMEOUT_SECONDS = 5.0


async def start_chat_from_email(body: dict[str, Any]) -> Reply:
    """`POST /api/chat/fromEmail`: check the account and SR, answer "Chat started", continue in the background."""
    user = caller()
    store = runtime().store
    org = await store.get(ORGS, user.org) or {}
    account_id, sr_id = body["accountId"], body["srId"]
    if account_id != org.get("accountId"):
        return refuse(f"Account {account_id[:100]!r} is not the SysAid account of {org.get('hostname')}")
    sr = await store.get(SERVICE_REQUESTS, sr_key(user.org, sr_id))
    if sr is None:
        return refuse(f"Service request {sr_id} not found")
    if sr["closed"]:
        return refuse(f"Service request {sr_id} is closed")
    spawn(_continue_chat(user.org, sr_id), f"fromEmail-{sr_id}")
    return ok(response="Chat started")


async def _continue_chat(org: str, sr_id: int) -> None:
    """Answer the SR's email in a new thread of its requester, then notify the SysAid server."""
    rt = runtime()
    await asyncio.sleep(rt.settings.background_delay_seconds)
    sr = await rt.store.get(SERVICE_REQUESTS, sr_key(org, sr_id))
    if sr is None:
        return
    question = f"{sr['title']}\n{sr['description']}"
    answer = await answer_for(org, question)
    organization = await rt.store.get(ORGS, org) or {}
    async with rt.store.transaction():
        chatuid = str(uuid.uuid4())
        created = now_iso()
        chat = {
            "chatuid": chatuid,
            "org": org,
            "username": sr["requester"],
            "summary": sr["title"][:100],
            "createdAt": created,
            "updatedAt": created,
            "srId": sr_id,
            "resolved": False,
            "messages": [],
            "origin": "email",
        }
        await rt.store.put(CHATS, chatuid, add_exchange(chat, question, answer, organization.get("orgConf", {})))
        await rt.store.update(SERVICE_REQUESTS, sr_key(org, sr_id), {"chatuid": chatuid})
    payload = {
        "accountId": organization.get("accountId"),
        "srId": sr_id,
        "chatuid": chatuid,
        "status": "answered" if answer.content is not None else "no-answer",
        "response": answer.content,
        "qualityRate": answer.quality,
        "relevant": answer.content is not None and answer.quality >= RELEVANCE_THRESHOLD,
    }
    await _notify(org, payload)


async def _notify(org: str, payload: dict[str, Any]) -> None:
    """POST the AI notification to the SysAid server and journal the attempt (never any credential)."""
    rt = runtime()
    base = rt.settings.sysaid_callback_base_url
    detail: dict[str, Any] = {"org": org, "srId": payload["srId"], "chatuid": payload["chatuid"], "payload": payload}
    if not base:
        reason = "not sent: no SysAid callback base URL is configured (sysaid_callback_base_url)"
        rt.journal_event(SPEC, "callback", {**detail, "url": None, "sent": False, "outcome": reason})
        return
    url = base.rstrip("/") + CALLBACK_PATH
    try:
        async with httpx.AsyncClient(timeout=CALLBACK_TIMEOUT_SECONDS) as client:
            response = await client.post(url, json=payload)
    except httpx.HTTPError as exc:
        outcome = f"failed: {type(exc).__name__}: {exc}"
        rt.journal_event(SPEC, "callback", {**detail, "url": url, "sent": False, "outcome": outcome[:300]})
        return
    accepted = 200 <= response.status_code < 300
    outcome = "accepted" if accepted else f"refused with HTTP {response.status_code}"
    rt.journal_event(
        SPEC,
        "callback",
        {
            **detail,
            "url": url,
            "sent": True,
            "status": response.status_code,
            "outcome": outcome,
        },
    )
