"""Recall and false positives of the PII guard on the project's corpus (reported in docs/chat.md).

Each case of ``pii_corpus.tsv`` goes through ``redact`` with the region hint the chat uses for
its locale, exactly as a visitor's message does before it is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from clipai.services.conversations.posting import REGION_HINTS
from tests.fixtures.redaction import redact

CORPUS = Path(__file__).with_name("pii_corpus.tsv")
LOCALES = ("en", "ru", "de", "es", "fr", "ar")

# Every line of the corpus is a format visitors really type and the guard promises to handle:
# a miss is a regression, not noise. Recall below 1 would mean a promise was dropped.
RECALL_THRESHOLD = 1.0


@dataclass(frozen=True)
class Case:
    line: int
    locale: str
    kinds: frozenset
    text: str

    @property
    def personal(self) -> bool:
        return bool(self.kinds)


def _unescape(text: str) -> str:
    # Invisible and look-alike characters are written as \uXXXX in the file.
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)


def load_corpus() -> list[Case]:
    cases = []
    for number, line in enumerate(CORPUS.read_text(encoding="utf-8").splitlines(), start=1):
        if not line or line.startswith("#"):
            continue
        locale, kinds, text = line.split("\t")
        found = frozenset() if kinds == "-" else frozenset(kinds.split(","))
        cases.append(Case(number, locale, found, _unescape(text)))
    return cases


def removed_kinds(case: Case) -> frozenset:
    return frozenset(redact(case.text, region=REGION_HINTS[case.locale]).kinds)


def measure(cases: list[Case]) -> tuple[list[Case], list[Case]]:
    """The personal cases missed (a kind left in) and the cases with something wrongly removed."""
    missed, wrongly_removed = [], []
    for case in cases:
        removed = removed_kinds(case)
        if not case.kinds <= removed:
            missed.append(case)
        if removed - case.kinds:
            wrongly_removed.append(case)
    return missed, wrongly_removed


def _describe(cases: list[Case]) -> str:
    return "\n".join(f"line {c.line} [{c.locale}] {c.text!r}" for c in cases)


def test_corpus_covers_every_locale_with_both_kinds_of_talk():
    cases = load_corpus()
    assert len(cases) >= 150
    assert {case.locale for case in cases} == set(LOCALES)
    for locale in LOCALES:
        mine = [case for case in cases if case.locale == locale]
        assert sum(case.personal for case in mine) >= 10, locale
        assert sum(not case.personal for case in mine) >= 10, locale


@pytest.fixture(scope="module")
def measured():
    cases = load_corpus()
    missed, wrongly_removed = measure(cases)
    return cases, missed, wrongly_removed


def test_recall_on_the_corpus(measured):
    cases, missed, _ = measured
    personal = [case for case in cases if case.personal]
    recall = 1 - len(missed) / len(personal)
    assert recall >= RECALL_THRESHOLD, f"recall {recall:.3f}, missed:\n{_describe(missed)}"


def test_no_false_positives_on_the_corpus(measured):
    _, _, wrongly_removed = measured
    assert not wrongly_removed, f"{len(wrongly_removed)} false positives:\n{_describe(wrongly_removed)}"
