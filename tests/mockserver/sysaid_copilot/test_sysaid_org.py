"""`POST /api/org`: admin-only partial update of the organization's configuration, seen by the next login."""

from __future__ import annotations

from typing import Any

import pytest
from sysaid_support import Sysaid


def test_update_changes_only_the_given_fields_and_the_next_login_shows_them(sysaid: Sysaid) -> None:
    before = sysaid.ok("POST", "/api/login")["orgConf"]
    body = sysaid.ok(
        "POST", "/api/org", json={"orgName": "Acme Corp", "srTimeRangeValue": 12, "srTimeRangeUnit": "weeks"}
    )
    assert body["message"] == "Org Acme Corp updated"
    after = sysaid.ok("POST", "/api/login", who="user")["orgConf"]
    assert after == {**before, "orgName": "Acme Corp", "srTimeRangeValue": 12, "srTimeRangeUnit": "weeks"}


def test_empty_update_keeps_everything(sysaid: Sysaid) -> None:
    before = sysaid.ok("POST", "/api/login")["orgConf"]
    assert sysaid.ok("POST", "/api/org", json={})["message"] == "Org Acme updated"
    assert sysaid.ok("POST", "/api/login")["orgConf"] == before


def test_non_admin_gets_the_org_error_envelope_with_message(sysaid: Sysaid) -> None:
    response = sysaid.call("POST", "/api/org", who="user", json={"orgName": "Hijacked"})
    assert response.status_code == 200
    assert response.json() == {"status": "error", "message": "User is not admin"}
    assert sysaid.ok("POST", "/api/login")["orgConf"]["orgName"] == "Acme"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"srTimeRangeValue": 0}, "srTimeRangeValue: 0 is less than the minimum of 1"),
        ({"srTimeRangeValue": 101}, "srTimeRangeValue: 101 is greater than the maximum of 100"),
        ({"srTimeRangeUnit": "days"}, "srTimeRangeUnit: 'days' is not one of"),
        ({"orgName": 7}, "orgName: 7 is not of type 'string'"),
    ],
)
def test_invalid_time_range_is_refused_with_400(sysaid: Sysaid, body: dict[str, Any], fragment: str) -> None:
    response = sysaid.call("POST", "/api/org", json=body)
    assert response.status_code == 400
    assert response.json()["status"] == "error"
    assert fragment in response.json()["error"]
    assert sysaid.ok("POST", "/api/login")["orgConf"]["srTimeRangeValue"] == 6


def test_an_update_does_not_touch_another_organization(sysaid: Sysaid) -> None:
    sysaid.ok("POST", "/api/org", json={"assistantName": "Renamed"})
    assert sysaid.ok("POST", "/api/login", who="globex_user")["orgConf"]["assistantName"] == "Globex Helper"
    sysaid.ok("POST", "/api/org", who="globex_admin", json={"orgName": "Globex Ltd"})
    assert sysaid.ok("POST", "/api/login")["orgConf"]["orgName"] == "Acme"
