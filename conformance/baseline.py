"""Baselines: accepted known failures, so CI gates only on new drift.

A baseline is a JSON file listing finding fingerprints (`spec|operation|check|title`, no generated data)
with a note each. Findings it lists are still reported, marked "known", but do not fail the run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from conformance.errors import BaselineError
from conformance.results import Finding

__all__ = ["BASELINE_VERSION", "Baseline"]

BASELINE_VERSION = 1


@dataclass
class Baseline:
    """Accepted findings, by fingerprint, with a free-text note each."""

    entries: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Baseline:
        """Read a baseline file; a missing or malformed file is a configuration error."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise BaselineError(f"Baseline {path} does not exist; create it with --update-baseline") from exc
        except (OSError, ValueError) as exc:
            raise BaselineError(f"Cannot read baseline {path}: {exc}") from exc
        if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION:
            raise BaselineError(f"{path}: expected a version {BASELINE_VERSION} baseline")
        entries = data.get("accepted", [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) and "fingerprint" in e for e in entries):
            raise BaselineError(f"{path}: 'accepted' must be a list of {{fingerprint, note}} objects")
        return cls({str(e["fingerprint"]): str(e.get("note", "")) for e in entries})

    @classmethod
    def from_findings(cls, findings: list[Finding]) -> Baseline:
        """A baseline accepting every given finding."""
        return cls({f.fingerprint: f"{f.received} / {f.documented}"[:200] for f in findings})

    def mark(self, findings: list[Finding]) -> list[Finding]:
        """The findings with `known` set for those the baseline accepts."""
        return [replace(f, known=f.fingerprint in self.entries) for f in findings]

    def save(self, path: Path) -> None:
        """Write the baseline, sorted, so diffs stay reviewable."""
        accepted = [{"fingerprint": key, "note": note} for key, note in sorted(self.entries.items())]
        path.write_text(json.dumps({"version": BASELINE_VERSION, "accepted": accepted}, indent=2) + "\n")
