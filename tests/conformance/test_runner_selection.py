"""Campaign selection: a stateful phase with nothing to chain is skipped with a note, not failed."""

from __future__ import annotations

from conformance import Campaign, Phase, RunSettings
from conformance.contracts import load_contract
from mockserver import Settings, create_app


def test_links_between_selected_operations_are_detected() -> None:
    contract = load_contract("sysaid-copilot")
    assert contract.has_links_within({"startChat", "getChat"})
    assert not contract.has_links_within({"deleteChat"})
    assert not contract.has_links_within({"getHealth", "getKobiDetails"})


def test_stateful_only_run_on_an_unlinked_selection_is_conformant_with_a_note() -> None:
    app = create_app(Settings(specs=("sysaid-copilot",)))
    settings = RunSettings(
        specs=("sysaid-copilot",), include_operations=("deleteChat",), phases=(Phase.STATEFUL,), seed=1
    )
    result = Campaign(settings, app=app).run()
    spec = result.specs[0]
    assert spec.errors == []
    assert result.exit_code == 0
    assert "stateful phase skipped: no declared link between the selected operations" in spec.notes


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
