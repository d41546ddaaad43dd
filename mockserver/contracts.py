"""The five vendor contracts: where they are, and what each operation declares.

The contracts in `specs/` are the single source of truth. In a source checkout they are read from the repository;
an installed wheel carries a copy under `mockserver/_data/`.
"""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "FIXTURES_DIR",
    "SPECS_DIR",
    "SPEC_NAMES",
    "Contract",
    "Operation",
    "load_contract",
    "snake_case",
]

_PACKAGE = Path(__file__).resolve().parent
_DATA = _PACKAGE / "_data"


def _locate(relative: str) -> Path:
    """The repository copy when running from a checkout, else the packaged copy."""
    checkout = _PACKAGE.parent / relative
    return checkout if checkout.exists() else _DATA / relative


SPECS_DIR = _locate("specs")
FIXTURES_DIR = _locate("fixtures/default")

SPEC_NAMES: tuple[str, ...] = (
    "aisera-ingestion",
    "aisera-conversation",
    "sysaid-copilot",
    "asapp-metadata-ingestion",
    "alvaria-messaging",
)

_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when available: five times faster at start-up than the pure-Python one."""

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def snake_case(name: str) -> str:
    """`sendText` -> `send_text`: the handler name for an operationId."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


@dataclass(frozen=True)
class Operation:
    """One operation of a contract, with what it declares."""

    spec: str
    operation_id: str
    method: str
    path: str
    definition: dict[str, Any]
    protected: bool

    def response(self, status: int) -> dict[str, Any] | None:
        """The declared response for a status (exact, then `4XX`, then `default`), with $refs resolved."""
        responses: dict[str, Any] = self.definition.get("responses", {})
        for key in (str(status), f"{status // 100}XX", "default"):
            if key in responses:
                return responses[key]  # type: ignore[no-any-return]
        return None

    def declares(self, status: int) -> bool:
        """Whether the contract lets this operation answer with `status`."""
        return self.response(status) is not None

    def media_type(self, status: int) -> str | None:
        """The first media type declared for a status; None when the response has no body."""
        response = self.response(status)
        if not response or not response.get("content"):
            return None
        return str(next(iter(response["content"])))


@dataclass
class Contract:
    """A loaded contract with $refs resolved for lookups (the raw document is kept for Connexion)."""

    name: str
    document: dict[str, Any]
    operations: dict[str, Operation] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """The contract's title."""
        return str(self.document.get("info", {}).get("title", self.name))

    def templates_for(self, path: str) -> list[str]:
        """Path templates addressing a concrete path: the most specific ones (fewest templated segments), as
        OpenAPI gives concrete paths precedence over templated ones."""
        matches = [t for t in {op.path for op in self.operations.values()} if _template_pattern(t).match(path)]
        fewest = min((t.count("{") for t in matches), default=0)
        return sorted(t for t in matches if t.count("{") == fewest)

    def methods_at(self, path: str) -> list[str]:
        """Methods the contract declares for a concrete path (for `Allow`)."""
        matched = set(self.templates_for(path))
        return sorted({op.method for op in self.operations.values() if op.path in matched})

    def match(self, method: str, path: str) -> Operation | None:
        """The operation a method and concrete path address, if the contract declares one."""
        matched = set(self.templates_for(path))
        candidates = [op for op in self.operations.values() if op.path in matched and op.method == method.upper()]
        return min(candidates, key=lambda op: op.path.count("{"), default=None)

    def operation(self, operation_id: str | None) -> Operation | None:
        """An operation by id (None for None or an unknown id)."""
        return self.operations.get(operation_id) if operation_id else None


@functools.cache
def _template_pattern(template: str) -> re.Pattern[str]:
    """`/a/{id}` as a regex for concrete paths (a segment may hold any character but `/`, newlines included)."""
    return re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$")


def _resolve(node: Any, root: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """Inline local $refs (cycles are left as $ref)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            if ref in seen:
                return node
            target: Any = root
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            return _resolve(target, root, (*seen, ref))
        return {key: _resolve(value, root, seen) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(item, root, seen) for item in node]
    return node


@functools.cache
def _read(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        document = yaml.load(handle, Loader=_YAML_LOADER)
    if not isinstance(document, dict):
        raise ValueError(f"{path}: not an OpenAPI document")
    return document


def load_contract(name: str, specs_dir: Path | None = None) -> Contract:
    """Load `specs/<name>.yaml` (a fresh deep copy each call, safe to modify)."""
    if name not in SPEC_NAMES:
        raise LookupError(f"unknown contract {name!r}; known: {', '.join(SPEC_NAMES)}")
    path = (specs_dir or SPECS_DIR) / f"{name}.yaml"
    document = copy.deepcopy(_read(path))
    resolved = _resolve(document, document)
    default_security = resolved.get("security", [])
    contract = Contract(name=name, document=document)
    for path_name, item in resolved.get("paths", {}).items():
        for method in HTTP_METHODS:
            if method not in item:
                continue
            definition = item[method]
            security = definition.get("security", default_security)
            operation = Operation(
                spec=name,
                operation_id=definition["operationId"],
                method=method.upper(),
                path=path_name,
                definition=definition,
                protected=any(requirement for requirement in security),
            )
            contract.operations[operation.operation_id] = operation
    return contract
