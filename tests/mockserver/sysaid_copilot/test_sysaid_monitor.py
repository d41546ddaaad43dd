"""Chat monitoring (admin): records from chat answers, filters, order, paging, updates and verified answers."""

from __future__ import annotations

from typing import Any

from sysaid_support import EXAMPLE_CHAT, Sysaid

RECORD_FIELDS = {
    "chatuid",
    "index",
    "question",
    "answer",
    "qualityRate",
    "verificationIndicator",
    "readIndicator",
    "verifiedAnswerDataset",
    "verifiedAnswerId",
    "createdAt",
    "updatedAt",
}


def query(sysaid: Sysaid, who: str = "admin", **body: object) -> dict[str, Any]:
    return sysaid.ok("POST", "/api/monitor/query", who, json=body)


def test_every_answer_of_the_organization_is_a_record(sysaid: Sysaid) -> None:
    body = query(sysaid)
    assert (body["total"], body["limit"], body["offset"]) == (5, 100, 0)
    records = body["records"]
    assert all(set(r) == RECORD_FIELDS for r in records)
    assert [r["createdAt"] for r in records] == sorted((r["createdAt"] for r in records), reverse=True)
    example = {(r["chatuid"], r["index"]): r for r in records}[(EXAMPLE_CHAT, 5)]
    assert example["question"] == "Can I reset my password from home?"
    assert example["answer"].startswith("Reset your password")
    unanswered = {(r["chatuid"], r["index"]): r for r in records}[(EXAMPLE_CHAT, 3)]
    assert (unanswered["answer"], unanswered["qualityRate"]) == (None, 0.0)
    assert query(sysaid, who="globex_admin")["total"] == 1


def test_new_chats_appear_as_records(sysaid: Sysaid) -> None:
    chatuid = sysaid.call("POST", "/api/chat", "user", json={"text": "printer offline"}).json()["chatuid"]
    newest = query(sysaid, limit=1)["records"][0]
    assert (newest["chatuid"], newest["index"], newest["question"]) == (chatuid, 1, "printer offline")
    assert newest["qualityRate"] > 0


def test_filters_order_and_paging(sysaid: Sysaid) -> None:
    assert {r["index"] for r in query(sysaid, text="PASSWORD")["records"]} == {5}
    by_quality = query(sysaid, order=[["qualityRate", "DESC"]])["records"]
    assert [r["qualityRate"] for r in by_quality] == sorted((r["qualityRate"] for r in by_quality), reverse=True)
    page = query(sysaid, order=[["qualityRate", "ASC"]], limit=2, offset=1)
    assert (page["total"], [r["qualityRate"] for r in page["records"]]) == (
        5,
        [r["qualityRate"] for r in by_quality][::-1][1:3],
    )
    assert query(sysaid, verificationIndicator=1)["total"] == 0
    assert "Invalid order field 'rating'" in sysaid.refused(
        "POST", "/api/monitor/query", json={"order": [["rating", "ASC"]]}
    )
    response = sysaid.call("POST", "/api/monitor/query", json={"limit": 1001})
    assert response.status_code == 400


def test_update_sets_indicators_and_the_corrected_question_and_answer(sysaid: Sysaid) -> None:
    body = {
        "readIndicator": 1,
        "verificationIndicator": 2,
        "question": "Reset from home?",
        "answer": "Yes, use the portal.",
    }
    assert sysaid.ok("PUT", f"/api/monitor/{EXAMPLE_CHAT}/5", json=body) == {"status": "ok"}
    record = query(sysaid, verificationIndicator=2)["records"][0]
    assert (record["chatuid"], record["index"], record["readIndicator"]) == (EXAMPLE_CHAT, 5, 1)
    assert (record["question"], record["answer"]) == ("Reset from home?", "Yes, use the portal.")
    assert record["updatedAt"] >= record["createdAt"]
    thread = sysaid.ok("GET", f"/api/chat/{EXAMPLE_CHAT}")["messages"]
    assert thread[5]["content"].startswith("Reset your password")


def test_verified_answer_is_written_to_the_dataset_and_answers_later_chats(sysaid: Sysaid) -> None:
    body = {
        "verifiedAnswerDataset": 2,
        "question": "It still fails after a restart",
        "answer": "Reinstall the VPN client from the software portal.",
    }
    assert sysaid.ok("PUT", f"/api/monitor/{EXAMPLE_CHAT}/3", json=body) == {"status": "ok"}
    record = {(r["chatuid"], r["index"]): r for r in query(sysaid)["records"]}[(EXAMPLE_CHAT, 3)]
    answer_id = record["verifiedAnswerId"]
    assert (record["verifiedAnswerDataset"], isinstance(answer_id, int)) == (2, True)
    stored = sysaid.ok("POST", "/api/dataset/2/query", json={})["records"]
    verified = next(r for r in stored if r["id"] == answer_id)
    assert (verified["text"], verified["summary"], verified["isVerifiedAnswer"]) == (
        "Reinstall the VPN client from the software portal.",
        "It still fails after a restart",
        True,
    )
    chat = sysaid.call("POST", "/api/chat", "user", json={"text": "it still fails after a restart!"}).json()
    assert chat["response"] == "Reinstall the VPN client from the software portal."


def test_update_errors(sysaid: Sysaid) -> None:
    assert "not found" in sysaid.refused("PUT", f"/api/monitor/{EXAMPLE_CHAT}/9", json={})
    assert "is a question, not an answer" in sysaid.refused("PUT", f"/api/monitor/{EXAMPLE_CHAT}/0", json={})
    assert (
        sysaid.refused("PUT", f"/api/monitor/{EXAMPLE_CHAT}/5", json={"verifiedAnswerDataset": 7})
        == "Dataset 7 not found"
    )
    assert sysaid.refused(
        "PUT", f"/api/monitor/{EXAMPLE_CHAT}/5", json={"verifiedAnswerDataset": 2, "verifiedAnswerId": 17}
    ) == ("Record 17 not found in dataset 2")
    assert "needs verifiedAnswerDataset" in sysaid.refused(
        "PUT", f"/api/monitor/{EXAMPLE_CHAT}/5", json={"verifiedAnswerId": 10}
    )
    assert "no answer to verify" in sysaid.refused(
        "PUT", f"/api/monitor/{EXAMPLE_CHAT}/3", json={"verifiedAnswerDataset": 2}
    )
    response = sysaid.call("PUT", f"/api/monitor/{EXAMPLE_CHAT}/5", json={"readIndicator": -1})
    assert (response.status_code, response.json()["error"]) == (400, "readIndicator: -1 is less than the minimum of 0")


def test_monitoring_is_admin_only_and_per_organization(sysaid: Sysaid) -> None:
    assert sysaid.refused("POST", "/api/monitor/query", who="user", json={}) == "User is not admin"
    assert sysaid.refused("PUT", f"/api/monitor/{EXAMPLE_CHAT}/5", who="user", json={"readIndicator": 1}) == (
        "User is not admin"
    )
    assert "not found" in sysaid.refused("PUT", f"/api/monitor/{EXAMPLE_CHAT}/5", who="globex_admin", json={})
    assert {(r["chatuid"], r["readIndicator"]) for r in query(sysaid)["records"] if r["chatuid"] == EXAMPLE_CHAT} == {
        (EXAMPLE_CHAT, 0)
    }
