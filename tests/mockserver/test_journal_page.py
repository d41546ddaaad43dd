"""The journal page at `/__admin/`, driven in a real headless browser (Debian's Chromium through Playwright):
the live list picks up new requests, filters narrow it, and one entry shows its request and answer side by side
with its problems, credentials masked."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import yaml

from contracts import FIXTURES_DIR
from mockserver import Settings, create_app

ASAPP = "asapp-metadata-ingestion"
SINGLE = f"/{ASAPP}/metadata-ingestion/v1/single-agent-metadata"
CREDENTIALS = yaml.safe_load((FIXTURES_DIR / "credentials.yaml").read_text())[ASAPP]
HEADERS = {"asapp-api-id": CREDENTIALS["api_id"], "asapp-api-secret": CREDENTIALS["api_secret"]}


@pytest.fixture
def base(serve_app: Any) -> str:
    return str(serve_app(create_app(Settings(specs=(ASAPP,)))))


def test_the_journal_page_lists_live_filters_and_shows_one_entry(browser: Any, base: str) -> None:
    with httpx.Client(base_url=base) as client:
        assert client.post(SINGLE, json={"externalAgentId": "page-1"}, headers=HEADERS).status_code == 200
    page = browser.new_page()
    page.goto(f"{base}/__admin/")
    assert page.locator("#rows tr").count() == 1
    with httpx.Client(base_url=base) as client:  # arrives while the page is open: the page polls for it
        assert client.post(SINGLE, json={"externalAgentId": "bad id!"}, headers=HEADERS).status_code == 400
    page.wait_for_function("document.querySelectorAll('#rows tr').length === 2", timeout=10_000)
    assert page.locator("#rows tr").first.locator("td.status").inner_text() == "400"
    page.wait_for_function("document.getElementById('live').textContent === 'live'", timeout=10_000)

    page.select_option("select[name=spec]", ASAPP)
    page.fill("input[name=status]", "400")
    page.click("button[type=submit]")
    page.wait_for_url("**status=400**")
    assert page.locator("#rows tr").count() == 1

    page.locator("#rows tr a").first.click()
    entry = page.locator("#entry")
    entry.wait_for()
    assert "schema-violation" in entry.locator(".problems").inner_text()
    request_text, response_text = entry.locator(".detail pre").all_inner_texts()
    assert "asapp-api-secret: [MASKED]" in request_text and CREDENTIALS["api_secret"] not in request_text
    assert '"bad id!"' in request_text
    assert "FAIL_BAD_PARAMS" in response_text
    page.close()


def test_the_journal_page_asks_for_the_admin_token_when_the_mock_has_one(browser: Any, serve_app: Any) -> None:
    base = serve_app(create_app(Settings(specs=(ASAPP,), admin_token="page-token")))
    page = browser.new_page()
    page.goto(f"{base}/__admin/")
    page.fill("input[name=token]", "wrong")
    page.click("button[type=submit]")
    assert "not valid" in page.locator(".error").inner_text()
    page.fill("input[name=token]", "page-token")
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('contract-mock journal')")
    assert page.url.endswith("/__admin/")
    # the page's own polls carry the session cookie, so it goes live
    page.wait_for_function("document.getElementById('live').textContent === 'live'", timeout=10_000)
    page.close()
