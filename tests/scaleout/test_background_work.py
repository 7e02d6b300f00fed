"""Both production commands start the background work: the retention purge runs at start-up."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from clipai import create_app, storage
from clipai.services import conversations
from clipai.storage import migrations
from clipai.storage.schema import conversations as conversations_table

pytestmark = pytest.mark.server


def count_conversations(database_url: str) -> int:
    app = create_app({"DATABASE_URL": database_url, "ASYNC_MODE": "threading", "SECRET_KEY": "x"})
    try:
        with app.app_context(), storage.reading() as conn:
            return conn.execute(select(func.count()).select_from(conversations_table)).scalar_one()
    finally:
        storage.dispose(app)


@pytest.mark.parametrize("async_mode", ["eventlet", "gevent"])
def test_the_server_purges_expired_conversations_when_it_starts(live_server, tmp_path, kit, async_mode):
    database_url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    app = create_app({"DATABASE_URL": database_url, "ASYNC_MODE": "threading", "SECRET_KEY": "x",
                      "CLOCK": lambda: long_ago})
    with app.app_context():
        migrations.upgrade(storage.engine())
        conversations.post_visitor_message(None, "an old question", "c-1", locale="en", address_key="k")
    storage.dispose(app)
    assert count_conversations(database_url) == 1

    live_server(async_mode=async_mode, database_url=database_url)
    assert kit.eventually(lambda: count_conversations(database_url) == 0)
