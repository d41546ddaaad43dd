"""Checks of documented behaviour beyond the schema, each derived from a statement the contract makes."""

from __future__ import annotations

__all__: list[str] = []
