"""Create, open, recover and re-key a vault. The only place that decides how the key is protected."""

from __future__ import annotations

import contextlib
import errno
import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from mybnpl.vault import connection as cx
from mybnpl.vault.db import Vault
from mybnpl.vault.errors import (
    DiskFull,
    KeyInfoMissing,
    KeyringBackendChanged,
    KeyringEntryMissing,
    KeyringUnavailable,
    NotAVault,
    VaultDamaged,
    VaultExists,
    VaultNotFound,
    WrongPassphrase,
    WrongRecoveryKey,
)
from mybnpl.vault.keyinfo import KeyInfo, Protection, keyinfo_path, read_keyinfo, write_keyinfo
from mybnpl.vault.keys import (
    DbKey,
    KdfParams,
    check_passphrase,
    decode_recovery_key,
    encode_recovery_key,
    unwrap_key,
    wrap_key,
)
from mybnpl.vault.keystore import KeyringStatus, KeyStore
from mybnpl.vault.migrate import migrate


class KeyMode(StrEnum):
    KEYRING = "keyring"
    PASSPHRASE = "passphrase"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _aad(vault_id: str) -> bytes:
    return f"mybnpl passphrase slot {vault_id}".encode()


class VaultManager:
    """Everything about one vault file and its key protection.

    ``keystore`` is injected (the OS keyring in the app, a memory keystore in tests). ``kdf`` fixes the Argon2id
    parameters for new passphrase slots; by default they are calibrated to about 0.5 s on this machine.
    ``on_event`` lets callers log what happened (nothing secret is passed).
    """

    def __init__(self, path: Path, keystore: KeyStore, *, kdf: KdfParams | None = None,
                 on_event: Callable[[Vault, str, str], None] | None = None) -> None:
        self.path = Path(path)
        self.keystore = keystore
        self._kdf = kdf
        self._on_event = on_event

    # -- inspection -------------------------------------------------------------------------------
    def exists(self) -> bool:
        return self.path.exists()

    def key_info(self) -> KeyInfo:
        return read_keyinfo(self.path)

    def key_mode(self) -> KeyMode | None:
        if not self.exists():
            return None
        try:
            return KeyMode(self.key_info().current.key_mode)
        except KeyInfoMissing:
            return None

    def keyring_status(self) -> KeyringStatus:
        return self.keystore.status()

    def kdf_params(self) -> KdfParams:
        if self._kdf is None:
            self._kdf = KdfParams.calibrate()
        return self._kdf

    # -- protection -------------------------------------------------------------------------------
    def _protect(self, key: DbKey, vault_id: str, mode: KeyMode, passphrase: str | None,
                 account: str) -> Protection:
        if mode is KeyMode.KEYRING:
            status = self.keystore.status()
            if not status.usable:
                raise KeyringUnavailable(reason=status.reason)
            self.keystore.set(account, key.hex())
            return Protection("keyring", key.check_value(), status.backend, account, None)
        if passphrase is None:
            raise WrongPassphrase()
        check_passphrase(passphrase)
        slot = wrap_key(key, passphrase, self.kdf_params(), _aad(vault_id))
        return Protection("passphrase", key.check_value(), None, None, slot)

    # -- create -----------------------------------------------------------------------------------
    def create(self, mode: KeyMode, passphrase: str | None = None) -> tuple[Vault, str]:
        """Create a new vault; returns it open, with its recovery key (to show once)."""
        cx.cipher_version()
        if self.path.exists():
            raise VaultExists(name=self.path.name)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        stale = keyinfo_path(self.path)
        if stale.exists():  # a sidecar without its vault: keep it aside, never delete it
            stale.rename(stale.with_name(f"{stale.name}.orphan-{datetime.now(UTC):%Y%m%d%H%M%S}"))
        key = DbKey.generate()
        vault_id = uuid.uuid4().hex
        protection = self._protect(key, vault_id, mode, passphrase, vault_id)  # keyring first (#18)
        info = KeyInfo(vault_id, _now(), protection)
        tmp = self.path.with_name(f".{self.path.name}.creating")
        try:
            write_keyinfo(self.path, info)
            for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
            conn = cx.open_connection(tmp, key, create=True)
            try:
                migrate(conn)
                conn.execute("INSERT INTO events(at, kind, summary) VALUES (?, 'vault_created', ?)",
                             (_now(), mode.value))
                conn.execute("PRAGMA journal_mode = DELETE")  # fold the WAL into the file before the rename
            finally:
                conn.close()
            os.replace(tmp, self.path)
        except BaseException as exc:
            for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}-journal")):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
            if not self.path.exists():
                with contextlib.suppress(FileNotFoundError):
                    keyinfo_path(self.path).unlink()
                if mode is KeyMode.KEYRING:
                    with contextlib.suppress(Exception):
                        self.keystore.delete(vault_id)
            if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise DiskFull() from None
            if isinstance(exc, cx.DatabaseError) and "full" in str(exc).lower():
                raise DiskFull() from None
            raise
        vault = self._open_with_key(key, info.vault_id)
        return vault, encode_recovery_key(key)

    # -- open -------------------------------------------------------------------------------------
    def _require_file(self) -> None:
        if not self.path.exists():
            raise VaultNotFound(name=self.path.name)
        cx.classify_existing(self.path)

    def _open_with_key(self, key: DbKey, vault_id: str) -> Vault:
        try:
            conn = cx.open_connection(self.path, key)
        except cx.DatabaseError:
            raise VaultDamaged(name=self.path.name) from None
        try:
            migrate(conn)
        except cx.DatabaseError:
            conn.close()
            raise VaultDamaged(name=self.path.name) from None
        except BaseException:
            conn.close()
            raise
        return Vault(self.path, key, conn, vault_id)

    def _try_keys(self, info: KeyInfo, candidates: list[tuple[DbKey, bool]]) -> Vault:
        """Open with the first candidate whose check value matches and that decrypts the file.
        ``bool`` = the candidate belongs to the pending protection (an interrupted key change)."""
        for key, is_pending in candidates:
            try:
                conn = cx.open_connection(self.path, key)
            except cx.DatabaseError:
                continue
            conn.close()
            if is_pending:
                self._finish_rotation(info)
            elif info.pending is not None:
                self._abandon_rotation(info)
            return self._open_with_key(key, info.vault_id)
        if info.pending is not None:
            # A key change was interrupted: the file is fine, the other secret (old or new) opens it.
            raise WrongPassphrase()
        raise VaultDamaged(name=self.path.name)

    def open_with_keyring(self) -> Vault:
        self._require_file()
        info = self.key_info()
        candidates: list[tuple[DbKey, bool]] = []
        for prot, is_pending in ((info.current, False), (info.pending, True)):
            if prot is None or prot.key_mode != "keyring":
                continue
            status = self.keystore.status()
            if not status.usable:
                raise KeyringUnavailable(reason=status.reason)
            if prot.keyring_backend and prot.keyring_backend != status.backend:
                raise KeyringBackendChanged(old=prot.keyring_backend, new=status.backend)
            secret = self.keystore.get(prot.keyring_account or info.vault_id)
            if secret is None:
                continue
            try:
                key = DbKey.from_hex(secret)
            except ValueError:
                continue
            if key.check_value() == prot.key_check:
                candidates.append((key, is_pending))
        if not candidates:
            raise KeyringEntryMissing()
        return self._try_keys(info, candidates)

    def open_with_passphrase(self, passphrase: str) -> Vault:
        self._require_file()
        info = self.key_info()
        candidates: list[tuple[DbKey, bool]] = []
        for prot, is_pending in ((info.current, False), (info.pending, True)):
            if prot is None or prot.passphrase_slot is None:
                continue
            try:
                key = unwrap_key(prot.passphrase_slot, passphrase, _aad(info.vault_id))
            except WrongPassphrase:
                continue
            candidates.append((key, is_pending))
        if not candidates:
            raise WrongPassphrase()
        return self._try_keys(info, candidates)

    def open_with_recovery(self, recovery_key: str) -> Vault:
        """Open with the recovery key alone. Works without the sidecar (it is re-created in passphrase-less
        'recovery' state: the caller must then call ``reenrol``)."""
        key = decode_recovery_key(recovery_key)
        self._require_file()
        try:
            info = self.key_info()
        except KeyInfoMissing:
            info = None
        if info is not None:
            known = {info.current.key_check} | ({info.pending.key_check} if info.pending else set())
            if key.check_value() not in known:
                raise WrongRecoveryKey()
            return self._try_keys(info, [(key, info.pending is not None
                                          and key.check_value() == info.pending.key_check)])
        try:
            conn = cx.open_connection(self.path, key)
        except cx.DatabaseError:
            raise WrongRecoveryKey() from None
        conn.close()
        vault_id = uuid.uuid4().hex
        write_keyinfo(self.path, KeyInfo(vault_id, _now(), Protection("passphrase", key.check_value())))
        return self._open_with_key(key, vault_id)

    # -- change protection ------------------------------------------------------------------------
    def reenrol(self, vault: Vault, mode: KeyMode, passphrase: str | None = None) -> None:
        """Protect the *current* key anew (after a recovery): the recovery key stays valid."""
        key = vault.key()
        try:
            info = self.key_info()
        except KeyInfoMissing:
            info = KeyInfo(vault.vault_id, _now(), Protection("passphrase", key.check_value()))
        protection = self._protect(key, info.vault_id, mode, passphrase, info.vault_id)
        write_keyinfo(self.path, KeyInfo(info.vault_id, info.created_at, protection))
        if mode is not KeyMode.KEYRING:  # never leave a working key behind in the keyring
            with contextlib.suppress(Exception):
                self.keystore.delete(info.vault_id)
        self._log(vault, "key_reenrolled", mode.value)

    def change_key(self, vault: Vault, mode: KeyMode, passphrase: str | None = None) -> str:
        """Rotate the database key (``PRAGMA rekey``) under a new protection; returns the new recovery key.

        Interruption-safe: the new protection is stored as *pending* before the rekey, promoted after it;
        opening tries both, so a crash at any point leaves a vault that the old or the new secret opens.
        """
        info = self.key_info()
        new_key = DbKey.generate()
        pending_account = f"{info.vault_id}:pending"
        pending = self._protect(new_key, info.vault_id, mode, passphrase, pending_account)
        write_keyinfo(self.path, info.with_pending(pending))
        vault.rekey(new_key)
        self._finish_rotation(info.with_pending(pending))
        self._log(vault, "key_changed", mode.value)
        return encode_recovery_key(new_key)

    def _finish_rotation(self, info: KeyInfo) -> None:
        assert info.pending is not None
        pending = info.pending
        if pending.key_mode == "keyring" and pending.keyring_account != info.vault_id:
            secret = self.keystore.get(pending.keyring_account or "")
            if secret is not None:
                self.keystore.set(info.vault_id, secret)
            pending = Protection("keyring", pending.key_check, pending.keyring_backend, info.vault_id)
        new_info = KeyInfo(info.vault_id, info.created_at, pending)
        write_keyinfo(self.path, new_info)
        with contextlib.suppress(Exception):
            self.keystore.delete(f"{info.vault_id}:pending")
        if pending.key_mode != "keyring" and info.current.key_mode == "keyring":
            with contextlib.suppress(Exception):
                self.keystore.delete(info.vault_id)

    def _abandon_rotation(self, info: KeyInfo) -> None:
        write_keyinfo(self.path, info.with_pending(None))
        with contextlib.suppress(Exception):
            self.keystore.delete(f"{info.vault_id}:pending")

    def _log(self, vault: Vault, kind: str, summary: str) -> None:
        with vault.transaction() as conn:
            conn.execute("INSERT INTO events(at, kind, summary) VALUES (?, ?, ?)", (_now(), kind, summary))
        if self._on_event:
            self._on_event(vault, kind, summary)


__all__ = ["KeyMode", "KeyringStatus", "NotAVault", "VaultManager"]
