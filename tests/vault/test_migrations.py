"""Schema migrations: numbered, each in one transaction, tested from every earlier version's fixture vault."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from mybnpl.vault import connection as cx
from mybnpl.vault import repos
from mybnpl.vault.errors import NewerSchema
from mybnpl.vault.keys import DbKey
from mybnpl.vault.keystore import MemoryKeyStore
from mybnpl.vault.manager import VaultManager
from mybnpl.vault.migrate import latest_version, migrate, schema_version

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "vaults"


def _fixture_versions() -> list[int]:
    return sorted(int(m.group(1)) for p in FIXTURES.glob("v*.mybnpl") if (m := re.match(r"v(\d+)\.mybnpl$", p.name)))


def test_a_fixture_exists_for_every_version() -> None:
    assert _fixture_versions() == list(range(1, latest_version() + 1))


@pytest.mark.parametrize("version", _fixture_versions())
def test_every_earlier_version_migrates_to_latest(version: int, tmp_path: Path) -> None:
    src = FIXTURES / f"v{version}.mybnpl"
    dest = tmp_path / src.name
    shutil.copy(src, dest)
    shutil.copy(FIXTURES / f"v{version}.mybnpl.keyinfo", tmp_path / f"{src.name}.keyinfo")
    recovery = (FIXTURES / f"v{version}.recovery.txt").read_text().strip()
    vault = VaultManager(dest, MemoryKeyStore()).open_with_recovery(recovery)
    try:
        assert vault.schema_version() == latest_version()
        assert [a.label for a in repos.list_accounts(vault)] == ["fixture 花呗"]
        assert vault.scalar("SELECT merchant FROM transactions") == "美团外卖"
        assert vault.integrity_problems() == []
    finally:
        vault.close()


def test_fresh_database_steps_through_each_migration(tmp_path: Path) -> None:
    conn = cx.open_connection(tmp_path / "m.db", DbKey.generate(), create=True)
    try:
        assert schema_version(conn) == 0
        for target in range(1, latest_version() + 1):
            assert migrate(conn, target) == target
        assert migrate(conn) == latest_version()  # idempotent
    finally:
        conn.close()


def test_vault_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    conn = cx.open_connection(tmp_path / "n.db", DbKey.generate(), create=True)
    try:
        conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
        with pytest.raises(NewerSchema):
            migrate(conn)
    finally:
        conn.close()
