"""The console's defects from issue 18, the collision notice, the command palette and keyboard use,
and the transcript download: operators in Chromium, visitors as Socket.IO peers, the real server."""

import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.test_console import open_conversation, operator_says, sign_in
from tests.fixtures.browser import open_page

pytestmark = [pytest.mark.browser, pytest.mark.server]

PHONE = {"width": 390, "height": 844}


def visitor(peers, server, text):
    """A visitor (a Socket.IO peer) who wrote ``text``; returns ``(peer, conversation id)``."""
    peer = peers(server.url, "/chat")
    ack = peer.say(text)
    assert ack["ok"], ack
    return peer, ack["conversation"]["id"]


def sign_in_at(context, server, path, username, password):
    page = open_page(context, server.url + path)
    page.fill("#signin-username", username)
    page.fill("#signin-password", password)
    page.click("#signin-submit")
    expect(page.locator("#console-app")).to_be_visible()
    return page


def box(page, selector):
    return page.locator(selector).bounding_box()


# --- defects -------------------------------------------------------------------------------------

def test_canned_replies_open_in_a_dialog_and_leave_the_queue_as_it_was(chat_server, make_operator, new_context, peers):
    for n in range(4):
        visitor(peers, chat_server, f"visitor number {n}")
    page = sign_in(new_context(), chat_server, *make_operator("ada", "Ada"))
    expect(page.locator("#queue-list .console-queue-item")).to_have_count(4)
    queue_before = box(page, "#queue-panel")
    page.focus("#canned-button")
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Canned replies")
    expect(dialog).to_be_visible()
    expect(page.locator("#canned-shortcut")).to_be_focused()
    page.click("#canned-form button[type=submit]")
    expect(page.locator("#canned-alert")).to_have_text("Type a shortcut and a text for the canned reply.")
    for n in range(3):
        page.fill("#canned-shortcut", f"reply{n}")
        page.fill("#canned-text", "A long canned reply that wraps over several lines in the narrow queue column. " * 2)
        page.click("#canned-form button[type=submit]")
        expect(page.locator("#canned-list li")).to_have_count(n + 1)
    expect(page.locator("#canned-alert")).to_be_hidden()
    assert box(page, "#queue-panel") == queue_before
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator("#canned-button")).to_be_focused()
    assert box(page, "#queue-panel") == queue_before


@pytest.fixture
def chat_server(live_server):
    """The real server, with room for more new conversations from one address than the default."""
    return live_server(settings={"CHAT_NEW_CONVERSATION_LIMITS": "100 per hour", "CHAT_CONNECT_LIMITS": "600 per minute"})


def operator_peer(peers, server, username, password):
    """An operator's /console socket (for preparing the queue without a browser)."""
    request = urllib.request.Request(server.url + "/api/auth/token", method="POST",
                                     data=json.dumps({"username": username, "password": password}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        token = json.load(response)["token"]
    return peers(server.url, "/console", auth={"token": token})


@pytest.mark.parametrize("locale", ["de", "ru", "ar", "fr", "es"])
def test_tab_labels_are_not_cut_off(chat_server, make_operator, new_context, peers, locale):
    ids = [visitor(peers, chat_server, f"visitor {n}")[1] for n in range(16)]
    helper = operator_peer(peers, chat_server, *make_operator("helper", "Helper"))
    for conversation_id in ids[:3]:
        assert helper.say("Answered", conversation_id=conversation_id)["ok"]
    for conversation_id in ids[3:6]:
        assert helper.call("close", {"conversation_id": conversation_id})["ok"]
    page = sign_in_at(new_context(), chat_server, f"/{locale}/console", *make_operator("bea", "Bea"))
    expect(page.locator("#count-waiting")).to_have_text(re.compile("^(10|١٠)$"))
    for tab in ("waiting", "open", "closed"):
        expect(page.locator(f"#count-{tab}")).to_be_visible()
        fits = page.evaluate("""(id) => {
          const tab = document.getElementById(id), list = tab.parentElement.getBoundingClientRect();
          const range = document.createRange();
          range.selectNodeContents(tab);
          const text = range.getBoundingClientRect(), box = tab.getBoundingClientRect();
          return tab.scrollWidth <= tab.clientWidth && text.left >= box.left - 0.5 && text.right <= box.right + 0.5
            && box.left >= list.left - 0.5 && box.right <= list.right + 0.5;
        }""", f"tab-{tab}")
        assert fits, f"{locale}: the {tab} tab's label is cut off"


def test_the_open_conversation_follows_from_waiting_to_open(chat_server, make_operator, new_context, peers):
    visitor(peers, chat_server, "Please help with my export")
    page = sign_in(new_context(), chat_server, *make_operator("cy", "Cy"))
    open_conversation(page, "Please help with my export")
    operator_says(page, "Happy to help")
    expect(page.locator("#tab-open")).to_have_attribute("aria-selected", "true")
    current = page.locator('#queue-list .console-queue-item[aria-current="true"]')
    expect(current).to_contain_text("Happy to help")
    page.click("#tab-waiting")  # looking elsewhere on purpose is not undone
    expect(page.locator("#tab-waiting")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#queue-empty")).to_be_visible()


def test_send_is_disabled_and_looks_it_when_a_colleague_closes_the_conversation(chat_server, make_operator, new_context, peers):
    visitor(peers, chat_server, "Closing soon")
    alice = sign_in(new_context(), chat_server, *make_operator("al", "Al"))
    bob = sign_in(new_context(), chat_server, *make_operator("bo", "Bo"))
    open_conversation(alice, "Closing soon")
    enabled_background = alice.eval_on_selector("#reply-send", "b => getComputedStyle(b).backgroundColor")
    open_conversation(bob, "Closing soon")
    bob.click("#close-conversation")
    expect(alice.locator("#reply-send")).to_be_disabled()
    expect(alice.locator("#reply-input")).to_be_disabled()
    style = alice.eval_on_selector("#reply-send", "b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).cursor]")
    assert style[0] != enabled_background and style[1] == "not-allowed"


def test_focus_is_on_the_queue_after_signing_in(chat_server, make_operator, new_context):
    page = sign_in(new_context(), chat_server, *make_operator("di", "Di"))
    expect(page.locator("#tab-waiting")).to_be_focused()
    assert page.evaluate("() => document.activeElement !== document.body")


@pytest.mark.parametrize("locale", ["en", "ar", "ru"])
def test_send_is_on_screen_on_a_phone(chat_server, make_operator, new_context, peers, locale):
    visitor(peers, chat_server, "Hello from a phone test")
    page = sign_in_at(new_context(viewport=PHONE, is_mobile=True, has_touch=True), chat_server, f"/{locale}/console",
                      *make_operator("ed", "Ed"))
    page.locator("#queue-list .console-queue-item").first.click()
    expect(page.locator("#reply-send")).to_be_visible()
    send = box(page, "#reply-send")
    assert send["y"] >= 0 and send["y"] + send["height"] <= PHONE["height"], send
    assert send["x"] >= 0 and send["x"] + send["width"] <= PHONE["width"], send
    assert page.evaluate("() => window.scrollY") == 0


def test_an_erased_conversation_closes_with_a_notice(chat_server, make_operator, new_context, peers):
    peer, _ = visitor(peers, chat_server, "Erase me later")
    page = sign_in(new_context(), chat_server, *make_operator("fi", "Fi"))
    open_conversation(page, "Erase me later")
    assert peer.call("erase", {})["ok"]
    expect(page.locator("#conversation-gone")).to_have_text("The visitor erased this conversation.")
    expect(page.locator("#conversation-body")).to_be_hidden()
    expect(page.locator("#queue-list")).not_to_contain_text("Erase me later")


# --- collision -----------------------------------------------------------------------------------

def test_three_operators_see_who_views_and_who_types(chat_server, make_operator, new_context, peers):
    visitor(peers, chat_server, "Shared problem")
    visitor(peers, chat_server, "Other problem")
    alice = sign_in(new_context(), chat_server, *make_operator("alice", "Alice"))
    bob = sign_in(new_context(), chat_server, *make_operator("bob", "Bob"))
    cleo_context = new_context()
    cleo = sign_in(cleo_context, chat_server, *make_operator("cleo", "Cleo"))
    open_conversation(alice, "Shared problem")
    expect(alice.locator("#collision")).to_be_hidden()
    open_conversation(bob, "Shared problem")
    expect(alice.locator("#collision")).to_have_text("Also viewing this conversation: Bob")
    expect(bob.locator("#collision")).to_have_text("Also viewing this conversation: Alice")  # Alice was first
    open_conversation(cleo, "Shared problem")
    expect(cleo.locator("#collision-viewing")).to_have_text("Also viewing this conversation: Alice, Bob")

    alice.fill("#reply-input", "I am on it")
    expect(bob.locator("#collision-typing")).to_have_text("Also typing a reply here: Alice")
    expect(bob.locator("#collision-viewing")).to_have_text("Also viewing this conversation: Cleo")
    assert "alice" not in bob.locator("#collision").inner_text()  # aliases, never account names

    bob.locator("#queue-list .console-queue-item", has_text="Other problem").click()
    expect(alice.locator("#collision")).not_to_contain_text("Bob")
    cleo_context.close()
    expect(alice.locator("#collision")).to_be_hidden()
    assert alice.errors == bob.errors == []


# --- keyboard first ------------------------------------------------------------------------------

def palette(page, query):
    """Open the palette with Ctrl+K, type query and run the first command with Enter."""
    page.keyboard.press("Control+k")
    expect(page.locator("#palette")).to_be_visible()
    page.keyboard.type(query)
    expect(page.locator("#palette-list [role=option]").first).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#palette")).to_be_hidden()


def test_the_whole_job_by_keyboard_only(chat_server, make_operator, new_context, peers):
    peer, conversation_id = visitor(peers, chat_server, "Keyboard visitor")
    visitor(peers, chat_server, "Another visitor")
    username, password = make_operator("kim", "Kim")
    operator_peer(peers, chat_server, *make_operator("lou", "Lou"))  # on duty, so she can be assigned
    page = open_page(new_context(), chat_server.url + "/console")
    expect(page.locator("#signin-username")).to_be_focused()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page.locator("#tab-waiting")).to_be_focused()

    page.keyboard.press("Control+k")
    combobox = page.locator("#palette-input")
    expect(combobox).to_be_focused()
    expect(combobox).to_have_attribute("aria-expanded", "true")
    page.keyboard.type(f"#{conversation_id}")
    first = page.locator("#palette-list [role=option]").first
    expect(first).to_have_text(f"Open conversation #{conversation_id}")
    expect(combobox).to_have_attribute("aria-activedescendant", "palette-option-0")
    page.keyboard.press("Enter")
    expect(page.locator("#conversation-title")).to_have_text(f"Conversation #{conversation_id}")
    expect(page.locator("#reply-input")).to_be_focused()

    palette(page, "assign to me")
    expect(page.locator("#conversation-meta")).to_contain_text("Assigned to you")
    palette(page, "assign lou")
    expect(page.locator("#conversation-meta")).to_contain_text("Assigned to Lou")
    palette(page, "write a reply")
    page.keyboard.type("Typed without a mouse")
    page.keyboard.press("Control+Enter")
    assert peer.next_matching("message", lambda args: "Typed without a mouse" in json.dumps(args))
    palette(page, "close this")
    expect(page.locator("#reopen-conversation")).to_be_visible()
    expect(page.locator("#reply-send")).to_be_disabled()
    palette(page, "reopen")
    expect(page.locator("#reply-input")).to_be_enabled()

    palette(page, "show the waiting")
    expect(page.locator("#tab-waiting")).to_be_focused()
    expect(page.locator("#queue-list")).to_contain_text("Another visitor")
    palette(page, "search")
    expect(page.locator("#search-input")).to_be_focused()
    page.keyboard.type("Another")
    page.keyboard.press("Enter")
    expect(page.locator("#search-head")).to_be_visible()

    palette(page, "set your status to away")
    expect(page.locator("#presence-select")).to_have_value("away")
    palette(page, "sign out")
    expect(page.locator("#console-signin")).to_be_visible()
    assert page.errors == []


def test_palette_filters_moves_with_arrows_and_escape_returns_focus(chat_server, make_operator, new_context):
    page = sign_in(new_context(), chat_server, *make_operator("max", "Max"))
    page.focus("#search-input")
    page.keyboard.press("Control+k")
    options = page.locator("#palette-list [role=option]")
    expect(options.first).to_be_visible()
    everything = options.count()
    page.keyboard.type("show the")
    expect(options).to_have_count(3)
    assert everything > 3
    page.keyboard.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(page.locator("#palette-input")).to_have_attribute("aria-activedescendant", "palette-option-1")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(options.nth(2)).to_have_attribute("aria-selected", "true")
    page.keyboard.type(" nothing like this")
    expect(page.locator("#palette-empty")).to_be_visible()
    expect(page.locator("#palette-input")).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Escape")
    expect(page.locator("#palette")).to_be_hidden()
    expect(page.locator("#search-input")).to_be_focused()


def test_question_mark_shows_the_shortcuts_but_not_while_typing(chat_server, make_operator, new_context, peers):
    visitor(peers, chat_server, "Question marks?")
    page = sign_in(new_context(), chat_server, *make_operator("ned", "Ned"))
    open_conversation(page, "Question marks?")
    page.keyboard.type("Really?")
    expect(page.locator("#reply-input")).to_have_value("Really?")
    expect(page.locator("#shortcut-help")).to_be_hidden()
    page.locator("#conversation-title").focus()
    page.keyboard.press("?")
    help_dialog = page.locator("#shortcut-help")
    expect(help_dialog).to_be_visible()
    expect(help_dialog).to_contain_text("Open the command palette")
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()


def test_canned_reply_from_the_palette(chat_server, make_operator, new_context, peers):
    visitor(peers, chat_server, "Canned please")
    page = sign_in(new_context(), chat_server, *make_operator("ola", "Ola"))
    page.click("#canned-button")
    page.fill("#canned-shortcut", "thanks")
    page.fill("#canned-text", "Thank you for writing to us.")
    page.click("#canned-form button[type=submit]")
    expect(page.locator("#canned-list")).to_contain_text("/thanks")
    page.click("#canned-close")
    open_conversation(page, "Canned please")
    palette(page, "/thanks")
    expect(page.locator("#reply-input")).to_have_value("Thank you for writing to us.")
    expect(page.locator("#reply-input")).to_be_focused()


# --- transcript ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["text", "json"])
def test_transcript_downloads_from_the_menu_and_the_palette(chat_server, make_operator, new_context, peers, kind):
    _, conversation_id = visitor(peers, chat_server, "Please export me")
    page = sign_in(new_context(accept_downloads=True), chat_server, *make_operator("pia", "Pia"))
    open_conversation(page, "Please export me")
    operator_says(page, "Here is your copy")
    page.click("#export-menu summary")
    with page.expect_download() as menu_download:
        page.click(f"#export-{kind}")
    with page.expect_download() as palette_download:
        palette(page, f"download the transcript as {kind}")
    for download in (menu_download.value, palette_download.value):
        suffix = "txt" if kind == "text" else "json"
        assert download.suggested_filename == f"clipai-conversation-{conversation_id}.{suffix}"
        content = download.path().read_text(encoding="utf-8")
        if kind == "json":
            body = json.loads(content)
            assert [message["text"] for message in body["messages"]] == ["Please export me", "Here is your copy"]
        else:
            assert "Visitor: Please export me" in content and "Pia: Here is your copy" in content
    expect(page.locator("#export-menu")).not_to_have_attribute("open", "")
