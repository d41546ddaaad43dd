"""Reports (JUnit, HTML, JSON) and the console summary: structure, escaping, and no secret anywhere."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from toy_api import API_KEY, make_app

from conformance import Campaign, RunResult, RunSettings
from conformance.coverage import CoverageReport
from conformance.reports import render_html, render_junit, to_json, write_html, write_json, write_junit
from conformance.results import Exchange, Finding, SpecResult
from conformance.summary import render_summary
from contracts import load_contract


@pytest.fixture
def broken_run(toy_contract: Path) -> RunResult:
    settings = RunSettings(specs=("toy",), credentials_file=toy_contract, max_examples=10, seed=11)
    return Campaign(settings, app=make_app(bad_item=True, ignore_auth=True)).run()


def _finding(**changes: object) -> Finding:
    values: dict[str, object] = dict(
        spec="toy",
        operation="GET /items/{id}",
        operation_id="getItem",
        check="response_schema_conformance",
        title="Response violates schema",
        received="HTTP 200 application/json: {}",
        documented="a valid body",
        curl=("curl -X GET http://testserver/toy/items/1",),
        seed=7,
        phase="fuzzing",
        exchange=Exchange(
            "GET", "http://testserver/toy/items/1", {"accept": "*/*"}, None, 200, {}, "<script>x</script>"
        ),
    )
    values.update(changes)
    return Finding(**values)  # type: ignore[arg-type]


def test_no_secret_appears_in_any_output(toy_contract: Path, tmp_path: Path):
    settings = RunSettings(specs=("toy",), credentials_file=toy_contract, max_examples=10, seed=11)
    run = Campaign(settings, app=make_app(bad_item=True)).run()
    finding = next(f for f in run.findings if f.check == "response_schema_conformance")
    assert "x-toy-key: [Filtered]" in finding.curl[0]
    assert finding.exchange is not None and finding.exchange.request_headers["x-toy-key"] == "[MASKED]"
    reports = tmp_path / "reports"
    reports.mkdir()
    write_junit(run, reports / "r.xml")
    write_html(run, reports / "r.html")
    write_json(run, reports / "r.json")
    outputs = [render_summary(run), *(p.read_text() for p in reports.iterdir())]
    assert all(API_KEY not in text for text in outputs)


def test_summary_groups_findings_and_names_check_curl_and_seed(broken_run: RunResult):
    text = render_summary(broken_run)
    assert "-- POST /items / response_schema_conformance" in text
    assert "Received:   HTTP 201 application/json" in text
    assert "Documented: a body valid against the documented schema" in text
    assert "Reproduce (seed 11" in text
    assert "curl -X POST" in text
    assert text.rstrip().endswith("exit code 1")


def test_junit_has_a_testcase_per_operation_and_check(broken_run: RunResult):
    root = ET.fromstring(render_junit(broken_run).split("?>", 1)[1])
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == "toy"
    cases = {(c.get("classname"), c.get("name")): c for c in suite.iter("testcase")}
    schema_case = cases[("toy.createItem", "response_schema_conformance")]
    failure = schema_case.find("failure")
    assert failure is not None and "Received:" in (failure.text or "")
    assert cases[("toy.getItem", "not_a_server_error")].find("failure") is None
    assert ("toy.getItem", "documented_responses_observed") in cases
    assert int(suite.get("failures", "0")) >= 1


def test_json_report_round_trips(broken_run: RunResult):
    data = json.loads(json.dumps(to_json(broken_run)))
    spec = data["specs"][0]
    assert data["exit_code"] == 1
    assert spec["seed"] == 11
    assert {f["check"] for f in spec["findings"]} >= {"response_schema_conformance", "auth_enforcement"}
    assert "201" in spec["coverage"]["POST /items"]["observed"]


def test_html_is_self_contained_escaped_and_shows_the_matrix():
    spec = SpecResult(spec="toy", base_url="http://x/toy", seed=7, findings=[_finding(), _finding(known=True)])
    spec.coverage = CoverageReport()
    result = RunResult(specs=[spec])
    page = render_html(result)
    assert "<script>x</script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page
    assert "http://" not in page.split("<body>")[0]
    assert "(accepted by the baseline)" in page
    assert "Received:" in page and "Documented:" in page


def test_html_coverage_matrix_marks_seen_unseen_and_exempt(broken_run: RunResult):
    page = render_html(broken_run)
    assert '<td class="ok">seen</td>' in page
    for label in ("POST /items", "GET /items/{id}", "DELETE /items/{id}"):
        assert f"<tr><td>{label}<br>" in page
    assert "undocumented seen" in page


def _two_contracts() -> RunResult:
    first = SpecResult(spec="toy", base_url="http://x/toy", seed=7, findings=[_finding(), _finding(check="a_check")])
    second = SpecResult(
        spec="other", base_url="http://x/other", seed=7, findings=[_finding(spec="other", operation="POST /items")]
    )
    first.coverage = second.coverage = CoverageReport()
    return RunResult(specs=[first, second])


def test_html_has_a_table_of_contents_and_a_failure_filter_without_external_assets():
    page = render_html(_two_contracts())
    assert "<nav><strong>Contents</strong>" in page
    assert "<a href='#toy'>toy</a>" in page and "<a href='#other-failures'>Failures (1)</a>" in page
    assert "<h2 id='toy'>toy</h2>" in page
    for select in ("filter-spec", "filter-operation", "filter-check"):
        assert f"<select id='{select}'>" in page
    assert 'data-spec="other" data-operation="POST /items"' in page
    assert "src=" not in page and "href='http" not in page


FILTER_HARNESS = r"""
const script = require('fs').readFileSync(0, 'utf8');
function element(attrs) {
  return {attrs, hidden: false, getAttribute(name) { return this.attrs[name]; },
          classList: {owner: null, toggle(name, on) { this.owner.hidden = on; }}};
}
const findings = JSON.parse(process.argv[1]).map(element);
findings.forEach(f => { f.classList.owner = f; });
const selects = {}, listeners = [];
['spec', 'operation', 'check'].forEach(id => {
  selects['filter-' + id] = {value: '', options: [], add(o) { this.options.push(o.value); },
                             addEventListener(_, fn) { listeners.push(fn); }};
});
const counter = {textContent: ''};
global.Option = function (text, value) { this.value = value; };
global.document = {querySelectorAll: () => findings,
                   getElementById: id => id === 'filter-count' ? counter : selects[id]};
eval(script);
const before = counter.textContent;
selects['filter-check'].value = JSON.parse(process.argv[2]);
listeners[0]();
console.log(JSON.stringify({before, after: counter.textContent, hidden: findings.map(f => f.hidden),
                            checks: selects['filter-check'].options}));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_html_filter_script_hides_failures_of_other_checks():
    from conformance.reports.html import SCRIPT

    findings = [
        {"data-spec": "toy", "data-operation": "GET /a", "data-checks": "not_a_server_error\nstatus_code_conformance"},
        {"data-spec": "toy", "data-operation": "GET /b", "data-checks": "auth_enforcement"},
        {"data-spec": "other", "data-operation": "GET /a", "data-checks": "status_code_conformance"},
    ]
    done = subprocess.run(
        ["node", "-e", FILTER_HARNESS, "--", json.dumps(findings), json.dumps("status_code_conformance")],
        input=SCRIPT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    outcome = json.loads(done.stdout)
    assert outcome["before"] == "3 of 3 failure(s) shown"
    assert outcome["after"] == "2 of 3 failure(s) shown"
    assert outcome["hidden"] == [False, True, False], "a root cause shows under every check it tripped"
    assert outcome["checks"] == ["not_a_server_error", "status_code_conformance", "auth_enforcement"]


def test_summary_counts_exempt_unobserved_responses_and_lists_them_only_when_verbose():
    spec = SpecResult(spec="aisera-conversation", base_url="http://x/aisera-conversation", seed=7, duration=2.0)
    spec.counts.sent = spec.counts.answered = 10
    spec.counts.judged = 9
    spec.coverage = CoverageReport.for_contract(load_contract("aisera-conversation"))
    result = RunResult(specs=[spec])
    quiet, verbose = render_summary(result), render_summary(result, verbose=True)
    assert "10 of 10 cases reached the implementation, 9 judged, in 2.0s (5.0 cases/s)" in quiet
    assert "(exempt:" not in quiet and "; --verbose lists the exempt ones" in quiet
    assert "POST /api/receive: 500 (exempt: an internal error: a conformant server never sends it)" in verbose
    assert "--verbose lists" not in verbose
