"""Issue 13: a frontend e2e test asks the mock's journal what the app sent (README example).

The demo page runs in headless Chromium against its own session of the shared test mock
(``…/sessions/{name}/glue`` is its only setting); the test then reads
``/sessions/{name}/__admin/requests`` and asserts the app sent ``POST /glue/returns`` with the
item the user chose.
"""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from playwright.sync_api import expect
from support import LiveMock
from test_browser import by_id, chromium_page, demo_url, log_in, open_demo

pytestmark = pytest.mark.browser
__all__ = ["demo_url"]  # the fixture, imported so pytest finds it here


def test_the_app_sent_post_returns_with_the_chosen_item(demo_url: str, live_mock: LiveMock) -> None:
    session = f"e2e-{uuid.uuid4().hex[:8]}"  # one session per test: no shared state, no reset
    glue_url = f"{live_mock.url}/sessions/{session}/glue"
    with chromium_page() as (page, _):
        open_demo(page, demo_url, glue_url)
        log_in(page)
        chosen = by_id(page, "returnable-item").first
        expect(chosen).to_be_visible()
        item_uuid = chosen.get_attribute("data-uuid")
        chosen.get_by_test_id("item-checkbox").check()
        by_id(page, "create-return-button").click()
        expect(by_id(page, "create-status")).to_have_text(re.compile(r"^Created return"))

    journal = httpx.get(
        f"{live_mock.url}/sessions/{session}/__admin/requests",
        params={"method": "POST", "path": "/glue/returns"},
    ).json()["requests"]
    assert len(journal) == 1
    sent = journal[0]
    assert sent["status"] == 201
    assert sent["headers"]["authorization"] == "Bearer ***"
    items = sent["body"]["data"]["attributes"]["returnItems"]
    assert [i["salesOrderItemUuid"] for i in items] == [item_uuid]
