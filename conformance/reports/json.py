"""JSON report: everything a tool needs to post-process a run."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from conformance.results import RunResult, SpecResult

__all__ = ["REPORT_VERSION", "to_json", "write_json"]

REPORT_VERSION = 2


def _spec(spec: SpecResult, fail_on_unobserved: bool) -> dict[str, Any]:
    coverage = {
        label: {
            "operation_id": op.operation_id,
            "documented": {status: list(media) for status, media in op.documented.items()},
            "observed": {str(status): sorted(media) for status, media in sorted(op.observed.items())},
            "undocumented_statuses": op.undocumented(),
        }
        for label, op in spec.coverage.operations.items()
    }
    return {
        "spec": spec.spec,
        "base_url": spec.base_url,
        "seed": spec.seed,
        "duration_seconds": round(spec.duration, 3),
        "cases": spec.cases,
        "counts": asdict(spec.counts),
        "cases_per_second": round(spec.cases_per_second, 2),
        "verdict": spec.verdict(fail_on_unobserved).value,
        "untested": spec.untested,
        "stop_reason": spec.stop_reason,
        "notes": spec.notes,
        "errors": [{**asdict(group), "kind": group.kind.value} for group in spec.errors],
        "suppressed_false_positives": spec.suppressed,
        "findings": [{**asdict(f), "checks": list(f.checks), "fingerprint": f.fingerprint} for f in spec.findings],
        "checks": {label: sorted(names) for label, names in sorted(spec.checks_run.items())},
        "coverage": coverage,
        "unobserved": [asdict(item) for item in spec.coverage.unobserved()],
    }


def to_json(result: RunResult) -> dict[str, Any]:
    """The report as plain data."""
    return {
        "version": REPORT_VERSION,
        "exit_code": result.exit_code,
        "verdict": result.verdict.value,
        "fail_on_unobserved": result.fail_on_unobserved,
        "specs": [_spec(spec, result.fail_on_unobserved) for spec in result.specs],
    }


def write_json(result: RunResult, path: Path) -> None:
    """Write the JSON report."""
    path.write_text(json.dumps(to_json(result), indent=2, sort_keys=False) + "\n", encoding="utf-8")
