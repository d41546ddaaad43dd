"""Explicit workflows: token expiry and refresh, SysAid chat lifecycle and escalation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from conformance.auth import ApiClient
from conformance.coverage import CoverageReport
from conformance.credentials import Credentials
from conformance.redaction import Redactor
from conformance.results import SpecResult
from conformance.vendors import profile_for
from conformance.workflows import WorkflowContext, find_admin, run_workflows
from contracts import load_contract
from mockserver import Settings, create_app

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "default"


def aisera_with_clock(*, never_expires: bool = False, valid_for: int = 3600) -> Starlette:
    """Aisera's token endpoint and /alerts, plus a mock-style admin clock; tokens say 3600 s, work `valid_for` s."""
    state: dict[str, Any] = {"now": 0, "tokens": {}}

    async def token(request: Request) -> JSONResponse:
        name = f"token-{len(state['tokens']) + 1:04d}"
        state["tokens"][name] = state["now"] + valid_for
        return JSONResponse({"access_token": name, "token_type": "Bearer", "expires_in": 3600})

    async def alerts(request: Request) -> JSONResponse:
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        expiry = state["tokens"].get(bearer)
        valid = expiry is not None and (never_expires or state["now"] < expiry)
        if not valid or request.headers.get("x-app-token") != "ais-app-7f3c2a9e-demo":
            return JSONResponse({"code": 401, "error": "Unauthorized"}, status_code=401)
        return JSONResponse({"entity": "alerts", "accepted": 1})

    async def clock(request: Request) -> JSONResponse:
        if request.method == "POST":
            state["now"] += int((await request.json())["seconds"])
        return JSONResponse({"offset": state["now"]})

    return Starlette(
        routes=[
            Route("/aisera-ingestion/tenant-users/oauth2/token", token, methods=["POST"]),
            Route("/aisera-ingestion/alerts", alerts, methods=["POST"]),
            Route("/__admin/clock", clock, methods=["GET"]),
            Route("/__admin/clock/advance", clock, methods=["POST"]),
        ]
    )


def run(spec: str, app: Any) -> SpecResult:
    base = f"http://testserver/{spec}"
    client = ApiClient(base, app)
    contract = load_contract(spec)
    redactor = Redactor()
    vendor = profile_for(spec)
    assert vendor is not None
    profile = vendor.create_auth(contract, Credentials.load(None, [spec], environ={}).for_spec(spec), client, redactor)
    result = SpecResult(spec, base, seed=5, coverage=CoverageReport.for_contract(contract))
    context = WorkflowContext(contract, profile, client, redactor, result, find_admin(client, base))
    run_workflows(context, vendor.workflows)
    return result


def test_expired_token_is_refused_then_refreshed():
    result = run("aisera-ingestion", aisera_with_clock())
    assert result.findings == []
    assert result.coverage.operations["POST /alerts"].observed == {200: {"application/json"}, 401: {"application/json"}}


def test_a_token_that_never_expires_is_caught():
    result = run("aisera-ingestion", aisera_with_clock(never_expires=True))
    [finding] = result.findings
    assert finding.check == "workflow:token_expiry"
    assert finding.documented == "401 for a token used 1s after its stated lifetime (3600s)"
    assert finding.received.startswith("HTTP 200")
    assert finding.curl[0].startswith("curl -X POST")
    assert "token-0001" not in finding.curl[0]
    assert "ais-app-7f3c2a9e-demo" not in finding.curl[0]
    assert "Authorization: [Filtered]" in finding.curl[0]


def test_a_token_outliving_its_stated_lifetime_is_caught_at_the_boundary():
    """Valid for 5400 s while the answer says 3600: a jump far past both would not tell them apart."""
    [finding] = run("aisera-ingestion", aisera_with_clock(valid_for=5400)).findings
    assert finding.documented == "401 for a token used 1s after its stated lifetime (3600s)"


def test_a_token_refused_before_its_stated_lifetime_is_caught():
    [finding] = run("aisera-ingestion", aisera_with_clock(valid_for=1800)).findings
    assert finding.documented == "a 2xx answer 5s before the token's stated lifetime (3600s) ends"
    assert finding.received.startswith("HTTP 401")


def test_a_workflow_that_cannot_run_says_so():
    app = aisera_with_clock(never_expires=True)
    app.router.routes = [r for r in app.router.routes if not getattr(r, "path", "").startswith("/__admin")]
    result = run("aisera-ingestion", app)
    assert result.findings == []
    assert result.notes == [
        "workflow token_expiry not run: the target has no mock admin API (<origin>/__admin/clock) to advance the "
        "clock past the token's lifetime"
    ]


def test_sysaid_chat_lifecycle_and_escalation_against_the_mock():
    app = create_app(Settings(specs=("sysaid-copilot",), db=None, fixtures=FIXTURES, validate_responses=True))
    result = run("sysaid-copilot", app)
    assert result.findings == [], [f.render() for f in result.findings]
    assert result.notes == [], "the lifecycle, escalation and user-view workflows all ran"
    observed = result.coverage.operations
    assert 200 in observed["DELETE /api/chat/{chatuid}"].observed
    assert 200 in observed["GET /api/longOperation/{id}"].observed
