"""The diff page: the rendered text's changes by default, the Markdown source's one click away."""

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup, escape

from clipai.services import policy

DIFF_STATUS_LABELS = {
    "added": _l("New language"),
    "removed": _l("Language removed"),
    "changed": _l("Changed"),
    "unchanged": _l("No changes"),
}


def chosen_view() -> str:
    """``?view=markdown`` shows the Markdown source's changes; anything else the rendered text's."""
    return "markdown" if request.args.get("view") == "markdown" else "rendered"


def _fold(label: str, inner: str) -> str:
    return f'<details class="policy-diff-fold"><summary>{escape(label)}</summary>{inner}</details>'


def _pieces_markup(pieces) -> str:
    tags = {"delete": "del", "insert": "ins"}
    parts = []
    for kind, text in pieces:
        tag = tags.get(kind)
        parts.append(f"<{tag}>{escape(text)}</{tag}>" if tag else str(escape(text)))
    return "".join(parts)


def diff_markup(pieces) -> Markup:
    """Render diff pieces as escaped text with ``<del>``/``<ins>``, folding long unchanged stretches."""
    parts = []
    for kind, paragraphs in policy.fold_unchanged(pieces):
        inner = "".join(_pieces_markup(paragraph) for paragraph in paragraphs)
        if kind == "show":
            parts.append(inner)
            continue
        parts.append(_fold(ngettext("%(num)d unchanged paragraph", "%(num)d unchanged paragraphs", len(paragraphs)),
                           inner))
    return Markup("".join(parts))


def rendered_markup(blocks) -> Markup:
    """Join the rendered diff's blocks (already sanitized), folding long unchanged stretches."""
    parts = []
    for kind, run in policy.fold_runs(blocks, [block.changed for block in blocks]):
        inner = "".join(block.html for block in run)
        if kind == "show" or len(run) == 1:  # folding one block would hide as much as it shows
            parts.append(inner)
            continue
        parts.append(_fold(ngettext("%(num)d unchanged part", "%(num)d unchanged parts", len(run)), inner))
    return Markup("".join(parts))


def render(old, new, locale: str, view: str, state) -> str:
    """The diff page of ``old`` → ``new`` in ``locale``, rendered or as Markdown source."""
    diffs = {d.locale: d for d in policy.diff_texts(old.texts, new.texts)}
    chosen = diffs[locale]
    if view == "markdown":
        diff_html = diff_markup(chosen.pieces)
    else:
        diff_html = rendered_markup(policy.rendered_diff(old.texts.get(locale, ""), new.texts.get(locale, "")))
    behind = [code for code in diffs if policy.lags_behind(old.texts, new.texts, code, new.controlling_locale)]
    return render_template(
        "policy/diff.html", old=old, new=new, locale=locale, diffs=diffs, chosen=chosen, view=view,
        behind=behind, diff_html=diff_html, diff_labels=DIFF_STATUS_LABELS, state=state,
    )
