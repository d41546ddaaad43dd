"""SysAid Copilot: cookie login mapped to organizations, chats with streaming, escalation through long operations,
the fromEmail callback, datasets with records and documents, monitoring and the admin assist endpoints.

The behaviour follows the "SysAid Copilot REST API Guide" and the contract's assumptions; each module holds one part:

- `session`: the login middleware (cookies + `x-sysaid-hostname` -> user and organization, `x-admin-only`);
- `refusals`: the answers operations document for callers not logged in or not admins (`x-refusals`), and faults;
- `replies`: the `{status, ...}` envelopes, plain-text errors and `error_body`;
- `org`: health, server details, login and organization configuration;
- `chats`, `knowledge`, `streams`: chat threads, deterministic answers, SSE and polled streams;
- `long_operations`: escalation to a service request; `email`: the fromEmail chat and its callback;
- `datasets`, `records`, `documents`, `processing`, `queries`: datasets, their records and document items,
  simulated processing and the shared query paging (with a linear-time SQL `LIKE`);
- `monitor`: chat monitoring and verified answers; `assist`: summaries, feedback and category suggestions;
- `fixture_schema`, `fixture`, `model`, `background`: fixture schema, checks and loading, stored model, background
  tasks.
"""

from __future__ import annotations

from mockserver.vendors.sysaid_copilot.assist import submit_summary_feedback, suggest_category_for_text, summarize_sr
from mockserver.vendors.sysaid_copilot.chats import (
    delete_chat,
    get_chat,
    list_chats,
    rate_chat,
    resolve_chat,
    start_chat,
)
from mockserver.vendors.sysaid_copilot.datasets import (
    create_dataset,
    delete_dataset,
    get_dataset,
    list_datasets,
    update_dataset,
)
from mockserver.vendors.sysaid_copilot.documents import (
    create_document,
    delete_document,
    download_document,
    query_documents,
    upload_document,
)
from mockserver.vendors.sysaid_copilot.email import start_chat_from_email
from mockserver.vendors.sysaid_copilot.fixture import seed, validate_fixture
from mockserver.vendors.sysaid_copilot.fixture_schema import FIXTURE_SCHEMA
from mockserver.vendors.sysaid_copilot.long_operations import create_sr_from_chat, get_long_operation
from mockserver.vendors.sysaid_copilot.model import SPEC
from mockserver.vendors.sysaid_copilot.monitor import query_monitor_records, update_monitor_record
from mockserver.vendors.sysaid_copilot.org import get_health, get_kobi_details, login_user, update_org
from mockserver.vendors.sysaid_copilot.recordings import fixture_from_exchanges
from mockserver.vendors.sysaid_copilot.records import (
    add_dataset_record,
    delete_dataset_record,
    query_dataset_records,
    update_dataset_record,
)
from mockserver.vendors.sysaid_copilot.refusals import fault_reasons, refine
from mockserver.vendors.sysaid_copilot.replies import error_body
from mockserver.vendors.sysaid_copilot.session import SECURITY
from mockserver.vendors.sysaid_copilot.streams import get_chat_stream_messages, stream_chat

__all__ = [
    "FIXTURE_SCHEMA",
    "SECURITY",
    "SPEC",
    "add_dataset_record",
    "create_dataset",
    "create_document",
    "create_sr_from_chat",
    "delete_chat",
    "delete_dataset",
    "delete_dataset_record",
    "delete_document",
    "download_document",
    "error_body",
    "fault_reasons",
    "fixture_from_exchanges",
    "get_chat",
    "get_chat_stream_messages",
    "get_dataset",
    "get_health",
    "get_kobi_details",
    "get_long_operation",
    "list_chats",
    "list_datasets",
    "login_user",
    "query_dataset_records",
    "query_documents",
    "query_monitor_records",
    "rate_chat",
    "refine",
    "resolve_chat",
    "seed",
    "start_chat",
    "start_chat_from_email",
    "stream_chat",
    "submit_summary_feedback",
    "suggest_category_for_text",
    "summarize_sr",
    "update_dataset",
    "update_dataset_record",
    "update_monitor_record",
    "update_org",
    "upload_document",
    "validate_fixture",
]
