"""Create, open, recover, re-key: the vault's everyday paths on real SQLCipher files."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from mybnpl.vault import connection as cx
from mybnpl.vault import repos
from mybnpl.vault.errors import (
    KeyInfoMissing,
    VaultExists,
    VaultLocked,
    VaultNotFound,
    WeakPassphrase,
    WrongPassphrase,
    WrongRecoveryKey,
)
from mybnpl.vault.keyinfo import keyinfo_path
from mybnpl.vault.keys import DbKey, decode_recovery_key, encode_recovery_key
from mybnpl.vault.keystore import MemoryKeyStore
from mybnpl.vault.manager import KeyMode, VaultManager
from mybnpl.vault.migrate import latest_version

from ..conftest import PASSPHRASE


def test_cipher_is_really_sqlcipher_4() -> None:
    assert cx.cipher_version().startswith("4.")


def test_created_vault_is_encrypted_and_pinned(manager: VaultManager, vault_path: Path) -> None:
    vault, _ = manager.create(KeyMode.PASSPHRASE, PASSPHRASE)
    try:
        assert vault_path.read_bytes()[:16] != cx.SQLITE_HEADER
        settings = cx.cipher_settings(vault.conn)
        for k, v in cx.PINNED_CIPHER_SETTINGS.items():
            assert settings[k] == v, k
        assert vault.scalar("PRAGMA temp_store") == 2  # MEMORY, never FILE
        assert vault.scalar("PRAGMA journal_mode") == "wal"
        assert vault.scalar("PRAGMA synchronous") == 2  # FULL
        assert vault.schema_version() == latest_version()
        assert oct(vault_path.stat().st_mode & 0o777) == "0o600"
        assert oct(keyinfo_path(vault_path).stat().st_mode & 0o777) == "0o600"
    finally:
        vault.close()


def test_keyring_mode_round_trip(manager: VaultManager, keystore: MemoryKeyStore) -> None:
    vault, recovery = manager.create(KeyMode.KEYRING)
    vault_id = vault.vault_id
    with vault.transaction() as conn:
        repos.insert_account(conn, "huabei", "mine", "CNY")
    vault.close()
    assert vault.closed
    assert len(keystore.items[vault_id]) == 64
    info = manager.key_info()
    assert info.current.key_mode == "keyring" and info.current.keyring_backend == "tests.MemoryKeyring"
    assert "wrapped" not in keyinfo_path(manager.path).read_text()
    again = manager.open_with_keyring()
    assert [a.label for a in repos.list_accounts(again)] == ["mine"]
    again.close()
    assert decode_recovery_key(recovery).hex() == keystore.items[vault_id]


def test_open_after_lock_raises_locked(vault: object) -> None:
    from mybnpl.vault.db import Vault

    assert isinstance(vault, Vault)
    vault.close()
    with pytest.raises(VaultLocked):
        vault.query("SELECT 1")


def test_wrong_passphrase_is_typed_and_fast(manager: VaultManager) -> None:
    manager.create(KeyMode.PASSPHRASE, PASSPHRASE)[0].close()
    start = time.perf_counter()
    with pytest.raises(WrongPassphrase):
        manager.open_with_passphrase("not the passphrase")
    assert time.perf_counter() - start < 1.0


def test_weak_passphrase_refused_and_nothing_created(manager: VaultManager, vault_path: Path) -> None:
    with pytest.raises(WeakPassphrase):
        manager.create(KeyMode.PASSPHRASE, "short")
    assert not vault_path.exists() and not keyinfo_path(vault_path).exists()


def test_passphrase_with_quotes_and_unicode(manager: VaultManager) -> None:
    tricky = "it's \"quoted\"; DROP TABLE x; -- 密码"
    manager.create(KeyMode.PASSPHRASE, tricky)[0].close()
    manager.open_with_passphrase(tricky).close()


def test_existing_vault_is_never_recreated(manager: VaultManager, vault_path: Path) -> None:
    manager.create(KeyMode.PASSPHRASE, PASSPHRASE)[0].close()
    before = vault_path.read_bytes()
    with pytest.raises(VaultExists):
        manager.create(KeyMode.PASSPHRASE, PASSPHRASE)
    assert vault_path.read_bytes() == before


def test_missing_vault(manager: VaultManager) -> None:
    with pytest.raises(VaultNotFound):
        manager.open_with_passphrase(PASSPHRASE)


def test_recovery_key_codec_tolerates_typing() -> None:
    key = DbKey.generate()
    text = encode_recovery_key(key)
    assert len(text.split("-")) == 11
    sloppy = text.lower().replace("-", " ").replace("0", "o")
    assert decode_recovery_key(sloppy) == key
    assert "redacted" in repr(key)


def test_recovery_opens_without_keyinfo_and_reenrols(manager: VaultManager, keystore: MemoryKeyStore) -> None:
    vault, recovery = manager.create(KeyMode.KEYRING)
    vault.close()
    keyinfo_path(manager.path).unlink()
    keystore.items.clear()
    with pytest.raises(KeyInfoMissing):
        manager.open_with_keyring()
    vault = manager.open_with_recovery(recovery)
    manager.reenrol(vault, KeyMode.KEYRING)
    vault.close()
    manager.open_with_keyring().close()
    manager.open_with_recovery(recovery).close()  # the printed recovery key stays valid


def test_change_key_rotates_and_old_secrets_stop_working(manager: VaultManager, keystore: MemoryKeyStore) -> None:
    vault, old_recovery = manager.create(KeyMode.PASSPHRASE, PASSPHRASE)
    with vault.transaction() as conn:
        repos.insert_account(conn, "klarna", "k", "EUR")
    new_recovery = manager.change_key(vault, KeyMode.PASSPHRASE, "a brand new passphrase")
    assert new_recovery != old_recovery
    assert len(repos.list_accounts(vault)) == 1  # the open vault keeps working
    vault.close()
    with pytest.raises(WrongPassphrase):
        manager.open_with_passphrase(PASSPHRASE)
    with pytest.raises(WrongRecoveryKey):
        manager.open_with_recovery(old_recovery)
    v = manager.open_with_passphrase("a brand new passphrase")
    # switch to keyring mode, then back
    manager.change_key(v, KeyMode.KEYRING)
    v.close()
    assert manager.key_mode() is KeyMode.KEYRING
    v = manager.open_with_keyring()
    manager.change_key(v, KeyMode.PASSPHRASE, "third passphrase!")
    v.close()
    assert keystore.items == {}  # nothing left behind in the keyring
    assert manager.key_info().pending is None
    manager.open_with_passphrase("third passphrase!").close()


def test_interrupted_rotation_is_finished_on_open(manager: VaultManager) -> None:
    """Simulate a crash right after PRAGMA rekey: keyinfo still has the change as *pending*."""
    from mybnpl.vault.keyinfo import read_keyinfo, write_keyinfo

    vault, _ = manager.create(KeyMode.PASSPHRASE, PASSPHRASE)
    snapshot = read_keyinfo(manager.path)
    manager.change_key(vault, KeyMode.PASSPHRASE, "the new passphrase")
    vault.close()
    done = read_keyinfo(manager.path)
    # crash state: old protection current, new one pending
    write_keyinfo(manager.path, snapshot.with_pending(done.current))
    with pytest.raises(WrongPassphrase):
        manager.open_with_passphrase("garbage passphrase")
    manager.open_with_passphrase("the new passphrase").close()
    assert read_keyinfo(manager.path).pending is None
    assert read_keyinfo(manager.path).current.key_check == done.current.key_check


def test_event_log_is_append_only(vault: object) -> None:
    from mybnpl.vault.db import Vault

    assert isinstance(vault, Vault)
    with pytest.raises(cx.DatabaseError, match="append-only"), vault.transaction() as conn:
        conn.execute("DELETE FROM events")
    assert vault.scalar("SELECT count(*) FROM events") >= 1


def test_each_thread_gets_its_own_connection(vault: object) -> None:
    import threading

    from mybnpl.vault.db import Vault

    assert isinstance(vault, Vault)
    seen: list[int] = []

    def worker() -> None:
        seen.append(int(vault.scalar("SELECT count(*) FROM events")))

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert seen == [1]


def test_no_files_besides_vault_and_keyinfo_after_close(manager: VaultManager, tmp_path: Path) -> None:
    manager.create(KeyMode.PASSPHRASE, PASSPHRASE)[0].close()
    assert sorted(os.listdir(tmp_path)) == ["case.mybnpl", "case.mybnpl.keyinfo"]
