"""Report writers: JUnit XML (CI), self-contained HTML (people) and JSON (tools)."""

from __future__ import annotations

from conformance.reports.html import render_html, write_html
from conformance.reports.json import to_json, write_json
from conformance.reports.junit import render_junit, write_junit

__all__ = ["render_html", "render_junit", "to_json", "write_html", "write_json", "write_junit"]
