"""Chat threads: deterministic answers, No Answer, admin-only fields, ownership, rating, resolving, deleting."""

from __future__ import annotations

import re
from typing import Any

from sysaid_support import EXAMPLE_CHAT, Sysaid

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
VPN_ANSWER = "Restart the VPN client and sign in again."


def start(sysaid: Sysaid, text: str, who: str = "admin", **fields: object) -> dict[str, Any]:
    response = sysaid.call("POST", "/api/chat", who, json={"text": text, **fields})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_new_chat_gets_a_generated_chatuid_and_a_deterministic_answer(sysaid: Sysaid) -> None:
    first = start(sysaid, "VPN error 401. I cant connect.", who="user")
    assert first["status"] == "ok"
    assert UUID.match(str(first["chatuid"]))
    assert first["response"] == VPN_ANSWER
    assert "system" not in first
    again = start(sysaid, "VPN error 401. I cant connect.", who="user")
    assert again["response"] == first["response"]
    assert again["chatuid"] != first["chatuid"]


def test_admin_answer_carries_system_info(sysaid: Sysaid) -> None:
    body = start(sysaid, "my printer is offline")
    assert body["response"] == "Turn the printer off and on, then check that it shows Online in Settings > Printers."
    assert "sources: KB-2001" in str(body["system"])


def test_no_matching_knowledge_is_no_answer_with_the_chatuid(sysaid: Sysaid) -> None:
    body = start(sysaid, "What is the meaning of life?")
    assert body["status"] == "error"
    assert body["error"] == "No Answer"
    assert UUID.match(str(body["chatuid"]))
    thread = sysaid.ok("GET", f"/api/chat/{body['chatuid']}")["messages"]
    assert [m["role"] for m in thread] == ["user", "assistant"]
    assert thread[1]["content"].startswith("Sorry, I could not find an answer")


def test_text_is_required(sysaid: Sysaid) -> None:
    response = sysaid.call("POST", "/api/chat", json={"stream": False})
    assert response.status_code == 400
    assert response.json() == {"status": "error", "error": "'text' is a required property"}
    assert sysaid.refused("POST", "/api/chat", json={"text": ""}) == "text not provided"
    assert sysaid.refused("POST", "/api/chat", json={"text": "   "}) == "No Answer"


def test_continuing_a_thread_appends_messages_with_info_for_admins_only(sysaid: Sysaid) -> None:
    chatuid = start(sysaid, "vpn error 401", who="user")["chatuid"]
    assert start(sysaid, "and my password is locked", who="user", chatuid=chatuid)["chatuid"] == chatuid
    messages = sysaid.ok("GET", f"/api/chat/{chatuid}", who="user")["messages"]
    assert [(m["role"], m["content"]) for m in messages] == [
        ("user", "vpn error 401"),
        ("assistant", VPN_ANSWER),
        ("user", "and my password is locked"),
        ("assistant", "Reset your password at https://acme.sysaidit.com/reset, then sign in with the new password."),
    ]
    assert all(set(m) == {"role", "content", "createdAt"} for m in messages)
    as_admin = sysaid.ok("GET", f"/api/chat/{chatuid}")["messages"]
    assert as_admin[1]["info"] == "sources: KB-1042"


def test_client_chosen_chatuid_starts_a_thread_under_that_id(sysaid: Sysaid) -> None:
    chatuid = "0a0b0c0d-1111-4222-8333-444455556666"
    assert start(sysaid, "outlook mailbox full", chatuid=chatuid.upper())["chatuid"] == chatuid
    assert len(sysaid.ok("GET", f"/api/chat/{chatuid}")["messages"]) == 2


def test_threads_of_other_users_and_organizations_are_protected(sysaid: Sysaid) -> None:
    chatuid = start(sysaid, "vpn error 401", who="user")["chatuid"]
    assert sysaid.refused("GET", f"/api/chat/{chatuid}", who="user2") == "Chat belongs to another user"
    assert sysaid.refused("GET", f"/api/chat/{chatuid}", who="globex_admin") == "Chat not found"
    assert sysaid.refused("POST", "/api/chat", who="user2", json={"text": "hi", "chatuid": chatuid}) == (
        "Chat belongs to another user"
    )
    assert sysaid.refused("POST", "/api/chat", who="globex_user", json={"text": "vpn", "chatuid": chatuid}) == (
        "Chat belongs to another user"
    )
    assert sysaid.refused("DELETE", f"/api/chat/{chatuid}", who="user2") == "Chat belongs to another user"
    assert sysaid.refused("DELETE", f"/api/chat/{chatuid}") == "Chat belongs to another user"
    assert len(sysaid.ok("GET", f"/api/chat/{chatuid}")["messages"]) == 2


def test_unknown_or_malformed_chatuid(sysaid: Sysaid) -> None:
    assert sysaid.refused("GET", "/api/chat/00000000-0000-4000-8000-000000000000") == "Chat not found"
    response = sysaid.call("GET", "/api/chat/not-a-uuid")
    assert response.status_code == 400
    assert response.json() == {"status": "error", "error": "chatuid: 'not-a-uuid' is not a valid UUID"}


def test_list_returns_the_callers_recent_threads_with_summaries(sysaid: Sysaid) -> None:
    chatuid = start(sysaid, "printer offline again", who="user")["chatuid"]
    chats = sysaid.ok("GET", "/api/chat", who="user")["chats"]
    assert chats[0] == {"chatuid": chatuid, "summary": "printer offline again"}
    assert {"chatuid": "5d3c2b1a-0f9e-4d8c-b7a6-958473625140", "summary": "My outlook mailbox is full"} in chats
    assert EXAMPLE_CHAT not in {c["chatuid"] for c in chats}


def test_username_is_honoured_for_admins_and_ignored_for_users(sysaid: Sysaid) -> None:
    johns = {c["chatuid"] for c in sysaid.ok("GET", "/api/chat", params={"username": "john.smith"})["chats"]}
    assert johns == {"5d3c2b1a-0f9e-4d8c-b7a6-958473625140"}
    own = {c["chatuid"] for c in sysaid.ok("GET", "/api/chat", who="user2", params={"username": "jane.doe"})["chats"]}
    assert own == set()
    other_org = sysaid.ok("GET", "/api/chat", who="globex_admin", params={"username": "john.smith"})["chats"]
    assert other_org == []


def test_rating_an_answer(sysaid: Sysaid) -> None:
    assert sysaid.ok("POST", "/api/chat/rate", json={"chatuid": EXAMPLE_CHAT, "index": 5, "rate": 1}) == {
        "status": "ok"
    }
    stored = next(c for c in sysaid.records("chats") if c["chatuid"] == EXAMPLE_CHAT)
    assert stored["messages"][5]["rate"] == 1
    assert "index 6 not found" in sysaid.refused(
        "POST", "/api/chat/rate", json={"chatuid": EXAMPLE_CHAT, "index": 6, "rate": 0}
    )
    assert "not an answer" in sysaid.refused(
        "POST", "/api/chat/rate", json={"chatuid": EXAMPLE_CHAT, "index": 4, "rate": -1}
    )
    assert sysaid.refused(
        "POST", "/api/chat/rate", who="user", json={"chatuid": EXAMPLE_CHAT, "index": 5, "rate": 1}
    ) == ("Chat belongs to another user")


def test_rating_outside_minus_one_to_one_is_a_400(sysaid: Sysaid) -> None:
    response = sysaid.call("POST", "/api/chat/rate", json={"chatuid": EXAMPLE_CHAT, "index": 5, "rate": 2})
    assert response.status_code == 400
    assert response.json()["error"].startswith("rate: 2 is not one of [-1, 0, 1]")


def test_resolving_closes_the_chats_service_request(sysaid: Sysaid) -> None:
    printer_chat = "c0ffee00-0000-4000-8000-000000000001"
    assert sysaid.ok("POST", "/api/chat/resolve", json={"chatuid": printer_chat}) == {"status": "ok"}
    sr = next(s for s in sysaid.records("service-requests") if s["srId"] == 12346)
    assert (sr["status"], sr["closed"]) == ("Closed - AI", True)
    assert next(c for c in sysaid.records("chats") if c["chatuid"] == printer_chat)["resolved"] is True
    assert sysaid.ok("POST", "/api/chat/resolve", json={"chatuid": EXAMPLE_CHAT}) == {"status": "ok"}
    assert sysaid.refused("POST", "/api/chat/resolve", who="globex_admin", json={"chatuid": EXAMPLE_CHAT}) == (
        "Chat not found"
    )


def test_delete_removes_the_thread(sysaid: Sysaid) -> None:
    chatuid = start(sysaid, "vpn", who="user")["chatuid"]
    assert sysaid.ok("DELETE", f"/api/chat/{chatuid}", who="user") == {"status": "ok"}
    assert sysaid.refused("GET", f"/api/chat/{chatuid}", who="user") == "Chat not found"
    assert chatuid not in {c["chatuid"] for c in sysaid.ok("GET", "/api/chat", who="user")["chats"]}
    assert sysaid.refused("DELETE", f"/api/chat/{chatuid}", who="user") == "Chat not found"
