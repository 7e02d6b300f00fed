"""The page cache serves public pages again without running Flask, and never keeps what it must not."""

from datetime import UTC, datetime

import pytest
from flask import request_started

from clipai.runtime.page_cache import PageCache
from clipai.services import policy

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
PUBLIC = [("Content-Type", "text/html; charset=utf-8"), ("ETag", '"v1"'), ("Cache-Control", "public, max-age=300"),
          ("Vary", "Accept-Language")]


# --- the middleware on its own -------------------------------------------------------------


class CountingApp:
    """A WSGI app answering ``headers`` and counting how often it ran."""

    def __init__(self, headers=PUBLIC, status="200 OK", body=b"page"):
        self.headers, self.status, self.body, self.calls = headers, status, body, 0

    def __call__(self, environ, start_response):
        self.calls += 1
        if environ.get("HTTP_IF_NONE_MATCH") == '"v1"':
            start_response("304 NOT MODIFIED", self.headers)
            return [b""]
        start_response(self.status, list(self.headers))
        return [self.body]


def get(cache, path="/privacy", **headers):
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "wsgi.url_scheme": "http",
               "HTTP_HOST": "localhost", **{f"HTTP_{name.upper()}": value for name, value in headers.items()}}
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer.update(status=status, headers=dict(response_headers))

    answer["body"] = b"".join(cache(environ, start_response))
    return answer


@pytest.fixture
def monotonic():
    return [1000.0]


def cache_of(app, seconds, now):
    return PageCache(app, seconds=seconds, timer=lambda: now[0])


def test_a_public_answer_is_served_again_without_the_app(monotonic):
    app = CountingApp()
    cache = cache_of(app, 1.0, monotonic)
    first, second = get(cache), get(cache)
    assert app.calls == 1
    assert second["body"] == first["body"] == b"page"
    assert second["headers"]["ETag"] == '"v1"'


def test_a_kept_answer_expires_after_the_cache_lifetime(monotonic):
    app = CountingApp()
    cache = cache_of(app, 1.0, monotonic)
    get(cache)
    monotonic[0] += 0.5
    assert get(cache)["headers"]["Age"] == "1"  # so no downstream cache keeps it longer than max-age allows
    monotonic[0] += 0.6
    get(cache)
    assert app.calls == 2


def test_max_age_shorter_than_the_lifetime_wins(monotonic):
    # max-age is bounded by the next policy switch-over: a kept page must not outlive it.
    app = CountingApp(headers=[*PUBLIC[:2], ("Cache-Control", "public, max-age=1")])
    cache = cache_of(app, 60.0, monotonic)
    get(cache)
    monotonic[0] += 1.01
    get(cache)
    assert app.calls == 2


@pytest.mark.parametrize("headers", [
    [*PUBLIC, ("Set-Cookie", "a=b")],
    [("ETag", '"v1"'), ("Cache-Control", "public, max-age=0")],
    [("ETag", '"v1"'), ("Cache-Control", "private, max-age=300")],
    [("Cache-Control", "public, max-age=300")],
    [*PUBLIC[:3], ("Vary", "Accept-Language, Origin")],
], ids=["cookie", "max-age-0", "private", "no-etag", "varies-on-origin"])
def test_answers_that_must_not_be_shared_are_never_kept(monotonic, headers):
    app = CountingApp(headers=headers)
    cache = cache_of(app, 60.0, monotonic)
    get(cache), get(cache)
    assert app.calls == 2


def test_errors_and_requests_with_credentials_pass_through(monotonic):
    app = CountingApp(status="404 NOT FOUND")
    cache = cache_of(app, 60.0, monotonic)
    get(cache), get(cache)
    assert app.calls == 2
    app = CountingApp()
    cache = cache_of(app, 60.0, monotonic)
    get(cache, authorization="Bearer x"), get(cache, authorization="Bearer x")
    assert app.calls == 2


def test_each_language_and_host_has_its_own_entry(monotonic):
    app = CountingApp()
    cache = cache_of(app, 60.0, monotonic)
    for _ in range(2):
        get(cache, accept_language="ru"), get(cache, accept_language="de"), get(cache, host="other.example")
    assert app.calls == 3


def test_conditional_requests_fill_the_cache_and_get_304s(monotonic):
    app = CountingApp()
    cache = cache_of(app, 60.0, monotonic)
    first = get(cache, if_none_match='"v1"')
    assert first["status"].startswith("304") and first["body"] == b""
    assert "Content-Length" not in first["headers"] and first["headers"]["ETag"] == '"v1"'
    assert get(cache, if_none_match='"v1"')["status"].startswith("304")
    assert get(cache, if_none_match='"old"')["body"] == b"page"
    assert app.calls == 1


def test_an_answer_not_kept_still_honours_the_condition(monotonic):
    app = CountingApp(headers=[("ETag", '"v1"'), ("Cache-Control", "no-cache")])
    cache = cache_of(app, 60.0, monotonic)
    assert get(cache, if_none_match='"v1"')["status"].startswith("304")
    assert get(cache, if_none_match='"v0"')["body"] == b"page"


# --- in the app ----------------------------------------------------------------------------


@pytest.fixture
def settings():
    return {"PAGE_CACHE_WHILE_TESTING": True, "PAGE_CACHE_SECONDS": 60}


@pytest.fixture
def flask_runs(app):
    runs = []

    def count(sender, **_extra):
        runs.append(1)

    request_started.connect(count, app)
    yield runs
    request_started.disconnect(count, app)


@pytest.fixture
def published(app):
    with app.app_context():
        policy.publish({"en": "# Privacy Policy\n\nWe keep chats for 30 days.\n",
                        "ru": "# Политика\n\nМы храним чаты 30 дней.\n"}, "First.", None)


def test_the_privacy_page_is_served_from_the_cache(client, published, flask_runs):
    first = client.get("/privacy")
    second = client.get("/privacy")
    assert second.data == first.data and "30 days" in second.get_data(as_text=True)
    assert len(flask_runs) == 1
    assert "Set-Cookie" not in second.headers
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]


def test_languages_are_kept_apart(client, published):
    english = client.get("/privacy", headers={"Accept-Language": "en"}).get_data(as_text=True)
    russian = client.get("/privacy", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    prefixed = client.get("/ru/privacy").get_data(as_text=True)
    assert "30 days" in english and "30 дней" in russian and "30 дней" in prefixed


def test_publishing_here_empties_the_cache(client, published, make_token, clock):
    client.get("/privacy")
    token = make_token(roles=("maintainer",))[1]
    response = client.post("/api/policy/versions", headers={"Authorization": f"Bearer {token}"},
                           json={"texts": {"en": "# Privacy Policy\n\nWe keep chats for 7 days.\n"}, "summary": "Shorter."})
    assert response.status_code == 201
    assert "7 days" in client.get("/privacy").get_data(as_text=True)


def test_the_chat_and_console_are_never_served_from_the_cache(client, flask_runs):
    client.get("/console"), client.get("/console")
    client.get("/healthz"), client.get("/healthz")
    assert len(flask_runs) == 4


def test_the_home_page_is_served_from_the_cache_and_revalidates(client, flask_runs):
    first = client.get("/", headers={"Accept-Language": "de"})
    assert first.headers["ETag"] and "public" in first.headers["Cache-Control"]
    again = client.get("/", headers={"Accept-Language": "de", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert len(flask_runs) == 1
    assert client.get("/", headers={"Accept-Language": "ru"}).data != first.data
