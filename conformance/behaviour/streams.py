"""Event streams are framed as declared (`x-event-stream`) and carry the data their media type declares
(`x-sse-events`).

`stream_framing` reads a `text/event-stream` answer by the Server-Sent Events rules (events end at a blank line,
`data` lines carry the payload) and checks what the contract declares on top: every event ends with a blank line
and carries one JSON object; the stream ends with one of the `final` events and nothing follows it; and when the
extension says the final event assembles the parts (SysAid: `done.response` is the concatenation of the parts'
`content`), it does. A stream the client stopped reading early (Schemathesis' `max-stream-events`) is judged only
on what was read.

`stream_event_schema`: the body of such an answer is declared as a binary string, and the schema of each event's
data, by event name, in the media type's `x-sse-events`; every event has a declared name and data valid against
its schema (Schemathesis' own schema check reads `schema` as one event's and is scoped out for these answers, see
`conformance/false_positives.py`). Data that is not JSON is `stream_framing`'s finding.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import jsonschema
import schemathesis
from schemathesis.specs.openapi.converter import to_json_schema

from conformance.answers import EVENT_STREAM, parse_events
from conformance.behaviour.extensions import EventSchemas, EventStream
from conformance.behaviour.target import Target, judge, target, violated

if TYPE_CHECKING:
    from schemathesis import Case, CheckContext, Response

__all__ = ["event_schema_problem", "framing_problem"]


def framing_problem(stream: EventStream, text: str, complete: bool) -> tuple[str, str] | None:
    """(received, rule) for the first framing rule the stream breaks."""
    events = parse_events(text)
    for index, event in enumerate(events):
        if len(event.data) != 1 or not isinstance(event.payload, dict):
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
        parts = [e.payload.get(stream.part_field) for e in events if e.name == stream.part_event]
        assembled = "".join(part for part in parts if isinstance(part, str))
        final = last.payload.get(stream.final_field)
        if parts and final != assembled:
            return (
                f"{last.name}.{stream.final_field} {str(final)[:80]!r} after parts {assembled[:80]!r}",
                f"{last.name}.{stream.final_field} is the {stream.part_field} of the parts, in order",
            )
    return None


def event_schema_problem(schemas: EventSchemas, text: str) -> tuple[str, str] | None:
    """(received, rule) for the first event whose name is not declared or whose data breaks its schema."""
    validators = {
        name: jsonschema.Draft4Validator(to_json_schema(dict(schema), "nullable", is_response_schema=True))
        for name, schema in schemas.schemas.items()
    }
    for index, event in enumerate(parse_events(text)):
        data = event.payload
        if data is None:
            continue
        validator = validators.get(event.name)
        if validator is None:
            return f"event {index} named {event.name!r}", f"events named {', '.join(validators)}"
        error = jsonschema.exceptions.best_match(validator.iter_errors(data))
        if error is not None:
            where = "/".join(str(part) for part in error.absolute_path) or "data"
            return (
                f"event {index} ({event.name}) data {json.dumps(data)[:200]}: {error.message} at {where}",
                f"the data of a {event.name!r} event valid against its schema",
            )
    return None


@schemathesis.check
def stream_event_schema(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """Each event of a `text/event-stream` answer carries the data `x-sse-events` declares for its name."""
    found = target(case, response)
    if found is None or found.media != EVENT_STREAM or not isinstance(found.body, str):
        return True
    schemas = EventSchemas.of(found.context.contract, found.operation, response.status_code)
    if schemas is None:
        return True
    problem = event_schema_problem(schemas, found.body)
    if problem is not None:
        raise violated(found.operation, problem[0], problem[1], schemas.statement)
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
