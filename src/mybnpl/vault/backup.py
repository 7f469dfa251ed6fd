"""Encrypted backup and restore with the SQLite backup API (encrypted → encrypted), verified after writing."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from mybnpl.atomic import write_atomic_with
from mybnpl.i18n import N_, os_reason
from mybnpl.vault import connection as cx
from mybnpl.vault import repos
from mybnpl.vault.db import Vault
from mybnpl.vault.errors import BackupFailed, VaultDamaged, WrongRecoveryKey
from mybnpl.vault.keys import DbKey

ProgressFn = Callable[[int, int], None]  # (pages copied, pages in all); may raise to cancel the copy
_STEP_PAGES = 1024  # 4 MiB of pages per step: progress several times a second, negligible overhead


def _copy(src: cx.Connection, dest_path: Path, key: DbKey, progress: ProgressFn | None = None) -> None:
    dest = cx.open_connection(dest_path, key, create=True)
    try:
        dest.execute("PRAGMA journal_mode = DELETE")
        if progress is None:
            src.backup(dest)
        else:  # an exception raised by ``progress`` stops the copy and propagates
            src.backup(dest, pages=_STEP_PAGES, progress=lambda _status, remaining, total: progress(
                total - remaining, total))
    finally:
        dest.close()


def verify_file(path: Path, key: DbKey) -> dict[str, int]:
    """Open ``path`` with ``key``, run both integrity checks; returns its row counts."""
    try:
        conn = cx.open_connection(path, key)
    except cx.DatabaseError:
        raise WrongRecoveryKey() from None
    try:
        problems = cx.integrity_problems(conn)
        if problems:
            raise VaultDamaged(name=path.name)
        return {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in repos.ENTITY_TABLES}
    except cx.DatabaseError:
        raise VaultDamaged(name=path.name) from None
    finally:
        conn.close()


def backup(vault: Vault, out: Path, progress: ProgressFn | None = None) -> dict[str, int]:
    """Write an encrypted copy of the vault to ``out`` atomically, verify it, and return its counts.
    The backup opens with the vault's current key (so with its recovery key). ``progress`` hears the pages
    copied; if it raises (the user cancelled), nothing is written and the exception propagates."""
    out = Path(out)
    _refuse_own_files(vault, out)
    key = vault.key()
    expected = repos.entity_counts(vault)
    counts: dict[str, int] = {}

    def produce(tmp: Path) -> None:
        nonlocal counts
        _copy(vault.conn, tmp, key, progress)
        counts = verify_file(tmp, key)
        if counts["events"] < expected["events"] or counts != {**expected, "events": counts["events"]}:
            raise BackupFailed(N_("The backup could not be verified: it does not hold the same records as the vault. "
                                   "Nothing was kept."))

    try:
        write_atomic_with(out, produce)
    except (BackupFailed, VaultDamaged):
        raise
    except OSError as e:
        raise BackupFailed(detail=os_reason(e)) from None
    except cx.DatabaseError as e:  # disk full / I/O error while SQLite wrote the copy
        raise BackupFailed(detail=str(e)) from None
    with vault.transaction() as conn:
        repos.append_event(conn, "backup_written", out.name)
    return counts


def _refuse_own_files(vault: Vault, out: Path) -> None:
    own = [vault.path, *(vault.path.with_name(vault.path.name + s) for s in (".keyinfo", "-wal", "-shm", "-journal"))]
    target = out.resolve()
    for p in own:
        if target == p.resolve() or (out.exists() and p.exists() and os.path.samefile(out, p)):
            raise BackupFailed(N_("The backup cannot replace the vault or its own files. Choose another file name."))


def _keep_copy(path: Path) -> Path:
    """Keep the current vault file as ``<name>.before-restore-<time>``, never overwriting an earlier one."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    for n in range(1000):
        keep = path.with_name(f"{path.name}.before-restore-{stamp}" + (f"-{n}" if n else ""))
        try:
            os.link(path, keep)  # the old file stays reachable; the swap that follows is one atomic rename
            return keep
        except FileExistsError:
            continue
        except OSError:
            try:
                with open(keep, "xb") as dst, open(path, "rb") as src:
                    shutil.copyfileobj(src, dst)
                return keep
            except FileExistsError:
                continue
    raise BackupFailed(N_("There are too many earlier restore copies next to the vault. Move some away and try "
                           "again; the vault was not changed."))


def restore(vault: Vault, src: Path, backup_key: DbKey | None = None,
            progress: ProgressFn | None = None) -> dict[str, int]:
    """Replace the vault's content with the backup at ``src``.

    The backup is opened with the vault's key (or ``backup_key``, its recovery key, if it was made before a
    key change), verified, re-encrypted under the vault's current key into a temporary file, verified again and
    moved into place. The previous vault file is kept beside it as ``<name>.before-restore-<time>``.
    ``progress`` hears the pages copied and may raise to cancel: until the final move, the vault is untouched.
    """
    src = Path(src)
    if not src.is_file():
        raise BackupFailed(N_("The backup {name} was not found."), name=src.name)
    cx.classify_existing(src)
    key = vault.key()
    use_key = backup_key or key
    verify_file(src, use_key)
    conn = cx.open_connection(src, use_key)
    tmp = vault.path.with_name(f".{vault.path.name}.restoring")
    for leftover in (tmp, Path(f"{tmp}-journal")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    try:
        _copy(conn, tmp, key, progress)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        if isinstance(exc, cx.DatabaseError | OSError):
            raise BackupFailed(detail=str(exc)) from None
        raise
    finally:
        conn.close()
    try:
        counts = verify_file(tmp, key)
    except BaseException:
        tmp.unlink()
        raise
    vault._drop_thread_connections()  # checkpoints the WAL into the file before we move it
    _keep_copy(vault.path)
    os.replace(tmp, vault.path)
    with vault.transaction() as c:
        repos.append_event(c, "backup_restored", src.name)
    return counts
