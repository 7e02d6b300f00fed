"""A visitor behind a busy shared network: Chromium solves the challenge invisibly and the message goes."""

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import open_page

pytestmark = [pytest.mark.browser, pytest.mark.server]

# Every receipt text a visitor's pending message shows, in order (transient states included).
RECORD_RECEIPTS = """() => {
  window.receipts = [];
  new MutationObserver(() => {
    document.querySelectorAll("#chat-messages .chat-receipt").forEach((receipt) => {
      if (window.receipts[window.receipts.length - 1] !== receipt.textContent) window.receipts.push(receipt.textContent);
    });
  }).observe(document, { subtree: true, childList: true, characterData: true });
}"""
BUSY_NETWORK = {"CHAT_NEW_CONVERSATION_LIMITS": "1/hour"}  # the real challenge size (config.py)


@pytest.fixture
def busy_network(live_server, new_context):
    """A server whose budget for this (loopback) address is already spent by another visitor."""
    server = live_server(settings=BUSY_NETWORK)
    first = open_page(new_context(), server.url + "/")
    first.click("#chat-launcher")
    send(first, "I am the first one here")
    expect(first.locator("#chat-messages li.from-visitor[data-id]")).to_have_count(1)
    return server


def send(page, text):
    page.fill("#chat-input", text)
    page.press("#chat-input", "Enter")


def visitor(server, new_context, path="/", no_worker=False):
    context = new_context()
    if no_worker:
        context.add_init_script("delete window.Worker;")
    page = open_page(context, server.url + path)
    page.workers_started = []
    page.on("worker", lambda worker: page.workers_started.append(worker.url))
    page.evaluate(RECORD_RECEIPTS)
    page.click("#chat-launcher")
    return page


def test_a_visitor_past_the_budget_gets_through_after_an_invisible_check(busy_network, new_context):
    page = visitor(busy_network, new_context)
    send(page, "My export stops at 99%")
    expect(page.locator("#chat-messages li.from-visitor[data-id]")).to_have_count(1)
    expect(page.locator("#chat-messages li.from-visitor")).to_have_count(1)  # the same message, stored once
    assert "Checking your connection…" in page.evaluate("() => window.receipts")
    assert any(url.endswith("/static/vendor/altcha/worker.js") for url in page.workers_started)
    assert page.locator("#chat-alerts .chat-alert").count() == 0  # no refusal, no "too quickly"
    assert page.evaluate("() => sessionStorage.getItem('clipai.chat.token')")
    foreign = [url for url in page.requests if not url.startswith(busy_network.url + "/")]
    assert foreign == [] and page.context.cookies() == [] and page.errors == []


def test_without_web_workers_the_page_solves_it_in_slices(busy_network, new_context):
    page = visitor(busy_network, new_context, no_worker=True)
    send(page, "Where is my invoice?")
    expect(page.locator("#chat-messages li.from-visitor[data-id]")).to_have_count(1)
    assert "Checking your connection…" in page.evaluate("() => window.receipts")
    assert page.workers_started == [] and page.errors == []


def test_the_check_speaks_the_visitors_language(busy_network, new_context):
    page = visitor(busy_network, new_context, path="/ar/")
    send(page, "مرحبا")
    expect(page.locator("#chat-messages li.from-visitor[data-id]")).to_have_count(1)
    assert "جارٍ التحقق من اتصالك…" in page.evaluate("() => window.receipts")
