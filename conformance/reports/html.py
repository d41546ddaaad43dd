"""Self-contained HTML report: summary, coverage matrix (operations x status codes), and every failure with
its request, response and reproduction. No external assets; everything is escaped."""

from __future__ import annotations

from html import escape
from pathlib import Path

from conformance.coverage import EXEMPT_STATUSES
from conformance.results import Finding, RunResult, SpecResult

__all__ = ["render_html", "write_html"]

STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;margin:1rem 0}
td,th{border:1px solid #ccc;padding:.25rem .5rem;font-size:.85rem;text-align:left}
.ok{background:#dff5e1}.miss{background:#fde2e1}.exempt{background:#f3f3f3;color:#777}.na{color:#bbb}
.undoc{background:#ffb3ad;font-weight:bold}pre{background:#f6f8fa;padding:.5rem;overflow-x:auto;white-space:pre-wrap}
.known{opacity:.6}h2{border-bottom:1px solid #ddd}details{margin:.5rem 0}
"""


def _summary(result: RunResult) -> str:
    rows = "".join(
        f"<tr><td>{escape(s.spec)}</td><td>{escape(s.base_url)}</td><td>{s.seed}</td><td>{s.cases}</td>"
        f"<td>{s.duration:.1f}s</td><td>{len(s.new_findings)}</td><td>{len(s.findings) - len(s.new_findings)}</td>"
        f"<td>{len(s.coverage.unobserved())}</td><td>{sum(s.suppressed.values())}</td><td>{len(s.errors)}</td></tr>"
        for s in result.specs
    )
    verdict = "violations found" if result.failed else "conformant"
    return (
        f"<p>Verdict: <strong>{verdict}</strong> (exit code {result.exit_code})</p><table><tr><th>contract</th>"
        "<th>base URL</th><th>seed</th><th>cases</th><th>time</th><th>new failures</th><th>baselined</th>"
        f"<th>unobserved responses</th><th>suppressed false positives</th><th>errors</th></tr>{rows}</table>"
    )


def _matrix(spec: SpecResult) -> str:
    statuses = spec.coverage.all_statuses()
    head = "".join(f"<th>{escape(s)}</th>" for s in statuses)
    rows = []
    for label, op in spec.coverage.operations.items():
        cells = []
        for status in statuses:
            if status not in op.documented:
                cells.append('<td class="na">-</td>')
            elif op.was_observed(status):
                media = ", ".join(m for m in op.documented[status] if not op.was_observed(status, m))
                note = f" (never {escape(media)})" if media else ""
                cells.append(f'<td class="ok">seen{note}</td>')
            elif status in EXEMPT_STATUSES:
                cells.append(f'<td class="exempt" title="{escape(EXEMPT_STATUSES[status])}">not seen</td>')
            else:
                cells.append('<td class="miss">never seen</td>')
        extra = ", ".join(map(str, op.undocumented()))
        cells.append(f'<td class="undoc">{escape(extra)}</td>' if extra else "<td></td>")
        rows.append(f"<tr><td>{escape(label)}<br><small>{escape(op.operation_id)}</small></td>{''.join(cells)}</tr>")
    return (
        f"<table><tr><th>operation</th>{head}<th>undocumented seen</th></tr>{''.join(rows)}</table>"
        "<p><small>Grey: statuses a conformant server is not expected to send in a default run "
        "(hover for why).</small></p>"
    )


def _finding(finding: Finding) -> str:
    exchange = ""
    if finding.exchange is not None:
        ex = finding.exchange
        request_headers = "\n".join(f"{k}: {v}" for k, v in ex.request_headers.items())
        response_headers = "\n".join(f"{k}: {v}" for k, v in ex.response_headers.items())
        exchange = (
            f"<details><summary>Request</summary><pre>{escape(ex.method)} {escape(ex.url)}\n"
            f"{escape(request_headers)}\n\n{escape(ex.request_body or '')}</pre></details>"
            f"<details><summary>Response</summary><pre>HTTP {ex.status}\n{escape(response_headers)}\n\n"
            f"{escape(ex.response_body or '')}</pre></details>"
        )
    known = " known" if finding.known else ""
    label = " (accepted by the baseline)" if finding.known else ""
    return (
        f'<div class="finding{known}"><h3>{escape(finding.operation)} - {escape(finding.check)}{label}</h3>'
        f"<p>{escape(finding.title)}</p><p><strong>Received:</strong> {escape(finding.received)}<br>"
        f"<strong>Documented:</strong> {escape(finding.documented)}</p>{exchange}"
        f"<p>Reproduce (seed {finding.seed}, phase {escape(finding.phase)}):</p>"
        f"<pre>{escape(chr(10).join(finding.curl))}</pre></div>"
    )


def _spec(spec: SpecResult) -> str:
    errors = "".join(f"<pre>{escape(e.render())}</pre>" for e in spec.errors)
    suppressed = "".join(f"<li>{escape(k)}: {v}</li>" for k, v in sorted(spec.suppressed.items()))
    findings = "".join(_finding(f) for f in spec.findings) or "<p>No failures.</p>"
    return (
        f"<h2>{escape(spec.spec)}</h2><h3>Coverage</h3>{_matrix(spec)}<h3>Failures</h3>{findings}"
        + (f"<h3>Errors</h3>{errors}" if errors else "")
        + (f"<h3>Suppressed known false positives</h3><ul>{suppressed}</ul>" if suppressed else "")
    )


def render_html(result: RunResult) -> str:
    """The whole report as one HTML document."""
    body = _summary(result) + "".join(_spec(spec) for spec in result.specs)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Contract conformance report</title>'
        f"<style>{STYLE}</style></head><body><h1>Contract conformance report</h1>{body}</body></html>"
    )


def write_html(result: RunResult, path: Path) -> None:
    """Write the HTML report."""
    path.write_text(render_html(result), encoding="utf-8")
