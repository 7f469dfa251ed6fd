"""An open vault: the key, one connection per thread, transactions, lock."""

from __future__ import annotations

import contextlib
import errno
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mybnpl.vault import connection as cx
from mybnpl.vault.errors import DiskFull, VaultDamaged, VaultLocked
from mybnpl.vault.keys import DbKey
from mybnpl.vault.migrate import schema_version


class Vault:
    """An unlocked vault. ``close()`` (lock) closes every connection and wipes the in-memory key.

    Each thread gets its own connection (SQLite connections must not be shared across threads mid-
    transaction); the GUI thread reads while the worker thread writes, WAL keeps them apart.
    """

    def __init__(self, path: Path, key: DbKey, conn: cx.Connection, vault_id: str) -> None:
        self.path = path
        self.vault_id = vault_id
        self._key: DbKey | None = key
        self._lock = threading.Lock()
        self._conns: dict[int, cx.Connection] = {threading.get_ident(): conn}

    # -- state ------------------------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._key is None

    def key(self) -> DbKey:
        """The database key, for backup and rekey only."""
        if self._key is None:
            raise VaultLocked()
        return self._key

    @property
    def conn(self) -> cx.Connection:
        if self._key is None:
            raise VaultLocked()
        ident = threading.get_ident()
        with self._lock:
            conn = self._conns.get(ident)
            if conn is None:
                conn = cx.open_connection(self.path, self._key)
                self._conns[ident] = conn
            return conn

    def close(self) -> None:
        """Lock: close every connection (checkpointing the WAL) and forget the key."""
        with self._lock:
            conns, self._conns = list(self._conns.values()), {}
            key, self._key = self._key, None
        for conn in conns:
            with contextlib.suppress(Exception):
                conn.close()
        if key is not None:
            key.wipe()

    def rekey(self, new_key: DbKey) -> None:
        """``PRAGMA rekey`` to ``new_key``. Every thread's connection is closed first, and no thread can open a
        new one (with the old key) until the new key is in place."""
        with self._lock:
            old = self._key
            if old is None:
                raise VaultLocked()
            conns, self._conns = list(self._conns.values()), {}
            for c in conns:
                with contextlib.suppress(Exception):
                    c.close()
            conn = cx.open_connection(self.path, old)
            try:
                conn.execute(f"PRAGMA rekey = {new_key.pragma()}")
            finally:
                conn.close()
            self._key = new_key
        old.wipe()

    def _drop_thread_connections(self) -> None:
        """Close all connections (used before replacing the file); the vault stays unlocked."""
        with self._lock:
            conns, self._conns = list(self._conns.values()), {}
        for conn in conns:
            with contextlib.suppress(Exception):
                conn.close()

    # -- queries ----------------------------------------------------------------------------------
    def execute(self, sql: str, params: Any = ()) -> Any:
        try:
            return self.conn.execute(sql, params)
        except cx.DatabaseError as e:
            raise translate_db_error(e, self.path) from None

    def query(self, sql: str, params: Any = ()) -> list[Any]:
        try:
            return list(self.conn.execute(sql, params).fetchall())
        except cx.DatabaseError as e:
            raise translate_db_error(e, self.path) from None

    def scalar(self, sql: str, params: Any = ()) -> Any:
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[cx.Connection]:
        """``BEGIN IMMEDIATE … COMMIT``: all or nothing."""
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except cx.DatabaseError as e:
            raise translate_db_error(e, self.path) from None
        try:
            yield conn
        except BaseException as exc:
            with contextlib.suppress(Exception):
                conn.execute("ROLLBACK")
            if isinstance(exc, cx.DatabaseError):
                raise translate_db_error(exc, self.path) from None
            raise
        else:
            try:
                conn.execute("COMMIT")
            except cx.DatabaseError as e:
                with contextlib.suppress(Exception):
                    conn.execute("ROLLBACK")
                raise translate_db_error(e, self.path) from None

    def schema_version(self) -> int:
        return schema_version(self.conn)

    def cipher_version(self) -> str:
        return str(self.conn.execute("PRAGMA cipher_version").fetchone()[0])

    def integrity_problems(self) -> list[str]:
        try:
            return cx.integrity_problems(self.conn)
        except cx.DatabaseError:
            return ["unreadable page"]


def translate_db_error(exc: BaseException, path: Path) -> BaseException:
    """Map SQLite errors caused by the environment to user errors; leave programming errors alone."""
    text = str(exc).lower()
    if "malformed" in text or "not a database" in text or "corrupt" in text or "hmac" in text:
        return VaultDamaged(name=path.name)
    if "disk is full" in text or "database or disk is full" in text or "readonly" in text:
        return DiskFull()
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFull()
    return exc
