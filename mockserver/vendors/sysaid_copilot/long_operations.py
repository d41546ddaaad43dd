"""Escalation to a service request (`PUT /api/sr/{chatuid}`) and its long operation (`GET /api/longOperation/{id}`).

The SR is created by a long operation that reports "in-progress" on its first poll and "completed" (with the new
`srId`) from its second poll on, or on any poll once `LONG_OPERATION_SECONDS` of mock time have passed, so clients
can test their polling loop without sleeping (advance the clock through the admin API). Errors of the polling
endpoint are plain text, as the guide documents: "Invalid request" (400, not a UUID) and "Long operation not found"
(404, also for another user's operation).
"""

from __future__ import annotations

import uuid
from typing import Any

from mockserver.runtime import runtime
from mockserver.vendors.sysaid_copilot.chats import find_chat
from mockserver.vendors.sysaid_copilot.model import CHATS, LONG_OPERATIONS, SERVICE_REQUESTS, next_id, sr_key
from mockserver.vendors.sysaid_copilot.replies import JSON, Reply, refuse, text
from mockserver.vendors.sysaid_copilot.session import caller

__all__ = ["LONG_OPERATION_POLLS", "LONG_OPERATION_SECONDS", "create_sr_from_chat", "get_long_operation"]

LONG_OPERATION_POLLS = 1
"""Polls answered "in-progress" before the operation completes."""
LONG_OPERATION_SECONDS = 2.0
"""Mock time after which the operation is complete whatever the number of polls."""
SR_NEW = "New"


async def create_sr_from_chat(chatuid: str) -> Reply:
    """`PUT /api/sr/{chatuid}`: start creating an SR from the owner's chat transcript."""
    user = caller()
    rt = runtime()
    async with rt.store.transaction():
        chat, error = await find_chat(chatuid, user)
        if chat is None:
            return refuse(error)
        if chat.get("srId") is not None:
            return refuse(f"Chat already escalated to service request {chat['srId']}")
        found = await rt.store.find(LONG_OPERATIONS, chatuid=chat["chatuid"])
        running = [op for op in found if op["srId"] is None]
        operation_id = running[0]["id"] if running else str(uuid.uuid4())
        if not running:
            await rt.store.put(
                LONG_OPERATIONS,
                operation_id,
                {
                    "id": operation_id,
                    "org": user.org,
                    "username": user.username,
                    "chatuid": chat["chatuid"],
                    "kind": "createSr",
                    "startedAt": rt.clock.now(),
                    "polls": 0,
                    "srId": None,
                },
            )
    return {"status": "in-progress", "longOperationId": operation_id}, 200, JSON


async def _create_sr(chat: dict[str, Any]) -> int:
    """Store the SR made from a chat transcript and link the chat to it (inside the caller's transaction)."""
    store = runtime().store
    sr_id = await next_id("sr")
    questions = [message["content"] for message in chat["messages"] if message["role"] == "user"]
    transcript = "\n".join(f"{message['role']}: {message['content']}" for message in chat["messages"])
    await store.put(
        SERVICE_REQUESTS,
        sr_key(chat["org"], sr_id),
        {
            "org": chat["org"],
            "srId": sr_id,
            "requester": chat["username"],
            "title": chat["summary"][:80] or "Chat",
            "description": transcript,
            "status": SR_NEW,
            "closed": False,
            "chatuid": chat["chatuid"],
            "summary": f"Escalated from a Copilot chat of {len(questions)} question(s): {'; '.join(questions)[:300]}",
            "sentiment": "neutral",
            "sentimentTextList": [],
        },
    )
    await store.put(CHATS, chat["chatuid"], {**chat, "srId": sr_id})
    return sr_id


async def get_long_operation(id_: str) -> Reply:
    """`GET /api/longOperation/{id}`: "in-progress", then "completed" with the created `srId`."""
    user = caller()
    rt = runtime()
    async with rt.store.transaction():
        operation = await rt.store.get(LONG_OPERATIONS, id_.lower())
        if operation is None or (operation["org"], operation["username"]) != (user.org, user.username):
            return text("Long operation not found", 404)
        done = operation["polls"] >= LONG_OPERATION_POLLS
        done = done or rt.clock.now() - operation["startedAt"] >= LONG_OPERATION_SECONDS
        if operation["srId"] is None and not done:
            await rt.store.put(LONG_OPERATIONS, operation["id"], {**operation, "polls": operation["polls"] + 1})
            return {"status": "in-progress", "message": "Creating service request"}, 200, JSON
        if operation["srId"] is None:
            chat = await rt.store.get(CHATS, operation["chatuid"])
            if chat is None:
                body = {"status": "failed", "message": "The chat was deleted before the service request was created"}
                return body, 200, JSON
            operation = {**operation, "polls": operation["polls"] + 1, "srId": await _create_sr(chat)}
            await rt.store.put(LONG_OPERATIONS, operation["id"], operation)
    message = f"Service request {operation['srId']} created"
    return (
        {"status": "completed", "message": message, "srId": operation["srId"], "chatuid": operation["chatuid"]},
        200,
        JSON,
    )
