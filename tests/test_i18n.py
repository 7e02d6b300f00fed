"""The browser's language picks the site's language; URL prefix and ?lang= override it."""

import re

import pytest

from clipai import create_app, storage


def html_lang(response) -> tuple[str, str]:
    match = re.search(r'<html lang="([^"]+)" dir="([^"]+)">', response.get_data(as_text=True))
    return match.group(1), match.group(2)


@pytest.mark.parametrize(
    "header, expected",
    [
        ("ru", "ru"),
        ("de-AT,de;q=0.9,en;q=0.5", "de"),
        ("pt-BR,pt;q=0.9,fr;q=0.8", "fr"),
        ("es-419", "es"),
        ("ja, ar;q=0.4", "ar"),
        ("en;q=0.1, fr;q=0.9", "fr"),
        ("xx-YY", "en"),
        ("", "en"),
    ],
)
def test_accept_language_picks_the_language(client, header, expected):
    response = client.get("/", headers={"Accept-Language": header})
    assert html_lang(response)[0] == expected


def test_url_prefix_wins_over_query_and_header(client):
    response = client.get("/es/?lang=fr", headers={"Accept-Language": "de"})
    assert html_lang(response)[0] == "es"


def test_query_wins_over_header(client):
    response = client.get("/?lang=fr", headers={"Accept-Language": "de"})
    assert html_lang(response)[0] == "fr"


def test_arabic_is_right_to_left(client):
    assert html_lang(client.get("/ar/")) == ("ar", "rtl")
    assert html_lang(client.get("/ru/")) == ("ru", "ltr")


def test_unprefixed_pages_vary_on_accept_language(client):
    assert "Accept-Language" in client.get("/").headers["Vary"]
    assert "Accept-Language" not in client.get("/de/").headers.get("Vary", "")


def head_links(html: str) -> dict:
    """``rel`` (with ``hreflang``) → ``href`` of each ``<link>`` in the page's head."""
    head = html.split("</head>", 1)[0]
    links = {}
    for tag in re.findall(r"<link [^>]*>", head):
        attrs = dict(re.findall(r'([a-z-]+)="([^"]*)"', tag))
        links[" ".join(filter(None, [attrs.get("rel"), attrs.get("hreflang")]))] = attrs.get("href")
    return links


SITE = {"SITE_URL": "https://support.example.org/"}


@pytest.mark.parametrize("settings", [SITE])
def test_pages_link_their_other_languages_by_absolute_address(client):
    links = head_links(client.get("/de/privacy").get_data(as_text=True))
    for code in ("en", "ru", "de", "es", "fr", "ar"):
        assert links[f"alternate {code}"] == f"https://support.example.org/{code}/privacy"
    assert links["alternate x-default"] == "https://support.example.org/privacy"


@pytest.mark.parametrize("settings", [SITE])
@pytest.mark.parametrize("url, canonical", [
    ("/de/privacy", "/de/privacy"),
    ("/privacy?lang=fr", "/fr/privacy"),
    ("/privacy", "/privacy"),
    ("/ar/", "/ar/"),
    ("/es/privacy/versions/99", "/es/privacy/versions/99"),
])
def test_every_page_names_its_canonical_address(client, url, canonical):
    html = client.get(url, headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert head_links(html)["canonical"] == "https://support.example.org" + canonical


def test_site_url_defaults_to_this_machine_on_the_served_port(app_config, monkeypatch):
    monkeypatch.setenv("PORT", "8123")
    app = create_app(app_config)
    html = app.test_client().get("/privacy").get_data(as_text=True)
    storage.dispose(app)
    assert head_links(html)["canonical"] == "http://127.0.0.1:8123/privacy"


def test_links_inside_a_prefixed_page_keep_the_language(client):
    html = client.get("/fr/").get_data(as_text=True)
    assert 'href="/fr/static/site.css"' in html


@pytest.mark.parametrize(
    "url, headers",
    [
        ("/xx/", {}),
        ("/?lang=../../etc/passwd", {}),
        ("/?lang=" + "a" * 5000, {}),
        ("/", {"Accept-Language": "x" * 10_000}),
        ("/", {"Accept-Language": ";;;q=abc,,,=,de;q=NaN,ru;q=-1,*"}),
        ("/", {"Accept-Language": "de;q=0.5;" * 1000}),
        ("/", {"Accept-Language": "\u00e9\u00e8;q=1"}),
    ],
)
def test_garbage_language_input_never_breaks_a_page(client, url, headers):
    response = client.get(url, headers=headers)
    assert response.status_code in (200, 404)
    assert html_lang(response)[0] in ("en", "ru", "de", "es", "fr", "ar")


def test_language_is_never_stored_in_the_browser(client):
    response = client.get("/?lang=de")
    assert "Set-Cookie" not in response.headers
    assert html_lang(client.get("/"))[0] == "en"
