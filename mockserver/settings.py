"""Every setting of the mock server, with its default, in one place.

The command line and the environment are read only at the edge (`cli.py`); everything inside receives a
`Settings`. `None` means "not given".
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mockserver.contracts import FIXTURES_DIR, SPEC_NAMES

__all__ = ["Settings"]


@dataclass(frozen=True)
class Settings:
    """Mock server settings."""

    specs: tuple[str, ...] = SPEC_NAMES
    """Contracts to mount, each under `/<spec-name>`."""
    fixtures: Path = FIXTURES_DIR
    """Folder with one fixture file per vendor."""
    db: Path | None = None
    """SQLite file; None is a private in-memory database (one worker only)."""
    validate_responses: bool = True
    """Validate every response against its contract (a non-conforming one becomes a 500 and a journal entry)."""
    vendor_limits: bool = False
    """Enforce the vendors' documented recommendations (Aisera: 5 calls/endpoint/minute, 50 records, 1 MB)."""
    max_body_bytes: int = 16 * 1024 * 1024
    """Requests with a larger body are refused with the operation's 413."""
    sysaid_public_prefix: str = "/spaces/api/sysai"
    """SysAid's public URL prefix, rewritten to the internal `/api/...` routes."""
    sysaid_callback_base_url: str | None = None
    """SysAid server that receives the fromEmail notification callback; None records it without sending."""
    background_delay_seconds: float = 0.05
    """Wall-clock delay before simulated background work (fromEmail, crawls) completes."""
    journal_limit: int = 5000
    """Journal entries kept (oldest dropped first)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Vendor-specific settings not worth a field of their own."""

    def to_json(self) -> str:
        """Serialise for worker processes."""
        data = dataclasses.asdict(self)
        data["fixtures"] = str(self.fixtures)
        data["db"] = str(self.db) if self.db else None
        data["specs"] = list(self.specs)
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> Settings:
        """Inverse of `to_json`."""
        data = json.loads(text)
        data["fixtures"] = Path(data["fixtures"])
        data["db"] = Path(data["db"]) if data["db"] else None
        data["specs"] = tuple(data["specs"])
        return cls(**data)
