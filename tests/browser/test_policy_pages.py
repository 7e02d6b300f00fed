"""Chromium on /privacy (the folded "Verify this version" panel), a diff page and /privacy/data,
in German and Arabic, at desktop and phone sizes, by keyboard. Screenshots go to /tmp/shots/policy-verify/.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clipai.services import policy
from clipai.storage import schema
from tests.fixtures.live_server import app_on

pytestmark = [pytest.mark.browser, pytest.mark.server]

SHOTS = Path("/tmp/shots/policy-verify")
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
V1 = {"en": "# Privacy Policy\n\n## 1. Chats\n\n**1.1.** We keep chat messages for **30 days**.\n\nWe never sell data.\n",
      "de": "# Datenschutzerklärung\n\n## 1. Chats\n\n**1.1.** Wir speichern Chatnachrichten **30 Tage** lang.\n",
      "ar": "# سياسة الخصوصية\n\n## 1. المحادثات\n\n**1.1.** نحتفظ برسائل الدردشة لمدة **30 يومًا**.\n"}
V2 = {"en": V1["en"].replace("30 days", "14 days"), "de": V1["de"].replace("30 Tage", "14 Tage"),
      "ar": V1["ar"].replace("30 يومًا", "14 يومًا")}


@pytest.fixture
def site(chat_server):
    with app_on(chat_server.env["CLIPAI_DATABASE_URL"]):
        policy.publish(V1, "First version.")
        policy.publish(V2, "Shorter retention.", datetime.now(UTC) + timedelta(days=30))
    return chat_server


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("locale", ["de", "ar"])
@pytest.mark.parametrize("size", SIZES)
def test_verify_panel_is_folded_and_opens_by_keyboard(site, new_context, html_checkers, locale, size):
    page = new_context(viewport=SIZES[size]).new_page()
    page.goto(f"{site.url}/{locale}/privacy")
    panel = page.locator("details.policy-verify")
    hash_value = panel.locator("dd.hash").first
    expect(hash_value).to_be_hidden()
    shoot(page, f"{locale}-{size}-privacy-folded")
    panel.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(hash_value).to_be_visible()
    expect(panel.locator(f'a[href="/{locale}/privacy/versions/1/{locale}.md"]')).to_be_visible()
    shoot(page, f"{locale}-{size}-privacy-unfolded")
    assert html_checkers.axe(page, f"{locale}-privacy-verify-open") == []


@pytest.mark.parametrize("locale", ["de", "ar"])
def test_diff_page_shows_the_rendered_changes_and_the_markdown_one_click_away(site, new_context, locale):
    page = new_context().new_page()
    page.goto(f"{site.url}/{locale}/privacy/versions/1/diff/2?text={locale}")
    diff = page.locator(".policy-diff-rendered")
    expect(diff.locator("strong ins")).to_have_text("14")
    expect(diff.locator("strong del")).to_have_text("30")
    expect(diff.locator("h2")).to_be_visible()
    shoot(page, f"{locale}-desktop-diff-rendered")
    page.locator(".policy-diff-views a").nth(1).click()
    expect(page.locator(".policy-diff-markdown")).to_contain_text("**")
    shoot(page, f"{locale}-desktop-diff-markdown")


@pytest.mark.parametrize("locale", ["de", "ar"])
@pytest.mark.parametrize("size", SIZES)
def test_data_page_lists_the_tables(site, new_context, locale, size):
    page = new_context(viewport=SIZES[size]).new_page()
    page.goto(f"{site.url}/{locale}/privacy")
    page.locator(f'a[href="/{locale}/privacy/data"]').click()
    expect(page.locator("#table-messages")).to_be_visible()
    # Every table of the schema, and Alembic's own (docs/policy.md "What we store").
    expect(page.locator("section.data-table")).to_have_count(len(schema.metadata.tables) + 1)
    shoot(page, f"{locale}-{size}-data")
