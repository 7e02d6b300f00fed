"""Word-level differences between versions' texts, or between a draft and a version."""

import difflib
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from clipai.services.errors import ServiceError
from clipai.services.policy.drafts import normalize_markdown
from clipai.services.policy.state import get_version, in_force
from clipai.storage.policy import PolicyVersion

_WORDS = re.compile(r"\s+|\w+|[^\w\s]")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Return ``(kind, text)`` pieces turning ``old`` into ``new``; kind is equal, delete or insert."""
    before, after = _WORDS.findall(old or ""), _WORDS.findall(new or "")
    opcodes = difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    runs: list[list] = []  # ["equal", text] or ["change", deleted, inserted]
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            text = "".join(before[i1:i2])
            # A lone space between two changes reads better as part of one longer change.
            if not text.strip() and runs and runs[-1][0] == "change" and index < len(opcodes) - 1:
                runs[-1][1] += text
                runs[-1][2] += text
            else:
                runs.append(["equal", text])
        elif runs and runs[-1][0] == "change":
            runs[-1][1] += "".join(before[i1:i2])
            runs[-1][2] += "".join(after[j1:j2])
        else:
            runs.append(["change", "".join(before[i1:i2]), "".join(after[j1:j2])])
    return _pieces(runs)


def _pieces(runs) -> list[tuple[str, str]]:
    pieces = []
    for run in runs:
        if run[0] == "equal":
            pieces.append(("equal", run[1]))
            continue
        if run[1]:
            pieces.append(("delete", run[1]))
        if run[2]:
            pieces.append(("insert", run[2]))
    return pieces


_PARAGRAPH_BREAK = re.compile(r"(\n\s*\n)")


def _paragraphs(pieces) -> list[list[tuple[str, str]]]:
    """Split diff pieces into paragraphs at blank lines inside unchanged text."""
    paragraphs: list[list[tuple[str, str]]] = [[]]
    for kind, text in pieces:
        if kind != "equal":
            paragraphs[-1].append((kind, text))
            continue
        parts = _PARAGRAPH_BREAK.split(text)
        for index, part in enumerate(parts):
            if index % 2:  # the break itself ends the paragraph
                paragraphs[-1].append(("equal", part))
                paragraphs.append([])
            elif part:
                paragraphs[-1].append(("equal", part))
    return [paragraph for paragraph in paragraphs if paragraph]


def fold_unchanged(pieces, context: int = 1) -> list[tuple[str, list]]:
    """Group pieces into ``("show", pieces)`` around changes and ``("fold", paragraphs)`` elsewhere."""
    paragraphs = _paragraphs(pieces)
    return fold_runs(paragraphs, [any(kind != "equal" for kind, _ in paragraph) for paragraph in paragraphs], context)


def fold_runs(items, changed, context: int = 1) -> list[tuple[str, list]]:
    """Group ``items`` into ``("show", items)`` near a changed one and ``("fold", items)`` elsewhere."""
    near = [any(changed[max(0, i - context):i + context + 1]) for i in range(len(items))]
    segments: list[tuple[str, list]] = []
    for item, shown in zip(items, near):
        kind = "show" if shown else "fold"
        if segments and segments[-1][0] == kind:
            segments[-1][1].append(item)
        else:
            segments.append((kind, [item]))
    return segments


@dataclass(frozen=True)
class LocaleDiff:
    locale: str
    status: str  # added, removed, changed, unchanged
    pieces: list


def diff_texts(old_texts: dict, new_texts: dict) -> list[LocaleDiff]:
    """Compare two sets of texts locale by locale (locales sorted)."""
    diffs = []
    for locale in sorted(set(old_texts) | set(new_texts)):
        old, new = old_texts.get(locale), new_texts.get(locale)
        if old is None:
            status = "added"
        elif new is None:
            status = "removed"
        else:
            status = "unchanged" if old == new else "changed"
        diffs.append(LocaleDiff(locale, status, word_diff(old or "", new or "")))
    return diffs


def diff_against(base, texts) -> tuple[PolicyVersion | None, list[LocaleDiff]]:
    """Compare draft ``texts`` with version ``base`` (a number, or ``"current"`` for the one in force)."""
    if not isinstance(texts, dict) or any(not isinstance(v, str) for v in texts.values()):
        raise ServiceError("invalid_texts", _l("Send the texts as an object of locale to Markdown."))
    if base in (None, "", "current"):
        version = in_force()
    else:
        try:
            version = get_version(int(base), with_texts=False)
        except (TypeError, ValueError):
            version = None
        if version is None:
            raise ServiceError("unknown_version", _l("There is no such version."))
    if version is not None:
        version = get_version(version.number)
    drafts = {locale: normalize_markdown(text) for locale, text in texts.items() if text.strip()}
    return version, diff_texts(version.texts if version else {}, drafts)
