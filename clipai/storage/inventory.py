"""SQL for the data inventory: the tables and columns the database really has, and their row counts."""

from sqlalchemy import func, inspect, select, table


def database_layout(conn) -> dict[str, list[str]]:
    """Every table in the database with its column names, as the database reports them."""
    inspector = inspect(conn)
    return {name: [column["name"] for column in inspector.get_columns(name)] for name in inspector.get_table_names()}


def row_counts(conn, names) -> dict[str, int]:
    """The number of rows of each named table."""
    return {name: conn.execute(select(func.count()).select_from(table(name))).scalar_one() for name in names}
