"""Every string the code uses is translated in every catalog, and catalogs compile."""

from clipai.cli import TRANSLATIONS
from clipai.translations import catalog_problems


def test_catalogs_are_complete():
    problems = catalog_problems(TRANSLATIONS)
    assert problems == [], "\n".join(problems[:40])


def test_catalogs_are_compiled(client):
    for locale in ("ru", "de", "es", "fr", "ar"):
        assert (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.mo").exists()
