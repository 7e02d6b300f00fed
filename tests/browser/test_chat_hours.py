"""Office hours in Chromium: outside them the widget says when support is back, in the visitor's
language and time zone (Arabic, India's zone, an office on UTC)."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from clipai.services.office_hours import parse
from tests.fixtures.browser import open_page

pytestmark = [pytest.mark.browser, pytest.mark.server]

EXPECTED_WORDS = """([iso, locale, zone]) => {
  const date = new Date(iso), now = new Date();
  const midnight = (d) => Date.UTC(...new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric",
    month: "numeric", day: "numeric" }).format(d).split("-").map((part, i) => Number(part) - (i === 1 ? 1 : 0)));
  const days = Math.round((midnight(date) - midnight(now)) / 86400000);
  return [new Intl.RelativeTimeFormat(locale, { numeric: "auto" }).format(days, "day"),
          new Intl.DateTimeFormat(locale, { hour: "numeric", minute: "2-digit", timeZone: zone }).format(date)];
}"""


def closed_for_three_hours():
    """Hours on UTC that open every day for one minute, three hours from now: closed now, back today or tomorrow."""
    opening = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(hours=3)
    span = f"{opening:%H:%M}-{opening + timedelta(minutes=1):%H:%M}" if opening.hour < 23 or opening.minute < 59 \
        else "23:58-23:59"
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return {"timezone": "UTC", "weekly": {day: [span] for day in days}}


def test_outside_office_hours_arabic_visitors_read_when_support_is_back_in_their_own_time(live_server, new_context):
    hours = closed_for_three_hours()
    server = live_server(settings={"OFFICE_HOURS": hours})
    opens_at = parse(hours).opens_at(datetime.now(UTC))
    page = open_page(new_context(timezone_id="Asia/Kolkata", locale="ar"), server.url + "/ar/")
    page.click("#chat-launcher")
    line = page.locator("#chat-availability")
    expect(line).to_be_visible()
    day, time = page.evaluate(EXPECTED_WORDS, [opens_at.isoformat(), "ar", "Asia/Kolkata"])
    expect(line).to_have_text(f"يعود فريق الدعم {day} في الساعة {time}.")
    assert day in ("اليوم", "غدًا") and ("ص" in time or "م" in time)  # Arabic words and a.m./p.m. marker
    assert page.errors == []


def test_within_office_hours_nothing_about_hours_is_shown(live_server, new_context):
    always = {"timezone": "UTC", "weekly": {day: ["00:00-24:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}}
    server = live_server(settings={"OFFICE_HOURS": always})
    page = open_page(new_context(), server.url + "/")
    page.click("#chat-launcher")
    expect(page.locator("#chat-status")).to_have_attribute("data-state", "offline")
    expect(page.locator("#chat-availability")).to_be_hidden()
