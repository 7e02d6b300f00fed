"""Operators and visitors in separate Chromium contexts, talking through the real server."""

import re

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import open_page

pytestmark = [pytest.mark.browser, pytest.mark.server]

PAYLOADS = ["<img src=x onerror=window.__pwned=1>", "<script>window.__pwned=1</script>"]


def visitor_says(page, text):
    page.fill("#chat-input", text)
    page.press("#chat-input", "Enter")
    expect(page.locator("#chat-messages li.from-visitor[data-id] .chat-message-text", has_text=text).first).to_be_visible()


def start_visitor(context, server, text):
    page = open_page(context, server.url + "/")
    page.click("#chat-launcher")
    visitor_says(page, text)
    return page


def sign_in(context, server, username, password):
    page = open_page(context, server.url + "/console")
    page.fill("#signin-username", username)
    page.fill("#signin-password", password)
    page.click("#signin-submit")
    expect(page.locator("#console-app")).to_be_visible()
    return page


def open_conversation(page, containing):
    item = page.locator("#queue-list .console-queue-item", has_text=containing)
    item.click()
    expect(page.locator("#conversation-body")).to_be_visible()


def operator_says(page, text):
    page.fill("#reply-input", text)
    page.press("#reply-input", "Control+Enter")
    expect(page.locator("#conversation-messages li.from-operator[data-id] .console-message-text", has_text=text).first).to_be_visible()


def test_visitor_and_operators_talk_live_both_ways(chat_server, make_operator, new_context):
    alice = make_operator("alice", "Alice")
    bob = make_operator("bob", "Bob")
    visitor = start_visitor(new_context(), chat_server, "My clip has no sound")
    operator = sign_in(new_context(), chat_server, *alice)
    assert operator.evaluate("() => !!sessionStorage.getItem('clipai.console.token')")

    open_conversation(operator, "My clip has no sound")
    expect(operator.locator("#conversation-messages")).to_contain_text("My clip has no sound")
    expect(operator.locator("#conversation-meta")).to_contain_text("English")

    visitor.fill("#chat-input", "It happens with every video")
    expect(operator.locator("#visitor-typing")).to_be_visible()
    visitor.press("#chat-input", "Enter")
    expect(operator.locator("#conversation-messages")).to_contain_text("It happens with every video")
    expect(visitor.locator("#chat-messages li.from-visitor .chat-receipt").last).to_have_text("Read")

    operator.fill("#reply-input", "Let me check")
    expect(visitor.locator("#chat-typing")).to_contain_text("Alice is typing")
    operator.press("#reply-input", "Control+Enter")
    reply = visitor.locator("#chat-messages li.from-operator", has_text="Let me check")
    expect(reply).to_be_visible()
    expect(reply.locator(".chat-message-author")).to_have_text("Alice")
    expect(visitor.locator("#chat-messages")).not_to_contain_text("alice")
    expect(operator.locator("#conversation-messages li.from-operator .console-receipt").last).to_have_text("Read by the visitor")

    second = sign_in(new_context(), chat_server, *bob)
    second.click("#tab-open")
    open_conversation(second, "Let me check")
    operator_says(operator, "Found it: the audio track was muted")
    expect(second.locator("#conversation-messages")).to_contain_text("Found it: the audio track was muted")
    visitor_says(visitor, "Thanks!")
    expect(second.locator("#conversation-messages")).to_contain_text("Thanks!")
    expect(operator.locator("#conversation-messages")).to_contain_text("Thanks!")
    assert visitor.errors == operator.errors == second.errors == []


def test_queue_updates_live_with_unread_counts(chat_server, make_operator, new_context):
    operator = sign_in(new_context(), chat_server, *make_operator("carol", "Carol"))
    expect(operator.locator("#queue-empty")).to_be_visible()
    start_visitor(new_context(), chat_server, "Is there an API?")
    item = operator.locator("#queue-list .console-queue-item", has_text="Is there an API?")
    expect(item).to_be_visible()
    expect(item.locator(".console-unread")).to_have_text("1")
    expect(operator).to_have_title(re.compile(r"^\(1\) "))
    item.click()
    expect(operator.locator("#queue-list .console-unread")).to_have_count(0)
    expect(operator).not_to_have_title(re.compile(r"^\("))


def test_close_and_reopen(chat_server, make_operator, new_context):
    visitor = start_visitor(new_context(), chat_server, "Quick question")
    operator = sign_in(new_context(), chat_server, *make_operator("dave", "Dave"))
    open_conversation(operator, "Quick question")
    operator.click("#close-conversation")
    expect(operator.locator("#reopen-conversation")).to_be_visible()
    expect(operator.locator("#reply-input")).to_be_disabled()
    operator.click("#tab-closed")
    expect(operator.locator("#queue-list")).to_contain_text("Quick question")
    operator.click("#reopen-conversation")
    expect(operator.locator("#reply-input")).to_be_enabled()
    operator_says(operator, "Back again")
    expect(visitor.locator("#chat-messages")).to_contain_text("Back again")


def test_assign_to_me(chat_server, make_operator, new_context):
    start_visitor(new_context(), chat_server, "Who answers this?")
    operator = sign_in(new_context(), chat_server, *make_operator("erin", "Erin"))
    open_conversation(operator, "Who answers this?")
    operator.click("#assign-me")
    expect(operator.locator("#conversation-meta")).to_contain_text("Assigned to you")


def test_canned_reply_is_inserted_by_its_shortcut(chat_server, make_operator, new_context):
    visitor = start_visitor(new_context(), chat_server, "How long do you keep chats?")
    operator = sign_in(new_context(), chat_server, *make_operator("frank", "Frank"))
    operator.click("#canned-button")
    operator.fill("#canned-shortcut", "keep")
    operator.fill("#canned-text", "Conversations are erased 30 days after the last message.")
    operator.click("#canned-form button[type=submit]")
    expect(operator.locator("#canned-list")).to_contain_text("/keep")
    operator.click("#canned-close")

    open_conversation(operator, "How long do you keep chats?")
    operator.fill("#reply-input", "")
    operator.type("#reply-input", "/kee")
    expect(operator.locator("#canned-suggestions")).to_be_visible()
    operator.press("#reply-input", "Tab")
    expect(operator.locator("#reply-input")).to_have_value("Conversations are erased 30 days after the last message.")
    operator.press("#reply-input", "Control+Enter")
    expect(visitor.locator("#chat-messages")).to_contain_text("erased 30 days after")


def test_search_finds_a_conversation_by_its_text(chat_server, make_operator, new_context):
    start_visitor(new_context(), chat_server, "The watermark is too big")
    start_visitor(new_context(), chat_server, "Billing question")
    operator = sign_in(new_context(), chat_server, *make_operator("grace", "Grace"))
    operator.fill("#search-input", "watermark")
    operator.press("#search-input", "Enter")
    expect(operator.locator("#search-head")).to_be_visible()
    expect(operator.locator("#queue-list .console-queue-item")).to_have_count(1)
    expect(operator.locator("#queue-list")).to_contain_text("watermark")


def test_expired_session_returns_to_sign_in_and_keeps_the_draft(chat_server, make_operator, new_context):
    username, password = make_operator("heidi", "Heidi")
    start_visitor(new_context(), chat_server, "Are you there?")
    operator = sign_in(new_context(), chat_server, username, password)
    open_conversation(operator, "Are you there?")
    operator.fill("#reply-input", "Half-written answer")
    token = operator.evaluate("() => sessionStorage.getItem('clipai.console.token')")
    status = operator.evaluate(
        "async token => (await fetch('/api/auth/token', {method: 'DELETE', headers: {Authorization: 'Bearer ' + token}})).status",
        token,
    )
    assert status == 204
    operator.press("#reply-input", "Control+Enter")
    expect(operator.locator("#console-signin")).to_be_visible()
    expect(operator.locator("#signin-notice")).to_be_visible()
    operator.fill("#signin-password", password)
    operator.click("#signin-submit")
    expect(operator.locator("#reply-input")).to_have_value("Half-written answer")


def test_sign_out_forgets_the_token(chat_server, make_operator, new_context):
    operator = sign_in(new_context(), chat_server, *make_operator("ivan", "Ivan"))
    operator.click("#sign-out")
    expect(operator.locator("#console-signin")).to_be_visible()
    assert operator.evaluate("() => sessionStorage.getItem('clipai.console.token')") is None
    operator.reload()
    expect(operator.locator("#console-signin")).to_be_visible()


def test_maintainers_get_the_policy_link_and_operators_do_not(chat_server, make_operator, new_context):
    operator = sign_in(new_context(), chat_server, *make_operator("judy", "Judy"))
    expect(operator.locator("#policy-link")).to_be_hidden()
    maintainer = sign_in(new_context(), chat_server, *make_operator("ken", "Ken", roles=("operator", "maintainer")))
    expect(maintainer.locator("#policy-link")).to_be_visible()


def test_keyboard_moves_between_conversations(chat_server, make_operator, new_context):
    start_visitor(new_context(), chat_server, "first visitor")
    start_visitor(new_context(), chat_server, "second visitor")
    operator = sign_in(new_context(), chat_server, *make_operator("leo", "Leo"))
    expect(operator.locator("#queue-list .console-queue-item")).to_have_count(2)
    operator.keyboard.press("Alt+ArrowDown")
    expect(operator.locator("#conversation-messages")).to_contain_text("second visitor")
    operator.keyboard.press("Alt+ArrowDown")
    expect(operator.locator("#conversation-messages")).to_contain_text("first visitor")
    operator.keyboard.press("Alt+ArrowUp")
    expect(operator.locator("#conversation-messages")).to_contain_text("second visitor")


def test_markup_typed_on_either_side_stays_text(chat_server, make_operator, new_context):
    visitor = start_visitor(new_context(), chat_server, "hello")
    operator = sign_in(new_context(), chat_server, *make_operator("mallory", "Mallory"))
    open_conversation(operator, "hello")
    for payload in PAYLOADS:
        visitor_says(visitor, payload)
        expect(operator.locator("#conversation-messages .console-message-text", has_text=payload)).to_have_count(1)
        operator_says(operator, "echo " + payload)
        expect(visitor.locator("#chat-messages .chat-message-text", has_text="echo " + payload)).to_have_count(1)
    for page in (visitor, operator):
        assert page.evaluate("() => window.__pwned") is None
        assert page.locator("#chat-messages img, #conversation-messages img, #chat-messages script, #conversation-messages script").count() == 0
    operator.click("#tab-open")
    expect(operator.locator("#queue-list .console-preview")).to_have_text("echo " + PAYLOADS[-1])


def test_visitors_see_whether_an_operator_is_online(chat_server, make_operator, new_context):
    visitor = open_page(new_context(), chat_server.url + "/")
    visitor.click("#chat-launcher")
    expect(visitor.locator("#chat-status")).to_have_attribute("data-state", "offline")
    operator = sign_in(new_context(), chat_server, *make_operator("nina", "Nina"))
    expect(visitor.locator("#chat-status")).to_have_attribute("data-state", "online")
    expect(visitor.locator("#chat-offline")).to_be_hidden()
    operator.select_option("#presence-select", "away")
    expect(visitor.locator("#chat-status")).to_have_attribute("data-state", "offline")
    expect(visitor.locator("#chat-offline")).to_be_visible()
    expect(operator.locator("#console-operators")).to_be_hidden()


RECORD_NOTIFICATIONS = """
window.__notifications = [];
window.Notification = class {
  constructor(title, options) { window.__notifications.push([title, options.body]); }
  close() {}
  static get permission() { return "granted"; }
  static requestPermission() { return Promise.resolve("granted"); }
};
"""


def test_new_conversations_raise_a_desktop_notification(chat_server, make_operator, new_context):
    context = new_context()
    context.add_init_script(RECORD_NOTIFICATIONS)
    operator = sign_in(context, chat_server, *make_operator("oscar", "Oscar"))
    expect(operator.locator("#notify-button")).to_have_text("Notifications are on")
    start_visitor(new_context(), chat_server, "Anyone there?")
    expect(operator.locator("#queue-list")).to_contain_text("Anyone there?")
    notifications = operator.evaluate("() => window.__notifications")
    assert [body for _, body in notifications] == ["New conversation #1"]


def test_a_maintainer_without_the_operator_role_is_told_and_keeps_the_policy_link(chat_server, make_operator, new_context):
    page = sign_in(new_context(), chat_server, *make_operator("pat", "Pat", roles=("maintainer",)))
    expect(page.locator("#console-connection")).to_contain_text("operator role")
    expect(page.locator("#policy-link")).to_be_visible()
