"""oasdiff's rule list, pinned: the ids and default levels the catalogue is attributed to and checked against.

The list is data (`oasdiff_rules.txt`, one `id LEVEL` a line, its header names the pinned version). The catalogue
derives each rule's oasdiff level from it, so the rule table cannot claim a level oasdiff does not have.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources

from conformance.diff.findings import Level

__all__ = ["OASDIFF_RULES", "parse_rule_list"]


def parse_rule_list(text: str) -> dict[str, Level]:
    """`id LEVEL` lines (`#` comments and blank lines skipped) as a mapping; a malformed line is a bug."""
    rules: dict[str, Level] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        rule_id, level = line.split()
        if rule_id in rules:
            raise ValueError(f"oasdiff_rules.txt, line {number}: {rule_id} is listed twice")
        rules[rule_id] = Level(level)
    return rules


OASDIFF_RULES: Mapping[str, Level] = parse_rule_list(
    resources.files("conformance.diff").joinpath("oasdiff_rules.txt").read_text(encoding="utf-8")
)
