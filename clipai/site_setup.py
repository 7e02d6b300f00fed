"""Preparing a checkout to serve: the schema, first-run data (the shipped policy) and the first admin.

``clipai setup`` runs it. So does the server itself before it answers when ``SETUP_ON_START`` is
set, as ``make run`` sets it: one process start instead of two (docs/benchmarks.md, change 31).
"""

from pathlib import Path

from clipai import signals, storage
from clipai.config import ensure_secret_key
from clipai.services import accounts
from clipai.storage import migrations


def ensure_instance_secret(instance_path: Path) -> str | None:
    """Write the instance secret key if there is none; return what to tell the person, if anything."""
    return "Generated instance/secret_key." if ensure_secret_key(instance_path) else None


def set_up(app) -> str | None:
    """Bring the schema up to date and create first-run data; return the new admin's notice, once."""
    with app.app_context():
        migrations.upgrade(storage.engine())
        signals.setup_requested.send(app)
        password = accounts.ensure_first_admin()
    return first_admin_notice(password) if password else None


def first_admin_notice(password: str) -> str:
    return (
        "\n"
        "  First account created: admin (operator and maintainer)\n"
        f"  Password (shown once): {password}\n"
        "  Change it with: .venv/bin/clipai users passwd admin\n"
    )
