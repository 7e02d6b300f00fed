"""clipai.services.redaction: its API, messages mixing kinds, placeholders, adversarial input."""

from __future__ import annotations

import dataclasses

import pytest

from clipai.services.redaction import KINDS, Redaction
from tests.fixtures.redaction import MARKERS, PLACEHOLDERS, C, E, I, P, redact


# ---------------------------------------------------------------------------
# API basics
# ---------------------------------------------------------------------------


def test_kinds_constant_and_the_chats_english_placeholders():
    assert KINDS == ("email", "phone", "card", "iban")
    assert PLACEHOLDERS == {
        "email": "[e-mail removed]",
        "phone": "[phone number removed]",
        "card": "[card number removed]",
        "iban": "[IBAN removed]",
    }


def test_redaction_is_frozen():
    result = redact("hello")
    assert result == Redaction(text="hello", kinds=())
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.text = "x"  # type: ignore[misc]


@pytest.mark.parametrize("text", ["", " ", "hello", "Привет!", "مرحبا", "\n\t"])
def test_text_without_pii_is_returned_unchanged(text):
    assert redact(text) == Redaction(text=text, kinds=())


def test_non_string_text_is_rejected():
    with pytest.raises(TypeError):
        redact(None)  # type: ignore[arg-type]


def test_unknown_placeholder_kind_is_rejected():
    with pytest.raises(ValueError):
        redact("a@example.com", placeholders={**PLACEHOLDERS, "mail": "x"})


def test_a_placeholder_for_every_kind_is_required():
    with pytest.raises(ValueError):
        redact("a@example.com", placeholders={"email": "x"})


# ---------------------------------------------------------------------------
# messages mixing kinds, ordering, kinds reporting
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "region", "expected_text", "expected_kinds"),
    [
        (
            "Hi, I'm John (john@example.com, +1 650-253-0000). Order #12345 on 12.05.2024, $1,299.99.",
            "US",
            f"Hi, I'm John ({E}, {P}). Order #12345 on 12.05.2024, $1,299.99.",
            ("email", "phone"),
        ),
        (
            "Здравствуйте! Почта ivan@mail.ru, тел. +7 916 123-45-67, карта 4111 1111 1111 1111, "
            "заказ от 12.05.2024 на 1 299 ₽.",
            "RU",
            f"Здравствуйте! Почта {E}, тел. {P}, карта {C}, заказ от 12.05.2024 на 1 299 ₽.",
            ("email", "phone", "card"),
        ),
        (
            "Bitte an DE89 3704 0044 0532 0130 00 überweisen, Rückfragen: +49 30 12345678, Version 2.10.3",
            "DE",
            f"Bitte an {I} überweisen, Rückfragen: {P}, Version 2.10.3",
            ("phone", "iban"),
        ),
        (
            "Bonjour, mon e-mail est marie@exemple.fr et ma carte 5500-0000-0000-0004, à 14h30.",
            "FR",
            f"Bonjour, mon e-mail est {E} et ma carte {C}, à 14h30.",
            ("email", "card"),
        ),
        (
            "Hola, mi IBAN es ES91 2100 0418 4502 0005 1332 y mi correo ana@correo.es; pedido 4815162342.",
            "ES",
            f"Hola, mi IBAN es {I} y mi correo {E}; pedido 4815162342.",
            ("email", "iban"),
        ),
        (
            "مرحبا، رقمي +971 50 123 4567 وبريدي ali@example.ae وبطاقتي 4111111111111111",
            "AE",
            f"مرحبا، رقمي {P} وبريدي {E} وبطاقتي {C}",
            ("email", "phone", "card"),
        ),
    ],
    ids=["en", "ru", "de", "fr", "es", "ar"],
)
def test_mixed_messages(text, region, expected_text, expected_kinds):
    result = redact(text, region=region)
    assert result.text == expected_text
    assert result.kinds == expected_kinds


def test_kinds_are_reported_once_in_kinds_order():
    text = "4111 1111 1111 1111 a@b.co +7 916 123-45-67 c@d.co 5500 0000 0000 0004 DE89370400440532013000"
    result = redact(text)
    assert result.kinds == ("email", "phone", "card", "iban")
    assert result.text == f"{C} {E} {P} {E} {C} {I}"


@pytest.mark.parametrize(
    ("text", "expected_kind"),
    [
        # the phone digits inside an address belong to the e-mail
        ("+79161234567@mail.ru", "email"),
        # card-like digits inside an IBAN belong to the IBAN
        ("DE89 3704 0044 0532 0130 00", "iban"),
        # a valid card is not reported as a phone, even with a region hint
        ("4111 1111 1111 1111", "card"),
    ],
)
def test_priority_avoids_double_matching(text, expected_kind):
    result = redact(text, region="RU")
    assert result.kinds == (expected_kind,)
    assert result.text == PLACEHOLDERS[expected_kind]


def test_each_finding_replaces_exactly_its_span():
    assert redact("mail a@b.co, call +7 916 123-45-67!", MARKERS).text == "mail <email>, call <phone>!"


def test_adjacent_findings_do_not_corrupt_text():
    text = "a@b.co,+7 916 123-45-67,4111111111111111,DE89370400440532013000"
    assert redact(text).text == f"{E},{P},{C},{I}"


# ---------------------------------------------------------------------------
# placeholders
# ---------------------------------------------------------------------------


def test_custom_placeholders_partial_override():
    text = "Почта ivan@mail.ru, тел. +7 916 123-45-67"
    result = redact(text, placeholders={**PLACEHOLDERS, "email": "[почта скрыта]"})
    assert result.text == f"Почта [почта скрыта], тел. {P}"


def test_custom_placeholders_all_kinds():
    ph = {"email": "<E>", "phone": "<P>", "card": "<C>", "iban": "<I>"}
    text = "a@b.co +7 916 123-45-67 4111111111111111 DE89370400440532013000"
    assert redact(text, placeholders=ph).text == "<E> <P> <C> <I>"


def test_empty_placeholders_delete_findings():
    ph = dict.fromkeys(KINDS, "")
    assert redact("x a@b.co y", placeholders=ph).text == "x  y"


# ---------------------------------------------------------------------------
# adversarial input: must complete and behave; no timing assertions
# ---------------------------------------------------------------------------

ADVERSARIAL = [
    "a" * 2000 + "@",
    "a" * 2000 + "@" + "b" * 2000,
    "a" * 1990 + "@b.co",
    "a." * 1000 + "@",
    "@" + "a." * 1000,
    "a@" * 1000,
    "a@b." * 500,
    "-" * 1000 + "@" + "-" * 1000,
    "1" * 2000,
    "1 " * 1000,
    "1-" * 1000,
    "+1" * 1000,
    "(1) " * 500,
    "4111 " * 400,
    "DE89" * 500,
    "DE89 " * 400,
    "DE89 3704 " * 200,
    "+7 916 123-45-67 " * 117,
    ("Привет! " * 50 + "+7 916 123-45-67 ") * 5,
]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=[f"adv{i}" for i in range(len(ADVERSARIAL))])
@pytest.mark.parametrize("region", [None, "RU", "US"])
def test_adversarial_input_completes(text, region):
    result = redact(text, region=region)
    assert isinstance(result, Redaction)
    assert set(result.kinds) <= set(KINDS)


def test_long_local_part_is_still_removed():
    # RFC 5321 caps the local part at 64 characters; a longer run loses
    # everything the detector can see as an address.
    result = redact("a" * 1990 + "@b.co")
    assert result.kinds == ("email",)
    assert "@" not in result.text
