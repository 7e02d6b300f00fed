"""Policy pages, Atom feed, JSON API and the maintainer publishing page."""

from babel import Locale
from flask import Blueprint, abort, jsonify, render_template, request, url_for
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from blueprints.policy import caching, diff_page
from blueprints.policy.strings import publish_page_strings
from clipai.auth import TOKEN_STORAGE_KEY, require_role
from clipai.config import RTL_LOCALES
from clipai.errors import APIError
from clipai.i18n import text_direction
from clipai.services import policy
from clipai.services.errors import ServiceError

bp = Blueprint("policy", __name__, template_folder="templates", static_folder="static",
               static_url_path="/policy/static")

STATUS_LABELS = {
    "in_force": _l("In force"),
    "upcoming": _l("Upcoming"),
    "past": _l("Past version"),
    "withdrawn": _l("Withdrawn"),
}


def visitor_locale() -> str:
    return str(get_locale())


def title_of(text: policy.PolicyText) -> str:
    return text.title or _("Privacy Policy")


def language_in_sentence(code: str) -> str:
    """Name of a language in the visitor's language, as written inside a sentence (``anglais``)."""
    return Locale.parse(code).get_display_name(visitor_locale()) or code


def language_name(code: str) -> str:
    """Name of a language as a label (``Anglais``, ``Englisch``)."""
    name = language_in_sentence(code)
    return name[:1].upper() + name[1:]


def summary_of(version) -> tuple[str, str]:
    """The version's change summary in the visitor's language, else the controlling one, and its locale."""
    return policy.summary_for(version, visitor_locale())


@bp.context_processor
def policy_template_helpers():
    return {"policy_status_labels": STATUS_LABELS, "language_name": language_name, "summary_of": summary_of,
            "language_in_sentence": language_in_sentence, "text_dir": text_direction}


# --- public pages ------------------------------------------------------------------------------


def _text_context(version, state):
    text, fallback = policy.text_for(version, visitor_locale())
    return {
        "behind_since": None if fallback else policy.outdated_translations(state, version).get(text.locale),
        "version": version,
        "text": text,
        "title": title_of(text),
        "fallback": fallback,
        "status": state.status_of(version),
        "state": state,
        "upcoming": state.upcoming,
        "text_locales": sorted(policy.rendered_texts(version)),
    }


@bp.get("/privacy")
def current():
    """The version in force, in the visitor's language when it exists."""
    state = policy.current_state()
    version = state.in_force
    etag = caching.etag_for("current", version.sha256 if version else "none", caching.upcoming_marker(state))
    if version is None:
        return caching.respond(etag, state, lambda: render_template(
            "policy/none.html", state=state, upcoming=state.upcoming))
    return caching.respond(etag, state, lambda: render_template(
        "policy/current.html", **_text_context(version, state)))


@bp.get("/privacy/versions")
def history():
    """Every version with its summary and status."""
    state = policy.current_state()
    versions = sorted(state.versions, key=lambda v: v.number, reverse=True)
    etag = caching.etag_for("history", caching.history_marker(state))
    return caching.respond(etag, state, lambda: render_template(
        "policy/history.html", state=state, versions=versions))


@bp.get("/privacy/versions/<int:number>")
def version_page(number):
    """The permanent page of one version."""
    state = policy.current_state()
    version = state.get(number)
    if version is None:
        abort(404)
    etag = caching.etag_for("version", version.sha256, caching.history_marker(state))
    return caching.respond(etag, state, lambda: render_template(
        "policy/version.html", previous=state.previous_in_force(version), **_text_context(version, state)))


def _diff_locale(old, new) -> str:
    locales = set(old.texts) | set(new.texts)
    for candidate in (request.args.get("text"), visitor_locale(), new.controlling_locale):
        if candidate in locales:
            return candidate
    return sorted(locales)[0]


@bp.get("/privacy/versions/<int:a>/diff/<int:b>")
def diff(a, b):
    """Word-level differences from version ``a`` to version ``b`` in one language at a time."""
    state = policy.current_state()
    if state.get(a) is None or state.get(b) is None:
        abort(404)
    old, new = policy.get_version(a), policy.get_version(b)
    locale, view = _diff_locale(old, new), diff_page.chosen_view()
    etag = caching.etag_for("diff", old.sha256, new.sha256, locale, view)
    return caching.respond(etag, state, lambda: diff_page.render(old, new, locale, view, state))


def _feed_entry(version):
    text, _fallback = policy.text_for(version, visitor_locale())
    effective = format_datetime(version.effective_from, "long")
    return {
        "id": url_for(".version_page", number=version.number, _external=True),
        "url": url_for(".version_page", number=version.number, _external=True),
        "title": (_("Privacy policy version %(number)d (withdrawn)", number=version.number) if version.withdrawn
                  else _("Privacy policy version %(number)d", number=version.number)),
        "published": policy.iso(version.published_at),
        "updated": policy.iso(version.withdrawn_at if version.withdrawn else version.published_at),
        "summary": summary_of(version)[0],
        "content": render_template("policy/_feed_entry.html", version=version, text=text, effective=effective),
        "number": version.number,
        "effective_from": policy.iso(version.effective_from),
        "withdrawn_at": policy.iso(version.withdrawn_at) if version.withdrawn else "",
        "sha256": version.sha256,
        "prev_sha256": version.prev_sha256 or "",
        "locales": sorted(policy.rendered_texts(version)),
    }


@bp.get("/privacy/feed.atom")
def feed():
    """Atom feed: one entry per version, upcoming and withdrawn ones included, with its hash-chain entry."""
    state = policy.current_state()
    etag = caching.etag_for("feed", request.url_root, caching.history_marker(state))
    return caching.respond(etag, state, lambda: _render_feed(state), mimetype="application/atom+xml")


def _render_feed(state) -> str:
    versions = sorted(state.versions, key=lambda v: v.number, reverse=True)
    changes = [v.published_at for v in state.versions] + [v.withdrawn_at for v in state.versions if v.withdrawn]
    return render_template(
        "policy/feed.xml",
        feed_id=url_for(".feed", _external=True),
        feed_title=_("ClipAI privacy policy versions"),
        page_url=url_for(".current", _external=True),
        updated=policy.iso(max(changes)) if changes else "2000-01-01T00:00:00.000000Z",
        entries=[_feed_entry(v) for v in versions],
        author=_("ClipAI"),
    )


# --- JSON API ----------------------------------------------------------------------------------


def _version_summary_json(version, state) -> dict:
    return {
        "number": version.number,
        "status": state.status_of(version),
        "published_at": policy.iso(version.published_at),
        "effective_from": policy.iso(version.effective_from),
        "withdrawn_at": policy.iso(version.withdrawn_at) if version.withdrawn else None,
        "summary": version.summary,
        "summaries": version.summaries,
        "controlling_locale": version.controlling_locale,
        "sha256": version.sha256,
        "prev_sha256": version.prev_sha256,
        "url": url_for(".version_page", number=version.number, _external=True),
    }


def _version_detail_json(version, state) -> dict:
    text, _fallback = policy.text_for(version, visitor_locale())
    texts = version.texts or policy.get_version(version.number).texts
    return {
        **_version_summary_json(version, state),
        "locales": sorted(texts),
        "locale": text.locale,
        "title": title_of(text),
        "html": text.html,
        "texts": texts,
        "outdated_locales": policy.outdated_locales(state, version),
    }


def _upcoming_json(state):
    upcoming = state.upcoming
    return {"number": upcoming.number, "effective_from": policy.iso(upcoming.effective_from)} if upcoming else None


@bp.get("/api/policy/current")
def api_current():
    """The version in force, rendered in the requested language (``?lang=``)."""
    state = policy.current_state()
    version = state.in_force
    if version is None:
        raise APIError(404, "no_policy", _l("No privacy policy is in force yet."), upcoming=_upcoming_json(state))
    etag = caching.etag_for("api-current", version.sha256, caching.upcoming_marker(state))
    return caching.respond(etag, state, lambda: jsonify(_current_json(version, state)))


def _current_json(version, state) -> dict:
    text, _fallback = policy.text_for(version, visitor_locale())
    return {
        "number": version.number,
        "effective_from": policy.iso(version.effective_from),
        "published_at": policy.iso(version.published_at),
        "locale": text.locale,
        "controlling_locale": version.controlling_locale,
        "title": title_of(text),
        "html": text.html,
        "sha256": version.sha256,
        "prev_sha256": version.prev_sha256,
        "upcoming": _upcoming_json(state),
        "outdated_locales": policy.outdated_locales(state, version),
    }


@bp.get("/api/policy/versions")
def api_versions():
    """Every version, oldest first, withdrawn ones marked."""
    state = policy.current_state()
    etag = caching.etag_for("api-versions", request.url_root, caching.history_marker(state))
    return caching.respond(etag, state, lambda: jsonify([_version_summary_json(v, state) for v in state.versions]))


@bp.get("/api/policy/versions/<int:number>")
def api_version(number):
    """One version with its Markdown texts and the text rendered in the requested language."""
    state = policy.current_state()
    version = state.get(number)
    if version is None:
        raise APIError(404, "unknown_version", _l("There is no such version."))
    etag = caching.etag_for("api-version", request.url_root, version.sha256, caching.history_marker(state))
    return caching.respond(etag, state, lambda: jsonify(_version_detail_json(policy.get_version(number), state)))


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise APIError(400, "invalid_json", _l("Send a JSON object."))
    return body


def _refused(error: ServiceError, status: int = 400):
    details = {"fields": error.fields} if isinstance(error, policy.PolicyInvalid) else dict(error.details)
    return APIError(status, error.code, error.message, **details)


@bp.post("/api/policy/versions")
@require_role("maintainer")
def api_publish():
    """Publish a new version: ``{texts: {en: "…"}, summary, effective_from?}``."""
    body = _json_body()
    try:
        version = policy.publish(
            body.get("texts"), body.get("summary"), body.get("effective_from"),
            body.get("controlling_locale", policy.DEFAULT_CONTROLLING_LOCALE), body.get("summaries"),
        )
    except ServiceError as error:
        raise _refused(error, 409 if error.code == "scheduled_version_pending" else 400) from error
    response = jsonify(_version_detail_json(version, policy.current_state()))
    response.headers["Location"] = url_for(".api_version", number=version.number)
    return response, 201


@bp.post("/api/policy/preview")
@require_role("maintainer")
def api_preview():
    """Render a draft text to the same sanitized HTML a published version gets."""
    try:
        html = policy.preview_html(_json_body().get("markdown"))
    except ServiceError as error:
        raise _refused(error) from error
    return jsonify(html=html)


@bp.post("/api/policy/diff")
@require_role("maintainer")
def api_diff():
    """Compare draft texts with a version (``?base=current`` by default), per language."""
    base = request.args.get("base", "current")
    texts = _json_body().get("texts")
    try:
        version, diffs = policy.diff_against(base, texts)
    except ServiceError as error:
        raise _refused(error, 404 if error.code == "unknown_version" else 400) from error
    outdated = policy.draft_outdated_locales(policy.current_state(), version, texts, policy.DEFAULT_CONTROLLING_LOCALE)
    return jsonify(
        outdated_locales=outdated,
        base={"number": version.number, "effective_from": policy.iso(version.effective_from)} if version else None,
        locales=[
            {"locale": d.locale, "status": d.status, "label": str(diff_page.DIFF_STATUS_LABELS[d.status]),
             "html": str(diff_page.diff_markup(d.pieces)), "outdated": d.locale in outdated}
            for d in diffs
        ],
    )


# --- maintainer page ---------------------------------------------------------------------------


@bp.get("/console/policy")
def publish_page():
    """Maintainers write, preview, compare and publish a new version (token from sessionStorage)."""
    locales = list(policy.supported_locales())
    data = {
        "tokenKey": TOKEN_STORAGE_KEY,
        "controllingLocale": policy.DEFAULT_CONTROLLING_LOCALE,
        "locales": [{"code": code, "dir": "rtl" if code in RTL_LOCALES else "ltr"} for code in locales],
        "urls": {
            "token": url_for("auth.create_token"),
            "current": url_for(".api_current"),
            "versions": url_for(".api_versions"),
            "preview": url_for(".api_preview"),
            "diff": url_for(".api_diff", base="current"),
            "versionPage": url_for(".history"),
        },
        "strings": publish_page_strings(),
    }
    return render_template("policy/publish.html", data=data, locales=locales,
                           controlling=policy.DEFAULT_CONTROLLING_LOCALE, chat_widget_hidden=True)
