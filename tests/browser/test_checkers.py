"""Every page and every state of the widget and console pass the Nu HTML Checker and axe-core.

Server pages are checked as sent (the raw HTTP body); the widget and console as Chromium shows
them after scripts ran (``page.content()``). Each test collects its documents and runs vnu.jar
once over all of them, and runs axe in the page at each state.
"""

import re
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from clipai import create_app, storage
from clipai.services import policy

pytestmark = [pytest.mark.browser, pytest.mark.server]

LOCALES = ("en", "ru", "de", "es", "fr", "ar")
SERVER_PAGES = {
    "home": "/",
    "privacy": "/privacy",
    "history": "/privacy/versions",
    "version-in-force": "/privacy/versions/1",
    "version-upcoming": "/privacy/versions/2",
    "diff": "/privacy/versions/1/diff/2",
    "diff-translation-behind": "/privacy/versions/1/diff/2?text=de",
    "not-found": "/privacy/versions/99",
    "console-sign-in": "/console",
    "publish-sign-in": "/console/policy",
    "reports-shell": "/console/reports",
}
EMAIL_MESSAGE = "Please write to me at jane.doe@example.com about my export"


class Findings:
    """What the checkers reported, and the documents still to give to vnu.jar."""

    def __init__(self, checkers):
        self.checkers, self.axe, self.documents = checkers, [], {}

    def snapshot(self, page, state, html=None):
        """Check ``page`` with axe now; keep its HTML (or the given server HTML) for vnu."""
        self.axe += self.checkers.axe(page, state)
        self.documents[state] = html if html is not None else page.content()

    def assert_clean(self, folder):
        nu = self.checkers.nu(self.documents, folder)
        report = [f"Nu HTML Checker, {len(nu)} errors:", *nu, f"axe-core, {len(self.axe)} serious or critical:", *self.axe]
        assert not nu and not self.axe, "\n".join(report)


@pytest.fixture
def findings(html_checkers):
    return Findings(html_checkers)


@pytest.fixture
def published_policy(chat_server):
    """Version 1 in force (English, Russian and German texts), version 2 announced for next month:
    its English text changed, its German one did not (so German readers see it fell behind)."""
    app = create_app({"DATABASE_URL": chat_server.env["CLIPAI_DATABASE_URL"], "ASYNC_MODE": "threading",
                      "SECRET_KEY": "x"})
    german = "# Datenschutz\n\nWir speichern Chats 30 Tage lang.\n"
    with app.app_context():
        policy.publish({"en": "# Privacy\n\nWe keep chats for 30 days.\n", "ru": "# Конфиденциальность\n\nМы храним чаты 30 дней.\n",
                        "de": german}, "First version.")
        policy.publish({"en": "# Privacy\n\nWe keep chats for 14 days.\n", "de": german}, "Shorter retention.",
                       effective_from=datetime.now(UTC) + timedelta(days=30))
    storage.dispose(app)


def fetch(url):
    """The body the server sends, whatever the status (the 404 page is a page too)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode()
    except urllib.error.HTTPError as error:
        return error.read().decode()


def test_server_pages_pass_both_checkers_in_every_language(chat_server, published_policy, new_context, findings,
                                                           tmp_path):
    page = new_context().new_page()
    for locale in LOCALES:
        for name, path in SERVER_PAGES.items():
            url = f"{chat_server.url}/{locale}{path}"
            page.goto(url)
            expect(page.locator("main")).to_be_visible()
            html = fetch(url)
            # SITE_URL defaults to the served port, so the server's own address is the canonical one.
            assert f'<link rel="canonical" href="{url}">' in html
            findings.snapshot(page, f"{locale}-{name}", html=html)
    findings.assert_clean(tmp_path / "nu")


VERIFY_PAGES = {
    "privacy-data": "/privacy/data",
    "diff-markdown": "/privacy/versions/1/diff/2?view=markdown",
}


def test_policy_data_markdown_diff_and_open_verify_panel_pass_both_checkers(chat_server, published_policy, new_context,
                                                                             findings, tmp_path):
    page = new_context().new_page()
    for locale in LOCALES:
        for name, path in VERIFY_PAGES.items():
            url = f"{chat_server.url}/{locale}{path}"
            page.goto(url)
            expect(page.locator("main")).to_be_visible()
            findings.snapshot(page, f"{locale}-{name}", html=fetch(url))
        page.goto(f"{chat_server.url}/{locale}/privacy")
        page.locator("details.policy-verify summary").click()
        expect(page.locator("details.policy-verify dd.hash").first).to_be_visible()
        findings.snapshot(page, f"{locale}-privacy-verify-open")
    findings.assert_clean(tmp_path / "nu")


def send(page, text):
    page.fill("#chat-input", text)
    page.press("#chat-input", "Enter")


def signed_in_console(page, base, username, password):
    """``page`` on the console, signed in as ``username``."""
    page.goto(f"{base}/console")
    page.fill("#signin-username", username)
    page.fill("#signin-password", password)
    page.click("#signin-submit")
    expect(page.locator("#console-app")).to_be_visible()
    return page


def check_widget_states(page, url, locale, findings):
    """Open the widget, reach its error states, send a message with an address, ask to erase."""
    page.goto(url)
    page.click("#chat-launcher")
    expect(page.locator("#chat-status")).to_have_attribute("data-state", re.compile("online|offline"))
    findings.snapshot(page, f"{locale}-widget-open")

    page.press("#chat-input", "Enter")
    expect(page.locator("#chat-alerts .chat-alert")).to_have_count(1)
    page.fill("#chat-input", "x" * 2001)
    page.press("#chat-input", "Enter")
    expect(page.locator("#chat-counter")).to_be_visible()
    page.click("#chat-resume-open")
    page.fill("#chat-resume-input", "NOT-A-CODE")
    page.press("#chat-resume-input", "Enter")
    expect(page.locator("#chat-alerts .chat-alert")).to_have_count(2)
    findings.snapshot(page, f"{locale}-widget-errors")

    send(page, EMAIL_MESSAGE.replace("jane.doe@example.com", "[email]") + " (first)")
    send(page, EMAIL_MESSAGE)
    expect(page.locator("#chat-messages li.from-visitor[data-id]")).to_have_count(2)
    expect(page.locator("#chat-alerts [data-key=redacted]")).to_be_visible()
    findings.snapshot(page, f"{locale}-widget-messages-redacted")

    page.click("#chat-erase")
    expect(page.locator("#chat-confirm")).to_be_visible()
    findings.snapshot(page, f"{locale}-widget-erase-confirm")


def test_chat_widget_passes_both_checkers_in_every_state_and_language(chat_server, new_context, findings, tmp_path):
    for locale in LOCALES:
        check_widget_states(new_context().new_page(), f"{chat_server.url}/{locale}/", locale, findings)
    findings.assert_clean(tmp_path / "nu")


# Office hours that open again in about a day (closed now), and a shared network whose budget is
# spent with a challenge too large to finish while the checkers run: the widget stays "Checking…".
CLOSED_AND_BUSY = {
    "OFFICE_HOURS": {"timezone": "UTC", "holidays": [], "weekly": {
        day: ["00:00-00:01"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}},
    "CHAT_NEW_CONVERSATION_LIMITS": "1/hour", "CHAT_CHALLENGE_MAX_NUMBER": 1_000_000_000,
}


def check_access_states(page, url, locale, findings):
    """Outside office hours ("back at"), then a first message from a busy network ("Checking…")."""
    page.goto(url)
    page.click("#chat-launcher")
    expect(page.locator("#chat-availability")).to_be_visible()
    findings.snapshot(page, f"{locale}-widget-office-closed")
    send(page, "A question from a busy office")
    expect(page.locator("#chat-messages .chat-receipt")).to_have_text(page.evaluate(
        "() => JSON.parse(document.getElementById('chat-strings').textContent).state_checking"))
    findings.snapshot(page, f"{locale}-widget-checking-connection")


def test_office_hours_and_the_connection_check_pass_both_checkers_in_every_language(live_server, new_context,
                                                                                      findings, tmp_path):
    server = live_server(settings=CLOSED_AND_BUSY)
    spender = new_context().new_page()
    spender.goto(server.url + "/")
    spender.click("#chat-launcher")
    send(spender, "The first conversation of this network")
    expect(spender.locator("#chat-messages li.from-visitor[data-id]")).to_have_count(1)
    for locale in LOCALES:
        check_access_states(new_context().new_page(), f"{server.url}/{locale}/", locale, findings)
    findings.assert_clean(tmp_path / "nu")


def test_the_embedded_widget_passes_both_checkers_on_a_partner_page(live_server, new_context, findings, tmp_path):
    from tests.browser.test_chat_embed import serve_host_on
    from tests.fixtures.live_server import free_port

    port = free_port()
    server = live_server(settings={"EMBED_ORIGINS": [f"http://127.0.0.1:{port}"]})
    for locale in ("en", "ar"):
        httpd = serve_host_on(port, server.url, tmp_path / locale, lang=locale, css="body { margin: 1rem; }")
        try:
            page = new_context().new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            page.click("#chat-launcher")
            expect(page.locator("#chat-status")).to_have_attribute("data-state", re.compile("online|offline"))
            findings.snapshot(page, f"{locale}-embedded-widget-open")
        finally:
            httpd.shutdown()
            httpd.server_close()
    findings.assert_clean(tmp_path / "nu")


def check_console_states(page, base, locale, findings):
    """The conversation list, a conversation open, and the policy editor, its review and a refusal."""
    page.goto(f"{base}/{locale}/console")
    expect(page.locator("#queue-list .console-queue-item").first).to_be_visible()
    findings.snapshot(page, f"{locale}-console-list")
    page.locator("#queue-list .console-queue-item").first.click()
    expect(page.locator("#conversation-messages li").first).to_be_visible()
    findings.snapshot(page, f"{locale}-console-conversation")

    page.goto(f"{base}/{locale}/console/policy")
    expect(page.locator("#editor-form")).to_be_visible()
    findings.snapshot(page, f"{locale}-publish-editor")
    page.fill("#text-en", "# Privacy\n\nWe keep chats for 7 days.\n")
    page.fill("#policy-summary", "Shorter retention.")
    page.click("#review-button")
    expect(page.locator("#review")).to_be_visible()
    findings.snapshot(page, f"{locale}-publish-review")
    page.click("#confirm-publish")  # version 2 is scheduled: refused, with the offer to withdraw it
    expect(page.locator("#scheduled-conflict")).to_be_visible()
    findings.snapshot(page, f"{locale}-publish-scheduled-conflict")


def test_console_passes_both_checkers_in_every_state_and_language(chat_server, published_policy, live, peers,
                                                                  new_context, findings, tmp_path):
    password, _ = live.create_account(chat_server.env["CLIPAI_DATABASE_URL"], "checker", ("operator", "maintainer"))
    assert peers(chat_server.url, "/chat").say(EMAIL_MESSAGE)["ok"]
    page = signed_in_console(new_context().new_page(), chat_server.url, "checker", password)
    for locale in LOCALES:
        check_console_states(page, chat_server.url, locale, findings)
    findings.assert_clean(tmp_path / "nu")


def test_reports_page_passes_both_checkers_in_every_language(chat_server, live, new_context, findings, tmp_path):
    from clipai.services import conversations
    from tests.fixtures.live_server import app_on

    password, _ = live.create_account(chat_server.env["CLIPAI_DATABASE_URL"], "reporter", ("operator",))
    with app_on(chat_server.env["CLIPAI_DATABASE_URL"]):
        for n, locale in enumerate(["en"] * 5 + ["de"]):
            posted = conversations.post_visitor_message(None, f"question {n}", f"m-{n}", locale=locale, address_key=f"k{n}")
            if locale == "en":  # five ratings: the tables show an average rating
                conversations.close(posted.conversation.id)
                conversations.rate(posted.conversation.id, 4)
    page = new_context().new_page()
    page.goto(f"{chat_server.url}/console/reports")
    expect(page.locator("#reports-status")).to_be_visible()
    findings.snapshot(page, "reports-signed-out")
    signed_in_console(page, chat_server.url, "reporter", password)
    for locale in LOCALES:
        page.goto(f"{chat_server.url}/{locale}/console/reports")
        expect(page.locator("#reports-by-locale tbody tr")).to_have_count(2)
        findings.snapshot(page, f"{locale}-reports-tables")
        page.fill("#reports-from", "2031-01-10")
        page.fill("#reports-to", "2031-01-01")
        page.locator("#reports-to").press("Enter")
        expect(page.locator("#reports-result")).to_be_hidden()
        findings.snapshot(page, f"{locale}-reports-refused")
    findings.assert_clean(tmp_path / "nu")


def check_records_states(page, visitor, helper, checker_id, base, locale, findings):
    """A conversation with a tag, a note, the transfer form and a transfer notice; the widget's rating."""
    visitor.goto(f"{base}/{locale}/")
    visitor.click("#chat-launcher")
    send(visitor, f"Rate me ({locale})")
    expect(visitor.locator("#chat-messages li.from-visitor[data-id]")).to_have_count(1)
    conversation_id = helper.call("list", {"status": "waiting"})["conversations"][0]["id"]

    page.goto(f"{base}/{locale}/console")
    page.locator("#queue-list .console-queue-item", has_text=f"({locale})").click()
    page.fill("#tag-input", "billing")
    page.press("#tag-input", "Enter")
    expect(page.locator("#tag-list .console-tag")).to_have_count(1)
    page.locator("#note-compose summary").click()
    page.fill("#note-input", "Internal: reseller account")
    page.press("#note-input", "Control+Enter")
    expect(page.locator("#conversation-messages li.console-note")).to_have_count(1)
    page.click("#transfer-open")
    expect(page.locator("#transfer-form")).to_be_visible()
    findings.snapshot(page, f"{locale}-console-records")
    page.click("#transfer-cancel")

    assert helper.call("transfer", {"conversation_id": conversation_id, "to": checker_id, "note": "Yours now"})["ok"]
    expect(page.locator("#transfer-notices .console-transfer-notice")).to_have_count(1)
    assert helper.call("close", {"conversation_id": conversation_id})["ok"]
    expect(visitor.locator("#chat-rating")).to_be_visible()
    findings.snapshot(page, f"{locale}-console-transfer-notice")
    findings.snapshot(visitor, f"{locale}-widget-rating-form")
    visitor.click("label[for=chat-star-4]")
    visitor.locator("#chat-rating button[type=submit]").click()
    expect(visitor.locator("#chat-rated")).to_be_visible()
    findings.snapshot(visitor, f"{locale}-widget-rated")
    expect(page.locator("#conversation-rating")).to_be_visible()
    findings.snapshot(page, f"{locale}-console-rating")


def test_conversation_records_pass_both_checkers_in_every_language(chat_server, live, peers, new_context, findings,
                                                                   tmp_path):
    database = chat_server.env["CLIPAI_DATABASE_URL"]
    password, _ = live.create_account(database, "checker", ("operator",))
    _, helper_token = live.create_account(database, "helper", ("operator",))
    helper = peers(chat_server.url, "/console", auth={"token": helper_token})
    page = signed_in_console(new_context().new_page(), chat_server.url, "checker", password)
    helper.call("presence", {"status": "online"})

    def checker_online():  # the console page connects on its own time after signing in
        operators = helper.call("presence", {"status": "online"})["operators"]
        return [operator["id"] for operator in operators if operator["alias"] == "Checker"]

    [checker_id] = live.eventually(checker_online)
    for locale in LOCALES:
        visitor = new_context().new_page()
        check_records_states(page, visitor, helper, checker_id, chat_server.url, locale, findings)
    findings.assert_clean(tmp_path / "nu")


# --- chat images: previews before sending, thumbnails after, in the widget and the console ----


@pytest.fixture
def image_file(tmp_path):
    from tests.fixtures.images import make_image

    path = tmp_path / "screen.png"
    path.write_bytes(make_image("PNG", size=(120, 80)))
    return path


def attach(page, button, path, previews):
    with page.expect_file_chooser() as chooser:
        page.click(button)
    chooser.value.set_files(str(path))
    expect(page.locator(f"{previews} li:not(.is-uploading)")).to_have_count(1)


def check_widget_image_states(page, url, locale, image_file, findings):
    page.goto(url)
    page.click("#chat-launcher")
    send(page, "Hello")
    expect(page.locator("#chat-messages li.from-visitor[data-id]")).to_have_count(1)
    attach(page, "#chat-attach", image_file, "#chat-previews")
    findings.snapshot(page, f"{locale}-widget-image-preview")
    page.press("#chat-input", "Enter")
    expect(page.locator("#chat-messages .chat-attachments img")).to_have_attribute("src", re.compile("^blob:"))
    findings.snapshot(page, f"{locale}-widget-image-sent")


def test_chat_images_pass_both_checkers_in_every_language(chat_server, live, new_context, image_file, findings,
                                                           tmp_path):
    for locale in LOCALES:
        check_widget_image_states(new_context().new_page(), f"{chat_server.url}/{locale}/", locale, image_file,
                                  findings)
    password, _ = live.create_account(chat_server.env["CLIPAI_DATABASE_URL"], "checker", ("operator",))
    page = signed_in_console(new_context().new_page(), chat_server.url, "checker", password)
    for locale in LOCALES:
        page.goto(f"{chat_server.url}/{locale}/console")
        page.locator("#queue-list .console-queue-item").first.click()
        expect(page.locator("#conversation-messages .console-attachments img").first).to_have_attribute(
            "src", re.compile("^blob:"))
        attach(page, "#reply-attach", image_file, "#reply-previews")
        findings.snapshot(page, f"{locale}-console-images")
    findings.assert_clean(tmp_path / "nu")


def check_console_desk_states(page, base, locale, conversation_id, colleague, findings):
    """The collision notice, the command palette, the shortcut help, the canned replies dialog and
    the transcript menu (tests/browser/test_console_desk.py drives them)."""
    page.goto(f"{base}/{locale}/console")
    page.locator(f'#queue-list .console-queue-item[data-id="{conversation_id}"]').click()
    assert colleague.call("viewing", {"conversation_id": conversation_id, "again": True})["ok"]  # answers the ask
    expect(page.locator("#collision")).to_be_visible()
    page.click("#export-menu summary")
    expect(page.locator("#export-json")).to_be_visible()
    findings.snapshot(page, f"{locale}-console-collision-export")
    page.keyboard.press("Escape")
    page.keyboard.press("Control+k")
    expect(page.locator("#palette-list [role=option]").first).to_be_visible()
    findings.snapshot(page, f"{locale}-console-palette")
    page.keyboard.press("Escape")
    page.locator("#conversation-title").focus()
    page.keyboard.press("?")
    expect(page.locator("#shortcut-help")).to_be_visible()
    findings.snapshot(page, f"{locale}-console-help")
    page.keyboard.press("Escape")
    page.click("#canned-button")
    page.click("#canned-form button[type=submit]")
    expect(page.locator("#canned-alert")).to_be_visible()
    findings.snapshot(page, f"{locale}-console-canned")


def test_console_palette_help_collision_and_canned_pass_both_checkers(chat_server, live, peers, new_context,
                                                                      findings, tmp_path):
    database = chat_server.env["CLIPAI_DATABASE_URL"]
    password, _ = live.create_account(database, "checker", ("operator",))
    _, colleague_token = live.create_account(database, "colleague", ("operator",), alias="Colleague")
    conversation_id = peers(chat_server.url, "/chat").say(EMAIL_MESSAGE)["conversation"]["id"]
    colleague = peers(chat_server.url, "/console", auth={"token": colleague_token})
    page = signed_in_console(new_context().new_page(), chat_server.url, "checker", password)
    for locale in LOCALES:
        check_console_desk_states(page, chat_server.url, locale, conversation_id, colleague, findings)
    findings.assert_clean(tmp_path / "nu")


def check_continuity_states(page, url, locale, operator, findings):
    """The keep-on-this-device offer, the menu, a reply's preview on the launcher, a resume link's offer."""
    page.goto(url)
    page.click("#chat-launcher")
    send(page, "Hello, my export stops at 50%")
    expect(page.locator("#chat-keep-offer")).to_be_visible()
    findings.snapshot(page, f"{locale}-widget-keep-offer")

    page.click("#chat-menu-button")
    expect(page.locator("#chat-menu-code")).to_have_text(re.compile(r"\w{4}-\w{4}-\w{2}"))
    findings.snapshot(page, f"{locale}-widget-menu")
    link = page.locator("#chat-resume-link").input_value()

    page.click("#chat-close")
    conversation_id = operator.call("list", {})["conversations"][0]["id"]
    assert operator.say("Which format do you export to?", conversation_id=conversation_id)["ok"]
    expect(page.locator("#chat-preview")).to_be_visible()
    # It rises in with an animation: check the colours it settles on.
    page.locator("#chat-preview").evaluate("node => Promise.all(node.getAnimations().map((a) => a.finished))")
    findings.snapshot(page, f"{locale}-widget-preview")

    page.context.clear_cookies()
    page.evaluate("() => { sessionStorage.clear(); localStorage.clear(); }")
    page.goto("about:blank")
    page.goto(link)
    expect(page.locator("#chat-resume-offer")).to_be_visible()
    findings.snapshot(page, f"{locale}-widget-resume-offer")


def test_chat_widget_menu_offers_and_preview_pass_both_checkers(chat_server, live, peers, new_context, findings,
                                                               tmp_path):
    _, token = live.create_account(chat_server.env["CLIPAI_DATABASE_URL"], "checker", alias="Anna Petrova")
    operator = peers(chat_server.url, "/console", auth={"token": token})
    for locale in LOCALES:
        check_continuity_states(new_context().new_page(), f"{chat_server.url}/{locale}/", locale, operator, findings)
    findings.assert_clean(tmp_path / "nu")


# --- the widget at 200 % zoom (a 1280x800 window is a 640x400 CSS viewport): the compact layout ---

def check_zoomed_widget_states(page, url, locale, findings):
    """The zoomed panel with messages, a redaction notice, the keep offer and the hint; the erase question."""
    page.goto(url)
    page.click("#chat-launcher")
    send(page, "Hello, my export stops at 50%")
    send(page, EMAIL_MESSAGE)
    expect(page.locator("#chat-alerts [data-key=redacted]")).to_be_visible()
    expect(page.locator("#chat-keep-offer")).to_be_visible()
    page.fill("#chat-input", "+49 30 12345678")
    expect(page.locator("#chat-hint")).to_be_visible()
    findings.snapshot(page, f"{locale}-widget-zoomed")

    page.locator("#chat-erase").click()
    expect(page.locator("#chat-confirm")).to_be_visible()
    findings.snapshot(page, f"{locale}-widget-zoomed-erase-confirm")


def test_chat_widget_at_200_percent_zoom_passes_both_checkers(chat_server, new_context, findings, tmp_path):
    for locale in LOCALES:
        context = new_context(viewport={"width": 640, "height": 400}, device_scale_factor=2)
        check_zoomed_widget_states(context.new_page(), f"{chat_server.url}/{locale}/", locale, findings)
    findings.assert_clean(tmp_path / "nu")
