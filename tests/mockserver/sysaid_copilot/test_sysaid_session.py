"""SysAid login middleware: cookies and hostname map to a user and organization; everything else is a 401, except
where an operation's section of the guide documents its own answer for a caller who is not logged in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sysaid_support import ACME, CREDENTIALS, EXAMPLE_CHAT, GLOBEX, IDENTITIES, SPEC, Sysaid, login_headers

from contracts import load_contract
from mockserver.vendors.sysaid_copilot.refusals import LOGIN_REFUSAL, ROLE_REFUSAL, refusals

CONTRACT = load_contract(SPEC)
FEEDBACK = {"accountId": "exampleAccountId", "feedback": "Missed the error code.", "userId": "7", "srId": "12345"}

UNAUTHORIZED_ENVELOPE = {"status", "error"}


def assert_unauthorized(response: httpx.Response, fragment: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == UNAUTHORIZED_ENVELOPE
    assert body["status"] == "error"
    assert body["error"].startswith("Unauthorized: ")
    assert fragment in body["error"]


def test_health_and_server_details_need_no_login(sysaid: Sysaid) -> None:
    assert sysaid.call("GET", "/api/health", who=None).json() == {"status": "ok"}
    details = sysaid.call("GET", "/api/kobi", who=None)
    assert details.status_code == 200
    assert details.json()["status"] == "ok"
    assert details.json()["version"] == "2024-07-30"


def test_credentials_file_identities_log_in_as_acme_admin_and_user(sysaid: Sysaid) -> None:
    for role, admin in (("admin", True), ("user", False)):
        cookie = f"JSESSIONID={CREDENTIALS[role]['jsessionid']}; SERVERID={CREDENTIALS[role]['serverid']}"
        headers = {"Cookie": cookie, "x-sysaid-hostname": CREDENTIALS["hostname"]}
        body = sysaid.ok("POST", "/api/login", who=None, headers=headers)
        assert body["message"] == "Login successful"
        assert body["isAdministrator"] is admin
        assert body["orgConf"]["orgName"] == "Acme"


def test_login_returns_the_users_details_and_org_configuration(sysaid: Sysaid) -> None:
    body = sysaid.ok("POST", "/api/login", who="user")
    assert body["fullname"] == "John Smith"
    assert body["isAdministrator"] is False
    assert body["orgConf"]["srTimeRangeUnit"] == "months"
    globex = sysaid.ok("POST", "/api/login", who="globex_admin")
    assert (globex["fullname"], globex["isAdministrator"], globex["orgConf"]["orgName"]) == (
        "Maria Garcia",
        True,
        "Globex",
    )


@pytest.mark.parametrize(
    ("headers", "fragment"),
    [
        ({"x-sysaid-hostname": ACME}, "(missing: cookie JSESSIONID, cookie SERVERID)"),
        ({"x-sysaid-hostname": ACME, "Cookie": f"JSESSIONID={IDENTITIES['admin'][1]}"}, "(missing: cookie SERVERID)"),
        ({"x-sysaid-hostname": ACME, "Cookie": "SERVERID=srv-app-01"}, "(missing: cookie JSESSIONID)"),
        (
            {"Cookie": f"JSESSIONID={IDENTITIES['admin'][1]}; SERVERID=srv-app-01"},
            "(missing: header x-sysaid-hostname)",
        ),
        ({"x-sysaid-hostname": ACME, "Cookie": "JSESSIONID=NOT-A-SESSION; SERVERID=srv-app-01"}, "not a logged-in"),
        ({"x-sysaid-hostname": ACME, "Cookie": f"JSESSIONID={IDENTITIES['admin'][1]}; SERVERID="}, "SERVERID"),
        (
            {"x-sysaid-hostname": "unknown.sysaidit.com", "Cookie": f"JSESSIONID={IDENTITIES['admin'][1]}; SERVERID=s"},
            "not a SysAid server",
        ),
        ({"x-sysaid-hostname": GLOBEX, "Cookie": f"JSESSIONID={IDENTITIES['admin'][1]}; SERVERID=s"}, "not mapped"),
    ],
    ids=[
        "no-cookies",
        "no-serverid",
        "no-jsessionid",
        "no-hostname",
        "unknown-session",
        "empty-serverid",
        "unknown-hostname",
        "other-organization",
    ],
)
def test_missing_or_unknown_credentials_are_refused_with_401(
    sysaid: Sysaid, headers: dict[str, str], fragment: str
) -> None:
    assert_unauthorized(sysaid.call("POST", "/api/login", who=None, headers=headers), fragment)


def test_every_protected_operation_without_its_own_answer_refuses_a_missing_login_with_401(sysaid: Sysaid) -> None:
    requests = [
        ("POST", "/api/chat"),
        ("GET", "/api/dataset"),
        ("POST", "/api/monitor/query"),
        ("GET", "/api/longOperation/3f2b8c1e-6d4a-4e8f-9b1c-2a7d5e9f0c13"),
        ("GET", "/api/chat/stream/12345"),
        ("GET", "/api/document/123/456"),
        ("DELETE", "/api/dataset/4/17"),
    ]
    for method, path in requests:
        assert_unauthorized(sysaid.call(method, path, who=None), "are all required")


NOT_LOGGED_IN = [
    (
        "GET",
        f"/api/chat/{EXAMPLE_CHAT}",
        {},
        200,
        "application/json",
        {"status": "error", "error": "User not logged in"},
    ),
    ("GET", "/api/chat", {}, 200, "application/json", {"status": "error", "error": "User not logged in"}),
    ("GET", "/summarize/12345", {}, 400, "text/plain", "Error in summarizeSR: User not logged in"),
    ("POST", "/feedback", {"json": FEEDBACK}, 400, "text/plain", "Missing one of accountId, feedback, userId, srId"),
]


@pytest.mark.parametrize(
    "headers",
    [{}, {"x-sysaid-hostname": ACME, "Cookie": "JSESSIONID=NOT-A-SESSION; SERVERID=srv-app-01"}],
    ids=["no-credentials", "unknown-session"],
)
@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "media", "expected"), NOT_LOGGED_IN, ids=[r[1] for r in NOT_LOGGED_IN]
)
def test_operations_documenting_a_not_logged_in_answer_give_it_instead_of_401(
    sysaid: Sysaid,
    headers: dict[str, str],
    method: str,
    path: str,
    kwargs: dict[str, Any],
    status: int,
    media: str,
    expected: object,
) -> None:
    response = sysaid.call(method, path, who=None, headers=headers, **kwargs)
    assert response.status_code == status
    assert response.headers["content-type"].startswith(media)
    assert (response.json() if media == "application/json" else response.text) == expected
    assert sysaid.records("feedback") == []


def test_every_documented_not_logged_in_answer_is_reachable() -> None:
    documented = {op.operation_id for op in CONTRACT if LOGIN_REFUSAL in refusals(op)}
    assert documented == {"getChat", "listChats", "summarizeSr", "submitSummaryFeedback"}
    examples = {
        op.operation_id: op.responses[str(refusals(op)[LOGIN_REFUSAL].status)]
        for op in CONTRACT
        if op.operation_id in documented
    }
    assert examples["getChat"].content["application/json"].examples["notLoggedIn"] == NOT_LOGGED_IN[0][-1]
    assert examples["listChats"].content["application/json"].examples["notLoggedIn"] == NOT_LOGGED_IN[1][-1]


def test_every_admin_only_operation_documents_its_refusal_of_non_admins() -> None:
    for operation in CONTRACT:
        if operation.admin_only:
            refusal = refusals(operation)[ROLE_REFUSAL]
            response = operation.response_for(refusal.status)
            assert response is not None, operation.operation_id
            assert any(refusal.example in media.examples for media in response.content.values()), operation.operation_id


def test_hostname_is_case_insensitive_and_ignores_a_port(sysaid: Sysaid) -> None:
    headers = {**login_headers("admin"), "x-sysaid-hostname": "ACME.SysAidIT.com:443"}
    assert sysaid.ok("POST", "/api/login", who=None, headers=headers)["fullname"] == "Jane Doe"


def test_public_prefix_reaches_the_same_operations(sysaid: Sysaid) -> None:
    assert sysaid.call("GET", "/spaces/api/sysai/api/health", who=None).json() == {"status": "ok"}
    body = sysaid.ok("POST", "/spaces/api/sysai/api/login")
    assert body["fullname"] == "Jane Doe"
    suggestion = sysaid.ok(
        "POST",
        "/spaces/api/sysai/api/sr/suggest_category_for_text",
        json={"text": "VPN error 401. I cant connect. Please help", "srType": 1},
    )
    assert suggestion["category"]["category_id"] == 361
    assert_unauthorized(sysaid.call("POST", "/spaces/api/sysai/api/login", who=None), "are all required")


def test_a_trailing_slash_is_an_unknown_route_in_the_sysaid_envelope_not_a_redirect(sysaid: Sysaid) -> None:
    for path in ("/api/dataset/", "/spaces/api/sysai/api/dataset/"):
        response = sysaid.call("GET", path)
        assert response.status_code == 404
        assert "location" not in response.headers
        assert response.json() == {"status": "error", "error": "sysaid-copilot declares no path /api/dataset/"}


def test_configured_public_prefix_is_rewritten(make_sysaid: Callable[..., Sysaid]) -> None:
    sysaid = make_sysaid(sysaid_public_prefix="/copilot/v1")
    assert sysaid.ok("POST", "/copilot/v1/api/login")["isAdministrator"] is True
    assert sysaid.call("GET", "/spaces/api/sysai/api/health", who=None).status_code == 404


def test_undeclared_method_is_405_in_the_sysaid_envelope(sysaid: Sysaid) -> None:
    response = sysaid.call("DELETE", "/api/health", who=None)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.json() == {"status": "error", "error": "Method Not Allowed"}


def test_session_cookies_are_stored_only_as_digests(sysaid: Sysaid) -> None:
    stored = str(sysaid.records("sessions"))
    assert len(sysaid.records("sessions")) == 5
    assert all(jsessionid not in stored for _, jsessionid in IDENTITIES.values())


def test_refusals_never_echo_a_credential_in_the_envelope_or_the_journal(sysaid: Sysaid) -> None:
    hostname = "secret-host.sysaidit.com"
    headers = {"x-sysaid-hostname": hostname, "Cookie": "JSESSIONID=NOT-A-SESSION-42; SERVERID=srv-app-01"}
    for cookie in (headers["Cookie"], f"JSESSIONID={IDENTITIES['admin'][1]}; SERVERID=srv-app-01"):
        response = sysaid.call("POST", "/api/login", who=None, headers={**headers, "Cookie": cookie})
        assert response.status_code == 401
        assert hostname not in response.text
        assert "NOT-A-SESSION-42" not in response.text
    journal = str(sysaid.journal("request"))
    assert hostname not in journal
    assert "NOT-A-SESSION-42" not in journal
    assert IDENTITIES["admin"][1] not in journal
