"""Rule families: what kind of change a rule id names, decided from the id alone.

Deciding from the id means our catalogue and oasdiff's rule list are counted the same way, so "how many rules per
family, against oasdiff's" is a computation, not a claim. The patterns are tried in order; the first that matches
names the family.
"""

from __future__ import annotations

import re
from enum import StrEnum

__all__ = ["Family", "family_of"]


class Family(StrEnum):
    """A kind of change, in the order the rule table lists them."""

    OPERATIONS = "operations"
    LIFECYCLE = "lifecycle"
    EXISTENCE = "existence"
    MEDIA_TYPES = "media-types"
    STATUSES = "statuses"
    HEADERS = "headers"
    TYPES = "types"
    ENUMS = "enums"
    DEFAULTS = "defaults"
    BOUNDS = "bounds"
    PATTERNS = "patterns"
    COMPOSITION = "composition"
    MUTABILITY = "mutability"
    SECURITY = "security"
    METADATA = "metadata"
    JSON_SCHEMA = "json-schema-2020"

    @property
    def summary(self) -> str:
        """What the family covers, for the rule table."""
        return _TITLES[self]


_TITLES = {
    Family.OPERATIONS: "paths and operations added or removed",
    Family.LIFECYCLE: "deprecation, sunset dates and stability levels",
    Family.EXISTENCE: "parameters, bodies and properties added, removed, required or optional",
    Family.MEDIA_TYPES: "media types of request bodies and responses",
    Family.STATUSES: "response statuses",
    Family.HEADERS: "response headers and their schemas",
    Family.TYPES: "type, format and nullability",
    Family.ENUMS: "enum and x-extensible-enum values",
    Family.DEFAULTS: "default and const values",
    Family.BOUNDS: "length, range and item-count bounds",
    Family.PATTERNS: "patterns",
    Family.COMPOSITION: "oneOf, anyOf, allOf and discriminator",
    Family.MUTABILITY: "readOnly and writeOnly",
    Family.SECURITY: "security requirements and schemes",
    Family.METADATA: "operation ids, tags and component schemas (changelog only)",
    Family.JSON_SCHEMA: "OpenAPI 3.1 keywords: prefixItems, if/then/else, contains, dependent*, unevaluated*, ...",
}

_PATTERNS: tuple[tuple[Family, re.Pattern[str]], ...] = tuple(
    (family, re.compile(pattern))
    for family, pattern in (
        (Family.LIFECYCLE, r"sunset|stability|deprecated|reactivated"),
        (Family.SECURITY, r"security"),
        (Family.METADATA, r"operation-id|^api-tag|^api-schema"),
        (Family.OPERATIONS, r"^(api-path-removed|api-removed|endpoint-added|webhook)"),
        (Family.MUTABILITY, r"read-only|write-only"),
        (
            Family.JSON_SCHEMA,
            r"list-of-types|prefix-items|-(if|then|else)-|contains|dependent|pattern-propert|property-names"
            r"|unevaluated|content-(schema|media-type|encoding)",
        ),
        (Family.HEADERS, r"response-header"),
        (Family.DEFAULTS, r"default-value|-const-"),
        (Family.ENUMS, r"enum"),
        (Family.COMPOSITION, r"one-of|any-of|all-of|discriminator"),
        (Family.BOUNDS, r"-(max|min)(-|$)|-exclusive-"),
        (Family.PATTERNS, r"pattern"),
        (Family.STATUSES, r"status"),
        (Family.MEDIA_TYPES, r"media-?type"),
        (Family.TYPES, r"type|nullable"),
    )
)


def family_of(rule_id: str) -> Family:
    """The family of a rule id (ours or oasdiff's); anything unmatched adds, removes or (un)requires something."""
    for family, pattern in _PATTERNS:
        if pattern.search(rule_id):
            return family
    return Family.EXISTENCE
