"""Vault errors. Messages are English msgids (translated by mybnpl.i18n); none carries a key or a path
component beyond the vault's own file name."""

from __future__ import annotations

from mybnpl.core.errors import UserError
from mybnpl.i18n import N_


class WrongPassphrase(UserError):
    code = "wrong_passphrase"
    message = N_("Wrong passphrase. The vault was not changed.")


class WeakPassphrase(UserError):
    code = "weak_passphrase"
    message = N_("The passphrase must be at least {minimum} characters long.")


class WrongRecoveryKey(UserError):
    code = "wrong_recovery_key"
    message = N_("This recovery key does not belong to this vault. The vault was not changed.")


class MalformedRecoveryKey(UserError):
    code = "malformed_recovery_key"
    message = N_("This is not a valid recovery key: check it for typing mistakes.")


class KeyringUnavailable(UserError):
    code = "keyring_unavailable"
    message = N_(
        "No secure system keyring is available ({reason}). Use a passphrase instead, "
        "or open the vault with your recovery key."
    )


class KeyringEntryMissing(UserError):
    code = "keyring_entry_missing"
    message = N_(
        "The system keyring no longer holds this vault's key. Open the vault with your recovery key; "
        "mybnpl will store the key in the keyring again."
    )


class KeyringBackendChanged(UserError):
    code = "keyring_backend_changed"
    message = N_(
        "The system keyring changed (the key was stored in {old}, now {new} is in use). "
        "Open the vault with your recovery key to store the key in the new keyring."
    )


class KeyringLocked(UserError):
    code = "keyring_locked"
    message = N_("The system keyring is locked. Unlock it and try again, or use your recovery key.")


class KeyringWriteFailed(UserError):
    code = "keyring_write_failed"
    message = N_("The system keyring refused to store the key ({reason}). Nothing was created.")


class VaultDamaged(UserError):
    code = "vault_damaged"
    message = N_(
        "The vault file {name} is damaged and cannot be read. It has not been changed. "
        "Restore a backup (mybnpl restore BACKUP)."
    )


class NotAVault(UserError):
    code = "not_a_vault"
    message = N_("{name} is not a mybnpl vault. It has not been changed.")


class VaultExists(UserError):
    code = "vault_exists"
    message = N_("A vault already exists at {name}. It was left as it is.")


class VaultNotFound(UserError):
    code = "vault_not_found"
    message = N_("No vault at {name}. Create one with `mybnpl init` or start the app.")


class KeyInfoMissing(UserError):
    code = "keyinfo_missing"
    message = N_(
        "The key information file next to the vault ({name}) is missing or unreadable. "
        "Open the vault with your recovery key."
    )


class VaultLocked(UserError):
    code = "vault_locked"
    message = N_("The vault is locked.")


class CipherUnavailable(UserError):
    code = "cipher_unavailable"
    message = N_(
        "SQLCipher encryption is not available in this installation ({detail}). mybnpl refuses to run, "
        "because data would be written unencrypted. Reinstall with the sqlcipher3 wheel."
    )


class BackupFailed(UserError):
    code = "backup_failed"
    message = N_("The backup could not be written or verified: {detail}. Nothing was kept.")


class DiskFull(UserError):
    code = "disk_full"
    message = N_("The disk is full or not writable. The last saved state of the vault is intact.")


class NewerSchema(UserError):
    code = "newer_schema"
    message = N_("This vault was written by a newer version of mybnpl (schema {found}; this version reads up to "
                 "{known}). It was not changed. Update mybnpl to open it.")
