"""Where the database key lives in keyring mode.

Only real OS keystores are accepted (Secret Service / libsecret, KWallet, macOS Keychain, Windows Credential
Locker). A plaintext or "alt" backend, the null/fail backend, or no backend at all makes keyring mode
unavailable — the caller then uses passphrase mode and tells the user why. Nothing ever falls back silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from mybnpl.i18n import N_
from mybnpl.vault.errors import KeyringLocked, KeyringUnavailable, KeyringWriteFailed

SERVICE = "mybnpl"

ALLOWED_BACKENDS = frozenset(
    {
        "keyring.backends.SecretService.Keyring",
        "keyring.backends.libsecret.Keyring",
        "keyring.backends.kwallet.DBusKeyring",
        "keyring.backends.kwallet.DBusKeyringKWallet4",
        "keyring.backends.macOS.Keyring",
        "keyring.backends.Windows.WinVaultKeyring",
    }
)


@dataclass(frozen=True)
class KeyringStatus:
    usable: bool
    backend: str  # fully-qualified backend class name, "" when none
    reason: str = ""  # English msgid explaining why it is not usable


class KeyStore(Protocol):
    def status(self) -> KeyringStatus: ...
    def get(self, account: str) -> str | None: ...
    def set(self, account: str, secret: str) -> None: ...
    def delete(self, account: str) -> None: ...


def _qualname(obj: object) -> str:
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


class OsKeyStore:
    """The OS keyring through the ``keyring`` package, restricted to the allow-list."""

    def __init__(self) -> None:
        self._backend: Any = None
        self._status: KeyringStatus | None = None

    def _select(self) -> KeyringStatus:
        if self._status is not None:
            return self._status
        try:
            import keyring
            from keyring.backends import chainer
        except Exception:  # pragma: no cover - keyring is a hard dependency
            self._status = KeyringStatus(False, "", N_("the keyring package is missing"))
            return self._status
        try:
            root = keyring.get_keyring()
        except Exception:
            self._status = KeyringStatus(False, "", N_("no keyring service is running"))
            return self._status
        candidates = list(root.backends) if isinstance(root, chainer.ChainerBackend) else [root]
        seen = []
        for backend in candidates:
            name = _qualname(backend)
            seen.append(name.rsplit(".", 2)[-2] if "." in name else name)
            if name in ALLOWED_BACKENDS:
                self._backend = backend
                self._status = KeyringStatus(True, name)
                return self._status
        if not candidates or all(n in ("fail", "null") for n in seen):
            reason = N_("no keyring service is running")
        else:
            reason = N_("only an insecure keyring is installed, which would store the key as plain text")
        self._status = KeyringStatus(False, "", reason)
        return self._status

    def status(self) -> KeyringStatus:
        return self._select()

    def _need(self) -> Any:
        st = self._select()
        if not st.usable:
            raise KeyringUnavailable(reason=st.reason)
        return self._backend

    def get(self, account: str) -> str | None:
        from keyring import errors as kerr

        backend = self._need()
        try:
            value = backend.get_password(SERVICE, account)
        except kerr.KeyringLocked:
            raise KeyringLocked() from None
        except kerr.KeyringError as e:
            raise KeyringUnavailable(reason=type(e).__name__) from None
        return value if isinstance(value, str) else None

    def set(self, account: str, secret: str) -> None:
        from keyring import errors as kerr

        backend = self._need()
        try:
            backend.set_password(SERVICE, account, secret)
        except kerr.KeyringLocked:
            raise KeyringLocked() from None
        except Exception as e:  # PasswordSetError, D-Bus errors, Windows error 1783...
            raise KeyringWriteFailed(reason=type(e).__name__) from None

    def delete(self, account: str) -> None:
        from keyring import errors as kerr

        backend = self._need()
        try:
            backend.delete_password(SERVICE, account)
        except kerr.PasswordDeleteError:
            pass
        except kerr.KeyringLocked:
            raise KeyringLocked() from None


class MemoryKeyStore:
    """An in-memory keystore for tests and demos. Never selected automatically.

    ``usable=False`` simulates a machine with no keyring; ``locked=True`` a locked one; ``backend`` lets a test
    pretend the backend changed; ``fail_set`` makes the first write fail.
    """

    def __init__(self, *, usable: bool = True, backend: str = "tests.MemoryKeyring", locked: bool = False,
                 fail_set: bool = False) -> None:
        self.usable = usable
        self.backend = backend
        self.locked = locked
        self.fail_set = fail_set
        self.items: dict[str, str] = {}

    def status(self) -> KeyringStatus:
        if not self.usable:
            return KeyringStatus(False, "", N_("no keyring service is running"))
        return KeyringStatus(True, self.backend)

    def _check(self) -> None:
        if not self.usable:
            raise KeyringUnavailable(reason=N_("no keyring service is running"))
        if self.locked:
            raise KeyringLocked()

    def get(self, account: str) -> str | None:
        self._check()
        return self.items.get(account)

    def set(self, account: str, secret: str) -> None:
        self._check()
        if self.fail_set:
            raise KeyringWriteFailed(reason="simulated failure")
        self.items[account] = secret

    def delete(self, account: str) -> None:
        self._check()
        self.items.pop(account, None)
