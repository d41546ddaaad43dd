"""The request path: one ASGI middleware serving every mounted contract from its compiled operations.

route -> body limit -> injected fault -> security -> parameters -> body -> handler -> response checks -> answer,
then a journal entry. Any refusal on the way is a typed `Rejected`, rendered as the vendor's envelope. Requests that
are not for a contract's operations (Swagger UI, the served contract documents, the index) go on to Connexion.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, unquote

from connexion.middleware.abstract import SpecMiddleware
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.clock import iso_time
from mockserver.errors import ContractBreach
from mockserver.journal import MASK, mask_cookie_header, mask_json, mask_query
from mockserver.overrides import answer_for
from mockserver.pipeline.bodies import parse_form, parse_json, parse_multipart, read_body
from mockserver.pipeline.call import Call, activate_call
from mockserver.pipeline.compiler import CompiledApi, CompiledOperation, Credentials
from mockserver.pipeline.near_miss import near_misses
from mockserver.pipeline.parameters import read_parameters
from mockserver.pipeline.render import render_error
from mockserver.pipeline.responses import Answer, normalise
from mockserver.problems import Kind, Location, Rejected, RequestError, Violation
from mockserver.runtime import Runtime, activate
from mockserver.store import StoreBusy, StoreRefused
from mockserver.vendors import Behaviour

__all__ = ["Mount", "Pipeline"]

log = logging.getLogger("mockserver.pipeline")

_PASS_THROUGH = ("/ui", "/openapi.json", "/openapi.yaml", "/swagger.json")
_FRAMING_BROKEN = frozenset({Kind.BODY_INCOMPLETE, Kind.BODY_TOO_LARGE})


class Mount:
    """A compiled API with its behaviour, mounted at `/<name>`; `journaled` is False for the admin API."""

    def __init__(self, api: CompiledApi, behaviour: Behaviour, *, journaled: bool = True) -> None:
        self.api = api
        self.behaviour = behaviour
        self.journaled = journaled


class Pipeline(SpecMiddleware):  # type: ignore[misc]  # connexion ships no type hints
    """Serves `/<mount>/...` for every mounted API; everything else goes on to the wrapped app."""

    def __init__(self, app: ASGIApp, *, runtime: Runtime, mounts: dict[str, Mount], aliases: Mapping[str, str]) -> None:
        self.app = app
        self.runtime = runtime
        self.mounts = mounts
        """Shared with the app, which swaps entries in place when `--reload` recompiles a contract."""
        self.aliases = dict(aliases)

    def add_api(self, specification: Any, **kwargs: Any) -> None:
        """Connexion loads and validates each document; the pipeline serves it from its own compiled model."""
        name = kwargs.get("name")
        if name not in self.mounts:
            raise ContractBreach(f"Connexion registered an API {name!r} that the pipeline did not compile")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        activate(self.runtime)
        path: str = scope["path"]
        for public, internal in self.aliases.items():
            if path.startswith(public + "/"):
                path = internal + path[len(public) :]
                scope["path"], scope["raw_path"] = path, path.encode()
                break
        name, _, rest = path[1:].partition("/")
        mount = self.mounts.get(name)
        rest = "/" + rest
        if mount is None or rest.startswith(_PASS_THROUGH):
            # Connexion's innermost app expects its routing middleware's result; these paths are no operation's.
            scope.setdefault("extensions", {}).setdefault("connexion_routing", {})
            await self.app(scope, receive, send)
            return
        await self._serve(mount, rest, scope, receive, send)

    async def _serve(self, mount: Mount, rest: str, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        rt = self.runtime
        api = mount.api
        method: str = scope["method"]
        headers = _headers(scope)
        raw_query = scope.get("query_string", b"")
        query = parse_qs(raw_query.decode("latin-1"), keep_blank_values=True) if raw_query else {}
        cookies = cookie_parser(headers["cookie"]) if "cookie" in headers else {}
        compiled: CompiledOperation | None = None
        call: Call | None = None
        problems: list[dict[str, Any]] = []
        extra: dict[str, Any] = {}
        answer: Answer
        try:
            await rt.sync()
            try:
                route = api.route(method, rest)
            except Rejected:
                extra["nearMisses"] = near_misses(api.contract, method, rest)
                raise
            compiled = route.operation
            call = Call(api.name, compiled.operation, method, scope["path"], headers, query, cookies, rt, scope)
            call.variables = {name: unquote(value) for name, value in route.variables.items()}
            activate_call(call)
            answer = await self._operate(mount, compiled, call, route.variables, receive, problems, extra)
        except Rejected as exc:
            answer = self._refuse(mount, compiled, _masked(exc.error, api.credentials), problems)
            if exc.error.kind in _FRAMING_BROKEN:
                # The rest of the body was never read: the connection cannot carry another request.
                answer.headers["Connection"] = "close"
        except StoreRefused as exc:
            error = RequestError(
                Kind.BODY_MALFORMED, str(exc), violations=(Violation(Location.BODY, constraint="json"),)
            )
            answer = self._refuse(mount, compiled, error, problems)
        except StoreBusy as exc:
            answer = self._refuse(
                mount, compiled, RequestError(Kind.UNAVAILABLE, str(exc), headers={"Retry-After": "1"}), problems
            )
        except Exception as exc:
            log.exception("unexpected error on %s %s", method, scope["path"])
            error = RequestError(Kind.INTERNAL, f"internal error ({type(exc).__name__})")
            answer = self._refuse(mount, compiled, error, problems)
        finally:
            activate_call(None)
        try:
            await answer.send(scope, receive, send)
        finally:
            if call is not None:
                for upload in call.files.values():
                    await upload.close()
            if mount.journaled:
                self._journal(mount, compiled, call, scope, query, headers, answer, started, problems, extra)

    async def _operate(
        self,
        mount: Mount,
        compiled: CompiledOperation,
        call: Call,
        variables: dict[str, str],
        receive: Receive,
        problems: list[dict[str, Any]],
        extra: dict[str, Any],
    ) -> Answer:
        rt = self.runtime
        settings = rt.settings
        declared = call.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > settings.max_body_bytes:
            raise Rejected(RequestError(Kind.BODY_TOO_LARGE, f"Request body exceeds {settings.max_body_bytes} bytes"))
        fault = rt.faults.get((compiled.spec, compiled.operation.operation_id))
        if fault is not None:
            if fault.latencyMs:
                import asyncio

                await asyncio.sleep(fault.latencyMs / 1000)
            if fault.fires():
                raise fault.rejection()
        call.principal = await compiled.security.authenticate(call)
        unexpected = [name for name in call.query if name not in compiled.query_allowed]
        if unexpected:
            violations = tuple(
                Violation(Location.QUERY, name, constraint="additionalProperties") for name in unexpected
            )
            raise Rejected(
                RequestError(
                    Kind.PARAMETER_UNEXPECTED,
                    f"unexpected query parameter(s): {', '.join(unexpected)}",
                    violations=violations,
                )
            )
        arguments = read_parameters(compiled.parameters, variables, call.query, call.headers, call.cookies)
        call.path_params = arguments
        if compiled.body is not None:
            await self._read_body(compiled, call, receive)
        if (compiled.spec, compiled.operation.operation_id) in rt.overridden:
            taken = await answer_for(rt, compiled, call)
            if taken is not None:
                extra["override"] = taken.id
                return taken.answer
        result = await compiled.handler(**compiled.call_arguments(arguments, call.body, call.files))
        answer = normalise(result, compiled.operation)
        if settings.validate_responses:
            breach = compiled.responses.problems(answer)
            if breach:
                label = f"{compiled.spec} {compiled.operation.operation_id}"
                detail = f"{label}: answer breaks the contract: {'; '.join(breach)}"
                log.error("%s", detail)
                problems.append({"kind": "contract-breach", "detail": detail})
                raise Rejected(
                    RequestError(Kind.INTERNAL, "the mock's answer does not conform to its contract", status=500)
                )
        return answer

    async def _read_body(self, compiled: CompiledOperation, call: Call, receive: Receive) -> None:
        assert compiled.body is not None
        settings = self.runtime.settings
        raw = await read_body(receive, settings.max_body_bytes, settings.body_timeout_seconds)
        call.raw_body = raw
        content_type = call.headers.get("content-type")
        if not raw:
            if compiled.body.required:
                violation = Violation(Location.BODY, constraint="required")
                raise Rejected(RequestError(Kind.BODY_MISSING, "request body is required", violations=(violation,)))
            call.body = None
            return
        media = compiled.body.for_content_type(content_type)
        if media is None:
            declared = ", ".join(m.media_type for m in compiled.body.media)
            violation = Violation(
                Location.HEADER,
                "Content-Type",
                constraint="enum",
                expected=[m.media_type for m in compiled.body.media],
                value=content_type,
            )
            raise Rejected(
                RequestError(
                    Kind.MEDIA_TYPE_UNSUPPORTED,
                    f"Content-Type {content_type or '(none)'} is not one of {declared}",
                    violations=(violation,),
                )
            )
        if media.kind == "json":
            body = parse_json(raw)
            if body is None and not compiled.body.required:
                raise Rejected(
                    RequestError(
                        Kind.SCHEMA_VIOLATION,
                        "the body is null",
                        violations=(Violation(Location.BODY, constraint="type", expected=media.schema.get("type")),),
                    )
                )
        elif media.kind == "form":
            body = parse_form(raw, media.schema)
        elif media.kind == "multipart":
            form = await parse_multipart(raw, Headers(call.headers), media.schema)
            call.files = dict(form.files)
            body = form.fields
        elif media.kind == "text":
            body = raw.decode("utf-8", errors="replace")
        else:
            body = raw
        if media.validator is not None and media.kind in ("form", "multipart"):
            # Strict, as Connexion's strict validation: an undeclared form field is refused (contracts declare
            # `additionalProperties: false` on form bodies so that contract and behaviour agree).
            allowed = set(media.schema.get("properties") or {})
            extra = [name for name in body if name not in allowed]
            if extra:
                violations = tuple(Violation(Location.BODY, name, (name,), "additionalProperties") for name in extra)
                detail = f"unexpected form field(s): {', '.join(extra)}"
                raise Rejected(RequestError(Kind.SCHEMA_VIOLATION, detail, violations=violations))
        if media.validator is not None and not media.validator.is_valid(body):
            violations = media.validator.violations(body, Location.BODY)
            raise Rejected(RequestError(Kind.SCHEMA_VIOLATION, violations[0].describe(), violations=violations))
        call.body = body

    def _refuse(
        self, mount: Mount, compiled: CompiledOperation | None, error: RequestError, problems: list[dict[str, Any]]
    ) -> Answer:
        operation = compiled.operation if compiled is not None else None
        answer = render_error(mount.behaviour, operation, error)
        problems.append(error.for_journal())
        if compiled is not None and self.runtime.settings.validate_responses:
            breach = compiled.responses.problems(answer)
            if breach:
                label = f"{compiled.spec} {compiled.operation.operation_id}"
                detail = f"{label}: error envelope breaks the contract: {'; '.join(breach)}"
                log.error("%s", detail)
                problems.append({"kind": "contract-breach", "detail": detail})
        return answer

    def _journal(
        self,
        mount: Mount,
        compiled: CompiledOperation | None,
        call: Call | None,
        scope: Scope,
        query: Mapping[str, list[str]],
        headers: Mapping[str, str],
        answer: Answer,
        started: float,
        problems: list[dict[str, Any]],
        extra: dict[str, Any],
    ) -> None:
        rt = self.runtime
        credentials = mount.api.credentials
        limit = rt.settings.journal_body_bytes
        masked_headers = {
            name: (
                MASK
                if name in credentials.headers
                else mask_cookie_header(value, credentials.cookies)
                if name == "cookie"
                else value
            )
            for name, value in headers.items()
        }
        fields = credentials.fields
        request_body = None
        if call is not None and call.raw_body:
            request_body = _body_text(call.body if fields else None, call.raw_body, fields, limit)
        response_body = None
        if answer.body:
            response_body = _body_text(answer.data if fields else None, answer.body, fields, limit)
        path = scope["path"]
        if credentials.path and call is not None and credentials.path & set(call.variables):
            shown = {name: MASK if name in credentials.path else value for name, value in call.variables.items()}
            path = "/" + mount.api.name + _fill(call.operation.path, shown)
        now = rt.clock.now()
        rt.journal.record(
            {
                "kind": "request",
                "at": now,
                "time": iso_time(now),
                "spec": mount.api.name,
                "operationId": compiled.operation.operation_id if compiled is not None else None,
                "method": scope["method"],
                "path": path,
                "query": mask_query(query, credentials.query) if query else {},
                "status": answer.status,
                "durationMs": round((time.perf_counter() - started) * 1000, 2),
                "request": {"headers": masked_headers, "body": request_body},
                "response": {
                    "headers": {
                        k.lower(): (MASK if k.lower() in credentials.headers else v) for k, v in answer.headers.items()
                    },
                    "mediaType": answer.media_type,
                    "body": response_body if answer.response is None else "(stream)",
                },
                "problems": problems,
                **extra,
            }
        )


def _fill(template: str, values: Mapping[str, str]) -> str:
    """A path template with its variables filled in."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


def _headers(scope: Scope) -> dict[str, str]:
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", ()):
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        if name in headers:
            headers[name] = f"{headers[name]}{'; ' if name == 'cookie' else ', '}{value}"
        else:
            headers[name] = value
    return headers


def _masked(error: RequestError, credentials: Credentials) -> RequestError:
    """A refusal without values where credentials travel, its detail rebuilt from the masked violations, so neither
    the vendor's envelope nor the journal can echo a credential."""

    def secret(v: Violation) -> bool:
        if v.value in ("", None):
            return False  # nothing to hide: an empty or absent value
        if v.location is Location.CREDENTIALS or v.name in credentials.fields:
            return True
        if any(isinstance(part, str) and part in credentials.fields for part in v.path):
            return True
        return (v.location is Location.HEADER and (v.name or "").lower() in credentials.headers) or (
            v.location is Location.QUERY and v.name in credentials.query
        )

    hidden = [secret(v) for v in error.violations]
    if not any(hidden):
        return error
    violations = tuple(v.masked() if h else v for v, h in zip(error.violations, hidden, strict=True))
    detail = violations[0].describe() if error.kind is Kind.SCHEMA_VIOLATION else error.detail
    return replace(error, violations=violations, detail=detail)


def _body_text(data: Any, raw: bytes, fields: frozenset[str], limit: int) -> str:
    """A body as the journal keeps it: credential fields masked, at most `limit` bytes of UTF-8 (cut on a character
    boundary)."""
    if fields and (data is None or isinstance(data, bytes | str)):
        try:  # a refused body was never parsed onto the call: parse it here, leniently, to mask it
            data = json.loads(raw)
        except ValueError:
            return f"({len(raw)} bytes not kept: unparsable, and this API's bodies can carry credentials)"
    if data is not None and not isinstance(data, bytes | str):
        text = json.dumps(mask_json(data, fields), ensure_ascii=False, default=str)
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return f"({len(raw)} bytes of binary content)"
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", errors="ignore") + f"... ({len(encoded)} bytes)"
