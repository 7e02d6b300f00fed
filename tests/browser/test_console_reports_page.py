"""The reports page in Chromium: reached from the console by keyboard, filled from the API, in every layout."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from clipai.services import conversations
from tests.browser.test_console import sign_in
from tests.fixtures.live_server import app_on

pytestmark = [pytest.mark.browser, pytest.mark.server]

SHOTS = Path("/tmp/shots/ops")
RATING_SHOTS = Path("/tmp/shots/reports-ratings")


@pytest.fixture
def six_conversations(chat_server):
    """Six conversations started today: 4 in German, 2 in French (merged into "other languages")."""
    with app_on(chat_server.env["CLIPAI_DATABASE_URL"]):
        for n, locale in enumerate(["de", "de", "de", "de", "fr", "fr"]):
            conversations.post_visitor_message(None, f"question {n}", f"m-{n}", locale=locale, address_key=f"k{n}")


def test_reports_open_from_the_console_by_keyboard_and_show_merged_rows(chat_server, make_operator, new_context,
                                                                         six_conversations):
    page = sign_in(new_context(), chat_server, *make_operator("ana", "Ana"))
    link = page.locator("#reports-link")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#reports-by-day tbody tr")).to_have_count(2)
    day_rows = page.locator("#reports-by-day tbody tr")
    expect(day_rows.nth(0).locator("td").nth(0)).to_have_text("6")  # one day: six started
    expect(day_rows.nth(1)).to_contain_text("All conversations")
    locale_rows = page.locator("#reports-by-locale tbody tr")
    expect(locale_rows).to_have_count(2)  # German (4) and French (2) are under 5 each: one "Other languages" row
    expect(locale_rows.nth(0)).to_contain_text("Other languages")
    expect(locale_rows.nth(0).locator("td").nth(2)).to_have_text("6")  # all six missed: nobody replied
    page.screenshot(path=str(SHOTS / "reports-desktop-en.png"), full_page=True)
    assert page.errors == []


def _close_and_rate(server, stars, first=1):
    """Close conversations ``first``, ``first + 1``… of the six and rate them (ids follow creation order)."""
    with app_on(server.env["CLIPAI_DATABASE_URL"]):
        for conversation_id, given in enumerate(stars, start=first):
            conversations.close(conversation_id)
            conversations.rate(conversation_id, given, "merci")


def test_ratings_show_an_average_only_over_5_ratings_in_the_page_language(chat_server, make_operator, new_context,
                                                                          six_conversations):
    _close_and_rate(chat_server, [5, 4, 3, 3])
    page = sign_in(new_context(), chat_server, *make_operator("dee", "Dee"))
    page.goto(f"{chat_server.url}/de/console/reports")
    total = page.locator("#reports-by-day tbody tr.reports-total")
    expect(total.locator("td").nth(5)).to_have_text("4")  # four rated conversations...
    expect(total.locator("td").nth(6)).to_have_text("—")  # ...are too few for an average
    expect(total.locator("td").nth(6)).to_have_attribute("title", "weniger als 5 Bewertungen")
    expect(page.locator("#reports-by-day thead th").nth(7)).to_have_text("Durchschnittliche Bewertung")
    _close_and_rate(chat_server, [2], first=5)
    page.locator("#reports-form button").click()
    expect(total.locator("td").nth(5)).to_have_text("5")
    expect(total.locator("td").nth(6)).to_have_text("3,4")  # German decimal comma, one decimal
    expect(page.locator("#reports-by-locale tbody tr").nth(0).locator("td").nth(6)).to_have_text("3,4")
    assert "merci" not in page.content()
    RATING_SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(RATING_SHOTS / "reports-ratings-de.png"), full_page=True)
    assert page.errors == []


def test_a_bad_range_says_why_in_the_page_language(chat_server, make_operator, new_context, six_conversations):
    page = sign_in(new_context(), chat_server, *make_operator("ben", "Ben"))
    page.goto(f"{chat_server.url}/de/console/reports")
    expect(page.locator("#reports-by-day tbody tr").first).to_be_visible()
    page.fill("#reports-from", "2031-01-10")
    page.fill("#reports-to", "2031-01-01")
    page.locator("#reports-to").press("Enter")
    expect(page.locator("#reports-status")).to_have_text("Der erste Tag darf nicht nach dem letzten liegen.")
    expect(page.locator("#reports-result")).to_be_hidden()


def test_without_a_console_session_the_page_asks_to_sign_in(chat_server, new_context):
    page = new_context().new_page()
    page.goto(f"{chat_server.url}/console/reports")
    expect(page.locator("#reports-status")).to_have_text("Sign in on the console first, then open the reports again.")
    expect(page.locator("#reports-form")).to_be_hidden()


@pytest.mark.parametrize("locale, viewport", [("en", {"width": 390, "height": 844}), ("ar", {"width": 1280, "height": 800}),
                                              ("ar", {"width": 390, "height": 844}), ("ru", {"width": 1280, "height": 800}),
                                              ("de", {"width": 1280, "height": 800})])
def test_reports_layouts(chat_server, make_operator, new_context, six_conversations, locale, viewport):
    page = sign_in(new_context(viewport=viewport), chat_server, *make_operator("cy", "Cy"))
    page.goto(f"{chat_server.url}/{locale}/console")
    expect(page.locator("#reports-link")).to_be_visible()  # the top bar's link, in every layout
    page.screenshot(path=str(SHOTS / f"console-{locale}-{viewport['width']}.png"))
    page.goto(f"{chat_server.url}/{locale}/console/reports")
    expect(page.locator("#reports-by-locale tbody tr").first).to_be_visible()
    assert page.evaluate("() => document.documentElement.dir") == ("rtl" if locale == "ar" else "ltr")
    table = page.locator("#reports-by-day").bounding_box()
    region = page.locator("#reports-by-day").locator("xpath=..").bounding_box()
    assert region["x"] >= 0 and region["x"] + region["width"] <= viewport["width"]  # the page never scrolls sideways
    assert table["width"] > 0
    page.screenshot(path=str(SHOTS / f"reports-{locale}-{viewport['width']}.png"), full_page=True)
    if viewport["width"] < 600:  # phones: each figure beside its column's name, the ratings' too
        cells = page.locator("#reports-by-day tbody tr.reports-total td")
        expect(cells).to_have_count(7)
        for index in (5, 6):
            box = cells.nth(index).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        expect(cells.nth(6)).to_have_attribute("data-label", page.locator("#reports-by-day thead th").nth(7).text_content())
    RATING_SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(RATING_SHOTS / f"reports-{locale}-{viewport['width']}.png"), full_page=True)
