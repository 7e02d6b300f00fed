"""Locale selection: URL prefix, then ``?lang=``, then ``Accept-Language``, then English."""


from babel import Locale
from flask import current_app, has_request_context, request
from flask_babel import get_locale

from clipai import clock
from clipai.config import RTL_LOCALES

URL_LOCALE_KEY = "clipai.url_locale"


class LocalePrefixMiddleware:
    """Serve ``/<locale>/…`` as ``…`` with the locale moved into the WSGI environ.

    The prefix becomes part of ``SCRIPT_NAME``, so every ``url_for`` inside a prefixed page
    keeps the visitor in the language they chose.
    """

    def __init__(self, wsgi_app, locales):
        self.wsgi_app = wsgi_app
        self.locales = frozenset(locales)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        head, slash, rest = path[1:].partition("/")
        if head in self.locales:
            environ[URL_LOCALE_KEY] = head
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "").rstrip("/") + "/" + head
            environ["PATH_INFO"] = "/" + rest
        return self.wsgi_app(environ, start_response)


def supported_locales() -> list[str]:
    """The site's locales (the ``LANGUAGES`` setting), the source language first."""
    return list(current_app.config["LANGUAGES"])


def match_locale(tag: str | None) -> str | None:
    """Map a language tag such as ``de-AT`` or ``pt_BR`` to a supported locale, or None."""
    if not tag or not isinstance(tag, str) or len(tag) > 35:
        return None
    tag = tag.strip().replace("_", "-").lower()
    locales = supported_locales()
    if tag in locales:
        return tag
    primary = tag.split("-", 1)[0]
    return primary if primary in locales else None


def select_locale() -> str:
    """Flask-Babel's locale selector for HTTP requests and Socket.IO events."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    url_locale = request.environ.get(URL_LOCALE_KEY)
    if url_locale:
        return url_locale
    chosen = match_locale(request.args.get("lang"))
    if chosen:
        return chosen
    best = request.accept_languages.best_match(supported_locales())
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


def text_direction(locale: str) -> str:
    return "rtl" if str(locale) in RTL_LOCALES else "ltr"


def native_name(locale: str) -> str:
    name = Locale.parse(locale).get_display_name(locale) or locale
    return name[:1].upper() + name[1:]


def query_suffix() -> str:
    """This page's query string for links to it in another language (dropped when it picks one)."""
    query = request.query_string.decode("latin-1")
    return f"?{query}" if query and "lang=" not in query else ""


def site_url(path: str) -> str:
    """The absolute address of ``path`` on the public site (search engines want absolute alternates)."""
    return current_app.config["SITE_URL"].rstrip("/") + path


def language_links():
    """Each supported language with the URL of this same page in it, relative and absolute."""
    suffix = query_suffix()
    links = []
    for code in supported_locales():
        path = f"/{code}{request.path}{suffix}"
        links.append({"code": code, "name": native_name(code), "url": path, "absolute_url": site_url(path)})
    return links


def canonical_url() -> str:
    """This page's own address: in the language its URL chose, else the negotiated (x-default) one."""
    chosen = request.environ.get(URL_LOCALE_KEY) or match_locale(request.args.get("lang"))
    prefix = f"/{chosen}" if chosen else ""
    return site_url(f"{prefix}{request.path}{query_suffix()}")


def template_globals():
    locale = str(get_locale())
    return {
        "current_locale": locale,
        "text_direction": text_direction(locale),
        "language_links": language_links(),
        "default_language_url": site_url(request.path + query_suffix()),
        "canonical_url": canonical_url(),
    }


def add_vary_header(response):
    """Tell caches that an unprefixed response depends on the browser's language."""
    if URL_LOCALE_KEY not in request.environ and not (request.endpoint or "").endswith("static"):
        response.vary.add("Accept-Language")
    return response


def init_app(app):
    app.wsgi_app = LocalePrefixMiddleware(app.wsgi_app, app.config["LANGUAGES"])
    app.context_processor(template_globals)
    app.add_template_filter(clock.iso, "datetime_attribute")  # <time datetime>: at most ms
    app.after_request(add_vary_header)
