"""The data inventory is generated from the schema and cannot drift from the database."""

import pytest
from sqlalchemy import text

from clipai import storage
from clipai.services import conversations, inventory
from clipai.storage import inventory as inventory_store


def database_layout():
    with storage.reading() as conn:
        return inventory_store.database_layout(conn)


class TestOnEachDatabase:
    @pytest.fixture
    def settings(self, each_database_url):
        return {"DATABASE_URL": each_database_url}

    def test_every_table_and_column_of_the_migrated_database_is_described(self, app_ctx):
        """Fails on any table or column a migration adds without a description (see the message)."""
        layout = database_layout()
        assert "alembic_version" in layout and "messages" in layout
        problems = inventory.missing_descriptions(layout)
        assert not problems, "Undescribed data (/privacy/data would show it without a word):\n" + "\n".join(problems)

    def test_every_table_is_listed_with_its_row_count(self, app_ctx):
        tables = {t["name"]: t["rows"] for t in inventory.inventory()["tables"]}
        assert set(tables) == set(database_layout()) and tables["alembic_version"] == 1


def test_an_undescribed_column_is_named_with_where_to_describe_it(app_ctx):
    with storage.transaction() as conn:
        conn.execute(text("ALTER TABLE messages ADD COLUMN mood VARCHAR(8)"))
        conn.execute(text("CREATE TABLE visitor_moods (id INTEGER PRIMARY KEY)"))
    assert inventory.missing_descriptions(database_layout()) == [
        'column messages.mood has no description: add info=holds(_l("…")) to Column("mood", …) of the messages '
        "table in clipai/storage/schema.py",
        "table visitor_moods has no description: give its Table(...) in clipai/storage/schema.py "
        'info={"purpose": _l("…"), "clause": "…", "retention": one of [\'account\', \'conversation\', \'database\', '
        "'permanent', 'resend_window', 'token', 'until_removed']}",
        'column visitor_moods.id has no description: add info=holds(_l("…")) to Column("id", …) of the '
        "visitor_moods table in clipai/storage/schema.py",
    ]


def table(name):
    return next(t for t in inventory.inventory()["tables"] if t["name"] == name)


def test_row_counts_follow_the_database_and_an_erased_chat_leaves_none(app_ctx):
    posted = conversations.post_visitor_message(None, "Hello", "first", locale="en", address_key="a")
    assert (table("conversations")["rows"], table("messages")["rows"], table("conversation_starts")["rows"]) == (1, 1, 1)
    conversations.erase(posted.conversation.id)
    assert (table("conversations")["rows"], table("messages")["rows"], table("conversation_starts")["rows"]) == (0, 0, 0)


@pytest.mark.parametrize("settings", [{"CHAT_RETENTION_DAYS": 14}])
def test_retention_is_read_from_the_settings(app_ctx):
    entry = table("messages")
    assert entry["retention"] == "14 days after the last message, or at once when the visitor erases the chat"
    assert entry["retention_setting"] == "CHAT_RETENTION_DAYS"


def test_hashed_columns_say_so(app_ctx):
    columns = {c["name"]: c["hashed"] for c in table("conversations")["columns"]}
    assert columns["token_hash"] is True and columns["locale"] is False
