"""HTTP caching for policy pages: ETags, 304 answers and max-age bounded by the next switch-over."""

import hashlib
import time
from datetime import timedelta
from pathlib import Path

from flask import current_app, make_response, request
from flask_babel import get_locale

from clipai import clock, page_cache
from clipai.services import policy
from clipai.services.policy import PolicyState, iso

MAX_AGE_CAP_SECONDS = 300
SALT_KEY = "clipai.policy.etag_salt"
PAGES_KEY = "clipai.policy.pages"
PAGES_KEPT = 256
STATE_KEY = "clipai.policy.versions_read"
VERSIONS_FRESH_SECONDS = 1.0  # a version published by another process shows within this


def current_state() -> PolicyState:
    """The policy state now, reading the versions at most once a second (always while testing).

    Reading them is most of what ``/privacy`` costs; the rule is still evaluated at this
    instant, so a switch-over shows at once, and this process's own publications too.
    """
    if current_app.testing:
        return policy.current_state()
    read = current_app.extensions.get(STATE_KEY)
    if read is not None and time.monotonic() - read[0] < VERSIONS_FRESH_SECONDS:
        return policy.state_of(read[1], clock.now())
    state = policy.current_state()
    current_app.extensions[STATE_KEY] = (time.monotonic(), state.versions)
    return state


def forget_versions():
    """A version was published or withdrawn here: read them again at the next request."""
    current_app.extensions.pop(STATE_KEY, None)
    page_cache.forget(current_app)


def max_age(state: PolicyState) -> int:
    """Seconds a cache may keep the answer: never past the next ``effective_from``."""
    if state.next_switch_over is None:
        return MAX_AGE_CAP_SECONDS
    seconds = int((state.next_switch_over - state.at).total_seconds())
    return max(0, min(MAX_AGE_CAP_SECONDS, seconds))


def upcoming_marker(state: PolicyState) -> str:
    upcoming = state.upcoming
    return f"{upcoming.number}@{iso(upcoming.effective_from)}" if upcoming else "none"


def history_marker(state: PolicyState) -> str:
    """Everything a list of versions shows that can change: new versions, withdrawals, statuses."""
    versions = ",".join(f"{v.number}:{v.sha256[:12]}:{int(v.withdrawn)}" for v in state.versions)
    in_force = state.in_force.number if state.in_force else 0
    return f"{versions}|{in_force}|{upcoming_marker(state)}"


def etag_for(*parts) -> str:
    """Hash the parts with the visitor's locale and the deployed templates and catalogs."""
    salt = current_app.extensions.get(SALT_KEY, "")
    material = "|".join([salt, str(get_locale()), *map(str, parts)])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:40]


def _cache_headers(response, etag: str, state: PolicyState):
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = max_age(state)
    return response


def not_modified(etag: str, state: PolicyState):
    """Return a 304 answer when the client already holds this ETag, else None."""
    if not request.if_none_match.contains_weak(etag):
        return None
    return _cache_headers(make_response("", 304), etag, state)


def cached(body, etag: str, state: PolicyState, mimetype: str | None = None):
    response = make_response(body)
    if mimetype:
        response.mimetype = mimetype
    return _cache_headers(response, etag, state)


def _page_key(etag: str) -> tuple:
    return (etag, request.host, request.script_root, request.path, request.query_string)


def _remembered_page(etag: str) -> str | None:
    entry = current_app.extensions[PAGES_KEY].get(_page_key(etag))
    if entry is None or entry[0] <= clock.now():
        return None
    return entry[1]


def _remember_page(etag: str, state: PolicyState, body: str) -> str:
    # Kept no longer than a shared cache may keep it, so nothing outlives a switch-over.
    lifetime = max_age(state)
    pages = current_app.extensions[PAGES_KEY]
    if lifetime > 0:
        if len(pages) >= PAGES_KEPT:
            pages.clear()
        pages[_page_key(etag)] = (state.at + timedelta(seconds=lifetime), body)
    return body


def respond(etag: str, state: PolicyState, render, mimetype: str | None = None):
    """Answer 304, a page rendered moments ago, or ``render()``'s fresh output, with cache headers."""
    answer = not_modified(etag, state)
    if answer is not None:
        return answer
    body = _remembered_page(etag) or _remember_page(etag, state, render())
    return cached(body, etag, state, mimetype)


def deployment_digest(app) -> str:
    """Digest of the templates and catalogs, so a new deployment never answers 304 with old HTML."""
    digest = hashlib.sha256()
    catalogs = [Path(part) for part in str(app.config["BABEL_TRANSLATION_DIRECTORIES"]).split(";") if part]
    roots = [Path(__file__).parent / "templates", Path(app.root_path) / "templates", *catalogs]
    for root in roots:
        for path in sorted(root.rglob("*")) if root.is_dir() else ():
            if path.is_file() and path.suffix in (".html", ".xml", ".mo"):
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    digest.update(app.config.get("SUPPORT_EMAIL", "").encode())
    return digest.hexdigest()[:16]


def init_app(app):
    app.extensions[SALT_KEY] = deployment_digest(app)
    app.extensions[PAGES_KEY] = {}
