"""Reading contract documents: YAML or JSON text into plain data, with libyaml when it is installed.

Parsed files are cached by path and modification time, so the mock, the harness and the drift gate read each file
once per process however many times they ask; callers get the same object and must not modify it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from contracts.errors import ContractUnreadable

__all__ = ["parse_document", "parse_text", "read_document"]

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader: five times faster than the pure-Python one on these contracts."""

_CACHE: dict[Path, tuple[int, dict[str, Any]]] = {}


def parse_text(text: str, source: str) -> Any:
    """Parse YAML (JSON is YAML) text; the error names the source, the problem and the line."""
    try:
        return json.loads(text) if text.lstrip().startswith("{") else yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or _first_line(exc)
        raise ContractUnreadable(f"cannot parse {source}: {problem}{where}") from exc
    except ValueError as exc:
        raise ContractUnreadable(f"cannot parse {source}: {_first_line(exc)}") from exc


def parse_document(text: str, source: str) -> dict[str, Any]:
    """Parse YAML (JSON is YAML) text into a mapping; `source` names it in errors."""
    document = parse_text(text, source)
    if not isinstance(document, dict):
        raise ContractUnreadable(f"{source}: not a mapping at the top level")
    return document


def read_document(path: Path) -> dict[str, Any]:
    """The parsed file (cached until the file changes); the result is shared, never modify it."""
    resolved = path.resolve()
    try:
        stamp = resolved.stat().st_mtime_ns
        cached = _CACHE.get(resolved)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        text = resolved.read_text(encoding="utf-8")
    except OSError as exc:
        raise ContractUnreadable(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    document = parse_document(text, str(path))
    _CACHE[resolved] = (stamp, document)
    return document


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
