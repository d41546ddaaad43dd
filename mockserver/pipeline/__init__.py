"""The request path, compiled once per operation at start-up (`compiler`) and served by one ASGI middleware
(`serve`): routing with OpenAPI's precedence, parameters, strict bodies, security, the handler, response checks,
typed refusals rendered as the vendor's envelope (`render`), and the journal entry.

Modules: `call` (the request as handlers see it), `schemas` (OpenAPI schemas as jsonschema-rs validators and
typed violations), `parameters`, `bodies`, `security`, `responses`, `near_miss`.
"""

from __future__ import annotations

from mockserver.pipeline.call import Call, current
from mockserver.pipeline.schemas import Direction, SchemaValidator, to_json_schema

__all__ = ["Call", "Direction", "SchemaValidator", "current", "to_json_schema"]
"""What vendor modules use; the app builds the rest from `compiler` and `serve` directly."""
