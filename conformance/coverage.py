"""Which documented responses (status code and media type) each operation was observed to send.

Schemathesis does not report documented-but-never-seen responses (its issues #1147, #1414); this module
does, per operation, from every exchange of the run including the harness' own probes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from contracts import Contract

__all__ = ["EXEMPT_STATUSES", "CoverageReport", "OperationCoverage", "Unobserved", "normalize_media_type"]

# Documented statuses a conformant server is not expected to produce under a default run; reported, but
# `--fail-on-unobserved` does not fail on them.
EXEMPT_STATUSES = {
    "500": "an internal error: a conformant server never sends it",
    "503": "sent only when the service is unavailable (fault injection)",
    "429": "sent only when rate limits are enforced (mock --vendor-limits, live quotas)",
    "413": "needs a body above the server's size limit; the harness never sends one",
    "default": "a catch-all, not a specific response",
}


def normalize_media_type(value: str | None) -> str:
    """`Application/JSON; charset=utf-8` -> `application/json`; empty when absent."""
    return (value or "").split(";")[0].strip().lower()


def _matches(documented: str, observed: str) -> bool:
    if documented in ("*/*", observed):
        return True
    major, _, minor = documented.partition("/")
    return minor == "*" and observed.startswith(f"{major}/")


def _status_matches(key: str, status: int) -> bool:
    if key.isdigit():
        return int(key) == status
    return len(key) == 3 and key[1:].upper() == "XX" and str(status)[0] == key[0]


@dataclass(frozen=True)
class Unobserved:
    """A documented response never seen; `media_type` empty means the status itself was never seen."""

    operation: str
    status: str
    media_type: str
    exempt_reason: str | None


@dataclass
class OperationCoverage:
    """Documented versus observed responses of one operation."""

    operation: str
    operation_id: str
    documented: dict[str, tuple[str, ...]]
    observed: dict[int, set[str]] = field(default_factory=dict)

    def record(self, status: int, media_type: str) -> None:
        """Note one observed response."""
        self.observed.setdefault(status, set()).add(normalize_media_type(media_type))

    def was_observed(self, key: str, media_type: str | None = None) -> bool:
        """Whether a documented status (and optionally media type) was seen."""
        for status, media_types in self.observed.items():
            if _status_matches(key, status) and (
                media_type is None or any(_matches(media_type, seen) for seen in media_types)
            ):
                return True
        return False

    def unobserved(self) -> Iterable[Unobserved]:
        """Documented statuses never seen, then documented media types never seen with a seen status."""
        for key, media_types in self.documented.items():
            reason = EXEMPT_STATUSES.get(key)
            if not self.was_observed(key):
                yield Unobserved(self.operation, key, "", reason)
                continue
            for media_type in media_types:
                if not self.was_observed(key, media_type):
                    yield Unobserved(self.operation, key, media_type, reason)

    def undocumented(self) -> list[int]:
        """Observed statuses the operation does not document (Schemathesis reports these as failures)."""
        return sorted(s for s in self.observed if not any(_status_matches(k, s) for k in self.documented))


@dataclass
class CoverageReport:
    """Coverage of every operation of one contract."""

    operations: dict[str, OperationCoverage] = field(default_factory=dict)

    @classmethod
    def for_contract(cls, contract: Contract, labels: Iterable[str] | None = None) -> CoverageReport:
        """An empty report listing each selected operation's documented responses."""
        selected = set(labels) if labels is not None else None
        report = cls()
        for info in contract:
            if selected is not None and info.label not in selected:
                continue
            documented = {
                key: tuple(normalize_media_type(media) for media in response.content)
                for key, response in info.responses.items()
            }
            report.operations[info.label] = OperationCoverage(info.label, info.operation_id, documented)
        return report

    def record(self, operation: str, status: int, media_type: str | None) -> None:
        """Note a response of an operation (ignored for operations outside the report)."""
        coverage = self.operations.get(operation)
        if coverage is not None:
            coverage.record(status, media_type or "")

    def unobserved(self) -> list[Unobserved]:
        """Every documented response never observed, in document order."""
        return [item for coverage in self.operations.values() for item in coverage.unobserved()]

    def failing(self) -> list[Unobserved]:
        """The unobserved responses `--fail-on-unobserved` fails on."""
        return [item for item in self.unobserved() if item.exempt_reason is None]

    def all_statuses(self) -> list[str]:
        """Every documented status key across operations, sorted, for the coverage matrix columns."""
        keys = {key for coverage in self.operations.values() for key in coverage.documented}
        return sorted(keys, key=lambda key: (not key[0].isdigit(), key))
