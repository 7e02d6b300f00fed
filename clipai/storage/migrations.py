"""Apply the Alembic migrations shipped in ``clipai/migrations``."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.attributes["connection"] = connection
    return config


def upgrade(engine, revision: str = "head") -> None:
    """Bring the database schema up to ``revision``."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def pending(engine) -> bool:
    """Return True when migrations remain to be applied."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() != head


def new_revision(message: str) -> Path:
    """Write the next numbered migration (``0009_<message>.py`` after ``0008``) on top of the head."""
    config = alembic_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    script = command.revision(config, message=message, rev_id=f"{int(head) + 1:04d}")
    return Path(script.path)
