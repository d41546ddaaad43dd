"""The mock's vendor behaviour modules, found through the one registry (`contracts.REGISTRY`).

A behaviour module (`Registration.mock`) provides:

- ``SECURITY``: security-scheme name -> ``async (credential, call) -> dict`` checker; the credential is the raw
  string (the bearer token, the API key, the cookie) or ``(user, password)`` for HTTP Basic. It returns what it
  knows about the caller (kept in ``call.principal[scheme]``) or raises ``Rejected`` (``problems.unauthorized`` /
  ``problems.forbidden``) to refuse with the contract's 401/403;
- ``FIXTURE_SCHEMA``: JSON Schema of its fixture file, and ``async seed(store, fixture)`` loading it;
- ``error_body(error, operation, media_type)``: the vendor's envelope for a typed ``RequestError``;
- one ``async`` handler per operationId, named in snake_case (``sendText`` -> ``send_text``), taking the path and
  query parameters by their pythonic names and ``body`` (multipart file parts by their part names);
- optionally ``validate_fixture(data)``: checks beyond the JSON Schema, run before any state is replaced;
- optionally ``refine(error, operation) -> RequestError``: turn a refusal into the one the vendor documents for
  that operation before it is rendered (SysAid answers "not logged in" in-band on some operations, say);
- optionally ``prepare_served(document, demo_credentials)``: adjust the copy of the contract the mock serves (and
  Swagger UI reads) so that trying it in a browser works, e.g. a query parameter its token URL needs;
- optionally ``fixture_from_exchanges(base, exchanges) -> (fixture, used, notes)``: fixture data taken from a recording
  (`contract-mock fixtures-from-har`), merged into a base fixture;
- optionally ``fault_reasons(operation) -> tuple[str, ...]``: the vendor error codes a fault may ask for
  (`PUT /__admin/faults/...` with `reason`), so a client can be tested against each documented code.

`Behaviour.load` checks all of it at start-up, so a missing handler or checker stops the mock before it serves.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from connexion.exceptions import ResolverError
from connexion.resolver import Resolver

from contracts import Contract, Operation, registration
from mockserver.errors import SettingsError
from mockserver.pipeline.security import Checker
from mockserver.problems import RequestError

__all__ = ["Behaviour", "handler_name"]

ErrorBody = Callable[[RequestError, Operation | None, str | None], Any]
Refine = Callable[[RequestError, Operation | None], RequestError]
FaultReasons = Callable[[Operation], tuple[str, ...]]
Seed = Callable[[Any, dict[str, Any]], Awaitable[None]]


def handler_name(operation_id: str) -> str:
    """`sendText` -> `send_text`: the handler name for an operationId."""
    out: list[str] = []
    for index, char in enumerate(operation_id):
        if char.isupper() and index and (operation_id[index - 1].islower() or operation_id[index - 1].isdigit()):
            out.append("_")
        out.append(char.lower())
    return "".join(out)


@dataclass(frozen=True)
class Behaviour:
    """One vendor's behaviour module, checked against its contract."""

    spec: str
    module: ModuleType
    security: Mapping[str, Checker]
    fixture_schema: Mapping[str, Any]
    seed: Seed
    error_body: ErrorBody
    validate_fixture: Callable[[dict[str, Any]], None] | None
    refine: Refine | None = None
    fault_reasons: FaultReasons | None = None
    prepare_served: Callable[[dict[str, Any], dict[str, Any]], None] | None = None
    open_access: bool = False
    """Serve without checking credentials (the admin API when no admin token is configured)."""

    @classmethod
    def load(cls, spec: str, module_name: str | None = None) -> Behaviour:
        """Import and check the module registered for `spec`."""
        name = module_name or registration(spec).mock
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            raise SettingsError(f"{spec}: behaviour module {name} cannot be imported: {exc}") from exc
        missing = [attr for attr in ("SECURITY", "FIXTURE_SCHEMA", "seed", "error_body") if not hasattr(module, attr)]
        if missing:
            raise SettingsError(f"{spec}: {name} lacks {', '.join(missing)}")
        for scheme, checker in module.SECURITY.items():
            if not inspect.iscoroutinefunction(checker):
                raise SettingsError(f"{spec}: the checker for {scheme!r} ({checker.__name__}) must be async")
        return cls(
            spec=spec,
            module=module,
            security=dict(module.SECURITY),
            fixture_schema=module.FIXTURE_SCHEMA,
            seed=module.seed,
            error_body=module.error_body,
            validate_fixture=getattr(module, "validate_fixture", None),
            refine=getattr(module, "refine", None),
            fault_reasons=getattr(module, "fault_reasons", None),
            prepare_served=getattr(module, "prepare_served", None),
        )

    def resolver(self) -> Resolver:
        """Connexion's resolver, finding each operation's handler in this module by its operationId."""
        return Resolver(function_resolver=self._function)

    def _function(self, operation_id: str) -> Callable[..., Any]:
        name = handler_name(operation_id.rsplit(".", 1)[-1])
        handler = getattr(self.module, name, None)
        if handler is None:
            raise SettingsError(f"{self.spec}: operation {operation_id!r} has no handler {self.module.__name__}.{name}")
        if not inspect.iscoroutinefunction(handler):
            raise SettingsError(f"{self.spec}: handler {self.module.__name__}.{name} must be async")
        return handler  # type: ignore[no-any-return]

    def handlers(self, contract: Contract) -> dict[str, Callable[..., Any]]:
        """Every operation's handler, resolved through Connexion's resolver (a missing one stops start-up)."""
        resolver = self.resolver()
        handlers = {}
        for op in contract:
            try:
                handlers[op.operation_id] = resolver.resolve_function_from_operation_id(op.operation_id)
            except ResolverError as exc:  # Connexion wraps our SettingsError (a ValueError): unwrap it
                raise SettingsError(str(exc)) from exc
        return handlers
