"""clipai.services.redaction: what is found, as people really type it, and found again never."""

from __future__ import annotations

import pytest

from tests.fixtures.redaction import MARKERS, C, E, I, P, redact


# ---------------------------------------------------------------------------
# positives: (text, region, expected output)
# ---------------------------------------------------------------------------

POSITIVES = [
    # --- e-mail, several locales / shapes
    pytest.param("Write to john.doe@example.com please", None, f"Write to {E} please", id="en-email"),
    pytest.param("ivan.petrov+chat@mail.ru", None, E, id="email-plus-dots"),
    pytest.param("first-last_1@sub.mail.example.co.uk.", None, f"{E}.", id="email-subdomains"),
    pytest.param("Contact: <jane@example.org>", None, f"Contact: <{E}>", id="email-angle"),
    pytest.param("mailto:anna@example.de?subject=Hi", None, f"mailto:{E}?subject=Hi", id="email-mailto"),
    pytest.param("(support@clip-ai.io)", None, f"({E})", id="email-parens"),
    pytest.param("Моя почта: иван@пример.рф, спасибо", None, f"Моя почта: {E}, спасибо", id="ru-idn-email"),
    pytest.param("Écrivez à josé.garcía@correo.es !", None, f"Écrivez à {E} !", id="es-accented-email"),
    pytest.param("بريدي user@example.ae شكرا", None, f"بريدي {E} شكرا", id="ar-email"),
    pytest.param("JOHN@EXAMPLE.COM", None, E, id="email-upper"),
    pytest.param("a@xn--e1afmkfd.xn--p1ai", None, E, id="email-punycode"),
    # --- phone, international (no region needed)
    pytest.param("Call +1 650-253-0000 today", None, f"Call {P} today", id="en-intl-phone"),
    pytest.param("Звоните: +7 916 123-45-67, Иван", None, f"Звоните: {P}, Иван", id="ru-intl-phone"),
    pytest.param("Мой номер +7 (495) 123-45-67.", None, f"Мой номер {P}.", id="ru-intl-phone-parens"),
    pytest.param("Rufen Sie +49 30 12345678 an", None, f"Rufen Sie {P} an", id="de-intl-phone"),
    pytest.param("Handy: +49 1512 3456789", None, f"Handy: {P}", id="de-intl-mobile"),
    pytest.param("Appelez le +33 1 42 68 53 00 svp", None, f"Appelez le {P} svp", id="fr-intl-phone"),
    pytest.param("Llámame al +34 612 34 56 78", None, f"Llámame al {P}", id="es-intl-phone"),
    pytest.param("اتصل بي على +971 50 123 4567 شكرا", None, f"اتصل بي على {P} شكرا", id="ar-intl-phone"),
    pytest.param("رقمي +٩٧١ ٥٠ ١٢٣ ٤٥٦٧", None, f"رقمي {P}", id="ar-indic-digits-phone"),
    pytest.param("UK: +44 20 7946 0958", None, f"UK: {P}", id="gb-intl-phone"),
    # --- phone, national format with a region hint
    pytest.param("Call (650) 253-0000", "US", f"Call {P}", id="us-national"),
    pytest.param("Звоните 8 (916) 123-45-67 вечером", "RU", f"Звоните {P} вечером", id="ru-national"),
    pytest.param("Tel. 030 12345678", "DE", f"Tel. {P}", id="de-national"),
    pytest.param("Mon portable : 06 12 34 56 78", "FR", f"Mon portable : {P}", id="fr-national"),
    pytest.param("Mi móvil es 612 345 678", "ES", f"Mi móvil es {P}", id="es-national"),
    pytest.param("رقمي ٠٥٠ ١٢٣ ٤٥٦٧ من فضلك", "AE", f"رقمي {P} من فضلك", id="ar-national-indic"),
    pytest.param("0049 30 12345678", "DE", P, id="de-idd-prefix"),
    pytest.param("Tel 030 12345678", "de-DE", f"Tel {P}", id="locale-style-region"),
    pytest.param("Tel 030 12345678", "de_de", f"Tel {P}", id="lowercase-locale-region"),
    # accepted edge case: a bare 10-digit number is a valid number with a hint
    pytest.param("call 4815162342", "RU", f"call {P}", id="bare-10-digits-with-region"),
    # --- cards
    pytest.param("card 4111 1111 1111 1111 exp 12/26", None, f"card {C} exp 12/26", id="visa-spaces"),
    pytest.param("4111-1111-1111-1111", None, C, id="visa-hyphens"),
    pytest.param("4111111111111111", None, C, id="visa-compact"),
    pytest.param("Карта 5500 0000 0000 0004, спасибо", None, f"Карта {C}, спасибо", id="ru-mastercard"),
    pytest.param("Amex 3782 822463 10005", None, f"Amex {C}", id="amex-15"),
    pytest.param("Mir 2200 0000 0000 0004", None, f"Mir {C}", id="mir"),
    pytest.param("4222222222222", None, C, id="visa-13"),
    pytest.param("6011 0000 0000 0000 001", None, C, id="card-19"),
    pytest.param("Karte: 6011 1111 1111 1117.", "DE", f"Karte: {C}.", id="de-discover"),
    pytest.param("بطاقتي 4111 1111 1111 1111", "AE", f"بطاقتي {C}", id="ar-card"),
    pytest.param(
        "two: 4111 1111 1111 1111 5500 0000 0000 0004", None, f"two: {C} {C}", id="two-cards-one-run"
    ),
    # --- IBAN
    pytest.param(
        "IBAN: DE89 3704 0044 0532 0130 00, danke", "DE", f"IBAN: {I}, danke", id="de-iban-grouped"
    ),
    pytest.param("DE89370400440532013000", None, I, id="de-iban-compact"),
    pytest.param("de89 3704 0044 0532 0130 00", None, I, id="de-iban-lowercase"),
    pytest.param("GB29 NWBK 6016 1331 9268 19", "GB", I, id="gb-iban"),
    pytest.param("Mon IBAN : FR14 2004 1010 0505 0001 3M02 606.", "FR", f"Mon IBAN : {I}.", id="fr-iban"),
    pytest.param("Mi IBAN es ES91 2100 0418 4502 0005 1332", "ES", f"Mi IBAN es {I}", id="es-iban"),
    pytest.param("NL91 ABNA 0417 1643 00", None, I, id="nl-iban"),
    pytest.param("CH93 0076 2011 6238 5295 7", None, I, id="ch-iban-short-tail"),
    pytest.param("حسابي AE07 0331 2345 6789 0123 456", "AE", f"حسابي {I}", id="ar-iban"),
    pytest.param("счёт DE89 3704 0044 0532 0130 00", "RU", f"счёт {I}", id="ru-text-iban"),
    pytest.param("AT61 1904 3002 3457 3201 from me", None, f"{I} from me", id="iban-then-word"),
]


@pytest.mark.parametrize(("text", "region", "expected"), POSITIVES)
def test_redacts_positives(text, region, expected):
    result = redact(text, region=region)
    assert result.text == expected
    assert result.kinds


# ---------------------------------------------------------------------------
# spellings people really type: matched on a normalized copy, replaced in the original
# ---------------------------------------------------------------------------

SPELLINGS = [
    pytest.param("card 4111.1111.1111.1111 ok", "US", f"card {C} ok", id="card-dots"),
    pytest.param("4242  4242  4242  4242 exp 12/27", "US", f"{C} exp 12/27", id="card-double-spaces"),
    pytest.param("5555\u00a05555\u00a05555\u00a04444!", "DE", f"{C}!", id="card-no-break-spaces"),
    pytest.param("4000\u20090566\u20095566\u20095556", "US", C, id="card-thin-spaces"),
    pytest.param("carte 4970\u202f1012\u202f3456\u202f7893", "FR", f"carte {C}", id="card-narrow-no-break"),
    pytest.param("4111\u200b1111\u200c1111\u200d1111", "US", C, id="card-zero-width"),
    pytest.param("\u2060\ufeff4111111111111111", "US", f"\u2060\ufeff{C}", id="card-after-invisible"),
    pytest.param("IBAN GB29-NWBK-6016-1331-9268-19.", "GB", f"IBAN {I}.", id="iban-dashes"),
    pytest.param("DE 89 3704 0044 0532 0130 00", "DE", I, id="iban-country-apart"),
    pytest.param("FR 14 2004 1010 0505 0001 3M02 606 merci", "FR", f"{I} merci", id="iban-country-apart-fr"),
    pytest.param("DE89\u200b3704\u200b0044\u200b0532\u200b0130\u200b00", "DE", I, id="iban-zero-width"),
    pytest.param(
        "Ｍａｉｌ：ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ　ｔｈａｎｋｓ", "US", f"Ｍａｉｌ：{E}　ｔｈａｎｋｓ", id="email-full-width"
    ),
    pytest.param("anna\u200b.lee@example.org", "US", E, id="email-zero-width"),
    pytest.param("+7\u200b912\u200b345\u200b67\u200b89", "RU", P, id="phone-zero-width"),
    pytest.param("номер +7 (912) 345\u201167\u201189", "RU", f"номер {P}", id="phone-non-breaking-hyphens"),
]


@pytest.mark.parametrize(("text", "region", "expected"), SPELLINGS)
def test_spellings_are_matched_and_the_rest_stays_as_typed(text, region, expected):
    assert redact(text, region=region).text == expected


def test_findings_are_spans_of_the_original_text():
    text = "Ｍａｉｌ ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ, card 4111\u00a0\u200b1111\u2009\u20091111-1111"
    assert redact(text, MARKERS, region="US").text == "Ｍａｉｌ <email>, card <card>"


# A visitor from another of the site's regions writes their number nationally on any page.
OTHER_LOCALES_NATIONAL = [
    pytest.param("my number 8 (912) 345-67-89", id="ru"),
    pytest.param("89123456789", id="ru-compact"),
    pytest.param("Minsk 8 029 123-45-67", id="by"),
    pytest.param("Büro 030 12345678", id="de"),
    pytest.param("Wien 0664 1234567", id="at"),
    pytest.param("Paris 06 12 34 56 78", id="fr"),
    pytest.param("Paris 06.12.34.56.78", id="fr-dots"),
    pytest.param("Bruxelles 0470 12 34 56", id="be"),
    pytest.param("Madrid 612 34 56 78", id="es"),
    pytest.param("Ciudad de México 55 1234 5678", id="mx"),
    pytest.param("Cairo 010 1234 5678", id="eg"),
    pytest.param("القاهرة ٠١٠١٢٣٤٥٦٧٨", id="eg-arabic-indic"),
    pytest.param("Riyadh 050 123 4567", id="sa"),
    pytest.param("Amman 079 123 4567", id="jo"),
    pytest.param("London 07911 123456", id="gb"),
]


@pytest.mark.parametrize("region", ["US", "RU", "DE", "ES", "FR", "EG", None])
@pytest.mark.parametrize("text", OTHER_LOCALES_NATIONAL)
def test_national_numbers_of_the_sites_regions_are_found_on_every_page(text, region):
    assert redact(text, region=region).kinds == ("phone",)


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("am 06.12.2026 um 12:30 Uhr", "DE"),  # a date, not a German number
        ("Invoice INV-2026-004512 is wrong", "US"),
        ("order 302-4815162-3424207 never arrived", "US"),  # passes Luhn, not grouped like a card
        ("заказ 4815162342 не пришёл", "RU"),
        ("pedido nº 612345678", "ES"),
        ("commande n° 0612345678", "FR"),
        ("الطلب رقم 100234567", "EG"),
        ("Bestellung Nr. 030 12345678", "DE"),
    ],
)
def test_reference_numbers_and_dates_survive(text, region):
    assert redact(text, region=region).text == text


# ---------------------------------------------------------------------------
# idempotence
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "region"),
    [(p.values[0], p.values[1]) for p in POSITIVES]
    + [("Hi john@example.com +7 916 123-45-67 4111 1111 1111 1111 DE89370400440532013000", "RU")]
    # a national number next to an international one, or to another number in the same run
    + [("+49 30 123456788 (916) 123-45-67", None), ("٣8 (916) 123-45-6712.05.2024", None)],
)
def test_redaction_is_idempotent(text, region):
    once = redact(text, region=region)
    twice = redact(once.text, region=region)
    assert twice.text == once.text
    assert twice.kinds == ()
