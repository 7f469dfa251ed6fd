"""Shared fixtures: real SQLCipher vaults in tmp_path, an in-memory keyring, fast Argon2 parameters."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from mybnpl import i18n
from mybnpl.vault.db import Vault
from mybnpl.vault.keys import KdfParams
from mybnpl.vault.keystore import MemoryKeyStore
from mybnpl.vault.manager import KeyMode, VaultManager

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PASSPHRASE = "correct horse battery"


@pytest.fixture(autouse=True)
def _english_and_isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts in English with its own config/data dirs; the real user's vault is never touched."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    for var in ("MYBNPL_VAULT", "MYBNPL_PASSPHRASE", "MYBNPL_TODAY", "MYBNPL_RECOVERY_KEY", "MYBNPL_LANG"):
        monkeypatch.delenv(var, raising=False)
    i18n.set_language("en")


@pytest.fixture
def fast_kdf() -> KdfParams:
    return KdfParams.fast_for_tests()


@pytest.fixture
def keystore() -> MemoryKeyStore:
    return MemoryKeyStore()


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    return tmp_path / "case.mybnpl"


@pytest.fixture
def manager(vault_path: Path, keystore: MemoryKeyStore, fast_kdf: KdfParams) -> VaultManager:
    return VaultManager(vault_path, keystore, kdf=fast_kdf)


@pytest.fixture
def vault(manager: VaultManager) -> Iterator[Vault]:
    v, _recovery = manager.create(KeyMode.PASSPHRASE, PASSPHRASE)
    yield v
    v.close()
