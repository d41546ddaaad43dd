"""The rules of the drift gate: our id, level and meaning, mapped to oasdiff's rule id and level.

Ids are oasdiff's (checker/rules.go, localizations en/messages.yaml) so a finding can be looked up in either tool;
`api-security-became-required` is our only own id. Levels follow oasdiff except where noted "oasdiff: LEVEL":
response constraint widenings are WARN here (a client breaks only if it relied on the bound), and a public
operation that starts requiring credentials is ERR (oasdiff reports it as an added alternative, INFO).

Mapping (our level, our id, oasdiff id and level when they differ)::

    ERR   api-path-removed-without-deprecation
    INFO  api-path-removed-with-deprecation
    ERR   api-removed-without-deprecation
    INFO  api-removed-with-deprecation
    INFO  endpoint-added
    ERR   new-required-request-parameter
    INFO  new-optional-request-parameter
    WARN  request-parameter-removed
    ERR   request-parameter-became-required
    INFO  request-parameter-became-optional
    ERR   request-parameter-type-changed
    INFO  request-parameter-type-generalized
    ERR   request-parameter-became-enum
    ERR   request-parameter-enum-value-removed
    INFO  request-parameter-enum-value-added
    ERR   request-parameter-max-length-decreased
    ERR   request-parameter-max-length-set
    ERR   request-parameter-min-length-increased
    ERR   request-parameter-max-decreased
    ERR   request-parameter-max-set
    ERR   request-parameter-min-increased
    ERR   request-parameter-min-set
    ERR   request-parameter-max-items-decreased
    ERR   request-parameter-min-items-increased
    ERR   request-parameter-min-items-set
    ERR   request-parameter-pattern-added
    WARN  request-parameter-pattern-changed
    ERR   request-parameter-became-not-nullable
    INFO  request-parameter-became-nullable
    ERR   request-body-added-required
    INFO  request-body-added-optional
    ERR   request-body-removed
    ERR   request-body-became-required
    INFO  request-body-became-optional
    ERR   request-body-media-type-removed
    INFO  request-body-media-type-added
    ERR   new-required-request-property
    INFO  new-optional-request-property
    WARN  request-property-removed
    ERR   request-property-became-required
    INFO  request-property-became-optional
    ERR   request-body-type-changed
    ERR   request-property-type-changed
    INFO  request-body-type-generalized
    INFO  request-property-type-generalized
    ERR   request-body-became-enum
    ERR   request-property-became-enum
    ERR   request-body-enum-value-removed
    ERR   request-property-enum-value-removed
    INFO  request-property-enum-value-added
    ERR   request-body-max-length-decreased
    ERR   request-property-max-length-decreased
    ERR   request-body-max-length-set
    ERR   request-property-max-length-set
    ERR   request-body-min-length-increased
    ERR   request-property-min-length-increased
    ERR   request-body-max-decreased
    ERR   request-property-max-decreased
    ERR   request-body-max-set
    ERR   request-property-max-set
    ERR   request-body-min-increased
    ERR   request-property-min-increased
    ERR   request-body-min-set
    ERR   request-property-min-set
    ERR   request-body-max-items-decreased
    ERR   request-property-max-items-decreased
    ERR   request-body-max-items-set
    ERR   request-property-max-items-set
    ERR   request-body-min-items-increased
    ERR   request-property-min-items-increased
    ERR   request-body-min-items-set
    ERR   request-property-min-items-set
    ERR   request-property-pattern-added
    WARN  request-property-pattern-changed
    ERR   request-body-became-not-nullable
    ERR   request-property-became-not-nullable
    INFO  request-body-became-nullable
    INFO  request-property-became-nullable
    ERR   request-body-one-of-removed
    ERR   request-property-one-of-removed
    ERR   request-body-any-of-removed
    ERR   request-property-any-of-removed
    INFO  request-body-one-of-added
    INFO  request-property-one-of-added
    INFO  request-body-any-of-added
    INFO  request-property-any-of-added
    ERR   response-success-status-removed
    INFO  response-non-success-status-removed
    INFO  response-success-status-added
    INFO  response-non-success-status-added
    ERR   response-media-type-removed
    INFO  response-media-type-added
    ERR   required-response-header-removed
    WARN  optional-response-header-removed
    ERR   response-header-became-optional
    ERR   response-required-property-removed
    WARN  response-optional-property-removed
    INFO  response-required-property-added
    INFO  response-optional-property-added
    ERR   response-property-became-optional
    INFO  response-property-became-required
    ERR   response-body-type-changed
    ERR   response-property-type-changed
    ERR   response-body-type-generalized
    ERR   response-property-type-generalized
    INFO  response-body-type-specialized
    INFO  response-property-type-specialized
    WARN  response-property-enum-value-added
    INFO  response-property-enum-value-removed
    ERR   response-body-became-nullable
    ERR   response-property-became-nullable
    INFO  response-body-became-not-nullable
    INFO  response-property-became-not-nullable
    WARN  response-body-max-length-increased      oasdiff: ERR
    WARN  response-property-max-length-increased  oasdiff: ERR
    WARN  response-body-max-length-unset          oasdiff: ERR
    WARN  response-property-max-length-unset      oasdiff: ERR
    WARN  response-body-min-length-decreased      oasdiff: ERR
    WARN  response-property-min-length-decreased  oasdiff: ERR
    WARN  response-body-max-increased             oasdiff: ERR
    WARN  response-property-max-increased         oasdiff: ERR
    WARN  response-body-min-decreased             oasdiff: ERR
    WARN  response-property-min-decreased         oasdiff: ERR
    WARN  response-body-min-items-decreased       oasdiff: ERR
    WARN  response-property-min-items-decreased   oasdiff: ERR
    WARN  response-body-min-items-unset           oasdiff: ERR
    WARN  response-property-min-items-unset       oasdiff: ERR
    WARN  response-property-pattern-removed       oasdiff: ERR
    WARN  response-property-pattern-changed
    ERR   response-body-one-of-added
    ERR   response-property-one-of-added
    ERR   response-body-any-of-added
    ERR   response-property-any-of-added
    INFO  response-body-one-of-removed
    INFO  response-property-one-of-removed
    INFO  response-body-any-of-removed
    INFO  response-property-any-of-removed
    ERR   api-security-became-required           oasdiff: api-security-added INFO
    INFO  api-security-added
    ERR   api-security-removed
    ERR   api-security-scope-added
    INFO  api-security-scope-removed
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from conformance.diff.findings import Level

__all__ = ["RULES", "Rule"]

ERR, WARN, INFO = Level.ERR, Level.WARN, Level.INFO


@dataclass(frozen=True)
class Rule:
    """One kind of change: its id, level and meaning, and the oasdiff rule it corresponds to."""

    rule_id: str
    level: Level
    meaning: str
    oasdiff_id: str
    oasdiff_level: Level


def _rule(
    rule_id: str, level: Level, meaning: str, oasdiff: str | None = None, oasdiff_level: Level | None = None
) -> Rule:
    return Rule(rule_id, level, meaning, oasdiff or rule_id, oasdiff_level or level)


_WIDER = "a response value may now fall outside the old bound"
_CATALOG: tuple[Rule, ...] = (
    # Operations
    _rule("api-path-removed-without-deprecation", ERR, "a path and its operations were removed without deprecation"),
    _rule("api-path-removed-with-deprecation", INFO, "a path was removed after its operations were deprecated"),
    _rule("api-removed-without-deprecation", ERR, "an operation was removed without deprecation"),
    _rule("api-removed-with-deprecation", INFO, "an operation was removed after being deprecated"),
    _rule("endpoint-added", INFO, "an operation was added"),
    # Parameters
    _rule("new-required-request-parameter", ERR, "a required parameter was added"),
    _rule("new-optional-request-parameter", INFO, "an optional parameter was added"),
    _rule("request-parameter-removed", WARN, "a parameter was removed; strict servers may refuse it"),
    _rule("request-parameter-became-required", ERR, "an optional parameter became required"),
    _rule("request-parameter-became-optional", INFO, "a required parameter became optional"),
    _rule("request-parameter-type-changed", ERR, "a parameter's type or format changed or narrowed"),
    _rule("request-parameter-type-generalized", INFO, "a parameter's type or format was widened"),
    _rule("request-parameter-became-enum", ERR, "a parameter was restricted to an enum"),
    _rule("request-parameter-enum-value-removed", ERR, "a value was removed from a parameter's enum"),
    _rule("request-parameter-enum-value-added", INFO, "a value was added to a parameter's enum"),
    _rule("request-parameter-max-length-decreased", ERR, "a parameter's maxLength was lowered"),
    _rule("request-parameter-max-length-set", ERR, "a parameter got a maxLength"),
    _rule("request-parameter-min-length-increased", ERR, "a parameter's minLength was raised"),
    _rule("request-parameter-max-decreased", ERR, "a parameter's maximum was lowered or made exclusive"),
    _rule("request-parameter-max-set", ERR, "a parameter got a maximum"),
    _rule("request-parameter-min-increased", ERR, "a parameter's minimum was raised or made exclusive"),
    _rule("request-parameter-min-set", ERR, "a parameter got a minimum"),
    _rule("request-parameter-max-items-decreased", ERR, "a parameter's maxItems was lowered or set"),
    _rule("request-parameter-min-items-increased", ERR, "a parameter's minItems was raised"),
    _rule("request-parameter-min-items-set", ERR, "a parameter got a minItems"),
    _rule("request-parameter-pattern-added", ERR, "a parameter got a pattern"),
    _rule("request-parameter-pattern-changed", WARN, "a parameter's pattern changed; it may accept less"),
    _rule("request-parameter-became-not-nullable", ERR, "a parameter no longer accepts null"),
    _rule("request-parameter-became-nullable", INFO, "a parameter now accepts null"),
    # Request body
    _rule("request-body-added-required", ERR, "a required request body was added"),
    _rule("request-body-added-optional", INFO, "an optional request body was added"),
    _rule("request-body-removed", ERR, "the request body was removed"),
    _rule("request-body-became-required", ERR, "an optional request body became required"),
    _rule("request-body-became-optional", INFO, "a required request body became optional"),
    _rule("request-body-media-type-removed", ERR, "a request media type is no longer accepted"),
    _rule("request-body-media-type-added", INFO, "a request media type was added"),
    # Request schema
    _rule("new-required-request-property", ERR, "a required request property was added"),
    _rule("new-optional-request-property", INFO, "an optional request property was added"),
    _rule("request-property-removed", WARN, "a request property was removed; strict servers may refuse it"),
    _rule("request-property-became-required", ERR, "an optional request property became required"),
    _rule("request-property-became-optional", INFO, "a required request property became optional"),
    _rule("request-body-type-changed", ERR, "the request body's type or format changed or narrowed"),
    _rule("request-property-type-changed", ERR, "a request property's type or format changed or narrowed"),
    _rule("request-body-type-generalized", INFO, "the request body's type or format was widened"),
    _rule("request-property-type-generalized", INFO, "a request property's type or format was widened"),
    _rule("request-body-became-enum", ERR, "the request body was restricted to an enum"),
    _rule("request-property-became-enum", ERR, "a request property was restricted to an enum"),
    _rule("request-body-enum-value-removed", ERR, "a value was removed from the request body's enum"),
    _rule("request-property-enum-value-removed", ERR, "a value was removed from a request property's enum"),
    _rule("request-property-enum-value-added", INFO, "a value was added to a request enum"),
    _rule("request-body-max-length-decreased", ERR, "the request body's maxLength was lowered"),
    _rule("request-property-max-length-decreased", ERR, "a request property's maxLength was lowered"),
    _rule("request-body-max-length-set", ERR, "the request body got a maxLength"),
    _rule("request-property-max-length-set", ERR, "a request property got a maxLength"),
    _rule("request-body-min-length-increased", ERR, "the request body's minLength was raised"),
    _rule("request-property-min-length-increased", ERR, "a request property's minLength was raised"),
    _rule("request-body-max-decreased", ERR, "the request body's maximum was lowered or made exclusive"),
    _rule("request-property-max-decreased", ERR, "a request property's maximum was lowered or made exclusive"),
    _rule("request-body-max-set", ERR, "the request body got a maximum"),
    _rule("request-property-max-set", ERR, "a request property got a maximum"),
    _rule("request-body-min-increased", ERR, "the request body's minimum was raised or made exclusive"),
    _rule("request-property-min-increased", ERR, "a request property's minimum was raised or made exclusive"),
    _rule("request-body-min-set", ERR, "the request body got a minimum"),
    _rule("request-property-min-set", ERR, "a request property got a minimum"),
    _rule("request-body-max-items-decreased", ERR, "the request body's maxItems was lowered"),
    _rule("request-property-max-items-decreased", ERR, "a request array's maxItems was lowered"),
    _rule("request-body-max-items-set", ERR, "the request body got a maxItems"),
    _rule("request-property-max-items-set", ERR, "a request array got a maxItems"),
    _rule("request-body-min-items-increased", ERR, "the request body's minItems was raised"),
    _rule("request-property-min-items-increased", ERR, "a request array's minItems was raised"),
    _rule("request-body-min-items-set", ERR, "the request body got a minItems"),
    _rule("request-property-min-items-set", ERR, "a request array got a minItems"),
    _rule("request-property-pattern-added", ERR, "a request value got a pattern"),
    _rule("request-property-pattern-changed", WARN, "a request value's pattern changed; it may accept less"),
    _rule("request-body-became-not-nullable", ERR, "the request body no longer accepts null"),
    _rule("request-property-became-not-nullable", ERR, "a request property no longer accepts null"),
    _rule("request-body-became-nullable", INFO, "the request body now accepts null"),
    _rule("request-property-became-nullable", INFO, "a request property now accepts null"),
    _rule("request-body-one-of-removed", ERR, "a oneOf alternative of the request body was removed"),
    _rule("request-property-one-of-removed", ERR, "a oneOf alternative of a request property was removed"),
    _rule("request-body-any-of-removed", ERR, "an anyOf alternative of the request body was removed"),
    _rule("request-property-any-of-removed", ERR, "an anyOf alternative of a request property was removed"),
    _rule("request-body-one-of-added", INFO, "a oneOf alternative was added to the request body"),
    _rule("request-property-one-of-added", INFO, "a oneOf alternative was added to a request property"),
    _rule("request-body-any-of-added", INFO, "an anyOf alternative was added to the request body"),
    _rule("request-property-any-of-added", INFO, "an anyOf alternative was added to a request property"),
    # Responses
    _rule("response-success-status-removed", ERR, "a documented 2xx status was removed"),
    _rule("response-non-success-status-removed", INFO, "a documented non-2xx status was removed"),
    _rule("response-success-status-added", INFO, "a 2xx status was added"),
    _rule("response-non-success-status-added", INFO, "a non-2xx status was added"),
    _rule("response-media-type-removed", ERR, "a response media type was removed"),
    _rule("response-media-type-added", INFO, "a response media type was added"),
    _rule("required-response-header-removed", ERR, "a required response header was removed"),
    _rule("optional-response-header-removed", WARN, "an optional response header was removed"),
    _rule("response-header-became-optional", ERR, "a required response header became optional"),
    # Response schema
    _rule("response-required-property-removed", ERR, "a required response property was removed"),
    _rule("response-optional-property-removed", WARN, "an optional response property was removed"),
    _rule("response-required-property-added", INFO, "a required response property was added"),
    _rule("response-optional-property-added", INFO, "an optional response property was added"),
    _rule("response-property-became-optional", ERR, "a required response property became optional"),
    _rule("response-property-became-required", INFO, "an optional response property became required"),
    _rule("response-body-type-changed", ERR, "the response body's type or format changed"),
    _rule("response-property-type-changed", ERR, "a response property's type or format changed"),
    _rule("response-body-type-generalized", ERR, "the response body's type or format was widened"),
    _rule("response-property-type-generalized", ERR, "a response property's type or format was widened"),
    _rule("response-body-type-specialized", INFO, "the response body's type or format was narrowed"),
    _rule("response-property-type-specialized", INFO, "a response property's type or format was narrowed"),
    _rule("response-property-enum-value-added", WARN, "a response enum gained a value clients may not handle"),
    _rule("response-property-enum-value-removed", INFO, "a response enum lost a value"),
    _rule("response-body-became-nullable", ERR, "the response body may now be null"),
    _rule("response-property-became-nullable", ERR, "a response property may now be null"),
    _rule("response-body-became-not-nullable", INFO, "the response body is no longer null"),
    _rule("response-property-became-not-nullable", INFO, "a response property is no longer null"),
    _rule("response-body-max-length-increased", WARN, _WIDER + " (maxLength raised)", None, ERR),
    _rule("response-property-max-length-increased", WARN, _WIDER + " (maxLength raised)", None, ERR),
    _rule("response-body-max-length-unset", WARN, _WIDER + " (maxLength removed)", None, ERR),
    _rule("response-property-max-length-unset", WARN, _WIDER + " (maxLength removed)", None, ERR),
    _rule("response-body-min-length-decreased", WARN, _WIDER + " (minLength lowered)", None, ERR),
    _rule("response-property-min-length-decreased", WARN, _WIDER + " (minLength lowered)", None, ERR),
    _rule("response-body-max-increased", WARN, _WIDER + " (maximum raised or removed)", None, ERR),
    _rule("response-property-max-increased", WARN, _WIDER + " (maximum raised or removed)", None, ERR),
    _rule("response-body-min-decreased", WARN, _WIDER + " (minimum lowered or removed)", None, ERR),
    _rule("response-property-min-decreased", WARN, _WIDER + " (minimum lowered or removed)", None, ERR),
    _rule("response-body-min-items-decreased", WARN, _WIDER + " (minItems lowered)", None, ERR),
    _rule("response-property-min-items-decreased", WARN, _WIDER + " (minItems lowered)", None, ERR),
    _rule("response-body-min-items-unset", WARN, _WIDER + " (minItems removed)", None, ERR),
    _rule("response-property-min-items-unset", WARN, _WIDER + " (minItems removed)", None, ERR),
    _rule("response-property-pattern-removed", WARN, _WIDER + " (pattern removed)", None, ERR),
    _rule("response-property-pattern-changed", WARN, "a response value's pattern changed"),
    _rule("response-body-one-of-added", ERR, "the response body may take a new oneOf shape"),
    _rule("response-property-one-of-added", ERR, "a response property may take a new oneOf shape"),
    _rule("response-body-any-of-added", ERR, "the response body may take a new anyOf shape"),
    _rule("response-property-any-of-added", ERR, "a response property may take a new anyOf shape"),
    _rule("response-body-one-of-removed", INFO, "a oneOf alternative of the response body was removed"),
    _rule("response-property-one-of-removed", INFO, "a oneOf alternative of a response property was removed"),
    _rule("response-body-any-of-removed", INFO, "an anyOf alternative of the response body was removed"),
    _rule("response-property-any-of-removed", INFO, "an anyOf alternative of a response property was removed"),
    # Security
    _rule(
        "api-security-became-required",
        ERR,
        "an operation callable without credentials now requires them",
        "api-security-added",
        INFO,
    ),
    _rule("api-security-added", INFO, "a security alternative was added to an operation already protected"),
    _rule("api-security-removed", ERR, "a security alternative clients may use was removed or changed"),
    _rule("api-security-scope-added", ERR, "a security requirement now needs an extra scope"),
    _rule("api-security-scope-removed", INFO, "a security requirement needs one scope fewer"),
)

RULES: Mapping[str, Rule] = {rule.rule_id: rule for rule in _CATALOG}
