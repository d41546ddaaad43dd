"""Vendor envelope checks: the envelope rules of each vendor profile (`conformance/vendors/`), registered with
Schemathesis next to its own checks, each under its rule's name (`sysaid_status_envelope`, `aisera_error_code`...).

A rule is a pure function `(http_status, body) -> (received, documented) | None`, so it can be tested without a
server; a rule may add one for the events of a `text/event-stream` answer. The registered check applies the rules of
its name that the campaign's vendor profile lists, to the decoded body, and raises an `EnvelopeViolation` naming what
was received and what the contract documents. Problem details (RFC 9457) are a framework's or proxy's envelope,
never a vendor's: they are left to the content-type and schema checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import schemathesis

from conformance.answers import EVENT_STREAM, PROBLEM_JSON, Event, decode_body, parse_events
from conformance.context import context_for
from conformance.violations import EnvelopeViolation

if TYPE_CHECKING:
    from schemathesis import Case, CheckContext, Response

__all__ = ["EnvelopeRule", "Problem", "code_equals_status", "judge_envelope", "register"]

Problem = tuple[str, str]
"""(received, documented)."""
Rule = Callable[[int, Any], "Problem | None"]
StreamRule = Callable[[int, list[Event]], "Problem | None"]


@dataclass(frozen=True)
class EnvelopeRule:
    """One vendor envelope check: its name, what it asserts, and its rules for bodies and for stream events."""

    check: str
    description: str
    rule: Rule
    stream: StreamRule | None = None
    """The rule for the events of a `text/event-stream` answer; without one such answers are not judged."""

    def problem(self, status: int, media: str, body: Any) -> Problem | None:
        """What is wrong with an answer's decoded body (not problem details), if anything."""
        if media == EVENT_STREAM and isinstance(body, str):
            return self.stream(status, parse_events(body)) if self.stream is not None else None
        return self.rule(status, body)


def code_equals_status(status: int, body: Any) -> Problem | None:
    """An error envelope's numeric `code` is the HTTP status (Aisera, Alvaria)."""
    if status >= 400 and isinstance(body, dict) and isinstance(body.get("code"), int) and body["code"] != status:
        return f"HTTP {status} with body code {body['code']}", f"`code` equal to the HTTP status ({status})"
    return None


def judge_envelope(case: Case[Any], response: Response, check: str) -> bool | None:
    """Apply the campaign's rules named `check` to an answer (True: not applicable here)."""
    context = context_for(case)
    rules = [rule for rule in context.vendor.envelopes if rule.check == check] if context and context.vendor else []
    media, body = decode_body(response)
    if not rules or media == PROBLEM_JSON:
        return True
    for rule in rules:
        problem = rule.problem(response.status_code, media, body)
        if problem is not None:
            raise EnvelopeViolation(operation=case.operation.label, received=problem[0], documented=problem[1])
    return None


_REGISTERED: set[str] = set()


def register(rule: EnvelopeRule) -> None:
    """Register the check a rule names with Schemathesis (once per name: vendors may share a check)."""
    if rule.check in _REGISTERED:
        return

    def check(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
        return judge_envelope(case, response, rule.check)

    check.__name__ = check.__qualname__ = rule.check
    check.__doc__ = rule.description
    schemathesis.check(check)
    _REGISTERED.add(rule.check)
