"""A response cache in front of the whole app for public pages: a hit costs less than Flask's routing.

A view opts in with what it already tells shared caches: a 200 answer to a GET with an ``ETag``
and ``Cache-Control: public, max-age=N`` (the policy pages and their API do). Such an answer is
kept for ``min(N, PAGE_CACHE_SECONDS)`` and given to the next GET of the same URL, host, scheme,
forwarded headers and ``Accept-Language``: as it was, or as a 304 when the client already holds
that ETag. Because ``N`` never reaches past the next switch-over, a kept page never does either;
a publication in this process empties the cache at once (:func:`forget`).

Nothing personal can be kept: only GETs without ``Authorization``, only answers without
``Set-Cookie`` that vary on nothing but the language. Hits are not counted by the HTTP rate
limit: a kept page costs less than the limit check itself, and the limit guards the work a miss
does. While ``TESTING``, tests move the clock, so the cache is off unless they turn it on.
"""

import math
import time
from dataclasses import dataclass

from werkzeug.http import parse_etags, unquote_etag

EXTENSION_KEY = "clipai.page_cache"
ENTRIES_KEPT = 512
KEY_HEADERS = ("HTTP_HOST", "HTTP_ACCEPT_LANGUAGE", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
               "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX")
NOT_MODIFIED_DROPS = frozenset({"content-length", "content-type"})


@dataclass(frozen=True)
class Entry:
    stored_at: float
    expires_at: float
    status: str
    headers: list
    body: bytes
    etag: str

    def answer(self, environ, start_response, now: float):
        headers = list(self.headers)
        age = math.ceil(now - self.stored_at)
        if age > 0:  # downstream caches subtract it from max-age, so none keeps it past a switch-over
            headers.append(("Age", str(age)))
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if if_none_match and parse_etags(if_none_match).contains_weak(self.etag):
            start_response("304 NOT MODIFIED", _not_modified_headers(headers))
            return [b""]
        start_response(self.status, headers)
        return [self.body]


def _cache_key(environ) -> tuple:
    return (environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
            environ.get("wsgi.url_scheme"), *(environ.get(name) for name in KEY_HEADERS))


def _lifetime(status: str, headers: list, ceiling: float) -> tuple[float, str] | None:
    """How long an answer may be kept and its ETag, or None when it must not be kept."""
    if not status.startswith("200"):
        return None
    found = {}
    for name, value in headers:
        lowered = name.lower()
        if lowered == "set-cookie":
            return None
        found[lowered] = value
    vary = {part.strip().lower() for part in found.get("vary", "").split(",") if part.strip()}
    directives = {part.strip().lower() for part in found.get("cache-control", "").split(",")}
    if "etag" not in found or "public" not in directives or not vary <= {"accept-language"}:
        return None
    max_age = next((d.partition("=")[2] for d in directives if d.startswith("max-age=")), "")
    if not max_age.isdigit() or int(max_age) <= 0:
        return None
    return min(float(max_age), ceiling), unquote_etag(found["etag"])[0]


class PageCache:
    """WSGI middleware keeping public answers for a moment; see the module docstring."""

    def __init__(self, wsgi_app, seconds: float, timer=time.monotonic):
        self.wsgi_app = wsgi_app
        self.seconds = seconds
        self.timer = timer  # seconds; the app's clock when one is configured, so tests can move it
        self.entries: dict[tuple, Entry] = {}

    def clear(self):
        self.entries.clear()

    def __call__(self, environ, start_response):
        if (self.seconds <= 0 or environ.get("REQUEST_METHOD") != "GET" or "HTTP_AUTHORIZATION" in environ
                or "HTTP_UPGRADE" in environ):
            return self.wsgi_app(environ, start_response)
        key, now = _cache_key(environ), self.timer()
        entry = self.entries.get(key)
        if entry is not None and entry.expires_at > now:
            return entry.answer(environ, start_response, now)
        return self._fill(key, now, environ, start_response)

    def _fill(self, key, now, environ, start_response):
        # Ask for the full answer even when the client holds an ETag, so a run of conditional
        # requests fills the cache too; the condition is then answered here.
        condition = environ.pop("HTTP_IF_NONE_MATCH", None)
        answered = []

        def capture(status, headers, exc_info=None):
            answered[:] = [status, headers, exc_info]
            return _no_write

        try:
            body = self.wsgi_app(environ, capture)
        finally:
            if condition is not None:
                environ["HTTP_IF_NONE_MATCH"] = condition
        status, headers, exc_info = answered
        keep = _lifetime(status, headers, self.seconds)
        if keep is None:
            return _answer_uncached(condition, status, headers, exc_info, body, start_response)
        try:
            content = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        lifetime, etag = keep
        if len(self.entries) >= ENTRIES_KEPT:
            self.entries.clear()
        entry = self.entries[key] = Entry(now, now + lifetime, status, list(headers), content, etag)
        return entry.answer(environ, start_response, now)


def _no_write(_data):
    raise RuntimeError("the page cache does not support the WSGI write() callable")


def _answer_uncached(condition, status, headers, exc_info, body, start_response):
    """Pass an answer that is not kept through, as a 304 when the client's ETag matches it."""
    etag = next((value for name, value in headers if name.lower() == "etag"), None)
    if condition and etag and status.startswith("200") and parse_etags(condition).contains_weak(unquote_etag(etag)[0]):
        if hasattr(body, "close"):
            body.close()
        start_response("304 NOT MODIFIED", _not_modified_headers(headers))
        return [b""]
    start_response(status, headers, exc_info)
    return body


def _not_modified_headers(headers) -> list:
    return [(name, value) for name, value in headers if name.lower() not in NOT_MODIFIED_DROPS]


def forget(app):
    """Drop every kept answer (the policy feature calls it on ``policy_changed``)."""
    cache = app.extensions.get(EXTENSION_KEY)
    if cache is not None:
        cache.clear()


def init_app(app):
    """Put the cache in front of the app's every middleware, even those added after this call."""
    seconds = float(app.config["PAGE_CACHE_SECONDS"])
    if app.testing and not app.config.get("PAGE_CACHE_WHILE_TESTING"):
        seconds = 0.0
    configured_clock = app.config.get("CLOCK")
    timer = (lambda: configured_clock().timestamp()) if configured_clock else time.monotonic
    cache = PageCache(lambda environ, start_response: app.wsgi_app(environ, start_response), seconds, timer)
    app.extensions[EXTENSION_KEY] = cache
    app.front = cache
