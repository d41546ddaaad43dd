"""Fixture folders: one YAML file per vendor, validated against that vendor's schema, then seeded into the store."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema
import yaml

from mockserver.errors import FixtureError
from mockserver.vendors import vendor_module

if TYPE_CHECKING:
    from mockserver.runtime import Runtime

__all__ = ["SEEDED", "load_fixture", "seed_all"]

SEEDED = ("__meta", "seeded")
"""Collection and id of the marker saying the store holds seeded state."""

KEEP_ON_RESET = ("__journal", "__faults", "__meta")
"""Collections a reset does not touch (they describe the server, not the vendor's data)."""


def load_fixture(folder: Path, spec: str) -> dict[str, Any]:
    """Read and validate `<folder>/<spec>.yaml`."""
    path = folder / f"{spec}.yaml"
    if not path.is_file():
        raise FixtureError(f"{path}: missing fixture file for {spec}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise FixtureError(f"{path}: not valid YAML: {exc}") from exc
    schema = vendor_module(spec).FIXTURE_SCHEMA
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        where = "/".join(str(part) for part in first.absolute_path) or "(top level)"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise FixtureError(f"{path}: at {where}: {first.message}{more}")
    return data  # type: ignore[no-any-return]


def seed_all(rt: Runtime, folder: Path) -> None:
    """Replace the vendors' state with the fixtures in `folder` (validated first, so a bad folder changes nothing)."""
    if not folder.is_dir():
        raise FixtureError(f"{folder}: fixtures folder does not exist")
    loaded = {spec: load_fixture(folder, spec) for spec in rt.contracts}
    for spec, data in loaded.items():
        check = getattr(vendor_module(spec), "validate_fixture", None)
        if check is not None:
            check(data)  # raises FixtureError before anything is cleared
    rt.store.clear(keep=KEEP_ON_RESET)
    for spec, data in loaded.items():
        vendor_module(spec).seed(rt.store, data)
    rt.store.put(*SEEDED, {"fixtures": str(folder)})
