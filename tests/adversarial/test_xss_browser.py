"""An XSS corpus sent both ways through the real server, shown inert in Chromium on the widget and the console.

The pages' CSP would block inline handlers anyway, so being inert is checked directly: no injected
element, no dialog, no CSP violation (a violation means markup reached the DOM), every message shown
exactly as text. The requests the pages make are watched too: no token ever appears in a URL.
"""

import unicodedata

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.server]

WAIT_MS = 15_000
CORPUS = [
    "<script>window.__xss.push('script')</script>",
    "<img src=x onerror=\"window.__xss.push('img')\">",
    "<svg onload=\"window.__xss.push('svg')\">",
    "<svg><script>window.__xss.push('svg-script')</script></svg>",
    "javascript:window.__xss.push('bare-js-url')",
    "<a href=\"javascript:window.__xss.push('a')\">click me</a>",
    "[click](javascript:window.__xss.push('md'))",
    "\"><img src=x onerror=window.__xss.push('attr-dq')>",
    "'><svg/onload=window.__xss.push('attr-sq')>",
    "</textarea><script>window.__xss.push('textarea')</script>",
    "</li></ol><img src=x onerror=window.__xss.push('list-breakout')>",
    "<noscript><p title=\"</noscript><img src=x onerror=window.__xss.push('mxss-noscript')>\">",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss.push('mxss-math')>",
    "<iframe srcdoc=\"<script>parent.__xss.push('iframe')</script>\"></iframe>",
    "<details open ontoggle=window.__xss.push('details')>",
    "<style>body{display:none}</style><link rel=stylesheet href=//evil.example/x.css>",
    "{{constructor.constructor('window.__xss.push(1)')()}} ${window.__xss.push(2)} %(x)s {0}",
    "&lt;b&gt;entity&lt;/b&gt; &amp; &#60;script&#62;",
    "\u202e<b>reversed</b> gnp.exe",
]
TRAP = """
window.__xss = [];
document.addEventListener('securitypolicyviolation',
    e => window.__xss.push('csp:' + e.violatedDirective + ' ' + e.blockedURI));
"""
INJECTED = ("script:not([src]), img[src='x'], svg, iframe, math, details, noscript, a[href^='javascript'], "
            "link[href*='evil'], style:not([data-keep])")


def open_page(context, url, requests_seen):
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: requests_seen.append(request.url))
    page.add_init_script(TRAP)
    page.goto(url)
    return page


def shown_texts(page, selector) -> list:
    """The text of every message element, and how many child elements each has."""
    return page.eval_on_selector_all(selector, "els => els.map(e => [e.textContent, e.children.length])")


def assert_inert(page, container, text_selector, expected):
    assert page.dialogs == []
    assert page.evaluate("() => window.__xss") == []
    assert page.locator(f"{container} :is({INJECTED})").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    shown = shown_texts(page, f"{container} {text_selector}")
    assert [children for _, children in shown] == [0] * len(shown)
    assert [text for text, _ in shown] == expected


def visitor_says(page, text):
    page.fill("#chat-input", text)
    page.press("#chat-input", "Enter")
    expect(page.locator("#chat-messages li.from-visitor[data-id]")).to_have_count(CORPUS.index(text) + 1)


def test_xss_corpus_is_inert_both_ways_on_the_widget_and_the_console(start_server, database_url, live, chromium):
    server = start_server(settings={"CHAT_MESSAGE_LIMITS": "1000/minute"})
    nina_password, _ = live.create_account(database_url, "nina.r", alias="Nina")
    _, olga_token = live.create_account(database_url, "olga.k", alias="Olga")
    requests_seen = []
    visitor_context, console_context = chromium.new_context(), chromium.new_context()
    visitor_context.set_default_timeout(WAIT_MS)
    console_context.set_default_timeout(WAIT_MS)
    try:
        console = open_page(console_context, server.url + "/console", requests_seen)
        console.fill("#signin-username", "nina.r")
        console.fill("#signin-password", nina_password)
        console.click("#signin-submit")
        expect(console.locator("#console-app")).to_be_visible()

        visitor = open_page(visitor_context, server.url + "/", requests_seen)
        visitor.click("#chat-launcher")
        for text in CORPUS:  # visitor -> operators, shown live in the console's queue
            visitor_says(visitor, text)
        olga = live.Peer(server.url, "/console", auth={"token": olga_token})
        conversation_id = olga.call("list")["conversations"][0]["id"]
        for text in CORPUS:  # operator -> visitor, shown live in the widget
            assert olga.say(text, conversation_id=conversation_id)["ok"]
        olga.close()
        shown = [unicodedata.normalize("NFC", text).strip() for text in CORPUS]
        expect(visitor.locator("#chat-messages li.from-operator[data-id]")).to_have_count(len(CORPUS))
        assert_inert(visitor, "#chat-messages", ".chat-message-text", shown + shown)

        console.click("#tab-open")  # answered by Olga: the conversation moved out of "waiting"
        expect(console.locator("#queue-list .console-queue-item")).to_have_count(1)
        assert_inert(console, "#queue-list", ".console-preview", [shown[-1]])
        console.locator("#queue-list .console-queue-item").first.click()  # history, rendered at once
        expect(console.locator("#conversation-messages li[data-id]")).to_have_count(2 * len(CORPUS))
        assert_inert(console, "#conversation-messages", ".console-message-text", shown + shown)
        console.fill("#search-input", "onerror")
        console.press("#search-input", "Enter")
        expect(console.locator("#search-head")).to_be_visible()
        expect(console.locator("#queue-list .console-preview")).to_have_count(1)
        matched = shown_texts(console, "#queue-list .console-preview")[0][0]
        assert "onerror" in matched and matched in shown
        assert_inert(console, "#queue-list", ".console-preview", [matched])

        visitor.reload()  # the widget's history path
        expect(visitor.locator("#chat-messages li[data-id]")).to_have_count(2 * len(CORPUS))
        assert_inert(visitor, "#chat-messages", ".chat-message-text", shown + shown)
        token = visitor.evaluate("() => sessionStorage.getItem('clipai.chat.token')")
        bearer = console.evaluate("() => sessionStorage.getItem('clipai.console.token')")
    finally:
        visitor_context.close()
        console_context.close()
    assert token and bearer
    assert [url for url in requests_seen if token in url or bearer in url or "token=" in url.lower()] == []
