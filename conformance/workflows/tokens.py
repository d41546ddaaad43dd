"""Token expiry (Aisera, Alvaria; against the mock, whose clock the admin API can advance): a token works until
its stated lifetime (`expires_in`) ends and is refused with the documented 401 one second after; the profile's
refresh then makes the call work again. Enforces `x-token-lifetime` on the wire."""

from __future__ import annotations

from conformance.auth.base import TokenProfile
from conformance.workflows.context import WorkflowContext, WorkflowSkipped, example_body
from contracts import Contract, Operation

__all__ = ["DEFAULT_LIFETIME_SECONDS", "EXPIRY_SLACK_SECONDS", "token_expiry"]

# The token must still work this many (mock) seconds before its stated lifetime ends, and fail one second after:
# slack for the real time the requests themselves take.
EXPIRY_SLACK_SECONDS = 5
# The lifetime assumed when the token answer states none (Aisera's and Alvaria's documented hour).
DEFAULT_LIFETIME_SECONDS = 3600


def _token_protected_call(contract: Contract) -> tuple[Operation, str] | None:
    """A POST needing an OAuth2 token, with an example body and no required header (nothing but credentials)."""
    for info in contract:
        headers = [p for p in info.parameters if p.location == "header" and p.required]
        schemes = info.security[0] if info.security else {}
        oauth2 = [name for name in schemes if contract.security_schemes[name].type == "oauth2"]
        if oauth2 and info.method == "post" and not headers and example_body(info) is not None:
            return info, oauth2[0]
    return None


def token_expiry(ctx: WorkflowContext) -> None:
    """An expired token gets the documented 401; after a refresh the same call succeeds."""
    profile = ctx.profile
    if not isinstance(profile, TokenProfile):
        raise WorkflowSkipped("the vendor profile obtains no token")
    if ctx.admin_url is None:
        raise WorkflowSkipped(
            "the target has no mock admin API (<origin>/__admin/clock) to advance the clock past the token's lifetime"
        )
    found = _token_protected_call(ctx.contract)
    if found is None:
        raise WorkflowSkipped("no operation needs only the token and has an example body to send")
    info, scheme = found
    body = example_body(info)
    # A token obtained now: the campaign's token has aged by the campaign's own duration on the mock's clock.
    profile.invalidate()
    old = profile.token()
    lifetime = profile.lifetime or DEFAULT_LIFETIME_SECONDS
    _, first = ctx.call(info.operation_id, body=body)
    ctx.expect(200 <= first.status_code < 300, info, first, "a 2xx answer with a fresh token")
    ctx.advance_clock(lifetime - EXPIRY_SLACK_SECONDS)
    _, before = ctx.call(info.operation_id, body=body, raw={scheme: old})
    ctx.expect(
        200 <= before.status_code < 300,
        info,
        before,
        f"a 2xx answer {EXPIRY_SLACK_SECONDS}s before the token's stated lifetime ({lifetime}s) ends",
    )
    ctx.advance_clock(EXPIRY_SLACK_SECONDS + 1)
    _, expired = ctx.call(info.operation_id, body=body, raw={scheme: old})
    ctx.expect(
        expired.status_code == 401 and "401" in info.responses,
        info,
        expired,
        f"401 for a token used 1s after its stated lifetime ({lifetime}s)",
    )
    profile.invalidate()
    _, refreshed = ctx.call(info.operation_id, body=body)
    ctx.expect(200 <= refreshed.status_code < 300, info, refreshed, "a 2xx answer after refreshing the token")
