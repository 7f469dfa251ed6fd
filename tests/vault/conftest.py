"""Fixtures and helpers for the vault fault, secret and keyring tests.

Everything runs on real SQLCipher files in ``tmp_path`` with :class:`MemoryKeyStore` as the keyring and
``KdfParams.fast_for_tests()``. Names differ from the fixtures in ``tests/conftest.py`` on purpose: nothing here
overrides them for the other vault tests.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from mybnpl.core.models import Direction
from mybnpl.core.money import Money
from mybnpl.vault import repos
from mybnpl.vault.keys import KdfParams
from mybnpl.vault.keystore import MemoryKeyStore
from mybnpl.vault.manager import KeyMode, VaultManager

# Quotes, a semicolon and a backslash: a passphrase must never be pasted into SQL (checklist #5).
PW = "Tr0ub4dor & 3 'quoted\" ;-- \\ pass"
PW_NEW = "a different long passphrase 2"
ENV_PW = "MYBNPL_TEST_PASSPHRASE"
ENV_NEW_PW = "MYBNPL_TEST_NEW_PASSPHRASE"
HELPER = Path(__file__).with_name("helpers_crash.py")
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
FAST = KdfParams.fast_for_tests()


@dataclass(frozen=True)
class FileState:
    """What "byte-for-byte unchanged" means: content hash, modification time and size."""

    sha256: str
    mtime_ns: int
    size: int


def file_state(path: Path) -> FileState:
    st = path.stat()
    return FileState(hashlib.sha256(path.read_bytes()).hexdigest(), st.st_mtime_ns, st.st_size)


def side_files(path: Path) -> list[str]:
    """SQLite side files (-wal, -shm, -journal) that exist next to ``path``."""
    return [path.name + s for s in SIDE_SUFFIXES if Path(f"{path}{s}").exists()]


def tx_rows(n: int, tag: str, start: int = 0) -> Iterator[repos.NewTransaction]:
    """``n`` distinct transactions whose merchant is ``<tag>-<number>`` (so they are easy to count)."""
    first = date(2024, 1, 1)
    for i in range(start, start + n):
        yield repos.NewTransaction(first + timedelta(days=i % 366), Money.from_minor(100 + i, "CNY"),
                                   Direction.OUT, f"{tag}-{i:06d}", description="instalment 1/3")


def count_tag(conn: Any, tag: str) -> int:
    return int(conn.execute("SELECT count(*) FROM transactions WHERE merchant LIKE ?", (f"{tag}-%",))
               .fetchone()[0])


def make_manager(path: Path, store: MemoryKeyStore | None = None) -> VaultManager:
    return VaultManager(path, store if store is not None else MemoryKeyStore(), kdf=FAST)


def helper_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MYBNPL_")}
    env.update(extra)
    return env


def start_helper(args: list[str], env: dict[str, str], stderr_path: Path) -> subprocess.Popen[str]:
    """Start ``helpers_crash.py`` with this interpreter; stdout is a pipe, stderr goes to a file."""
    with open(stderr_path, "ab") as err:
        return subprocess.Popen([sys.executable, str(HELPER), *args], stdout=subprocess.PIPE, stderr=err,
                                stdin=subprocess.DEVNULL, text=True, env=env)


def finish_helper(proc: subprocess.Popen[str]) -> None:
    """Reap the helper (it was killed, or finishes on its own) and close its pipe."""
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()


def run_until(args: list[str], env: dict[str, str], stderr_path: Path, start: str, end: str,
              kill_after: float | None) -> tuple[bool, float]:
    """Start the helper and wait until it prints ``start``. Then, with ``kill_after`` None, wait for ``end`` and
    return (True, seconds it took); else ``kill -9`` it ``kill_after`` seconds later and return (whether ``end``
    was printed before the kill, kill_after)."""
    proc = start_helper(args, env, stderr_path)
    assert proc.stdout is not None
    try:
        assert proc.stdout.readline().strip() == start, stderr_path.read_text(errors="replace")[-2000:]
        begun = time.monotonic()
        if kill_after is None:
            assert proc.stdout.readline().strip() == end, stderr_path.read_text(errors="replace")[-2000:]
            return True, time.monotonic() - begun
        time.sleep(kill_after)
        proc.kill()  # SIGKILL
        proc.wait(60)
        return end in proc.stdout.read().split(), kill_after
    finally:
        finish_helper(proc)


def run_helper(args: list[str], env: dict[str, str], stderr_path: Path, timeout: float = 120) -> str:
    proc = start_helper(args, env, stderr_path)
    try:
        out, _ = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, f"helper {args[0]} failed: {stderr_path.read_text(errors='replace')[-2000:]}"
    return out


def write_not_a_vault(path: Path, kind: str) -> None:
    """Write a file that is not a vault: ``random`` pages, ``empty``, ``text`` or a ``plain_sqlite`` db."""
    if kind == "random":
        path.write_bytes(os.urandom(3 * 4096))
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "text":
        path.write_text("date,merchant,amount\n2024-01-01,shop,12.00\n" * 20)
    else:
        path.unlink(missing_ok=True)
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE t(x)")
        conn.execute("INSERT INTO t VALUES ('plain')")
        conn.commit()
        conn.close()


@pytest.fixture
def store() -> MemoryKeyStore:
    return MemoryKeyStore()


@pytest.fixture
def vdir(tmp_path: Path) -> Path:
    """A directory that holds only the vault and its sidecars, so listings are exact."""
    d = tmp_path / "vaultdir"
    d.mkdir()
    return d


@pytest.fixture
def mgr(vdir: Path, store: MemoryKeyStore) -> VaultManager:
    return make_manager(vdir / "case.mybnpl", store)


@pytest.fixture
def pw_vault(mgr: VaultManager) -> str:
    """A closed passphrase vault (passphrase ``PW``) with 300 transactions and one evidence blob; returns its
    recovery key."""
    vault, recovery = mgr.create(KeyMode.PASSPHRASE, PW)
    try:
        with vault.transaction() as conn:
            repos.insert_transactions(conn, tx_rows(300, "seed"))
            repos.insert_evidence(conn, b"%PDF-1.4 statement " * 64, media_type="application/pdf")
    finally:
        vault.close()
    return recovery
