"""HTTP caching for policy pages: ETags, 304 answers and max-age bounded by the next switch-over."""

import hashlib
from pathlib import Path

from flask import current_app, make_response, request
from flask_babel import get_locale

from clipai import signals
from clipai.runtime import page_cache
from clipai.services.policy import PolicyState, iso

MAX_AGE_CAP_SECONDS = 300
SALT_KEY = "clipai.policy.etag_salt"


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


def respond(etag: str, state: PolicyState, render, mimetype: str | None = None):
    """Answer 304 when the client holds ``etag``, else ``render()``'s body; both with cache headers.

    Every policy route answers through here; rendered pages are kept by the page cache
    (``clipai/runtime/page_cache.py``) in front of Flask, the one cache layer for whole answers.
    """
    if request.if_none_match.contains_weak(etag):
        response = make_response("", 304)
    else:
        response = make_response(render())
        if mimetype:
            response.mimetype = mimetype
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = max_age(state)
    return response


def forget_pages(app, **_change):
    """A version was published or withdrawn in this process (page, API or CLI): drop kept answers."""
    page_cache.forget(app)


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
    signals.policy_changed.connect(forget_pages, sender=app)
