"""The public surface and the rule catalog: exported names, ids, and the two written copies of the mapping."""

from __future__ import annotations

import re
from pathlib import Path

import conformance.diff
from conformance.diff import RULES, Level
from conformance.diff import catalog as catalog_module

DOCS = Path(__file__).resolve().parents[3] / "docs" / "drift-gate.md"


def test_exported_names_are_pinned() -> None:
    assert sorted(conformance.diff.__all__) == sorted(
        [
            "RULES",
            "Contract",
            "ContractSourceError",
            "ContractStructureError",
            "DiffError",
            "DiffOptions",
            "Finding",
            "GitRefError",
            "IgnoreFileError",
            "IgnoreRule",
            "Level",
            "OutputFormat",
            "Report",
            "Rule",
            "apply_ignores",
            "diff_command",
            "diff_documents",
            "load_contract",
            "load_ignore_file",
            "parse_ignore_lines",
            "render",
            "run_diff",
        ]
    )
    for name in conformance.diff.__all__:
        assert hasattr(conformance.diff, name), name


def test_diff_errors_are_configuration_errors_of_the_harness() -> None:
    from conformance.errors import ConfigurationError, ConformanceError

    assert issubclass(conformance.diff.DiffError, ConfigurationError)
    assert issubclass(conformance.diff.GitRefError, ConformanceError)
    assert issubclass(conformance.diff.GitRefError, LookupError)


def test_ids_are_kebab_case_and_map_to_an_oasdiff_id() -> None:
    for rule in RULES.values():
        assert re.fullmatch(r"[a-z]+(-[a-z]+)+", rule.rule_id), rule.rule_id
        assert re.fullmatch(r"[a-z]+(-[a-z]+)+", rule.oasdiff_id), rule.oasdiff_id
        assert rule.meaning


def test_the_module_docstring_lists_every_rule_with_its_level() -> None:
    documented = {}
    for line in (catalog_module.__doc__ or "").splitlines():
        match = re.match(r"\s+(ERR|WARN|INFO)\s+(\S+)(?:\s+oasdiff: (?:(\S+) )?(ERR|WARN|INFO))?\s*$", line)
        if match:
            level, rule_id, oasdiff_id, oasdiff_level = match.groups()
            documented[rule_id] = (level, oasdiff_id or rule_id, oasdiff_level or level)
    expected = {r.rule_id: (r.level.value, r.oasdiff_id, r.oasdiff_level.value) for r in RULES.values()}
    assert documented == expected


def test_the_docs_table_lists_every_rule_with_oasdiff_id_and_level() -> None:
    rows = {}
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] in RULES:
            rows[cells[0]] = (cells[1], cells[2], cells[3])
    expected = {}
    for rule in RULES.values():
        level = rule.level.value
        if rule.oasdiff_level != rule.level:
            level += f" (oasdiff {rule.oasdiff_level.value})"
        expected[rule.rule_id] = (rule.oasdiff_id, level, rule.meaning)
    assert rows == expected


def test_levels_order_by_severity() -> None:
    assert Level.ERR.at_least(Level.WARN) and Level.WARN.at_least(Level.WARN)
    assert not Level.INFO.at_least(Level.WARN)
