"""Fixture folders: one YAML file per vendor, validated against that vendor's schema, then seeded into the store.

Seeding replaces the vendors' state in one transaction: a reset or a fixture load under live traffic is atomic
(writers wait for it, and no request sees a half-seeded server), and a bad folder changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema
import yaml

from contracts import registration
from mockserver.errors import FixtureError

if TYPE_CHECKING:
    from mockserver.runtime import Runtime

__all__ = ["KEEP_ON_RESET", "SEEDED", "load_fixture", "seed_all"]

SEEDED = ("__meta", "seeded")
"""Collection and id of the marker saying the store holds seeded state."""

KEEP_ON_RESET = ("__faults", "__meta", "__overrides")
"""Collections a reset does not touch (they describe the server, not the vendor's data; the journal is apart)."""

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_fixture(folder: Path, spec: str, schema: dict[str, Any]) -> dict[str, Any]:
    """Read and validate `<folder>/<spec>.yaml` against the vendor's fixture schema."""
    path = registration(spec).fixture_file(folder)
    if not path.is_file():
        raise FixtureError(f"{path}: missing fixture file for {spec}")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise FixtureError(f"{path}: not valid YAML: {exc}") from exc
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        where = "/".join(str(part) for part in first.absolute_path) or "(top level)"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise FixtureError(f"{path}: at {where}: {first.message}{more}")
    return data  # type: ignore[no-any-return]


async def seed_all(rt: Runtime, folder: Path) -> None:
    """Replace the vendors' state with the fixtures in `folder`, atomically (validated first)."""
    if not folder.is_dir():
        raise FixtureError(f"{folder}: fixtures folder does not exist")
    loaded = {spec: load_fixture(folder, spec, dict(rt.behaviours[spec].fixture_schema)) for spec in rt.contracts}
    for spec, data in loaded.items():
        check = rt.behaviours[spec].validate_fixture
        if check is not None:
            check(data)  # raises FixtureError before anything is cleared
    async with rt.store.transaction():
        await rt.store.clear(keep=KEEP_ON_RESET)
        for spec, data in loaded.items():
            await rt.behaviours[spec].seed(rt.store, data)
        await rt.store.put(*SEEDED, {"fixtures": str(folder)})
