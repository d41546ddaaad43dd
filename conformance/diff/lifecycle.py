"""Deprecation, sunset dates and stability levels, oasdiff's way, for operations, parameters and properties.

A resource is deprecated with `deprecated: true` and may announce the date it goes with `x-sunset` (an RFC 3339
date or date-time); `x-stability-level` is draft, alpha, beta or stable (the default). Removing a deprecated resource
before its sunset date breaks clients promised it until then, and so do moving the date earlier and deleting it
while the resource stays deprecated. With a grace period (`deprecation_days_*`, 0 by default as in oasdiff) a
deprecation must carry a sunset date at least that many days away. Operations at draft or alpha are not checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

__all__ = ["STABILITY_LEVELS", "Event", "Lifecycle", "Policy", "changes", "event_ids", "removal"]

STABILITY_LEVELS = ("draft", "alpha", "beta", "stable")
UNCHECKED_LEVELS = frozenset({"draft", "alpha"})


class Event(StrEnum):
    """What happened to a resource's lifecycle between two versions."""

    DEPRECATED = "deprecated"
    DEPRECATED_WITH_SUNSET = "deprecated-with-sunset"
    SUNSET_MISSING = "sunset-missing"
    SUNSET_INVALID = "sunset-invalid"
    SUNSET_TOO_SOON = "sunset-too-soon"
    REACTIVATED = "reactivated"
    SUNSET_DELETED = "sunset-deleted"
    SUNSET_EARLIER = "sunset-earlier"
    STABILITY_INVALID = "stability-invalid"
    STABILITY_DECREASED = "stability-decreased"
    STABILITY_INCREASED = "stability-increased"
    REMOVED_WITHOUT_DEPRECATION = "removed-without-deprecation"
    REMOVED_WITH_DEPRECATION = "removed-with-deprecation"
    REMOVED_BEFORE_SUNSET = "removed-before-sunset"
    REMOVED_SUNSET_INVALID = "removed-sunset-invalid"


_E = Event
_IDS: Mapping[str, Mapping[Event, str]] = {
    "operation": {
        _E.DEPRECATED: "endpoint-deprecated",
        _E.DEPRECATED_WITH_SUNSET: "endpoint-deprecated-with-sunset",
        _E.SUNSET_MISSING: "api-deprecated-sunset-missing",
        _E.SUNSET_INVALID: "api-deprecated-sunset-parse",
        _E.SUNSET_TOO_SOON: "api-sunset-date-too-small",
        _E.REACTIVATED: "endpoint-reactivated",
        _E.SUNSET_DELETED: "sunset-deleted",
        _E.SUNSET_EARLIER: "api-sunset-date-changed-too-small",
        _E.STABILITY_INVALID: "api-invalid-stability-level",
        _E.STABILITY_DECREASED: "api-stability-decreased",
        _E.STABILITY_INCREASED: "api-stability-increased",
        _E.REMOVED_WITHOUT_DEPRECATION: "api-removed-without-deprecation",
        _E.REMOVED_WITH_DEPRECATION: "api-removed-with-deprecation",
        _E.REMOVED_BEFORE_SUNSET: "api-removed-before-sunset",
        _E.REMOVED_SUNSET_INVALID: "api-path-sunset-parse",
    },
    "path": {
        _E.REMOVED_WITHOUT_DEPRECATION: "api-path-removed-without-deprecation",
        _E.REMOVED_WITH_DEPRECATION: "api-path-removed-with-deprecation",
        _E.REMOVED_BEFORE_SUNSET: "api-path-removed-before-sunset",
        _E.REMOVED_SUNSET_INVALID: "api-path-sunset-parse",
    },
    "parameter": {
        _E.DEPRECATED: "request-parameter-deprecated",
        _E.DEPRECATED_WITH_SUNSET: "request-parameter-deprecated",
        _E.SUNSET_MISSING: "request-parameter-deprecated-sunset-missing",
        _E.SUNSET_INVALID: "request-parameter-sunset-parse",
        _E.SUNSET_TOO_SOON: "request-parameter-sunset-date-too-small",
        _E.REACTIVATED: "request-parameter-reactivated",
        _E.SUNSET_DELETED: "request-parameter-sunset-deleted",
        _E.SUNSET_EARLIER: "request-parameter-sunset-date-changed-too-small",
        _E.REMOVED_WITHOUT_DEPRECATION: "request-parameter-removed",
        _E.REMOVED_WITH_DEPRECATION: "request-parameter-removed-with-deprecation",
        _E.REMOVED_BEFORE_SUNSET: "request-parameter-removed-before-sunset",
        _E.REMOVED_SUNSET_INVALID: "request-parameter-sunset-parse",
    },
    **{
        f"{direction}-property": {
            _E.DEPRECATED: f"{direction}-property-deprecated",
            _E.DEPRECATED_WITH_SUNSET: f"{direction}-property-deprecated-with-sunset",
            _E.SUNSET_MISSING: f"{direction}-property-deprecated-sunset-missing",
            _E.SUNSET_INVALID: f"{direction}-property-deprecated-sunset-invalid",
            _E.SUNSET_TOO_SOON: f"{direction}-property-sunset-date-too-small",
            _E.REACTIVATED: f"{direction}-property-reactivated",
            _E.STABILITY_DECREASED: f"{direction}-property-stability-decreased",
            _E.STABILITY_INCREASED: f"{direction}-property-stability-increased",
        }
        for direction in ("request", "response")
    },
}


def event_ids(scope: str) -> Mapping[Event, str]:
    """The rule id of each event for a scope: operation, path, parameter, request-property, response-property."""
    return _IDS[scope]


@dataclass(frozen=True)
class Policy:
    """The date to judge sunset dates by, and the grace periods; 0 days means a sunset date is optional."""

    today: date
    deprecation_days_beta: int = 0
    deprecation_days_stable: int = 0

    def grace_days(self, stability: str) -> int:
        """Days a deprecation must announce for a resource at `stability`."""
        if stability == "beta":
            return self.deprecation_days_beta
        return self.deprecation_days_stable if stability == "stable" else 0


@dataclass(frozen=True)
class Lifecycle:
    """The lifecycle marks of one resource, as written: `deprecated`, `x-sunset`, `x-stability-level`."""

    deprecated: bool = False
    sunset: Any = None
    stability: Any = None

    @classmethod
    def of(cls, node: Mapping[str, Any]) -> Lifecycle:
        """The marks of an operation, parameter or schema object."""
        return cls(bool(node.get("deprecated", False)), node.get("x-sunset"), node.get("x-stability-level"))

    @property
    def level(self) -> str:
        """The stability level, `stable` when none is written (an invalid value is returned as written)."""
        return "stable" if self.stability is None else str(self.stability)

    @property
    def unchecked(self) -> bool:
        """Whether oasdiff leaves changes at this level unchecked (draft and alpha)."""
        return self.level in UNCHECKED_LEVELS


def sunset_date(raw: Any) -> date:
    """An `x-sunset` value as a date; ValueError when it is neither a date nor a date-time."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw).strip()
    try:
        return date.fromisoformat(text[:10]) if len(text) > 10 else date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not an RFC 3339 date") from None


def changes(old: Lifecycle, new: Lifecycle, policy: Policy) -> list[tuple[Event, str]]:
    """What changed in the lifecycle of a resource present in both versions, with a sentence each."""
    found = _stability(old, new)
    if not old.deprecated and new.deprecated:
        found.append(_deprecation(new, policy))
    elif old.deprecated and not new.deprecated:
        found.append((Event.REACTIVATED, "is no longer deprecated"))
    elif new.deprecated and old.sunset is not None and new.sunset != old.sunset:
        found += _sunset_moved(old, new, policy)
    return found


def removal(old: Lifecycle, policy: Policy) -> tuple[Event, str]:
    """How a resource present only in the old version went: without, with or before its deprecation's end."""
    if not old.deprecated:
        return Event.REMOVED_WITHOUT_DEPRECATION, "without being deprecated first"
    if old.sunset is None:
        return Event.REMOVED_WITH_DEPRECATION, "after being deprecated"
    try:
        sunset = sunset_date(old.sunset)
    except ValueError as error:
        return Event.REMOVED_SUNSET_INVALID, f"while deprecated with an unreadable sunset date: {error}"
    if policy.today < sunset:
        return Event.REMOVED_BEFORE_SUNSET, f"before its sunset date {sunset} (today is {policy.today})"
    return Event.REMOVED_WITH_DEPRECATION, f"after being deprecated and after its sunset date {sunset}"


def _stability(old: Lifecycle, new: Lifecycle) -> list[tuple[Event, str]]:
    if old.stability == new.stability:
        return []
    if new.level not in STABILITY_LEVELS:
        choices = ", ".join(STABILITY_LEVELS)
        return [(Event.STABILITY_INVALID, f"has the x-stability-level {new.stability!r}; use one of {choices}")]
    if old.level not in STABILITY_LEVELS or old.level == new.level:
        return []
    lower = STABILITY_LEVELS.index(new.level) < STABILITY_LEVELS.index(old.level)
    event = Event.STABILITY_DECREASED if lower else Event.STABILITY_INCREASED
    verb = "lowered" if lower else "raised"
    return [(event, f"{verb} its stability level from {old.level} to {new.level}")]


def _deprecation(new: Lifecycle, policy: Policy) -> tuple[Event, str]:
    days = policy.grace_days(new.level)
    if new.sunset is None:
        if days > 0:
            return Event.SUNSET_MISSING, f"was deprecated without an x-sunset date ({days} days' notice required)"
        return Event.DEPRECATED, "was deprecated"
    try:
        sunset = sunset_date(new.sunset)
    except ValueError as error:
        return Event.SUNSET_INVALID, f"was deprecated with an unreadable sunset date: {error}"
    if (sunset - policy.today).days < days:
        return Event.SUNSET_TOO_SOON, f"was deprecated with the sunset date {sunset}, less than {days} days away"
    return Event.DEPRECATED_WITH_SUNSET, f"was deprecated with the sunset date {sunset}"


def _sunset_moved(old: Lifecycle, new: Lifecycle, policy: Policy) -> list[tuple[Event, str]]:
    if new.sunset is None:
        return [(Event.SUNSET_DELETED, f"lost its sunset date {old.sunset} while still deprecated")]
    try:
        after = sunset_date(new.sunset)
    except ValueError as error:
        return [(Event.SUNSET_INVALID, f"has an unreadable sunset date: {error}")]
    try:
        before = sunset_date(old.sunset)
    except ValueError:
        return []
    days = policy.grace_days(new.level)
    if after < before or (days > 0 and (after - policy.today).days < days):
        return [(Event.SUNSET_EARLIER, f"sunset date moved from {before} to {after}")]
    return []
