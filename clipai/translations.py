"""Catalog completeness check behind ``clipai translate check``."""

import gettext
import subprocess
import sys
import tempfile
from pathlib import Path

from babel import Locale
from babel.messages.pofile import read_po

from clipai.config import LOCALES, PROJECT_ROOT

# CLDR's categories in the order gettext catalogs number their forms (msgstr[0], msgstr[1], ...).
CATEGORY_ORDER = ("zero", "one", "two", "few", "many", "other")
# Counts the site shows (days, seconds, paragraphs) stay far below CLDR's "many" of Spanish and
# French, which only millions take; below this bound the catalog must pick exactly CLDR's forms.
PLURAL_CHECK_LIMIT = 10_000


def extract_ids() -> set:
    """Extract the message ids the code uses right now."""
    with tempfile.TemporaryDirectory() as folder:
        pot = Path(folder) / "messages.pot"
        subprocess.run(
            [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
             "-k", "_l", "-k", "lazy_gettext", "-k", "_lp:1c,2", "-k", "lazy_pgettext:1c,2", "-o", str(pot), "clipai", "blueprints"],
            cwd=PROJECT_ROOT, check=True, capture_output=True,
        )
        with pot.open("rb") as handle:
            return {(message.id, message.context) for message in read_po(handle) if message.id}


def catalog_problems(translations: Path) -> list[str]:
    """Return one line per missing, empty, fuzzy or malformed translation."""
    wanted = extract_ids()
    problems = []
    for locale in LOCALES[1:]:
        po_file = translations / locale / "LC_MESSAGES" / "messages.po"
        if not po_file.exists():
            problems.append(f"{locale}: no catalog at {po_file.relative_to(PROJECT_ROOT)}")
            continue
        with po_file.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        problems.extend(_catalog_problems(locale, catalog, wanted))
        problems.extend(plural_rule_problems(locale, catalog.plural_expr, catalog.num_plurals))
    return problems


def _catalog_problems(locale, catalog, wanted) -> list[str]:
    problems = []
    for message_id, context in sorted(wanted, key=str):
        label = message_id[0] if isinstance(message_id, tuple) else message_id
        message = catalog.get(label, context=context)
        if message is None:
            problems.append(f"{locale}: missing {label!r}")
        elif message.fuzzy:
            problems.append(f"{locale}: fuzzy {label!r}")
        elif not _translated(message.string):
            problems.append(f"{locale}: untranslated {label!r}")
    for message, errors in catalog.check():
        problems.extend(f"{locale}: {message.id!r}: {error}" for error in errors)
    return problems


def _translated(string) -> bool:
    return all(string) if isinstance(string, tuple) else bool(string)


def plural_rule_problems(locale: str, plural_expr: str, num_plurals: int) -> list[str]:
    """Compare a catalog's ``Plural-Forms`` with Babel's CLDR rule for every count below the limit.

    Each msgstr[i] must cover exactly one CLDR category, every category its own form, in CLDR's
    order: a rule that sends 11 and 100 to one Arabic form fails here.
    """
    cldr = Locale.parse(locale).plural_form
    choose = gettext.c2py(plural_expr)
    categories: dict[int, str] = {}
    for count in range(PLURAL_CHECK_LIMIT):
        form, category = choose(count), cldr(count)
        if not 0 <= form < num_plurals:
            return [f"{locale}: Plural-Forms picks form {form} for {count}, but nplurals={num_plurals}"]
        if categories.setdefault(form, category) != category:
            return [f"{locale}: Plural-Forms gives {count} ({category!r} in CLDR) the form of {categories[form]!r}"]
    return _plural_order_problems(locale, categories, num_plurals)


def _plural_order_problems(locale: str, categories: dict, num_plurals: int) -> list[str]:
    ordered = [categories.get(form) for form in range(num_plurals)]
    wanted = [category for category in CATEGORY_ORDER if category in categories.values()]
    if ordered != wanted or len(set(ordered)) != len(ordered):
        return [f"{locale}: Plural-Forms numbers its forms {ordered}; CLDR wants {wanted}"]
    return []
