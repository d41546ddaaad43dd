"""Exceptions raised by the contract drift gate (`contract-test diff`).

They hang under the harness root, so a caller catching `ConformanceError` catches these too::

    ConformanceError                                       (conformance.errors)
    └── ConfigurationError(ConformanceError, ValueError)   exit code 2
        └── DiffError                                      root of this package
            ├── ContractSourceError(DiffError, OSError)    a contract file or git object cannot be read or parsed
            │   └── GitRefError(ContractSourceError, LookupError)  unknown ref, or path absent at that ref
            ├── ContractStructureError(DiffError)          the document is not a usable OpenAPI 3.0/3.1 contract
            └── IgnoreFileError(DiffError)                 a malformed line in the ignore file

Breaking changes themselves are not exceptions: they are `DriftFinding` values.
"""

from __future__ import annotations

from conformance.errors import ConfigurationError

__all__ = [
    "ContractSourceError",
    "ContractStructureError",
    "DiffError",
    "GitRefError",
    "IgnoreFileError",
]


class DiffError(ConfigurationError):
    """Root of every error the drift gate raises on purpose; the CLI turns it into exit code 2."""


class ContractSourceError(DiffError, OSError):
    """A contract file or `REF:path` git object cannot be read or parsed as YAML."""


class GitRefError(ContractSourceError, LookupError):
    """A git ref is unknown, or the path does not exist at that ref."""


class ContractStructureError(DiffError):
    """The document is not a usable OpenAPI 3.0 or 3.1 contract (not a mapping, bad or external `$ref`)."""


class IgnoreFileError(DiffError):
    """A line of the ignore file is malformed; the message names the file, the line and the reason."""
