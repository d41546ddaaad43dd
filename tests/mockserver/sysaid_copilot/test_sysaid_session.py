"""SysAid login middleware: cookies and hostname map to a user and organization; everything else is a 401."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from sysaid_support import ACME, CREDENTIALS, GLOBEX, IDENTITIES, Sysaid, login_headers

UNAUTHORIZED_ENVELOPE = {"status", "error"}


def assert_unauthorized(response: httpx.Response, fragment: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == UNAUTHORIZED_ENVELOPE
    assert body["status"] == "error"
    assert body["error"].startswith("Unauthorized")
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
        ({"x-sysaid-hostname": ACME}, "are all required"),
        ({"x-sysaid-hostname": ACME, "Cookie": f"JSESSIONID={IDENTITIES['admin'][1]}"}, "are all required"),
        ({"x-sysaid-hostname": ACME, "Cookie": "SERVERID=srv-app-01"}, "are all required"),
        ({"Cookie": f"JSESSIONID={IDENTITIES['admin'][1]}; SERVERID=srv-app-01"}, "are all required"),
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


def test_every_protected_operation_refuses_a_missing_login(sysaid: Sysaid) -> None:
    requests = [
        ("GET", "/api/chat"),
        ("POST", "/api/chat"),
        ("GET", "/api/dataset"),
        ("POST", "/api/monitor/query"),
        ("GET", "/summarize/12345"),
        ("GET", "/api/longOperation/3f2b8c1e-6d4a-4e8f-9b1c-2a7d5e9f0c13"),
        ("GET", "/api/chat/stream/12345"),
        ("GET", "/api/document/123/456"),
    ]
    for method, path in requests:
        assert_unauthorized(sysaid.call(method, path, who=None), "are all required")


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


def test_configured_public_prefix_is_rewritten(make_sysaid: Callable[..., Sysaid]) -> None:
    sysaid = make_sysaid(sysaid_public_prefix="/copilot/v1")
    assert sysaid.ok("POST", "/copilot/v1/api/login")["isAdministrator"] is True
    assert sysaid.call("GET", "/spaces/api/sysai/api/health", who=None).status_code == 404


def test_undeclared_method_is_405_in_the_sysaid_envelope(sysaid: Sysaid) -> None:
    response = sysaid.call("DELETE", "/api/health", who=None)
    assert response.status_code == 405
    assert response.json()["status"] == "error"
