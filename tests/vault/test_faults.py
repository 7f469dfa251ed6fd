"""Bad input and faults, each one tested on real SQLCipher files: wrong secrets, files that are not vaults,
damaged vaults, ``kill -9`` mid-write and mid-rekey, a full disk. The file is never overwritten."""

from __future__ import annotations

import errno
import json
import os
import random
from pathlib import Path
from typing import Any

import pytest

import mybnpl.atomic
from mybnpl.atomic import write_atomic
from mybnpl.vault import backup as vbackup
from mybnpl.vault import connection as cx
from mybnpl.vault import repos
from mybnpl.vault.errors import (
    BackupFailed,
    DiskFull,
    KeyInfoMissing,
    MalformedRecoveryKey,
    NotAVault,
    VaultDamaged,
    VaultExists,
    WrongPassphrase,
    WrongRecoveryKey,
)
from mybnpl.vault.keyinfo import keyinfo_path
from mybnpl.vault.keys import DbKey, encode_recovery_key
from mybnpl.vault.manager import KeyMode, VaultManager

from .conftest import (
    ENV_NEW_PW,
    ENV_PW,
    PW,
    PW_NEW,
    count_tag,
    file_state,
    helper_env,
    make_manager,
    run_helper,
    run_until,
    side_files,
    tx_rows,
    write_not_a_vault,
)


def _enospc(*_a: object, **_k: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def _listing(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir())


# -- 1. wrong secrets --------------------------------------------------------------------------------
def test_wrong_passphrase_is_typed_and_touches_nothing(mgr: VaultManager, pw_vault: str) -> None:
    before, listing = file_state(mgr.path), _listing(mgr.path.parent)
    for bad in ("wrong passphrase", PW.upper(), PW + " ", PW[:-1], ""):
        with pytest.raises(WrongPassphrase):
            mgr.open_with_passphrase(bad)
    assert file_state(mgr.path) == before
    assert side_files(mgr.path) == [] and _listing(mgr.path.parent) == listing


@pytest.mark.parametrize("keyinfo", ["present", "lost"])
def test_wrong_recovery_key_is_typed_and_touches_nothing(mgr: VaultManager, pw_vault: str, keyinfo: str) -> None:
    if keyinfo == "lost":  # without the sidecar the wrong key really is tried on the file
        keyinfo_path(mgr.path).rename(mgr.path.parent.parent / "keyinfo.aside")
    before, listing = file_state(mgr.path), _listing(mgr.path.parent)
    other = encode_recovery_key(DbKey.generate())
    with pytest.raises(WrongRecoveryKey):
        mgr.open_with_recovery(other)
    assert file_state(mgr.path) == before
    assert side_files(mgr.path) == [] and _listing(mgr.path.parent) == listing  # no sidecar written either


_FIXED = encode_recovery_key(DbKey(bytes(range(32))))  # deterministic, so a typo surely breaks its check
_TYPO = _FIXED[:7] + ("Z" if _FIXED[7] != "Z" else "Y") + _FIXED[8:]


@pytest.mark.parametrize("text", ["", "not a recovery key", "U" * 55, _FIXED[:-6], _FIXED + "-00000", _TYPO,
                                  _FIXED[:-1] + "Z"])  # "Z" sets the 3 padding bits of the last character
def test_malformed_recovery_key_is_typed_and_touches_nothing(mgr: VaultManager, pw_vault: str,
                                                             text: str) -> None:
    before = file_state(mgr.path)
    with pytest.raises(MalformedRecoveryKey):
        mgr.open_with_recovery(text)
    assert file_state(mgr.path) == before and side_files(mgr.path) == []


def test_recovery_key_typed_sloppily_still_opens(mgr: VaultManager, pw_vault: str) -> None:
    sloppy = " ".join(pw_vault.split("-")).lower().replace("0", "o").replace("1", "l")
    vault = mgr.open_with_recovery(sloppy)
    try:
        assert count_tag(vault.conn, "seed") == 300
    finally:
        vault.close()


# -- 2. files that are not vaults, damaged vaults --------------------------------------------------------
_STANDALONE: dict[str, tuple[type[Exception], ...]] = {
    "empty": (NotAVault,), "plain_sqlite": (NotAVault,), "text": (VaultDamaged,),
    # random pages cannot be told from a vault under another key: without a sidecar nothing can say more
    "random": (KeyInfoMissing, WrongRecoveryKey),
}


@pytest.mark.parametrize("kind", sorted(_STANDALONE))
def test_not_a_vault_is_refused_and_never_overwritten(vdir: Path, kind: str) -> None:
    path = vdir / f"{kind}.mybnpl"
    write_not_a_vault(path, kind)
    mgr = make_manager(path)
    before = file_state(path)
    attempts = [lambda: mgr.open_with_passphrase(PW), mgr.open_with_keyring,
                lambda: mgr.open_with_recovery(encode_recovery_key(DbKey.generate()))]
    for attempt in attempts:
        with pytest.raises(_STANDALONE[kind]):
            attempt()
    with pytest.raises(VaultExists):
        mgr.create(KeyMode.PASSPHRASE, PW)
    assert file_state(path) == before
    assert _listing(vdir) == [path.name]  # no sidecar, no -wal/-shm/-journal


@pytest.mark.parametrize("kind", ["random", "empty", "plain_sqlite", "text"])
def test_not_a_vault_in_place_of_a_vault(mgr: VaultManager, pw_vault: str, kind: str) -> None:
    write_not_a_vault(mgr.path, kind)
    before, listing = file_state(mgr.path), _listing(mgr.path.parent)
    for attempt in (lambda: mgr.open_with_passphrase(PW), lambda: mgr.open_with_recovery(pw_vault)):
        with pytest.raises((NotAVault, VaultDamaged)):
            attempt()
    assert file_state(mgr.path) == before and _listing(mgr.path.parent) == listing


@pytest.mark.parametrize("cut", ["odd_size", "half_pages"])
def test_truncated_vault_is_damaged(mgr: VaultManager, pw_vault: str, cut: str) -> None:
    data = mgr.path.read_bytes()
    pages = len(data) // cx.PAGE_SIZE
    assert pages >= 4
    mgr.path.write_bytes(data[: len(data) - 100] if cut == "odd_size" else data[: pages // 2 * cx.PAGE_SIZE])
    before = file_state(mgr.path)
    for attempt in (lambda: mgr.open_with_passphrase(PW), lambda: mgr.open_with_recovery(pw_vault)):
        with pytest.raises(VaultDamaged):
            attempt()
    assert file_state(mgr.path) == before and side_files(mgr.path) == []


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_bit_flip_in_middle_page_is_detected_and_never_written(mgr: VaultManager) -> None:
    vault, _ = mgr.create(KeyMode.PASSPHRASE, PW)
    with vault.transaction() as conn:  # a 1 MiB blob spans the middle of the file
        repos.insert_transactions(conn, tx_rows(200, "flip"))
        repos.insert_evidence(conn, os.urandom(1 << 20), media_type="image/png")
    vault.close()
    pages = mgr.path.stat().st_size // cx.PAGE_SIZE
    _flip(mgr.path, pages // 2 * cx.PAGE_SIZE + 1000)
    before = file_state(mgr.path)
    vault = mgr.open_with_passphrase(PW)  # page 1 is intact, so opening works...
    try:
        with pytest.raises(VaultDamaged):  # ...but reading the damaged page is a typed error
            vault.query("SELECT sha256, data FROM evidence_blobs")
    finally:
        vault.close()
    vault = mgr.open_with_passphrase(PW)
    try:
        problems = vault.integrity_problems()
    finally:
        vault.close()
    assert any("HMAC" in p for p in problems), problems
    assert file_state(mgr.path) == before and side_files(mgr.path) == []


def test_bit_flip_in_first_page_is_damage_not_wrong_secret(mgr: VaultManager, pw_vault: str) -> None:
    _flip(mgr.path, 2000)
    before = file_state(mgr.path)
    for attempt in (lambda: mgr.open_with_passphrase(PW), lambda: mgr.open_with_recovery(pw_vault)):
        with pytest.raises(VaultDamaged):
            attempt()
    assert file_state(mgr.path) == before and side_files(mgr.path) == []


# -- 3. kill -9 in the middle of a write -------------------------------------------------------------
N_IMPORT = 50_000


@pytest.mark.slow
def test_kill_9_mid_import_is_all_or_nothing(tmp_path: Path) -> None:
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    path = tmp_path / "v" / "case.mybnpl"
    make_manager(path).create(KeyMode.PASSPHRASE, PW)[0].close()
    env, err = helper_env(**{ENV_PW: PW}), tmp_path / "helper.err"

    def run(tag: str, journal: str, kill_after: float | None) -> tuple[bool, float]:
        args = ["insert", str(path), str(N_IMPORT), tag, journal]
        return run_until(args, env, err, "BEGIN", "COMMIT", kill_after)

    _, duration = run("calibrate", "wal", None)  # how long one 50k-row transaction takes here
    expected = {"calibrate": N_IMPORT}
    delays = [rng.uniform(0.0, 0.9 * duration) for _ in range(4)] + [rng.uniform(0.9, 1.05) * duration]
    interrupted = 0
    for i, delay in enumerate(delays):
        tag, journal = f"kill{i}", ("wal", "delete")[i % 2]
        committed_before_kill, _ = run(tag, journal, delay)
        vault = make_manager(path).open_with_passphrase(PW)
        try:
            got = count_tag(vault.conn, tag)
            assert got in (0, N_IMPORT), f"partial import: {got} rows (seed {seed}, {journal})"
            assert got == N_IMPORT or not committed_before_kill, f"lost a commit (seed {seed})"
            assert vault.integrity_problems() == [], f"seed {seed}"
            expected[tag] = got
            assert vault.scalar("SELECT count(*) FROM transactions") == sum(expected.values())
        finally:
            vault.close()
        interrupted += got == 0
    assert interrupted >= 1, f"no kill landed inside the transaction (seed {seed}, {duration=:.2f}s)"


def _open_one(path: Path, passphrases: tuple[str, str], rows: int) -> str:
    """Exactly one of the passphrases opens; the key metadata then matches the key that opened."""
    opened = []
    for pw in passphrases:
        mgr = make_manager(path)
        try:
            vault = mgr.open_with_passphrase(pw)
        except (WrongPassphrase, VaultDamaged):
            continue
        try:
            info = mgr.key_info()
            assert info.pending is None and info.current.key_check == vault.key().check_value()
            assert vault.integrity_problems() == []
            assert count_tag(vault.conn, "rk") == rows
        finally:
            vault.close()
        opened.append(pw)
    assert len(opened) == 1, f"opened with {len(opened)} of the old/new passphrases"
    return opened[0]


@pytest.mark.slow
def test_kill_9_during_rekey_leaves_old_or_new_passphrase(tmp_path: Path) -> None:
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    path, err, rows = tmp_path / "v" / "case.mybnpl", tmp_path / "helper.err", 30_000
    vault, _ = make_manager(path).create(KeyMode.PASSPHRASE, PW)
    with vault.transaction() as conn:
        repos.insert_transactions(conn, tx_rows(rows, "rk"))
    vault.close()

    def run(old: str, new: str, kill_after: float | None) -> tuple[bool, float]:
        env = helper_env(**{ENV_PW: old, ENV_NEW_PW: new})
        return run_until(["rekey", str(path)], env, err, "REKEY", "REKEYED", kill_after)

    _, duration = run(PW, PW_NEW, None)
    current = _open_one(path, (PW, PW_NEW), rows)
    assert current == PW_NEW
    mid_rekey = 0
    for i in range(4):  # mostly inside the rekey, sometimes just after it (before the key info is promoted)
        new = f"rekey passphrase number {i}"
        finished, _ = run(current, new, rng.uniform(0.0, 1.1 * duration))
        current = _open_one(path, (current, new), rows)
        mid_rekey += not finished
    assert mid_rekey >= 1, f"no kill landed inside PRAGMA rekey (seed {seed}, {duration=:.3f}s)"


# -- 4. disk full / write failures -------------------------------------------------------------------
@pytest.mark.parametrize("fails", ["replace", "fsync"])
def test_atomic_write_on_full_disk_keeps_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                fails: str) -> None:
    target = tmp_path / "case.mybnpl.keyinfo"
    write_atomic(target, b'{"old": true}')
    with monkeypatch.context() as m:
        m.setattr(mybnpl.atomic.os, fails, _enospc)
        with pytest.raises(OSError) as exc:
            write_atomic(target, b'{"new": true}' * 1000)
    assert exc.value.errno == errno.ENOSPC
    assert target.read_bytes() == b'{"old": true}' and _listing(tmp_path) == [target.name]  # no .part


def test_change_key_on_full_disk_changes_nothing(mgr: VaultManager, pw_vault: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    keyinfo_before, listing = keyinfo_path(mgr.path).read_bytes(), _listing(mgr.path.parent)
    vault = mgr.open_with_passphrase(PW)
    with monkeypatch.context() as m:
        m.setattr(mybnpl.atomic.os, "replace", _enospc)
        with pytest.raises((OSError, DiskFull)):
            mgr.change_key(vault, KeyMode.PASSPHRASE, PW_NEW)
    assert count_tag(vault.conn, "seed") == 300  # the open vault still works
    vault.close()
    assert keyinfo_path(mgr.path).read_bytes() == keyinfo_before and _listing(mgr.path.parent) == listing
    with pytest.raises(WrongPassphrase):
        mgr.open_with_passphrase(PW_NEW)
    mgr.open_with_passphrase(PW).close()


def test_vault_write_on_full_disk_is_disk_full_and_keeps_last_commit(mgr: VaultManager, pw_vault: str) -> None:
    vault = mgr.open_with_passphrase(PW)
    vault.execute(f"PRAGMA max_page_count = {vault.scalar('PRAGMA page_count')}")  # SQLITE_FULL on growth
    with pytest.raises(DiskFull), vault.transaction() as conn:
        repos.insert_transactions(conn, tx_rows(5000, "full"))
    vault.close()
    vault = mgr.open_with_passphrase(PW)
    try:
        assert count_tag(vault.conn, "seed") == 300 and count_tag(vault.conn, "full") == 0
        assert vault.integrity_problems() == []
    finally:
        vault.close()


def test_backup_where_writing_fails_is_backup_failed(mgr: VaultManager, pw_vault: str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    vault = mgr.open_with_passphrase(PW)
    try:
        counts = repos.entity_counts(vault)
        with pytest.raises(BackupFailed):  # the target directory does not exist
            vbackup.backup(vault, tmp_path / "no such dir" / "b.mybnpl")
        out = tmp_path / "out"
        out.mkdir()
        with monkeypatch.context() as m:
            m.setattr(mybnpl.atomic.os, "replace", _enospc)
            with pytest.raises(BackupFailed):
                vbackup.backup(vault, out / "b.mybnpl")
        assert _listing(out) == []  # no partial backup, no .part, no -journal
        assert repos.entity_counts(vault) == counts
    finally:
        vault.close()
    vault = mgr.open_with_passphrase(PW)
    try:
        assert repos.entity_counts(vault) == counts and vault.integrity_problems() == []
    finally:
        vault.close()


class _Stop(Exception):
    pass


def test_backup_and_restore_report_progress_and_cancel_cleanly(mgr: VaultManager, pw_vault: str,
                                                               tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Progress in pages, ending at the total; raising from the callback (the user cancelled) leaves no file and
    an untouched vault, for backup and for restore."""
    monkeypatch.setattr(vbackup, "_STEP_PAGES", 4)  # the fixture vault is small: several steps all the same
    vault = mgr.open_with_passphrase(PW)
    try:
        with vault.transaction() as conn:  # enough pages for several steps
            repos.insert_evidence(conn, os.urandom(200_000), media_type="application/octet-stream")
        counts = repos.entity_counts(vault)
        out = tmp_path / "out"
        out.mkdir()
        seen: list[tuple[int, int]] = []
        vbackup.backup(vault, out / "b.mybnpl", progress=lambda done, total: seen.append((done, total)))
        assert len(seen) > 2 and seen[-1][0] == seen[-1][1] and [d for d, _t in seen] == sorted(d for d, _t in seen)

        def stop(done: int, _total: int) -> None:
            if done:
                raise _Stop

        with pytest.raises(_Stop):
            vbackup.backup(vault, out / "c.mybnpl", progress=stop)
        assert _listing(out) == ["b.mybnpl"]
        before, counts = _listing(mgr.path.parent), repos.entity_counts(vault)
        with pytest.raises(_Stop):
            vbackup.restore(vault, out / "b.mybnpl", progress=stop)
        assert _listing(mgr.path.parent) == before and repos.entity_counts(vault) == counts
        restored: list[tuple[int, int]] = []
        vbackup.restore(vault, out / "b.mybnpl", progress=lambda d, t: restored.append((d, t)))
        assert restored[-1][0] == restored[-1][1] and repos.entity_counts(vault)["evidence"] == counts["evidence"]
    finally:
        vault.close()


@pytest.fixture
def backup_on_full_disk(mgr: VaultManager, pw_vault: str, tmp_path: Path) -> dict[str, Any]:
    """A real write failure: the helper backs up with RLIMIT_FSIZE = 8 KiB (the backup needs more)."""
    out = tmp_path / "out"
    out.mkdir()
    vault = mgr.open_with_passphrase(PW)
    counts = repos.entity_counts(vault)
    vault.close()
    line = run_helper(["backup", str(mgr.path), str(out / "b.mybnpl"), "8192"], helper_env(**{ENV_PW: PW}),
                      tmp_path / "helper.err")
    return {"outcome": json.loads(line), "counts": counts}


def test_backup_on_full_disk_leaves_nothing_and_vault_intact(mgr: VaultManager,
                                                             backup_on_full_disk: dict[str, Any]) -> None:
    outcome = backup_on_full_disk["outcome"]
    assert outcome["error"] is not None and outcome["leftovers"] == []
    vault = mgr.open_with_passphrase(PW)
    try:
        assert repos.entity_counts(vault) == backup_on_full_disk["counts"]
        assert vault.integrity_problems() == []
    finally:
        vault.close()


def test_backup_on_full_disk_is_backup_failed(backup_on_full_disk: dict[str, Any]) -> None:
    assert backup_on_full_disk["outcome"]["error"] == f"{BackupFailed.__module__}.BackupFailed"


@pytest.mark.parametrize("target", ["vault", "keyinfo"])
def test_backup_onto_the_vault_itself_is_refused(mgr: VaultManager, pw_vault: str, target: str) -> None:
    vault = mgr.open_with_passphrase(PW)
    try:
        with pytest.raises(BackupFailed):
            vbackup.backup(vault, mgr.path if target == "vault" else keyinfo_path(mgr.path))
    finally:
        vault.close()
