"""The chat widget markup: on every page, in every language, with no inline code."""

import json
from html.parser import HTMLParser

import pytest

from blueprints.chat.strings import STRINGS
from clipai.config import LOCALES, PROJECT_ROOT

WIDGET_SCRIPT = "/chat/static/chat/main.js"


class PageParser(HTMLParser):
    """Collect what the CSP cares about, plus the widget's JSON data block."""

    def __init__(self):
        super().__init__()
        self.inline_scripts = []
        self.style_attributes = []
        self.style_blocks = 0
        self.script_sources = []
        self.ids = set()
        self.html_attrs = {}
        self._data_block = None
        self.data_blocks = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if "style" in attrs:
            self.style_attributes.append(tag)
        if tag == "html":
            self.html_attrs = attrs
        if tag == "style":
            self.style_blocks += 1
        if tag == "script":
            if attrs.get("src"):
                self.script_sources.append(attrs["src"])
            elif attrs.get("type") == "application/json":
                self._data_block = attrs.get("id", "")
                self.data_blocks[self._data_block] = ""
            else:
                self.inline_scripts.append(attrs)

    def handle_data(self, data):
        if self._data_block is not None:
            self.data_blocks[self._data_block] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._data_block = None


def parse(response) -> PageParser:
    parser = PageParser()
    parser.feed(response.get_data(as_text=True))
    return parser


def html_pages(app):
    """Every GET page of the URL map that needs no argument (no API, no assets)."""
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint.endswith("static"):
            continue
        if rule.rule.startswith("/api/") or rule.rule == "/healthz" or rule.rule.endswith((".atom", ".xml", ".json", ".js")):
            continue
        yield rule.rule


@pytest.mark.parametrize("locale", LOCALES)
def test_home_page_has_the_chat_button_in_every_language(client, locale):
    page = parse(client.get(f"/{locale}/"))
    assert {"chat-widget", "chat-launcher", "chat-panel"} <= page.ids
    assert any(source.endswith(WIDGET_SCRIPT) for source in page.script_sources)


def test_every_page_has_the_chat_widget(app, client):
    checked = 0
    for path in html_pages(app):
        response = client.get(path)
        if response.mimetype != "text/html" or path.startswith("/console"):
            continue
        assert "chat-widget" in parse(response).ids, path
        checked += 1
    assert checked >= 1


def test_error_pages_have_the_chat_widget(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "chat-launcher" in parse(response).ids


def test_the_socket_io_client_is_not_loaded_by_the_page(client):
    page = parse(client.get("/"))
    assert not any("socket.io" in source for source in page.script_sources)


def test_widget_points_at_the_served_socket_io_client(client):
    html = client.get("/").get_data(as_text=True)
    assert 'data-client-src="/static/vendor/socket.io.min.js"' in html


def test_widget_strings_block_has_every_string(client):
    strings = json.loads(parse(client.get("/")).data_blocks["chat-strings"])
    assert set(strings) == set(STRINGS)
    assert all(isinstance(value, str) and value for value in strings.values())


@pytest.mark.parametrize("locale", LOCALES)
def test_widget_strings_come_in_the_page_language(client, locale):
    page = parse(client.get(f"/{locale}/"))
    strings = json.loads(page.data_blocks["chat-strings"])
    assert page.html_attrs["lang"] == locale
    assert set(strings) == set(STRINGS)


def test_widget_strings_keep_their_placeholders(client):
    strings = json.loads(parse(client.get("/")).data_blocks["chat-strings"])
    assert "%(date)s" in strings["erase_date"]
    assert "%(time)s" in strings["error_rate_limited"]
    assert "%(name)s" in strings["operator_typing"]


def test_arabic_pages_are_right_to_left(client):
    page = parse(client.get("/ar/"))
    assert page.html_attrs["dir"] == "rtl"


def test_widget_has_the_message_limit_and_retention(app, client):
    html = client.get("/").get_data(as_text=True)
    assert f'data-max-length="{app.config["CHAT_MAX_MESSAGE_LENGTH"]}"' in html
    assert f'data-retention-days="{app.config["CHAT_RETENTION_DAYS"]}"' in html


def test_widget_panel_is_an_accessible_dialog(client):
    html = client.get("/").get_data(as_text=True)
    assert 'role="dialog"' in html and 'aria-labelledby="chat-title"' in html
    assert 'role="log" aria-live="polite"' in html
    assert 'aria-controls="chat-panel"' in html


@pytest.mark.parametrize("path", ["/", "/ar/", "/console", "/no-such-page"])
def test_pages_have_no_inline_script_or_style(client, path):
    page = parse(client.get(path))
    assert page.inline_scripts == []
    assert page.style_attributes == []
    assert page.style_blocks == 0


def test_no_page_has_inline_script_or_style(app, client):
    for path in html_pages(app):
        response = client.get(path)
        if response.mimetype != "text/html":
            continue
        page = parse(response)
        assert (page.inline_scripts, page.style_attributes, page.style_blocks) == ([], [], 0), path


@pytest.mark.parametrize("asset", ["/chat/static/chat/main.js", "/static/js/i18n.js", "/chat/static/chat/widget.css", "/static/vendor/socket.io.min.js"])
def test_widget_assets_are_served_without_cookies(client, asset):
    response = client.get(asset)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    response.close()


def test_widget_script_never_uses_inner_html():
    scripts = [*(PROJECT_ROOT / "blueprints/chat/static/chat").glob("*.js"), *(PROJECT_ROOT / "clipai/static/js").glob("*.js")]
    assert len(scripts) > 2
    for script in scripts:
        text = script.read_text(encoding="utf-8")
        assert "innerHTML" not in text and "insertAdjacentHTML" not in text and "document.write" not in text, script.name


@pytest.mark.parametrize("path, copy, download", [("/", "Copy", "Download as text"), ("/de/", "Kopieren", "Als Text herunterladen")])
def test_the_menu_buttons_are_labelled_in_the_page_language(client, path, copy, download):
    html = client.get(path).get_data(as_text=True)
    assert f'id="chat-copy-code" aria-describedby="chat-menu-code-label">{copy}</button>' in html
    assert f'id="chat-download-text">{download}</button>' in html
    assert "built-in method" not in html  # {{ s.copy }} would be dict.copy, not the string
