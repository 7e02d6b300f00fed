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
    "not-found": "/privacy/versions/99",
    "console-sign-in": "/console",
    "publish-sign-in": "/console/policy",
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
    """Version 1 in force (English and Russian texts), version 2 announced for next month."""
    app = create_app({"DATABASE_URL": chat_server.env["CLIPAI_DATABASE_URL"], "ASYNC_MODE": "threading",
                      "SECRET_KEY": "x"})
    with app.app_context():
        policy.publish({"en": "# Privacy\n\nWe keep chats for 30 days.\n", "ru": "# Конфиденциальность\n\nМы храним чаты 30 дней.\n"},
                       "First version.")
        policy.publish({"en": "# Privacy\n\nWe keep chats for 14 days.\n"}, "Shorter retention.",
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


def send(page, text):
    page.fill("#chat-input", text)
    page.press("#chat-input", "Enter")


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


def check_console_states(page, base, locale, findings):
    """The conversation list, a conversation open, and the policy editor and its review."""
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


def test_console_passes_both_checkers_in_every_state_and_language(chat_server, published_policy, live, peers,
                                                                  new_context, findings, tmp_path):
    password, _ = live.create_account(chat_server.env["CLIPAI_DATABASE_URL"], "checker", ("operator", "maintainer"))
    assert peers(chat_server.url, "/chat").say(EMAIL_MESSAGE)["ok"]
    page = new_context().new_page()
    page.goto(f"{chat_server.url}/console")
    page.fill("#signin-username", "checker")
    page.fill("#signin-password", password)
    page.click("#signin-submit")
    expect(page.locator("#console-app")).to_be_visible()
    for locale in LOCALES:
        check_console_states(page, chat_server.url, locale, findings)
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
