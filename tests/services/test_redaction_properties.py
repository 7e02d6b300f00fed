"""clipai.services.redaction: properties over generated messages, and the digit-count shortcut."""

from __future__ import annotations

import re

import phonenumbers
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher, PhoneNumberType

from clipai.services.redaction import KINDS, ibans, phones
from tests.fixtures.redaction import MARKERS, PLACEHOLDERS, redact

MARK = re.compile(r"<(email|phone|card|iban)>")


# ---------------------------------------------------------------------------
# property-based
# ---------------------------------------------------------------------------

_FRAGMENTS = [
    "john.doe@example.com",
    "иван@пример.рф",
    "<a@b.co>",
    "+7 916 123-45-67",
    "8 (916) 123-45-67",
    "+49 30 12345678",
    "+33 1 42 68 53 00",
    "(650) 253-0000",
    "4111 1111 1111 1111",
    "4111111111111112",
    "5500-0000-0000-0004",
    "DE89 3704 0044 0532 0130 00",
    "de89370400440532013000",
    "DE88 3704 0044 0532 0130 00",
    "12.05.2024",
    "2024-05-12",
    "$1,299.99",
    "1 299 ₽",
    "v2.10.3",
    "#12345",
    "14:30",
    "@",
    "+",
    "-",
]

_ALPHABET = st.sampled_from(
    list("aZé я ع0123456789 -+.@#()/:,\n€₽٣＠．ｅ１") + ["\u00a0", "\u2588", "\u200b", "\u2009", "\u202f", "\u0301"]
)
_NOISE = st.text(alphabet=_ALPHABET, max_size=12)
_MESSAGE = st.lists(st.one_of(st.sampled_from(_FRAGMENTS), _NOISE), max_size=12).map("".join)
_REGION = st.sampled_from([None, "US", "RU", "DE", "FR", "ES", "AE"])



def _found(text: str, region) -> tuple[list[str], list[str]]:
    """The kinds found in ``text``, in order, and the untouched gaps around them."""
    pieces = MARK.split(redact(text, MARKERS, region).text)
    return pieces[1::2], pieces[0::2]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(_MESSAGE, st.text(max_size=200)), region=_REGION)
def test_property_redact_is_safe(text, region):
    assume(not MARK.search(text))
    result = redact(text, region=region)  # never raises
    kinds, gaps = _found(text, region)

    # kinds: each once, in KINDS order
    assert result.kinds == tuple(k for k in KINDS if k in kinds)

    # findings are real, ordered, non-empty and non-overlapping spans: the gaps are the text's own
    assert text.startswith(gaps[0]) and text.endswith(gaps[-1])
    position = len(gaps[0])
    for gap in gaps[1:]:
        found = text.find(gap, position + 1)
        assert found > position
        position = found + len(gap)
    removed = len(text) - sum(map(len, gaps))
    assert removed >= len(kinds)
    assert len(redact(text, dict.fromkeys(KINDS, ""), region).text) == len(text) - removed

    # the output is the untouched gaps joined by placeholders, and nothing detectable is left
    assert result.text == "".join(
        gap + (PLACEHOLDERS[kind] if kind else "") for gap, kind in zip(gaps, kinds + [None])
    )
    assert redact(result.text, region=region).kinds == ()


@settings(max_examples=200, deadline=None)
@given(text=_MESSAGE, region=_REGION)
def test_property_idempotent(text, region):
    once = redact(text, region=region).text
    assert redact(once, region=region).text == once


# --- the digit-count shortcut never hides a number -----------------------------------------

HINTED_REGIONS = [None, "US", "RU", "DE", "ES", "FR", "EG", "AT", "NU", "SH"]


@pytest.mark.parametrize("region", sorted(phonenumbers.SUPPORTED_REGIONS))
def test_every_regions_shortest_example_numbers_are_found(region):
    # Texts with too few digits skip the phone matcher: each region's example numbers, in both
    # formats, with and without that region as the hint, must still be removed.
    for kind in (PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.TOLL_FREE):
        number = phonenumbers.example_number_for_type(region, kind)
        if number is None:
            continue
        international = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
        assert _found(f"call {international} now", None)[0] == ["phone"], international
        national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
        if phonenumbers.is_valid_number(phonenumbers.parse(national, region)):
            assert "phone" in _found(f"call {national} now", region)[0], (region, national)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(alphabet="0123456789 +-()./", max_size=24), region=st.sampled_from(HINTED_REGIONS))
def test_property_the_shortcut_agrees_with_the_matcher(text, region):
    if any(True for _ in PhoneNumberMatcher(text, region, leniency=Leniency.VALID)):
        assert sum(char.isdigit() for char in text) >= phones.fewest_phone_digits(region), text


def test_python_stdnum_still_describes_iban_structures():
    # The reader takes each country's IBAN length from python-stdnum's registry data (BBAN
    # formats such as "8!n10!n"); if that format moved, no IBAN would be found at all.
    assert ibans.iban_length("DE") == 22 and ibans.iban_length("FR") == 27 and ibans.iban_length("MT") == 31, (
        "python-stdnum: stdnum.numdb.get('iban').info(country) no longer gives a 'bban' format like '8!n10!n'"
    )
    assert ibans.iban_length("XX") is None
