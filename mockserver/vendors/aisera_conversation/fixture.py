"""The Conversation API's fixture: channels (tokens) and bots (knowledge, workflows, live agent), checked and stored."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mockserver.errors import FixtureError
from mockserver.store import Store

__all__ = ["BOTS", "CHANNELS", "CONFIG", "FIXTURE_SCHEMA", "SPEC", "options_of", "seed"]

SPEC = "aisera-conversation"
CHANNELS = f"{SPEC}/channels"
BOTS = f"{SPEC}/bots"
CONFIG = (f"{SPEC}/config", "sessions")

_TEXT = {"type": "string", "minLength": 1}
_WORDS = {"type": "array", "minItems": 1, "items": _TEXT}
_OPTION = {
    "type": "object",
    "required": ["id", "text", "next"],
    "additionalProperties": False,
    "properties": {"id": _TEXT, "text": _TEXT, "next": _TEXT},
}
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
    },
    "not": {"required": ["options", "form"]},
}
_MESSAGES = ["greeting", "no_answer", "stale_option", "form_incomplete", "nothing_to_go_back", "reset", "logout"]
_LIVE_AGENT_TEXTS = ["waiting", "waiting_update", "joined", "exited"]
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
            "required": [
                "triggers",
                "button",
                "agent_name",
                "join_after_seconds",
                "replies",
                "end_phrases",
                *_LIVE_AGENT_TEXTS,
            ],
            "additionalProperties": False,
            "properties": {
                "triggers": _WORDS,
                "button": {
                    "type": "object",
                    "required": ["id", "text"],
                    "additionalProperties": False,
                    "properties": {"id": _TEXT, "text": _TEXT},
                },
                "agent_name": _TEXT,
                "join_after_seconds": {"type": "number", "minimum": 0},
                "replies": _WORDS,
                "end_phrases": _WORDS,
                **{name: _TEXT for name in _LIVE_AGENT_TEXTS},
            },
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


def _check_bot(name: str, bot: dict[str, Any]) -> None:
    """Workflows must point at their own steps, and choice ids must be unique within the bot."""
    seen = {bot["live_agent"]["button"]["id"]: "the live-agent button"}
    for workflow in bot["workflows"]:
        steps = workflow["steps"]
        where = f"bots/{name}/workflows/{workflow['id']}"
        if workflow["start"] not in steps:
            raise FixtureError(f"{where}: start step {workflow['start']!r} is not one of {sorted(steps)}")
        for step_id, step in steps.items():
            targets = [option["next"] for option in step.get("options", [])] + [step.get("form", {}).get("next")]
            for target in targets:
                if target is not None and target not in steps:
                    raise FixtureError(f"{where}/steps/{step_id}: next step {target!r} is not one of {sorted(steps)}")
    for choice_id, _, workflow_id, step_id in options_of(bot):
        if choice_id in seen:
            raise FixtureError(f"bots/{name}: id {choice_id!r} of {workflow_id}/{step_id} is also {seen[choice_id]}")
        seen[choice_id] = f"used by {workflow_id}/{step_id}"


def seed(store: Store, data: dict[str, Any]) -> None:
    """Check the bots, then store channels (keyed by token), bots (keyed by name) and the session timeout."""
    for name, bot in data["bots"].items():
        _check_bot(name, bot)
    for channel in data["channels"]:
        if channel["bot"] not in data["bots"]:
            known = sorted(data["bots"])
            raise FixtureError(f"channel {channel['name']!r}: unknown bot {channel['bot']!r}; known: {known}")
    for name, bot in data["bots"].items():
        store.put(BOTS, name, bot)
    for channel in data["channels"]:
        store.put(CHANNELS, channel["token"], channel)
    store.put(*CONFIG, {"timeoutSeconds": data["session_timeout_seconds"]})
