"""Phone numbers: international anywhere, national in the page's region and in the site's regions.

Three sources of findings, each a span of the matching copy:

1. ``phonenumbers.PhoneNumberMatcher`` (``Leniency.VALID``) without a region: numbers written
   internationally ("+49 30 …", "0049 …" needs a region for its dialling prefix).
2. The same matcher with the caller's region hint (the page's locale): numbers written
   nationally there, in any layout the library accepts.
3. Numbers written nationally in one of the regions the site's locales imply
   (:data:`LOCALE_REGIONS`), typed on any page: a visitor from Moscow on the English page
   writes "8 (912) 345-67-89". Without the page's hint the evidence must be stronger, so such
   a number counts only when it starts with its region's trunk prefix ("8" in Russia, "0" in
   Germany, France, Egypt…, "1" in North America), or, where the region has none (Spain,
   Mexico), when it is written in groups.

All three drop what people write next to such numbers that is not a phone: a number after an
order/ticket/invoice word or a "#", "№", "Nr.", "nº" mark, a number glued to a code
("INV-2026-004512"), and a date ("06.12.2026").
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

import phonenumbers
from phonenumbers import CountryCodeSource, Leniency, NumberParseException, PhoneNumberMatcher

from .normalize import mask

# The regions each of the site's locales implies; their national formats are recognised on every
# page. Canada shares the North American plan with the US and Kazakhstan Russia's +7, so they
# come with them. Regions whose numbers have no trunk prefix and only eight digits (Gulf states)
# are left to the international form: eight grouped digits are too often something else.
LOCALE_REGIONS: dict[str, tuple[str, ...]] = {
    "en": ("US", "GB", "IE", "AU"),
    "ru": ("RU", "BY", "UA"),
    "de": ("DE", "AT", "CH"),
    "es": ("ES", "MX", "AR", "CO"),
    "fr": ("FR", "BE", "CH"),
    "ar": ("EG", "SA", "AE", "IQ", "MA", "DZ", "JO"),
}
SITE_REGIONS: tuple[str, ...] = tuple(dict.fromkeys(r for regions in LOCALE_REGIONS.values() for r in regions))
_TRUNK_PREFIXES = tuple(
    (region, phonenumbers.PhoneMetadata.metadata_for_region(region).national_prefix or "")
    for region in SITE_REGIONS
)
_SUPPORTED_REGIONS = frozenset(phonenumbers.SUPPORTED_REGIONS)
_MIN_DIGITS, _MAX_DIGITS = 6, 15  # national numbers written with their trunk prefix
_MAX_GROUPS = 6  # "8 (912) 345-67-89" has five


def normalize_region(region: str | None) -> str | None:
    """Accept "RU", "ru", "ru-RU", "de_DE"; anything unknown means no hint."""
    if not region or not isinstance(region, str):
        return None
    candidate = region.replace("_", "-").split("-")[-1].strip().upper()
    return candidate if candidate in _SUPPORTED_REGIONS else None


# ---------------------------------------------------------------------------------------------
# the digit-count shortcut: texts with too few digits skip the matcher (tens of microseconds)
# ---------------------------------------------------------------------------------------------


def _shortest_valid_length(metadata) -> int:
    """The fewest digits of any valid national number the metadata describes."""
    descriptions = [metadata.general_desc, metadata.fixed_line, metadata.mobile, metadata.toll_free,
                    metadata.premium_rate, metadata.shared_cost, metadata.personal_number, metadata.voip,
                    metadata.pager, metadata.uan, metadata.voicemail]
    return min(n for desc in descriptions if desc is not None for n in desc.possible_length if n > 0)


_SHORTEST_NATIONAL = {
    region: _shortest_valid_length(phonenumbers.PhoneMetadata.metadata_for_region(region))
    for region in _SUPPORTED_REGIONS
}
# Written internationally ("+", or the dialling prefix) a number also has a country code.
_SHORTEST_INTERNATIONAL = min(
    [len(str(phonenumbers.country_code_for_region(region))) + length for region, length in _SHORTEST_NATIONAL.items()]
    + [len(str(code)) + _shortest_valid_length(phonenumbers.PhoneMetadata.metadata_for_nongeo_region(code))
       for code in phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS]
)
_FEWEST_ANYWHERE = min(_SHORTEST_INTERNATIONAL, _MIN_DIGITS)
_FEWEST_PHONE_DIGITS = {region: min(length, _FEWEST_ANYWHERE) for region, length in _SHORTEST_NATIONAL.items()}


def fewest_phone_digits(region: str | None) -> int:
    """The fewest digits a text needs to hold a phone number any source accepts."""
    return _FEWEST_PHONE_DIGITS.get(region, _FEWEST_ANYWHERE)


# ---------------------------------------------------------------------------------------------
# what is written next to numbers that are not phones
# ---------------------------------------------------------------------------------------------

_ORDER_WORDS = (r"order|invoice|ticket|tracking|заказ\w*|bestell\w*|rechnung\w*|auftrag\w*|pedido|factura"
                r"|commande|facture|طلب|الطلب|فاتورة")
_NUMBER_WORDS = r"number|номер|nummer|número|numéro|رقم"
_MARK = r"#|№|\bno\.?|\bnr\.?|\bn°"
# "order #4815162342", "заказ 4815162342", "Bestellung Nr. 4815162342", "pedido nº 612345678"
# (NFKC spells "nº" and "№" "no"), "الطلب رقم 100234567".
_REFERENCE_BEFORE_RE = re.compile(
    rf"(?:(?:{_MARK})|\b(?:{_ORDER_WORDS})(?:\s(?:{_NUMBER_WORDS}))?(?:\s?(?:{_MARK}))?)\s?:?\s?$", re.IGNORECASE
)
# "INV-2026-004512", "A/0612345678": the digits belong to a code.
_GLUED_BEFORE_RE = re.compile(r"[^\W\d_][-/]$")
# Only with a four-digit year: "20.12.34" is a whole phone number in New Caledonia.
_DATE_RE = re.compile(r"\d{1,2}([./-])\d{1,2}\1\d{4}|\d{4}([./-])\d{1,2}\2\d{1,2}")


def _is_not_a_phone(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 40) : start]
    return bool(
        _REFERENCE_BEFORE_RE.search(before)
        or _GLUED_BEFORE_RE.search(before)
        or _DATE_RE.fullmatch(text, start, end)
    )


# ---------------------------------------------------------------------------------------------
# national numbers of the site's regions
# ---------------------------------------------------------------------------------------------

# Digit groups joined by single separators; parentheses hug an area code: "8 (912) 345-67-89".
# Unambiguous (each separator is one character), so the scan is linear.
_RUN_RE = re.compile(r"\(?\d[\d()]*(?:[ .\-/]\(?\d[\d()]*)*")
_GROUP_RE = re.compile(r"[^ .\-/]+")


def _valid_in(digits: str, region: str) -> bool:
    try:
        number = phonenumbers.parse(digits, region, keep_raw_input=True)
    except NumberParseException:
        return False
    return number.country_code_source == CountryCodeSource.FROM_DEFAULT_COUNTRY and phonenumbers.is_valid_number(number)


@lru_cache(maxsize=4096)
def _written_nationally(digits: str, grouped: bool) -> bool:
    """Whether ``digits`` is a site region's number with its trunk prefix (or grouped, if none)."""
    for region, prefix in _TRUNK_PREFIXES:
        if (digits.startswith(prefix) if prefix else grouped) and _valid_in(digits, region):
            return True
    return False


def _longest_national_from(groups: list[re.Match]) -> int | None:
    for last in range(min(len(groups), _MAX_GROUPS) - 1, -1, -1):
        digits = "".join(char for group in groups[: last + 1] for char in group.group() if char.isdigit())
        if _MIN_DIGITS <= len(digits) <= _MAX_DIGITS and _written_nationally(digits, last > 0):
            return last
    return None


def _national_in_run(groups: list[re.Match]) -> Iterator[tuple[int, int]]:
    """The longest window of whole groups at the start of the run that holds a national number.

    Only at the start: inside a run ("DE88 3704 0044 0532 0130 00", "302-4815162-3424207") the
    digits belong to something longer. After a number the rest of the run starts afresh, as it
    will once the number is a placeholder.
    """
    while groups:
        last = _longest_national_from(groups)
        if last is None:
            return
        yield groups[0].start(), groups[last].end()
        groups = groups[last + 1 :]


def _national_numbers(text: str) -> Iterator[tuple[int, int]]:
    for run in _RUN_RE.finditer(text):
        before = text[run.start() - 1] if run.start() else " "
        if before == "+" or before.isalnum():
            continue  # international (the matcher's), or the tail of a code
        yield from _national_in_run(list(_GROUP_RE.finditer(text, run.start(), run.end())))


# ---------------------------------------------------------------------------------------------
# all sources
# ---------------------------------------------------------------------------------------------


def _matched(text: str, region: str | None) -> Iterator[tuple[int, int]]:
    for match in PhoneNumberMatcher(text, region, leniency=Leniency.VALID):
        yield match.start, match.end


def _kept(text: str, spans: Iterator[tuple[int, int]]) -> list[tuple[int, int]]:
    return [(start, end) for start, end in spans if not _is_not_a_phone(text, start, end)]


def find_phones(text: str, region: str | None) -> list[tuple[int, int]]:
    """Spans of phone numbers in ``text``; ``region`` is a normalized hint or ``None``."""
    found = _kept(text, _matched(text, None))
    if region is not None:
        found += _kept(text, _matched(text, region))
    # The national scan reads what the matcher left, as it will read it once the matcher's
    # findings are placeholders: a second redaction then finds nothing new.
    rest = mask(text, found)
    return found + _kept(rest, _national_numbers(rest))
