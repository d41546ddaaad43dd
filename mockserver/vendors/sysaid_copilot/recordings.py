"""Fixture data from a recording (`contract-mock fixtures-from-har`): the datasets an organization's answers listed
and the records its dataset queries returned, added to the base fixture of the organization whose
`x-sysaid-hostname` the calls carried. Users and sessions cannot come from a recording: the cookies are masked."""

from __future__ import annotations

from typing import Any

import jsonschema

from mockserver.vendors.sysaid_copilot.fixture_schema import FIXTURE_SCHEMA

__all__ = ["fixture_from_exchanges"]

_DATASET = FIXTURE_SCHEMA["properties"]["organizations"]["additionalProperties"]["properties"]["datasets"]["items"]
_RECORD = _DATASET["properties"]["records"]["items"]


def _fields(value: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    properties = schema["properties"]
    return {
        key: item
        for key, item in value.items()
        if key in properties and key not in ("records", "items") and item is not None
    }


def _valid(value: dict[str, Any], schema: dict[str, Any]) -> bool:
    return bool(jsonschema.Draft202012Validator(schema).is_valid(value))


def fixture_from_exchanges(base: dict[str, Any], exchanges: list[Any]) -> tuple[dict[str, Any], int, list[str]]:
    """Datasets and records seen in successful in-band answers, merged into the base fixture."""
    by_host = {org["hostname"]: org for org in base["organizations"].values()}
    first_name, first = next(iter(base["organizations"].items()))
    used, notes, skipped, guessed = 0, [], 0, 0
    for exchange in exchanges:
        answer = exchange.response if isinstance(exchange.response, dict) else {}
        if not exchange.succeeded or answer.get("status") != "ok":
            continue
        hostname = exchange.headers.get("x-sysaid-hostname", "").lower()
        org = by_host.get(hostname)
        if org is None and hostname in ("", "[masked]"):
            org, guessed = first, guessed + 1  # the proxy masks the hostname, a credential of this API
        if org is None:
            notes.append(f"{exchange.operation.operation_id}: no organization of the base fixture has {hostname}")
            continue
        datasets = {dataset["id"]: dataset for dataset in org.setdefault("datasets", [])}
        operation = exchange.operation.operation_id
        found = answer.get("datasets") if operation == "listDatasets" else [answer.get("dataset")]
        if operation in ("listDatasets", "getDataset"):
            for dataset in (item for item in found or [] if isinstance(item, dict)):
                merged = {**datasets.get(dataset.get("id"), {}), **_fields(dataset, _DATASET)}
                if not _valid({**merged, "records": [], "items": []}, _DATASET):
                    skipped += 1
                    continue
                if dataset.get("id") not in datasets:
                    org["datasets"].append(merged)
                else:
                    datasets[dataset["id"]].update(merged)
                used += 1
        elif operation == "queryDatasetRecords":
            target = datasets.get(int(exchange.variables.get("datasetId", "0") or 0))
            if target is None:
                notes.append(
                    f"records of dataset {exchange.variables.get('datasetId')}: the dataset itself was not recorded"
                )
                continue
            records = {record["id"]: record for record in target.setdefault("records", [])}
            for record in (item for item in answer.get("records") or [] if isinstance(item, dict)):
                fields = _fields(record, _RECORD)
                if not _valid(fields, _RECORD):
                    skipped += 1
                    continue
                records[fields["id"]] = {**records.get(fields["id"], {}), **fields}
            target["records"] = list(records.values())
            used += 1
    if guessed:
        notes.append(
            f"{guessed} exchange(s) carried no usable x-sysaid-hostname (masked in recordings): their data went to "
            f"organization {first_name!r}, the base fixture's first; move it if it belongs to another"
        )
    if skipped:
        notes.append(f"{skipped} recorded dataset(s) or record(s) left out: not in the shape the fixture takes")
    notes.append("users and sessions come from the base fixture: a recording masks the login cookies")
    return base, used, notes
