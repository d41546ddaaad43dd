"""Request-body validators handed to Connexion, where its defaults disagree with OpenAPI.

Connexion 3.3 refuses an absent JSON body with "Request body must not be empty" even when the operation declares
`requestBody.required: false`; OpenAPI says such a request is valid, and the vendors' optional bodies (SysAid's
query operations, Alvaria's session creation) depend on it. An absent optional body reaches the handler as `None`.
Its multipart validation also leaves every uploaded part's temporary file to the garbage collector.
"""

from __future__ import annotations

from typing import Any

from connexion.datastructures import MediaTypeDict
from connexion.validators import VALIDATOR_MAP as CONNEXION_VALIDATORS
from connexion.validators import JSONRequestBodyValidator, MultiPartFormDataValidator
from starlette.datastructures import FormData, Headers
from starlette.formparsers import MultiPartParser
from starlette.types import Receive, Scope

__all__ = ["VALIDATOR_MAP", "ClosingMultiPartValidator", "OptionalJSONBodyValidator"]


class OptionalJSONBodyValidator(JSONRequestBodyValidator):  # type: ignore[misc]  # connexion ships no type hints
    """JSON body validation that lets an absent body through when the operation does not require one."""

    _absent = False

    async def wrap_receive(self, receive: Receive, *, scope: Scope) -> tuple[Receive, Scope]:
        """Note whether the request carries a body at all (a literal JSON `null` is not an absent body)."""
        self._absent = not int(Headers(scope=scope).get("content-length", 0) or 0)
        result: tuple[Receive, Scope] = await super().wrap_receive(receive, scope=scope)
        return result

    def _validate(self, body: Any) -> dict[str, Any] | None:
        if body is None and self._absent and not self._required:
            return None
        result: dict[str, Any] | None = super()._validate(body)
        return result


class _ClosingMultiPartParser(MultiPartParser):
    """Starlette's multipart parser, closing the spooled upload files once parsed: the validator only looks at
    the parts' names and kinds, and the handler receives the body again from the start."""

    async def parse(self) -> FormData:
        form = await super().parse()
        await form.close()
        return form


class ClosingMultiPartValidator(MultiPartFormDataValidator):  # type: ignore[misc]  # connexion ships no type hints
    """Connexion's multipart validation without leaking a temporary file per upload."""

    @property
    def _form_parser_cls(self) -> type[MultiPartParser]:
        return _ClosingMultiPartParser


VALIDATOR_MAP: dict[str, Any] = {
    **CONNEXION_VALIDATORS,
    "body": MediaTypeDict(
        {
            **CONNEXION_VALIDATORS["body"],
            "*/*json": OptionalJSONBodyValidator,
            "multipart/form-data": ClosingMultiPartValidator,
        }
    ),
}
