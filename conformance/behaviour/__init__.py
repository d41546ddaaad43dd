"""Checks of documented behaviour beyond the schema, each derived from a statement a contract makes in a vendor
extension (`specs/CONVENTIONS.md`) and quoting that statement in its findings.

| check | extension | statement enforced |
|---|---|---|
| `paging_honoured` | `x-paging` | a page holds `min(limit, total - offset)` items; echoed values match |
| `ordering_honoured` | `x-ordering` | items follow the requested (or default) `[field, direction]` pairs |
| `role_dependent_fields` | `x-visible-to` | a role-restricted field never reaches another role |
| `identity_isolation` | `x-owner-only` | another identity reading the owner's resource is refused as documented |
| `batch_status` | `x-batch` | one result per item; partial-success and total-failure statuses |
| `long_operation_completes` | `x-long-operation` | a started long operation reaches a final, non-failed state |
| `stream_framing` | `x-event-stream` | framed events of JSON, one final event last, assembling the parts |
| `stream_event_schema` | `x-sse-events` | every event's name is declared and its data valid against its schema |
| `token_lifetime` | `x-token-lifetime` | an issued token's `expires_in` is within the documented lifetime |

Importing this package registers the checks with Schemathesis.
"""

from __future__ import annotations

from conformance.behaviour import batches, identities, long_operations, paging, streams, tokens

__all__ = ["batches", "identities", "long_operations", "paging", "streams", "tokens"]
