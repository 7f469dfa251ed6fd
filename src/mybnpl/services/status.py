"""`mybnpl status`: what the vault is and holds."""

from __future__ import annotations

from typing import Any

from mybnpl.vault import repos
from mybnpl.vault.db import Vault
from mybnpl.vault.manager import VaultManager


def vault_status(manager: VaultManager, vault: Vault) -> dict[str, Any]:
    info = manager.key_info()
    return {
        "vault": str(vault.path),
        "key_mode": info.current.key_mode,
        "keyring_backend": info.current.keyring_backend,
        "schema_version": vault.schema_version(),
        "cipher_version": vault.cipher_version(),
        "counts": repos.entity_counts(vault),
    }
