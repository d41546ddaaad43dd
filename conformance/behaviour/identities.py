"""What one identity may see: fields documented for some roles only (`x-visible-to`), and resources documented as
their owner's (`x-owner-only`).

Both checks replay a successful request of the profile's main identity (SysAid: the administrator) as each other
configured identity (SysAid: the ordinary user), once per operation:
- `role_dependent_fields`: the other identity's successful answer carries none of the fields its role may not see;
- `identity_isolation`: a read (safe method) of the main identity's resource is refused to the other identity, with
  a documented status or the in-band refusal the extension names. Writes are not replayed: against a live system a
  missing check would change the owner's data.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import schemathesis

from conformance.answers import decode_body
from conformance.auth.base import AuthProfile
from conformance.behaviour.extensions import OwnerOnly, Visibility, visibility_rules
from conformance.behaviour.target import Target, target, violated
from conformance.probes import as_identity, send_probe
from conformance.safety import SAFE_METHODS

if TYPE_CHECKING:
    from schemathesis import Case, CheckContext, Response

__all__ = ["REPLAYS", "hidden_fields_present", "is_refusal"]

REPLAYS = 3


def _values(body: Any, path: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
    """(`messages[0].info`, value) for every value present at `path`; `*` walks array elements."""

    def walk(node: Any, rest: tuple[str, ...], where: str) -> Iterator[tuple[str, Any]]:
        if not rest:
            yield where, node
            return
        head, tail = rest[0], rest[1:]
        if head == "*" and isinstance(node, list):
            for index, item in enumerate(node):
                yield from walk(item, tail, f"{where}[{index}]")
        elif isinstance(node, Mapping) and head in node:
            yield from walk(node[head], tail, f"{where}.{head}" if where else head)

    yield from walk(body, path, "")


def hidden_fields_present(rules: tuple[Visibility, ...], identity: str, body: Any) -> list[tuple[str, Visibility]]:
    """The role-restricted fields an answer to `identity` carries although its role may not see them."""
    return [(where, rule) for rule in rules if identity not in rule.roles for where, _ in _values(body, rule.path)]


def is_refusal(status: int, body: Any, refusal: Mapping[str, Any]) -> bool:
    """Whether an answer is the refusal `x-owner-only` documents (a status, or an in-band field value)."""
    if status in {int(s) for s in refusal.get("statuses", ())}:
        return True
    in_band = refusal.get("in-band") or {}
    return isinstance(body, Mapping) and bool(in_band) and body.get(in_band.get("field")) == in_band.get("value")


def _main_identity(found: Target, case: Case[Any]) -> AuthProfile | None:
    """The profile, when `case` went out as its main identity with its credentials."""
    profile = found.context.profile
    if profile is None or not profile.identities or case.id not in found.context.authenticated:
        return None
    return profile if profile.identity == profile.identities[0] else None


def _replay_budget(found: Target, seen: dict[str, int]) -> bool:
    """At most `REPLAYS` replays per operation (an in-band refusal of the replay proves nothing either way)."""
    with found.context.lock:
        if seen.get(found.operation.label, 0) >= REPLAYS:
            return False
        seen[found.operation.label] = seen.get(found.operation.label, 0) + 1
        return True


@schemathesis.check
def role_dependent_fields(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """Fields documented for some roles only never reach another role."""
    found = target(case, response)
    rules = visibility_rules(found.context.contract, found.operation) if found is not None else ()
    profile = _main_identity(found, case) if found is not None and rules else None
    # Only an answer that carries a restricted field shows the operation answers with it: replay that one.
    if found is None or profile is None or not hidden_fields_present(rules, "", found.body):
        return True
    if not _replay_budget(found, found.context.role_replays):
        return True
    for identity in profile.other_identities():
        probe = as_identity(case, profile, found.operation, identity)
        answer = send_probe(ctx, case, probe)
        if not 200 <= answer.status_code < 300:
            continue
        present = hidden_fields_present(rules, identity, decode_body(answer)[1])
        if present:
            where, rule = present[0]
            raise violated(
                found.operation,
                f"`{where}` in the answer to {identity} ({len(present)} field(s) its role may not see)",
                f"`{rule.path[-1]}` only for {', '.join(rule.roles)}",
                rule.statement,
                case_id=probe.id,
            )
    return None


@schemathesis.check
def identity_isolation(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """A resource the main identity reads is refused to every other identity."""
    found = target(case, response)
    owner_only = OwnerOnly.of(found.operation) if found is not None else None
    if found is None or owner_only is None or found.operation.method.upper() not in SAFE_METHODS:
        return True
    profile = _main_identity(found, case)
    if profile is None or is_refusal(response.status_code, found.body, owner_only.refusal):
        return True
    if not found.context.first_time(found.context.isolated, found.operation.label):
        return True
    for identity in profile.other_identities():
        probe = as_identity(case, profile, found.operation, identity)
        answer = send_probe(ctx, case, probe)
        media, body = decode_body(answer)
        if not is_refusal(answer.status_code, body, owner_only.refusal):
            excerpt = answer.content[:160].decode("utf-8", errors="replace")
            raise violated(
                found.operation,
                f"HTTP {answer.status_code} {media}: {excerpt} for {identity}, reading {profile.identity}'s resource",
                f"a refusal for anyone but the owner ({owner_only.describe_refusal()})",
                owner_only.statement,
                case_id=probe.id,
            )
    return None
