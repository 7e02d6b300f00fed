"""The visitor widget at 200 % zoom: the message list keeps at least half the panel.

200 % zoom is emulated the way the browser does it: a 1280x800 window at 200 % is a 640x400 CSS
viewport drawn at device scale factor 2. A 390x844 phone at 200 % would be 195 CSS px wide,
narrower than the 320 CSS px WCAG 1.4.10 (reflow) asks for, so the phone case is 320 wide with
the phone's height at 200 % (422).
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import open_page

pytestmark = [pytest.mark.browser, pytest.mark.server]

SHOTS = Path("/tmp/shots/zoom")
ZOOMED = {
    "desktop-200": {"width": 640, "height": 400},
    "phone-200": {"width": 320, "height": 422},
}
# Visible height of the message list (clipped by the panel and the window) and of the panel.
HEIGHTS = """() => {
  const panel = document.getElementById('chat-panel').getBoundingClientRect();
  const list = document.getElementById('chat-scroll').getBoundingClientRect();
  const top = Math.max(list.top, panel.top, 0);
  const bottom = Math.min(list.bottom, panel.bottom, window.innerHeight);
  return {list: Math.max(0, bottom - top), panel: panel.height};
}"""
# Everything that is wider than its box: the page, the panel and each of its parts.
OVERFLOWING = """() => {
  const root = document.documentElement;
  const wide = [];
  const name = (node) => `${node.tagName.toLowerCase()}#${node.id}.${node.className} "${node.textContent.trim().slice(0, 30)}"`;
  if (root.scrollWidth > root.clientWidth) wide.push(`page ${root.scrollWidth} > ${root.clientWidth}`);
  const panel = document.getElementById('chat-panel');
  const shown = (node) => node.checkVisibility()
    && !node.closest('.visually-hidden') && getComputedStyle(node).clip === 'auto'
    && (node === panel || shown(node.parentElement));  // clip: the accessible-only texts, drawn 1px wide
  for (const node of [panel, ...panel.querySelectorAll('*')]) {
    if (!shown(node)) continue;
    const style = getComputedStyle(node);
    if (style.overflowX === 'hidden' || style.overflowX === 'clip') continue;
    if (node.scrollWidth > node.clientWidth + 1 && node.clientWidth > 0)
      wide.push(`${name(node)} ${node.scrollWidth} > ${node.clientWidth}`);
    const box = node.getBoundingClientRect();
    if (box.width && (box.left < -1 || box.right > window.innerWidth + 1))
      wide.push(`${name(node)} outside the window (${box.left}..${box.right})`);
  }
  return wide;
}"""
# Whether the element is wholly inside the panel's visible box and the window.
IN_VIEW = """node => {
  const box = node.getBoundingClientRect(), panel = document.getElementById('chat-panel').getBoundingClientRect();
  return box.top >= Math.max(panel.top, 0) - 1 && box.bottom <= Math.min(panel.bottom, window.innerHeight) + 1
    && box.left >= -1 && box.right <= window.innerWidth + 1;
}"""


def send(page, text):
    page.fill("#chat-input", text)
    page.press("#chat-input", "Enter")


def assert_list_keeps_half(page, when):
    heights = page.evaluate(HEIGHTS)
    assert heights["list"] >= heights["panel"] / 2, f"{when}: the message list shows {heights}"


@pytest.mark.parametrize("locale", ["en", "ar"])
@pytest.mark.parametrize("size", list(ZOOMED))
def test_at_200_percent_zoom_the_message_list_keeps_half_the_panel(chat_server, new_context, size, locale):
    page = open_page(new_context(viewport=ZOOMED[size], device_scale_factor=2), f"{chat_server.url}/{locale}/")
    launcher = page.locator("#chat-launcher")
    launcher.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#chat-panel")).to_be_visible()
    expect(page.locator("#chat-input")).to_be_focused()

    # A conversation of a few messages, a notice about a removed address, the keep-on-device offer.
    send(page, "Hello, my export stops at 50%")
    send(page, "It happens with every 4K project")
    send(page, "The progress bar freezes; write to jane.doe@example.com")
    expect(page.locator("#chat-messages li[data-id]")).to_have_count(3)
    expect(page.locator("#chat-alerts .chat-alert")).to_be_visible()
    expect(page.locator("#chat-keep-offer")).to_be_visible()
    # The hint before sending a telephone number.
    page.fill("#chat-input", "or call me on +49 30 12345678")
    expect(page.locator("#chat-hint")).to_be_visible()
    page.screenshot(path=str(SHOTS / f"{size}-{locale}.png"))

    assert_list_keeps_half(page, "with the notices shown")
    assert page.evaluate(OVERFLOWING) == []

    # The keep-on-device offer scrolls with the messages and can be reached and answered.
    page.locator("#chat-keep-no").scroll_into_view_if_needed()
    assert page.locator("#chat-keep-no").evaluate(IN_VIEW)

    # The composer and Send come into view and still send, while the list keeps half the panel.
    send_button = page.locator("#chat-send")
    send_button.scroll_into_view_if_needed()
    assert send_button.evaluate(IN_VIEW)
    assert page.locator("#chat-input").evaluate(IN_VIEW)
    assert_list_keeps_half(page, "with Send in view")
    page.screenshot(path=str(SHOTS / f"{size}-{locale}-send.png"))
    hint = page.locator("#chat-hint")
    hint.scroll_into_view_if_needed()
    assert hint.evaluate(IN_VIEW)

    # Keyboard only: from the message box, Tab reaches Send, which comes into view and sends.
    page.fill("#chat-input", "Thanks for looking")
    page.keyboard.press("Tab")
    expect(send_button).to_be_focused()
    assert send_button.evaluate(IN_VIEW)
    page.keyboard.press("Enter")
    expect(page.locator("#chat-messages li[data-id]")).to_have_count(4)

    # The footer's tools (erase now) are reachable as well.
    erase = page.locator("#chat-erase")
    erase.scroll_into_view_if_needed()
    assert erase.evaluate(IN_VIEW)
    assert page.evaluate(OVERFLOWING) == []
    assert page.errors == []
