"""Naming why a request got no answer, from the exception objects (their types and causes), never from message text.

`requests` wraps urllib3's errors (`ConnectionError(MaxRetryError(reason=NewConnectionError(...)))`); the chain is
walked through `reason`, `args`, `__cause__` and `__context__` until a known type says what happened.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator

import requests
import urllib3.exceptions

__all__ = ["describe_transport_error", "is_transport_error"]

# Most specific first: a NameResolutionError is also a NewConnectionError.
_KINDS: tuple[tuple[type[BaseException], str], ...] = (
    (urllib3.exceptions.NameResolutionError, "the host name does not resolve"),
    (socket.gaierror, "the host name does not resolve"),
    (ConnectionRefusedError, "connection refused"),
    (ssl.SSLError, "TLS handshake failed"),
    (requests.exceptions.SSLError, "TLS handshake failed"),
    (requests.exceptions.ConnectTimeout, "connection timed out"),
    (requests.exceptions.ReadTimeout, "no answer within the request timeout"),
    (urllib3.exceptions.ReadTimeoutError, "no answer within the request timeout"),
    (ConnectionResetError, "connection reset by the server"),
    (urllib3.exceptions.ProtocolError, "the connection broke off mid-answer"),
    (requests.exceptions.ChunkedEncodingError, "the connection broke off mid-answer"),
    (requests.exceptions.TooManyRedirects, "too many redirects"),
    (requests.exceptions.InvalidURL, "the URL is invalid"),
    # urllib3's NewConnectionError subclasses ConnectTimeoutError, so it must be named first.
    (urllib3.exceptions.NewConnectionError, "connection failed"),
    (urllib3.exceptions.ConnectTimeoutError, "connection timed out"),
    (requests.exceptions.ConnectionError, "connection failed"),
    (requests.exceptions.Timeout, "the request timed out"),
)


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        reason = getattr(current, "reason", None)
        linked = [reason, current.__cause__, current.__context__, *current.args]
        pending.extend(item for item in linked if isinstance(item, BaseException))


def is_transport_error(error: BaseException) -> bool:
    """Whether the error means the request got no HTTP answer."""
    return isinstance(error, requests.RequestException | urllib3.exceptions.HTTPError | OSError)


def describe_transport_error(error: BaseException) -> str:
    """A short, stable description: 'connection refused', 'TLS handshake failed'..."""
    chain = list(_chain(error))
    for kind, description in _KINDS:
        if any(isinstance(item, kind) for item in chain):
            return description
    return f"the request failed ({type(error).__name__})"
