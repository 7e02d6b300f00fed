"""The operator console page: served to anyone, useful only after signing in."""

import json
from html.parser import HTMLParser

import pytest

from blueprints.console.strings import STRINGS
from clipai.config import LOCALES, PROJECT_ROOT

CONSOLE_STATIC = PROJECT_ROOT / "blueprints/console/static/console"


class ConsoleParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()
        self.scripts = []
        self.json_blocks = {}
        self._block = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
        elif tag == "script" and attrs.get("type") == "application/json":
            self._block = attrs.get("id")
            self.json_blocks[self._block] = ""

    def handle_data(self, data):
        if self._block:
            self.json_blocks[self._block] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._block = None


def parse(response) -> ConsoleParser:
    parser = ConsoleParser()
    parser.feed(response.get_data(as_text=True))
    return parser


def test_console_page_is_served(client):
    response = client.get("/console")
    assert response.status_code == 200
    assert response.mimetype == "text/html"


def test_console_page_sets_no_cookie(client):
    assert "Set-Cookie" not in client.get("/console").headers


def test_console_page_has_sign_in_and_the_app(client):
    page = parse(client.get("/console"))
    assert {"signin-form", "signin-username", "signin-password", "console-app", "queue-list", "reply-input"} <= page.ids


def test_console_page_loads_the_socket_io_client_and_its_script(client):
    page = parse(client.get("/console"))
    assert "/static/vendor/socket.io.min.js" in page.scripts
    assert "/console/static/console/main.js" in page.scripts


def test_console_page_does_not_show_the_visitor_chat(client):
    assert "chat-widget" not in parse(client.get("/console")).ids


def test_console_page_has_every_string(client):
    strings = json.loads(parse(client.get("/console")).json_blocks["console-strings"])
    assert set(strings) == set(STRINGS)
    assert all(isinstance(value, str) and value for value in strings.values())


@pytest.mark.parametrize("locale", LOCALES)
def test_console_page_speaks_every_language(client, locale):
    response = client.get(f"/{locale}/console")
    assert response.status_code == 200
    assert f'<html lang="{locale}"' in response.get_data(as_text=True)
    assert set(json.loads(parse(response).json_blocks["console-strings"])) == set(STRINGS)


def test_console_page_is_kept_out_of_search_engines(client):
    assert 'name="robots" content="noindex, nofollow"' in client.get("/console").get_data(as_text=True)


def test_console_page_links_the_policy_publishing_page(client):
    assert 'href="/console/policy"' in client.get("/console").get_data(as_text=True)


@pytest.mark.parametrize("asset", ["console/main.js", "console/console.css"])
def test_console_assets_are_served(client, asset):
    response = client.get(f"/console/static/{asset}")
    assert response.status_code == 200
    response.close()


def console_scripts() -> str:
    """The console's own modules, as one text."""
    return "".join(path.read_text(encoding="utf-8") for path in sorted(CONSOLE_STATIC.glob("*.js")))


def test_console_script_never_uses_inner_html():
    text = console_scripts()
    assert "innerHTML" not in text and "insertAdjacentHTML" not in text and "document.write" not in text


def test_console_script_keeps_the_token_in_session_storage_only(client):
    from clipai.auth import TOKEN_STORAGE_KEY

    text = console_scripts()
    assert "localStorage" not in text
    assert "session.set(tokenKey" in text and "dataset.tokenKey" in text
    assert f'data-token-key="{TOKEN_STORAGE_KEY}"' in client.get("/console").get_data(as_text=True)
