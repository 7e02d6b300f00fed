"""Every string the code uses is translated in every catalog, and catalogs compile."""

import pytest
from babel.messages.pofile import read_po

from clipai.cli import TRANSLATIONS
from clipai.translations import catalog_problems, plural_rule_problems


def test_catalogs_are_complete():
    problems = catalog_problems(TRANSLATIONS)
    assert problems == [], "\n".join(problems[:40])


def test_catalogs_are_compiled(client):
    for locale in ("ru", "de", "es", "fr", "ar"):
        assert (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.mo").exists()


ARABIC_RETENTION = {
    1: "وتُمسح المحادثات بعد يوم واحد.",
    2: "وتُمسح المحادثات بعد يومين.",
    3: "وتُمسح المحادثات بعد 3 أيام.",
    11: "وتُمسح المحادثات بعد 11 يومًا.",
    30: "وتُمسح المحادثات بعد 30 يومًا.",
    100: "وتُمسح المحادثات بعد 100 يوم.",
}


@pytest.mark.parametrize("settings", [{"CHAT_RETENTION_DAYS": days} for days in ARABIC_RETENTION])
def test_arabic_home_page_names_the_retention_in_the_right_plural_form(client, settings):
    days = settings["CHAT_RETENTION_DAYS"]
    page = client.get("/ar/").get_data(as_text=True)
    assert ARABIC_RETENTION[days] in page


def test_every_catalogs_plural_rule_matches_cldr():
    for locale in ("ru", "de", "es", "fr", "ar"):
        with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        assert plural_rule_problems(locale, catalog.plural_expr, catalog.num_plurals) == []


def test_the_old_arabic_rule_that_gave_11_to_99_the_wrong_form_is_refused():
    old = "(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=0 && n%100<=2 ? 4 : 5)"
    assert plural_rule_problems("ar", old, 6)


def test_a_rule_that_merges_two_cldr_categories_is_refused():
    problems = plural_rule_problems("fr", "(n != 1)", 2)
    assert problems == ["fr: Plural-Forms gives 2 ('other' in CLDR) the form of 'one'"]
