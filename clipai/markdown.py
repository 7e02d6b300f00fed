"""Markdown to sanitized HTML: CommonMark without raw HTML, cleaned again by an allow-list.

The output depends only on the input text and the pinned library versions, so every process
renders the same bytes for the same text.
"""

from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset({
    "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "td": {"align"}, "th": {"align"}}
# Relative links (no scheme) stay allowed; every other scheme, javascript: included, is dropped.
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})


def _parser() -> MarkdownIt:
    # Images are off: the site promises to load nothing from other websites.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    ).disable("image")


_PARSER = _parser()


@dataclass(frozen=True)
class Rendered:
    """A document's plain-text title (its leading ``#`` heading) and its sanitized HTML body."""

    title: str
    html: str


def sanitize(html: str, extra_tags=()) -> str:
    """Keep only allow-listed tags (plus ``extra_tags``, e.g. a diff's ``ins``), attributes and link schemes."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS) | set(extra_tags),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def to_html(markdown: str) -> str:
    """Render Markdown to sanitized HTML."""
    return sanitize(_PARSER.render(markdown or ""))


def render_document(markdown: str) -> Rendered:
    """Split off a leading level-1 heading as the title and render the rest."""
    tokens = _PARSER.parse(markdown or "")
    title = ""
    if len(tokens) >= 3 and tokens[0].type == "heading_open" and tokens[0].tag == "h1":
        title = _plain_text(tokens[1])
        tokens = tokens[3:]
    body = _PARSER.renderer.render(tokens, _PARSER.options, {})
    return Rendered(title=title, html=sanitize(body))


def _plain_text(inline_token) -> str:
    parts = [
        " " if child.type in ("softbreak", "hardbreak") else child.content
        for child in inline_token.children or ()
        if child.type in ("text", "code_inline", "softbreak", "hardbreak")
    ]
    return " ".join("".join(parts).split())
