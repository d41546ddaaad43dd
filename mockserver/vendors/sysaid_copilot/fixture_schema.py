"""JSON Schema of SysAid Copilot's fixture file (`<fixtures>/sysaid-copilot.yaml`), strict at every level.

One entry per organization (a SysAid account reached through its `x-sysaid-hostname`): its configuration
(`orgConf`), users and their `JSESSIONID` sessions, the knowledge chats answer from, SR categories, service
requests, and optional chats, streams, long operations and datasets (with records and documents). Field lists and
enums the contract declares (`orgConf`, categories, item types and statuses, SR types) are read from it.
"""

from __future__ import annotations

from typing import Any

from mockserver.vendors.sysaid_copilot.model import component

__all__ = ["FIXTURE_SCHEMA"]

_UUID = str(component("Uuid")["pattern"])
_TEXT = {"type": "string", "minLength": 1}
_STRINGS = {"type": "array", "items": _TEXT}
_TIME = {"type": "string", "format": "date-time"}
_SUGGESTED = ("srType", "similarity")


def _object(required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": required, "additionalProperties": False, "properties": properties}


def _enum(schema_name: str) -> dict[str, Any]:
    return {"enum": list(component(schema_name)["enum"])}


_ORG_CONF = _object(["orgName", "srTimeRangeValue", "srTimeRangeUnit"], dict(component("OrgUpdate")["properties"]))
"""An organization's `orgConf`: the fields `POST /api/org` may change (the contract's `OrgUpdate`)."""
_CATEGORY_FIELDS = {
    name: schema for name, schema in component("SuggestedCategory")["properties"].items() if name not in _SUGGESTED
}
"""A category as `POST /api/sr/suggest_category_for_text` returns it, less what the suggestion itself adds."""
_MESSAGE = _object(
    ["role", "content"],
    {
        "role": {"enum": ["user", "assistant"]},
        "content": {"type": "string"},
        "info": {"type": "string"},
        "answered": {"type": "boolean", "description": "false for an exchange that got No Answer"},
        "qualityRate": {"type": "number", "minimum": 0, "maximum": 1},
    },
)
_RECORD = _object(
    ["id", "text"],
    {
        "id": {"type": "integer", "minimum": 1},
        "text": {"type": "string"},
        "summary": {"type": "string"},
        "status": _TEXT,
        "resourceLocator": {"type": "string"},
        "resourceUpdatedAt": _TIME,
        "isVerifiedAnswer": {"type": "boolean"},
    },
)
_ITEM = _object(
    ["id", "name", "itemType", "status"],
    {
        "id": {"type": "integer", "minimum": 1},
        "name": _TEXT,
        "itemType": _enum("DocumentItemType"),
        "status": _enum("DocumentItemStatus"),
        "statusMessage": {"type": "string"},
        "resourceLocator": {"type": "string"},
        "file": _object(["filename", "content"], {"filename": _TEXT, "content": {"type": "string"}}),
    },
)
_DATASET = _object(
    ["id", "title", "datasetType", "builtIn", "enabled"],
    {
        "id": {"type": "integer", "minimum": 1},
        "title": _TEXT,
        "datasetType": {"type": "integer"},
        "builtIn": {"type": "boolean"},
        "enabled": {"type": "boolean"},
        "maxDistance": {"type": ["number", "null"]},
        "gueranteeItems": {"type": ["integer", "null"]},
        "configuration": {"type": ["string", "null"]},
        "records": {"type": "array", "items": _RECORD},
        "items": {"type": "array", "items": _ITEM},
    },
)
_ORG = _object(
    ["hostname", "accountId", "orgConf", "users", "knowledge", "categories", "serviceRequests"],
    {
        "hostname": {"type": "string", "pattern": "^[A-Za-z0-9.-]+$"},
        "accountId": {**_TEXT, "description": "SysAid account id, as `POST /api/chat/fromEmail` sends it"},
        "orgConf": _ORG_CONF,
        "users": {
            "type": "array",
            "minItems": 1,
            "items": _object(
                ["username", "fullname", "isAdministrator", "jsessionid"],
                {"username": _TEXT, "fullname": _TEXT, "isAdministrator": {"type": "boolean"}, "jsessionid": _TEXT},
            ),
        },
        "knowledge": {
            "type": "array",
            "description": "Chat answers: the entry matching most keywords answers; none matching is No Answer.",
            "items": _object(
                ["keywords", "answer", "sources"], {"keywords": _STRINGS, "answer": _TEXT, "sources": _TEXT}
            ),
        },
        "categories": {
            "type": "array",
            "items": _object(
                ["srType", "keywords", "category"],
                {
                    "srType": _enum("SrType"),
                    "keywords": _STRINGS,
                    "category": _object(sorted(_CATEGORY_FIELDS), _CATEGORY_FIELDS),
                },
            ),
        },
        "serviceRequests": {
            "type": "array",
            "items": _object(
                ["srId", "requester", "title", "description", "status", "summary", "sentiment", "sentimentTextList"],
                {
                    "srId": {"type": "integer", "minimum": 1},
                    "requester": _TEXT,
                    "title": _TEXT,
                    "description": _TEXT,
                    "status": _TEXT,
                    "summary": _TEXT,
                    "sentiment": _TEXT,
                    "sentimentTextList": _STRINGS,
                },
            ),
        },
        "chats": {
            "type": "array",
            "items": _object(
                ["chatuid", "username", "createdAt", "messages"],
                {
                    "chatuid": {"type": "string", "pattern": _UUID},
                    "username": _TEXT,
                    "createdAt": _TIME,
                    "srId": {"type": "integer"},
                    "messages": {"type": "array", "minItems": 1, "items": _MESSAGE},
                },
            ),
        },
        "streams": {
            "type": "array",
            "description": "Recorded streams (the contract's example sid), replayed in full on every read.",
            "items": _object(["sid", "chatuid"], {"sid": _TEXT, "chatuid": {"type": "string", "pattern": _UUID}}),
        },
        "longOperations": {
            "type": "array",
            "description": "Completed SR creations (the contract's example id).",
            "items": _object(
                ["id", "chatuid", "srId"],
                {
                    "id": {"type": "string", "pattern": _UUID},
                    "chatuid": {"type": "string", "pattern": _UUID},
                    "srId": {"type": "integer"},
                },
            ),
        },
        "datasets": {"type": "array", "items": _DATASET},
    },
)

FIXTURE_SCHEMA: dict[str, Any] = _object(
    ["organizations"],
    {
        "organizations": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": "^[a-z0-9][a-z0-9-]{0,62}$"},
            "additionalProperties": _ORG,
        }
    },
)
