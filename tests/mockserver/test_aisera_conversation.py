"""Aisera Conversation mock: channel tokens, knowledge answers, workflows, session kinds, every modeType, the
live agent, the ERR codes and the envelopes."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import yaml
from starlette.testclient import TestClient

from contracts import FIXTURES_DIR, load_contract
from mockserver.errors import FixtureError
from mockserver.pipeline.schemas import Direction, SchemaValidator, to_json_schema
from mockserver.vendors import aisera_conversation

MakeClient = Callable[..., TestClient]

SPEC = "aisera-conversation"
URL = f"/{SPEC}/api/receive"
FAULT = f"/__admin/faults/{SPEC}/receiveConversationRequest"
CREDENTIALS = yaml.safe_load((FIXTURES_DIR / "credentials.yaml").read_text(encoding="utf-8"))[SPEC]
TOKEN, USER = CREDENTIALS["token"], CREDENTIALS["user_id"]
TEAMS_TOKEN = "0d5c8a52-7e1b-4f0e-9a8e-3c6f2b1d4e77"
GLOBEX_TOKEN = "ais-chan-9e27b3f1-globex"
SANDBOX_TOKEN = "ais-chan-7a4e2d19-sandbox"
WINDOWS = "R:2d89c596-1fbd-40c5-ac63-02cdd2ec3dce"
EMAIL = "R:d9650d18-7435-4c66-9f56-fb759a948575"
SEND_WINDOWS_LINK = "F100200301"
AGENT_BUTTON = "R:2e421176-5ddd-4e38-a118-e8f8e7cbf189"
LAPTOP_FORM = "6f1e0b4c-2d3a-4b5c-8d9e-0f1a2b3c4d5e"
PLACE_ORDER = "R:10562a13-7889-433c-8345-144f45fb851e"
LAPTOP_ORDER, PHONE_ORDER, MONITOR_ORDER = "F300100101", "F300100102", "F300100103"
CONTRACT = load_contract(SPEC)
CODES: dict[str, dict[str, str]] = CONTRACT.document["x-aisera-error-codes"]["codes"]
MODES: list[str] = CONTRACT.document["components"]["schemas"]["ModeType"]["enum"]
ILLEGAL_ARGUMENT = "ERR-003: Internal System Error"


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    """A fresh mock serving only this contract."""
    return make_client(specs=(SPEC,))


def post(
    client: TestClient, data: dict[str, Any], *, token: str = TOKEN, user: str = USER, **top: Any
) -> httpx.Response:
    response: httpx.Response = client.post(URL, json={"token": token, "userId": user, **top, "data": data})
    return response


def send(client: TestClient, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    response = post(client, data, **kwargs)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def say(client: TestClient, text: str, **kwargs: Any) -> dict[str, Any]:
    return send(client, {"text": text}, **kwargs)


def first_text(body: dict[str, Any]) -> str:
    return str(body["answers"][0]["text"])


def option_ids(body: dict[str, Any]) -> list[str]:
    return [option["followUpId"] for option in body["answers"][0]["options"]]


def records(client: TestClient, collection: str) -> list[dict[str, Any]]:
    response = client.get(f"/__admin/records/{SPEC}/{collection}")
    found: list[dict[str, Any]] = response.json()["records"] if response.status_code == 200 else []
    return found


def error_schema() -> SchemaValidator:
    return SchemaValidator.compile(
        to_json_schema(CONTRACT.document, {"$ref": "#/components/schemas/AiseraError"}, Direction.RESPONSE)
    )


def assert_error(response: httpx.Response, status: int, message: str, path: str, code: str = ILLEGAL_ARGUMENT) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert error_schema().is_valid(body), body
    assert body["code"] == status
    assert body["error"] == code
    assert body["errors"] == [{"message": message, "path": path}]


# -- authentication and validation ---------------------------------------------------------------------------------


def test_unknown_channel_token_is_refused(client: TestClient) -> None:
    response = client.post(URL, json={"token": "not-a-channel", "userId": USER, "data": {"text": "hi"}})
    assert_error(response, 401, "unknown channel token", "token")
    assert "not-a-channel" not in response.text


@pytest.mark.parametrize(
    ("body", "message", "path"),
    [
        ({"token": TOKEN}, "'data' is a required property", "data"),
        ({"data": {"text": "hi"}}, "'token' is a required property", "token"),
        ({"token": TOKEN, "data": {"text": 5}}, "5 is not of type 'string'", "data.text"),
        ({"token": "", "data": {}}, "'' should be non-empty", "token"),
        ({"token": TOKEN, "data": {}, "sessionVars": []}, "[] is not of type 'object'", "sessionVars"),
        (
            {"token": TOKEN, "data": {}, "needsSessionHistory": "yes"},
            "'yes' is not of type 'boolean'",
            "needsSessionHistory",
        ),
    ],
)
def test_invalid_requests_get_err_003(client: TestClient, body: dict[str, Any], message: str, path: str) -> None:
    """The envelope names the field and the broken constraint (it no longer carries Connexion's ` - 'field'`)."""
    assert_error(client.post(URL, json=body), 400, message, path)


def test_a_credential_is_never_echoed_in_an_error(client: TestClient) -> None:
    response = client.post(URL, json={"token": [TOKEN], "data": {}})
    assert_error(response, 400, "'[MASKED]' is not of type 'string'", "token")
    assert TOKEN not in response.text


def test_wrong_content_type_and_extra_query_get_err_003(client: TestClient) -> None:
    response = client.post(URL, content=b"hi", headers={"content-type": "text/plain"})
    assert_error(response, 400, "Content-Type text/plain is not supported: send application/json", "Content-Type")
    response = client.post(URL, params={"debug": "1"}, json={"token": TOKEN, "data": {}})
    assert_error(response, 400, "unexpected query parameter(s): debug", "query.debug")


def test_malformed_json_gets_err_003(client: TestClient) -> None:
    response = client.post(URL, content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"] == ILLEGAL_ARGUMENT
    assert response.json()["errors"][0]["path"] == "body"
    assert response.json()["errors"][0]["message"].startswith("the body is not valid JSON")


def _raw(client: TestClient, text: str) -> httpx.Response:
    response: httpx.Response = client.post(URL, content=text.encode(), headers={"content-type": "application/json"})
    return response


@pytest.mark.parametrize(
    "text",
    [
        f'{{"token": "\\ud800x", "userId": "{USER}", "data": {{"text": "hi"}}}}',
        f'{{"token": "{TOKEN}", "userId": "\\ud800x", "data": {{"text": "hi"}}}}',
        f'{{"token": "{TOKEN}", "userId": "{USER}", "data": {{"text": "\\udfffhi"}}}}',
    ],
    ids=["token", "userId", "text"],
)
def test_lone_surrogates_are_refused_and_nothing_is_stored(client: TestClient, text: str) -> None:
    response = _raw(client, text)
    assert_error(response, 400, "the body holds a lone UTF-16 surrogate, which is not Unicode text", "body")
    assert records(client, "sessions") == []


@pytest.mark.parametrize(
    ("session_vars", "message"),
    [
        ('{"amount": NaN}', "NaN is not a JSON number"),
        ('{"amount": -Infinity}', "-Infinity is not a JSON number"),
        ('{"amount": 1e400}', "1e400 is too large to be a finite number"),
    ],
)
@pytest.mark.parametrize("where", ["data", "top level"])
def test_non_finite_session_vars_are_refused_and_nothing_is_stored(
    client: TestClient, session_vars: str, message: str, where: str
) -> None:
    inner = f'"sessionVars": {session_vars}, "text": "wifi"' if where == "data" else '"text": "wifi"'
    outer = f'"sessionVars": {session_vars}, ' if where != "data" else ""
    response = _raw(client, f'{{"token": "{TOKEN}", "userId": "{USER}", {outer}"data": {{{inner}}}}}')
    assert_error(response, 400, message, "body")
    assert records(client, "sessions") == []


# -- error codes ---------------------------------------------------------------------------------------------------


def test_fault_reasons_are_the_contracts_codes() -> None:
    assert aisera_conversation.fault_reasons(CONTRACT.operations["receiveConversationRequest"]) == tuple(CODES)
    assert [f"ERR-{n:03}" for n in range(1, 16)] == list(CODES)


def test_injected_server_error_gets_err_012_by_default(client: TestClient) -> None:
    client.put(FAULT, json={"status": 500})
    response = client.post(URL, json={"token": TOKEN, "data": {"text": "hi"}})
    assert response.status_code == 500
    assert response.json() == {"code": 500, "error": "ERR-012: Aisera Unexpected Server Error", "errors": []}


@pytest.mark.parametrize("code", list(CODES))
def test_a_fault_can_ask_for_every_documented_code(client: TestClient, code: str) -> None:
    assert client.put(FAULT, json={"status": 500, "reason": code}).status_code == 200
    response = client.post(URL, json={"token": TOKEN, "data": {"text": "hi"}})
    assert response.status_code == 500
    body = response.json()
    assert body == {"code": 500, "error": f"{code}: {CODES[code]['error']}", "errors": []}
    assert error_schema().is_valid(body)
    entries = client.get("/__admin/journal", params={"spec": SPEC}).json()["entries"]
    assert [problem["kind"] for problem in entries[-1]["problems"]] == ["injected-fault"]


def test_a_client_error_fault_carries_its_code_and_says_it_was_injected(client: TestClient) -> None:
    client.put(FAULT, json={"status": 400, "reason": "ERR-010"})
    response = client.post(URL, json={"token": TOKEN, "data": {"text": "hi"}})
    assert response.status_code == 400
    assert response.json() == {
        "code": 400,
        "error": "ERR-010: Unavailable resource",
        "errors": [{"message": "Fault injected by the mock's admin API"}],
    }


def test_an_undocumented_code_is_refused_by_the_admin_api(client: TestClient) -> None:
    response = client.put(FAULT, json={"status": 500, "reason": "ERR-016"})
    assert response.status_code == 400
    assert "ERR-001, ERR-002" in response.json()["detail"]


def test_a_failing_action_node_gets_err_007_and_changes_nothing(client: TestClient) -> None:
    started = say(client, "what is my order status")
    assert started["modeType"] == "FlowStarted"
    assert option_ids(started) == [LAPTOP_ORDER, PHONE_ORDER, MONITOR_ORDER]
    failed = post(client, {"followUpId": PHONE_ORDER})
    message = "The order-status action could not fetch your phone order from the fulfillment service."
    assert_error(failed, 500, message, "data.followUpId", "ERR-007: Failed Fulfillment Service")
    history = send(client, {"needsSessionHistory": True})
    assert history["modeType"] == "FlowInProgress"  # still at the step that offered the order choice
    assert [turn["sender"] for turn in history["history"]] == ["user", "bot"]


def test_a_bot_that_is_not_retrained_gets_err_013_on_utterances(client: TestClient) -> None:
    response = post(client, {"text": "wifi"}, token=SANDBOX_TOKEN)
    message = "The bot has not been retrained since its content changed."
    assert_error(response, 500, message, "data.text", "ERR-013: ICM Error: generic_icm_error")
    clicked = send(client, {"followUpId": WINDOWS}, token=SANDBOX_TOKEN)  # a click needs no understanding
    assert clicked["modeType"] == "FlowInProgress"


def test_a_live_agent_system_that_cannot_start_gets_err_014(client: TestClient) -> None:
    response = post(client, {"followUpId": AGENT_BUTTON}, token=SANDBOX_TOKEN)
    message = "The live-agent system is not connected, so no agent session could be started."
    assert_error(response, 500, message, "data.followUpId", "ERR-014: Live Agent System Error")
    assert records(client, "sessions") == []


def test_unknown_path_gets_err_010(client: TestClient) -> None:
    response = client.post(f"/{SPEC}/api/send", json={})
    assert response.status_code == 404
    assert response.json()["error"] == "ERR-010: Unavailable resource"


# -- knowledge -----------------------------------------------------------------------------------------------------


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


# -- workflows -----------------------------------------------------------------------------------------------------


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


def test_external_system_error_and_internal_error_end_the_workflow(client: TestClient) -> None:
    say(client, "track my order")
    external = send(client, {"followUpId": LAPTOP_ORDER})
    assert external["modeType"] == "ExternalSystemError"
    assert first_text(external).startswith("The procurement system (Coupa) is not answering")
    assert send(client, {"needsSessionHistory": True})["modeType"] == "Normal"  # the flow is over
    internal = send(client, {"followUpId": MONITOR_ORDER})
    assert internal["modeType"] == "Error"
    assert first_text(internal).startswith("Something went wrong on our side")
    assert option_ids(send(client, {"isGoBack": True})) == [LAPTOP_ORDER, PHONE_ORDER, MONITOR_ORDER]


# -- session -------------------------------------------------------------------------------------------------------


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


def test_session_vars_and_history_as_body_parameters(client: TestClient) -> None:
    """API Overview, FAQ 1 and 9: both may be sent at the top level of the body."""
    first = send(client, {"text": "I need a new laptop"}, sessionVars={"department": "Finance"})
    assert first["sessionVars"] == {"department": "Finance"}
    history = send(client, {"text": ""}, needsSessionHistory=True)
    assert history["answers"] == [] and history["modeType"] == "FlowInProgress"
    assert [turn["sender"] for turn in history["history"]] == ["user", "bot"]
    assert "history" not in send(client, {"text": "wifi"}, needsSessionHistory=False)


def test_data_wins_over_the_top_level_when_both_are_sent(client: TestClient) -> None:
    """Assumption A17."""
    body = send(
        client,
        {"text": "wifi", "sessionVars": {"site": "Berlin"}, "needsSessionHistory": False},
        sessionVars={"site": "Paris", "department": "Finance"},
        needsSessionHistory=True,
    )
    assert body["sessionVars"] == {"site": "Berlin", "department": "Finance"}
    assert "history" not in body
    asked = send(client, {"text": "", "needsSessionHistory": True}, needsSessionHistory=False)
    assert len(asked["history"]) == 2


def test_reset_starts_a_new_session(client: TestClient) -> None:
    before = send(client, {"text": "forgot my password", "sessionVars": {"a": 1}})
    reset = send(client, {"text": "", "isReset": True, "needsSessionHistory": True})
    assert reset["sessionId"] != before["sessionId"]
    assert reset["modeType"] == "Normal"
    assert first_text(reset).startswith("Your conversation has been reset")
    assert "sessionVars" not in reset
    assert [turn["sender"] for turn in reset["history"]] == ["bot"]
    assert first_text(send(client, {"isGoBack": True})).startswith("There is no previous step")


def test_logout_ends_the_session_with_the_survey(client: TestClient) -> None:
    before = say(client, "wifi")
    logout = send(client, {"text": "", "isLogout": True})
    assert logout["sessionId"] == before["sessionId"]
    assert logout["modeType"] == "EndSessionSurvey"
    goodbye, survey = logout["answers"]
    assert goodbye["text"].startswith("You have been signed out")
    assert survey["type"] == "survey"
    assert [option["followUpId"] for option in survey["options"]] == ["S:5", "S:3", "S:1"]
    after = send(client, {"text": "", "needsSessionHistory": True})
    assert after["sessionId"] != before["sessionId"]
    assert after["history"] == []


def test_a_survey_answer_is_thanked_and_recorded(client: TestClient) -> None:
    send(client, {"isLogout": True})
    thanks = send(client, {"followUpId": "S:5"})
    assert thanks["modeType"] == "Normal"
    assert first_text(thanks) == "Thank you for your feedback!"
    (feedback,) = records(client, "feedback")
    assert feedback == {**feedback, "channel": "Acme Web Channel", "user": USER, "followUpId": "S:5", "rating": "Great"}


def test_logout_without_a_survey_is_normal(client: TestClient) -> None:
    body = send(client, {"isLogout": True}, token=GLOBEX_TOKEN)
    assert body["modeType"] == "Normal"
    assert body["answers"] == [{"type": "text", "text": "Session ended. Goodbye!"}]


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


def test_the_channel_token_is_masked_in_the_journal(client: TestClient) -> None:
    say(client, "wifi")
    post(client, {"text": "hi"}, token="not-a-channel")
    entries = client.get("/__admin/journal", params={"spec": SPEC}).json()["entries"]
    assert [json.loads(entry["request"]["body"])["token"] for entry in entries] == ["[MASKED]", "[MASKED]"]
    assert [entry["status"] for entry in entries] == [200, 401]
    assert TOKEN not in json.dumps(entries) and "not-a-channel" not in json.dumps(entries)


def test_a_refused_body_is_journaled_without_the_channel_token(client: TestClient) -> None:
    client.post(URL, json={"token": [TOKEN], "data": {}})
    (entry,) = client.get("/__admin/journal", params={"spec": SPEC}).json()["entries"]
    assert entry["status"] == 400
    assert TOKEN not in entry["request"]["body"]


def test_journal_problems_never_carry_the_channel_token(client: TestClient) -> None:
    client.post(URL, json={"token": [TOKEN], "data": {}})
    (entry,) = client.get("/__admin/journal", params={"spec": SPEC}).json()["entries"]
    (problem,) = entry["problems"]
    assert problem["violations"][0]["name"] == "token"
    assert TOKEN not in json.dumps(problem)


# -- live agent ----------------------------------------------------------------------------------------------------


def test_live_agent_hand_off(client: TestClient) -> None:
    """API Overview, FAQ 6: queued is LiveAgentWaitingUpdate; LiveAgentWaiting is the agent awaiting the user."""
    say(client, "forgot my password")
    queued = say(client, "I want to talk to an agent")
    assert queued["modeType"] == "LiveAgentWaitingUpdate"
    assert first_text(queued).startswith("I am connecting you to a live agent. You are in the queue")
    update = say(client, "hello?")
    assert update["modeType"] == "LiveAgentWaitingUpdate"
    assert first_text(update) == "You are next in the queue; an agent will join in about 10 seconds."
    client.post("/__admin/clock/advance", json={"seconds": 10})
    joined = send(client, {"text": ""})
    assert joined["modeType"] == "LiveAgentJoined"
    assert first_text(joined) == "Alex from the Acme Service Desk has joined the conversation."
    turns = [say(client, text) for text in ("my vpn is broken", "error 809", "sent", "no")]
    assert [(turn["modeType"], turn["answers"][0]["type"], first_text(turn)) for turn in turns] == [
        ("LiveAgent", "text", "Thanks, I am looking into it now."),
        ("LiveAgentWaiting", "text", "Could you tell me the exact error message you see?"),
        ("LiveAgentFileUpload", "fileUpload", "Please upload a screenshot of the error so I can see it."),
        ("LiveAgentWaiting", "text", "Understood. Is there anything else I can help you with?"),
    ]
    poll = send(client, {"text": ""})
    assert (poll["modeType"], poll["answers"]) == ("LiveAgentWaiting", [])  # still waiting for the user
    assert say(client, "wifi")["modeType"] == "LiveAgent"
    assert send(client, {"text": ""})["modeType"] == "LiveAgent"
    exited = say(client, "ok bye")
    assert exited["modeType"] == "LiveAgentExited"
    assert first_text(exited).startswith("Alex has left the conversation")
    assert say(client, "wifi")["modeType"] == "Normal"
    history = send(client, {"needsSessionHistory": True})["history"]
    pairs = [(turn["sender"], turn["text"]) for turn in history]
    assert ("agent", "Thanks, I am looking into it now.") in pairs
    assert ("bot", "Alex from the Acme Service Desk has joined the conversation.") in pairs


def test_live_agent_button(client: TestClient) -> None:
    body = send(client, {"followUpId": AGENT_BUTTON})
    assert body["modeType"] == "LiveAgentWaitingUpdate"
    assert send(client, {"text": "", "needsSessionHistory": True})["modeType"] == "LiveAgentWaitingUpdate"


def test_logout_leaves_the_live_agent(client: TestClient) -> None:
    say(client, "live agent")
    assert send(client, {"isLogout": True})["modeType"] == "EndSessionSurvey"
    assert say(client, "wifi")["modeType"] == "Normal"


def test_every_documented_mode_is_reachable_from_the_default_fixtures(client: TestClient) -> None:
    script: list[tuple[dict[str, Any], float]] = [
        ({"text": "wifi"}, 0),
        ({"text": "forgot my password"}, 0),
        ({"followUpId": WINDOWS}, 0),
        ({"followUpId": SEND_WINDOWS_LINK}, 0),
        ({"text": "order status"}, 0),
        ({"followUpId": LAPTOP_ORDER}, 0),
        ({"followUpId": MONITOR_ORDER}, 0),
        ({"text": "talk to an agent"}, 0),
        ({"text": ""}, 10),
        *[({"text": "thanks"}, 0)] * 3,
        ({"text": "bye"}, 0),
        ({"isLogout": True}, 0),
    ]
    seen: list[str] = []
    for data, wait in script:
        if wait:
            client.post("/__admin/clock/advance", json={"seconds": wait})
        seen.append(send(client, data)["modeType"])
    assert sorted(set(seen)) == sorted(MODES)


# -- fixture -------------------------------------------------------------------------------------------------------


def _fixture() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((FIXTURES_DIR / f"{SPEC}.yaml").read_text(encoding="utf-8"))
    return data


def test_fixture_holds_the_credentials_channel() -> None:
    assert TOKEN in [channel["token"] for channel in _fixture()["channels"]]


def test_default_fixture_is_valid() -> None:
    import jsonschema

    data = _fixture()
    jsonschema.Draft202012Validator(aisera_conversation.FIXTURE_SCHEMA).validate(data)
    aisera_conversation.validate_fixture(data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda data: data["bots"]["acme"]["workflows"][0].update(start="nowhere"),
            "start step 'nowhere' is not one of",
        ),
        (
            lambda data: data["bots"]["acme"]["workflows"][0]["steps"]["choose-account"]["options"][0].update(
                next="nowhere"
            ),
            "next step 'nowhere' is not one of",
        ),
        (
            lambda data: data["bots"]["acme"]["workflows"][1]["steps"]["choose-device"]["options"][0].update(
                id=WINDOWS
            ),
            f"id '{WINDOWS}' of vpn-token/choose-device is also used by password-reset/choose-account",
        ),
        (
            lambda data: data["bots"]["acme"]["survey"]["options"][0].update(id=AGENT_BUTTON),
            "survey option id .* is also the live-agent button",
        ),
        (
            lambda data: data["bots"]["acme"]["workflows"][3]["steps"]["fulfillment-fails"].update(error="ERR-099"),
            "ERR-099 is not a documented code",
        ),
        (
            lambda data: data["bots"]["acme"]["workflows"][3]["steps"]["procurement-down"].update(error="ERR-007"),
            "a step has at most one of",
        ),
        (lambda data: data["channels"][1].update(token=TOKEN), "its token is also another channel's"),
        (lambda data: data["channels"][0].update(bot="nobody"), "unknown bot 'nobody'"),
    ],
)
def test_validate_fixture_refuses_inconsistent_bots(change: Callable[[dict[str, Any]], None], message: str) -> None:
    data = copy.deepcopy(_fixture())
    change(data)
    with pytest.raises(FixtureError, match=message.replace("(", r"\(")):
        aisera_conversation.validate_fixture(data)
