"""Tokens are issued for their documented lifetime (`x-token-lifetime`).

`token_lifetime`: a token answer's lifetime field (`expires_in`) is a positive number of seconds no longer than the
lifetime the contract documents. That the token then stops working at that lifetime is the `token_expiry`
workflow's part (it needs the mock's clock).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import schemathesis

from conformance.behaviour.extensions import TokenLifetime
from conformance.behaviour.target import judge

if TYPE_CHECKING:
    from schemathesis import Case, CheckContext, Response

__all__ = ["lifetime_problem"]


def lifetime_problem(lifetime: TokenLifetime, body: Any) -> tuple[str, str] | None:
    """(received, rule) when a token answer promises a lifetime the contract does not document."""
    if not isinstance(body, dict) or lifetime.field not in body:
        return None
    value = body[lifetime.field]
    rule = f"`{lifetime.field}` between 1 and {lifetime.seconds} seconds"
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= lifetime.seconds:
        return f"{lifetime.field} {value!r}", rule
    return None


@schemathesis.check
def token_lifetime(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """An issued token's stated lifetime is the documented one (or shorter)."""
    return judge(case, response, TokenLifetime.of, lambda found, lifetime: lifetime_problem(lifetime, found.body))
