"""The Conversation API's fixture: channels (tokens) and bots (knowledge, workflows, live agent, survey, failures).

`validate_fixture` checks what the JSON Schema cannot (workflow steps that exist, choice ids unique per bot, ERR
codes the contract documents) before anything is replaced; `seed` stores channels by token and bots by name.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from contracts import load_contract
from mockserver.errors import FixtureError
from mockserver.store import Store, digest

__all__ = ["BOTS", "CHANNELS", "CONFIG", "FEEDBACK", "FIXTURE_SCHEMA", "SPEC", "options_of", "seed", "validate_fixture"]

SPEC = "aisera-conversation"
CHANNELS = f"{SPEC}/channels"
BOTS = f"{SPEC}/bots"
FEEDBACK = f"{SPEC}/feedback"
"""End-of-session survey answers."""
CONFIG = (f"{SPEC}/config", "sessions")

_TEXT = {"type": "string", "minLength": 1}
_WORDS = {"type": "array", "minItems": 1, "items": _TEXT}
_CODE = {"type": "string", "pattern": "^ERR-[0-9]{3}$"}
_CHOICE = {
    "type": "object",
    "required": ["id", "text"],
    "additionalProperties": False,
    "properties": {"id": _TEXT, "text": _TEXT},
}
_OPTION = {**_CHOICE, "required": ["id", "text", "next"], "properties": {"id": _TEXT, "text": _TEXT, "next": _TEXT}}
_FIELD = {
    "type": "object",
    "required": ["name", "label", "type", "required"],
    "additionalProperties": False,
    "properties": {
        "name": _TEXT,
        "label": _TEXT,
        "type": {"enum": ["text", "number", "boolean", "select", "multiselect"]},
        "required": {"type": "boolean"},
        "choices": _WORDS,
    },
}
_OUTCOMES = ("options", "form", "mode", "error")
"""What a step does after showing its text; at most one per step (none: the workflow completes)."""
_STEP = {
    "type": "object",
    "required": ["text"],
    "additionalProperties": False,
    "properties": {
        "text": _TEXT,
        "options": {"type": "array", "minItems": 1, "items": _OPTION},
        "form": {
            "type": "object",
            "required": ["id", "fields", "next"],
            "additionalProperties": False,
            "properties": {"id": _TEXT, "fields": {"type": "array", "minItems": 1, "items": _FIELD}, "next": _TEXT},
        },
        "mode": {"enum": ["Error", "ExternalSystemError"], "description": "The step reports an in-band error"},
        "error": {**_CODE, "description": "Entering the step fails the request (500) with this code"},
    },
}
_FAILURE = {
    "type": "object",
    "required": ["error", "message"],
    "additionalProperties": False,
    "properties": {"error": _CODE, "message": _TEXT},
}
_REPLY = {
    "anyOf": [
        _TEXT,
        {
            "type": "object",
            "required": ["text", "mode"],
            "additionalProperties": False,
            "properties": {"text": _TEXT, "mode": {"enum": ["LiveAgent", "LiveAgentWaiting", "LiveAgentFileUpload"]}},
        },
    ]
}
_MESSAGES = ["greeting", "no_answer", "stale_option", "form_incomplete", "nothing_to_go_back", "reset", "logout"]
_LIVE_AGENT_TEXTS = ["queued", "queue_update", "joined", "exited"]
_LIVE_AGENT_KEYS = ["triggers", "button", "agent_name", "join_after_seconds", "replies", "end_phrases"]
_BOT = {
    "type": "object",
    "required": ["messages", "knowledge", "workflows", "live_agent"],
    "additionalProperties": False,
    "properties": {
        "messages": {
            "type": "object",
            "required": _MESSAGES,
            "additionalProperties": False,
            "properties": {name: _TEXT for name in _MESSAGES},
        },
        "knowledge": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "keywords", "answer"],
                "additionalProperties": False,
                "properties": {"id": _TEXT, "keywords": _WORDS, "answer": _TEXT},
            },
        },
        "workflows": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "keywords", "start", "steps"],
                "additionalProperties": False,
                "properties": {
                    "id": _TEXT,
                    "name": _TEXT,
                    "keywords": _WORDS,
                    "start": _TEXT,
                    "steps": {"type": "object", "minProperties": 1, "additionalProperties": _STEP},
                },
            },
        },
        "live_agent": {
            "type": "object",
            "required": [*_LIVE_AGENT_KEYS, *_LIVE_AGENT_TEXTS],
            "additionalProperties": False,
            "properties": {
                "triggers": _WORDS,
                "button": _CHOICE,
                "agent_name": _TEXT,
                "join_after_seconds": {"type": "number", "minimum": 0},
                "replies": {"type": "array", "minItems": 1, "items": _REPLY},
                "end_phrases": _WORDS,
                **{name: _TEXT for name in _LIVE_AGENT_TEXTS},
            },
        },
        "survey": {
            "type": "object",
            "description": "The end-of-session survey answered to a logout",
            "required": ["text", "options", "thanks"],
            "additionalProperties": False,
            "properties": {"text": _TEXT, "options": {**_WORDS, "items": _CHOICE}, "thanks": _TEXT},
        },
        "failures": {
            "type": "object",
            "description": "What fails on this bot, with the ERR code it is logged with",
            "additionalProperties": False,
            "properties": {"understanding": _FAILURE, "live_agent": _FAILURE},
        },
    },
}

FIXTURE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["session_timeout_seconds", "channels", "bots"],
    "additionalProperties": False,
    "properties": {
        "session_timeout_seconds": {"type": "number", "exclusiveMinimum": 0},
        "channels": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["name", "token", "channel_id", "bot"],
                "additionalProperties": False,
                "properties": {"name": _TEXT, "token": _TEXT, "channel_id": _TEXT, "bot": _TEXT},
            },
        },
        "bots": {"type": "object", "minProperties": 1, "additionalProperties": _BOT},
    },
}


def options_of(bot: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], str, str]]:
    """(followUpId or form id, option or form, workflow id, step id) of every choice a bot offers in a workflow."""
    for workflow in bot["workflows"]:
        for step_id, step in workflow["steps"].items():
            for option in step.get("options", []):
                yield option["id"], option, workflow["id"], step_id
            if "form" in step:
                yield step["form"]["id"], step["form"], workflow["id"], step_id


def _codes_used(bot: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for workflow in bot["workflows"]:
        for step_id, step in workflow["steps"].items():
            if "error" in step:
                yield step["error"], f"workflows/{workflow['id']}/steps/{step_id}"
    for name, failure in bot.get("failures", {}).items():
        yield failure["error"], f"failures/{name}"


def _check_bot(name: str, bot: dict[str, Any], codes: set[str]) -> None:
    """Workflows point at their own steps, steps do one thing, choice ids are unique, ERR codes are documented."""
    seen = {bot["live_agent"]["button"]["id"]: "the live-agent button"}
    for option in bot.get("survey", {}).get("options", []):
        if option["id"] in seen:
            raise FixtureError(f"bots/{name}: survey option id {option['id']!r} is also {seen[option['id']]}")
        seen[option["id"]] = "a survey option"
    for workflow in bot["workflows"]:
        steps = workflow["steps"]
        where = f"bots/{name}/workflows/{workflow['id']}"
        if workflow["start"] not in steps:
            raise FixtureError(f"{where}: start step {workflow['start']!r} is not one of {sorted(steps)}")
        for step_id, step in steps.items():
            outcomes = [key for key in _OUTCOMES if key in step]
            if len(outcomes) > 1:
                raise FixtureError(f"{where}/steps/{step_id}: a step has at most one of {_OUTCOMES}, not {outcomes}")
            targets = [option["next"] for option in step.get("options", [])] + [step.get("form", {}).get("next")]
            for target in targets:
                if target is not None and target not in steps:
                    raise FixtureError(f"{where}/steps/{step_id}: next step {target!r} is not one of {sorted(steps)}")
    for choice_id, _, workflow_id, step_id in options_of(bot):
        if choice_id in seen:
            raise FixtureError(f"bots/{name}: id {choice_id!r} of {workflow_id}/{step_id} is also {seen[choice_id]}")
        seen[choice_id] = f"used by {workflow_id}/{step_id}"
    for code, where in _codes_used(bot):
        if code not in codes:
            raise FixtureError(f"bots/{name}/{where}: {code} is not a documented code ({', '.join(sorted(codes))})")


def validate_fixture(data: dict[str, Any]) -> None:
    """Check the bots and that every channel has its own token and a known bot."""
    codes = set(load_contract(SPEC).document["x-aisera-error-codes"]["codes"])
    for name, bot in data["bots"].items():
        _check_bot(name, bot, codes)
    tokens: set[str] = set()
    for channel in data["channels"]:
        if channel["bot"] not in data["bots"]:
            known = sorted(data["bots"])
            raise FixtureError(f"channel {channel['name']!r}: unknown bot {channel['bot']!r}; known: {known}")
        if channel["token"] in tokens:
            raise FixtureError(f"channel {channel['name']!r}: its token is also another channel's")
        tokens.add(channel["token"])


async def seed(store: Store, data: dict[str, Any]) -> None:
    """Store channels (keyed by token), bots (keyed by name) and the session timeout."""
    for name, bot in data["bots"].items():
        await store.put(BOTS, name, bot)
    for channel in data["channels"]:
        stored = {key: value for key, value in channel.items() if key != "token"}
        await store.put(CHANNELS, digest(channel["token"]), stored)  # by its SHA-256: no credential is listed
    await store.put(*CONFIG, {"timeoutSeconds": data["session_timeout_seconds"]})
