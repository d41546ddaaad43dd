"""The contracts read the same in every standard tool: no duplicate keys (which YAML loaders resolve silently, each
its own way) and no Spectral `spectral:oas` error.

Spectral is looked up in `$SPECTRAL`, then `.tools/spectral` (where `.ci/run` installs it), then on PATH; without it,
or without node, the Spectral test is skipped with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from contracts import SPECS_DIR, contract_names

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [*(SPECS_DIR / f"{name}.yaml" for name in contract_names()), ROOT / "mockserver" / "admin.yaml"]


class _StrictLoader(yaml.SafeLoader):
    """A YAML loader that refuses a mapping naming one key twice."""


def _no_duplicates(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise AssertionError(
                f"duplicate key {key!r} at line {key_node.start_mark.line + 1} (first at line {seen[key]})"
            )
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=True)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_no_mapping_names_a_key_twice(path: Path) -> None:
    yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)


def test_the_duplicate_key_check_catches_a_duplicate() -> None:
    with pytest.raises(AssertionError, match="duplicate key 'tags' at line 3"):
        yaml.load("get:\n  tags: [a]\n  tags: [b]\n", Loader=_StrictLoader)


def _spectral() -> str | None:
    candidates = [os.environ.get("SPECTRAL"), str(ROOT / ".tools" / "spectral" / "node_modules" / ".bin" / "spectral")]
    candidates.append(shutil.which("spectral"))
    return next((c for c in candidates if c and Path(c).is_file() and os.access(c, os.X_OK)), None)


SPECTRAL = _spectral()


@pytest.mark.skipif(
    shutil.which("node") is None or SPECTRAL is None,
    reason="Spectral is not installed (npm install --prefix .tools/spectral @stoplight/spectral-cli)",
)
@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_spectral_finds_no_error(path: Path, tmp_path: Path) -> None:
    ruleset = tmp_path / ".spectral.yaml"
    ruleset.write_text('extends: ["spectral:oas"]\n')
    assert SPECTRAL is not None
    done = subprocess.run(
        [SPECTRAL, "lint", "--ruleset", str(ruleset), "--format", "json", "--quiet", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    results = json.loads(done.stdout or "[]")
    errors = [f"{r['range']['start']['line'] + 1}: {r['code']}: {r['message']}" for r in results if r["severity"] == 0]
    assert errors == [], "\n".join(errors)


def test_openapi_core_accepts_every_documented_sysaid_stream_and_refuses_a_json_answer() -> None:
    """The stream is a string body with its events in `x-sse-events`, so a validating proxy (openapi-core, as
    `contract-mock proxy` uses) accepts a correct stream instead of demanding an object."""
    from openapi_core import OpenAPI
    from openapi_core.testing import MockRequest, MockResponse
    from openapi_core.validation.response.exceptions import DataValidationError

    from contracts import load_contract

    contract = load_contract("sysaid-copilot")
    assert contract.path is not None
    spec = OpenAPI.from_file_path(str(contract.path))
    operation = contract.operations["streamChat"]
    media = contract.resolve(operation.definition["responses"]["200"])["content"]["text/event-stream"]
    request = MockRequest("https://acme.sysaidit.com", "get", "/api/stream/abc")
    streams = [example["value"] for example in media["examples"].values()]
    assert streams
    for stream in streams:
        spec.validate_response(request, MockResponse(stream.encode(), content_type="text/event-stream"))
    with pytest.raises(DataValidationError):
        spec.validate_response(request, MockResponse(b"[1, 2]", status_code=200, content_type="application/json"))
