"""Headed, aligned columns for the ``clipai`` command's listings."""


def format_table(headers: list[str], rows: list[list[str]]) -> str:
    """Return ``rows`` under ``headers``, each column as wide as its widest cell, two spaces apart."""
    table = [list(headers)] + [[str(cell) for cell in row] for row in rows]
    widths = [max(len(row[column]) for row in table) for column in range(len(headers))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in table]
    return "\n".join(lines)
