"""Verification for everyone: each version's texts as Markdown files and the hash chain as JSON.

The hash inputs and a recipe that checks them with standard tools are in docs/policy.md.
"""

from flask import abort, jsonify, request, url_for

from blueprints.policy import caching
from blueprints.policy.views import bp
from clipai.services import policy

MARKDOWN_MIMETYPE = "text/markdown"


def text_url(number: int, locale: str) -> str:
    """The stable address of one version's Markdown text in one language."""
    return url_for("policy.version_text", number=number, locale=locale, _external=True)


@bp.get("/privacy/versions/<int:number>/<locale>.md")
def version_text(number, locale):
    """One version's text in one language, byte for byte as it was hashed."""
    state = policy.current_state()
    version = state.get(number)
    if version is None:
        abort(404)
    source = policy.get_version(number).texts.get(locale)
    if source is None:
        abort(404)
    etag = caching.etag_for("text", version.sha256, locale)
    response = caching.respond(etag, state, lambda: source, mimetype=MARKDOWN_MIMETYPE)
    response.headers["Content-Disposition"] = f'inline; filename="clipai-privacy-v{number}-{locale}.md"'
    return response


def chain_entry(version, record) -> dict:
    """Everything needed to recompute a version's hash and its link to the previous one."""
    return {
        "number": version.number,
        "published_at": policy.iso(version.published_at),
        "effective_from": policy.iso(version.effective_from),
        "summary": version.summary,
        "summaries": dict(version.summaries),
        "controlling_locale": version.controlling_locale,
        "withdrawn": version.withdrawn,
        "withdrawn_at": policy.iso(version.withdrawn_at) if version.withdrawn else None,
        "withdrawal_sha256": record.sha256 if record else None,
        "sha256": version.sha256,
        "prev_sha256": version.prev_sha256,
        "texts": {locale: text_url(version.number, locale) for locale in sorted(version.texts)},
        "url": url_for(".version_page", number=version.number, _external=True),
    }


@bp.get("/api/policy/chain")
def api_chain():
    """Every version's hash-chain entry, oldest first, withdrawn ones included."""
    state = policy.current_state()
    etag = caching.etag_for("api-chain", request.url_root, caching.history_marker(state))
    return caching.respond(etag, state, lambda: jsonify(_chain_json()))


def _chain_json() -> dict:
    versions, records = policy.read_chain()
    by_number = {record.number: record for record in records}
    return {"algorithm": "sha256", "versions": [chain_entry(v, by_number.get(v.number)) for v in versions]}
