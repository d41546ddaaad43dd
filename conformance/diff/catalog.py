"""The rules of the drift gate: our id, level and meaning, and the oasdiff rule each corresponds to.

Ids are oasdiff's wherever oasdiff has the rule, so a finding can be looked up in either tool. A rule is attributed to
oasdiff only when its id (or the `oasdiff=` id given) is in the pinned oasdiff list (`oasdiff`), and its oasdiff
level is read from that list, never written here. Where our level differs, or oasdiff has no such rule, the reason
says why; `rule_table` renders all of it into docs/drift-gate.md and a test keeps that page equal to this module.
Every id is written out in full, so that one seen in a report can be found here with grep.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from conformance.diff.families import Family, family_of
from conformance.diff.findings import Level
from conformance.diff.oasdiff import OASDIFF_RULES

__all__ = ["RULES", "Rule"]

ERR, WARN, INFO = Level.ERR, Level.WARN, Level.INFO


@dataclass(frozen=True)
class Rule:
    """One kind of change: its id, level and meaning, the oasdiff rule it is, and why it differs if it does."""

    rule_id: str
    level: Level
    meaning: str
    oasdiff_id: str | None
    reason: str = ""

    @property
    def family(self) -> Family:
        """The kind of change (see `families`)."""
        return family_of(self.rule_id)

    @property
    def oasdiff_level(self) -> Level | None:
        """oasdiff's default level for the rule, from the pinned list; None when oasdiff has no such rule."""
        return OASDIFF_RULES.get(self.oasdiff_id) if self.oasdiff_id else None


def _rule(rule_id: str, level: Level, meaning: str, reason: str = "", *, oasdiff: str | None = None) -> Rule:
    oasdiff_id = oasdiff or (rule_id if rule_id in OASDIFF_RULES else None)
    return Rule(rule_id, level, meaning, oasdiff_id, reason)


# Why a level or an id differs from oasdiff's.
_WIDER = "a client breaks only if it relied on the old bound"
_SET = "a new bound refuses values that used to be valid, as lowering one does"
_MAX_ITEMS = "the pinned oasdiff list checks maxItems on parameters only"
_HEADER = "the pinned oasdiff list has no response-header schema rules (later oasdiff releases add this id)"
_HEADER_ENUM = "the pinned oasdiff list has no response-header schema rules; the same change in a body is WARN"
_SECURITY = "a client using the removed alternative is refused"
_SCOPE = "a token issued without the new scope is refused"
_BECAME_REQUIRED = "oasdiff files this as an added alternative; a caller without credentials is refused"
_BODY_ENUM = "a value clients used to send is refused, as for properties and parameters (oasdiff files it as optional)"
_PATTERN_CHANGED = "the new pattern may admit values the old one excluded"
_PATTERN_REMOVED = "values the old pattern excluded may now be sent"
_ANY_OF = "a response may now take a shape clients were never told about, as with oneOf"
_NOT_READ_ONLY = "clients never sent the read-only property and now must"
_WRITE_ONLY = "clients read it and it is no longer returned, as if removed"

_CATALOG: tuple[Rule, ...] = (
    # Operations
    _rule("api-path-removed-without-deprecation", ERR, "a path and its operations were removed without deprecation"),
    _rule("api-path-removed-with-deprecation", INFO, "a path was removed after its operations were deprecated"),
    _rule("api-removed-without-deprecation", ERR, "an operation was removed without deprecation"),
    _rule("api-removed-with-deprecation", INFO, "an operation was removed after being deprecated"),
    _rule("endpoint-added", INFO, "an operation was added"),
    # Lifecycle: deprecation, sunset, stability
    _rule("api-path-removed-before-sunset", ERR, "a path was removed before the sunset date of its operations"),
    _rule("api-removed-before-sunset", ERR, "a deprecated operation was removed before its sunset date"),
    _rule("api-path-sunset-parse", ERR, "a removed deprecated operation has a sunset date that is not a date"),
    _rule("endpoint-deprecated", INFO, "an operation was deprecated"),
    _rule("endpoint-deprecated-with-sunset", INFO, "an operation was deprecated with a sunset date"),
    _rule("endpoint-reactivated", INFO, "a deprecated operation is no longer deprecated"),
    _rule("api-deprecated-sunset-missing", ERR, "an operation was deprecated without a sunset date"),
    _rule("api-deprecated-sunset-parse", ERR, "an operation was deprecated with a sunset date that is not a date"),
    _rule("api-sunset-date-too-small", ERR, "an operation's sunset date is too close"),
    _rule("sunset-deleted", ERR, "a deprecated operation lost its sunset date"),
    _rule("api-sunset-date-changed-too-small", ERR, "an operation's sunset date moved earlier"),
    _rule("api-invalid-stability-level", ERR, "x-stability-level is not draft, alpha, beta or stable"),
    _rule("api-stability-decreased", ERR, "an operation's stability level decreased"),
    _rule("api-stability-increased", INFO, "an operation's stability level increased"),
    _rule("request-parameter-deprecated", INFO, "a parameter was deprecated"),
    _rule("request-parameter-reactivated", INFO, "a deprecated parameter is no longer deprecated"),
    _rule("request-parameter-deprecated-sunset-missing", ERR, "a parameter was deprecated without a sunset date"),
    _rule("request-parameter-sunset-date-too-small", ERR, "a parameter's sunset date is too close"),
    _rule("request-parameter-sunset-deleted", ERR, "a deprecated parameter lost its sunset date"),
    _rule("request-parameter-sunset-date-changed-too-small", ERR, "a parameter's sunset date moved earlier"),
    _rule("request-parameter-removed-before-sunset", ERR, "a deprecated parameter was removed before its sunset date"),
    _rule("request-parameter-sunset-parse", ERR, "a deprecated parameter has a sunset date that is not a date"),
    _rule("request-property-deprecated", INFO, "a request property was deprecated"),
    _rule("request-property-deprecated-with-sunset", INFO, "a request property was deprecated with a sunset date"),
    _rule("request-property-deprecated-sunset-missing", ERR, "a request property was deprecated without a sunset date"),
    _rule("request-property-deprecated-sunset-invalid", ERR, "a request property's sunset date is not a date"),
    _rule("request-property-sunset-date-too-small", ERR, "a request property's sunset date is too close"),
    _rule("request-property-reactivated", INFO, "a deprecated request property is no longer deprecated"),
    _rule("request-property-stability-decreased", ERR, "a request property's stability level decreased"),
    _rule("request-property-stability-increased", INFO, "a request property's stability level increased"),
    _rule("response-property-deprecated", INFO, "a response property was deprecated"),
    _rule("response-property-deprecated-with-sunset", INFO, "a response property was deprecated with a sunset date"),
    _rule(
        "response-property-deprecated-sunset-missing", ERR, "a response property was deprecated without a sunset date"
    ),
    _rule("response-property-deprecated-sunset-invalid", ERR, "a response property's sunset date is not a date"),
    _rule("response-property-sunset-date-too-small", ERR, "a response property's sunset date is too close"),
    _rule("response-property-reactivated", INFO, "a deprecated response property is no longer deprecated"),
    _rule("response-property-stability-decreased", ERR, "a response property's stability level decreased"),
    _rule("response-property-stability-increased", INFO, "a response property's stability level increased"),
    # Existence and requiredness
    _rule("new-required-request-parameter", ERR, "a required parameter was added"),
    _rule("new-optional-request-parameter", INFO, "an optional parameter was added"),
    _rule("request-parameter-removed", WARN, "a parameter was removed; strict servers may refuse it"),
    _rule("request-parameter-removed-with-deprecation", INFO, "a parameter was removed after being deprecated"),
    _rule("request-parameter-became-required", ERR, "an optional parameter became required"),
    _rule("request-parameter-became-optional", INFO, "a required parameter became optional"),
    _rule("request-body-added-required", ERR, "a required request body was added"),
    _rule("request-body-added-optional", INFO, "an optional request body was added"),
    _rule("request-body-removed", ERR, "the request body was removed"),
    _rule("request-body-became-required", ERR, "an optional request body became required"),
    _rule("request-body-became-optional", INFO, "a required request body became optional"),
    _rule("new-required-request-property", ERR, "a required request property was added"),
    _rule("new-required-request-property-with-default", ERR, "a required request property with a default was added"),
    _rule("new-optional-request-property", INFO, "an optional request property was added"),
    _rule("request-property-removed", WARN, "a request property was removed; strict servers may refuse it"),
    _rule("request-property-became-required", ERR, "an optional request property became required"),
    _rule("request-property-became-required-with-default", ERR, "a request property with a default became required"),
    _rule("request-property-became-optional", INFO, "a required request property became optional"),
    _rule("response-required-property-removed", ERR, "a required response property was removed"),
    _rule("response-optional-property-removed", WARN, "an optional response property was removed"),
    _rule("response-required-property-added", INFO, "a required response property was added"),
    _rule("response-optional-property-added", INFO, "an optional response property was added"),
    _rule("response-property-became-optional", ERR, "a required response property became optional"),
    _rule("response-property-became-required", INFO, "an optional response property became required"),
    # Media types, statuses, response headers
    _rule("request-body-media-type-removed", ERR, "a request media type is no longer accepted"),
    _rule("request-body-media-type-added", INFO, "a request media type was added"),
    _rule("response-success-status-removed", ERR, "a documented 2xx status was removed"),
    _rule("response-non-success-status-removed", INFO, "a documented non-2xx status was removed"),
    _rule("response-success-status-added", INFO, "a 2xx status was added"),
    _rule("response-non-success-status-added", INFO, "a non-2xx status was added"),
    _rule("response-media-type-removed", ERR, "a response media type was removed"),
    _rule("response-media-type-added", INFO, "a response media type was added"),
    _rule("required-response-header-removed", ERR, "a required response header was removed"),
    _rule("optional-response-header-removed", WARN, "an optional response header was removed"),
    _rule("response-header-became-optional", ERR, "a required response header became optional"),
    _rule("response-header-added", INFO, "a response header was added"),
    _rule("response-header-type-changed", ERR, "a response header's type or format changed", _HEADER),
    _rule("response-header-type-generalized", ERR, "a response header's type or format was widened", _HEADER),
    _rule("response-header-type-specialized", INFO, "a response header's type or format was narrowed", _HEADER),
    _rule("response-header-became-nullable", ERR, "a response header's schema now admits null", _HEADER),
    _rule("response-header-became-not-nullable", INFO, "a response header's schema no longer admits null", _HEADER),
    _rule(
        "response-header-enum-value-added",
        WARN,
        "a response header gained an enum value clients may not handle",
        _HEADER_ENUM,
    ),
    # Types, formats, nullability
    _rule("request-parameter-type-changed", ERR, "a parameter's type or format changed or narrowed"),
    _rule("request-parameter-type-generalized", INFO, "a parameter's type or format was widened"),
    _rule("request-parameter-property-type-changed", WARN, "an object parameter's property changed type"),
    _rule("request-parameter-property-type-specialized", ERR, "an object parameter's property was narrowed"),
    _rule("request-parameter-property-type-generalized", INFO, "an object parameter's property was widened"),
    _rule("request-body-type-changed", ERR, "the request body's type or format changed or narrowed"),
    _rule("request-property-type-changed", ERR, "a request property's type or format changed or narrowed"),
    _rule("request-body-type-generalized", INFO, "the request body's type or format was widened"),
    _rule("request-property-type-generalized", INFO, "a request property's type or format was widened"),
    _rule("response-body-type-changed", ERR, "the response body's type or format changed"),
    _rule("response-property-type-changed", ERR, "a response property's type or format changed"),
    _rule("response-body-type-generalized", ERR, "the response body's type or format was widened"),
    _rule("response-property-type-generalized", ERR, "a response property's type or format was widened"),
    _rule("response-body-type-specialized", INFO, "the response body's type or format was narrowed"),
    _rule("response-property-type-specialized", INFO, "a response property's type or format was narrowed"),
    _rule("request-parameter-became-not-nullable", ERR, "a parameter no longer accepts null"),
    _rule("request-parameter-became-nullable", INFO, "a parameter now accepts null"),
    _rule("request-parameter-property-became-not-nullable", ERR, "an object parameter's property refuses null"),
    _rule("request-parameter-property-became-nullable", INFO, "an object parameter's property accepts null"),
    _rule("request-body-became-not-nullable", ERR, "the request body no longer accepts null"),
    _rule("request-property-became-not-nullable", ERR, "a request property no longer accepts null"),
    _rule("request-body-became-nullable", INFO, "the request body now accepts null"),
    _rule("request-property-became-nullable", INFO, "a request property now accepts null"),
    _rule("response-body-became-nullable", ERR, "the response body may now be null"),
    _rule("response-property-became-nullable", ERR, "a response property may now be null"),
    _rule("response-body-became-not-nullable", INFO, "the response body is no longer null"),
    _rule("response-property-became-not-nullable", INFO, "a response property is no longer null"),
    _rule("request-parameter-list-of-types-widened", INFO, "the type list of a parameter gained a type"),
    _rule("request-parameter-list-of-types-narrowed", ERR, "the type list of a parameter lost a type"),
    _rule("request-parameter-property-list-of-types-widened", INFO, "an object parameter's property type list grew"),
    _rule("request-parameter-property-list-of-types-narrowed", ERR, "an object parameter's property type list shrank"),
    _rule("request-body-list-of-types-widened", INFO, "the type list of a body gained a type"),
    _rule("request-body-list-of-types-narrowed", ERR, "the type list of a body lost a type"),
    _rule("request-property-list-of-types-widened", INFO, "the type list of a property gained a type"),
    _rule("request-property-list-of-types-narrowed", ERR, "the type list of a property lost a type"),
    _rule("response-body-list-of-types-widened", ERR, "the type list of the response body gained a type"),
    _rule("response-property-list-of-types-widened", ERR, "the type list of a response property gained a type"),
    _rule("response-body-list-of-types-narrowed", INFO, "the type list of the response body lost a type"),
    _rule("response-property-list-of-types-narrowed", INFO, "the type list of a response property lost a type"),
    # Values: enum, x-extensible-enum, default, const
    _rule("request-parameter-became-enum", ERR, "a parameter was restricted to an enum"),
    _rule("request-parameter-enum-value-removed", ERR, "a value was removed from a parameter's enum"),
    _rule("request-parameter-enum-value-added", INFO, "a value was added to a parameter's enum"),
    _rule("request-parameter-property-enum-value-removed", ERR, "an object parameter's property lost an enum value"),
    _rule("request-parameter-property-enum-value-added", INFO, "an object parameter's property gained an enum value"),
    _rule("request-body-became-enum", ERR, "the request body was restricted to an enum"),
    _rule("request-property-became-enum", ERR, "a request property was restricted to an enum"),
    _rule("request-body-enum-value-removed", ERR, "a value was removed from the request body's enum", _BODY_ENUM),
    _rule("request-property-enum-value-removed", ERR, "a value was removed from a request property's enum"),
    _rule("request-property-enum-value-added", INFO, "a value was added to a request enum"),
    _rule("response-property-enum-value-added", WARN, "a response enum gained a value clients may not handle"),
    _rule("response-property-enum-value-removed", INFO, "a response enum lost a value"),
    _rule("request-parameter-x-extensible-enum-value-removed", ERR, "a parameter lost an x-extensible-enum value"),
    _rule("request-property-x-extensible-enum-value-removed", ERR, "a request value lost an x-extensible-enum value"),
    _rule("request-parameter-default-value-added", ERR, "a parameter got a default (clients omitting it get it)"),
    _rule("request-parameter-default-value-changed", ERR, "a parameter's default changed"),
    _rule("request-parameter-default-value-removed", ERR, "a parameter lost its default"),
    _rule("request-body-default-value-added", INFO, "the request body got a default value"),
    _rule("request-property-default-value-added", INFO, "a request property got a default value"),
    _rule("request-body-default-value-changed", INFO, "the request body's default value changed"),
    _rule("request-property-default-value-changed", INFO, "a request property's default value changed"),
    _rule("request-body-default-value-removed", INFO, "the request body lost its default value"),
    _rule("request-property-default-value-removed", INFO, "a request property lost its default value"),
    _rule("response-body-default-value-added", INFO, "the response body got a default value"),
    _rule("response-property-default-value-added", INFO, "a response property got a default value"),
    _rule("response-body-default-value-changed", INFO, "the response body's default value changed"),
    _rule("response-property-default-value-changed", INFO, "a response property's default value changed"),
    _rule("response-body-default-value-removed", INFO, "the response body lost its default value"),
    _rule("response-property-default-value-removed", INFO, "a response property lost its default value"),
    _rule("request-body-const-added", ERR, "the request body was restricted to one const value"),
    _rule("request-property-const-added", ERR, "a request property was restricted to one const value"),
    _rule("request-body-const-changed", ERR, "the request body's const value changed"),
    _rule("request-property-const-changed", ERR, "a request property's const value changed"),
    _rule("request-body-const-removed", INFO, "the request body is no longer restricted to a const value"),
    _rule("request-property-const-removed", INFO, "a request property is no longer restricted to a const value"),
    _rule("response-body-const-added", INFO, "the response body is now always one const value"),
    _rule("response-property-const-added", INFO, "a response property is now always one const value"),
    _rule("response-body-const-changed", ERR, "the response body's const value changed"),
    _rule("response-property-const-changed", ERR, "a response property's const value changed"),
    _rule("response-body-const-removed", ERR, "the response body may now take values other than its old const"),
    _rule("response-property-const-removed", ERR, "a response property may now take values other than its old const"),
    # Bounds
    _rule("request-parameter-max-length-decreased", ERR, "a parameter's maxLength was lowered"),
    _rule("request-body-max-length-decreased", ERR, "the request body's maxLength was lowered"),
    _rule("request-property-max-length-decreased", ERR, "a request property's maxLength was lowered"),
    _rule("request-parameter-max-length-set", ERR, "a parameter got a maxLength", _SET),
    _rule("request-body-max-length-set", ERR, "the request body got a maxLength", _SET),
    _rule("request-property-max-length-set", ERR, "a request property got a maxLength", _SET),
    _rule("request-parameter-min-length-increased", ERR, "a parameter's minLength was raised"),
    _rule("request-body-min-length-increased", ERR, "the request body's minLength was raised"),
    _rule("request-property-min-length-increased", ERR, "a request property's minLength was raised"),
    _rule("request-parameter-max-decreased", ERR, "a parameter's maximum was lowered or made exclusive"),
    _rule("request-body-max-decreased", ERR, "the request body's maximum was lowered or made exclusive"),
    _rule("request-property-max-decreased", ERR, "a request property's maximum was lowered or made exclusive"),
    _rule("request-parameter-max-set", ERR, "a parameter got a maximum", _SET),
    _rule("request-body-max-set", ERR, "the request body got a maximum", _SET),
    _rule("request-property-max-set", ERR, "a request property got a maximum", _SET),
    _rule("request-parameter-min-increased", ERR, "a parameter's minimum was raised or made exclusive"),
    _rule("request-body-min-increased", ERR, "the request body's minimum was raised or made exclusive"),
    _rule("request-property-min-increased", ERR, "a request property's minimum was raised or made exclusive"),
    _rule("request-parameter-min-set", ERR, "a parameter got a minimum", _SET),
    _rule("request-body-min-set", ERR, "the request body got a minimum", _SET),
    _rule("request-property-min-set", ERR, "a request property got a minimum", _SET),
    _rule("request-parameter-max-items-decreased", ERR, "a parameter's maxItems was lowered or set"),
    _rule("request-body-max-items-decreased", ERR, "the request body's maxItems was lowered", _MAX_ITEMS),
    _rule("request-property-max-items-decreased", ERR, "a request property's maxItems was lowered", _MAX_ITEMS),
    _rule("request-body-max-items-set", ERR, "the request body got a maxItems", _MAX_ITEMS),
    _rule("request-property-max-items-set", ERR, "a request property got a maxItems", _MAX_ITEMS),
    _rule("request-parameter-min-items-increased", ERR, "a parameter's minItems was raised"),
    _rule("request-body-min-items-increased", ERR, "the request body's minItems was raised"),
    _rule("request-property-min-items-increased", ERR, "a request property's minItems was raised"),
    _rule("request-parameter-min-items-set", ERR, "a parameter got a minItems", _SET),
    _rule("request-body-min-items-set", ERR, "the request body got a minItems", _SET),
    _rule("request-property-min-items-set", ERR, "a request property got a minItems", _SET),
    _rule("request-parameter-max-length-increased", INFO, "a parameter's maxLength was raised or removed"),
    _rule("request-body-max-length-increased", INFO, "the request body's maxLength was raised or removed"),
    _rule("request-property-max-length-increased", INFO, "a request property's maxLength was raised or removed"),
    _rule("request-parameter-min-length-decreased", INFO, "a parameter's minLength was lowered"),
    _rule("request-body-min-length-decreased", INFO, "the request body's minLength was lowered"),
    _rule("request-property-min-length-decreased", INFO, "a request property's minLength was lowered"),
    _rule("request-parameter-max-increased", INFO, "a parameter's maximum was raised or removed"),
    _rule("request-body-max-increased", INFO, "the request body's maximum was raised or removed"),
    _rule("request-property-max-increased", INFO, "a request property's maximum was raised or removed"),
    _rule("request-parameter-min-decreased", INFO, "a parameter's minimum was lowered or removed"),
    _rule("request-body-min-decreased", INFO, "the request body's minimum was lowered or removed"),
    _rule("request-property-min-decreased", INFO, "a request property's minimum was lowered or removed"),
    _rule("request-parameter-max-items-increased", INFO, "a parameter's maxItems was raised or removed"),
    _rule("request-parameter-min-items-decreased", INFO, "a parameter's minItems was lowered or removed"),
    _rule("response-body-max-length-increased", WARN, "the response body's maxLength was raised", _WIDER),
    _rule("response-property-max-length-increased", WARN, "a response property's maxLength was raised", _WIDER),
    _rule("response-body-max-length-unset", WARN, "the response body lost its maxLength", _WIDER),
    _rule("response-property-max-length-unset", WARN, "a response property lost its maxLength", _WIDER),
    _rule("response-body-min-length-decreased", WARN, "the response body's minLength was lowered", _WIDER),
    _rule("response-property-min-length-decreased", WARN, "a response property's minLength was lowered", _WIDER),
    _rule("response-body-max-increased", WARN, "the response body's maximum was raised or removed", _WIDER),
    _rule("response-property-max-increased", WARN, "a response property's maximum was raised or removed", _WIDER),
    _rule("response-body-min-decreased", WARN, "the response body's minimum was lowered or removed", _WIDER),
    _rule("response-property-min-decreased", WARN, "a response property's minimum was lowered or removed", _WIDER),
    _rule("response-body-min-items-decreased", WARN, "the response body's minItems was lowered", _WIDER),
    _rule("response-property-min-items-decreased", WARN, "a response property's minItems was lowered", _WIDER),
    _rule("response-body-min-items-unset", WARN, "the response body lost its minItems", _WIDER),
    _rule("response-property-min-items-unset", WARN, "a response property lost its minItems", _WIDER),
    _rule("response-body-max-items-increased", WARN, "the response body's maxItems was raised", _MAX_ITEMS),
    _rule("response-property-max-items-increased", WARN, "a response property's maxItems was raised", _MAX_ITEMS),
    # Patterns
    _rule("request-parameter-pattern-added", ERR, "a parameter got a pattern"),
    _rule("request-parameter-pattern-changed", WARN, "a parameter's pattern changed; it may accept less"),
    _rule("request-parameter-pattern-removed", INFO, "a parameter lost its pattern"),
    _rule("request-property-pattern-added", ERR, "a request value got a pattern"),
    _rule("request-property-pattern-changed", WARN, "a request value's pattern changed; it may accept less"),
    _rule("request-property-pattern-removed", INFO, "a request value lost its pattern"),
    _rule("response-property-pattern-added", INFO, "a response value got a pattern"),
    _rule("response-property-pattern-changed", WARN, "a response value's pattern changed", _PATTERN_CHANGED),
    _rule("response-property-pattern-removed", WARN, "a response value lost its pattern", _PATTERN_REMOVED),
    # Composition
    _rule("request-body-one-of-removed", ERR, "a oneOf alternative of the request body was removed"),
    _rule("request-property-one-of-removed", ERR, "a oneOf alternative of a request property was removed"),
    _rule("request-body-one-of-added", INFO, "a oneOf alternative was added to the request body"),
    _rule("request-property-one-of-added", INFO, "a oneOf alternative was added to a request property"),
    _rule("response-body-one-of-added", ERR, "the response body may take a new oneOf shape"),
    _rule("response-property-one-of-added", ERR, "a response property may take a new oneOf shape"),
    _rule("response-body-one-of-removed", INFO, "a oneOf alternative of the response body was removed"),
    _rule("response-property-one-of-removed", INFO, "a oneOf alternative of a response property was removed"),
    _rule("request-body-any-of-removed", ERR, "a anyOf alternative of the request body was removed"),
    _rule("request-property-any-of-removed", ERR, "a anyOf alternative of a request property was removed"),
    _rule("request-body-any-of-added", INFO, "a anyOf alternative was added to the request body"),
    _rule("request-property-any-of-added", INFO, "a anyOf alternative was added to a request property"),
    _rule("response-body-any-of-added", ERR, "the response body may take a new anyOf shape", _ANY_OF),
    _rule("response-property-any-of-added", ERR, "a response property may take a new anyOf shape", _ANY_OF),
    _rule("response-body-any-of-removed", INFO, "a anyOf alternative of the response body was removed"),
    _rule("response-property-any-of-removed", INFO, "a anyOf alternative of a response property was removed"),
    _rule("request-body-wrapped-in-one-of", ERR, "the request body became a oneOf of objects"),
    _rule("response-body-wrapped-in-one-of", ERR, "the response body became a oneOf of objects"),
    # readOnly and writeOnly
    _rule("request-optional-property-became-write-only", INFO, "an optional request property became write-only"),
    _rule(
        "request-optional-property-became-not-write-only", INFO, "an optional request property is no longer write-only"
    ),
    _rule("request-optional-property-became-read-only", INFO, "an optional request property became read-only"),
    _rule(
        "request-optional-property-became-not-read-only", INFO, "an optional request property is no longer read-only"
    ),
    _rule("request-required-property-became-write-only", INFO, "a required request property became write-only"),
    _rule(
        "request-required-property-became-not-write-only", INFO, "a required request property is no longer write-only"
    ),
    _rule("request-required-property-became-read-only", INFO, "a required request property became read-only"),
    _rule(
        "request-required-property-became-not-read-only",
        ERR,
        "a required request property is no longer read-only",
        _NOT_READ_ONLY,
    ),
    _rule("response-optional-property-became-write-only", INFO, "an optional response property became write-only"),
    _rule(
        "response-optional-property-became-not-write-only",
        INFO,
        "an optional response property is no longer write-only",
    ),
    _rule("response-optional-property-became-read-only", INFO, "an optional response property became read-only"),
    _rule(
        "response-optional-property-became-not-read-only", INFO, "an optional response property is no longer read-only"
    ),
    _rule(
        "response-required-property-became-write-only",
        ERR,
        "a required response property became write-only",
        _WRITE_ONLY,
    ),
    _rule(
        "response-required-property-became-not-write-only", WARN, "a required response property is no longer write-only"
    ),
    _rule("response-required-property-became-read-only", INFO, "a required response property became read-only"),
    _rule(
        "response-required-property-became-not-read-only", INFO, "a required response property is no longer read-only"
    ),
    _rule("response-optional-write-only-property-removed", INFO, "a optional write-only response property was removed"),
    _rule("response-optional-write-only-property-added", INFO, "a optional write-only response property was added"),
    _rule("response-required-write-only-property-removed", INFO, "a required write-only response property was removed"),
    _rule("response-required-write-only-property-added", INFO, "a required write-only response property was added"),
    _rule("response-write-only-property-became-optional", INFO, "a write-only response property became optional"),
    _rule("response-write-only-property-became-required", INFO, "a write-only response property became required"),
    _rule("response-write-only-property-enum-value-added", INFO, "a write-only response property gained an enum value"),
    _rule("request-read-only-property-enum-value-removed", INFO, "a read-only request property lost an enum value"),
    _rule("request-read-only-property-max-decreased", INFO, "a read-only request property's maximum was lowered"),
    _rule("request-read-only-property-max-length-decreased", INFO, "a read-only request property's maxLength fell"),
    _rule("request-read-only-property-min-increased", INFO, "a read-only request property's minimum was raised"),
    # Security
    _rule(
        "api-security-became-required",
        ERR,
        "an operation callable without credentials now requires them",
        _BECAME_REQUIRED,
        oasdiff="api-security-added",
    ),
    _rule("api-security-added", INFO, "a security alternative was added to an operation already protected"),
    _rule("api-security-removed", ERR, "a security alternative clients may use was removed or changed", _SECURITY),
    _rule("api-security-scope-added", ERR, "a security requirement now needs an extra scope", _SCOPE),
    _rule("api-security-scope-removed", INFO, "a security requirement needs one scope fewer"),
    # Metadata (changelog only)
    _rule("api-operation-id-added", INFO, "an operation got an operationId"),
    _rule("api-operation-id-removed", INFO, "an operation's operationId was removed or replaced"),
    _rule("api-tag-added", INFO, "an operation got a tag"),
    _rule("api-tag-removed", INFO, "an operation lost a tag"),
)


def _index(rules: Iterable[Rule]) -> dict[str, Rule]:
    index: dict[str, Rule] = {}
    for rule in rules:
        if rule.rule_id in index:
            raise ValueError(f"rule {rule.rule_id} is catalogued twice")
        index[rule.rule_id] = rule
    return index


RULES: Mapping[str, Rule] = _index(_CATALOG)
