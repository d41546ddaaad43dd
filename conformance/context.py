"""The state one campaign shares with its Schemathesis checks and hooks.

Checks are global functions called by Schemathesis with a case; they find their campaign here, keyed by
the loaded schema document, so several campaigns (or a pytest session) can coexist in one process and a
schema the harness did not load is left alone.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from conformance.auth.base import AuthProfile
from conformance.redaction import Redactor
from conformance.results import Finding
from contracts import Contract, Operation

if TYPE_CHECKING:
    from schemathesis import Case

    from conformance.false_positives import Deferred
    from conformance.vendors import VendorProfile

__all__ = ["CampaignContext", "bind", "context_for", "unbind"]


@dataclass
class CampaignContext:
    """What checks need to know about the campaign a case belongs to."""

    spec: str
    contract: Contract
    profile: AuthProfile | None
    redactor: Redactor
    vendor: VendorProfile | None = None
    """The contract's vendor profile (envelope rules, vendor false positives), None for an unregistered contract."""
    # Operations whose credential handling was already probed: enforcement is a property of the operation.
    enforced: set[str] = field(default_factory=set)
    admin_checked: set[str] = field(default_factory=set)
    # Behaviour checks that replay or poll once (or a few times) per operation.
    isolated: set[str] = field(default_factory=set)
    role_replays: dict[str, int] = field(default_factory=dict)
    polled: set[str] = field(default_factory=set)
    # How often each known false positive was suppressed, by its id.
    suppressed: Counter[str] = field(default_factory=Counter)
    # Failures about a probe's answer, by probe case id, until the collector has that answer.
    deferred: dict[str, Deferred] = field(default_factory=dict)
    # Ids of the cases the profile put credentials on, and of the harness' own probe requests.
    authenticated: set[str] = field(default_factory=set)
    probes: set[str] = field(default_factory=set)
    # Findings made outside Schemathesis' checks while the engine ran (a token endpoint that broke mid-run).
    findings: list[Finding] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def operation_for(self, case: Case[Any]) -> Operation | None:
        """The contract's view of the operation a case targets."""
        return self.contract.by_label.get(case.operation.label)

    def remember(self, seen: set[str], key: str) -> None:
        """Record `key` in `seen` (thread-safe)."""
        with self.lock:
            seen.add(key)

    def first_time(self, seen: set[str], key: str) -> bool:
        """Atomically record `key` in `seen`; True only for the first caller."""
        with self.lock:
            if key in seen:
                return False
            seen.add(key)
            return True


_REGISTRY: dict[int, tuple[Any, CampaignContext]] = {}
_LOCK = threading.Lock()


def bind(raw_schema: Any, context: CampaignContext) -> None:
    """Attach a campaign to a loaded schema document (kept alive until `unbind`)."""
    with _LOCK:
        _REGISTRY[id(raw_schema)] = (raw_schema, context)


def unbind(raw_schema: Any) -> None:
    """Detach the campaign of a schema document."""
    with _LOCK:
        _REGISTRY.pop(id(raw_schema), None)


def context_for(case: Case[Any]) -> CampaignContext | None:
    """The campaign a case belongs to, or None for schemas the harness did not load."""
    entry = _REGISTRY.get(id(case.operation.schema.raw_schema))
    return entry[1] if entry is not None else None
