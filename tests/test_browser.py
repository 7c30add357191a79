"""The demo page (demo/) in headless Chromium: its own origin, the session's mock as the API.

The page is served by a static server on another port, so every API call is cross-origin and
the browser really sends CORS preflights (checked through the DevTools protocol). Needs Debian's
Chromium at /usr/bin/chromium (``scripts/ensure-system-deps.sh``); Playwright only drives it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect, sync_playwright
from support import LiveMock

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "demo"
SCREENSHOT = ROOT / "artifacts" / "browser" / "demo.png"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
USERNAME, PASSWORD = "sonia@spryker.com", "change123"


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves demo/ without an access log on stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def demo_url() -> Iterator[str]:
    """demo/ on its own loopback port (another origin than the mock)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(DEMO)))
    thread = threading.Thread(target=server.serve_forever, name="demo-static", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def glue_url(live_mock: LiveMock) -> str:
    """The session mock (reset to its seeded world for each test): its Glue base URL."""
    return f"{live_mock.url}/glue"


@dataclass
class BrowserLog:
    """What went wrong (or across origins) while the page ran."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    error_responses: list[str] = field(default_factory=list)
    preflights: dict[str, str] = field(default_factory=dict)  # CDP request id -> "OPTIONS url"
    preflight_status: dict[str, int] = field(default_factory=dict)

    def on_console(self, kind: str, text: str) -> None:
        if kind == "error":
            self.console_errors.append(text)

    def failed(self, what: str) -> None:
        self.failed_requests.append(what)

    def on_response(self, method: str, url: str, status: int) -> None:
        if status >= 400:
            self.error_responses.append(f"{method} {url} -> {status}")

    def preflighted(self) -> set[str]:
        return set(self.preflights.values())


@contextmanager
def chromium_page() -> Iterator[tuple[Page, BrowserLog]]:
    """A fresh page in Debian's headless Chromium, with its errors and preflights recorded."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser test drives Debian's Chromium. "
            "Install it with `bash scripts/ensure-system-deps.sh` (`make test` runs it)."
        )
    log = BrowserLog()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport={"width": 1100, "height": 900})
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.on("console", lambda m: log.on_console(m.type, m.text))
            page.on("pageerror", lambda e: log.page_errors.append(str(e)))
            page.on("requestfailed", lambda r: log.failed(f"{r.method} {r.url}: {r.failure}"))
            page.on("response", lambda r: log.on_response(r.request.method, r.url, r.status))
            # Playwright does not report CORS preflights as requests; DevTools does.
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")

            def on_request(event: dict) -> None:
                if event.get("initiator", {}).get("type") == "preflight":
                    request = event["request"]
                    log.preflights[event["requestId"]] = f"{request['method']} {request['url']}"

            def on_response(event: dict) -> None:
                if event["requestId"] in log.preflights:
                    log.preflight_status[event["requestId"]] = event["response"]["status"]

            cdp.on("Network.requestWillBeSent", on_request)
            cdp.on("Network.responseReceived", on_response)
            yield page, log
        finally:
            browser.close()


def by_id(page: Page, testid: str) -> Locator:
    return page.get_by_test_id(testid)


def open_demo(page: Page, demo_url: str, glue_url: str) -> None:
    page.goto(f"{demo_url}/?{urlencode({'api': glue_url})}")
    expect(by_id(page, "api-base")).to_have_value(glue_url)


def log_in(page: Page, password: str = PASSWORD) -> None:
    by_id(page, "username").fill(USERNAME)
    by_id(page, "password").fill(password)
    by_id(page, "login-button").click()


def test_demo_logs_in_lists_items_and_creates_a_return(demo_url: str, glue_url: str) -> None:
    mock_origin = re.match(r"https?://[^/]+", glue_url).group(0)
    assert demo_url != mock_origin, "the page must come from another origin than the API"

    with chromium_page() as (page, log):
        open_demo(page, demo_url, glue_url)
        expect(by_id(page, "error")).to_be_hidden()

        # 1. Logged in.
        log_in(page)
        expect(by_id(page, "login-status")).to_have_text(f"Logged in as {USERNAME}.")

        # 2. Returnable items listed (name, SKU, EUR price, a checkbox each).
        expect(by_id(page, "items-status")).to_have_text(re.compile(r"^\d+ returnable item"))
        items = by_id(page, "returnable-item")
        offered = items.count()
        assert offered >= 1
        first = items.first
        uuid = first.get_attribute("data-uuid")
        assert uuid
        expect(first.get_by_test_id("item-sku")).to_have_text(re.compile(r"^\d{3}_\d+$"))
        expect(first.get_by_test_id("item-price")).to_have_text(re.compile(r"^[\d.]+,\d\d\s€$"))
        price = first.get_by_test_id("item-price").inner_text()

        # The seeded returns are listed.
        expect(by_id(page, "returns-status")).to_have_text(re.compile(r"^\d+ return"))
        before = set(by_id(page, "return-reference").all_inner_texts())
        assert before, "the seeded customer has past returns"

        # 3. Create a return for the first item.
        expect(by_id(page, "create-return-button")).to_be_disabled()
        first.get_by_test_id("item-checkbox").check()
        expect(by_id(page, "create-return-button")).to_be_enabled()
        by_id(page, "create-return-button").click()
        created = re.compile(r"^Created return (DE--1-R\d+)\.$")
        expect(by_id(page, "create-status")).to_have_text(created)
        reference = created.match(by_id(page, "create-status").inner_text()).group(1)
        assert reference not in before

        # 4. It is in the list of returns, with the item's price as remuneration total...
        exact = re.compile(f"^{re.escape(reference)}$")
        new_row = by_id(page, "return-row").filter(
            has=page.get_by_test_id("return-reference").filter(has_text=exact)
        )
        expect(new_row).to_have_count(1)
        expect(new_row.get_by_test_id("return-remuneration")).to_have_text(price)
        expect(by_id(page, "return-reference")).to_have_count(len(before) + 1)
        # ...and the item is no longer offered as returnable.
        returned = page.locator(f'[data-testid="returnable-item"][data-uuid="{uuid}"]')
        expect(returned).to_have_count(0)
        expect(items).to_have_count(offered - 1)
        expect(by_id(page, "error")).to_be_hidden()

        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)

    assert SCREENSHOT.is_file() and SCREENSHOT.stat().st_size > 0
    assert not log.console_errors, log.console_errors
    assert not log.page_errors, log.page_errors
    assert not log.failed_requests, log.failed_requests
    assert not log.error_responses, log.error_responses
    # Cross-origin for real: the JSON:API POSTs and the bearer GETs were preflighted, and allowed.
    assert {
        f"OPTIONS {glue_url}/access-tokens",
        f"OPTIONS {glue_url}/orders",
        f"OPTIONS {glue_url}/returns",
    } <= log.preflighted(), log.preflighted()
    assert log.preflight_status and set(log.preflight_status.values()) <= {200, 204}

    state = httpx.get(f"{mock_origin}/__admin/state").json()["glue"]
    assert state["returnsCreated"] == 1


def test_demo_shows_the_api_error_detail(demo_url: str, glue_url: str) -> None:
    with chromium_page() as (page, log):
        open_demo(page, demo_url, glue_url)
        log_in(page, password="wrong-password")
        expect(by_id(page, "error")).to_be_visible()
        expect(by_id(page, "error")).to_have_text("Failed to authenticate user.")
        expect(by_id(page, "login-status")).to_have_text("Not logged in.")
        expect(by_id(page, "returnable-item")).to_have_count(0)

    # The 401 itself is the only thing the browser complains about.
    assert log.error_responses == [f"POST {glue_url}/access-tokens -> 401"]
    assert all("status of 401" in message for message in log.console_errors), log.console_errors
    assert not log.page_errors, log.page_errors
    assert not log.failed_requests, log.failed_requests
