"""The comparisons: one function per part of an operation, and `diff_documents` that runs them all.

Operations are matched by method and path with path variables blanked, so renaming `{id}` to `{itemId}` is
not a removal. Schemas are compared after normalization (see `normalize`), so a refactor (moved component,
`$ref` versus inline, `allOf` split or merged, reordering) reports nothing. Operations at stability draft or alpha
(in the old version) are not checked, as in oasdiff. The rule ids, their levels and the oasdiff rule each maps to
are listed in `catalog`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from conformance.diff.catalog import RULES
from conformance.diff.findings import DriftFinding
from conformance.diff.lifecycle import Event, Policy, changes, event_ids, removal
from conformance.diff.operations import Operation, Requirement, index_operations
from conformance.diff.schema_rules import Direction, Emit, Site, compare_schemas

__all__ = [
    "check_lifecycle",
    "check_metadata",
    "check_operations",
    "check_parameters",
    "check_request_body",
    "check_responses",
    "check_security",
    "diff_documents",
]

_TEMPLATE_VARIABLE = re.compile(r"\{[^}/]*\}")


class _Collector:
    """Collects findings of one contract, one operation at a time, without duplicates."""

    def __init__(self, contract: str) -> None:
        self.contract = contract
        self.findings: set[DriftFinding] = set()

    def at(self, operation: Operation) -> Emit:
        """An `Emit` that files findings under `operation`."""

        def emit(rule_id: str, message: str, site: str = "") -> None:
            level = RULES[rule_id].level
            finding = DriftFinding(rule_id, level, operation.method, operation.path, message, self.contract, site)
            self.findings.add(finding)

        return emit


def diff_documents(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    contract: str = "",
    sources: tuple[str, str] = ("old", "new"),
    policy: Policy | None = None,
) -> list[DriftFinding]:
    """Every catalogued change from `old` to `new`, sorted for reports; sunset dates are judged by `policy`
    (default: today's date, no grace period)."""
    policy = policy or Policy(today=date.today())
    old_operations = index_operations(old, sources[0])
    new_operations = index_operations(new, sources[1])
    collector = _Collector(contract)
    check_operations(old_operations, new_operations, collector.at, policy)
    for key in sorted(old_operations.keys() & new_operations.keys()):
        before, after = old_operations[key], new_operations[key]
        emit = collector.at(after)
        check_lifecycle(before, after, emit, policy)
        if before.lifecycle.unchecked:
            continue
        check_metadata(before, after, emit)
        check_parameters(before, after, emit, policy)
        check_request_body(before, after, emit, policy)
        check_responses(before, after, emit, policy)
        check_security(before, after, emit)
    return sorted(collector.findings, key=DriftFinding.sort_key)


def check_operations(
    old: Mapping[str, Operation],
    new: Mapping[str, Operation],
    report: Callable[[Operation], Emit],
    policy: Policy,
) -> None:
    """Operations and paths removed (breaking unless deprecated, and past their sunset date) and operations added."""
    new_paths = {_TEMPLATE_VARIABLE.sub("{}", operation.path) for operation in new.values()}
    for key in sorted(old.keys() - new.keys()):
        operation = old[key]
        if operation.lifecycle.unchecked:
            continue
        path_gone = _TEMPLATE_VARIABLE.sub("{}", operation.path) not in new_paths
        event, how = removal(operation.lifecycle, policy)
        what = f"path {operation.path} was removed" if path_gone else "the operation was removed"
        report(operation)(event_ids("path" if path_gone else "operation")[event], f"{what} {how}")
    for key in sorted(new.keys() - old.keys()):
        report(new[key])("endpoint-added", "the operation was added")


def check_lifecycle(old: Operation, new: Operation, emit: Emit, policy: Policy) -> None:
    """Deprecation, sunset date and stability level of an operation in both versions (nothing between two unchecked
    levels, only the stability change when the old level was unchecked)."""
    if old.lifecycle.unchecked and new.lifecycle.unchecked:
        return
    ids = event_ids("operation")
    for event, text in changes(old.lifecycle, new.lifecycle, policy):
        if event in ids and (not old.lifecycle.unchecked or event in _STABILITY_EVENTS):
            emit(ids[event], f"the operation {text}")


_STABILITY_EVENTS = frozenset({Event.STABILITY_INVALID, Event.STABILITY_DECREASED, Event.STABILITY_INCREASED})


def check_metadata(old: Operation, new: Operation, emit: Emit) -> None:
    """operationId and tags: nothing a client sends or receives, but what a changelog reports."""
    if old.operation_id != new.operation_id:
        if old.operation_id is None:
            emit("api-operation-id-added", f"the operationId {new.operation_id} was added")
        else:
            replacement = f"replaced with {new.operation_id}" if new.operation_id else "not replaced"
            emit("api-operation-id-removed", f"the operationId {old.operation_id} was removed and {replacement}")
    for tag in sorted(set(old.tags) - set(new.tags)):
        emit("api-tag-removed", f"the tag {tag!r} was removed")
    for tag in sorted(set(new.tags) - set(old.tags)):
        emit("api-tag-added", f"the tag {tag!r} was added")


def check_parameters(old: Operation, new: Operation, emit: Emit, policy: Policy) -> None:
    """Parameters added, removed (after deprecation and sunset or not), made required or optional, their schemas."""
    ids = event_ids("parameter")
    for key in sorted(old.parameters.keys() - new.parameters.keys()):
        parameter = old.parameters[key]
        event, how = removal(parameter.lifecycle, policy)
        emit(ids[event], f"the {parameter.location} parameter '{parameter.name}' was removed {how}")
    for key in sorted(new.parameters.keys() - old.parameters.keys()):
        parameter = new.parameters[key]
        kind = "required" if parameter.required else "optional"
        emit(f"new-{kind}-request-parameter", f"the {kind} {parameter.location} parameter '{parameter.name}' was added")
    for key in sorted(old.parameters.keys() & new.parameters.keys()):
        before, after = old.parameters[key], new.parameters[key]
        label = f"{after.location} parameter '{after.name}'"
        if before.required != after.required:
            state = "required" if after.required else "optional"
            emit(f"request-parameter-became-{state}", f"the {label} became {state}")
        for event, text in changes(before.lifecycle, after.lifecycle, policy):
            if event in ids:
                emit(ids[event], f"the {label} {text}")
        compare_schemas(before.schema, after.schema, Site(Direction.REQUEST, parameter=f"the {label}"), emit, policy)


def check_request_body(old: Operation, new: Operation, emit: Emit, policy: Policy) -> None:
    """Request body added, removed, made required; media types; the schema of each media type kept."""
    before, after = old.request_body, new.request_body
    if before is None or after is None:
        if after is not None:
            kind = "required" if after.required else "optional"
            emit(f"request-body-added-{kind}", f"a {kind} request body was added")
        elif before is not None:
            emit("request-body-removed", "the request body was removed")
        return
    if before.required != after.required:
        state = "required" if after.required else "optional"
        emit(f"request-body-became-{state}", f"the request body became {state}")
    for media_type in sorted(before.content.keys() - after.content.keys()):
        emit("request-body-media-type-removed", f"the request media type {media_type} is no longer accepted")
    for media_type in sorted(after.content.keys() - before.content.keys()):
        emit("request-body-media-type-added", f"the request media type {media_type} was added")
    for media_type in sorted(before.content.keys() & after.content.keys()):
        site = Site(Direction.REQUEST, where=f"request body {media_type}")
        compare_schemas(before.content[media_type], after.content[media_type], site, emit, policy)


def check_responses(old: Operation, new: Operation, emit: Emit, policy: Policy) -> None:
    """Statuses, media types, headers (and their schemas) and body schemas of the responses."""
    for status in sorted(old.responses.keys() - new.responses.keys()):
        kind = "success" if status.startswith("2") else "non-success"
        emit(f"response-{kind}-status-removed", f"the {kind} response {status} was removed")
    for status in sorted(new.responses.keys() - old.responses.keys()):
        kind = "success" if status.startswith("2") else "non-success"
        emit(f"response-{kind}-status-added", f"the {kind} response {status} was added")
    for status in sorted(old.responses.keys() & new.responses.keys()):
        before, after = old.responses[status], new.responses[status]
        for media_type in sorted(before.body.content.keys() - after.body.content.keys()):
            emit("response-media-type-removed", f"the response {status} no longer has the media type {media_type}")
        for media_type in sorted(after.body.content.keys() - before.body.content.keys()):
            emit("response-media-type-added", f"the response {status} gained the media type {media_type}")
        for media_type in sorted(before.body.content.keys() & after.body.content.keys()):
            site = Site(Direction.RESPONSE, where=f"response {status} {media_type}")
            compare_schemas(before.body.content[media_type], after.body.content[media_type], site, emit, policy)
        for key in sorted(before.headers.keys() - after.headers.keys()):
            header = before.headers[key]
            kind = "required" if header.required else "optional"
            emit(
                f"{kind}-response-header-removed", f"the {kind} header {header.name} was removed", f"response {status}"
            )
        for key in sorted(after.headers.keys() - before.headers.keys()):
            emit("response-header-added", f"the header {after.headers[key].name} was added", f"response {status}")
        for key in sorted(before.headers.keys() & after.headers.keys()):
            name = after.headers[key].name
            if before.headers[key].required and not after.headers[key].required:
                emit("response-header-became-optional", f"the header {name} became optional", f"response {status}")
            site = Site(Direction.RESPONSE, where=f"response {status}", header=name)
            compare_schemas(before.headers[key].schema, after.headers[key].schema, site, emit, policy)


def check_security(old: Operation, new: Operation, emit: Emit) -> None:
    """Security requirements: compared by what a client must send, so renaming a scheme changes nothing."""
    before, after = old.security, new.security
    if (before.alternatives, before.anonymous) == (after.alternatives, after.anonymous) or after.anonymous:
        return
    if before.anonymous:
        ways = " or ".join(sorted(after.describe(requirement) for requirement in after.alternatives))
        emit("api-security-became-required", f"the operation now requires credentials: {ways}")
        return
    old_by_schemes = {_schemes(requirement): requirement for requirement in before.alternatives}
    new_by_schemes = {_schemes(requirement): requirement for requirement in after.alternatives}
    for schemes in sorted(old_by_schemes.keys() - new_by_schemes.keys(), key=sorted):
        emit("api-security-removed", f"the security requirement {before.describe(old_by_schemes[schemes])} was removed")
    for schemes in sorted(new_by_schemes.keys() - old_by_schemes.keys(), key=sorted):
        emit("api-security-added", f"the security requirement {after.describe(new_by_schemes[schemes])} was added")
    for schemes in sorted(old_by_schemes.keys() & new_by_schemes.keys(), key=sorted):
        old_scopes = dict(old_by_schemes[schemes])
        new_scopes = dict(new_by_schemes[schemes])
        for scheme in sorted(schemes):
            name = after.names.get(scheme, scheme)
            for scope in sorted(new_scopes[scheme] - old_scopes[scheme]):
                emit("api-security-scope-added", f"the security scheme {name} now also needs the scope {scope!r}")
            for scope in sorted(old_scopes[scheme] - new_scopes[scheme]):
                emit("api-security-scope-removed", f"the security scheme {name} no longer needs the scope {scope!r}")


def _schemes(requirement: Requirement) -> frozenset[str]:
    return frozenset(scheme for scheme, _ in requirement)
