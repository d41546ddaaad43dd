"""AI admin assist: SR summaries, summary feedback, and deterministic SR category suggestions."""

from __future__ import annotations

import pytest
from sysaid_support import Sysaid

FEEDBACK = {"accountId": "exampleAccountId", "feedback": "Missed the error code.", "userId": "7", "srId": "12345"}
VPN_TEXT = "VPN error 401. I cant connect. Please help"


def test_summary_of_a_fixture_sr(sysaid: Sysaid) -> None:
    response = sysaid.call("GET", "/summarize/12345")
    assert response.status_code == 200
    assert response.json() == {
        "id": "12345",
        "summary": "The user cannot connect to the VPN (error 401) and asked for help.",
        "sentiment": "negative",
        "sentimentTextList": ["I cant connect", "Please help"],
        "title": "VPN error 401",
    }


@pytest.mark.parametrize(
    ("srid", "who", "message"),
    [
        ("12345", "user", "Error in summarizeSR: User is not admin"),
        ("99999", "admin", "Error in summarizeSR: Service request 99999 not found"),
        ("abc", "admin", "Error in summarizeSR: Service request abc not found"),
        ("²", "admin", "Error in summarizeSR: Service request ² not found"),
        ("5001", "admin", "Error in summarizeSR: Service request 5001 not found"),
    ],
)
def test_summary_errors_are_plain_text_400(sysaid: Sysaid, srid: str, who: str, message: str) -> None:
    response = sysaid.call("GET", f"/summarize/{srid}", who)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == message


def test_feedback_is_stored_with_the_default_summary(sysaid: Sysaid) -> None:
    response = sysaid.call("POST", "/feedback", json=FEEDBACK)
    assert (response.status_code, response.content) == (200, b"")
    stored = sysaid.records("feedback")
    assert len(stored) == 1
    assert {key: stored[0][key] for key in (*FEEDBACK, "summary", "username")} == {
        **FEEDBACK,
        "summary": "Summary is not available",
        "username": "jane.doe",
    }
    sysaid.call("POST", "/feedback", json={**FEEDBACK, "summary": "VPN down"})
    assert sysaid.records("feedback")[1]["summary"] == "VPN down"


@pytest.mark.parametrize(
    ("body", "who"),
    [
        ({key: value for key, value in FEEDBACK.items() if key != "srId"}, "admin"),
        ({**FEEDBACK, "feedback": ""}, "admin"),
        (FEEDBACK, "user"),
    ],
    ids=["missing-field", "empty-field", "not-admin"],
)
def test_feedback_refusals_use_the_documented_text(sysaid: Sysaid, body: dict[str, str], who: str) -> None:
    response = sysaid.call("POST", "/feedback", who, json=body)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "Missing one of accountId, feedback, userId, srId"
    assert sysaid.records("feedback") == []


def test_feedback_with_a_wrongly_typed_field_says_what_is_wrong(sysaid: Sysaid) -> None:
    response = sysaid.call("POST", "/feedback", json={**FEEDBACK, "srId": 12345})
    assert (response.status_code, response.text) == (400, "srId: 12345 is not of type 'string'")


def test_seed_sample_category_suggestion(sysaid: Sysaid) -> None:
    body = sysaid.ok("POST", "/api/sr/suggest_category_for_text", json={"text": VPN_TEXT, "srType": 1})
    category = body.pop("category")
    assert body == {"status": "ok", "template": -1, "srType": 1, "title": "VPN Error 401", "updateInfo": []}
    assert {key: category[key] for key in ("category_id", "problem_type", "problem_sub_type", "srType")} == {
        "category_id": 361,
        "problem_type": "Network",
        "problem_sub_type": "VPN",
        "srType": 1,
    }
    assert 0.3 < category["similarity"] <= 1


def test_suggestion_picks_the_best_category_of_the_sr_type(sysaid: Sysaid) -> None:
    printer = sysaid.ok(
        "POST", "/api/sr/suggest_category_for_text", json={"text": "printer offline, no paper", "srType": 1}
    )
    assert (printer["category"]["category_id"], printer["template"]) == (412, 5)
    access = sysaid.ok(
        "POST", "/api/sr/suggest_category_for_text", json={"text": "I need access to the share", "srType": 10}
    )
    assert (access["category"]["category_id"], access["template"]) == (520, 12)
    fallback = sysaid.ok("POST", "/api/sr/suggest_category_for_text", json={"text": "something odd", "srType": 1})
    assert (fallback["category"]["category_id"], fallback["category"]["similarity"]) == (361, 0.3)


def test_suggestion_errors(sysaid: Sysaid) -> None:
    assert (
        sysaid.refused("POST", "/api/sr/suggest_category_for_text", json={"text": "", "srType": 1})
        == "text not provided"
    )
    assert "srType 4" in sysaid.refused(
        "POST", "/api/sr/suggest_category_for_text", who="globex_user", json={"text": "install", "srType": 4}
    )
    response = sysaid.call("POST", "/api/sr/suggest_category_for_text", json={"text": "x", "srType": 2})
    assert (response.status_code, response.json()["error"]) == (400, "srType: 2 is not one of [1, 4, 6, 10]")
