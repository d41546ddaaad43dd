"""First contact in a browser: for every API, Swagger UI's Authorize (with the demo credentials the page shows)
and "Try it out" get a 200 from a protected operation of the mock, in Debian's Chromium through Playwright."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import yaml

from contracts import FIXTURES_DIR
from mockserver import Settings, create_app

DEMO = yaml.safe_load((FIXTURES_DIR / "credentials.yaml").read_text())


@pytest.fixture(scope="module")
def base(browser: Any) -> Iterator[str]:
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(create_app(Settings()), host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _container(page: Any, scheme: str) -> Any:
    """The Authorize dialog's block for one security scheme."""
    return page.locator(".modal-ux .auth-container").filter(has=page.locator("h4", has_text=scheme)).last


def _api_key(page: Any, scheme: str, value: str) -> None:
    block = _container(page, scheme)
    block.locator("input[type=text]").fill(value)
    block.locator("button.authorize").click()


def _try_it_out(page: Any, operation: str, edit: Callable[[Any], None] | None = None) -> str:
    """Expand an operation, try it out (with the served example) and return the status Swagger UI shows."""
    block = page.locator(f"[id$='-{operation}']").first
    block.locator(".opblock-summary").first.click()
    block.locator("button.try-out__btn").click()
    if edit is not None:
        edit(block)
    block.locator("button.execute").click()
    status = block.locator(".live-responses-table .response .response-col_status").first
    status.wait_for(timeout=15_000)
    return str(status.inner_text()).strip()


def _open(browser: Any, base: str, spec: str) -> Any:
    page = browser.new_page()
    page.goto(f"{base}/{spec}/ui/")
    page.wait_for_selector(".opblock", timeout=20_000)
    return page


def _authorize(page: Any) -> None:
    page.locator("button.authorize").first.click()
    page.wait_for_selector(".modal-ux")


def _authorized(page: Any, scheme: str) -> None:
    """Wait until Swagger UI shows the scheme as authorized (its block offers Logout)."""
    page.wait_for_function(
        """scheme => [...document.querySelectorAll('.modal-ux .auth-container')].some(
            block => block.querySelector('h4') && block.querySelector('h4').textContent.includes(scheme)
                && [...block.querySelectorAll('button')].some(button => button.textContent.trim() === 'Logout'))""",
        arg=scheme,
        timeout=15_000,
    )


def _close(page: Any) -> None:
    page.locator(".modal-ux button.close-modal").click()


def test_asapp_authorize_and_try_it_out(browser: Any, base: str) -> None:
    demo = DEMO["asapp-metadata-ingestion"]
    page = _open(browser, base, "asapp-metadata-ingestion")
    _authorize(page)
    _api_key(page, "asapp-api-id", demo["api_id"])
    _api_key(page, "asapp-api-secret", demo["api_secret"])
    _close(page)
    assert _try_it_out(page, "singleAgentMetadata") == "200"


def test_aisera_conversation_try_it_out_with_the_demo_token_in_the_example(browser: Any, base: str) -> None:
    page = _open(browser, base, "aisera-conversation")
    assert _try_it_out(page, "receiveConversationRequest") == "200"


def test_aisera_ingestion_authorize_through_the_mocks_token_endpoint(browser: Any, base: str) -> None:
    demo = DEMO["aisera-ingestion"]
    page = _open(browser, base, "aisera-ingestion")
    _authorize(page)
    oauth = _container(page, "serviceAccountToken")
    oauth.locator("#oauth_username").fill(demo["username"])
    oauth.locator("#oauth_password").fill(demo["password"])
    oauth.locator("select#password_type").select_option("request-body")
    oauth.locator("#client_id").fill(demo["app_token"])
    oauth.locator("button.authorize").click()
    _authorized(page, "serviceAccountToken")  # Swagger UI got a token from the mock's own token endpoint
    _api_key(page, "appTokenHeader", demo["app_token"])
    _close(page)
    assert _try_it_out(page, "ingestIncidents") == "200"


def test_alvaria_authorize_with_client_credentials_then_open_a_streaming_session(browser: Any, base: str) -> None:
    demo = DEMO["alvaria-messaging"]
    page = _open(browser, base, "alvaria-messaging")
    _authorize(page)
    oauth = _container(page, "oauth2ClientCredentials")
    oauth.locator("#client_id").fill(demo["client_id"])
    oauth.locator("#client_secret").fill(demo["client_secret"])
    for scope in demo["scope"].split():
        oauth.locator(f"label[for='{scope}-clientCredentials-checkbox-oauth2ClientCredentials']").click()
    oauth.locator("button.authorize").click()
    _authorized(page, "oauth2ClientCredentials")
    _api_key(page, "xApiKey", demo["api_key"])
    _close(page)

    def org(block: Any) -> None:
        block.locator("tr[data-param-name='orgId'] input").fill(demo["org_id"])

    assert _try_it_out(page, "createStreamingSession", org) == "200"


def test_sysaid_demo_login_then_authorize_the_hostname(browser: Any, base: str) -> None:
    demo = DEMO["sysaid-copilot"]
    page = browser.new_page()
    page.goto(f"{base}/__admin/demo-login/sysaid-copilot?identity=admin")
    page.click("text=Back to the sysaid-copilot Swagger UI")
    page.wait_for_selector(".opblock", timeout=20_000)
    _authorize(page)
    _api_key(page, "sysaidHostnameHeader", demo["hostname"])
    _close(page)
    assert _try_it_out(page, "listChats") == "200"
