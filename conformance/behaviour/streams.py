"""Event streams are framed as declared (`x-event-stream`).

`stream_framing` reads a `text/event-stream` answer by the Server-Sent Events rules (events end at a blank line,
`data` lines carry the payload) and checks what the contract declares on top: every event ends with a blank line
and carries one JSON object; the stream ends with one of the `final` events and nothing follows it; and when the
extension says the final event assembles the parts (SysAid: `done.response` is the concatenation of the parts'
`content`), it does. A stream the client stopped reading early (Schemathesis' `max-stream-events`) is judged only
on what was read.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import schemathesis

from conformance.behaviour.extensions import EventStream
from conformance.behaviour.target import Target, judge

if TYPE_CHECKING:
    from schemathesis import Case, CheckContext, Response

__all__ = ["Event", "framing_problem", "parse_events"]

EVENT_STREAM = "text/event-stream"
LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Event:
    """One parsed event: its name, its `data` lines, and whether a blank line ended it."""

    name: str
    data: tuple[str, ...]
    terminated: bool


def parse_events(text: str) -> list[Event]:
    """Events as the SSE rules read them (comments and unknown fields ignored)."""
    events: list[Event] = []
    name, data, started = "message", list[str](), False
    lines = LINE_BREAK.split(text)
    ends_with_break = bool(lines) and lines[-1] == ""
    body = lines[:-1] if ends_with_break else lines
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


def _payload(event: Event) -> Any:
    try:
        return json.loads("\n".join(event.data))
    except ValueError:
        return None


def framing_problem(stream: EventStream, text: str, complete: bool) -> tuple[str, str] | None:
    """(received, rule) for the first framing rule the stream breaks."""
    events = parse_events(text)
    for index, event in enumerate(events):
        if len(event.data) != 1 or not isinstance(_payload(event), dict):
            return f"event {index} ({event.name}) with data {event.data!r}", "each event carries one JSON object"
        if event.name in stream.final and index != len(events) - 1:
            return (
                f"event {index} ({event.name}) followed by {len(events) - index - 1} more",
                "nothing after a final event",
            )
    if not complete:
        return None
    if not events or not events[-1].terminated:
        return "a stream ending mid-event" if events else "an empty stream", "every event ends with a blank line"
    last = events[-1]
    if last.name not in stream.final:
        return f"a stream ending with a {last.name!r} event", f"the stream ends with one of {', '.join(stream.final)}"
    if stream.final_event == last.name and stream.part_event and stream.part_field and stream.final_field:
        parts = [_payload(e).get(stream.part_field) for e in events if e.name == stream.part_event]
        assembled = "".join(part for part in parts if isinstance(part, str))
        final = _payload(last).get(stream.final_field)
        if parts and final != assembled:
            return (
                f"{last.name}.{stream.final_field} {str(final)[:80]!r} after parts {assembled[:80]!r}",
                f"{last.name}.{stream.final_field} is the {stream.part_field} of the parts, in order",
            )
    return None


@schemathesis.check
def stream_framing(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """A `text/event-stream` answer is framed and ended as its contract declares."""
    complete = not getattr(response, "stream_cut_short", False)

    def rule(found: Target, stream: EventStream) -> tuple[str, str] | None:
        if found.media != EVENT_STREAM or not isinstance(found.body, str):
            return None
        return framing_problem(stream, found.body, complete)

    return judge(case, response, EventStream.of, rule)
