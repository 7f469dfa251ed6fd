"""Numbered schema migrations: ``migrations/NNNN_name.sql``, applied in order, each in one transaction."""

from __future__ import annotations

import re
from importlib import resources

from mybnpl.vault.connection import Connection
from mybnpl.vault.errors import NewerSchema


def _migrations() -> list[tuple[int, str, str]]:
    found = []
    for entry in resources.files("mybnpl.vault.migrations").iterdir():
        m = re.match(r"(\d{4})_(\w+)\.sql$", entry.name)
        if m:
            found.append((int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):  # pragma: no cover - packaging error
        raise RuntimeError(f"migration numbers are not contiguous: {numbers}")
    return found


def latest_version() -> int:
    return len(_migrations())


def schema_version(conn: Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: Connection, target: int | None = None) -> int:
    """Bring the schema to ``target`` (default: latest). Returns the resulting version."""
    migrations = _migrations()
    target = len(migrations) if target is None else target
    current = schema_version(conn)
    if current > len(migrations):
        raise NewerSchema(found=current, known=len(migrations))
    for number, _name, sql in migrations:
        if current < number <= target:
            try:
                conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            current = number
    return current
