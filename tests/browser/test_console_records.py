"""Notes, tags, transfers and ratings in Chromium: two operators and a visitor on the real server.

Screenshots of each screen go to /tmp/shots/console-records/ (desktop, phone, Arabic).
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_console import open_conversation, sign_in, start_visitor
from tests.fixtures.browser import open_page

pytestmark = [pytest.mark.browser, pytest.mark.server]

SHOTS = Path("/tmp/shots/console-records")
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
NOTE = "Reseller account, check the invoice first"


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def add_note_by_keyboard(page, text):
    page.locator("#note-compose summary").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type(text)
    page.keyboard.press("Control+Enter")


def test_notes_tags_and_a_transfer_between_two_operators(chat_server, make_operator, new_context):
    visitor = start_visitor(new_context(), chat_server, "Where is my invoice for March?")
    alice = sign_in(new_context(), chat_server, *make_operator("alice", "Alice"))
    bob = sign_in(new_context(), chat_server, *make_operator("bob", "Bob"))
    open_conversation(alice, "invoice for March")
    open_conversation(bob, "invoice for March")

    add_note_by_keyboard(alice, NOTE)
    note = alice.locator("#conversation-messages li.console-note", has_text=NOTE)
    expect(note).to_contain_text("Internal note · Alice")
    expect(bob.locator("#conversation-messages li.console-note", has_text=NOTE)).to_be_visible()  # live

    alice.locator("#tag-input").focus()
    alice.keyboard.type("Billing")
    alice.keyboard.press("Enter")
    expect(alice.locator("#tag-list")).to_contain_text("#billing")
    expect(bob.locator("#queue-list .console-queue-item", has_text="#billing")).to_be_visible()
    shot(alice, "desktop-note-and-tag")

    alice.locator("#transfer-open").focus()  # keyboard only from here
    alice.keyboard.press("Enter")
    expect(alice.locator("#transfer-to")).to_be_focused()
    expect(alice.locator("#transfer-to option")).to_have_text([re.compile("^Bob")])
    alice.keyboard.press("Tab")
    alice.keyboard.type("He asks about March, you handled February")
    shot(alice, "desktop-transfer-form")
    alice.keyboard.press("Tab")
    expect(alice.locator("#transfer-submit")).to_be_focused()
    alice.keyboard.press("Enter")
    expect(alice.locator("#transfer-open")).to_be_focused()
    expect(alice.locator("#conversation-meta")).to_contain_text("Assigned to Bob")
    expect(alice.locator("#conversation-messages li.console-note", has_text="Transferred to Bob")).to_be_visible()

    notice = bob.locator("#transfer-notices .console-transfer-notice")
    expect(notice).to_contain_text("Alice transferred conversation")
    expect(notice).to_contain_text("you handled February")
    expect(bob.locator("#conversation-meta")).to_contain_text("Assigned to you")
    shot(bob, "desktop-transfer-notice")
    notice.get_by_role("button", name="Open conversation #1").focus()
    bob.keyboard.press("Enter")
    expect(notice).to_have_count(0)
    expect(bob.locator("#reply-input")).to_be_focused()

    # The visitor's page never shows a note, a tag or a name behind the alias.
    visitor_text = visitor.locator("#chat-panel").inner_text()
    for secret in (NOTE, "billing", "February", "Alice", "Bob"):
        assert secret not in visitor_text
    assert not alice.errors and not bob.errors and not visitor.errors


def test_search_by_tag_and_remove_a_tag_with_the_keyboard(chat_server, make_operator, new_context):
    start_visitor(new_context(), chat_server, "Refund please")
    start_visitor(new_context(), chat_server, "How do I export a clip?")
    alice = sign_in(new_context(), chat_server, *make_operator("alice", "Alice"))
    open_conversation(alice, "Refund please")
    alice.locator("#tag-input").fill("refund")
    alice.locator("#tag-input").press("Enter")
    expect(alice.locator("#tag-list")).to_contain_text("#refund")

    alice.locator("#search-input").fill("tag:refund")
    alice.locator("#search-input").press("Enter")
    expect(alice.locator("#queue-list .console-queue-item")).to_have_count(1)
    expect(alice.locator("#queue-list")).to_contain_text("Refund please")

    alice.locator(".console-tag-remove").focus()
    alice.keyboard.press("Enter")
    expect(alice.locator("#tag-list")).to_be_hidden()
    expect(alice.locator("#tag-input")).to_be_focused()


def rate_by_keyboard(page, stars, comment):
    page.locator("#chat-star-1").focus()
    for _ in range(stars - 1):
        page.keyboard.press("ArrowLeft" if page.evaluate("document.dir") == "rtl" else "ArrowRight")
    page.keyboard.press("Tab")
    page.keyboard.type(comment)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")


@pytest.mark.parametrize("layout, prefix, options", [
    ("desktop", "", {}),
    ("phone", "", PHONE),
    ("arabic", "/ar", {}),
])
def test_the_visitor_rates_a_closed_conversation_and_operators_see_it(chat_server, make_operator, new_context,
                                                                      layout, prefix, options):
    visitor = open_page(new_context(**options), chat_server.url + prefix + "/")
    visitor.click("#chat-launcher")
    visitor.fill("#chat-input", "Thanks, that solved it")
    visitor.click("#chat-send")  # on a touch screen Enter starts a new line
    expect(visitor.locator("#chat-messages li.from-visitor[data-id]")).to_have_count(1)
    alice = sign_in(new_context(), chat_server, *make_operator("alice", "Alice"))
    open_conversation(alice, "that solved it")
    alice.locator("#close-conversation").click()

    expect(visitor.locator("#chat-rating")).to_be_visible()
    expect(visitor.locator("#chat-stars input[type=radio]")).to_have_count(5)
    shot(visitor, f"{layout}-widget-rating-form")
    rate_by_keyboard(visitor, 4, "Quick answer")
    expect(visitor.locator("#chat-rated")).to_be_visible()
    expect(visitor.locator("#chat-rated-text")).to_contain_text("4")
    shot(visitor, f"{layout}-widget-rated")

    expect(alice.locator("#conversation-rating")).to_contain_text("4 of 5")
    expect(alice.locator("#conversation-rating")).to_contain_text("Quick answer")
    alice.locator("#tab-closed").click()
    expect(alice.locator("#queue-list .console-queue-rating")).to_contain_text("4")

    visitor.locator("#chat-rating-change").click()
    expect(visitor.locator("#chat-star-4")).to_be_checked()
    visitor.locator("label[for=chat-star-2]").click()
    visitor.locator("#chat-rating button[type=submit]").click()
    expect(alice.locator("#conversation-rating")).to_contain_text("2 of 5")
    visitor.reload()  # the rating comes back with the history: nothing about it is kept in the browser
    expect(visitor.locator("#chat-rated-text")).to_contain_text("2")
    expect(visitor.locator("#chat-rating")).to_be_hidden()
    assert not visitor.errors and not alice.errors


def test_the_console_records_on_a_phone_and_in_arabic(chat_server, make_operator, new_context):
    start_visitor(new_context(), chat_server, "أين فاتورتي؟")
    make_operator("bob", "Bob")
    for name, options, path in (("phone", PHONE, "/console"), ("arabic", {}, "/ar/console")):
        page = open_page(new_context(**options), chat_server.url + path)
        page.fill("#signin-username", "bob")
        page.fill("#signin-password", "bob-password-0")
        page.click("#signin-submit")
        open_conversation(page, "فاتورتي")
        page.locator("#tag-input").fill(f"tag-{name}")
        page.locator("#tag-input").press("Enter")
        expect(page.locator("#tag-list")).to_contain_text(f"#tag-{name}")
        page.locator("#note-compose summary").click()
        page.locator("#note-input").fill(f"Note from the {name} layout")
        page.locator("#note-form button[type=submit]").click()
        expect(page.locator("#conversation-messages li.console-note")).to_have_count(1 if name == "phone" else 2)
        shot(page, f"{name}-console-records")
        assert not page.errors
