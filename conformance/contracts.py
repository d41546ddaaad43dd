"""Locating the vendor contracts (`specs/*.yaml`) and reading what the harness needs from them.

Contracts are found in the repository checkout (`<repo>/specs`) or, for an installed wheel, in the package
data `mockserver/_data/specs`. The directory is located without importing the mock server.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml

from conformance.errors import ConfigurationError, UnknownSpecError

__all__ = [
    "HTTP_METHODS",
    "Contract",
    "OperationInfo",
    "available_specs",
    "data_directory",
    "load_contract",
    "resolve_spec_names",
]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
NOT_A_CONTRACT = {"inventory"}


def data_directory(name: str) -> Path | None:
    """Return `<repo>/<name>` in a checkout, else `mockserver/_data/<name>` of an installed wheel."""
    repo = Path(__file__).resolve().parent.parent / name
    if repo.is_dir():
        return repo
    spec = importlib.util.find_spec("mockserver")
    if spec is not None and spec.origin is not None:
        installed = Path(spec.origin).parent / "_data" / name
        if installed.is_dir():
            return installed
    return None


def available_specs() -> dict[str, Path]:
    """Map every contract name to its file."""
    directory = data_directory("specs")
    if directory is None:
        return {}
    return {path.stem: path for path in sorted(directory.glob("*.yaml")) if path.stem not in NOT_A_CONTRACT}


def resolve_spec_names(requested: tuple[str, ...]) -> tuple[str, ...]:
    """Expand `all` and validate names, failing with the valid choices and a suggestion."""
    specs = available_specs()
    if not specs:
        raise ConfigurationError("No contracts found: expected specs/*.yaml or the installed mockserver data")
    names: list[str] = []
    for name in requested:
        selected = list(specs) if name == "all" else [name]
        for item in selected:
            if item not in specs:
                raise UnknownSpecError(item, [*specs, "all"])
            if item not in names:
                names.append(item)
    if not names:
        raise ConfigurationError(f"--spec is required. Valid choices: {', '.join([*specs, 'all'])}")
    return tuple(names)


@dataclass(frozen=True)
class OperationInfo:
    """What the harness reads about one operation of a contract."""

    operation_id: str
    method: str
    path: str
    responses: Mapping[str, Any]
    security: tuple[Mapping[str, Any], ...]
    summary: str = ""
    description: str = ""
    parameters: tuple[Mapping[str, Any], ...] = ()
    request_body: Mapping[str, Any] | None = None
    admin_only: bool = False
    """`x-admin-only: true`: only administrators may call it."""
    extensions: Mapping[str, Any] = field(default_factory=dict)
    """The operation's vendor extensions (`x-...` keys), as written."""

    @property
    def label(self) -> str:
        """Schemathesis' label for the operation, `METHOD /path`."""
        return f"{self.method.upper()} {self.path}"

    @property
    def is_protected(self) -> bool:
        """Whether every security alternative needs credentials."""
        return bool(self.security) and all(requirement for requirement in self.security)


@dataclass(frozen=True)
class Contract:
    """One vendor contract: its name, file and parsed document."""

    name: str
    path: Path
    document: Mapping[str, Any]

    def operations(self) -> Iterator[OperationInfo]:
        """Yield every operation in document order."""
        default_security = tuple(self.document.get("security", ()))
        for path, item in self.document.get("paths", {}).items():
            shared = [self.resolve(parameter) for parameter in item.get("parameters", ())]
            for method in HTTP_METHODS:
                operation = item.get(method)
                if operation is None:
                    continue
                own = [self.resolve(parameter) for parameter in operation.get("parameters", ())]
                names = {(parameter["in"], parameter["name"]) for parameter in own}
                yield OperationInfo(
                    operation_id=str(operation.get("operationId", f"{method} {path}")),
                    method=method,
                    path=path,
                    responses=self._resolve(operation.get("responses", {})),
                    security=tuple(operation.get("security", default_security)),
                    summary=str(operation.get("summary", "")),
                    description=str(operation.get("description", "")),
                    parameters=tuple([p for p in shared if (p["in"], p["name"]) not in names] + own),
                    request_body=self.resolve(operation.get("requestBody")),
                    admin_only=operation.get("x-admin-only") is True,
                    extensions={key: value for key, value in operation.items() if str(key).startswith("x-")},
                )

    @cached_property
    def by_label(self) -> dict[str, OperationInfo]:
        """Every operation by its `METHOD /path` label."""
        return {info.label: info for info in self.operations()}

    def operation(self, key: str) -> OperationInfo | None:
        """Find an operation by operationId or `METHOD /path` label."""
        for info in self.by_label.values():
            if key in (info.operation_id, info.label):
                return info
        return None

    @property
    def security_schemes(self) -> Mapping[str, Mapping[str, Any]]:
        """The contract's `components/securitySchemes`."""
        schemes: Mapping[str, Mapping[str, Any]] = self.document.get("components", {}).get("securitySchemes", {})
        return schemes

    def parameter_schema(self, operation: OperationInfo, location: str, name: str) -> Mapping[str, Any] | None:
        """The resolved schema of a parameter, or of a top-level body property for location `body`."""
        if location == "body":
            content = (operation.request_body or {}).get("content", {})
            for media in content.values():
                properties = self.resolve(media.get("schema", {})).get("properties", {})
                if name in properties:
                    return dict(self.resolve(properties[name]))
            return None
        for parameter in operation.parameters:
            if parameter["in"] == location and str(parameter["name"]).lower() == name.lower():
                return dict(self.resolve(parameter.get("schema", {})))
        return None

    def resolve(self, node: Any) -> Any:
        """Resolve a local `$ref` (one level at a time, recursively)."""
        while isinstance(node, Mapping) and "$ref" in node:
            target: Any = self.document
            for part in str(node["$ref"]).lstrip("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def has_links_within(self, operation_ids: set[str]) -> bool:
        """Whether some declared link leads from one of these operations to another (stateful testing needs one)."""
        for info in self.operations():
            if info.operation_id not in operation_ids:
                continue
            for response in info.responses.values():
                for link in (response.get("links") or {}).values():
                    if self.resolve(link).get("operationId") in operation_ids:
                        return True
        return False

    def _resolve(self, responses: Mapping[str, Any]) -> dict[str, Any]:
        return {str(status): self.resolve(response) for status, response in responses.items()}


def load_contract(name: str) -> Contract:
    """Load a contract by name (validated against the available ones)."""
    name = resolve_spec_names((name,))[0]
    return _load(name, available_specs()[name])


@cache
def _load(name: str, path: Path) -> Contract:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"Cannot read contract {path}: {exc}") from exc
    if not isinstance(document, dict) or "openapi" not in document:
        raise ConfigurationError(f"{path} is not an OpenAPI document")
    return Contract(name=name, path=path, document=document)
