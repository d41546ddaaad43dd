"""The vendor-independent half of authentication: calling the API for credentials, and putting them on a case.

A profile answers two questions for its vendor: which raw value satisfies each security scheme of the
contract (`scheme_value`), and which request parameters must carry the client's real identity
(`binding`: an org id in the path, a channel token in the body, a streaming session header). Everything
else (choosing the security requirement, encoding bearer/basic/apiKey, the lookalike and malformed values
that auth enforcement sends) is here, driven by the contract's `securitySchemes`. Each vendor's profile class is in
its harness module (`conformance/vendors/`).
"""

from __future__ import annotations

import base64
import random
import string
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar
from urllib.parse import urlparse

import jsonschema
import requests
from referencing.exceptions import Unresolvable

from conformance.auth.issuer import Issuer
from conformance.credentials import VendorCredentials
from conformance.errors import AuthenticationError, CredentialEndpointBroken
from conformance.redaction import Redactor
from contracts import Contract, Operation, SecurityScheme

__all__ = ["ApiClient", "AuthProfile", "Slot", "SlotKind", "TokenProfile", "is_valid", "lookalike"]


class SlotKind(StrEnum):
    """How a raw credential is encoded into its slot."""

    PLAIN = "plain"
    BEARER = "bearer"
    BASIC = "basic"


@dataclass(frozen=True)
class Slot:
    """Where one credential travels: `header`, `query`, `cookie` or `body`, under `name`."""

    location: str
    name: str
    kind: SlotKind = SlotKind.PLAIN

    @classmethod
    def for_scheme(cls, scheme: SecurityScheme) -> Slot:
        """The slot a security scheme declares."""
        if scheme.type == "apiKey":
            return cls(scheme.location, scheme.parameter)
        if scheme.type == "http" and scheme.scheme == "basic":
            return cls("header", "Authorization", SlotKind.BASIC)
        return cls("header", "Authorization", SlotKind.BEARER)

    def encode(self, raw: str) -> str:
        """The wire value for a raw credential (`user:password` for basic)."""
        if self.kind is SlotKind.BEARER:
            return f"Bearer {raw}"
        if self.kind is SlotKind.BASIC:
            return "Basic " + base64.b64encode(raw.encode()).decode()
        return raw


class ApiClient:
    """The profile's own HTTP client, pointed at the same target as the campaign (network or in-process)."""

    def __init__(self, base_url: str, app: Any | None = None, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        if app is None:
            self.session: requests.Session = requests.Session()
        else:
            from schemathesis.python import asgi

            self.session = asgi.get_client(app).__enter__()

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send one request to `base_url + path`."""
        kwargs.setdefault("timeout", self.timeout)
        return self.session.request(method, self.base_url + path, **kwargs)


def lookalike(value: str, rng: random.Random | None = None) -> str:
    """A value of the same shape (length, character classes) as `value`, but never issued."""
    rng = rng or random.Random()
    while True:
        out = "".join(
            rng.choice(string.digits)
            if ch.isdigit()
            else rng.choice(string.ascii_lowercase)
            if ch.islower()
            else rng.choice(string.ascii_uppercase)
            if ch.isupper()
            else ch
            for ch in value
        )
        if out != value or not any(ch.isalnum() for ch in value):
            return out if out != value else value + "x"


class AuthProfile(ABC):
    """One vendor's way of obtaining credentials; a vendor profile (`conformance/vendors/`) names its subclass."""

    identities: ClassVar[tuple[str, ...]] = ()
    """The identities the credentials may hold (`admin`, `user`), the main one first; keys `<identity>.<name>`."""
    # Credentials whose presence is required but whose value the vendor does not authenticate (routing cookies).
    presence_only: ClassVar[frozenset[str]] = frozenset()

    def __init__(
        self,
        contract: Contract,
        credentials: VendorCredentials,
        client: ApiClient,
        redactor: Redactor,
        identity: str | None = None,
    ) -> None:
        self.contract = contract
        self.credentials = credentials
        self.client = client
        self.redactor = redactor
        self.identity = identity or (self.identities[0] if self.identities else None)
        # Token fetches happen from Schemathesis' worker threads.
        self.lock = threading.RLock()
        # The first violation of an issuing endpoint: later calls fail at once instead of asking again.
        self.broken: CredentialEndpointBroken | None = None
        redactor.add(*credentials.secrets())

    @abstractmethod
    def scheme_value(self, scheme: str) -> str | None:
        """The raw credential satisfying `scheme`, or None when this profile cannot provide it."""

    def binding(self, operation: Operation, location: str, name: str) -> str | None:
        """The client's real value for a parameter (location `path`/`query`/`header`/`body`), if any."""
        return None

    def body_slots(self, operation: Operation) -> tuple[str, ...]:
        """Body fields that carry credentials on `operation` (for vendors without a security scheme)."""
        return ()

    def invalidate(self) -> None:  # noqa: B027  (most vendors cache nothing)
        """Forget cached tokens, so the next use obtains fresh ones (after a 401)."""

    def for_identity(self, identity: str) -> AuthProfile:
        """A profile of the same vendor acting as another identity."""
        return type(self)(self.contract, self.credentials, self.client, self.redactor, identity)

    def has_identity(self, identity: str) -> bool:
        """Whether credentials for `identity` are configured."""
        return any(key.startswith(f"{identity}.") for key in self.credentials.values)

    def other_identities(self) -> list[str]:
        """The configured identities besides the main one (SysAid: the non-administrator, when `user.*` is set)."""
        return [identity for identity in self.identities[1:] if self.has_identity(identity)]

    def requirement_for(self, operation: Operation) -> dict[str, str] | None:
        """The first security requirement this profile satisfies, as scheme name to raw value.

        A requirement whose credential an endpoint failed to issue is passed over; when every requirement needs
        one, the endpoint's violation is raised again.
        """
        broken: CredentialEndpointBroken | None = None
        for requirement in operation.security:
            try:
                values = {name: self.scheme_value(name) for name in requirement}
            except CredentialEndpointBroken as exc:
                broken = exc
                continue
            if all(value is not None for value in values.values()):
                return {name: value for name, value in values.items() if value is not None}
        if broken is not None:
            raise broken
        return None

    def can_serve(self, operation: Operation) -> bool:
        """Whether every credential `operation` needs can be obtained (False after an issuing endpoint broke)."""
        try:
            self.requirement_for(operation)
            for parameter in operation.parameters:
                if parameter.required:
                    self.binding(operation, parameter.location, parameter.name)
        except CredentialEndpointBroken:
            return False
        return True

    def issuing_labels(self) -> set[str]:
        """Operations this profile calls itself to obtain credentials: the contract's OAuth2 token URLs."""
        return {
            f"POST {urlparse(url).path}"
            for scheme in self.contract.security_schemes.values()
            for url in (scheme.token_url(flow) for flow in scheme.flows)
            if url
        }

    def token_path(self, flow: str, default: str) -> str:
        """The path of the contract's token endpoint for an oauth2 `flow` (`password`, `clientCredentials`)."""
        for scheme in self.contract.security_schemes.values():
            url = scheme.token_url(flow)
            if url:
                return urlparse(url).path
        return default

    def credential_keys(self) -> tuple[str, ...]:
        """The configured keys this identity authenticates with (named in messages, never shown)."""
        others = {identity for identity in self.identities if identity != self.identity}
        return tuple(key for key in self.credentials.values if key.split(".")[0] not in others)

    def issuer(
        self, operation: Operation, kind: str, keys: tuple[str, ...], refusals: frozenset[int] | None = None
    ) -> Issuer:
        """The judge of an operation that issues this profile's `kind` of credential (token, session)."""
        extra = {"refusals": refusals} if refusals is not None else {}
        return Issuer(self.contract, operation, self.credentials, self.redactor, keys, kind, **extra)

    def issue(self, issuer: Issuer, send: Callable[[], requests.Response], field: str) -> dict[str, Any]:
        """Obtain a credential; a broken issuing endpoint is remembered, so later calls fail without a request."""
        if self.broken is not None:
            raise self.broken
        try:
            return issuer.issue(send, field)
        except CredentialEndpointBroken as exc:
            self.broken = exc
            raise

    def slots(self, requirement: Mapping[str, str]) -> Iterator[tuple[Slot, str]]:
        """Each slot of a requirement with the raw value it carries."""
        for name, raw in requirement.items():
            yield Slot.for_scheme(self.contract.security_schemes[name]), raw

    def operation_at(self, method: str, path: str) -> Operation:
        """The contract's operation at `METHOD path` (an issuing endpoint the contract must declare)."""
        operation = self.contract.by_label.get(f"{method.upper()} {path}")
        if operation is None:
            raise AuthenticationError(
                f"{self.contract.name}: the contract declares no {method.upper()} {path} operation"
            )
        return operation


class TokenProfile(AuthProfile):
    """A profile whose requests carry an OAuth2 access token, cached until shortly before its `expires_in` ends and
    fetched again after a 401 (`invalidate`)."""

    default_lifetime: ClassVar[int] = 3600
    """The lifetime assumed when a token answer states none."""
    expiry_margin: ClassVar[int] = 60
    """Refresh this many seconds before the server's deadline, so a token never expires in flight."""
    _token: str | None = None
    _expires_at: float = 0.0
    lifetime: int | None = None
    """`expires_in` of the last token issued, when the answer carried one."""

    @abstractmethod
    def request_token(self) -> dict[str, Any]:
        """Ask the token endpoint for a token; the answer (judged by an `Issuer`) carries `access_token`."""

    def token(self) -> str:
        """A valid access token, obtained again when the cached one is about to expire."""
        with self.lock:
            if self._token is None or time.monotonic() >= self._expires_at:
                body = self.request_token()
                self._token = str(body["access_token"])
                lifetime = body.get("expires_in")
                self.lifetime = lifetime if isinstance(lifetime, int) else None
                remaining = (self.lifetime or self.default_lifetime) - self.expiry_margin
                self._expires_at = time.monotonic() + max(remaining, 1)
                self.redactor.add(self._token)
            return self._token

    def invalidate(self) -> None:
        """Drop the cached access token (after a 401)."""
        with self.lock:
            self._token = None


def is_valid(schema: Mapping[str, Any] | None, value: Any) -> bool:
    """Whether `value` satisfies a (resolved) parameter schema; unknown schemas never validate."""
    if schema is None:
        return False
    try:
        return bool(jsonschema.Draft4Validator(dict(schema)).is_valid(value))
    except (jsonschema.exceptions.SchemaError, Unresolvable):
        return False
