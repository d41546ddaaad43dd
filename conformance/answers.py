"""Reading an answer the way the harness' checks judge it: its media type and decoded body, and a Server-Sent
Events body as its events (events end at a blank line, `data` lines carry the payload, comments are ignored)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from schemathesis import Response

__all__ = ["EVENT_STREAM", "PROBLEM_JSON", "Event", "decode_body", "parse_events"]

EVENT_STREAM = "text/event-stream"
PROBLEM_JSON = "application/problem+json"
"""RFC 9457 problem details: a framework's or proxy's error envelope, never a vendor envelope of these contracts."""
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def decode_body(response: Response) -> tuple[str, Any]:
    """The response media type (lower case, without parameters) and its body: decoded JSON when the media type is
    JSON (None when it does not parse), else text."""
    media = (response.headers.get("content-type") or [""])[0].split(";")[0].strip().lower()
    text = response.content.decode("utf-8", errors="replace") if response.content else ""
    if media.endswith("json"):
        try:
            return media, json.loads(text)
        except ValueError:
            return media, None
    return media, text


@dataclass(frozen=True)
class Event:
    """One event of a stream: its name (`message` without an `event:` line), its `data` lines, and whether a blank
    line ended it."""

    name: str
    data: tuple[str, ...]
    terminated: bool

    @property
    def payload(self) -> Any:
        """The data decoded as JSON, or None when it is not JSON."""
        try:
            return json.loads("\n".join(self.data))
        except ValueError:
            return None


def parse_events(text: str) -> list[Event]:
    """The events of a `text/event-stream` body, in order (an unterminated last event included, marked so)."""
    events: list[Event] = []
    name, data, started = "message", list[str](), False
    lines = _LINE_BREAK.split(text)
    body = lines[:-1] if lines and lines[-1] == "" else lines
    for line in body:
        if line == "":
            if started:
                events.append(Event(name, tuple(data), True))
            name, data, started = "message", [], False
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        started = True
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)
    if started:
        events.append(Event(name, tuple(data), False))
    return events
