"""Hostile HTTP input: garbage locales, path-ish ids, template payloads, unstorable text, oversize bodies."""

import json
import re
from html.parser import HTMLParser

import pytest

LOCALES = {"en", "ru", "de", "es", "fr", "ar"}
HTML_LANG = re.compile(rb'<html lang="([^"]*)"')


def page_locale(response) -> str:
    return HTML_LANG.search(response.get_data()).group(1).decode()


@pytest.fixture
def maintainer_headers(make_token):
    _, token = make_token(roles=("maintainer",))
    return {"Authorization": f"Bearer {token}"}


def publish(client, headers, **body):
    body = {"texts": {"en": "# Privacy\n\nNothing is collected."}, "summary": "First", **body}
    return client.post("/api/policy/versions", data=json.dumps(body), headers=headers,
                       content_type="application/json")


# --- locales -------------------------------------------------------------------------------------

GARBAGE_LANG = ["xx", "../../etc/passwd", "%ff", "\x00", "en\x00ru", "x" * 5000, "%(x)s", "{{7*7}}", "ru;q=1",
                "*", "zz-ZZ"]
GARBAGE_ACCEPT = ["*;q=abc", "a" * 10_000, ",,,;;;", "ru;q=1e309", "de;q=-1, ru;q=2", "\xff\xfe", "q=0.5",
                  "en-US,en;q=0.9," + ",".join(f"x{n}" for n in range(2000)), "de-AT;q=0.8;level=1", "ar;q=NaN"]


@pytest.mark.parametrize("path", ["/", "/privacy", "/console"])
def test_garbage_lang_parameters_serve_a_supported_language(client, path):
    for lang in GARBAGE_LANG:
        response = client.get(path, query_string={"lang": lang})
        assert response.status_code == 200 and page_locale(response) in LOCALES, lang


def test_garbage_accept_language_headers_serve_a_supported_language(client):
    for header in GARBAGE_ACCEPT:
        response = client.get("/privacy", headers={"Accept-Language": header})
        assert response.status_code == 200 and page_locale(response) in LOCALES, header[:30]
        assert "Accept-Language" in response.headers["Vary"]


@pytest.mark.parametrize("prefix", ["/xx/", "/EN/", "/ru../", "/..%2fru/", "/%00/", "/ru%00/"])
def test_unknown_locale_prefixes_are_not_found(client, prefix):
    response = client.get(prefix + "privacy")
    assert response.status_code == 404 and page_locale(response) in LOCALES


def test_api_language_parameter_never_breaks_the_answer(client, maintainer_headers):
    assert publish(client, maintainer_headers).status_code == 201
    for lang in GARBAGE_LANG:
        answer = client.get("/api/policy/current", query_string={"lang": lang})
        assert answer.status_code == 200 and answer.json["locale"] == "en", lang


# --- paths and ids -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/privacy/versions/1%20OR%201=1", "/privacy/versions/-1", "/privacy/versions/0", "/privacy/versions/..%2f",
    "/privacy/versions/99999999999999999999999", "/privacy/versions/1/diff/99999999999999999999",
    "/privacy/versions/%2e%2e/%2e%2e/wsgi.py", "/static/../wsgi.py", "/static/..%2f..%2fwsgi.py",
    "/chat/static/..%2f..%2f..%2fwsgi.py", "/console/static/%2e%2e/%2e%2e/%2e%2e/instance/secret_key",
    "/instance/secret_key", "/.git/config", "/%7B%7B7*7%7D%7D", "/privacy/%25(x)s", "/%00", "/ru/../../wsgi.py",
])
def test_hostile_paths_are_not_found(client, path):
    response = client.get(path)
    assert response.status_code == 404 and b"[core]" not in response.get_data()


@pytest.mark.parametrize("path", ["/api/policy/versions/1%20OR%201=1", "/api/policy/versions/-1",
                                  "/api/policy/versions/99999999999999999999999", "/api/policy/versions/%2e%2e",
                                  "/api/nothing-here", "/api/policy/versions/1;DROP"])
def test_hostile_api_paths_are_json_not_found(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.json["error"]["code"] in {"not_found", "unknown_version"}


def test_query_strings_are_escaped_in_language_links(client):
    response = client.get('/privacy?x="><script>alert(1)</script>&y=%27onmouseover=alert(1)')
    assert response.status_code == 200
    assert b"<script>alert(1)" not in response.get_data() and b"'onmouseover" not in response.get_data()


# --- template and format payloads in published text ----------------------------------------------

TEMPLATE_TEXT = "{{ 6 + 43 }} %(x)s {0} ${6+43} {% raw %} <%= 6 + 43 %> {{ config }}"


def test_template_and_format_payloads_in_a_policy_are_shown_literally(client, maintainer_headers):
    created = publish(client, maintainer_headers, texts={"en": f"# Policy {TEMPLATE_TEXT}\n\n{TEMPLATE_TEXT}"},
                      summary=TEMPLATE_TEXT)
    assert created.status_code == 201
    for path in ("/privacy", "/privacy/versions", "/privacy/versions/1", "/privacy/feed.atom"):
        body = client.get(path).get_data(as_text=True)
        assert "{{ 6 + 43 }}" in body and "%(x)s" in body and "{0}" in body and "{{ config }}" in body, path
    api = client.get("/api/policy/versions/1").json
    assert TEMPLATE_TEXT in api["summary"] and TEMPLATE_TEXT in api["texts"]["en"]


XSS_MARKDOWN = "\n\n".join([
    "<script>window.__pwned=1</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
    "[click](javascript:alert(1))", "[click](JaVaScRiPt:alert(1))", "[click](data:text/html,<script>alert(1)</script>)",
    "![x](javascript:alert(1))", '<a href="javascript:alert(1)">a</a>', "<iframe src=//evil.example></iframe>",
    '<p title="</p><img src=x onerror=alert(1)>">', "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<style>@import 'http://evil.example/x.css';</style>", "<form action=//evil.example><input></form>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", "[x](vbscript:msgbox(1))",
    '<div style="background:url(javascript:alert(1))">x</div>', "<base href=//evil.example/>",
    "<meta http-equiv=refresh content='0;url=//evil.example'>", "<object data=//evil.example/x.swf>",
])
SAFE_TAGS = {"p", "a", "em", "strong", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "code", "pre",
             "blockquote", "br", "hr", "table", "thead", "tbody", "tr", "th", "td", "del", "ins", "img"}


class ElementCollector(HTMLParser):
    """Every element and attribute a browser would build from the HTML (escaped text stays text)."""

    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def dangerous(html) -> list:
    problems = []
    for tag, attrs in ElementCollector(html).found:
        if tag not in SAFE_TAGS:
            problems.append(tag)
        for name, value in attrs.items():
            link = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
            if name.startswith("on") or name == "style" or (
                    name in {"href", "src"} and not re.match(r"(https?:|mailto:|#|/|[\w.-]+(/|$))", link)):
                problems.append(f"{tag} {name}={value}")
    return problems


def test_published_markdown_is_sanitized_everywhere_it_is_rendered(client, maintainer_headers):
    assert publish(client, maintainer_headers, texts={"en": "# Policy\n\n" + XSS_MARKDOWN}).status_code == 201
    preview = client.post("/api/policy/preview", json={"markdown": XSS_MARKDOWN}, headers=maintainer_headers)
    rendered = {
        "preview": preview.json["html"],
        "api": client.get("/api/policy/current").json["html"],
        "page": client.get("/privacy").get_data(as_text=True).split('<article class="policy-text"', 1)[1]
        .split(">", 1)[1].split("</article>", 1)[0],
    }
    assert {where: dangerous(html) for where, html in rendered.items()} == {where: [] for where in rendered}


# --- text that cannot be stored, dates that cannot exist -----------------------------------------


@pytest.mark.parametrize(("body", "field"), [
    ({"texts": {"en": "Policy \ud800 text"}}, "texts.en"),
    ({"texts": {"en": "Policy \x00 text"}}, "texts.en"),
    ({"texts": {"en": "Policy \x1b[31m text"}}, "texts.en"),
    ({"summary": "Changed \udfff"}, "summary"),
    ({"summary": "Changed \x07"}, "summary"),
    ({"effective_from": "9999-12-31T23:59:59-01:00"}, "effective_from"),
    ({"effective_from": "0001-01-01T00:00:00+01:00"}, "effective_from"),
    ({"effective_from": "2030-02-30T00:00:00Z"}, "effective_from"),
    ({"effective_from": 1e308}, "effective_from"),
    ({"controlling_locale": {"en": 1}}, "controlling_locale"),
])
def test_unstorable_policy_fields_are_refused_with_the_field_named(client, maintainer_headers, body, field):
    answer = publish(client, maintainer_headers, **body)
    assert answer.status_code == 400 and field in answer.json["error"]["fields"]
    assert client.get("/api/policy/versions").json == []


def test_preview_refuses_unencodable_text(client, maintainer_headers):
    answer = client.post("/api/policy/preview", data='{"markdown": "a\\ud800"}', headers=maintainer_headers,
                         content_type="application/json")
    assert answer.status_code == 400 and answer.json["error"]["code"] == "invalid_characters"


@pytest.mark.parametrize("body", ['{"username": "a\\ud800", "password": "x"}',
                                  '{"username": "olga", "password": "\\udfff-long-password"}',
                                  '{"username": "' + "a" * 100_000 + '", "password": "x"}',
                                  '{"username": "olga\\u0000", "password": "x"}'])
def test_sign_in_with_unreadable_credentials_is_wrong_credentials(client, body):
    answer = client.post("/api/auth/token", data=body, content_type="application/json")
    assert answer.status_code == 401 and answer.json["error"]["code"] == "invalid_credentials"


# --- bodies --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/auth/token", "/api/policy/versions", "/api/policy/preview"])
def test_json_nested_too_deeply_is_a_bad_request(client, maintainer_headers, path):
    answer = client.post(path, data="[" * 100_000 + "]" * 100_000, content_type="application/json",
                         headers=maintainer_headers)
    assert answer.status_code == 400 and "error" in answer.json


@pytest.mark.parametrize("path", ["/api/auth/token", "/api/policy/versions"])
def test_oversize_bodies_are_refused_before_they_are_read(client, maintainer_headers, path):
    body = '{"username": "a", "password": "' + "x" * (5 * 1024 * 1024) + '"}'
    answer = client.post(path, data=body, content_type="application/json", headers=maintainer_headers)
    assert answer.status_code == 413 and answer.json["error"]["code"] == "too_large"


def test_the_largest_legitimate_policy_draft_still_fits(client, maintainer_headers):
    texts = {locale: "Ж" * 99_000 for locale in ("en", "ru", "de", "es", "fr", "ar")}
    answer = publish(client, maintainer_headers, texts=texts)
    assert answer.status_code == 201
