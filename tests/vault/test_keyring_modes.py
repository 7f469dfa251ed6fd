"""Keyring mode under every keyring failure (checklist #14-#19): no backend, locked, entry gone, backend changed,
write refused on first run, recovery on a new machine, and the OS allow-list (never a plaintext or null backend).
Whatever happens: a typed error, never a new key, never a touched vault."""

from __future__ import annotations

import errno
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring import errors as kerr
from keyring.backend import KeyringBackend
from keyring.backends import fail, null

from mybnpl.vault import connection as cx
from mybnpl.vault.errors import (
    DiskFull,
    KeyringBackendChanged,
    KeyringEntryMissing,
    KeyringLocked,
    KeyringUnavailable,
    KeyringWriteFailed,
    VaultExists,
    WrongPassphrase,
)
from mybnpl.vault.keyinfo import keyinfo_path
from mybnpl.vault.keys import DbKey, decode_recovery_key
from mybnpl.vault.keystore import SERVICE, MemoryKeyStore, OsKeyStore
from mybnpl.vault.manager import KeyMode, VaultManager

from .conftest import PW, PW_NEW, count_tag, file_state, make_manager, side_files


class PlaintextKeyring(KeyringBackend):
    """Stands in for keyrings.alt's PlaintextKeyring: it would keep the key in clear."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.stored: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.stored.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.stored[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.stored.pop((service, username), None)


class FakeSecretService(PlaintextKeyring):
    """An allow-listed backend (it poses as keyring.backends.SecretService.Keyring) that can be locked, forget
    its entries (keyring #77: a locked collection returns None) or refuse writes (keyring #69, #355)."""

    def __init__(self) -> None:
        super().__init__()
        self.locked = self.forget = self.refuse = False

    def get_password(self, service: str, username: str) -> str | None:
        if self.locked:
            raise kerr.KeyringLocked("collection is locked")
        return None if self.forget else super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.locked:
            raise kerr.KeyringLocked("Cannot create an item in a locked collection")
        if self.refuse:
            raise kerr.PasswordSetError("The stub received bad data")
        super().set_password(service, username, password)


FakeSecretService.__module__ = "keyring.backends.SecretService"
FakeSecretService.__qualname__ = "Keyring"
# keyring registers every KeyringBackend subclass for auto-detection: keep these fakes out of it, so tests that
# let keyring choose a backend never get one of them.
for _fake in (PlaintextKeyring, FakeSecretService):
    KeyringBackend._classes.discard(_fake)  # type: ignore[attr-defined]


@pytest.fixture
def set_keyring() -> Iterator[Callable[[KeyringBackend], None]]:
    original = keyring.get_keyring()
    try:
        yield keyring.set_keyring
    finally:
        keyring.set_keyring(original)


def _keyring_vault(mgr: VaultManager) -> str:
    vault, recovery = mgr.create(KeyMode.KEYRING)
    vault.close()
    return recovery


# -- MemoryKeyStore: the failure modes ---------------------------------------------------------------
def test_no_keyring_backend(vdir: Path, store: MemoryKeyStore) -> None:
    path = vdir / "case.mybnpl"
    _keyring_vault(make_manager(path, store))
    before = file_state(path)
    gone = MemoryKeyStore(usable=False)
    gone.items = dict(store.items)
    with pytest.raises(KeyringUnavailable):
        make_manager(path, gone).open_with_keyring()
    assert file_state(path) == before and side_files(path) == []
    other = make_manager(vdir / "second.mybnpl", gone)
    with pytest.raises(KeyringUnavailable):
        other.create(KeyMode.KEYRING)
    assert not other.path.exists() and not keyinfo_path(other.path).exists()
    other.create(KeyMode.PASSPHRASE, PW)[0].close()  # passphrase mode needs no keyring
    assert gone.items == store.items


def test_entry_deleted_is_entry_missing_and_create_refuses(mgr: VaultManager, store: MemoryKeyStore) -> None:
    _keyring_vault(mgr)
    store.items.clear()
    before, info = file_state(mgr.path), keyinfo_path(mgr.path).read_bytes()
    with pytest.raises(KeyringEntryMissing):
        mgr.open_with_keyring()
    for mode, pw in ((KeyMode.KEYRING, None), (KeyMode.PASSPHRASE, PW)):
        with pytest.raises(VaultExists):
            mgr.create(mode, pw)
    assert store.items == {}  # never a new key
    assert file_state(mgr.path) == before and keyinfo_path(mgr.path).read_bytes() == info


def test_entry_holding_garbage_is_entry_missing(mgr: VaultManager, store: MemoryKeyStore) -> None:
    _keyring_vault(mgr)
    (account,) = store.items
    good = store.items[account]
    for garbage in ("", "not hex", good.upper(), good[:-1], good + "0"):
        store.items[account] = garbage
        with pytest.raises(KeyringEntryMissing):
            mgr.open_with_keyring()
        assert store.items == {account: garbage}
    store.items[account] = good
    mgr.open_with_keyring().close()


def test_locked_keyring_is_keyring_locked(vdir: Path, store: MemoryKeyStore) -> None:
    mgr = make_manager(vdir / "case.mybnpl", store)
    _keyring_vault(mgr)
    before, items = file_state(mgr.path), dict(store.items)
    store.locked = True
    with pytest.raises(KeyringLocked):
        mgr.open_with_keyring()
    other = make_manager(vdir / "second.mybnpl", store)
    with pytest.raises(KeyringLocked):
        other.create(KeyMode.KEYRING)
    assert sorted(p.name for p in vdir.iterdir()) == ["case.mybnpl", "case.mybnpl.keyinfo"]
    assert file_state(mgr.path) == before and store.items == items
    store.locked = False
    mgr.open_with_keyring().close()


def test_backend_changed_is_reported(mgr: VaultManager) -> None:
    store_a = MemoryKeyStore(backend="keyring.backends.kwallet.DBusKeyring")
    mgr_a = make_manager(mgr.path, store_a)
    _keyring_vault(mgr_a)
    before = file_state(mgr.path)
    store_b = MemoryKeyStore(backend="keyring.backends.SecretService.Keyring")
    store_b.items = dict(store_a.items)  # same items, different backend
    with pytest.raises(KeyringBackendChanged) as exc:
        make_manager(mgr.path, store_b).open_with_keyring()
    assert "kwallet" in str(exc.value) and "SecretService" in str(exc.value)
    assert store_b.items == store_a.items and file_state(mgr.path) == before and side_files(mgr.path) == []


def test_keyring_write_failure_on_first_run_leaves_nothing(vdir: Path) -> None:
    store = MemoryKeyStore(fail_set=True)
    with pytest.raises(KeyringWriteFailed):
        make_manager(vdir / "case.mybnpl", store).create(KeyMode.KEYRING)
    assert list(vdir.iterdir()) == [] and store.items == {}


def test_create_failing_after_key_stored_removes_vault_sidecar_and_key(mgr: VaultManager, store: MemoryKeyStore,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(*_a: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr("mybnpl.vault.manager.migrate", full_disk)
        with pytest.raises(DiskFull):
            mgr.create(KeyMode.KEYRING)
    assert list(mgr.path.parent.iterdir()) == [] and store.items == {}
    _keyring_vault(mgr)  # a later attempt works normally
    mgr.open_with_keyring().close()


def test_keyring_holding_another_valid_key_is_entry_missing(mgr: VaultManager, store: MemoryKeyStore) -> None:
    _keyring_vault(mgr)
    before = file_state(mgr.path)
    (account,) = store.items
    store.items[account] = DbKey.generate().hex()  # a valid key, but not this vault's: the check value says so
    with pytest.raises(KeyringEntryMissing):
        mgr.open_with_keyring()
    assert file_state(mgr.path) == before and side_files(mgr.path) == []


@pytest.mark.parametrize("new_backend", ["tests.MemoryKeyring", "keyring.backends.libsecret.Keyring"])
def test_recovery_on_new_machine_then_reenrol(mgr: VaultManager, new_backend: str) -> None:
    recovery = _keyring_vault(mgr)
    new_machine = MemoryKeyStore(backend=new_backend)  # nothing stored for this vault
    mgr2 = make_manager(mgr.path, new_machine)
    with pytest.raises((KeyringEntryMissing, KeyringBackendChanged)):
        mgr2.open_with_keyring()
    vault = mgr2.open_with_recovery(recovery)
    mgr2.reenrol(vault, KeyMode.KEYRING)
    vault.close()
    assert mgr2.key_info().current.keyring_backend == new_backend
    assert list(new_machine.items.values()) == [decode_recovery_key(recovery).hex()]  # the same key
    mgr2.open_with_keyring().close()
    mgr2.open_with_recovery(recovery).close()  # the recovery key stays valid


def test_recovery_without_sidecar_then_reenrol(mgr: VaultManager, store: MemoryKeyStore) -> None:
    recovery = _keyring_vault(mgr)
    keyinfo_path(mgr.path).unlink()
    store.items.clear()
    vault = mgr.open_with_recovery(recovery)
    mgr.reenrol(vault, KeyMode.KEYRING)
    vault.close()
    assert mgr.key_mode() is KeyMode.KEYRING
    mgr.open_with_keyring().close()


def test_reenrol_to_passphrase_removes_the_key_from_the_keyring(mgr: VaultManager, store: MemoryKeyStore) -> None:
    vault = mgr.open_with_recovery(_keyring_vault(mgr))
    mgr.reenrol(vault, KeyMode.PASSPHRASE, PW)
    vault.close()
    assert mgr.key_mode() is KeyMode.PASSPHRASE
    assert store.items == {}, "the keyring still opens a vault the user moved to passphrase mode"

# -- OsKeyStore: the allow-list ----------------------------------------------------------------------
@pytest.mark.parametrize("backend", [PlaintextKeyring, null.Keyring, fail.Keyring])
def test_os_keystore_refuses_backends_outside_allow_list(backend: type[KeyringBackend], vdir: Path,
                                                         set_keyring: Callable[[KeyringBackend], None]) -> None:
    instance = backend()
    set_keyring(instance)
    ks = OsKeyStore()
    status = ks.status()
    assert status.usable is False and status.backend == "" and status.reason
    assert ("plain text" in status.reason) == (backend is PlaintextKeyring)
    with pytest.raises(KeyringUnavailable):
        ks.set("account", "0" * 64)
    with pytest.raises(KeyringUnavailable):
        VaultManager(vdir / "case.mybnpl", ks).create(KeyMode.KEYRING)
    assert list(vdir.iterdir()) == []
    if isinstance(instance, PlaintextKeyring):
        assert instance.stored == {}  # the key never reached the plaintext store


def test_os_keystore_allow_listed_backend_and_its_failures(mgr: VaultManager,
                                                           set_keyring: Callable[[KeyringBackend], None]) -> None:
    backend = FakeSecretService()
    set_keyring(backend)
    ks = OsKeyStore()
    assert ks.status().usable and ks.status().backend == "keyring.backends.SecretService.Keyring"
    os_mgr = VaultManager(mgr.path, ks, kdf=mgr.kdf_params())
    vault, recovery = os_mgr.create(KeyMode.KEYRING)
    vault.close()
    assert backend.stored == {(SERVICE, vault.vault_id): decode_recovery_key(recovery).hex()}
    before = file_state(mgr.path)
    backend.locked = True
    with pytest.raises(KeyringLocked):
        os_mgr.open_with_keyring()
    backend.locked, backend.forget = False, True  # a locked collection that answers None (keyring #77)
    with pytest.raises(KeyringEntryMissing):
        os_mgr.open_with_keyring()
    with pytest.raises(VaultExists):
        os_mgr.create(KeyMode.KEYRING)
    assert len(backend.stored) == 1 and file_state(mgr.path) == before
    backend.forget, backend.refuse = False, True
    second = VaultManager(mgr.path.with_name("second.mybnpl"), ks)
    with pytest.raises(KeyringWriteFailed):
        second.create(KeyMode.KEYRING)
    assert not second.path.exists() and not keyinfo_path(second.path).exists() and len(backend.stored) == 1
    os_mgr.open_with_keyring().close()


# -- interrupted key changes (deterministic; the kill -9 version is in test_faults) ---------------------
def _interrupt_key_change(mgr: VaultManager, stage: str, monkeypatch: pytest.MonkeyPatch,
                          mode: KeyMode = KeyMode.PASSPHRASE) -> None:
    """Simulate a crash inside ``change_key`` before or after ``PRAGMA rekey`` (deterministic)."""
    vault = mgr.open_with_passphrase(PW)

    def crash(*_a: Any, **_k: Any) -> None:
        raise RuntimeError("simulated crash")

    with monkeypatch.context() as m:
        if stage == "before_rekey":
            m.setattr(cx, "open_connection", crash)
        else:
            m.setattr(VaultManager, "_finish_rotation", crash)
        with pytest.raises(RuntimeError):
            mgr.change_key(vault, mode, PW_NEW if mode is KeyMode.PASSPHRASE else None)
    vault.close()
    assert mgr.key_info().pending is not None


@pytest.mark.parametrize("stage", ["before_rekey", "after_rekey"])
def test_interrupted_key_change_keeps_one_passphrase(mgr: VaultManager, pw_vault: str, stage: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _interrupt_key_change(mgr, stage, monkeypatch)
    works, other = (PW, PW_NEW) if stage == "before_rekey" else (PW_NEW, PW)
    vault = make_manager(mgr.path).open_with_passphrase(works)
    try:
        info = mgr.key_info()
        assert info.pending is None and info.current.key_check == vault.key().check_value()
        assert count_tag(vault.conn, "seed") == 300 and vault.integrity_problems() == []
    finally:
        vault.close()
    with pytest.raises(WrongPassphrase):  # after the clean-up the other one is simply wrong
        make_manager(mgr.path).open_with_passphrase(other)


@pytest.mark.parametrize("stage", ["before_rekey", "after_rekey"])
def test_interrupted_key_change_other_passphrase_is_not_damage(mgr: VaultManager, pw_vault: str, stage: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    _interrupt_key_change(mgr, stage, monkeypatch)
    other = PW_NEW if stage == "before_rekey" else PW
    with pytest.raises(WrongPassphrase):
        make_manager(mgr.path).open_with_passphrase(other)


@pytest.mark.parametrize("stage", ["before_rekey", "after_rekey"])
def test_interrupted_switch_to_keyring_mode(mgr: VaultManager, store: MemoryKeyStore, pw_vault: str, stage: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _interrupt_key_change(mgr, stage, monkeypatch, KeyMode.KEYRING)
    vault_id = mgr.key_info().vault_id
    assert list(store.items) == [f"{vault_id}:pending"]
    vault = mgr.open_with_passphrase(PW) if stage == "before_rekey" else mgr.open_with_keyring()
    try:
        info = mgr.key_info()
        assert info.pending is None and info.current.key_check == vault.key().check_value()
        assert count_tag(vault.conn, "seed") == 300
    finally:
        vault.close()
    if stage == "before_rekey":
        assert store.items == {} and mgr.key_mode() is KeyMode.PASSPHRASE  # the abandoned key is gone
    else:
        assert list(store.items) == [vault_id] and mgr.key_mode() is KeyMode.KEYRING
        with pytest.raises(WrongPassphrase):
            mgr.open_with_passphrase(PW)


def test_switch_to_keyring_that_refuses_the_key_changes_nothing(mgr: VaultManager, store: MemoryKeyStore,
                                                                 pw_vault: str) -> None:
    vault = mgr.open_with_passphrase(PW)
    info, before = keyinfo_path(mgr.path).read_bytes(), file_state(mgr.path)
    store.fail_set = True
    with pytest.raises(KeyringWriteFailed):
        mgr.change_key(vault, KeyMode.KEYRING)
    vault.close()
    assert keyinfo_path(mgr.path).read_bytes() == info and file_state(mgr.path) == before and store.items == {}
    mgr.open_with_passphrase(PW).close()
