"""What the site stores, generated from the database schema: every table and column, why, for how long.

The descriptions live next to the schema (``info=`` on each ``Table`` and ``Column`` in
clipai/storage/schema.py); the one table Alembic owns is described here. ``missing_descriptions``
names every table or column of the database without a description, so /privacy/data cannot drift
from the code (tests/services/test_inventory.py).
"""

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from clipai import storage
from clipai.services.conversations.posting import RESEND_WINDOW
from clipai.storage import inventory as inventory_store
from clipai.storage.schema import holds, metadata

SCHEMA_FILE = "clipai/storage/schema.py"
# Alembic's own table (created by ``clipai db upgrade``), not part of ``metadata``.
ALEMBIC_VERSION = {
    "name": "alembic_version",
    "info": {"purpose": _l("Which database upgrades were applied, so that the next upgrade knows where to start."),
             "clause": "2.1.2", "retention": "database"},
    "columns": {"version_num": holds(_l("The last applied upgrade"))},
}
NOT_COLLECTED = {
    "client_addresses": _l("Network (IP) addresses"),
    "user_agents": _l("Browser and device names (user agents)"),
    "cookies": _l("Cookies: the site never sets one"),
    "names": _l("Names"),
    "email_addresses": _l("E-mail addresses: removed from chat messages before they are stored"),
    "phone_numbers": _l("Phone numbers: removed from chat messages before they are stored"),
}


@dataclass(frozen=True)
class Described:
    name: str
    info: dict
    columns: dict  # column name → its ``holds`` description


def described_tables() -> dict[str, Described]:
    """Every table the code describes, in the order of clipai/storage/schema.py, then Alembic's."""
    tables = {t.name: Described(t.name, t.info, {c.name: c.info for c in t.columns}) for t in metadata.tables.values()}
    tables[ALEMBIC_VERSION["name"]] = Described(ALEMBIC_VERSION["name"], ALEMBIC_VERSION["info"], ALEMBIC_VERSION["columns"])
    return tables


def missing_descriptions(layout: dict[str, list[str]]) -> list[str]:
    """One line per table or column of ``layout`` (or of the schema) that has no description."""
    described = described_tables()
    problems = []
    for name in sorted(set(layout) | set(described)):
        table = described.get(name)
        if table is None or not table.info.get("purpose") or table.info.get("retention") not in RETENTION:
            problems.append(f"table {name} has no description: give its Table(...) in {SCHEMA_FILE} "
                            f'info={{"purpose": _l("…"), "clause": "…", "retention": one of {sorted(RETENTION)}}}')
        columns = layout.get(name) or list(table.columns if table else ())
        for column in columns:
            if not (table and table.columns.get(column, {}).get("holds")):
                problems.append(f'column {name}.{column} has no description: add info=holds(_l("…")) to '
                                f'Column("{column}", …) of the {name} table in {SCHEMA_FILE}')
    return problems


def _days(config) -> str:
    days = config["CHAT_RETENTION_DAYS"]
    return ngettext("%(num)d day after the last message, or at once when the visitor erases the chat",
                    "%(num)d days after the last message, or at once when the visitor erases the chat", days)


def _hours(config) -> str:
    hours = config["TOKEN_LIFETIME_HOURS"]
    return ngettext("Until it expires, %(num)d hour after signing in, or the operator signs out",
                    "Until it expires, %(num)d hours after signing in, or the operator signs out", hours)


def _minutes(_config) -> str:
    minutes = int(RESEND_WINDOW.total_seconds() // 60)
    return ngettext("Deleted when the next chat starts once it is %(num)d minute old, and always with its chat",
                    "Deleted when the next chat starts once it is %(num)d minutes old, and always with its chat",
                    minutes)


# Retention kind → (the rule in the visitor's language, the setting that decides it).
RETENTION = {
    "conversation": (_days, "CHAT_RETENTION_DAYS"),
    "resend_window": (_minutes, None),
    "token": (_hours, "TOKEN_LIFETIME_HOURS"),
    "account": (lambda _config: str(_l("As long as the account exists")), None),
    "permanent": (lambda _config: str(_l("Permanently: published versions are never changed or deleted")), None),
    "until_removed": (lambda _config: str(_l("Until an operator deletes it")), None),
    "database": (lambda _config: str(_l("As long as the database exists")), None),
}


def inventory() -> dict:
    """Every table the database has, described, with its current number of rows."""
    with storage.reading() as conn:
        layout = inventory_store.database_layout(conn)
        described = described_tables()
        names = [name for name in described if name in layout] + sorted(set(layout) - set(described))
        counts = inventory_store.row_counts(conn, names)
    config = current_app.config
    return {
        "tables": [_table(described.get(name, Described(name, {}, {})), layout[name], counts[name], config)
                   for name in names],
        "not_collected": [{"code": code, "label": str(label)} for code, label in NOT_COLLECTED.items()],
    }


def _table(table: Described, columns: list[str], rows: int, config) -> dict:
    """One table's entry; a table or column a migration added without a description shows empty."""
    rule, setting = RETENTION.get(table.info.get("retention"), (lambda _config: "", None))
    described = {name: table.columns.get(name, {}) for name in columns}
    return {
        "name": table.name,
        "purpose": str(table.info.get("purpose", "")),
        "clause": table.info.get("clause"),
        "retention": rule(config),
        "retention_setting": setting,
        "rows": rows,
        "columns": [{"name": name, "holds": str(info.get("holds", "")), "hashed": info.get("hashed", False)}
                    for name, info in described.items()],
    }
