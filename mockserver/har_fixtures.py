"""From a recording to fixtures: `contract-mock fixtures-from-har traffic.har --spec NAME --out DIR`.

A recording (`contract-mock proxy --record`, or any HAR 1.2 file) is matched operation by operation against the
contract. The vendor module turns what it can use into fixture data (`fixture_from_exchanges(base, exchanges)`,
optional in the vendor interface), on top of a base fixture (the default one unless `--from DIR`): SysAid's datasets
and their records from dataset answers, Alvaria's agents and interactions from messaging calls. Everything else is
explained, never silently dropped: credentials are masked in a recording, so identities (apps, users, secrets) must
come from the base fixture; an API whose fixture holds identities only gets nothing from a recording. The result is
validated with the vendor's fixture schema before it is written.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

from contracts import Contract, Operation, load_contract, registration
from mockserver.errors import FixtureError, SettingsError
from mockserver.fixtures import load_fixture
from mockserver.vendors import Behaviour

__all__ = ["Draft", "Exchange", "draft_fixture", "exchanges_from_har"]


@dataclass(frozen=True)
class Exchange:
    """One recorded request and answer, matched to the operation it addresses."""

    operation: Operation
    variables: Mapping[str, str]
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    request: Any
    status: int
    response: Any

    @property
    def succeeded(self) -> bool:
        """A 2xx answer (SysAid's in-band errors are 200: callers check `status` in the body too)."""
        return 200 <= self.status < 300


@dataclass(frozen=True)
class Draft:
    """A fixture built from a recording, and what could not be used."""

    fixture: dict[str, Any]
    used: int
    notes: list[str]


def _json(text: Any) -> Any:
    if not isinstance(text, str) or not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _match(contract: Contract, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
    """The operation a recorded URL path addresses, allowing any base path in front of the contract's paths."""
    segments = path.split("/")
    for start in range(1, len(segments)):
        candidate = "/" + "/".join(segments[start:])
        template = contract.template_for(candidate)
        operation = contract.match(method, candidate)
        if operation is not None and template is not None:
            return operation, template.match(candidate) or {}
    return None


def exchanges_from_har(document: Mapping[str, Any], contract: Contract) -> tuple[list[Exchange], list[str]]:
    """The recording's exchanges that address the contract's operations, and a note for each that does not."""
    exchanges: list[Exchange] = []
    notes: list[str] = []
    for index, entry in enumerate(document.get("log", {}).get("entries", [])):
        request, response = entry.get("request", {}), entry.get("response", {})
        url = urlsplit(str(request.get("url", "")))
        found = _match(contract, str(request.get("method", "GET")), url.path)
        if found is None:
            notes.append(f"entry {index}: {request.get('method')} {url.path} is no operation of {contract.name}")
            continue
        operation, variables = found
        headers = {str(h.get("name", "")).lower(): str(h.get("value", "")) for h in request.get("headers", [])}
        exchanges.append(
            Exchange(
                operation=operation,
                variables=variables,
                query=parse_qs(url.query, keep_blank_values=True),
                headers=headers,
                request=_json((request.get("postData") or {}).get("text")),
                status=int(response.get("status") or 0),
                response=_json((response.get("content") or {}).get("text")),
            )
        )
    return exchanges, notes


def draft_fixture(har: Path, spec: str, base: Path) -> Draft:
    """A fixture for `spec`: the base fixture plus what the vendor module can take from the recording."""
    try:
        document = json.loads(har.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SettingsError(f"{har}: not a readable HAR file ({exc})") from exc
    contract = load_contract(spec)
    behaviour = Behaviour.load(spec)
    fixture = load_fixture(base, spec, dict(behaviour.fixture_schema))
    exchanges, notes = exchanges_from_har(document, contract)
    hook = getattr(behaviour.module, "fixture_from_exchanges", None)
    if hook is None:
        notes.append(
            f"{spec}: its fixtures hold identities and configuration only; a recording masks every credential, so it "
            f"cannot supply them: {len(exchanges)} exchange(s) matched, none usable; the base fixture is kept as it is"
        )
        return Draft(fixture, 0, notes)
    drafted, used, vendor_notes = hook(copy.deepcopy(fixture), exchanges)
    notes.extend(vendor_notes)
    import jsonschema

    errors = list(jsonschema.Draft202012Validator(behaviour.fixture_schema).iter_errors(drafted))
    if errors:
        raise FixtureError(f"{spec}: the drafted fixture does not match its schema: {errors[0].message}")
    if behaviour.validate_fixture is not None:
        behaviour.validate_fixture(drafted)
    return Draft(drafted, used, notes)


def write_draft(draft: Draft, spec: str, out: Path) -> Path:
    """Write `<out>/<spec>.yaml` (the folder is created)."""
    out.mkdir(parents=True, exist_ok=True)
    path = registration(spec).fixture_file(out)
    header = f"# Drafted by contract-mock fixtures-from-har: {draft.used} recorded exchange(s) used.\n"
    path.write_text(header + yaml.safe_dump(draft.fixture, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path
