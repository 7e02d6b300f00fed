"""Differences between two texts as readers see them: the rendered HTML, changed words marked.

Both texts are rendered to sanitized HTML and cut into tags and words; the word sequences are
compared, and the answer keeps the NEW text's tags in order (so it stays well formed), wraps
added words in ``<ins>`` and puts removed words in ``<del>`` where they stood. The answer is cut
into top-level blocks (headings, paragraphs, lists), each flagged when it holds a change, and
each cleaned again by the sanitizer.
"""

import difflib
import re
from dataclasses import dataclass

from clipai import markdown

_TOKENS = re.compile(r"<[^>]*>|&#?\w+;|\w+|\s+|[^\w\s<&]")
_TAG_NAME = re.compile(r"</?([a-z0-9]+)")
_VOID = frozenset({"br", "hr"})
# Where removed words may stand as they are; elsewhere they get the element their parent allows.
_WRAP_REMOVED = {"ul": ("<li>", "</li>"), "ol": ("<li>", "</li>"), "tr": ("<td>", "</td>"),
                 "table": ("<tr><td>", "</td></tr>"), "thead": ("<tr><td>", "</td></tr>"),
                 "tbody": ("<tr><td>", "</td></tr>"), "blockquote": ("<p>", "</p>"), None: ("<p>", "</p>")}
DIFF_TAGS = ("ins",)


@dataclass(frozen=True)
class Block:
    """One top-level block of the compared text: its sanitized HTML and whether it holds a change."""

    html: str
    changed: bool


def _is_tag(token: str) -> bool:
    return token.startswith("<")


class _Writer:
    """Collects the answer block by block, tracking the open elements of the new text."""

    def __init__(self):
        self.stack: list[str] = []
        self.blocks: list[Block] = []
        self.parts: list[str] = []
        self.changed = False

    def tag(self, token: str):
        self.parts.append(token)
        name = _TAG_NAME.match(token).group(1)
        if token.startswith("</"):
            if name in self.stack:
                del self.stack[len(self.stack) - 1 - self.stack[::-1].index(name):]
        elif name not in _VOID:
            self.stack.append(name)
        if not self.stack:
            self.end_block()

    def text(self, token: str):
        self.parts.append(token)

    def inserted(self, text: str):
        if text.strip():
            self.parts.append(f"<ins>{text}</ins>")
            self.changed = True
        else:
            self.parts.append(text)

    def removed(self, text: str):
        words = text.strip()
        if not words:
            return
        before, after = _WRAP_REMOVED.get(self.stack[-1] if self.stack else None, ("", ""))
        if not before and text[0].isspace():
            before = " "  # keep the space that separated the removed words from the ones before
        self.parts.append(f"{before}<del>{words}</del>{after}")
        self.changed = True
        if not self.stack:
            self.end_block()

    def end_block(self):
        html = "".join(self.parts)
        if html.strip():
            self.blocks.append(Block(markdown.sanitize(html, extra_tags=DIFF_TAGS), self.changed))
        self.parts, self.changed = [], False


def _removed_text(tokens) -> str:
    """The words of removed tokens; a dropped tag between two words leaves a space."""
    parts = []
    for token in tokens:
        if not _is_tag(token):
            parts.append(token)
        elif parts and not parts[-1].isspace():
            parts.append(" ")
    return "".join(parts)


def _inserted(writer: _Writer, tokens):
    run: list[str] = []
    for token in tokens:
        if _is_tag(token):
            writer.inserted("".join(run))
            run = []
            writer.tag(token)
        else:
            run.append(token)
    writer.inserted("".join(run))


def _merged_opcodes(before, after):
    """Opcodes with a lone space between two changes folded into one longer change."""
    opcodes = difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    merged: list[list] = []
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        lone_space = op == "equal" and all(t.isspace() for t in before[i1:i2]) and 0 < index < len(opcodes) - 1
        if merged and merged[-1][0] != "equal" and (op != "equal" or lone_space):
            merged[-1] = ["replace", merged[-1][1], i2, merged[-1][3], j2]
        else:
            merged.append([op, i1, i2, j1, j2])
    return merged


def _starts_an_element(tokens) -> bool:
    return bool(tokens) and _is_tag(tokens[0]) and not tokens[0].startswith("</")


def _slide_deletions(opcodes, before):
    """Move a removal that spans element boundaries so that it covers whole elements.

    Removing the second of three list items can be matched as "…one[</li><li>two]</li>…" or as
    "…one</li>[<li>two</li>]…": the same change, but only the second keeps the removed item an item.
    """
    for index in range(1, len(opcodes) - 1):
        op, i1, i2, j1, j2 = opcodes[index]
        after_op = opcodes[index + 1]
        if op != "delete" or opcodes[index - 1][0] != "equal" or after_op[0] != "equal":
            continue
        shift = 0
        while i1 + shift < after_op[2] and i2 + shift < after_op[2] and before[i1 + shift] == before[i2 + shift] \
                and not _starts_an_element(before[i1 + shift:i2 + shift]):
            shift += 1
        if shift and _starts_an_element(before[i1 + shift:i2 + shift]):
            opcodes[index - 1][2] += shift
            opcodes[index - 1][4] += shift
            opcodes[index] = [op, i1 + shift, i2 + shift, j1 + shift, j2 + shift]
            after_op[1] += shift
            after_op[3] += shift
    return opcodes


def rendered_diff(old_markdown: str, new_markdown: str) -> list[Block]:
    """Compare two Markdown texts as rendered; the blocks of the new text with changes marked."""
    before = _TOKENS.findall(markdown.to_html(old_markdown or ""))
    after = _TOKENS.findall(markdown.to_html(new_markdown or ""))
    writer = _Writer()
    for op, i1, i2, j1, j2 in _slide_deletions(_merged_opcodes(before, after), before):
        if op == "equal":
            for token in after[j1:j2]:
                writer.tag(token) if _is_tag(token) else writer.text(token)
            continue
        writer.removed(_removed_text(before[i1:i2]))
        _inserted(writer, after[j1:j2])
    writer.end_block()
    return writer.blocks
