"""Chat threads: start or continue (`POST /api/chat`), read, list, rate, resolve and delete.

A thread is one store document holding its messages; each exchange appends the user's message and the
assistant's answer (for "No Answer", the organization's `errorMessage`, kept as an unanswered item for the monitor).
Only the owner may change a thread; administrators may also read their organization's threads ("info" included).
A thread of another organization is "Chat not found", one of another user "Chat belongs to another user".
"""

from __future__ import annotations

import uuid
from typing import Any

from mockserver.runtime import runtime
from mockserver.vendors.sysaid_copilot.knowledge import NO_ANSWER, Answer, answer_for, system_info
from mockserver.vendors.sysaid_copilot.model import CHATS, SERVICE_REQUESTS, STREAMS, now_iso, sr_key
from mockserver.vendors.sysaid_copilot.org import org_conf
from mockserver.vendors.sysaid_copilot.replies import JSON, Reply, ok, refuse
from mockserver.vendors.sysaid_copilot.session import Caller, caller
from mockserver.vendors.sysaid_copilot.streams import open_stream

__all__ = [
    "RECENT_CHATS",
    "add_exchange",
    "delete_chat",
    "find_chat",
    "get_chat",
    "list_chats",
    "rate_chat",
    "resolve_chat",
    "start_chat",
]

RECENT_CHATS = 50
"""`GET /api/chat` lists the most recent threads, newest first (the guide says "recent" without a number)."""
SR_CLOSED = "Closed - AI"
"""The SR status the AI Emailbot's "Issue Resolved" sets (SysAid documentation, "AI Emailbot")."""


async def find_chat(chatuid: str, user: Caller, *, read: bool = False) -> tuple[dict[str, Any] | None, str]:
    """The caller's thread, or None and the guide's error message; `read` lets administrators see others' threads."""
    chat = await runtime().store.get(CHATS, chatuid.lower())
    if chat is None or chat["org"] != user.org:
        return None, "Chat not found"
    if chat["username"] != user.username and not (read and user.is_admin):
        return None, "Chat belongs to another user"
    return chat, ""


def add_exchange(chat: dict[str, Any], question: str, answer: Answer, conf: dict[str, Any]) -> dict[str, Any]:
    """Append a question and its answer to a thread (the caller stores it); "No Answer" shows the organization's
    `errorMessage` (`conf` is its `orgConf`)."""
    created = now_iso()
    content = answer.content if answer.content is not None else conf.get("errorMessage") or NO_ANSWER
    chat["messages"].append({"role": "user", "content": question, "createdAt": created, "info": ""})
    chat["messages"].append(
        {
            "role": "assistant",
            "content": content,
            "createdAt": created,
            "info": answer.info,
            "answered": answer.content is not None,
            "qualityRate": answer.quality,
            "monitor": {"readIndicator": 0, "verificationIndicator": 0, "updatedAt": created},
        }
    )
    chat["updatedAt"] = created
    return chat


def new_chat(chatuid: str, user: Caller, question: str) -> dict[str, Any]:
    """An empty thread of the caller, summarized by its first question."""
    created = now_iso()
    return {
        "chatuid": chatuid,
        "org": user.org,
        "username": user.username,
        "summary": question.strip()[:100],
        "createdAt": created,
        "updatedAt": created,
        "srId": None,
        "resolved": False,
        "messages": [],
    }


async def start_chat(body: dict[str, Any]) -> Reply:
    """`POST /api/chat`: answer in a new or existing thread, or hand out a stream id with `stream: true`."""
    user = caller()
    question = body["text"]
    if not question:
        return refuse("text not provided")
    store = runtime().store
    chatuid = str(body.get("chatuid") or uuid.uuid4()).lower()
    answer = await answer_for(user.org, question)
    conf = await org_conf(user.org)
    async with store.transaction():
        if await store.get(CHATS, chatuid) is None:
            chat = new_chat(chatuid, user, question)
        else:
            found, error = await find_chat(chatuid, user)
            if found is None:
                return refuse("Chat belongs to another user" if error == "Chat not found" else error)
            chat = found
        await store.put(CHATS, chatuid, add_exchange(chat, question, answer, conf))
    if body.get("stream"):
        sid = await open_stream(chat, answer.content)
        return {"status": "stream", "sid": sid, "chatuid": chatuid}, 200, JSON
    if answer.content is None:
        return refuse(NO_ANSWER, chatuid=chatuid)
    extra = {"system": system_info(conf, answer)} if user.is_admin else {}
    return ok(response=answer.content, chatuid=chatuid, **extra)


async def get_chat(chatuid: str) -> Reply:
    """`GET /api/chat/{chatuid}`: the thread's messages; `info` only for administrators."""
    user = caller()
    chat, error = await find_chat(chatuid, user, read=True)
    if chat is None:
        return refuse(error)
    fields = ("role", "content", "createdAt", "info") if user.is_admin else ("role", "content", "createdAt")
    return ok(messages=[{key: message[key] for key in fields} for message in chat["messages"]])


async def list_chats(username: str | None = None) -> Reply:
    """`GET /api/chat`: the caller's recent threads; an administrator may name another user of the organization."""
    user = caller()
    owner = username if username and user.is_admin else user.username
    chats = await runtime().store.find(CHATS, org=user.org, username=owner)
    chats.sort(key=lambda chat: chat["updatedAt"], reverse=True)
    return ok(chats=[{"chatuid": chat["chatuid"], "summary": chat["summary"]} for chat in chats[:RECENT_CHATS]])


async def delete_chat(chatuid: str) -> Reply:
    """`DELETE /api/chat/{chatuid}`: remove the thread with its messages, monitor items and streams."""
    user = caller()
    store = runtime().store
    async with store.transaction():
        chat, error = await find_chat(chatuid, user)
        if chat is None:
            return refuse(error)
        await store.delete(CHATS, chat["chatuid"])
        await store.delete_where(STREAMS, chatuid=chat["chatuid"])
    return ok()


async def rate_chat(body: dict[str, Any]) -> Reply:
    """`POST /api/chat/rate`: record the owner's rating (-1, 0, 1) of one answer of the thread."""
    user = caller()
    store = runtime().store
    index = body["index"]
    async with store.transaction():
        chat, error = await find_chat(body["chatuid"], user)
        if chat is None:
            return refuse(error)
        if index >= len(chat["messages"]):
            return refuse(f"Message index {index} not found: the chat has {len(chat['messages'])} messages")
        message = chat["messages"][index]
        if message["role"] != "assistant":
            return refuse(f"Message {index} is not an answer: only assistant messages can be rated")
        message.update(rate=body["rate"], ratedAt=now_iso())
        await store.put(CHATS, chat["chatuid"], chat)
    return ok()


async def resolve_chat(body: dict[str, Any]) -> Reply:
    """`POST /api/chat/resolve`: mark the thread resolved and close its service request, if it has one."""
    user = caller()
    store = runtime().store
    async with store.transaction():
        chat, error = await find_chat(body["chatuid"], user)
        if chat is None:
            return refuse(error)
        sr = await store.get(SERVICE_REQUESTS, sr_key(user.org, chat["srId"])) if chat.get("srId") is not None else None
        if sr is not None:
            await store.put(SERVICE_REQUESTS, sr_key(user.org, sr["srId"]), {**sr, "status": SR_CLOSED, "closed": True})
        await store.put(CHATS, chat["chatuid"], {**chat, "resolved": True, "resolvedAt": now_iso()})
    return ok()
