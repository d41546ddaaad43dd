"""Aisera Conversation mock: channel tokens, knowledge answers, workflows, session kinds, live agent, envelopes."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import yaml
from starlette.testclient import TestClient

from mockserver.contracts import FIXTURES_DIR
from mockserver.errors import FixtureError
from mockserver.store import Store
from mockserver.vendors import aisera_conversation

MakeClient = Callable[..., TestClient]

SPEC = "aisera-conversation"
URL = f"/{SPEC}/api/receive"
CREDENTIALS = yaml.safe_load((FIXTURES_DIR / "credentials.yaml").read_text(encoding="utf-8"))[SPEC]
TOKEN, USER = CREDENTIALS["token"], CREDENTIALS["user_id"]
TEAMS_TOKEN = "0d5c8a52-7e1b-4f0e-9a8e-3c6f2b1d4e77"
GLOBEX_TOKEN = "ais-chan-9e27b3f1-globex"
WINDOWS = "R:2d89c596-1fbd-40c5-ac63-02cdd2ec3dce"
EMAIL = "R:d9650d18-7435-4c66-9f56-fb759a948575"
SEND_WINDOWS_LINK = "F100200301"
AGENT_BUTTON = "R:2e421176-5ddd-4e38-a118-e8f8e7cbf189"
LAPTOP_FORM = "6f1e0b4c-2d3a-4b5c-8d9e-0f1a2b3c4d5e"
PLACE_ORDER = "R:10562a13-7889-433c-8345-144f45fb851e"


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    """A fresh mock serving only this contract."""
    return make_client(specs=(SPEC,))


def send(client: TestClient, data: dict[str, Any], *, token: str = TOKEN, user: str = USER) -> dict[str, Any]:
    response = client.post(URL, json={"token": token, "userId": user, "data": data})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def say(client: TestClient, text: str, **kwargs: Any) -> dict[str, Any]:
    return send(client, {"text": text}, **kwargs)


def first_text(body: dict[str, Any]) -> str:
    return str(body["answers"][0]["text"])


def option_ids(body: dict[str, Any]) -> list[str]:
    return [option["followUpId"] for option in body["answers"][0]["options"]]


def assert_error(response: httpx.Response, status: int, message: str, path: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == status
    assert body["error"] == "ERR-003: Internal System Error"
    assert body["errors"] == [{"message": message, "path": path}]


# -- authentication and validation ---------------------------------------------------------------


def test_unknown_channel_token_is_refused(client: TestClient) -> None:
    response = client.post(URL, json={"token": "not-a-channel", "userId": USER, "data": {"text": "hi"}})
    assert_error(response, 401, "unknown channel token", "token")


@pytest.mark.parametrize(
    ("body", "message", "path"),
    [
        ({"token": TOKEN}, "'data' is a required property", "data"),
        ({"data": {"text": "hi"}}, "'token' is a required property", "token"),
        ({"token": TOKEN, "data": {"text": 5}}, "5 is not of type 'string' - 'data.text'", "data.text"),
        ({"token": "", "data": {}}, "'' should be non-empty - 'token'", "token"),
    ],
)
def test_invalid_requests_get_err_003(client: TestClient, body: dict[str, Any], message: str, path: str) -> None:
    assert_error(client.post(URL, json=body), 400, message, path)


def test_wrong_content_type_and_extra_query_get_err_003(client: TestClient) -> None:
    response = client.post(URL, content=b"hi", headers={"content-type": "text/plain"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "Content-Type"
    response = client.post(URL, params={"debug": "1"}, json={"token": TOKEN, "data": {}})
    assert_error(response, 400, "Extra query parameter(s) debug not in spec", "query")


def test_malformed_json_gets_err_003(client: TestClient) -> None:
    response = client.post(URL, content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"] == "ERR-003: Internal System Error"


def test_injected_server_error_gets_err_012(client: TestClient) -> None:
    client.put(f"/__admin/faults/{SPEC}/receiveConversationRequest", json={"status": 500})
    response = client.post(URL, json={"token": TOKEN, "data": {"text": "hi"}})
    assert response.status_code == 500
    assert response.json() == {"code": 500, "error": "ERR-012: Aisera Unexpected Server Error", "errors": []}


# -- knowledge -----------------------------------------------------------------------------------


def test_knowledge_answer_by_keywords(client: TestClient) -> None:
    body = send(client, {"text": "How do I connect to the Wi-Fi?", "reqId": "7"})
    assert body["modeType"] == "Normal"
    assert body["reqId"] == "7"
    assert body["answers"] == [{"type": "text", "text": first_text(body)}]
    assert "Acme-Corp" in first_text(body)
    assert "sessionVars" not in body and "history" not in body
    assert "Concur" in first_text(say(client, "where do I submit my expense report"))
    assert first_text(say(client, "hello")) == "Hello! How can I help you today?"


def test_no_answer_offers_the_live_agent_button(client: TestClient) -> None:
    body = say(client, "what is the airspeed of an unladen swallow")
    assert body["modeType"] == "Normal"
    assert first_text(body).startswith("Sorry, I could not find an answer")
    assert body["answers"][0]["options"] == [{"followUpId": AGENT_BUTTON, "text": "Talk to an agent"}]


def test_empty_text_gets_the_greeting(client: TestClient) -> None:
    body = send(client, {"text": ""})
    assert body["modeType"] == "Normal"
    assert first_text(body).startswith("Hi, I am the Acme Service Desk assistant")


def test_answers_are_deterministic(make_client: MakeClient) -> None:
    bodies = [say(make_client(specs=(SPEC,)), "I forgot my password") for _ in range(2)]
    assert bodies[0] == bodies[1]


# -- workflows -----------------------------------------------------------------------------------


def test_password_reset_workflow_runs_to_completion(client: TestClient) -> None:
    started = say(client, "I forgot my password")
    assert started["modeType"] == "FlowStarted"
    assert started["answers"][0]["type"] == "options"
    assert option_ids(started) == [WINDOWS, EMAIL]
    confirm = send(client, {"followUpId": WINDOWS})
    assert confirm["modeType"] == "FlowInProgress"
    assert option_ids(confirm) == [SEND_WINDOWS_LINK, "F100200302"]
    done = send(client, {"followUpId": SEND_WINDOWS_LINK})
    assert done["modeType"] == "FlowCompleted"
    assert done["answers"] == [{"type": "text", "text": first_text(done)}]
    assert first_text(done).startswith("Done. The reset link for your Windows account")
    assert say(client, "printer")["modeType"] == "Normal"


def test_typing_an_option_label_chooses_it(client: TestClient) -> None:
    say(client, "reset password")
    body = say(client, "email (outlook)")
    assert body["modeType"] == "FlowInProgress"
    assert "Outlook mailbox" in first_text(body)


def test_follow_up_ids_keep_state_without_a_session(client: TestClient) -> None:
    body = send(client, {"followUpId": WINDOWS}, user="someone-new")
    assert body["modeType"] == "FlowInProgress"
    assert option_ids(body) == [SEND_WINDOWS_LINK, "F100200302"]
    assert send(client, {"isGoBack": True}, user="someone-new")["answers"][0]["options"][0]["followUpId"] == WINDOWS


def test_unknown_follow_up_id(client: TestClient) -> None:
    body = send(client, {"followUpId": "F999"})
    assert body == {**body, "modeType": "Normal", "answers": [{"type": "text", "text": first_text(body)}]}
    assert first_text(body).startswith("That option is no longer available")
    say(client, "forgot my password")
    in_flow = send(client, {"followUpId": "F999"})
    assert in_flow["modeType"] == "FlowInProgress"
    assert option_ids(in_flow) == [WINDOWS, EMAIL]


def test_go_back_and_start_over(client: TestClient) -> None:
    assert first_text(send(client, {"isGoBack": True})).startswith("There is no previous step")
    say(client, "forgot my password")
    send(client, {"followUpId": EMAIL})
    back = send(client, {"isGoBack": True})
    assert back["modeType"] == "FlowInProgress"
    assert option_ids(back) == [WINDOWS, EMAIL]
    send(client, {"followUpId": WINDOWS})
    send(client, {"followUpId": "F100200302"})  # "No, cancel" completes the flow
    reopened = send(client, {"isGoBack": True})
    assert reopened["modeType"] == "FlowInProgress"
    assert option_ids(reopened) == [SEND_WINDOWS_LINK, "F100200302"]
    over = send(client, {"isStartOver": True})
    assert over["modeType"] == "FlowStarted"
    assert option_ids(over) == [WINDOWS, EMAIL]


def test_form_workflow_uses_session_vars_and_form_values(client: TestClient) -> None:
    started = send(
        client, {"text": "I need a new laptop", "sessionVars": {"department": "Finance", "costCenter": "CC-4410"}}
    )
    assert started["modeType"] == "FlowStarted"
    form = started["answers"][0]
    assert form["type"] == "form" and form["formId"] == LAPTOP_FORM
    assert [field["name"] for field in form["fields"]] == ["laptopModel", "quantity", "expedite", "accessories"]
    assert started["sessionVars"] == {"department": "Finance", "costCenter": "CC-4410"}
    incomplete = send(client, {"text": "", "followUpData": {"formId": LAPTOP_FORM, "formFieldValues": {"quantity": 1}}})
    assert incomplete["modeType"] == "FlowInProgress"
    assert first_text(incomplete).startswith("Please fill in the required fields: Model.")
    values = {"laptopModel": "ThinkPad X1", "quantity": 2, "expedite": True, "accessories": ["dock"]}
    confirm = send(client, {"text": "", "followUpData": {"formId": LAPTOP_FORM, "formFieldValues": values}})
    assert confirm["modeType"] == "FlowInProgress"
    assert first_text(confirm).startswith(
        "You asked for 2 x ThinkPad X1, charged to cost center CC-4410 of the Finance department."
    )
    done = send(client, {"followUpId": PLACE_ORDER})
    assert done["modeType"] == "FlowCompleted"
    assert first_text(done).startswith("Your order for 2 x ThinkPad X1 has been placed.")


def test_form_rejects_a_value_outside_its_choices(client: TestClient) -> None:
    values = {"laptopModel": "Commodore 64", "quantity": 1}
    body = send(client, {"followUpData": {"formId": LAPTOP_FORM, "formFieldValues": values}})
    assert body["modeType"] == "FlowInProgress"
    assert first_text(body).startswith("Please fill in the required fields: Model.")


# -- session -------------------------------------------------------------------------------------


def test_session_history_and_vars(client: TestClient) -> None:
    first = send(client, {"text": "wifi", "sessionVars": {"department": "Finance"}})
    assert first["sessionVars"] == {"department": "Finance"}
    second = send(client, {"text": "printer", "sessionVars": {"site": "Berlin"}})
    assert second["sessionId"] == first["sessionId"]
    assert second["sessionVars"] == {"department": "Finance", "site": "Berlin"}
    history = send(client, {"text": "", "needsSessionHistory": True})
    assert history["answers"] == []
    assert history["modeType"] == "Normal"
    assert [(turn["sender"], turn["text"][:7]) for turn in history["history"]] == [
        ("user", "wifi"),
        ("bot", "Connect"),
        ("user", "printer"),
        ("bot", "Printer"),
    ]


def test_reset_starts_a_new_session(client: TestClient) -> None:
    before = send(client, {"text": "forgot my password", "sessionVars": {"a": 1}})
    reset = send(client, {"text": "", "isReset": True, "needsSessionHistory": True})
    assert reset["sessionId"] != before["sessionId"]
    assert reset["modeType"] == "Normal"
    assert first_text(reset).startswith("Your conversation has been reset")
    assert "sessionVars" not in reset
    assert [turn["sender"] for turn in reset["history"]] == ["bot"]
    assert first_text(send(client, {"isGoBack": True})).startswith("There is no previous step")


def test_logout_ends_the_session(client: TestClient) -> None:
    before = say(client, "wifi")
    logout = send(client, {"text": "", "isLogout": True})
    assert logout["sessionId"] == before["sessionId"]
    assert first_text(logout).startswith("You have been signed out")
    after = send(client, {"text": "", "needsSessionHistory": True})
    assert after["sessionId"] != before["sessionId"]
    assert after["history"] == []


def test_session_times_out_on_the_mock_clock(client: TestClient) -> None:
    first = say(client, "wifi")
    client.post("/__admin/clock/advance", json={"seconds": 1790})
    assert say(client, "wifi")["sessionId"] == first["sessionId"]
    client.post("/__admin/clock/advance", json={"seconds": 1800})
    assert say(client, "wifi")["sessionId"] != first["sessionId"]


def test_sessions_are_per_channel_and_user(client: TestClient) -> None:
    say(client, "forgot my password")
    other_user = send(client, {"isGoBack": True}, user="someone-else")
    assert first_text(other_user).startswith("There is no previous step")
    other_channel = send(client, {"isGoBack": True}, token=TEAMS_TOKEN)
    assert first_text(other_channel).startswith("There is no previous step")
    lower_case = client.post(URL, json={"token": TOKEN, "userid": USER, "data": {"isGoBack": True}}).json()
    assert lower_case["modeType"] == "FlowInProgress"
    assert option_ids(lower_case) == [WINDOWS, EMAIL]


def test_channels_of_another_tenant_answer_from_their_own_bot(client: TestClient) -> None:
    assert "GLX-Staff" in first_text(say(client, "wifi", token=GLOBEX_TOKEN))
    assert first_text(say(client, "forgot my password", token=GLOBEX_TOKEN)).startswith("I do not know that one")
    assert send(client, {"followUpId": WINDOWS}, token=GLOBEX_TOKEN)["modeType"] == "Normal"
    assert say(client, "wifi", token=GLOBEX_TOKEN)["sessionId"] != say(client, "wifi")["sessionId"]


# -- live agent ----------------------------------------------------------------------------------


def test_live_agent_hand_off(client: TestClient) -> None:
    say(client, "forgot my password")
    waiting = say(client, "I want to talk to an agent")
    assert waiting["modeType"] == "LiveAgentWaiting"
    assert first_text(waiting).startswith("I am connecting you to a live agent")
    queued = say(client, "hello?")
    assert queued["modeType"] == "LiveAgentWaitingUpdate"
    assert first_text(queued) == "You are next in the queue; an agent will join in about 10 seconds."
    client.post("/__admin/clock/advance", json={"seconds": 10})
    joined = send(client, {"text": ""})
    assert joined["modeType"] == "LiveAgentJoined"
    assert first_text(joined) == "Alex from the Acme Service Desk has joined the conversation."
    replies = [first_text(say(client, text)) for text in ("my vpn is broken", "error 809", "no")]
    assert replies == [
        "Thanks, I am looking into it now.",
        "Could you tell me the exact error message you see?",
        "Understood. Is there anything else I can help you with?",
    ]
    assert say(client, "wifi")["modeType"] == "LiveAgent"
    exited = say(client, "ok bye")
    assert exited["modeType"] == "LiveAgentExited"
    assert first_text(exited).startswith("Alex has left the conversation")
    assert say(client, "wifi")["modeType"] == "Normal"
    history = send(client, {"needsSessionHistory": True})["history"]
    assert ("agent", "Thanks, I am looking into it now.") in [(turn["sender"], turn["text"]) for turn in history]


def test_live_agent_button(client: TestClient) -> None:
    body = send(client, {"followUpId": AGENT_BUTTON})
    assert body["modeType"] == "LiveAgentWaiting"
    assert send(client, {"text": "", "needsSessionHistory": True})["modeType"] == "LiveAgentWaiting"


def test_logout_leaves_the_live_agent(client: TestClient) -> None:
    say(client, "live agent")
    assert send(client, {"isLogout": True})["modeType"] == "Normal"
    assert say(client, "wifi")["modeType"] == "Normal"


# -- fixture -------------------------------------------------------------------------------------


def _fixture() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((FIXTURES_DIR / f"{SPEC}.yaml").read_text(encoding="utf-8"))
    return data


def test_fixture_holds_the_credentials_channel() -> None:
    assert TOKEN in [channel["token"] for channel in _fixture()["channels"]]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda bot: bot["workflows"][0].update(start="nowhere"), "start step 'nowhere' is not one of"),
        (
            lambda bot: bot["workflows"][0]["steps"]["choose-account"]["options"][0].update(next="nowhere"),
            "next step 'nowhere' is not one of",
        ),
        (
            lambda bot: bot["workflows"][1]["steps"]["choose-device"]["options"][0].update(id=WINDOWS),
            f"id '{WINDOWS}' of vpn-token/choose-device is also used by password-reset/choose-account",
        ),
    ],
)
def test_seed_refuses_inconsistent_bots(change: Callable[[dict[str, Any]], None], message: str) -> None:
    data = copy.deepcopy(_fixture())
    change(data["bots"]["acme"])
    with pytest.raises(FixtureError, match=message.replace("(", r"\(")):
        aisera_conversation.seed(Store(), data)
