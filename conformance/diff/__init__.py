"""The contract drift gate: breaking changes between two versions of an OpenAPI 3.0 or 3.1 contract.

`contract-test diff OLD NEW` (files or `REF:path`) or `contract-test diff --all [REF]`; rule ids and levels are
oasdiff's wherever oasdiff has the rule (see `catalog`, and `rule_table` for the page that lists them). Python
callers use `diff_documents` on parsed documents or `run_diff` with `DiffOptions`.
"""

from __future__ import annotations

from conformance.diff.catalog import RULES, Rule
from conformance.diff.command import diff_command
from conformance.diff.errors import (
    ContractSourceError,
    ContractStructureError,
    DiffError,
    GitRefError,
    IgnoreFileError,
)
from conformance.diff.families import Family
from conformance.diff.findings import DriftFinding, Level, Report
from conformance.diff.gate import DiffOptions, run_diff
from conformance.diff.ignores import (
    IgnoreFile,
    IgnoreRule,
    SeverityOverride,
    apply_ignores,
    apply_severities,
    load_ignore_file,
    parse_ignore_lines,
)
from conformance.diff.lifecycle import Policy
from conformance.diff.loader import ContractRevision, load_revision
from conformance.diff.render import OutputFormat, render
from conformance.diff.rules import diff_documents

__all__ = [
    "RULES",
    "ContractRevision",
    "ContractSourceError",
    "ContractStructureError",
    "DiffError",
    "DiffOptions",
    "DriftFinding",
    "Family",
    "GitRefError",
    "IgnoreFile",
    "IgnoreFileError",
    "IgnoreRule",
    "Level",
    "OutputFormat",
    "Policy",
    "Report",
    "Rule",
    "SeverityOverride",
    "apply_ignores",
    "apply_severities",
    "diff_command",
    "diff_documents",
    "load_ignore_file",
    "load_revision",
    "parse_ignore_lines",
    "render",
    "run_diff",
]
