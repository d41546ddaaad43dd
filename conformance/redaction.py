"""Masking secrets in everything the harness prints or writes.

Schemathesis already filters well-known header and field names in its code samples; this is the second,
value-based layer: every configured secret and every token obtained at run time is replaced wherever it
appears (URLs, bodies, curl lines), including its URL-encoded and Base64 `user:secret` forms.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = ["MASK", "Redactor"]

MASK = "[MASKED]"
# Shorter values would mask ordinary words; credentials are never this short.
MIN_SECRET_LENGTH = 6


class Redactor:
    """Replace every registered secret (and its encoded forms) with a mask."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._forms: set[str] = set()
        self.add(*secrets)

    def add(self, *secrets: str) -> None:
        """Register secrets discovered at run time (tokens, session ids)."""
        with self._lock:
            for secret in secrets:
                if secret and len(secret) >= MIN_SECRET_LENGTH:
                    self._forms.update({secret, quote(secret, safe=""), quote_plus(secret)})

    def add_basic(self, user: str, password: str) -> None:
        """Register an HTTP Basic pair: its Base64 form is as secret as the password."""
        self.add(user, password, base64.b64encode(f"{user}:{password}".encode()).decode())

    def __call__(self, text: str) -> str:
        """Return `text` with every secret masked, longest first so no fragment survives."""
        with self._lock:
            forms = sorted(self._forms, key=len, reverse=True)
        for form in forms:
            if form in text:
                text = text.replace(form, MASK)
        return text

    def mask_data(self, value: Any) -> Any:
        """Mask secrets inside nested JSON-like data."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, dict):
            return {self(str(key)): self.mask_data(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.mask_data(item) for item in value]
        return value

    def contains_secret(self, text: str) -> bool:
        """Whether any registered secret appears in `text` (used by tests and report writers)."""
        with self._lock:
            return any(form in text for form in self._forms)
