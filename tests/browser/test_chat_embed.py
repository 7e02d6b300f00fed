"""The chat embedded on another site of the owner with one tag, in Chromium.

The host page is served by a tiny http.server on a second loopback port, with CSS that tries to
break the widget; the chat server lists that origin in EMBED_ORIGINS.
"""

import functools
import http.server
import threading

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import open_page
from tests.fixtures.live_server import free_port

pytestmark = [pytest.mark.browser, pytest.mark.server]

HOSTILE_CSS = """
:root { --brand: #ff0000; --ink: #00ff00; --font: "Comic Sans MS"; font-size: 16px; }
body { font: italic 40px/3 serif; color: red; direction: rtl; letter-spacing: 6px; text-transform: uppercase; }
h1 { font-size: 20px; }
div, section, button, p, ol, li, form, textarea, header, footer, span, svg {
  position: static !important; display: block !important; float: left !important;
  background: yellow !important; color: red !important; border: 6px dotted red !important;
  width: 50px !important; font-size: 40px !important; overflow: hidden !important;
}
.chat-widget, .chat-launcher, .chat-panel, #chat-launcher, [hidden] { display: none !important; }
"""
HOST_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>Partner site</title>
<link rel="stylesheet" href="/host.css"></head>
<body><h1>A partner site of the owner</h1><p>Its own text.</p>
<script src="{server}/chat/embed.js" async></script></body></html>"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve_host_on(port, server_url, tmp_path, lang="de", css=HOSTILE_CSS):
    """Serve the host page from 127.0.0.1:port (its own origin); the caller shuts the server down."""
    folder = tmp_path / f"host-{port}"
    folder.mkdir(parents=True)
    (folder / "index.html").write_text(HOST_PAGE.format(lang=lang, server=server_url))
    (folder / "host.css").write_text(css)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(QuietHandler, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


@pytest.fixture
def partner(live_server, tmp_path):
    """A chat server and a host page on another loopback origin listed in its EMBED_ORIGINS."""
    port = free_port()
    server = live_server(settings={"EMBED_ORIGINS": [f"http://127.0.0.1:{port}"]})
    httpd = serve_host_on(port, server.url, tmp_path)
    yield server, f"http://127.0.0.1:{port}"
    httpd.shutdown()
    httpd.server_close()


STORAGE = "() => [sessionStorage.length, localStorage.length]"
LOOKS = """(node) => { const s = getComputedStyle(node);
  return [s.display, s.position, s.fontSize, s.fontFamily, s.fontStyle, s.color, s.backgroundColor, s.borderTopStyle,
          s.textTransform, s.letterSpacing, s.direction, s.float, s.width, s.height]; }"""


def looks(page) -> dict:
    """Computed styles of the widget's frame and launcher, as a visitor would see them."""
    return {selector: page.locator(selector).evaluate(LOOKS) for selector in ("#chat-widget", "#chat-launcher")}


def test_one_tag_puts_the_chat_on_a_partner_site_whose_css_cannot_break_it(partner, new_context):
    server, host = partner
    context = new_context()
    page = open_page(context, host + "/")
    launcher = page.locator("#chat-launcher")
    expect(launcher).to_be_visible()
    assert page.evaluate("() => document.getElementById('clipai-chat').shadowRoot !== null")
    assert page.locator("#chat-widget").evaluate("(node) => node.getRootNode() instanceof ShadowRoot")
    own_page = open_page(context, server.url + "/de/")
    assert looks(page) == looks(own_page)  # as on the chat's own site, whatever the host's CSS says
    own_page.close()
    assert launcher.inner_text() == "Chatten Sie mit uns"  # the host page's language
    assert page.evaluate(STORAGE) == [0, 0]

    launcher.click()
    expect(page.locator("#chat-panel")).to_be_visible()
    expect(page.locator("#chat-status")).to_have_attribute("data-state", "offline")
    assert page.evaluate(STORAGE) == [0, 0]  # nothing stored before the first message
    page.fill("#chat-input", "Hallo von der Partnerseite")
    page.press("#chat-input", "Enter")
    expect(page.locator("#chat-messages li.from-visitor[data-id]")).to_have_count(1)
    assert page.evaluate("() => sessionStorage.getItem('clipai.chat.token')")

    assert context.cookies() == []
    third_hosts = [url for url in page.requests if not url.startswith((host + "/", server.url + "/", "data:"))]
    assert third_hosts == [] and page.errors == []


def test_the_conversation_continues_after_a_reload_of_the_partner_page(partner, new_context):
    server, host = partner
    page = open_page(new_context(), host + "/")
    page.click("#chat-launcher")
    page.fill("#chat-input", "Erste Frage")
    page.press("#chat-input", "Enter")
    expect(page.locator("#chat-messages li.from-visitor[data-id]")).to_have_count(1)
    page.reload()
    expect(page.locator("#chat-messages li.from-visitor[data-id]")).to_have_count(1)


def test_a_site_not_listed_gets_no_chat(live_server, tmp_path, new_context):
    server = live_server(settings={"EMBED_ORIGINS": ["http://127.0.0.1:9"]})
    port = free_port()
    httpd = serve_host_on(port, server.url, tmp_path)
    try:
        page = open_page(new_context(), f"http://127.0.0.1:{port}/")
        page.wait_for_load_state("networkidle")
        assert page.locator("#chat-launcher").count() == 0
    finally:
        httpd.shutdown()
        httpd.server_close()
