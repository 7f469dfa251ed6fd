"""Vault errors that used to carry an English detail render as whole Chinese sentences."""

from __future__ import annotations

from pathlib import Path

from mybnpl.core.errors import NotFound
from mybnpl.vault import repos
from mybnpl.vault.backup import backup, restore
from mybnpl.vault.db import Vault
from mybnpl.vault.errors import BackupFailed

from ..zh_errors import zh_error


def test_backup_and_account_errors_are_chinese(vault: Vault, tmp_path: Path) -> None:
    assert "找不到备份 gone.mybnpl" in zh_error(lambda: restore(vault, tmp_path / "gone.mybnpl"), "backup_failed",
                                                BackupFailed)
    assert "不能覆盖保险库" in zh_error(lambda: backup(vault, vault.path), "backup_failed", BackupFailed)
    assert zh_error(lambda: repos.get_account(vault, 42), "not_found", NotFound) == "找不到账户 42。"
