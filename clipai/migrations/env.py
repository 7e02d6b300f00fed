"""Alembic environment: runs on the connection ``clipai db upgrade`` hands over."""

from alembic import context

from clipai.storage.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
