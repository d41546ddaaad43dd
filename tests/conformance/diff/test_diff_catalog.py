"""The public surface and the rule catalogue: exported names, ids, the attribution to oasdiff, the generated table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import conformance.diff
from conformance.diff import RULES, Family, Level
from conformance.diff.families import family_of
from conformance.diff.oasdiff import OASDIFF_RULES, parse_rule_list
from conformance.diff.rule_table import END, START, main, render_rule_table, rewrite

DOCS = Path(__file__).resolve().parents[3] / "docs" / "drift-gate.md"


def test_exported_names_are_pinned() -> None:
    assert sorted(conformance.diff.__all__) == sorted(
        [
            "RULES",
            "ContractRevision",
            "ContractSourceError",
            "ContractStructureError",
            "DiffError",
            "DiffOptions",
            "Family",
            "DriftFinding",
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
            "load_revision",
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


def test_ids_are_kebab_case_with_a_meaning() -> None:
    for rule in RULES.values():
        assert re.fullmatch(r"[a-z]+(-[a-z]+)+", rule.rule_id), rule.rule_id
        assert rule.meaning


def test_the_pinned_oasdiff_list_is_the_version_the_issue_measured() -> None:
    assert len(OASDIFF_RULES) == 500
    assert OASDIFF_RULES["request-body-wrapped-in-one-of"] is Level.ERR
    assert OASDIFF_RULES["request-parameter-default-value-changed"] is Level.ERR
    for stem in ("max-length-set", "max-set", "min-set", "min-items-set"):
        for scope in ("request-parameter", "request-body", "request-property"):
            assert OASDIFF_RULES[f"{scope}-{stem}"] is Level.WARN, f"{scope}-{stem}"
    for rule_id in ("api-security-removed", "api-security-scope-added", "response-property-pattern-changed"):
        assert OASDIFF_RULES[rule_id] is Level.INFO, rule_id
    for rule_id in (
        "request-body-max-items-decreased",
        "request-property-max-items-set",
        "response-header-type-changed",
    ):
        assert rule_id not in OASDIFF_RULES


def test_only_ids_in_the_oasdiff_list_are_attributed_and_levels_come_from_it() -> None:
    for rule in RULES.values():
        if rule.oasdiff_id is not None:
            assert rule.oasdiff_id in OASDIFF_RULES, rule.rule_id
            assert rule.oasdiff_level is OASDIFF_RULES[rule.oasdiff_id]
        else:
            assert rule.rule_id not in OASDIFF_RULES, f"{rule.rule_id} is oasdiff's: attribute it"
    for rule_id in (
        "request-body-max-items-decreased",
        "request-property-max-items-decreased",
        "request-body-max-items-set",
        "request-property-max-items-set",
    ):
        assert RULES[rule_id].oasdiff_id is None


def test_every_difference_from_oasdiff_says_why_and_only_differences_do() -> None:
    for rule in RULES.values():
        differs = rule.oasdiff_id != rule.rule_id or rule.oasdiff_level is not rule.level
        assert bool(rule.reason) == differs, rule.rule_id


def test_the_level_differences_the_issue_found_are_shown_as_such() -> None:
    assert RULES["request-property-max-length-set"].oasdiff_level is Level.WARN
    assert RULES["api-security-removed"].oasdiff_level is Level.INFO
    assert RULES["response-body-any-of-added"].oasdiff_level is Level.INFO
    assert RULES["response-property-pattern-removed"].oasdiff_level is Level.INFO
    assert RULES["api-security-became-required"].oasdiff_id == "api-security-added"


@pytest.mark.parametrize(
    ("rule_id", "family"),
    [
        ("api-path-removed-before-sunset", Family.LIFECYCLE),
        ("api-path-removed-with-deprecation", Family.OPERATIONS),
        ("request-parameter-default-value-changed", Family.DEFAULTS),
        ("request-property-x-extensible-enum-value-removed", Family.ENUMS),
        ("response-header-type-changed", Family.HEADERS),
        ("response-required-property-became-not-write-only", Family.MUTABILITY),
        ("request-read-only-property-max-decreased", Family.MUTABILITY),
        ("api-operation-id-added", Family.METADATA),
        ("request-body-list-of-types-narrowed", Family.JSON_SCHEMA),
        ("request-body-wrapped-in-one-of", Family.COMPOSITION),
        ("request-parameter-exclusive-max-set", Family.BOUNDS),
        ("new-required-request-property", Family.EXISTENCE),
    ],
)
def test_families_follow_the_issue_vocabulary(rule_id: str, family: Family) -> None:
    assert family_of(rule_id) is family


def test_every_family_has_rules_in_the_catalogue() -> None:
    assert {rule.family for rule in RULES.values()} == set(Family)


def test_the_docs_rule_table_is_the_generated_one() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert rewrite(text) == text, "run: python -m conformance.diff.rule_table docs/drift-gate.md"


def test_the_table_shows_oasdiffs_level_with_the_reason_and_ours_only_rules() -> None:
    table = render_rule_table()
    assert "| `endpoint-added` | operations | INFO | same |" in table
    assert "| `request-property-max-length-set` | bounds | ERR | WARN: a new bound refuses" in table
    assert "| `api-security-became-required` | security | ERR | `api-security-added` INFO: oasdiff files" in table
    assert "| `request-body-max-items-set` | bounds | ERR | not in oasdiff: the pinned oasdiff list" in table
    assert f"| **all** | | **{len(RULES)}** | **{len(OASDIFF_RULES)}** |" in table


def test_the_rule_table_command_checks_and_rewrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "page.md"
    page.write_text(f"# Rules\n\n{START}\nstale\n{END}\n\nafter\n", encoding="utf-8")
    assert main(["--check", str(page)]) == 1
    assert "out of date" in capsys.readouterr().out
    assert main([str(page)]) == 0
    assert main(["--check", str(page)]) == 0
    assert page.read_text(encoding="utf-8").endswith(f"{END}\n\nafter\n")
    with pytest.raises(ValueError, match="no generated rule table"):
        rewrite("# no markers")


def test_a_rule_listed_twice_in_the_oasdiff_list_is_refused() -> None:
    with pytest.raises(ValueError, match="listed twice"):
        parse_rule_list("# header\nendpoint-added INFO\nendpoint-added ERR\n")


def test_levels_order_by_severity() -> None:
    assert Level.ERR.at_least(Level.WARN) and Level.WARN.at_least(Level.WARN)
    assert not Level.INFO.at_least(Level.WARN)
