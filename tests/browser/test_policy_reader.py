"""Readers of a translation that fell behind the controlling text, in Chromium against the real server."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from clipai import create_app, storage
from clipai.services import policy

pytestmark = [pytest.mark.browser, pytest.mark.server]

SHOTS = "/tmp/shots/policy-order"
EN_1 = "# Privacy Policy\n\nWe keep chat messages for 30 days.\n"
EN_2 = "# Privacy Policy\n\nWe keep chat messages for 14 days.\n"
DE = "# Datenschutzerklärung\n\nWir speichern Chatnachrichten 30 Tage lang.\n"
AR = "# سياسة الخصوصية\n\nنحتفظ برسائل الدردشة لمدة 30 يومًا.\n"


@pytest.fixture
def reader_server(live_server, tmp_path):
    """Version 1 in English, German and Arabic; version 2 (in force) changed only the English text."""
    server = live_server(database_url=f"sqlite:///{tmp_path / 'policy-reader.sqlite3'}")
    moments = iter([datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)])
    app = create_app({"DATABASE_URL": server.env["CLIPAI_DATABASE_URL"], "ASYNC_MODE": "threading",
                      "SECRET_KEY": "x", "CLOCK": lambda: next(moments)})
    with app.app_context():
        policy.publish({"en": EN_1, "de": DE, "ar": AR}, "First version.")
        policy.publish({"en": EN_2, "de": DE, "ar": AR}, "Chats are kept for 14 days.")
    storage.dispose(app)
    return server


@pytest.mark.parametrize("viewport, name", [({"width": 1280, "height": 800}, "desktop"),
                                            ({"width": 390, "height": 844}, "phone")])
def test_a_german_reader_sees_the_notice_and_reaches_the_english_changes(reader_server, new_context, viewport, name):
    page = new_context(locale="de-DE", extra_http_headers={"Accept-Language": "de-DE,de;q=0.9"},
                       viewport=viewport).new_page()
    page.goto(reader_server.url + "/privacy")
    expect(page.locator("main h1")).to_have_text("Datenschutzerklärung")
    notice = page.locator(".policy-outdated")
    expect(notice).to_contain_text("Diese Übersetzung wurde noch nicht aktualisiert")
    page.screenshot(path=f"{SHOTS}/reader-de-{name}.png", full_page=True)
    notice.get_by_role("link").focus()  # keyboard only
    page.keyboard.press("Enter")
    expect(page).to_have_url(reader_server.url + "/privacy/versions/1/diff/2?text=en")
    expect(page.locator(".policy-diff ins")).to_have_text("14")
    expect(page.locator(".policy-diff del")).to_have_text("30")
    page.goto(reader_server.url + "/privacy/versions/1/diff/2?text=de")
    expect(page.locator(".policy-outdated")).to_contain_text("nicht aktualisiert")
    page.screenshot(path=f"{SHOTS}/diff-de-{name}.png", full_page=True)
    assert page.context.cookies() == []


def test_an_arabic_reader_sees_the_notice_right_to_left(reader_server, new_context):
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(reader_server.url + "/ar/privacy")
    notice = page.locator(".policy-outdated")
    expect(notice).to_contain_text("لم تُحدَّث هذه الترجمة بعد")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert notice.evaluate("element => getComputedStyle(element).direction") == "rtl"
    expect(notice.get_by_role("link")).to_have_attribute("href", "/ar/privacy/versions/1/diff/2?text=en")
    page.screenshot(path=f"{SHOTS}/reader-ar-phone.png", full_page=True)
