"""Graceful (SIGTERM) and hard (SIGKILL) restarts with the real clients: the widget and the console in
Chromium reconnect by themselves and carry on in the same conversation."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.server]

WAIT_MS = 30_000  # socket.io-client backs off while the server is away; an upper bound, not a timing


def visitor_says(page, text):
    page.fill("#chat-input", text)
    page.press("#chat-input", "Enter")
    expect(page.locator("#chat-messages li.from-visitor[data-id]", has_text=text)).to_have_count(1, timeout=WAIT_MS)


@pytest.mark.parametrize(("async_mode", "how"), [("eventlet", "graceful"), ("eventlet", "hard"),
                                                 ("gevent", "graceful")])
def test_widget_and_console_reconnect_by_themselves_after_a_restart(start_server, database_url, live, chromium,
                                                                   async_mode, how):
    port = live.free_port()
    server = start_server(async_mode=async_mode, port=port)
    password, _ = live.create_account(database_url, "olga.k", alias="Olga")
    context = chromium.new_context()
    try:
        visitor = context.new_page()
        visitor.goto(server.url + "/")
        visitor.click("#chat-launcher")
        visitor_says(visitor, "Before the restart")
        console = chromium.new_context().new_page()
        console.goto(server.url + "/console")
        console.fill("#signin-username", "olga.k")
        console.fill("#signin-password", password)
        console.click("#signin-submit")
        expect(console.locator("#queue-list")).to_contain_text("Before the restart", timeout=WAIT_MS)

        server.stop() if how == "graceful" else server.kill()
        expect(visitor.locator("#chat-status")).to_have_attribute("data-state", "reconnecting", timeout=WAIT_MS)
        start_server(async_mode=async_mode, port=port)

        expect(visitor.locator("#chat-status")).to_have_attribute("data-state", "online", timeout=WAIT_MS)
        visitor_says(visitor, "After the restart")
        expect(console.locator("#queue-list")).to_contain_text("After the restart", timeout=WAIT_MS)
        assert live.query(database_url, "SELECT count(*) FROM conversations") == [(1,)]
        assert live.query(database_url, "SELECT text FROM messages ORDER BY id") == [("Before the restart",),
                                                                                     ("After the restart",)]
        console.context.close()
    finally:
        context.close()
