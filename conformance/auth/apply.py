"""Putting a profile's credentials on Schemathesis cases, and registering the profile with a schema."""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from typing import TYPE_CHECKING, Any

from conformance.auth.base import AuthProfile, is_valid
from conformance.contracts import parameter_schema
from conformance.errors import CredentialEndpointBroken
from contracts import Contract, Operation

if TYPE_CHECKING:
    from schemathesis import AuthContext, BaseSchema, Case

__all__ = ["apply_credentials", "apply_identity_bindings", "install", "read_slot", "write_slot"]

# Seconds Schemathesis keeps the profile before asking again; every re-ask also drops cached tokens.
REFRESH_INTERVAL = 300
PARAMETER_LOCATIONS = ("path", "query", "header", "cookie")
_MISSING = object()


def _container(case: Case[Any], location: str) -> Any:
    return {
        "path": case.path_parameters,
        "query": case.query,
        "header": case.headers,
        "cookie": case.cookies,
        "body": case.body,
    }[location]


def read_slot(case: Case[Any], location: str, name: str) -> Any:
    """The value a case carries at `location`/`name`, or a sentinel when absent."""
    container = _container(case, location)
    if isinstance(container, MutableMapping):
        return container.get(name, _MISSING)
    return _MISSING


def write_slot(case: Case[Any], location: str, name: str, value: Any) -> None:
    """Set (or, with value None, remove) a parameter, header, cookie or body field of a case."""
    container = _container(case, location)
    if container is None and location != "body":
        container = {}
        setattr(case, {"path": "path_parameters", "query": "query", "cookie": "cookies"}[location], container)
    if not isinstance(container, MutableMapping):
        return
    if value is None:
        container.pop(name, None)
    else:
        container[name] = value


def _binding_candidates(contract: Contract, operation: Operation) -> Iterator[tuple[str, str]]:
    for parameter in operation.parameters:
        if parameter.location in PARAMETER_LOCATIONS:
            yield parameter.location, parameter.name
    for media in operation.request_body.content.values() if operation.request_body is not None else ():
        schema = contract.resolve(media.schema or {})
        yield from (("body", str(name)) for name in schema.get("properties") or {})


def apply_identity_bindings(profile: AuthProfile, operation: Operation, case: Case[Any]) -> set[tuple[str, str]]:
    """Replace generated identity values (org, session, channel token) with the client's real ones.

    Only a value that is valid for its schema is replaced, by another valid value: an invalid value was
    put there on purpose by a negative case, and replacing it would turn that case into a valid request. A
    required parameter missing from a positive case is added.
    """
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    required = {(p.location, p.name) for p in operation.parameters if p.required}
    written: set[tuple[str, str]] = set()
    for location, name in dict.fromkeys(_binding_candidates(profile.contract, operation)):
        current = read_slot(case, location, name)
        if current is _MISSING:
            # Schemathesis sometimes builds a positive case without a required header; a real client sends it.
            if not (positive and (location, name) in required):
                continue
        elif not is_valid(parameter_schema(profile.contract, operation, location, name), current):
            continue
        value = profile.binding(operation, location, name)
        if value is not None:
            write_slot(case, location, name, value)
            written.add((location, name))
    return written


def apply_credentials(profile: AuthProfile, operation: Operation, case: Case[Any]) -> bool:
    """Put the credentials of the first satisfiable security requirement on `case` (and the identity bindings).

    True when the case now carries the profile's credentials: a security requirement, or a credential that travels
    in the body (Aisera's channel token).
    """
    requirement = profile.requirement_for(operation)
    if requirement:
        for slot, raw in profile.slots(requirement):
            write_slot(case, slot.location, slot.name, slot.encode(raw))
    written = apply_identity_bindings(profile, operation, case)
    return bool(requirement) or any(("body", name) in written for name in profile.body_slots(operation))


def install(
    schema: BaseSchema,
    profile: AuthProfile,
    on_applied: Callable[[str], None] = lambda case_id: None,
    on_broken: Callable[[CredentialEndpointBroken], None] = lambda error: None,
) -> None:
    """Register `profile` as the schema's auth provider, refreshed after a 401 or every few minutes.

    `on_applied` receives the id of each case that got the profile's credentials; `on_broken` the violation of an
    issuing endpoint that broke during the run (the case then goes out without the credential it could not get).
    """
    by_label = profile.contract.by_label
    fetched: list[bool] = []

    class VendorAuth:
        """Schemathesis auth provider backed by the vendor profile."""

        def get(self, case: Case[Any], context: AuthContext) -> AuthProfile:
            # Schemathesis only asks again when its cache expired or a 401 invalidated it.
            if fetched:
                profile.invalidate()
            fetched.append(True)
            return profile

        def set(self, case: Case[Any], data: AuthProfile, context: AuthContext) -> None:
            operation = by_label.get(case.operation.label)
            if operation is None:
                return
            try:
                if apply_credentials(data, operation, case):
                    on_applied(case.id)
            except CredentialEndpointBroken as exc:
                on_broken(exc)

    schema.auth.auth(refresh_interval=REFRESH_INTERVAL, retry_on=[401])(VendorAuth)
