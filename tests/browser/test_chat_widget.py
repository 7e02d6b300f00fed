"""The visitor chat widget in Chromium against the real server."""

import re

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import open_page

pytestmark = [pytest.mark.browser, pytest.mark.server]

STORAGE = "() => [sessionStorage.length, localStorage.length]"
TOKEN_KEY = "clipai.chat.token"


def send(page, text):
    page.fill("#chat-input", text)
    page.press("#chat-input", "Enter")


def stored_message(page, text):
    """The visitor's message once the server has stored it (pending ones have no id)."""
    return page.locator("#chat-messages li.from-visitor[data-id] .chat-message-text", has_text=text)


def test_conversation_survives_a_reload_with_no_cookie_and_no_other_origin(chat_server, new_context):
    context = new_context()
    page = open_page(context, chat_server.url + "/")
    assert page.evaluate(STORAGE) == [0, 0]
    assert page.evaluate("() => typeof window.io") == "undefined"

    page.click("#chat-launcher")
    expect(page.locator("#chat-status")).to_have_attribute("data-state", re.compile("online|offline"))
    assert page.evaluate(STORAGE) == [0, 0]
    send(page, "Hello, how do I export a clip?")
    expect(stored_message(page, "Hello, how do I export a clip?")).to_be_visible()
    assert page.evaluate(f"() => sessionStorage.getItem('{TOKEN_KEY}')")
    assert page.evaluate("() => localStorage.length") == 0

    page.reload()
    expect(stored_message(page, "Hello, how do I export a clip?")).to_have_count(1)
    assert context.cookies() == []
    foreign = [url for url in page.requests if not url.startswith(chat_server.url + "/") and not url.startswith("data:")]
    assert foreign == []
    assert page.errors == []


def test_nothing_is_stored_before_the_first_message(chat_server, new_context):
    page = open_page(new_context(), chat_server.url + "/")
    page.click("#chat-launcher")
    page.fill("#chat-input", "I am still typing")
    expect(page.locator("#chat-status")).to_have_attribute("data-state", re.compile("online|offline"))
    assert page.evaluate(STORAGE) == [0, 0]


def test_socket_io_client_is_loaded_only_when_the_chat_opens(chat_server, new_context):
    page = open_page(new_context(), chat_server.url + "/")
    assert not any("socket.io" in url for url in page.requests)
    page.click("#chat-launcher")
    expect(page.locator("#chat-status")).to_have_attribute("data-state", re.compile("online|offline"))
    assert any(url.endswith("/static/vendor/socket.io.min.js") for url in page.requests)


def test_keyboard_opens_and_closes_the_chat_and_focus_follows(chat_server, new_context):
    page = open_page(new_context(), chat_server.url + "/")
    page.focus("#chat-launcher")
    page.keyboard.press("Enter")
    expect(page.locator("#chat-panel")).to_be_visible()
    expect(page.locator("#chat-input")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#chat-panel")).to_be_hidden()
    expect(page.locator("#chat-launcher")).to_be_focused()
    expect(page.locator("#chat-launcher")).to_have_attribute("aria-expanded", "false")


def test_personal_details_get_a_hint_before_and_a_notice_after_sending(chat_server, new_context):
    page = open_page(new_context(), chat_server.url + "/")
    page.click("#chat-launcher")
    page.fill("#chat-input", "write to me at jane.doe@example.com please")
    expect(page.locator("#chat-hint")).to_be_visible()
    page.press("#chat-input", "Enter")
    expect(page.locator("#chat-alerts")).to_contain_text("e-mail address was removed")
    expect(page.locator("#chat-messages")).not_to_contain_text("jane.doe@example.com")


@pytest.mark.parametrize("typed", [
    "ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ",  # a full-width keyboard
    "call me on +4\u200b9 30 1234\u200b5678",  # zero-width characters inside the number
    "رقمي ٠١٠٠١٢٣٤٥٦٧",  # Arabic-Indic digits
])
def test_the_hint_reads_personal_details_the_way_the_guard_does(chat_server, new_context, typed):
    page = open_page(new_context(), chat_server.url + "/")
    page.click("#chat-launcher")
    page.fill("#chat-input", typed)
    expect(page.locator("#chat-hint")).to_be_visible()


def test_the_erase_date_is_shown_and_erase_now_asks_first(chat_server, new_context):
    page = open_page(new_context(), chat_server.url + "/")
    page.click("#chat-launcher")
    send(page, "Please forget me afterwards")
    expect(stored_message(page, "Please forget me afterwards")).to_be_visible()
    expect(page.locator("#chat-erase-date")).to_contain_text("will be erased on")

    page.click("#chat-erase")
    expect(page.locator("#chat-confirm")).to_be_visible()
    expect(stored_message(page, "Please forget me afterwards")).to_be_visible()
    page.click("#chat-erase-yes")
    expect(page.locator("#chat-messages li")).to_have_count(0)
    expect(page.locator("#chat-alerts")).to_contain_text("erased")
    assert page.evaluate(STORAGE) == [0, 0]


def test_keep_on_this_device_moves_the_token_to_local_storage_and_forget_moves_it_back(chat_server, new_context):
    page = open_page(new_context(), chat_server.url + "/")
    page.click("#chat-launcher")
    send(page, "Keep this one")
    expect(stored_message(page, "Keep this one")).to_be_visible()

    page.click("#chat-menu-button")
    page.check("#chat-keep")
    page.keyboard.press("Escape")
    expect(page.locator("#chat-kept")).to_be_visible()
    assert page.evaluate(f"() => [!!localStorage.getItem('{TOKEN_KEY}'), sessionStorage.getItem('{TOKEN_KEY}')]") == [True, None]
    page.click("#chat-forget")
    assert page.evaluate(f"() => [localStorage.length, !!sessionStorage.getItem('{TOKEN_KEY}')]") == [0, True]


def test_a_kept_chat_comes_back_in_a_new_tab(chat_server, new_context):
    context = new_context()
    page = open_page(context, chat_server.url + "/")
    page.click("#chat-launcher")
    send(page, "Remember me on this laptop")
    expect(stored_message(page, "Remember me on this laptop")).to_be_visible()
    page.click("#chat-keep-yes")
    page.close()

    second = open_page(context, chat_server.url + "/")
    second.click("#chat-launcher")
    expect(stored_message(second, "Remember me on this laptop")).to_be_visible()


def test_rate_limit_is_shown_with_the_time_to_wait(live_server, new_context):
    # The first message starts the conversation and counts against another limit.
    server = live_server(settings={"CHAT_MESSAGE_LIMITS": "1 per minute"})
    page = open_page(new_context(), server.url + "/")
    page.click("#chat-launcher")
    for number in (1, 2):
        send(page, f"message {number}")
        expect(stored_message(page, f"message {number}")).to_be_visible()
    send(page, "message 3")
    expect(page.locator("#chat-alerts")).to_contain_text(re.compile(r"send again in \d+:\d\d"))
    expect(page.locator("#chat-messages li.is-pending")).to_contain_text("message 3")


def test_length_counter_appears_near_the_limit(chat_server, new_context):
    page = open_page(new_context(), chat_server.url + "/")
    page.click("#chat-launcher")
    expect(page.locator("#chat-counter")).to_be_hidden()
    page.fill("#chat-input", "x" * 1900)
    expect(page.locator("#chat-counter")).to_have_text("1,900 of 2,000 characters")
    page.fill("#chat-input", "x" * 2001)
    page.press("#chat-input", "Enter")
    expect(page.locator("#chat-alerts")).to_contain_text("too long")
    assert page.evaluate(STORAGE) == [0, 0]


def test_queued_messages_are_sent_once_after_the_server_comes_back(live_server, new_context, tmp_path):
    database_url = f"sqlite:///{tmp_path / 'restart.sqlite3'}"
    server = live_server(database_url=database_url)
    page = open_page(new_context(), server.url + "/")
    page.click("#chat-launcher")
    send(page, "before the outage")
    expect(stored_message(page, "before the outage")).to_be_visible()

    server.kill()
    expect(page.locator("#chat-status")).to_have_attribute("data-state", "reconnecting")
    send(page, "during the outage")
    expect(page.locator("#chat-messages li.is-pending")).to_contain_text("during the outage")

    live_server(database_url=database_url, port=server.port)
    expect(stored_message(page, "during the outage")).to_have_count(1, timeout=30000)
    expect(page.locator("#chat-messages li.is-pending")).to_have_count(0)
    texts = page.locator("#chat-messages li.from-visitor .chat-message-text").all_text_contents()
    assert texts == ["before the outage", "during the outage"]


def test_arabic_page_lays_the_chat_out_right_to_left(chat_server, new_context):
    page = open_page(new_context(), chat_server.url + "/ar/")
    page.click("#chat-launcher")
    panel = page.locator("#chat-panel").bounding_box()
    assert panel["x"] < 640  # mirrored: the panel sits on the left


def test_resume_code_brings_the_conversation_to_another_browser(chat_server, new_context):
    page = open_page(new_context(), chat_server.url + "/")
    page.click("#chat-launcher")
    send(page, "Nobody is online, I will come back")
    expect(page.locator("#chat-offline")).to_be_visible()
    expect(page.locator("#chat-resume-code-text")).to_have_text(re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2}$"))
    code = page.locator("#chat-resume-code-text").text_content().rsplit(" ", 1)[-1]

    elsewhere = open_page(new_context(), chat_server.url + "/")
    elsewhere.click("#chat-launcher")
    elsewhere.click("#chat-resume-open")
    elsewhere.fill("#chat-resume-input", code.lower())
    elsewhere.press("#chat-resume-input", "Enter")
    expect(stored_message(elsewhere, "Nobody is online, I will come back")).to_be_visible()
    send(elsewhere, "Back from my phone")
    expect(page.locator("#chat-messages")).to_contain_text("Back from my phone")


def test_a_wrong_resume_code_is_refused_in_words(chat_server, new_context):
    page = open_page(new_context(), chat_server.url + "/")
    page.click("#chat-launcher")
    page.click("#chat-resume-open")
    page.fill("#chat-resume-input", "AAAA-BBBB-CC")
    page.press("#chat-resume-input", "Enter")
    expect(page.locator("#chat-alerts")).to_contain_text("does not match")
    expect(page.locator("#chat-status")).to_have_attribute("data-state", re.compile("online|offline"))
    assert page.evaluate(STORAGE) == [0, 0]
