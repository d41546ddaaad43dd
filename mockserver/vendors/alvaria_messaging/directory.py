"""What the fixtures say Alvaria knows: the token service, organizations, clients, API keys, agents, interactions.

Everything is seeded into the store (collections `alvaria-messaging/<thing>`, listed by the admin API) and read back
from there, so every worker sees the same directory. Issued credentials (access tokens, streaming session ids) are
kept under `credential_key(value)`, their SHA-256, and no stored field holds the credential itself: the admin API's
record listing shows who holds what without handing out live tokens.
"""

from __future__ import annotations

import hashlib
from typing import Any

from mockserver.errors import FixtureError
from mockserver.runtime import runtime
from mockserver.store import Document, Store, digest

__all__ = [
    "API_KEYS",
    "CLIENTS",
    "CONFIG",
    "EVENTS",
    "FIXTURE_SCHEMA",
    "INTERACTIONS",
    "ORGANIZATIONS",
    "SESSIONS",
    "SPEC",
    "TOKENS",
    "USERS",
    "api_key",
    "channels",
    "client",
    "credential_key",
    "interaction",
    "organization",
    "seed",
    "token_service",
    "user",
    "validate_fixture",
]

SPEC = "alvaria-messaging"
CONFIG = f"{SPEC}/config"
ORGANIZATIONS = f"{SPEC}/organizations"
CLIENTS = f"{SPEC}/clients"
API_KEYS = f"{SPEC}/apiKeys"
USERS = f"{SPEC}/users"
INTERACTIONS = f"{SPEC}/interactions"
TOKENS = f"{SPEC}/tokens"
"""Issued access tokens, by `credential_key(token)`."""
SESSIONS = f"{SPEC}/sessions"
"""Live streaming sessions, by `credential_key(sessionId)`."""
EVENTS = f"{SPEC}/events"

_NAME = {"type": "string", "minLength": 1}
_ORG_ID = {"type": "string", "pattern": "^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"}
_SCOPE = {"type": "string", "pattern": "^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$"}
_KIND = {"enum": ["text", "url", "composing"]}


def _object(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "additionalProperties": False, "properties": properties}


FIXTURE_SCHEMA: dict[str, Any] = _object(
    ["tokenService", "channels", "organizations"],
    tokenService=_object(
        ["lifetimeSeconds", "scopes"],
        lifetimeSeconds={"type": "integer", "minimum": 1},
        scopes={"type": "array", "minItems": 1, "uniqueItems": True, "items": _SCOPE},
    ),
    channels=_object(
        ["chat", "sms"],
        chat={"type": "array", "uniqueItems": True, "items": _KIND},
        sms={"type": "array", "uniqueItems": True, "items": _KIND},
    ),
    organizations={
        "type": "array",
        "minItems": 1,
        "items": _object(
            ["orgId", "clients", "apiKeys", "users", "interactions"],
            orgId=_ORG_ID,
            clients={
                "type": "array",
                "items": _object(
                    ["clientId", "secret", "scopes"],
                    clientId=_NAME,
                    secret=_NAME,
                    scopes={"type": "array", "uniqueItems": True, "items": _SCOPE},
                ),
            },
            apiKeys={"type": "array", "uniqueItems": True, "items": _NAME},
            users={"type": "array", "items": _object(["userId"], userId=_NAME, name=_NAME)},
            interactions={
                "type": "array",
                "items": _object(
                    ["interactionId", "userId", "channel", "state"],
                    interactionId={"type": "string"},
                    userId=_NAME,
                    channel={"enum": ["chat", "sms"]},
                    state={"enum": ["active", "ended"]},
                ),
            },
        ),
    },
)


def validate_fixture(data: dict[str, Any]) -> None:
    """Refuse what the schema cannot express: duplicate ids, unknown scopes or owners."""
    known_scopes = set(data["tokenService"]["scopes"])
    seen: dict[str, set[str]] = {"orgId": set(), "clientId": set(), "apiKey": set()}
    for org in data["organizations"]:
        where = f"organization {org['orgId']!r}"
        values = [("orgId", org["orgId"])] + [("clientId", c["clientId"]) for c in org["clients"]]
        for kind, value in values + [("apiKey", key) for key in org["apiKeys"]]:
            if value in seen[kind]:
                raise FixtureError(f"{SPEC}: {where}: {kind} {value!r} is used twice (it must be unique)")
            seen[kind].add(value)
        for entry in org["clients"]:
            unknown = sorted(set(entry["scopes"]) - known_scopes)
            if unknown:
                raise FixtureError(f"{SPEC}: client {entry['clientId']!r}: scopes {unknown} not in tokenService.scopes")
        agents = {entry["userId"] for entry in org["users"]}
        interactions: set[str] = set()
        for entry in org["interactions"]:
            if entry["userId"] not in agents:
                raise FixtureError(
                    f"{SPEC}: {where}: interaction {entry['interactionId']!r} is owned by unknown user "
                    f"{entry['userId']!r}; users: {sorted(agents)}"
                )
            if entry["interactionId"] in interactions:
                raise FixtureError(f"{SPEC}: {where}: interactionId {entry['interactionId']!r} is used twice")
            interactions.add(entry["interactionId"])


async def seed(store: Store, data: dict[str, Any]) -> None:
    """Store the token service settings, channels and every organization's clients, keys, agents and interactions."""
    await store.put(CONFIG, "tokenService", data["tokenService"])
    await store.put(CONFIG, "channels", data["channels"])
    for org in data["organizations"]:
        org_id = org["orgId"]
        await store.put(ORGANIZATIONS, org_id, {"orgId": org_id})
        for entry in org["clients"]:
            stored = {key: value for key, value in entry.items() if key != "secret"}
            await store.put(
                CLIENTS, entry["clientId"], {**stored, "secretSha256": digest(entry["secret"]), "orgId": org_id}
            )
        for key in org["apiKeys"]:
            await store.put(API_KEYS, digest(key), {"orgId": org_id})
        for entry in org["users"]:
            await store.put(USERS, f"{org_id}:{entry['userId']}", {**entry, "orgId": org_id})
        for entry in org["interactions"]:
            await store.put(INTERACTIONS, f"{org_id}:{entry['interactionId']}", {**entry, "orgId": org_id})


def credential_key(credential: str) -> str:
    """The store id of an issued credential: its SHA-256, hex (the credential itself is never stored)."""
    return hashlib.sha256(credential.encode("utf-8", "surrogatepass")).hexdigest()


async def token_service() -> Document:
    """`lifetimeSeconds` and the known `scopes` of the token service."""
    found = await runtime().store.get(CONFIG, "tokenService")
    if found is None:
        raise FixtureError(f"{SPEC}: the store holds no token service settings (fixtures not seeded)")
    return found


async def channels() -> Document:
    """Channel (`chat`, `sms`) -> the message kinds an interaction on it can take."""
    return await runtime().store.get(CONFIG, "channels") or {}


async def organization(org_id: str) -> Document | None:
    """A known organization."""
    return await runtime().store.get(ORGANIZATIONS, org_id)


async def client(client_id: str) -> Document | None:
    """A registered client application (with its `orgId`, `secretSha256` and allowed `scopes`)."""
    return await runtime().store.get(CLIENTS, client_id)


async def api_key(value: str) -> Document | None:
    """An accepted `x-api-key` (with its `orgId`)."""
    return await runtime().store.get(API_KEYS, digest(value))


async def user(org_id: str, user_id: str) -> Document | None:
    """An agent of an organization."""
    return await runtime().store.get(USERS, f"{org_id}:{user_id}")


async def interaction(org_id: str, interaction_id: str) -> Document | None:
    """An interaction of an organization (with its owner `userId`, `channel` and `state`)."""
    return await runtime().store.get(INTERACTIONS, f"{org_id}:{interaction_id}")


MESSAGING_OPERATIONS = ("sendText", "sendNotification", "sendUrl")


def fixture_from_exchanges(base: dict[str, Any], exchanges: list[Any]) -> tuple[dict[str, Any], int, list[str]]:
    """Agents and interactions seen in recorded messaging calls, added to the base fixture's organizations
    (`contract-mock fixtures-from-har`); clients and API keys cannot come from a recording (they are masked)."""
    organizations = {org["orgId"]: org for org in base["organizations"]}
    used, notes, assumed = 0, [], 0
    for exchange in exchanges:
        if exchange.operation.operation_id not in MESSAGING_OPERATIONS or not exchange.succeeded:
            continue
        org_id, user_id = exchange.variables.get("orgId"), exchange.variables.get("userId")
        interaction = (exchange.request or {}).get("interactionId") if isinstance(exchange.request, dict) else None
        org = organizations.get(str(org_id))
        if org is None:
            notes.append(f"organization {org_id!r} is not in the base fixture: add it with its clients and API keys")
            continue
        if not any(user["userId"] == user_id for user in org["users"]):
            org["users"].append({"userId": user_id, "name": user_id})
        if interaction and not any(item["interactionId"] == interaction for item in org["interactions"]):
            entry = {"interactionId": interaction, "userId": user_id, "channel": "chat", "state": "active"}
            org["interactions"].append(entry)
            assumed += 1
        used += 1
    if assumed:
        notes.append(
            f"{assumed} interaction(s) added as active chats: a recording does not show an interaction's channel"
        )
    return base, used, notes
