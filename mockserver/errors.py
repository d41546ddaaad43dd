"""The mock server's exception tree (every exception it raises on purpose derives from `MockServerError`).

MockServerError(Exception)
├── SettingsError(MockServerError, ValueError)   a setting, option or registration that cannot work
├── FixtureError(MockServerError, ValueError)         a fixture file that does not match its schema
├── ClockError(MockServerError, ValueError)           a clock move the mock refuses (backwards, past year 9999)
├── ContractBreach(MockServerError, RuntimeError)     the mock's own answer is not what its contract declares
├── Rejected(MockServerError)                         a request refused with a typed `RequestError`
│                                                     (mockserver.problems; rendered as the vendor's envelope)
└── StoreError(MockServerError)                       mockserver.store: StoreRefused(ValueError),
                                                      StoreBusy(TimeoutError)
"""

from __future__ import annotations

__all__ = ["ClockError", "ContractBreach", "FixtureError", "MockServerError", "SettingsError"]


class MockServerError(Exception):
    """Root of the mock server's own errors."""


class SettingsError(MockServerError, ValueError):
    """A setting, option or registration that cannot work; the message says which and what is valid."""


class FixtureError(MockServerError, ValueError):
    """A fixture file that does not match its schema; the message names file, path and reason."""


class ClockError(MockServerError, ValueError):
    """A clock move the mock refuses."""


class ContractBreach(MockServerError, RuntimeError):
    """A handler's answer that the contract does not declare (a bug in the mock: response validation caught it)."""
