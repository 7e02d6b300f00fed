"""Translations that fell behind: a text carried over unchanged while the controlling text changed.

Derived from the versions' immutable texts and the order they take force in, so it needs no
column of its own and can never disagree with the texts it describes. A translation stays behind
until it is changed: a later version that changes neither text keeps it flagged.
"""

from clipai.services.policy.drafts import normalize_markdown
from clipai.services.policy.rules import PolicyState, ever_in_force
from clipai.services.policy.state import current_state, get_version
from clipai.storage.policy import PolicyVersion


def lags_behind(old_texts: dict, new_texts: dict, locale: str, controlling_locale: str) -> bool:
    """True when ``locale``'s text is carried over unchanged while the controlling text changed."""
    return (locale != controlling_locale and locale in new_texts and old_texts.get(locale) == new_texts[locale]
            and old_texts.get(controlling_locale) != new_texts.get(controlling_locale))


def _texts(version: PolicyVersion) -> dict:
    return version.texts or get_version(version.number).texts


def outdated_translations(state: PolicyState, version: PolicyVersion) -> dict[str, PolicyVersion]:
    """Map each translation of ``version`` that fell behind to the version that last changed it.

    Walks back through the versions in force before ``version`` while a translation stays the
    same; it fell behind when the controlling text changed on the way.
    """
    texts = _texts(version)
    controlling = version.controlling_locale
    walking = {locale: [version, False] for locale in texts if locale != controlling}  # since, fell behind
    behind: dict[str, PolicyVersion] = {}
    current, current_texts = version, texts
    while walking:
        previous = state.previous_in_force(current)
        if previous is None:
            break
        previous_texts = _texts(previous)
        for locale in list(walking):
            if previous_texts.get(locale) != texts[locale]:  # this translation was written at ``current``
                since, fell = walking.pop(locale)
                if fell:
                    behind[locale] = since
            else:
                walking[locale] = [previous, walking[locale][1] or lags_behind(
                    previous_texts, current_texts, locale, controlling)]
        current, current_texts = previous, previous_texts
    behind.update({locale: since for locale, (since, fell) in walking.items() if fell})
    return dict(sorted(behind.items()))


def outdated_locales(state: PolicyState, version: PolicyVersion) -> list[str]:
    """The locales of ``version`` whose translation fell behind the controlling text, sorted."""
    return list(outdated_translations(state, version))


def draft_outdated_locales(state: PolicyState, base: PolicyVersion | None, texts: dict,
                           controlling_locale: str) -> list[str]:
    """The locales of draft ``texts`` (locale to Markdown) that would be behind if published after ``base``."""
    if base is None:
        return []
    texts = {locale: normalize_markdown(text) for locale, text in texts.items() if text.strip()}
    base_texts = _texts(base)
    already = outdated_translations(state, base)
    return sorted(locale for locale in texts if locale != controlling_locale and base_texts.get(locale) == texts[locale]
                  and (lags_behind(base_texts, texts, locale, controlling_locale) or locale in already))


def outdated_if_published(texts: dict, controlling_locale: str) -> list[str]:
    """The translations that would be behind if draft ``texts`` were published now.

    A new version follows the last version to take force (effective dates follow numbers).
    """
    state = current_state()
    sequence = ever_in_force(state.versions)
    return draft_outdated_locales(state, sequence[-1] if sequence else None, texts, controlling_locale)
