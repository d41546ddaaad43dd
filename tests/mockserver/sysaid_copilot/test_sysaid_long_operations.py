"""Escalation to a service request through a long operation that progresses by polls or mock time."""

from __future__ import annotations

import re
from typing import Any

from sysaid_support import EXAMPLE_CHAT, Sysaid

from mockserver.vendors.sysaid_copilot.long_operations import LONG_OPERATION_SECONDS

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def escalate(sysaid: Sysaid, chatuid: str = EXAMPLE_CHAT, who: str = "admin") -> str:
    response = sysaid.call("PUT", f"/api/sr/{chatuid}", who)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "in-progress"
    assert UUID.match(body["longOperationId"])
    return str(body["longOperationId"])


def poll(sysaid: Sysaid, operation_id: str, who: str = "admin") -> dict[str, Any]:
    response = sysaid.call("GET", f"/api/longOperation/{operation_id}", who)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_operation_is_in_progress_then_completed_with_the_new_sr(sysaid: Sysaid) -> None:
    operation_id = escalate(sysaid)
    assert poll(sysaid, operation_id) == {"status": "in-progress", "message": "Creating service request"}
    done = poll(sysaid, operation_id)
    assert done["status"] == "completed"
    sr_id = done["srId"]
    assert isinstance(sr_id, int)
    assert sr_id > 12346
    assert done["message"] == f"Service request {sr_id} created"
    assert poll(sysaid, operation_id) == done
    sr = next(s for s in sysaid.records("service-requests") if s["srId"] == sr_id)
    assert (sr["requester"], sr["chatuid"], sr["status"]) == ("jane.doe", EXAMPLE_CHAT, "New")
    summary = sysaid.call("GET", f"/summarize/{sr_id}").json()
    assert summary["title"] == "VPN error 401. I cant connect. Please help"


def test_operation_completes_on_its_first_poll_once_mock_time_has_passed(sysaid: Sysaid) -> None:
    operation_id = escalate(sysaid)
    sysaid.advance(LONG_OPERATION_SECONDS)
    assert poll(sysaid, operation_id)["status"] == "completed"


def test_escalating_twice_reuses_the_running_operation_then_refuses(sysaid: Sysaid) -> None:
    first = escalate(sysaid)
    assert escalate(sysaid) == first
    sr_id = [poll(sysaid, first) for _ in range(2)][-1]["srId"]
    assert sysaid.refused("PUT", f"/api/sr/{EXAMPLE_CHAT}") == f"Chat already escalated to service request {sr_id}"


def test_only_the_chat_owner_can_escalate(sysaid: Sysaid) -> None:
    assert sysaid.refused("PUT", f"/api/sr/{EXAMPLE_CHAT}", who="user") == "Chat belongs to another user"
    assert sysaid.refused("PUT", f"/api/sr/{EXAMPLE_CHAT}", who="globex_admin") == "Chat not found"


def test_invalid_id_is_plain_text_invalid_request(sysaid: Sysaid) -> None:
    response = sysaid.call("GET", "/api/longOperation/456f7890-g12h-34i5-j678-90kl12345678")
    assert response.status_code == 400
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == "Invalid request"


def test_unknown_or_foreign_operation_is_a_plain_text_404(sysaid: Sysaid) -> None:
    operation_id = escalate(sysaid)
    for who in ("user", "globex_admin"):
        response = sysaid.call("GET", f"/api/longOperation/{operation_id}", who)
        assert (response.status_code, response.text) == (404, "Long operation not found")
    response = sysaid.call("GET", "/api/longOperation/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert response.headers["content-type"] == "text/plain; charset=utf-8"


def test_chat_deleted_before_completion_fails_the_operation(sysaid: Sysaid) -> None:
    chatuid = sysaid.call("POST", "/api/chat", json={"text": "vpn"}).json()["chatuid"]
    operation_id = escalate(sysaid, chatuid)
    sysaid.ok("DELETE", f"/api/chat/{chatuid}")
    sysaid.advance(LONG_OPERATION_SECONDS)
    assert poll(sysaid, operation_id)["status"] == "failed"


def test_fixture_operation_of_the_contract_example_is_completed(sysaid: Sysaid) -> None:
    done = poll(sysaid, "3F2B8C1E-6D4A-4E8F-9B1C-2A7D5E9F0C13")
    assert (done["status"], done["srId"]) == ("completed", 12346)
