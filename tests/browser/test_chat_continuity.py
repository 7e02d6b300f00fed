"""The visitor widget across tabs, reloads and devices; its menu, transcript, notices and thread."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import open_page

pytestmark = [pytest.mark.browser, pytest.mark.server]

TOKEN_KEY = "clipai.chat.token"
OUTBOX_KEY = "clipai.chat.outbox"
# Counts the chimes the widget plays (WebAudio oscillators started), without playing anything.
COUNT_CHIMES = """
window.chimes = 0;
const start = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) { window.chimes += 1; return start.apply(this, args); };
"""
HIDE_TAB = """hidden => {
  Object.defineProperty(document, 'hidden', {value: hidden, configurable: true});
  Object.defineProperty(document, 'visibilityState', {value: hidden ? 'hidden' : 'visible', configurable: true});
  document.dispatchEvent(new Event('visibilitychange'));
}"""


def send(page, text):
    page.fill("#chat-input", text)
    page.press("#chat-input", "Enter")


def stored_message(page, text):
    return page.locator("#chat-messages li[data-id] .chat-message-text", has_text=text)


def start_chat(context, server, text, path="/"):
    page = open_page(context, server.url + path)
    page.click("#chat-launcher")
    send(page, text)
    expect(stored_message(page, text)).to_be_visible()
    return page


@pytest.fixture
def operator(chat_server, live, peers):
    """An operator connected to the console namespace: ``operator.reply(text)`` answers the newest conversation."""
    _, token = live.create_account(chat_server.env["CLIPAI_DATABASE_URL"], "anna", alias="Anna Petrova")
    peer = peers(chat_server.url, "/console", auth={"token": token})

    def conversation_id():
        return peer.call("list", {})["conversations"][0]["id"]

    peer.reply = lambda text: peer.say(text, conversation_id=conversation_id())
    peer.close_conversation = lambda: peer.call("close", {"conversation_id": conversation_id()})
    return peer


# --- continuity ---------------------------------------------------------------------------------

def test_a_second_tab_shares_the_conversation_without_storing_it_for_longer(chat_server, new_context):
    context = new_context()
    first = start_chat(context, chat_server, "Started in the first tab")

    second = open_page(context, chat_server.url + "/privacy")
    second.click("#chat-launcher")
    expect(stored_message(second, "Started in the first tab")).to_be_visible()
    send(second, "Written in the second tab")
    expect(stored_message(first, "Written in the second tab")).to_be_visible()
    assert second.evaluate("() => localStorage.length") == 0
    assert context.cookies() == []


def test_a_tab_open_before_the_first_message_joins_the_conversation(chat_server, new_context):
    context = new_context()
    waiting = open_page(context, chat_server.url + "/")
    start_chat(context, chat_server, "Hello from the other tab")
    waiting.click("#chat-launcher")
    expect(stored_message(waiting, "Hello from the other tab")).to_be_visible()
    assert waiting.evaluate(f"() => !!sessionStorage.getItem('{TOKEN_KEY}')")


def test_after_the_first_message_the_widget_offers_to_keep_the_chat(chat_server, new_context):
    context = new_context()
    page = open_page(context, chat_server.url + "/")
    page.click("#chat-launcher")
    expect(page.locator("#chat-keep-offer")).to_be_hidden()
    send(page, "Will you remember me?")
    offer = page.locator("#chat-keep-offer")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("Anyone who uses this device could read it")
    assert page.evaluate("() => localStorage.length") == 0

    page.click("#chat-keep-yes")
    expect(offer).to_be_hidden()
    expect(page.locator("#chat-kept")).to_be_visible()
    assert page.evaluate(f"() => [!!localStorage.getItem('{TOKEN_KEY}'), sessionStorage.getItem('{TOKEN_KEY}')]") == [True, None]
    page.reload()
    expect(stored_message(page, "Will you remember me?")).to_be_visible()
    expect(page.locator("#chat-keep-offer")).to_be_hidden()


def test_not_now_keeps_nothing_and_does_not_ask_again_in_this_tab(chat_server, new_context):
    page = start_chat(new_context(), chat_server, "Just this once")
    page.click("#chat-keep-no")
    expect(page.locator("#chat-keep-offer")).to_be_hidden()
    page.reload()
    expect(stored_message(page, "Just this once")).to_be_visible()
    expect(page.locator("#chat-keep-offer")).to_be_hidden()
    assert page.evaluate("() => localStorage.length") == 0


def test_the_menu_shows_the_resume_code_and_copies_it(chat_server, new_context):
    context = new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=chat_server.url)
    page = start_chat(context, chat_server, "Give me my code")
    page.click("#chat-menu-button")
    code = page.locator("#chat-menu-code")
    expect(code).to_have_text(re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2}$"))
    expect(page.locator("#chat-copy-code")).to_have_text("Copy")
    page.click("#chat-copy-code")
    expect(page.locator("#chat-copy-code")).to_have_text("Copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == code.text_content()
    expect(page.locator("#chat-copy-code")).to_have_text("Copy")


def test_the_menu_works_with_the_keyboard_alone(chat_server, new_context):
    page = start_chat(new_context(), chat_server, "Keyboard only")
    page.focus("#chat-menu-button")
    page.keyboard.press("Enter")
    expect(page.locator("#chat-menu")).to_be_visible()
    expect(page.locator("#chat-copy-code")).to_be_focused()
    expect(page.locator("#chat-menu-button")).to_have_attribute("aria-expanded", "true")
    for expected in ("#chat-resume-link", "#chat-copy-link", "#chat-download-text", "#chat-download-html", "#chat-keep"):
        page.keyboard.press("Tab")
        expect(page.locator(expected)).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#chat-kept")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#chat-menu")).to_be_hidden()
    expect(page.locator("#chat-menu-button")).to_be_focused()
    expect(page.locator("#chat-panel")).to_be_visible()


def test_a_resume_link_offers_the_conversation_and_leaves_the_address(chat_server, new_context):
    page = start_chat(new_context(), chat_server, "Continue on my phone")
    page.click("#chat-menu-button")
    link = page.locator("#chat-resume-link").input_value()
    assert re.search(r"#chat-resume=[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2}$", link)

    phone = open_page(new_context(viewport={"width": 390, "height": 844}), link)
    expect(phone.locator("#chat-resume-offer")).to_be_visible()
    assert "#" not in phone.url
    assert not any("chat-resume" in url for url in phone.requests)
    assert phone.evaluate("() => sessionStorage.length + localStorage.length") == 0
    phone.click("#chat-resume-offer-yes")
    expect(stored_message(phone, "Continue on my phone")).to_be_visible()
    send(phone, "Here I am")
    expect(stored_message(page, "Here I am")).to_be_visible()


def test_declining_a_resume_link_keeps_the_visitor_fresh(chat_server, new_context):
    page = start_chat(new_context(), chat_server, "Not for you")
    page.click("#chat-menu-button")
    link = page.locator("#chat-resume-link").input_value()
    other = open_page(new_context(), link)
    other.click("#chat-resume-offer-no")
    expect(other.locator("#chat-resume-offer")).to_be_hidden()
    expect(other.locator("#chat-messages li")).to_have_count(0)
    assert "#" not in other.url


def test_a_rate_limited_message_counts_down_and_survives_a_reload(live_server, new_context):
    server = live_server(settings={"CHAT_MESSAGE_LIMITS": "1 per 8 seconds"})
    page = start_chat(new_context(), server, "first")
    send(page, "second")
    expect(stored_message(page, "second")).to_be_visible()
    send(page, "third, held back")
    pending = page.locator("#chat-messages li.is-pending")
    expect(pending.locator(".chat-receipt")).to_have_text(re.compile(r"^Will send in 0:0\d$"))
    assert "third, held back" in page.evaluate(f"() => sessionStorage.getItem('{OUTBOX_KEY}')")

    page.reload()
    expect(stored_message(page, "third, held back")).to_have_count(1, timeout=15000)
    expect(page.locator("#chat-messages li.is-pending")).to_have_count(0)
    expect(page.locator("#chat-alerts")).not_to_contain_text("send again")
    assert page.evaluate(f"() => sessionStorage.getItem('{OUTBOX_KEY}')") is None
    texts = page.locator("#chat-messages li.from-visitor .chat-message-text").all_text_contents()
    assert texts == ["first", "second", "third, held back"]


def test_a_message_the_server_never_answered_says_not_sent_and_retry_sends_it_once(chat_server, new_context):
    dropping = {"on": False}

    def relay(ws):
        # Between the page and the server: while "on", the visitor's messages never arrive.
        server = ws.connect_to_server()
        ws.on_message(lambda frame: None if dropping["on"] and '"message"' in str(frame) else server.send(frame))

    context = new_context()
    context.route_web_socket(re.compile(r".*/socket\.io/.*"), relay)
    page = start_chat(context, chat_server, "first, delivered")
    dropping["on"] = True
    send(page, "second, lost on the way")
    pending = page.locator("#chat-messages li.is-pending")
    expect(pending.locator(".chat-receipt")).to_have_text("Not sent", timeout=30000)
    dropping["on"] = False
    pending.locator("button.chat-retry").click()
    expect(stored_message(page, "second, lost on the way")).to_have_count(1)
    expect(page.locator("#chat-messages li.is-pending")).to_have_count(0)


# --- transcript ---------------------------------------------------------------------------------

def test_the_transcript_downloads_as_text_and_as_a_page(chat_server, operator, new_context, tmp_path):
    page = start_chat(new_context(), chat_server, "My export <stops> at 50%")
    operator.reply("Which format do you export to?")
    expect(page.locator("#chat-messages li.from-operator")).to_be_visible()
    page.click("#chat-menu-button")
    asked_before = len(page.requests)

    with page.expect_download() as download:
        page.click("#chat-download-text")
    assert re.fullmatch(r"clipai-chat-\d{4}-\d\d-\d\d\.txt", download.value.suggested_filename)
    download.value.save_as(tmp_path / "t.txt")
    text = (tmp_path / "t.txt").read_text()
    assert text.startswith("Support chat with ClipAI\nSaved on ")
    assert re.search(r"\] You: My export <stops> at 50%\n", text)
    assert re.search(r"\] Anna Petrova: Which format do you export to\?\n", text)

    with page.expect_download() as download:
        page.click("#chat-download-html")
    download.value.save_as(tmp_path / "t.html")
    html = (tmp_path / "t.html").read_text()
    assert "My export &lt;stops&gt; at 50%" in html and "<stops>" not in html
    assert '<html lang="en" dir="ltr">' in html
    # Made in the browser from what it has: nothing was asked of the server for it.
    assert [url for url in page.requests[asked_before:] if not url.startswith("blob:")] == []


def test_the_transcript_is_in_the_visitors_language(chat_server, new_context, tmp_path):
    page = start_chat(new_context(), chat_server, "Bonjour", path="/fr/")
    page.click("#chat-menu-button")
    with page.expect_download() as download:
        page.click("#chat-download-text")
    download.value.save_as(tmp_path / "fr.txt")
    text = (tmp_path / "fr.txt").read_text()
    assert text.startswith("Chat d’assistance avec ClipAI\nEnregistré le ")
    assert re.search(r"— \d{1,2} \w+ \d{4} —", text)  # « 6 décembre 2026 »
    assert "] Vous : Bonjour" in text or "] Vous: Bonjour" in text


# --- notice while the panel is closed -----------------------------------------------------------

def test_a_reply_while_closed_and_hidden_shows_a_preview_a_badge_a_title_and_a_chime(chat_server, operator,
                                                                                      new_context):
    context = new_context()
    context.add_init_script(COUNT_CHIMES)
    page = start_chat(context, chat_server, "Are you there?")
    title = page.title()
    page.click("#chat-close")
    page.evaluate(HIDE_TAB, True)

    operator.reply("Yes! Give me a minute to look at your export settings, please.")
    expect(page.locator("#chat-preview")).to_be_visible()
    expect(page.locator("#chat-preview-who")).to_have_text("New reply from Anna Petrova")
    expect(page.locator("#chat-preview-text")).to_have_text("Yes! Give me a minute to look at your export settings, please.")
    expect(page.locator("#chat-unread")).to_have_attribute("data-count", "1")
    expect(page).to_have_title(f"(1) {title}")
    assert page.evaluate("() => window.chimes") == 1

    page.evaluate(HIDE_TAB, False)
    expect(page).to_have_title(title)
    page.click("#chat-preview-open")
    expect(page.locator("#chat-panel")).to_be_visible()
    expect(page.locator("#chat-preview")).to_be_hidden()
    expect(page.locator("#chat-unread")).to_be_hidden()


def test_a_muted_chat_stays_silent_and_stays_muted_after_a_reload(chat_server, operator, new_context):
    context = new_context()
    context.add_init_script(COUNT_CHIMES)
    page = start_chat(context, chat_server, "Quiet please")
    page.click("#chat-menu-button")
    page.uncheck("#chat-sound")
    page.reload()  # the panel was open, so it opens again
    page.click("#chat-menu-button")
    expect(page.locator("#chat-sound")).not_to_be_checked()
    page.click("#chat-close")

    operator.reply("Shh")
    expect(page.locator("#chat-preview")).to_be_visible()
    assert page.evaluate("() => window.chimes") == 0


# --- the thread ---------------------------------------------------------------------------------

def test_messages_group_under_one_day_and_one_author(chat_server, operator, new_context):
    page = start_chat(new_context(), chat_server, "one")
    send(page, "two")
    expect(stored_message(page, "two")).to_be_visible()
    operator.reply("three")
    operator.reply("four")
    expect(stored_message(page, "four")).to_be_visible()

    expect(page.locator("#chat-messages .chat-day")).to_have_text(["Today"])
    items = page.locator("#chat-messages li[data-id]")
    assert [item.get_attribute("class").split()[1:] for item in items.all()] == [
        ["from-visitor", "is-followed"], ["from-visitor", "is-continued"],
        ["from-operator", "is-followed"], ["from-operator", "is-continued"],
    ]
    # The operator's initials once, beside the first of the group; the time once, after the last.
    expect(page.locator(".chat-avatar")).to_have_count(1)
    expect(page.locator(".chat-avatar")).to_have_text("AP")
    expect(page.locator("#chat-messages li.is-followed .chat-message-meta")).to_have_count(2)
    for meta in page.locator("#chat-messages li.is-followed .chat-message-meta").all():
        assert meta.bounding_box()["height"] <= 1


def test_a_day_later_the_separator_says_yesterday(chat_server, new_context):
    page = start_chat(new_context(), chat_server, "Before midnight")
    expect(page.locator(".chat-day")).to_have_text(["Today"])
    page.clock.set_system_time(page.evaluate("() => Date.now()") / 1000 + timedelta(days=1).total_seconds())
    page.evaluate(HIDE_TAB, True)
    page.evaluate(HIDE_TAB, False)
    expect(page.locator(".chat-day")).to_have_text(["Yesterday"])
    page.clock.set_system_time(page.evaluate("() => Date.now()") / 1000 + timedelta(days=5).total_seconds())
    page.evaluate(HIDE_TAB, True)
    page.evaluate(HIDE_TAB, False)
    expect(page.locator(".chat-day")).to_have_text(re.compile(r"^\w+ \d{1,2}, \d{4}$"))


def test_support_closing_shows_a_notice_that_goes_when_the_visitor_writes_again(chat_server, operator,
                                                                              new_context):
    page = start_chat(new_context(), chat_server, "Thanks, that is all")
    assert operator.close_conversation()["ok"], "the operator could not close it"
    expect(page.locator("#chat-alerts")).to_contain_text("Support closed this conversation")
    page.reload()
    expect(page.locator("#chat-alerts")).to_contain_text("Support closed this conversation")
    send(page, "Oh, one more thing")
    expect(stored_message(page, "Oh, one more thing")).to_be_visible()
    expect(page.locator("#chat-alerts")).not_to_contain_text("Support closed this conversation")


def test_the_hint_names_every_kind_of_personal_detail(chat_server, new_context):
    page = open_page(new_context(), chat_server.url + "/")
    page.click("#chat-launcher")
    page.fill("#chat-input", "mail jane@example.com or call +49 30 12345678")
    expect(page.locator("#chat-hint")).to_have_text(re.compile("^This looks like an e-mail address and a phone number."))
    page.fill("#chat-input", "call +49 30 12345678")
    expect(page.locator("#chat-hint")).to_have_text(re.compile("^This looks like a phone number."))


def test_touch_screens_are_not_told_that_enter_sends(chat_server, new_context):
    page = open_page(new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True),
                     chat_server.url + "/")
    page.click("#chat-launcher")
    expect(page.locator("#chat-help")).to_be_hidden()
    page.fill("#chat-input", "line one")
    page.press("#chat-input", "Enter")
    expect(page.locator("#chat-messages li")).to_have_count(0)
    assert page.input_value("#chat-input") == "line one\n"

    desktop = open_page(new_context(), chat_server.url + "/")
    desktop.click("#chat-launcher")
    expect(desktop.locator("#chat-help")).to_have_text("Enter sends, Shift+Enter starts a new line.")


def test_arabic_shows_the_menu_the_separator_and_the_offer_in_arabic(chat_server, new_context):
    page = start_chat(new_context(), chat_server, "مرحبا", path="/ar/")
    expect(page.locator(".chat-day")).to_have_text(["اليوم"])
    expect(page.locator("#chat-keep-yes")).to_have_text("الاحتفاظ بها على هذا الجهاز")
    page.click("#chat-menu-button")
    menu = page.locator("#chat-menu").bounding_box()
    panel = page.locator("#chat-panel").bounding_box()
    assert panel["x"] < 640 and menu["x"] >= panel["x"]
    expect(page.locator("#chat-download-text")).to_have_text("تنزيل كنص")
    assert page.errors == []
