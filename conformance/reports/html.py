"""Self-contained HTML report: the verdict and case counts, a table of contents, a filter over the failures (by
contract, operation and check; plain JavaScript in the page, nothing to build or fetch), the coverage matrix
(operations x status codes), and every failure with its request, response and reproduction. Everything is escaped.
"""

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
.known{opacity:.6}h2{border-bottom:1px solid #ddd}details{margin:.5rem 0}.untested{background:#fff3cd;padding:.5rem}
nav{background:#f6f8fa;padding:.5rem 1rem;margin:1rem 0}nav ul{margin:.25rem 0}#filter{margin:1rem 0}
#filter select{margin-right:1rem}.hidden{display:none}
"""

# Filters the failures by contract, operation and check; the options come from the failures' data attributes.
SCRIPT = """
(function () {
  var failures = Array.prototype.slice.call(document.querySelectorAll('.finding'));
  var selects = {spec: 'spec', operation: 'operation', check: 'checks'};
  function fill(id, attribute) {
    var select = document.getElementById('filter-' + id), seen = {};
    failures.forEach(function (f) {
      (f.getAttribute('data-' + attribute) || '').split('\\n').forEach(function (value) {
        if (value && !seen[value]) { seen[value] = true; select.add(new Option(value, value)); }
      });
    });
    select.addEventListener('change', apply);
  }
  function apply() {
    var shown = 0;
    failures.forEach(function (f) {
      var keep = Object.keys(selects).every(function (id) {
        var wanted = document.getElementById('filter-' + id).value;
        return !wanted || (f.getAttribute('data-' + selects[id]) || '').split('\\n').indexOf(wanted) >= 0;
      });
      f.classList.toggle('hidden', !keep);
      shown += keep ? 1 : 0;
    });
    document.getElementById('filter-count').textContent = shown + ' of ' + failures.length + ' failure(s) shown';
  }
  Object.keys(selects).forEach(function (id) { fill(id, selects[id]); });
  apply();
})();
"""


def _anchor(spec: str, part: str = "") -> str:
    return escape(f"{spec}-{part}" if part else spec)


def _summary(result: RunResult) -> str:
    rows = "".join(
        f"<tr><td><a href='#{_anchor(s.spec)}'>{escape(s.spec)}</a></td><td>{escape(s.base_url)}</td>"
        f"<td>{escape(s.verdict(result.fail_on_unobserved).value)}</td><td>{s.seed}</td>"
        f"<td>{s.counts.answered} of {s.counts.sent}</td><td>{s.counts.judged}</td><td>{s.duration:.1f}s</td>"
        f"<td>{s.cases_per_second:.1f}</td><td>{len(s.new_findings)}</td>"
        f"<td>{len(s.findings) - len(s.new_findings)}</td>"
        f"<td>{len(s.coverage.unobserved())}</td><td>{sum(s.suppressed.values())}</td>"
        f"<td>{sum(g.count for g in s.errors)}</td></tr>"
        for s in result.specs
    )
    verdict = escape(result.verdict.value)
    untested = "".join(
        f"<p class='untested'><strong>{escape(s.spec)} not tested:</strong> {escape(s.untested)}</p>"
        for s in result.specs
        if s.untested
    )
    return (
        f"<p>Verdict: <strong>{verdict}</strong> (exit code {result.exit_code})</p>{untested}<table><tr>"
        "<th>contract</th><th>base URL</th><th>verdict</th><th>seed</th><th>cases reached</th><th>judged</th>"
        "<th>time</th><th>cases/s</th><th>new failures</th><th>baselined</th><th>unobserved responses</th>"
        f"<th>suppressed false positives</th><th>errors</th></tr>{rows}</table>"
    )


def _toc(result: RunResult) -> str:
    items = []
    for spec in result.specs:
        parts = [("coverage", "Coverage"), ("failures", f"Failures ({len(spec.findings)})")]
        parts += [("errors", f"Errors ({len(spec.errors)})")] if spec.errors else []
        links = "".join(f"<li><a href='#{_anchor(spec.spec, p)}'>{escape(t)}</a></li>" for p, t in parts)
        items.append(f"<li><a href='#{_anchor(spec.spec)}'>{escape(spec.spec)}</a><ul>{links}</ul></li>")
    return f"<nav><strong>Contents</strong><ul>{''.join(items)}</ul></nav>"


def _filter() -> str:
    selects = "".join(
        f"<label>{label} <select id='filter-{key}'><option value=''>all</option></select></label>"
        for key, label in (("spec", "contract"), ("operation", "operation"), ("check", "check"))
    )
    return f"<div id='filter'><strong>Filter failures:</strong> {selects}<span id='filter-count'></span></div>"


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
    also = f"<p>Also tripped (same answer): {escape(', '.join(finding.also))}</p>" if finding.also else ""
    data = (
        f'data-spec="{escape(finding.spec)}" data-operation="{escape(finding.operation)}" '
        f'data-checks="{escape(chr(10).join(finding.checks))}"'
    )
    return (
        f'<div class="finding{known}" {data}><h3>{escape(finding.operation)} - {escape(finding.check)}{label}</h3>'
        f"<p>{escape(finding.title)}</p><p><strong>Received:</strong> {escape(finding.received)}<br>"
        f"<strong>Documented:</strong> {escape(finding.documented)}</p>{also}{exchange}"
        f"<p>Reproduce (seed {finding.seed}, phase {escape(finding.phase)}):</p>"
        f"<pre>{escape(chr(10).join(finding.curl))}</pre></div>"
    )


def _spec(spec: SpecResult) -> str:
    errors = "".join(f"<pre>{escape(e.render())}</pre>" for e in spec.errors)
    suppressed = "".join(f"<li>{escape(k)}: {v}</li>" for k, v in sorted(spec.suppressed.items()))
    notes = "".join(f"<li>{escape(note)}</li>" for note in spec.notes)
    findings = "".join(_finding(f) for f in spec.findings) or "<p>No failures.</p>"
    return (
        f"<h2 id='{_anchor(spec.spec)}'>{escape(spec.spec)}</h2>"
        + (f"<ul>{notes}</ul>" if notes else "")
        + f"<h3 id='{_anchor(spec.spec, 'coverage')}'>Coverage</h3>{_matrix(spec)}"
        + f"<h3 id='{_anchor(spec.spec, 'failures')}'>Failures</h3>{findings}"
        + (f"<h3 id='{_anchor(spec.spec, 'errors')}'>Errors</h3>{errors}" if errors else "")
        + (f"<h3>Suppressed known false positives</h3><ul>{suppressed}</ul>" if suppressed else "")
    )


def render_html(result: RunResult) -> str:
    """The whole report as one HTML document."""
    body = _summary(result) + _toc(result) + _filter() + "".join(_spec(spec) for spec in result.specs)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Contract conformance report</title>'
        f"<style>{STYLE}</style></head><body><h1>Contract conformance report</h1>{body}"
        f"<script>{SCRIPT}</script></body></html>"
    )


def write_html(result: RunResult, path: Path) -> None:
    """Write the HTML report."""
    path.write_text(render_html(result), encoding="utf-8")
