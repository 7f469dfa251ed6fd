"""Opening SQLCipher databases safely.

Rules (see docs/ARCHITECTURE.md and shared/reference/security-checklist.md):
* refuse to run unless SQLCipher 4.x is really linked (on plain SQLite ``PRAGMA key`` is silently ignored);
* ``PRAGMA key`` is the first statement, with a validated raw hex key; no SQL trace callback is ever set;
* cipher settings are pinned to SQLCipher 4 defaults; ``temp_store`` is MEMORY, never FILE;
* nothing is written to a file before the key is verified, so a wrong key leaves the file untouched.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import sqlcipher3

from mybnpl.i18n import N_
from mybnpl.vault.errors import CipherUnavailable, NotAVault, VaultDamaged
from mybnpl.vault.keys import DbKey

PAGE_SIZE = 4096
CACHE_KIB = 65536  # 64 MiB page cache: SQLCipher decrypts once per cached page (perf-baselines §2)
SQLITE_HEADER = b"SQLite format 3\x00"
PINNED_CIPHER_SETTINGS = {
    "kdf_iter": "256000",
    "cipher_page_size": "4096",
    "cipher_use_hmac": "1",
    "cipher_plaintext_header_size": "0",
    "cipher_hmac_algorithm": "HMAC_SHA512",
    "cipher_kdf_algorithm": "PBKDF2_HMAC_SHA512",
}

DatabaseError = sqlcipher3.DatabaseError
Connection = Any  # sqlcipher3 ships no type information


def _null(value: None) -> None:
    return value


# sqlcipher3 looks for an adapter for every None parameter and, finding none, probes two attributes that do not
# exist (two AttributeErrors, ≈2 µs per value: 0.1 s per 10⁵ imported rows, which leave most optional columns
# empty). A registered identity adapter is one dict hit and one call; None still binds as NULL.
sqlcipher3.register_adapter(type(None), _null)


def cipher_version() -> str:
    """The linked SQLCipher version; raises CipherUnavailable on plain SQLite or an old SQLCipher."""
    conn = sqlcipher3.connect(":memory:")
    try:
        row = conn.execute("PRAGMA cipher_version").fetchone()
    finally:
        conn.close()
    version = row[0] if row else ""
    if not version:
        raise CipherUnavailable(N_("SQLCipher encryption is not available in this installation (it has plain SQLite "
                                   "without encryption). mybnpl refuses to run, because data would be written "
                                   "unencrypted. Reinstall with the sqlcipher3 wheel."))
    m = re.match(r"(\d+)\.", version)
    if not m or int(m.group(1)) < 4:
        raise CipherUnavailable(N_("This installation has SQLCipher {version}, which is too old: mybnpl needs "
                                   "version 4 or later. Reinstall with the sqlcipher3 wheel."), version=version)
    return str(version)


def classify_existing(path: Path) -> None:
    """Reject files that cannot be a vault before any key is tried."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError:
        raise VaultDamaged(name=path.name) from None
    if size == 0:
        raise NotAVault(name=path.name)
    if head == SQLITE_HEADER:
        raise NotAVault(name=path.name)  # an unencrypted SQLite file
    if size % PAGE_SIZE:
        raise VaultDamaged(name=path.name)  # truncated


def _connect(path: Path) -> Connection:
    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=10.0)
    return conn


def apply_key(conn: Connection, key: DbKey) -> None:
    conn.execute(f"PRAGMA key = {key.pragma()}")
    conn.execute("PRAGMA cipher_compatibility = 4")


def configure(conn: Connection) -> None:
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    conn.execute("PRAGMA busy_timeout = 10000")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":  # pragma: no cover - only on file systems without shared memory
        conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA synchronous = FULL")


def open_connection(path: Path, key: DbKey, *, create: bool = False) -> Connection:
    """Open (or create) an encrypted database. Raises NotAVault/VaultDamaged; a key mismatch surfaces as
    ``sqlcipher3.DatabaseError`` for the caller to classify with its key check value."""
    cipher_version()
    if create:
        if path.exists():
            raise FileExistsError(path)
    else:
        classify_existing(path)
    conn = _connect(path)
    try:
        apply_key(conn, key)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        configure(conn)
    except BaseException:
        conn.close()
        raise
    if create and os.name == "posix":
        os.chmod(path, 0o600)
    return conn


def cipher_settings(conn: Connection) -> dict[str, str]:
    out: dict[str, str] = {}
    for (line,) in conn.execute("PRAGMA cipher_settings").fetchall():
        m = re.match(r"PRAGMA (\w+) = (.+);", str(line))
        if m:
            out[m.group(1)] = m.group(2)
    return out


def integrity_problems(conn: Connection) -> list[str]:
    """Both checks; an empty list means clean."""
    problems = [str(r[0]) for r in conn.execute("PRAGMA cipher_integrity_check").fetchall()]
    ok = [str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall()]
    if ok != ["ok"]:
        problems.extend(ok)
    return problems
