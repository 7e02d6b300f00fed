"""Catalog completeness check behind ``clipai translate check``."""

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po

from clipai.config import LOCALES, PROJECT_ROOT


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
