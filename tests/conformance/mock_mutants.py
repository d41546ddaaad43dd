"""A catalogue of deliberately broken variants of the mock server, proving the conformance harness catches them.

A mutant is the real mock (`create_app` with response validation off, so that a broken answer reaches the client
instead of becoming the mock's own 500) changed in ONE targeted way: a monkeypatched vendor handler, security
checker (an entry of the vendor's `SECURITY`, which `create_app` copies into its compiled pipeline, so it is patched
before the app is created) or pipeline step, or an ASGI wrapper (`RewriteResponse`) that rewrites the answers of one
operation.
Each entry below is one function, registered with `@mutant(...)`: its name is the mutant's name, its docstring
says what is broken, and the decorator names the contract, the operations the campaign is restricted to, the
phases that reach the defect and the harness check that must report it. `docs/mutants.md` tables the catalogue.
"""

from __future__ import annotations

import copy
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import mockserver.vendors.aisera_conversation as aisera_conversation
import mockserver.vendors.aisera_ingestion as aisera_ingestion
import mockserver.vendors.alvaria_messaging as alvaria
import mockserver.vendors.asapp_metadata_ingestion as asapp
import mockserver.vendors.sysaid_copilot as sysaid
from conformance import Phase, ProgressMode, RunSettings
from contracts import FIXTURES_DIR, load_contract
from mockserver import Settings, create_app
from mockserver.pipeline import compiler, schemas
from mockserver.pipeline.call import Call
from mockserver.problems import unauthorized
from mockserver.runtime import runtime
from mockserver.store import digest
from mockserver.vendors.aisera_conversation.fixture import CHANNELS
from mockserver.vendors.alvaria_messaging import auth as alvaria_auth
from mockserver.vendors.alvaria_messaging import directory as alvaria_directory
from mockserver.vendors.alvaria_messaging import envelopes as alvaria_envelopes
from mockserver.vendors.sysaid_copilot import chats as sysaid_chats
from mockserver.vendors.sysaid_copilot import replies as sysaid_replies
from mockserver.vendors.sysaid_copilot import session as sysaid_session

__all__ = ["CATALOGUE", "SEED", "Answer", "Mutant", "RewriteResponse", "operation_is"]

SEED = 20240501
"""One fixed generation seed for the whole catalogue, so that a kill (or a miss) reproduces."""
FAST = (Phase.EXAMPLES, Phase.COVERAGE)
"""The documented examples and the deterministic coverage phase: positive and negative cases, no random search."""

Wrapper = Callable[[ASGIApp], ASGIApp]
EditFixture = Callable[[dict[str, Any]], None]
"""Edits a contract's parsed fixture file in place (a mutant through the data, not the code)."""
Install = Callable[[pytest.MonkeyPatch], Wrapper | None]
"""Applies a mutant's patches; returns the ASGI wrapper to put around the mock, if the mutant needs one."""


# -- rewriting answers -------------------------------------------------------------------------------------------


def _decoded(payload: bytes) -> Any:
    try:
        return json.loads(payload or b"null")
    except ValueError:
        return None


@dataclass
class Sent:
    """The request an answer is for: method, path, query parameters and body (as the mock received it)."""

    method: str
    path: str
    query: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body decoded as JSON, or None when it is not JSON."""
        return _decoded(self.body)


@dataclass
class Answer:
    """A buffered response as `RewriteResponse` hands it to a rewrite: status, headers (lower-case), body, request."""

    status: int
    headers: dict[str, str]
    body: bytes
    request: Sent = field(default_factory=lambda: Sent("", "", {}, b""))

    def json(self) -> Any:
        """The body decoded as JSON, or None when it is not JSON."""
        return _decoded(self.body)


Applies = Callable[[Scope], bool]
"""Whether a request's answer is rewritten; asked when the answer starts."""


def routed_operation(scope: Scope) -> str | None:
    """The operationId a request addresses (`/<contract>/<path>`), routed by the contract's own precedence."""
    spec, _, rest = scope["path"][1:].partition("/")
    try:
        contract = load_contract(spec)
    except LookupError:
        return None
    operation = contract.match(scope["method"], "/" + rest)
    return operation.operation_id if operation is not None else None


def operation_is(*operation_ids: str) -> Applies:
    """Requests for one of these operations."""
    return lambda scope: routed_operation(scope) in operation_ids


EditRequest = Callable[[Sent], None]
"""Changes a request (its `body`) before the mock sees it; selected by path, as routing has not happened yet."""


class RewriteResponse:
    """ASGI wrapper that buffers the answers `applies` selects and sends what `rewrite` makes of them.

    With `edit_request`, the requests `edits` selects are changed first (the mock then answers the edited request;
    the rewrite still sees the request as the client sent it).
    """

    def __init__(
        self,
        app: ASGIApp,
        applies: Applies,
        rewrite: Callable[[Answer], None],
        edit_request: EditRequest | None = None,
        edits: Applies = lambda scope: False,
    ) -> None:
        self.app = app
        self.applies = applies
        self.rewrite = rewrite
        self.edit_request = edit_request
        self.edits = edits

    async def _request(self, scope: Scope, receive: Receive) -> tuple[Sent, Receive]:
        """The whole request body, read once, and a `receive` that replays it (edited when selected)."""
        chunks: list[bytes] = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        query = {
            k.decode(): v.decode() for k, _, v in (p.partition(b"=") for p in scope["query_string"].split(b"&") if p)
        }
        sent = Sent(scope["method"], scope["path"], query, b"".join(chunks))
        body = sent.body
        if self.edit_request is not None and self.edits(scope):
            edited = Sent(sent.method, sent.path, dict(sent.query), sent.body)
            self.edit_request(edited)
            body = edited.body
            scope["headers"] = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
            scope["headers"].append((b"content-length", str(len(body)).encode()))
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        return sent, replay

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent, receive = await self._request(scope, receive)
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffered(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start" and self.applies(scope):
                start = message
            elif start is None:
                await send(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._send(start, b"".join(chunks), send, sent)

        await self.app(scope, receive, buffered)

    async def _send(self, start: Message, body: bytes, send: Send, sent: Sent) -> None:
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in start["headers"]}
        answer = Answer(start["status"], headers, body, sent)
        self.rewrite(answer)
        answer.headers["content-length"] = str(len(answer.body))
        raw = [(key.encode("latin-1"), value.encode("latin-1")) for key, value in answer.headers.items()]
        await send({"type": "http.response.start", "status": answer.status, "headers": raw})
        await send({"type": "http.response.body", "body": answer.body, "more_body": False})


def rewrite(applies: Applies, change: Callable[[Answer], None]) -> Wrapper:
    """A wrapper passing the selected answers through `change` (which edits the answer in place)."""
    return lambda app: RewriteResponse(app, applies, change)


def rewrite_json(
    applies: Applies, when: Callable[[int, dict[str, Any]], bool], change: Callable[[dict[str, Any]], None]
) -> Wrapper:
    """A wrapper applying `change` to the JSON object bodies of the selected answers for which `when` holds."""

    def edit(answer: Answer) -> None:
        document = answer.json()
        if isinstance(document, dict) and when(answer.status, document):
            change(document)
            answer.body = json.dumps(document).encode()

    return rewrite(applies, edit)


def replaced_by(document: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    """A `rewrite_json` change replacing the whole body with (a copy of) `document`."""

    def change(body: dict[str, Any]) -> None:
        body.clear()
        body.update(copy.deepcopy(document))

    return change


# -- the catalogue -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutant:
    """One deliberately broken variant of the mock, and the harness check that must catch it."""

    name: str
    spec: str
    operations: tuple[str, ...]
    breaks: str
    caught_by: str
    phases: tuple[Phase, ...]
    install: Install
    max_examples: int
    fixture: EditFixture | None = None

    @contextmanager
    def app(self) -> Iterator[ASGIApp]:
        """The broken mock, patched for as long as the context lasts (Connexion resolves handlers lazily)."""
        with pytest.MonkeyPatch.context() as patch, self._fixtures() as fixtures:
            wrapper = self.install(patch)
            app = self.pristine_app(fixtures)
            yield app if wrapper is None else wrapper(app)

    def pristine_app(self, fixtures: Path = FIXTURES_DIR) -> ASGIApp:
        """The unbroken mock with the same settings: the control a kill is measured against."""
        app: ASGIApp = create_app(Settings(validate_responses=False, specs=(self.spec,), fixtures=fixtures))
        return app

    @contextmanager
    def _fixtures(self) -> Iterator[Path]:
        """The default fixtures, or a copy with this mutant's edit applied to its contract's file."""
        if self.fixture is None:
            yield FIXTURES_DIR
            return
        with tempfile.TemporaryDirectory(prefix=f"mutant-{self.name}-") as folder:
            copy = Path(folder) / "fixtures"
            shutil.copytree(FIXTURES_DIR, copy)
            file = copy / f"{self.spec}.yaml"
            document = yaml.safe_load(file.read_text(encoding="utf-8"))
            self.fixture(document)
            file.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
            yield copy

    def settings(self) -> RunSettings:
        """The campaign aimed at the defect: its operations and phases, few examples, the catalogue's seed."""
        return RunSettings(
            specs=(self.spec,),
            include_operations=self.operations,
            phases=self.phases,
            max_examples=self.max_examples,
            seed=SEED,
            progress=ProgressMode.OFF,
        )


_CATALOGUE: list[Mutant] = []


def mutant(
    spec: str,
    operations: tuple[str, ...],
    caught_by: str,
    phases: tuple[Phase, ...] = FAST,
    max_examples: int = 10,
    fixture: EditFixture | None = None,
) -> Callable[[Install], Install]:
    """Register the decorated install function as a mutant named after it and described by its docstring.

    `fixture` edits the contract's fixture file (the parsed YAML, in place) for the mutant's mock only.
    """

    def register(install: Install) -> Install:
        name = install.__name__.replace("_", "-")
        breaks = " ".join((install.__doc__ or "").split())
        _CATALOGUE.append(Mutant(name, spec, operations, breaks, caught_by, phases, install, max_examples, fixture))
        return install

    return register


# Aisera Ingestion


@mutant("aisera-ingestion", ("requestIngestionToken",), "response_schema_conformance")
def aisera_token_drops_expires_in(patch: pytest.MonkeyPatch) -> Wrapper:
    """The token answer leaves out the required `expires_in`."""
    return rewrite_json(
        operation_is("requestIngestionToken"),
        lambda status, _: status == 200,
        lambda body: body.pop("expires_in", None),
    )


@mutant("aisera-ingestion", ("ingestIncidents",), "content_type_conformance")
def aisera_incidents_text_plain(patch: pytest.MonkeyPatch) -> Wrapper:
    """A successful `POST /incidents` is labelled `text/plain` instead of the documented `application/json`."""

    def relabel(answer: Answer) -> None:
        if answer.status == 200:
            answer.headers["content-type"] = "text/plain; charset=utf-8"

    return rewrite(operation_is("ingestIncidents"), relabel)


@mutant("aisera-ingestion", ("requestIngestionToken",), "negative_data_rejection")
def aisera_grant_type_enum_bypassed(patch: pytest.MonkeyPatch) -> None:
    """Request validation skips `grant_type`'s enum (`password`): a token is issued for any grant type."""
    real = schemas.to_json_schema

    def to_json_schema(root: Any, schema: Any, direction: schemas.Direction) -> dict[str, Any]:
        compiled = real(root, schema, direction)
        if direction is schemas.Direction.REQUEST:
            compiled.get("properties", {}).get("grant_type", {}).pop("enum", None)
        return compiled

    # The compiler converts each body schema once, when the app is created (after this patch).
    patch.setattr(compiler, "to_json_schema", to_json_schema)


@mutant("aisera-ingestion", ("ingestAlerts",), "workflow:token_expiry", (Phase.STATEFUL,))
def aisera_token_never_expires(patch: pytest.MonkeyPatch) -> None:
    """The bearer checker ignores the token's `expiresAt`: a token is still honoured after its hour."""

    async def bearer(token: str, scheme: str) -> dict[str, Any]:
        grant = await runtime().store.get(f"{aisera_ingestion.SPEC}/tokens", aisera_ingestion._token_key(token))
        if grant is None:
            raise unauthorized("unknown access token", scheme=scheme)
        return dict(grant)

    patch.setattr(aisera_ingestion, "_bearer", bearer)


@mutant("aisera-ingestion", ("ingestChanges",), "positive_data_acceptance")
def aisera_changes_refuses_batches(patch: pytest.MonkeyPatch) -> None:
    """`POST /changes` refuses a valid array of records with 400 (it only takes single records)."""
    real = aisera_ingestion.ingest_changes

    async def ingest_changes(body: dict[str, Any] | list[dict[str, Any]]) -> Any:
        if isinstance(body, list):
            refusal = aisera_ingestion._error(400, "send one record per request", "body")
            return refusal, 400, {"Content-Type": "application/json"}
        return await real(body)

    patch.setattr(aisera_ingestion, "ingest_changes", ingest_changes)


@mutant("aisera-ingestion", ("requestIngestionToken", "ingestAlerts"), "token_endpoint")
def aisera_token_without_access_token(patch: pytest.MonkeyPatch) -> Wrapper:
    """The token endpoint answers 200 without the `access_token` it exists to issue."""
    return rewrite_json(
        operation_is("requestIngestionToken"),
        lambda status, _: status == 200,
        lambda body: body.pop("access_token", None),
    )


# Aisera Conversation


@mutant("aisera-conversation", ("receiveConversationRequest",), "response_schema_conformance")
def aisera_conversation_numeric_session_id(patch: pytest.MonkeyPatch) -> Wrapper:
    """`sessionId` is answered as a number (the first 32 bits of the UUID) instead of a string."""

    def renumber(body: dict[str, Any]) -> None:
        body["sessionId"] = int(str(body["sessionId"])[:8], 16)

    return rewrite_json(
        operation_is("receiveConversationRequest"), lambda status, body: status == 200 and "sessionId" in body, renumber
    )


@mutant("aisera-conversation", ("receiveConversationRequest",), "aisera_error_code")
def aisera_conversation_error_code_500(patch: pytest.MonkeyPatch) -> None:
    """The error envelope's `code` is always 500 (the ERR-012 default), whatever the HTTP status."""
    real = aisera_conversation._error

    def error(*args: Any, **kwargs: Any) -> dict[str, Any]:
        return {**real(*args, **kwargs), "code": 500}

    patch.setattr(aisera_conversation, "_error", error)


@mutant("aisera-conversation", ("receiveConversationRequest",), "unsupported_method", (Phase.COVERAGE,))
def aisera_conversation_undeclared_method_404(patch: pytest.MonkeyPatch) -> Wrapper:
    """An undeclared method on `/api/receive` gets 404 instead of 405 with `Allow`."""

    def not_found(answer: Answer) -> None:
        if answer.status == 405:
            answer.status = 404
            answer.headers.pop("allow", None)

    # A 405 is never routed to an operation, so this rewrite selects by path.
    return rewrite(lambda scope: scope["path"].endswith("/api/receive"), not_found)


@mutant("aisera-conversation", ("receiveConversationRequest",), "auth_enforcement")
def aisera_conversation_any_channel_token(patch: pytest.MonkeyPatch) -> None:
    """An unknown channel `token` is served by the first channel instead of being refused with 401."""
    real = aisera_conversation.receive_conversation_request
    # The store keeps channels by their token's SHA-256 only: the first channel's token comes from its fixture.
    fixture = yaml.safe_load((FIXTURES_DIR / f"{aisera_conversation.SPEC}.yaml").read_text(encoding="utf-8"))
    first = str(fixture["channels"][0]["token"])

    async def receive_conversation_request(body: dict[str, Any]) -> Any:
        token = body.get("token")
        if isinstance(token, str) and await runtime().store.get(CHANNELS, digest(token)) is None:
            body = {**body, "token": first}
        return await real(body)

    patch.setattr(aisera_conversation, "receive_conversation_request", receive_conversation_request)


# SysAid Copilot

_THREAD = {"status": "ok", "messages": [{"role": "user", "content": "hello", "createdAt": "2024-07-30T09:15:00Z"}]}
"""A chat thread, as `GET /api/chat/{chatuid}` answers its owner."""


@mutant("sysaid-copilot", ("queryDatasetRecords",), "admin_role_enforcement")
def sysaid_records_admin_check_missing(patch: pytest.MonkeyPatch) -> None:
    """The record query takes every caller for an administrator: a non-admin reads the records."""
    real = sysaid_session.may_call

    def may_call(user: sysaid_session.Caller, operation: Any) -> bool:
        return operation.operation_id == "queryDatasetRecords" or real(user, operation)

    # `x-admin-only` is enforced once, by the hostname checker, which looks `may_call` up at call time.
    patch.setattr(sysaid_session, "may_call", may_call)


@mutant("sysaid-copilot", ("startChat", "getChat", "deleteChat"), "workflow:sysaid_chat_lifecycle", (Phase.STATEFUL,))
def sysaid_delete_chat_keeps_chat(patch: pytest.MonkeyPatch) -> None:
    """`DELETE /api/chat/{chatuid}` answers `status: "ok"` but the chat stays readable."""

    async def delete_chat(chatuid: str) -> Any:
        chat, error = await sysaid_chats.find_chat(chatuid, sysaid_session.caller())
        return sysaid_replies.ok() if chat is not None else sysaid_replies.refuse(error)

    patch.setattr(sysaid, "delete_chat", delete_chat)


@mutant("sysaid-copilot", ("getChat",), "sysaid_status_envelope", (Phase.FUZZING,))
def sysaid_in_band_error_says_ok(patch: pytest.MonkeyPatch) -> Wrapper:
    """An in-band error of `GET /api/chat/{chatuid}` (HTTP 200) says `status: "ok"` next to its `error`."""
    return rewrite_json(
        operation_is("getChat"),
        lambda status, body: status == 200 and body.get("status") == "error",
        lambda body: body.update(status="ok"),
    )


def _is_records_query(scope: Scope) -> bool:
    return (
        scope["method"] == "POST"
        and scope["path"].startswith("/sysaid-copilot/api/dataset/")
        and scope["path"].endswith("/query")
    )


def _forget_paging(sent: Sent) -> None:
    query = sent.json()
    if isinstance(query, dict):
        sent.body = json.dumps({k: v for k, v in query.items() if k not in ("limit", "offset")}).encode()


def _echo_requested_paging(answer: Answer) -> None:
    query, page = answer.request.json(), answer.json()
    if isinstance(page, dict) and "records" in page and isinstance(query, dict):
        page.update({key: query[key] for key in ("limit", "offset") if key in query})
        answer.body = json.dumps(page).encode()


@mutant("sysaid-copilot", ("queryDatasetRecords",), "paging_honoured")
def sysaid_records_paging_ignored(patch: pytest.MonkeyPatch) -> Wrapper:
    """The record query ignores `limit` and `offset` (always the first 100) but echoes the requested values."""
    return lambda app: RewriteResponse(
        app, operation_is("queryDatasetRecords"), _echo_requested_paging, _forget_paging, _is_records_query
    )


@mutant("sysaid-copilot", ("queryDatasetRecords",), "ordering_honoured")
def sysaid_records_order_reversed(patch: pytest.MonkeyPatch) -> Wrapper:
    """The record query returns its page in the reverse of the requested (or default `id DESC`) order."""
    return rewrite_json(
        operation_is("queryDatasetRecords"),
        lambda status, body: len(body.get("records") or ()) > 1,
        lambda body: body["records"].reverse(),
    )


@mutant("sysaid-copilot", ("startChat",), "role_dependent_fields")
def sysaid_chat_system_for_everyone(patch: pytest.MonkeyPatch) -> Wrapper:
    """A chat answer carries the admin-only `system` field whoever asks."""
    return rewrite_json(
        operation_is("startChat"),
        lambda status, body: status == 200 and body.get("status") == "ok",
        lambda body: body.setdefault("system", "model: default; sources: KB-1042"),
    )


@mutant("sysaid-copilot", ("startChat", "getChat"), "role_dependent_fields", (Phase.STATEFUL,))
def sysaid_thread_info_for_everyone(patch: pytest.MonkeyPatch) -> Wrapper:
    """A chat thread carries the admin-only `info` on every message whoever reads it."""

    def show_info(body: dict[str, Any]) -> None:
        for message in body["messages"]:
            message.setdefault("info", "sources: KB-1042")

    return rewrite_json(operation_is("getChat"), lambda status, body: isinstance(body.get("messages"), list), show_info)


@mutant("sysaid-copilot", ("getChat",), "identity_isolation")
def sysaid_chat_readable_by_other_users(patch: pytest.MonkeyPatch) -> Wrapper:
    """Reading another user's chat answers a thread instead of the error "Chat belongs to another user"."""
    return rewrite_json(
        operation_is("getChat"),
        lambda status, body: body.get("error") == "Chat belongs to another user",
        replaced_by(_THREAD),
    )


@mutant("sysaid-copilot", ("getChat",), "ignored_auth")
def sysaid_chat_served_without_login(patch: pytest.MonkeyPatch) -> Wrapper:
    """A caller who is not logged in reads the chat thread instead of the documented "User not logged in"."""
    return rewrite_json(
        operation_is("getChat"),
        lambda status, body: body.get("error") == "User not logged in",
        replaced_by(_THREAD),
    )


@mutant("sysaid-copilot", ("downloadDocument",), "response_headers_conformance")
def sysaid_download_without_disposition(patch: pytest.MonkeyPatch) -> Wrapper:
    """A downloaded document comes without the `Content-Disposition` header the contract declares as required."""

    def drop(answer: Answer) -> None:
        if answer.status == 200:
            answer.headers.pop("content-disposition", None)

    return rewrite(operation_is("downloadDocument"), drop)


@mutant("sysaid-copilot", ("createSrFromChat", "getLongOperation"), "long_operation_completes")
def sysaid_long_operation_stuck(patch: pytest.MonkeyPatch) -> Wrapper:
    """A long operation reports `status: "in-progress"` forever."""
    return rewrite_json(
        operation_is("getLongOperation"),
        lambda status, body: status == 200 and "status" in body,
        lambda body: body.update(status="in-progress", message="Creating service request"),
    )


@mutant("sysaid-copilot", ("streamChat",), "stream_framing")
def sysaid_stream_without_done(patch: pytest.MonkeyPatch) -> Wrapper:
    """A chat stream ends after its parts, without the final `done` event (the client never gets the answer)."""

    def truncate(answer: Answer) -> None:
        if answer.status == 200:
            answer.body = answer.body.split(b"event: done", 1)[0]

    return rewrite(operation_is("streamChat"), truncate)


def _done_without_chatuid(answer: Answer) -> None:
    if answer.status != 200:
        return
    events = answer.body.decode().split("\n\n")
    for index, event in enumerate(events):
        name, _, data = event.partition("\ndata: ")
        if name == "event: done":
            done = json.loads(data)
            done.pop("chatuid", None)
            events[index] = f"{name}\ndata: {json.dumps(done)}"
    answer.body = "\n\n".join(events).encode()


@mutant("sysaid-copilot", ("streamChat",), "stream_event_schema")
def sysaid_stream_done_without_chatuid(patch: pytest.MonkeyPatch) -> Wrapper:
    """The final `done` event of a chat stream leaves out the `chatuid` its data schema requires."""
    return rewrite(operation_is("streamChat"), _done_without_chatuid)


# ASAPP Metadata Ingestion


@mutant("asapp-metadata-ingestion", ("manyAgentMetadata",), "asapp_batch_error_count")
def asapp_batch_error_count_zero(patch: pytest.MonkeyPatch) -> Wrapper:
    """A batch answer reports `errorCount: 0` however many items failed."""
    return rewrite_json(
        operation_is("manyAgentMetadata"), lambda _, body: "errorCount" in body, lambda body: body.update(errorCount=0)
    )


@mutant("asapp-metadata-ingestion", ("singleAgentMetadata",), "auth_enforcement")
def asapp_secret_not_compared(patch: pytest.MonkeyPatch) -> None:
    """The `asapp-api-secret` checker accepts any secret sent with a known `asapp-api-id`."""

    async def check_api_secret(api_secret: str, call: Call) -> dict[str, Any]:
        return await asapp.check_api_id(call.headers.get("asapp-api-id", ""), call)

    patch.setitem(asapp.SECURITY, "asapp-api-secret", check_api_secret)


@mutant("asapp-metadata-ingestion", ("singleCustomerMetadata",), "not_a_server_error")
def asapp_crash_without_event_id(patch: pytest.MonkeyPatch) -> None:
    """The handler crashes (500) when the optional `eventId` is left out or null."""
    real = asapp.single_customer_metadata

    async def single_customer_metadata(body: dict[str, Any]) -> Any:
        body["eventId"].strip()
        return await real(body)

    patch.setattr(asapp, "single_customer_metadata", single_customer_metadata)


@mutant("asapp-metadata-ingestion", ("manyAgentMetadata",), "batch_status")
def asapp_batch_total_failure_200(patch: pytest.MonkeyPatch) -> Wrapper:
    """A batch in which every item failed is answered 200 (partial success) instead of 400."""

    def accept(answer: Answer) -> None:
        if answer.status == 400 and isinstance((answer.json() or {}).get("results"), list):
            answer.status = 200

    return rewrite(operation_is("manyAgentMetadata"), accept)


# Alvaria Messaging


@mutant("alvaria-messaging", ("sendText",), "status_code_conformance")
def alvaria_send_text_200(patch: pytest.MonkeyPatch) -> Wrapper:
    """An accepted `sendText` answers 200, which the contract does not declare (it documents 202)."""

    def ok(answer: Answer) -> None:
        if answer.status == 202:
            answer.status = 200

    return rewrite(operation_is("sendText"), ok)


@mutant("alvaria-messaging", ("sendText",), "alvaria_error_code")
def alvaria_error_code_400(patch: pytest.MonkeyPatch) -> None:
    """`ErrorResponse.code` is always 400, whatever the HTTP status (401, 404, ...)."""
    real = alvaria_envelopes.error_response

    def error_response(status: int, detail: str, **options: Any) -> dict[str, Any]:
        return {**real(status, detail, **options), "code": 400}

    patch.setattr(alvaria_envelopes, "error_response", error_response)


@mutant("alvaria-messaging", ("createStreamingSession", "sendText"), "workflow:token_expiry", (Phase.STATEFUL,))
def alvaria_token_never_expires(patch: pytest.MonkeyPatch) -> None:
    """The bearer checker ignores the token's `expiresAt`: a token is still honoured after its 3599 s."""

    async def check_access_token(token: str, call: Call) -> dict[str, Any]:
        found = await runtime().store.get(alvaria_directory.TOKENS, alvaria_directory.credential_key(token))
        if found is None:
            raise unauthorized("unknown token", scheme=alvaria_auth.BEARER)
        await alvaria_auth._authorize(found, call)  # scope and organization, as the real checker
        return {"clientId": found["clientId"], "scope": found["scope"], "orgId": found["orgId"]}

    async def keep_expired_tokens(store: Any, now: float) -> int:
        return 0

    patch.setitem(alvaria.SECURITY, alvaria_auth.BEARER, check_access_token)
    # Issuing a token purges the expired ones; the token service looks the purge up at call time.
    patch.setattr(alvaria_auth, "purge_expired_tokens", keep_expired_tokens)


def _token_service_unavailable(answer: Answer) -> None:
    answer.status = 503
    answer.headers["content-type"] = "application/json"
    answer.body = b'{"error": "temporarily_unavailable"}'


@mutant("alvaria-messaging", ("requestAlvariaAccessToken", "sendText"), "token_endpoint")
def alvaria_token_endpoint_503(patch: pytest.MonkeyPatch) -> Wrapper:
    """The token service answers 503, a status its contract does not declare, to every token request."""
    return rewrite(operation_is("requestAlvariaAccessToken"), _token_service_unavailable)


def _long_lived_tokens(fixture: dict[str, Any]) -> None:
    fixture["tokenService"]["lifetimeSeconds"] = 7200


@mutant("alvaria-messaging", ("requestAlvariaAccessToken",), "token_lifetime", fixture=_long_lived_tokens)
def alvaria_token_lifetime_two_hours(patch: pytest.MonkeyPatch) -> None:
    """The token service issues two-hour tokens (`expires_in` 7200); the contract documents 60 minutes."""


def _tokens_outlive_their_lifetime(fixture: dict[str, Any]) -> None:
    fixture["tokenService"]["lifetimeSeconds"] = 5000


@mutant(
    "alvaria-messaging",
    ("createStreamingSession", "sendText"),
    "workflow:token_expiry",
    (Phase.STATEFUL,),
    fixture=_tokens_outlive_their_lifetime,
)
def alvaria_token_outlives_expires_in(patch: pytest.MonkeyPatch) -> Wrapper:
    """Tokens say `expires_in: 3599` but are honoured for 5000 s (a far jump past both would not tell)."""
    return rewrite_json(
        operation_is("requestAlvariaAccessToken"),
        lambda status, body: status == 200,
        lambda body: body.update(expires_in=3599),
    )


def _events_beyond_max(answer: Answer) -> None:
    page = answer.json()
    if answer.status == 200 and isinstance(page, dict):
        wanted = int(answer.request.query.get("maxEvents", "1") or 1)
        event = {"eventType": "engagementCenter.Active", "eventTime": "2024-07-30T09:15:00Z", "payload": {}}
        page["events"] = [*page.get("events", []), *[event] * (wanted + 1)][: wanted + 1]
        answer.body = json.dumps(page).encode()


@mutant("alvaria-messaging", ("getStreamingEvents",), "paging_honoured")
def alvaria_events_beyond_max_events(patch: pytest.MonkeyPatch) -> Wrapper:
    """A poll returns one event more than `maxEvents` (default 1) allows."""
    return rewrite(operation_is("getStreamingEvents"), _events_beyond_max)


CATALOGUE: tuple[Mutant, ...] = tuple(_CATALOGUE)
