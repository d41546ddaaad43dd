"""Failure kinds the harness adds to Schemathesis' own, each stating what was received and what is documented."""

from __future__ import annotations

from typing import ClassVar

from schemathesis.core.failures import Failure, Severity

__all__ = ["AdminNotEnforced", "AuthNotEnforced", "BehaviourViolation", "EnvelopeViolation", "HarnessFailure"]


class HarnessFailure(Failure):
    """A conformance failure found by one of the harness' checks."""

    code: ClassVar[str] = "CT900"
    kind_title: ClassVar[str] = "Contract check failed"
    default_severity: ClassVar[Severity] = Severity.HIGH
    __slots__ = ("documented", "received")

    def __init__(
        self,
        *,
        operation: str,
        received: str,
        documented: str,
        title: str | None = None,
        case_id: str | None = None,
        severity: Severity | None = None,
    ) -> None:
        super().__init__(
            operation=operation,
            title=title,
            message=f"Received: {received}\nDocumented: {documented}",
            case_id=case_id,
            severity=severity or self.default_severity,
        )
        self.received = received
        self.documented = documented

    @property
    def _unique_key(self) -> str:
        return f"{self.title}|{self.documented}"


class EnvelopeViolation(HarnessFailure):
    """A vendor envelope contradicts itself or the HTTP status it came with."""

    code: ClassVar[str] = "CT101"
    checks: ClassVar[tuple[str, ...]] = (
        "sysaid_status_envelope",
        "asapp_batch_error_count",
        "aisera_error_code",
        "alvaria_error_code",
    )
    kind_title: ClassVar[str] = "Vendor envelope is inconsistent"


class AuthNotEnforced(HarnessFailure):
    """A protected operation did not refuse missing, malformed or foreign credentials as documented."""

    code: ClassVar[str] = "CT401"
    checks: ClassVar[tuple[str, ...]] = ("auth_enforcement",)
    kind_title: ClassVar[str] = "Credentials not refused as documented"
    default_severity: ClassVar[Severity] = Severity.CRITICAL


class AdminNotEnforced(HarnessFailure):
    """An administrator-only operation served a non-administrator."""

    code: ClassVar[str] = "CT402"
    checks: ClassVar[tuple[str, ...]] = ("admin_role_enforcement",)
    kind_title: ClassVar[str] = "Admin-only operation served a non-admin"
    default_severity: ClassVar[Severity] = Severity.CRITICAL


class BehaviourViolation(HarnessFailure):
    """A schema-valid answer that breaks a behaviour the contract states (paging, ordering, roles, batches...)."""

    code: ClassVar[str] = "CT501"
    checks: ClassVar[tuple[str, ...]] = (
        "paging_honoured",
        "ordering_honoured",
        "role_dependent_fields",
        "identity_isolation",
        "batch_status",
        "long_operation_completes",
        "stream_framing",
        "stream_event_schema",
        "token_lifetime",
    )
    kind_title: ClassVar[str] = "Documented behaviour not followed"
