"""Payment card numbers: 13-19 digits written as people write cards, passing the Luhn check.

A run of digit groups joined by single spaces, dots or hyphens (the copy the detectors read has
every kind of space as one plain space, and no invisible characters) is searched for the
leftmost-longest window of whole groups that is card-shaped and passes Luhn. Requiring the
shape keeps other long numbers out: an order number written 302-4815162-3424207 passes Luhn
one time in ten, but no card is grouped 3-7-7.
"""

from __future__ import annotations

import re
from typing import Iterator

from stdnum import luhn

# A run of digits separated by at most one space, dot or hyphen. Unambiguous, so matching is
# linear; a run ends at anything else.
_DIGIT_RUN_RE = re.compile(r"\d(?:[ .-]?\d)*")
_DIGIT_GROUP_RE = re.compile(r"\d+")
CARD_MIN, CARD_MAX = 13, 19


def card_shaped(sizes: list[int]) -> bool:
    """How people group card numbers.

    One compact group, groups of four with a shorter tail (4-4-4-4, 4-4-4-4-3), or the
    Amex/Diners 4-6-5 / 4-6-4 layouts.
    """
    if len(sizes) == 1 or all(size == 4 for size in sizes[:-1]):
        return True
    return sizes in ([4, 6, 5], [4, 6, 4])


def find_cards(text: str) -> Iterator[tuple[int, int]]:
    """Spans of card numbers in ``text``."""
    for run in _DIGIT_RUN_RE.finditer(text):
        groups = [(group.start() + run.start(), group.group()) for group in _DIGIT_GROUP_RE.finditer(run.group())]
        # "+49 1512 3456 7890" is an international phone number, not a card.
        after_plus = run.start() > 0 and text[run.start() - 1] == "+"
        yield from _cards_in_run(groups, first=1 if after_plus else 0)


def _cards_in_run(groups: list[tuple[int, str]], first: int) -> Iterator[tuple[int, int]]:
    """Leftmost-longest card windows of whole groups, not overlapping.

    Every window starting left of a found card was tried and failed, so once the card is
    replaced by a placeholder nothing on either side can become a card: redaction stays
    idempotent.
    """
    i = first
    while i < len(groups):
        j = _longest_card_from(groups, i)
        if j is None:
            i += 1
            continue
        start, _ = groups[i]
        end = groups[j][0] + len(groups[j][1])
        yield start, end
        i = j + 1


def _longest_card_from(groups: list[tuple[int, str]], i: int) -> int | None:
    best, digits, sizes = None, "", []
    for j in range(i, len(groups)):
        digits += groups[j][1]
        sizes.append(len(groups[j][1]))
        if len(digits) > CARD_MAX:
            break
        if len(digits) >= CARD_MIN and card_shaped(sizes) and luhn.is_valid(digits):
            best = j
    return best
