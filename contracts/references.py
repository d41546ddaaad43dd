"""The one `$ref` resolver: local JSON Pointers (RFC 6901, with `~0`/`~1` and percent escapes) into a document.

`target` follows one reference; `resolve` follows a chain of references at one node; `inline` returns a copy of a
subtree with every local reference replaced by what it points at (a reference back into its own ancestry, a
recursive schema, is left as `$ref` so the result stays finite).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from contracts.errors import UnresolvableReference

__all__ = ["inline", "pointer_parts", "resolve", "target"]


def pointer_parts(ref: str) -> list[str]:
    """`#/components/schemas/a~1b` -> `["components", "schemas", "a/b"]`."""
    if not ref.startswith("#"):
        raise UnresolvableReference(ref)
    fragment = unquote(ref[1:])
    if not fragment:
        return []
    if not fragment.startswith("/"):
        raise UnresolvableReference(ref)
    return [part.replace("~1", "/").replace("~0", "~") for part in fragment[1:].split("/")]


def target(root: Mapping[str, Any], ref: str) -> Any:
    """The node a local reference points at."""
    node: Any = root
    for part in pointer_parts(ref):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise UnresolvableReference(ref)
    return node


def resolve(root: Mapping[str, Any], node: Any) -> Any:
    """`node` itself, or what its chain of `$ref`s finally points at (a cycle of bare references is an error)."""
    seen: set[str] = set()
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if ref in seen:
            raise UnresolvableReference(ref, "a cycle of references")
        seen.add(ref)
        node = target(root, ref)
    return node


def inline(root: Mapping[str, Any], node: Any, _trail: tuple[str, ...] = ()) -> Any:
    """A deep copy of `node` with local references inlined; recursive references stay `$ref`."""
    if isinstance(node, Mapping):
        ref = node.get("$ref")
        if isinstance(ref, str):
            if ref in _trail:
                return dict(node)
            return inline(root, target(root, ref), (*_trail, ref))
        return {key: inline(root, value, _trail) for key, value in node.items()}
    if isinstance(node, list):
        return [inline(root, item, _trail) for item in node]
    return node
