"""Subprocess helper for the vault fault tests: ``python helpers_crash.py MODE ARGS...``.

Secrets come only from the environment (MYBNPL_TEST_PASSPHRASE, MYBNPL_TEST_NEW_PASSPHRASE), never from argv,
so they never show in a process listing. Progress words go to stdout, one per line, flushed, so the parent can
time a ``kill -9``. Nothing secret is ever printed.

Modes:
  insert VAULT N TAG JOURNAL  one ``vault.transaction()`` inserting N rows (merchant ``TAG-i``) in chunks through
                              ``repos.insert_transactions``; JOURNAL is ``wal`` or ``delete``.
                              Prints BEGIN once the transaction is open, COMMIT after it.
  rekey VAULT                 ``change_key`` to the new passphrase; prints REKEY right before ``PRAGMA rekey``
                              runs, REKEYED after it returns, DONE at the end.
  sort VAULT TMPDIR MARKER    a big ``ORDER BY merchant`` on the vault's own connection, then, as a control, on
                              a connection with ``temp_store = FILE`` and a tiny cache. While each sort is open it
                              reads every file under TMPDIR the process holds (also deleted ones, via /proc) and
                              counts MARKER. Prints one JSON line.
  backup VAULT OUT LIMIT      ``backup.backup`` to OUT with RLIMIT_FSIZE = LIMIT bytes (a disk that fills up);
                              prints one JSON line with the outcome and what is left in OUT's directory.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from mybnpl.core.models import Direction
from mybnpl.core.money import Money
from mybnpl.vault import backup as vbackup
from mybnpl.vault import connection as cx
from mybnpl.vault import repos
from mybnpl.vault.keys import KdfParams
from mybnpl.vault.keystore import MemoryKeyStore
from mybnpl.vault.manager import KeyMode, VaultManager

CHUNK = 1000


def say(word: str) -> None:
    sys.stdout.write(word + "\n")
    sys.stdout.flush()


def manager(path: str) -> VaultManager:
    return VaultManager(Path(path), MemoryKeyStore(), kdf=KdfParams.fast_for_tests())


def rows(start: int, n: int, tag: str) -> list[repos.NewTransaction]:
    first = date(2024, 1, 1)
    return [repos.NewTransaction(first + timedelta(days=i % 366), Money.from_minor(100 + i, "CNY"), Direction.OUT,
                                 f"{tag}-{i:06d}", description="instalment 1/3") for i in range(start, start + n)]


def do_insert(path: str, n: str, tag: str, journal: str) -> None:
    vault = manager(path).open_with_passphrase(os.environ["MYBNPL_TEST_PASSPHRASE"])
    if journal == "delete":
        vault.execute("PRAGMA journal_mode = DELETE")
    total = int(n)
    with vault.transaction() as conn:
        say("BEGIN")
        for start in range(0, total, CHUNK):
            repos.insert_transactions(conn, rows(start, min(CHUNK, total - start), tag))
    say("COMMIT")
    vault.close()


class _AnnounceRekey:
    """Wraps a connection and announces ``PRAGMA rekey`` (the statement itself is never printed)."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, *args: Any) -> Any:
        if not sql.startswith("PRAGMA rekey"):
            return self._conn.execute(sql, *args)
        say("REKEY")
        result = self._conn.execute(sql, *args)
        say("REKEYED")
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def do_rekey(path: str) -> None:
    mgr = manager(path)
    vault = mgr.open_with_passphrase(os.environ["MYBNPL_TEST_PASSPHRASE"])
    real_open = cx.open_connection
    cx.open_connection = lambda *a, **k: _AnnounceRekey(real_open(*a, **k))  # type: ignore[assignment]
    mgr.change_key(vault, KeyMode.PASSPHRASE, os.environ["MYBNPL_TEST_NEW_PASSPHRASE"])
    cx.open_connection = real_open  # type: ignore[assignment]
    say("DONE")
    vault.close()


def _scan_temp(tmpdir: str, marker: bytes) -> dict[str, Any]:
    """Every file under ``tmpdir`` this process has open (deleted-but-open ``etilqs_*`` included)."""
    seen: list[str] = []
    hits = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(tmpdir + os.sep):
            seen.append(os.path.basename(target))
            with open(f"/proc/self/fd/{fd}", "rb") as fh:
                data = fh.read()
            hits += data.count(marker) + data.count(marker.decode().encode("utf-16-le"))
    return {"open_temp_files": seen, "hits": hits, "listing": sorted(os.listdir(tmpdir))}


def do_sort(path: str, tmpdir: str, marker: str) -> None:
    vault = manager(path).open_with_passphrase(os.environ["MYBNPL_TEST_PASSPHRASE"])
    sql = "SELECT merchant, description, fingerprint FROM transactions ORDER BY merchant DESC, fingerprint"
    result: dict[str, Any] = {"temp_store": vault.scalar("PRAGMA temp_store")}
    cur = vault.conn.execute(sql)
    result["first"] = cur.fetchone()[0].startswith(marker)
    result["vault"] = _scan_temp(tmpdir, marker.encode())
    cur.close()
    control = cx.open_connection(Path(path), vault.key())
    control.execute("PRAGMA temp_store = FILE")  # what the app must never do: proves the probe sees leaks
    control.execute("PRAGMA cache_size = 50")
    cur = control.execute(sql)
    cur.fetchone()
    result["control"] = _scan_temp(tmpdir, marker.encode())
    cur.close()
    control.close()
    vault.close()
    say(json.dumps(result))


def do_backup(path: str, out: str, limit: str) -> None:
    vault = manager(path).open_with_passphrase(os.environ["MYBNPL_TEST_PASSPHRASE"])
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failing write() returns EFBIG instead of killing us
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(limit), hard))
    outcome: dict[str, Any] = {"error": None}
    try:
        vbackup.backup(vault, Path(out))
    except BaseException as e:
        outcome["error"] = f"{type(e).__module__}.{type(e).__qualname__}"
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    outcome["leftovers"] = sorted(os.listdir(Path(out).parent))
    vault.close()
    say(json.dumps(outcome))


def main(argv: list[str]) -> None:
    modes = {"insert": do_insert, "rekey": do_rekey, "sort": do_sort, "backup": do_backup}
    modes[argv[0]](*argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
