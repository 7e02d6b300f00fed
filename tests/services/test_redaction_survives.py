"""clipai.services.redaction: what must survive untouched, with and without region hints."""

from __future__ import annotations

import pytest

from clipai.services.redaction import Redaction
from tests.fixtures.redaction import P, redact


# ---------------------------------------------------------------------------
# negatives: must survive untouched, with and without region hints
# ---------------------------------------------------------------------------

NEGATIVES = [
    # dates
    "2024-05-12",
    "12.05.2024",
    "12/05/2024",
    "05/12/2024",
    "2024/05/12",
    "12.05.24",
    "May 12, 2024",
    "12 мая 2024 г.",
    "2024-05-12 14:30:00",
    # times
    "14:30",
    "14:30:15",
    "2:30 PM",
    "10h30",
    # prices
    "$1,299.99",
    "1 299 ₽",
    "1 299 000 ₽",
    "€1.299,00",
    "1299,00 €",
    "1.299,00 EUR",
    "10 000 руб.",
    "١٬٢٩٩ درهم",
    # versions
    "v2.10.3",
    "3.11.7",
    "Python 3.11.7",
    "1.2.3.4",
    # years / short numbers / misc numbers
    "1999",
    "2024",
    "Q4 2023",
    "42",
    "123456",
    "50%",
    "1.5 GB",
    "3 × 4 = 12",
    "RFC 5322",
    "ISBN 978-3-16-148410-0",
    # order / ticket numbers
    "#12345",
    "order #4815162342",
    "order 4815162342",
    "заказ № 4815162342",
    "ticket 20240512-0042",
    # invalid Luhn card-like numbers
    "4111 1111 1111 1112",
    "4111-1111-1111-1112",
    "5500000000000005",
    # too many digits for a card
    "12345678901234567890123",
    # IBANs with wrong check digits
    "DE88 3704 0044 0532 0130 00",
    "GB28 NWBK 6016 1331 9268 19",
    "de88370400440532013000",
    # not e-mail addresses
    "user@localhost",
    "name at example dot com",
    "logo@2x.png",
    "@mention",
    "a@b.c",
    "john@",
]

REGIONS = [None, "US", "GB", "DE", "FR", "ES", "AE"]


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("text", NEGATIVES)
def test_negatives_survive(text, region):
    assert redact(text, region=region) == Redaction(text=text, kinds=())


@pytest.mark.parametrize("text", [t for t in NEGATIVES if t != "order 4815162342"])
def test_negatives_survive_with_ru_region(text):
    assert redact(text, region="RU").text == text


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("order 4815162342", None),  # no hint, no "+", no trunk prefix: must survive
        ("order 4815162342", "DE"),
        ("call 4815162342", None),
        ("call 4815162342", "DE"),
        ("call 612345678", "US"),  # Spanish, but compact: grouped digits are the evidence
    ],
)
def test_bare_national_numbers_need_the_region_hint(text, region):
    assert redact(text, region=region).text == text


@pytest.mark.parametrize("region", ["", "XX", "ZZ", "english", "123"])
def test_unknown_region_is_ignored(region):
    assert redact("+7 916 123-45-67", region=region).text == P
    assert redact("call 4815162342", region=region).text == "call 4815162342"
