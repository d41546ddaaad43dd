"""Folding Schemathesis engine events into a `SpecResult`: findings, coverage, case counts, checks that ran, errors.

Findings are root causes: every check one answer tripped is folded into one finding, named after the most basic
check (a 500 is a server error first; its undocumented status and body follow from it). Errors are folded too:
identical errors (the same transport failure on every request, say) are one entry with a count.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from schemathesis.engine import Status, events

from conformance.answers import decode_body
from conformance.context import CampaignContext
from conformance.coverage import CoverageReport
from conformance.describe import describe
from conformance.redaction import Redactor
from conformance.refusals import NOT_LOGGED_IN, documented_refusal
from conformance.results import ErrorKind, Exchange, Finding, SpecResult
from conformance.safety import DeadlineReached
from conformance.transport import describe_transport_error, is_transport_error
from contracts import Contract

if TYPE_CHECKING:
    from schemathesis import Case
    from schemathesis.core.failures import Failure
    from schemathesis.core.transport import Response
    from schemathesis.engine.recorder import CheckNode, Interaction, ScenarioRecorder

__all__ = ["ROOT_CAUSE_ORDER", "Collector"]

MAX_BODY = 4000
REFUSALS = frozenset({401, 403})
# Which check names a root cause when one answer trips several: the most basic defect first.
ROOT_CAUSE_ORDER = (
    "not_a_server_error",
    "token_endpoint",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)


def _flat(headers: dict[str, list[str]]) -> dict[str, str]:
    return {key: ", ".join(values) for key, values in headers.items()}


def _text(payload: bytes | None) -> str | None:
    if payload is None:
        return None
    text = payload.decode("utf-8", errors="replace")
    return text if len(text) <= MAX_BODY else text[:MAX_BODY] + f"... ({len(text)} characters)"


def _rank(check: CheckNode) -> int:
    return ROOT_CAUSE_ORDER.index(check.name) if check.name in ROOT_CAUSE_ORDER else len(ROOT_CAUSE_ORDER)


class Collector:
    """Accumulates one contract's results from the engine's event stream."""

    def __init__(
        self,
        contract: Contract,
        result: SpecResult,
        redactor: Redactor,
        labels: set[str],
        context: CampaignContext | None = None,
    ) -> None:
        self.contract = contract
        self.result = result
        self.redact = redactor
        self.context = context
        self.result.coverage = CoverageReport.for_contract(contract, labels)
        self._seen: set[tuple[str, str, str, str]] = set()

    def feed(self, event: events.EngineEvent) -> None:
        """Take one engine event into account."""
        if isinstance(event, events.ScenarioFinished) and event.is_test_scenario:
            self._scenario(event.recorder, str(event.phase.value))
        elif isinstance(event, events.FuzzScenarioFinished):
            self._scenario(event.recorder, "fuzz")
        elif isinstance(event, events.NonFatalError):
            self._error(event)
        elif isinstance(event, events.FatalError):
            self.result.add_error(ErrorKind.HARNESS, self.redact(f"fatal engine error: {event.exception}"))
        elif isinstance(event, events.EngineFinished):
            self.result.stop_reason = str(event.stop_reason.value)
            self.result.duration = event.running_time

    def _error(self, event: events.NonFatalError) -> None:
        error = event.value
        operation = event.label if event.related_to_operation else None
        if isinstance(error, DeadlineReached) or isinstance(error.__cause__, DeadlineReached):
            self.result.stop_reason = "max_time"
        elif is_transport_error(error):
            self.result.add_error(ErrorKind.TRANSPORT, describe_transport_error(error), operation)
        else:
            message = self.redact(f"{event.info.title}: {event.info.message}")
            self.result.add_error(ErrorKind.ENGINE, message, operation)

    def _scenario(self, recorder: ScenarioRecorder, phase: str) -> None:
        counts = self.result.counts
        authenticated = self.context.authenticated if self.context is not None else set()
        probes = self.context.probes if self.context is not None else set()
        for case_id, node in recorder.cases.items():
            counts.sent += 1
            interaction = recorder.interactions.get(case_id)
            if interaction is None or interaction.response is None:
                continue
            response = interaction.response
            counts.answered += 1
            counts.judged += bool(recorder.checks.get(case_id)) or case_id in probes
            counts.not_found += response.status_code == 404
            case = node.value
            # An undeclared-method probe's 405 says nothing about the operation, nor about the credentials.
            if str(case.method).upper() != str(case.operation.method).upper():
                continue
            if case_id in authenticated:
                counts.authenticated += 1
                counts.refused += response.status_code in REFUSALS or self._refused_in_band(case, response)
            media = (response.headers.get("content-type") or [""])[0]
            self.result.coverage.record(case.operation.label, response.status_code, media)
        by_answer: dict[str, list[CheckNode]] = {}
        labels: dict[str, str] = {}
        for case_id, checks in recorder.checks.items():
            parent = recorder.cases.get(case_id)
            label = parent.value.operation.label if parent is not None else recorder.label
            for check in checks:
                self.result.checks_run.setdefault(label, set()).add(check.name)
                if check.status == Status.FAILURE and check.failure_info is not None:
                    failure = check.failure_info.failure
                    target = failure.case_id if failure.case_id in recorder.cases else case_id
                    by_answer.setdefault(target, []).append(check)
                    labels.setdefault(target, label)
        for target, failed in by_answer.items():
            self._finding(recorder, target, labels[target], sorted(failed, key=_rank), phase)
        self._deferred(recorder, phase)

    def _deferred(self, recorder: ScenarioRecorder, phase: str) -> None:
        """Judge the failures about probes of this scenario, now that their answers are known."""
        context = self.context
        if context is None:
            return
        with context.lock:
            ready = {probe: context.deferred.pop(probe) for probe in list(context.deferred) if probe in recorder.cases}
        for probe, deferred in ready.items():
            interaction = recorder.interactions.get(probe)
            response = interaction.response if interaction is not None else None
            if response is not None and deferred.resolve(self.contract, response):
                with context.lock:
                    context.suppressed[deferred.entry.id] += 1
                continue
            curl = recorder.cases[probe].value.as_curl_command()
            label = deferred.case.operation.label
            self._add(recorder, probe, label, deferred.entry.check, deferred.failure, (curl,), (), phase)

    def unjudged(self) -> list[str]:
        """Notes for failures about probes whose answers no finished scenario recorded (the engine stopped first)."""
        if self.context is None or not self.context.deferred:
            return []
        with self.context.lock:
            left = list(self.context.deferred.values())
            self.context.deferred.clear()
        return [
            f"not judged: {item.entry.check} on {item.case.operation.label} ({item.failure.title}); the engine "
            "stopped before the probe's answer was recorded"
            for item in left
        ]

    def _refused_in_band(self, case: Case[Any], response: Response) -> bool:
        """Whether an answer is the refusal the operation documents for a caller not logged in (`x-refusals`)."""
        operation = self.contract.by_label.get(case.operation.label)
        refusal = documented_refusal(operation, NOT_LOGGED_IN) if operation is not None else None
        return refusal is not None and refusal.matches(response.status_code, *decode_body(response))

    def _finding(
        self, recorder: ScenarioRecorder, target: str, label: str, checks: Iterable[CheckNode], phase: str
    ) -> None:
        check, *others = checks
        assert check.failure_info is not None
        steps = tuple(step.curl for step in check.failure_info.steps) or (check.failure_info.code_sample,)
        also = tuple(dict.fromkeys(other.name for other in others if other.name != check.name))
        self._add(recorder, target, label, check.name, check.failure_info.failure, steps, also, phase)

    def _add(
        self,
        recorder: ScenarioRecorder,
        target: str,
        label: str,
        check: str,
        failure: Failure,
        steps: tuple[str, ...],
        also: tuple[str, ...],
        phase: str,
    ) -> None:
        """One finding: the answer `target` got, judged by `check` (the root cause), and the checks it also broke."""
        operation_label = recorder.cases[target].value.operation.label if target in recorder.cases else label
        # The harness' own failures differ by what they document (one per spoiled credential, say).
        key = (operation_label, check, failure.code, f"{failure.title}|{getattr(failure, 'documented', '')}")
        if key in self._seen:
            return
        self._seen.add(key)
        interaction = recorder.interactions.get(target)
        response = interaction.response if interaction is not None else None
        info = self.contract.by_label.get(operation_label)
        media = (response.headers.get("content-type") or [""])[0] if response is not None else None
        body = _text(response.content) if response is not None else None
        received, documented = describe(
            failure, response.status_code if response else None, media, self.redact(body or ""), info
        )
        self.result.findings.append(
            Finding(
                spec=self.result.spec,
                operation=operation_label,
                operation_id=info.operation_id if info else operation_label,
                check=check,
                title=self.redact(failure.title),
                received=self.redact(received),
                documented=self.redact(documented),
                curl=tuple(self.redact(step) for step in steps),
                seed=self.result.seed,
                phase=phase,
                exchange=self._exchange(interaction, response),
                also=also,
            )
        )

    def _exchange(self, interaction: Interaction | None, response: Response | None) -> Exchange | None:
        if interaction is None:
            return None
        request = interaction.request
        return Exchange(
            method=request.method,
            url=self.redact(request.uri),
            request_headers={k: self.redact(v) for k, v in _flat(request.headers).items()},
            request_body=self.redact(_text(request.body) or "") or None,
            status=response.status_code if response is not None else None,
            response_headers={k: self.redact(v) for k, v in _flat(response.headers).items()} if response else {},
            response_body=self.redact(_text(response.content) or "") or None if response else None,
        )
