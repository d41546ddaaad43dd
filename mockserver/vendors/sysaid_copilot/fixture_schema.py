"""JSON Schema of SysAid Copilot's fixture file (`<fixtures>/sysaid-copilot.yaml`), strict at every level.

One entry per organization (a SysAid account reached through its `x-sysaid-hostname`): its configuration
(`orgConf`), users and their `JSESSIONID` sessions, the knowledge chats answer from, SR categories, service
requests, and optional chats, streams, long operations and datasets (with records and documents).
"""

from __future__ import annotations

from typing import Any

__all__ = ["FIXTURE_SCHEMA"]

_UUID = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_TEXT = {"type": "string", "minLength": 1}
_STRINGS = {"type": "array", "items": _TEXT}
_TIME = {"type": "string", "format": "date-time"}


def _object(required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": required, "additionalProperties": False, "properties": properties}


_ORG_CONF = _object(
    ["orgName", "srTimeRangeValue", "srTimeRangeUnit"],
    {
        **{
            name: {"type": "string"}
            for name in (
                "orgName",
                "logoURL",
                "assistantName",
                "chatSystemMessage",
                "chatbotName",
                "userRole",
                "welcomeMessage",
                "starterMessage",
                "errorMessage",
            )
        },
        "srTimeRangeValue": {"type": "integer", "minimum": 1, "maximum": 100},
        "srTimeRangeUnit": {"enum": ["weeks", "months", "years"]},
    },
)
_CATEGORY_FIELDS = {
    "category_id": {"type": "integer"},
    "problem_type": {"type": "string"},
    "problem_sub_type": {"type": "string"},
    "third_level_category": {"type": "string"},
    "module_relevance": {"type": "integer"},
    "first_level_key": {"type": "integer"},
    "second_level_key": {"type": "integer"},
    "third_level_key": {"type": "integer"},
    "incident_template": {"type": "integer"},
    "request_template": {"type": "integer"},
}
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
        "itemType": {"enum": [1, 2, 3, 4]},
        "status": {"enum": [0, 1, 2, 3]},
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
                    "srType": {"enum": [1, 4, 6, 10]},
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
            "description": "Streams that never expire (the contract's example sid).",
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
