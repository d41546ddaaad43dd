"""Campaign selection: a stateful phase with nothing to chain is skipped with a note, not failed."""

from __future__ import annotations

from conformance import Campaign, Phase, RunSettings
from contracts import load_contract
from mockserver import Settings, create_app


def test_links_between_selected_operations_are_detected() -> None:
    contract = load_contract("sysaid-copilot")
    assert contract.has_links_within({"startChat", "getChat"})
    assert not contract.has_links_within({"deleteChat"})
    assert not contract.has_links_within({"getHealth", "getKobiDetails"})


def test_stateful_only_run_on_an_unlinked_selection_is_not_tested_with_a_note() -> None:
    """Nothing to chain and no workflow: no request reached an operation, so a note and never "conformant"."""
    app = create_app(Settings(specs=("asapp-metadata-ingestion",)))
    settings = RunSettings(
        specs=("asapp-metadata-ingestion",), include_operations=("manyAgentMetadata",), phases=(Phase.STATEFUL,)
    )
    result = Campaign(settings.with_changes(seed=1), app=app).run()
    spec = result.specs[0]
    assert spec.errors == []
    assert "stateful phase skipped: no declared link between the selected operations" in spec.notes
    assert result.exit_code == 2
    assert spec.untested == "no request was sent, so nothing was tested"


def test_an_unlinked_stateful_selection_still_runs_the_workflows() -> None:
    app = create_app(Settings(specs=("sysaid-copilot",)))
    settings = RunSettings(
        specs=("sysaid-copilot",), include_operations=("deleteChat",), phases=(Phase.STATEFUL,), seed=1
    )
    result = Campaign(settings, app=app).run()
    spec = result.specs[0]
    assert "stateful phase skipped: no declared link between the selected operations" in spec.notes
    assert spec.counts.judged > 0, "the chat lifecycle and escalation workflows sent and judged requests"
    assert result.exit_code == 0


def test_undeclared_method_probes_do_not_count_as_the_operations_responses() -> None:
    app = create_app(Settings(specs=("alvaria-messaging",)))
    settings = RunSettings(
        specs=("alvaria-messaging",),
        include_operations=("getStreamingEvents",),
        phases=(Phase.COVERAGE,),
        seed=1,
    )
    result = Campaign(settings, app=app).run()
    spec = result.specs[0]
    assert "undeclared methods probed: none" not in spec.notes  # probes were sent (loopback)...
    operation = spec.coverage.operations["GET /via/v2/organizations/{orgId}/streaming/events"]
    assert operation.undocumented() == []  # ...and their 405s were not taken for the operation's own answers
