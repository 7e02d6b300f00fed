"""Rendering versions' Markdown to sanitized HTML, once per version (its content never changes)."""

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from clipai import markdown, storage
from clipai.services.errors import ServiceError
from clipai.services.policy.drafts import MAX_TEXT_LENGTH, UNREADABLE_TEXT, UNSTORABLE
from clipai.storage import policy as policy_store
from clipai.storage.policy import PolicyVersion

RENDER_CACHE_KEY = "clipai.policy.rendered"
RENDER_CACHE_VERSIONS = 64


@dataclass(frozen=True)
class PolicyText:
    """One locale's text of a version, rendered and sanitized."""

    locale: str
    title: str
    html: str
    is_controlling: bool


def _render_cache() -> dict:
    return current_app.extensions.setdefault(RENDER_CACHE_KEY, {})


def rendered_texts(version: PolicyVersion) -> dict[str, PolicyText]:
    """Return every locale's rendered text; a version's content never changes, so it is cached."""
    cache = _render_cache()
    found = cache.get(version.sha256)
    if found is None:
        texts = version.texts
        if not texts:
            with storage.reading() as conn:
                texts = policy_store.texts_of(conn, version.number)
        found = {}
        for locale, source in texts.items():
            document = markdown.render_document(source)
            found[locale] = PolicyText(locale, document.title, document.html, locale == version.controlling_locale)
        if len(cache) >= RENDER_CACHE_VERSIONS:
            cache.clear()
        cache[version.sha256] = found
    return found


def text_for(version: PolicyVersion, locale: str) -> tuple[PolicyText, bool]:
    """Return the text in ``locale``, else the controlling text; the flag says a fallback happened."""
    texts = rendered_texts(version)
    if locale in texts:
        return texts[locale], False
    return texts[version.controlling_locale], True


def summary_for(version: PolicyVersion, locale: str) -> tuple[str, str]:
    """Return ``(summary, its locale)``: the summary in ``locale``, else the controlling one."""
    if locale in version.summaries:
        return version.summaries[locale], locale
    return version.summary, version.controlling_locale


def preview_html(source) -> str:
    """Render a draft text exactly as a published one would be."""
    if not isinstance(source, str):
        raise ServiceError("invalid_markdown", _l("Send the Markdown text as a string."))
    if len(source) > MAX_TEXT_LENGTH:
        raise ServiceError("text_too_long", _l("A text may have at most %(count)d characters.", count=MAX_TEXT_LENGTH))
    if UNSTORABLE.search(source):
        raise ServiceError("invalid_characters", UNREADABLE_TEXT)
    return markdown.to_html(source)


