"""Auth profiles obtain credentials as a real client would, refresh them, and place them on requests."""

from __future__ import annotations

import base64
from types import SimpleNamespace
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from conformance.auth import ApiClient, AuthProfile, Slot, lookalike
from conformance.auth.apply import apply_credentials, apply_identity_bindings
from conformance.auth.base import SlotKind
from conformance.credentials import Credentials
from conformance.errors import CredentialEndpointBroken, PreflightError
from conformance.redaction import MASK, Redactor
from conformance.vendors import profile_for, profiles
from contracts import Operation, SecurityScheme, contract_names, load_contract


def token_server(
    calls: list[dict[str, Any]], *, accept: bool = True, aisera_answer: tuple[int, Any] | None = None
) -> Starlette:
    """Aisera and Alvaria token endpoints plus Alvaria's session endpoint, recording what they receive.

    `aisera_answer` replaces the Aisera token endpoint's answer (status, JSON body), to break it.
    """

    async def aisera(request: Request) -> JSONResponse:
        calls.append({"kind": "aisera", **dict(await request.form())})
        if not accept:
            return JSONResponse({"code": 401, "error": "bad password ingest-demo-password"}, status_code=401)
        if aisera_answer is not None:
            return JSONResponse(aisera_answer[1], status_code=aisera_answer[0])
        return JSONResponse({"access_token": f"aisera-token-{len(calls)}", "token_type": "Bearer", "expires_in": 3600})

    async def alvaria(request: Request) -> JSONResponse:
        calls.append(
            {
                "kind": "alvaria",
                "auth": request.headers.get("authorization"),
                "realm": request.query_params.get("realm"),
                **dict(await request.form()),
            }
        )
        return JSONResponse(
            {"access_token": f"alv-token-{len(calls)}", "scope": "x", "token_type": "Bearer", "expires_in": 3599}
        )

    async def session(request: Request) -> JSONResponse:
        calls.append(
            {
                "kind": "session",
                "auth": request.headers.get("authorization"),
                "key": request.headers.get("x-api-key"),
                "org": request.path_params["org"],
            }
        )
        return JSONResponse(
            {"sessionId": f"session-{len(calls)}", "creationTime": "2024-01-01T00:00:00Z", "inactivityDelay": 60}
        )

    return Starlette(
        routes=[
            Route("/tenant-users/oauth2/token", aisera, methods=["POST"]),
            Route("/tokenservice/oauth2/access_token", alvaria, methods=["POST"]),
            Route("/via/v2/organizations/{org}/streaming/session", session, methods=["POST"]),
        ]
    )


def auth_profile(spec: str, app: Starlette, redactor: Redactor | None = None) -> Any:
    """The registered vendor profile's auth profile, against `app`."""
    vendor = profile_for(spec)
    assert vendor is not None
    credentials = Credentials.load(None, [spec], environ={}).for_spec(spec)
    return vendor.create_auth(
        load_contract(spec), credentials, ApiClient("http://testserver", app), redactor or Redactor()
    )


def operation(spec: str, operation_id: str) -> Operation:
    found = load_contract(spec).operation(operation_id)
    assert found is not None
    return found


def scheme(kind: str, location: str = "header", parameter: str = "Authorization", http: str | None = None) -> Any:
    return SecurityScheme("s", kind, http, location, parameter, {})


def fake_case(**containers: Any) -> Any:
    values: dict[str, Any] = {
        "path_parameters": {},
        "query": {},
        "headers": {},
        "cookies": {},
        "body": None,
        "meta": None,
    }
    values.update(containers)
    return SimpleNamespace(**values)


def test_slots_follow_the_security_scheme_type():
    assert Slot.for_scheme(scheme("apiKey", "cookie", "JSESSIONID")) == Slot("cookie", "JSESSIONID")
    bearer = Slot.for_scheme(scheme("oauth2"))
    assert bearer.encode("abc") == "Bearer abc"
    assert Slot.for_scheme(load_contract("sysaid-copilot").security_schemes["jsessionIdCookie"]).location == "cookie"
    basic = Slot.for_scheme(scheme("http", http="basic"))
    assert basic.kind is SlotKind.BASIC
    assert basic.encode("id:secret") == "Basic " + base64.b64encode(b"id:secret").decode()


def test_lookalike_keeps_the_shape_but_not_the_value():
    original = "ais-app-7f3c2a9e-demo"
    fake = lookalike(original)
    assert fake != original
    assert len(fake) == len(original)
    assert [c.isdigit() for c in fake] == [c.isdigit() for c in original]
    assert fake[3] == "-"


def test_aisera_password_grant_is_cached_and_refreshed_after_invalidation():
    calls: list[dict[str, Any]] = []
    profile = auth_profile("aisera-ingestion", token_server(calls))
    incidents = operation("aisera-ingestion", "ingestIncidents")
    first = profile.requirement_for(incidents)
    assert first == {"serviceAccountToken": "aisera-token-1", "appTokenHeader": "ais-app-7f3c2a9e-demo"}
    assert calls == [
        {
            "kind": "aisera",
            "grant_type": "password",
            "client_id": "ais-app-7f3c2a9e-demo",
            "username": "svc-ingest@acme.example",
            "password": "ingest-demo-password",
        }
    ]
    profile.requirement_for(incidents)
    assert len(calls) == 1
    profile.invalidate()
    assert profile.requirement_for(incidents)["serviceAccountToken"] == "aisera-token-2"


def test_aisera_refused_credentials_are_a_usage_error_naming_the_keys_not_the_password():
    redactor = Redactor()
    profile = auth_profile("aisera-ingestion", token_server([], accept=False), redactor)
    with pytest.raises(PreflightError) as excinfo:
        profile.token()
    message = str(excinfo.value)
    assert "refused the credentials with 401" in message
    assert "check app_token, username, password from" in message and "credentials.yaml" in message
    assert "ingest-demo-password" not in message
    assert MASK in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("answer", "received", "documented"),
    [
        ((200, {"token_type": "Bearer", "expires_in": 3600}), "HTTP 200 application/json", "access_token"),
        ((503, {"code": 503, "error": "down"}), "HTTP 503 application/json", "documented statuses 200, 400, 401"),
        ((500, {"code": 500, "error": "boom"}), "HTTP 500", "a 2xx answer issuing the token"),
    ],
)
def test_a_token_endpoint_answering_against_its_contract_is_a_violation_remembered(
    answer: tuple[int, Any], received: str, documented: str
):
    calls: list[dict[str, Any]] = []
    profile = auth_profile("aisera-ingestion", token_server(calls, aisera_answer=answer))
    with pytest.raises(CredentialEndpointBroken) as excinfo:
        profile.token()
    broken = excinfo.value
    assert broken.operation == "POST /tenant-users/oauth2/token"
    assert broken.credential == "token"
    assert broken.received.startswith(received)
    assert documented in broken.documented
    assert broken.curl.startswith("curl -X POST")
    assert "ingest-demo-password" not in broken.curl
    with pytest.raises(CredentialEndpointBroken):
        profile.token()
    assert len(calls) == 1, "a broken endpoint is not asked again"
    ingest = operation("aisera-ingestion", "ingestAlerts")
    assert profile.can_serve(ingest) is False
    assert profile.can_serve(operation("aisera-ingestion", "requestIngestionToken")) is True


def test_alvaria_uses_basic_client_auth_then_a_streaming_session():
    calls: list[dict[str, Any]] = []
    profile = auth_profile("alvaria-messaging", token_server(calls))
    send_text = operation("alvaria-messaging", "sendText")
    assert profile.requirement_for(send_text) == {
        "oauth2ClientCredentials": "alv-token-1",
        "xApiKey": "alv-api-key-demo",
    }
    assert calls[0]["auth"] == "Basic " + base64.b64encode(b"alv-client-demo:alv-client-demo-secret").decode()
    assert calls[0]["grant_type"] == "client_credentials"
    assert calls[0]["realm"] == "acme"
    assert profile.binding(send_text, "header", "via-client-sessionid") == "session-2"
    assert calls[1] == {"kind": "session", "auth": "Bearer alv-token-1", "key": "alv-api-key-demo", "org": "acme"}
    assert profile.binding(send_text, "header", "via-client-sessionid") == "session-2"
    delete = operation("alvaria-messaging", "deleteStreamingSession")
    assert profile.binding(delete, "header", "via-client-sessionid") == "session-3"


def test_identity_bindings_replace_only_schema_valid_values():
    profile = auth_profile("alvaria-messaging", token_server([]))
    send_text = operation("alvaria-messaging", "sendText")
    valid = fake_case(path_parameters={"orgId": "zzz", "userId": "u1"}, headers={"via-client-sessionid": "x"})
    apply_identity_bindings(profile, send_text, valid)
    assert valid.path_parameters == {"orgId": "acme", "userId": "agent-001"}
    assert valid.headers["via-client-sessionid"].startswith("session-")
    negative = fake_case(path_parameters={"orgId": "", "userId": 5}, headers={"via-client-sessionid": ""})
    apply_identity_bindings(profile, send_text, negative)
    assert negative.path_parameters == {"orgId": "", "userId": 5}
    assert negative.headers == {"via-client-sessionid": ""}


def test_a_positive_case_missing_a_required_identity_header_gets_it():
    profile = auth_profile("alvaria-messaging", token_server([]))
    send_text = operation("alvaria-messaging", "sendText")
    positive = SimpleNamespace(generation=SimpleNamespace(mode=SimpleNamespace(is_positive=True)))
    case = fake_case(path_parameters={"orgId": "acme", "userId": "u"}, meta=positive)
    apply_identity_bindings(profile, send_text, case)
    assert case.headers["via-client-sessionid"].startswith("session-")
    negative = SimpleNamespace(generation=SimpleNamespace(mode=SimpleNamespace(is_positive=False)))
    removed_on_purpose = fake_case(path_parameters={"orgId": "acme", "userId": "u"}, meta=negative)
    apply_identity_bindings(profile, send_text, removed_on_purpose)
    assert "via-client-sessionid" not in removed_on_purpose.headers


def test_conversation_token_travels_in_the_body():
    profile = auth_profile("aisera-conversation", token_server([]))
    receive = operation("aisera-conversation", "receiveConversationRequest")
    case = fake_case(body={"token": "generated", "data": {}})
    assert apply_credentials(profile, receive, case) is True, "the body token is this API's credential"
    assert case.body["token"] == "ais-chan-5b1d0c44-demo"
    missing = fake_case(body={"data": {}})
    assert apply_credentials(profile, receive, missing) is False
    assert "token" not in missing.body


def test_sysaid_cookies_and_hostname_per_identity():
    profile = auth_profile("sysaid-copilot", token_server([]))
    get_chat = operation("sysaid-copilot", "getChat")
    case = fake_case()
    assert apply_credentials(profile, get_chat, case) is True
    assert case.cookies == {"JSESSIONID": "A1B2C3D4E5F60718293A4B5C6D7E8F90", "SERVERID": "srv-app-01"}
    assert case.headers == {"x-sysaid-hostname": "acme.sysaidit.com"}
    user = profile.for_identity("user")
    assert user.requirement_for(get_chat)["jsessionIdCookie"] == "0F1E2D3C4B5A69788796A5B4C3D2E1F0"
    assert profile.other_identities() == ["user"]


def test_admin_only_operations_are_read_from_the_contract():
    assert operation("sysaid-copilot", "updateOrg").admin_only
    assert operation("sysaid-copilot", "queryDatasetRecords").admin_only
    assert not operation("sysaid-copilot", "getChat").admin_only
    assert not operation("sysaid-copilot", "listChats").admin_only


def test_every_registered_vendor_names_a_profile_reading_its_credentials():
    """One registration per vendor: its harness module's PROFILE, whose keys are the credentials file's."""
    credentials = Credentials.load(None, contract_names(), environ={})
    for spec, vendor in profiles().items():
        assert issubclass(vendor.auth, AuthProfile)
        assert set(vendor.credential_keys) == set(credentials.for_spec(spec).values), spec


def test_asapp_sends_both_headers():
    profile = auth_profile("asapp-metadata-ingestion", token_server([]))
    case = fake_case()
    apply_credentials(profile, operation("asapp-metadata-ingestion", "singleAgentMetadata"), case)
    assert case.headers == {"asapp-api-id": "asapp-demo-app-id", "asapp-api-secret": "asapp-demo-app-secret"}
