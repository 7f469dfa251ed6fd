"""Schema migrations: numbered, each in one transaction, tested from every earlier version's fixture vault."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from mybnpl.vault import connection as cx
from mybnpl.vault import repos
from mybnpl.vault.errors import NewerSchema
from mybnpl.vault.keys import DbKey, decode_recovery_key
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


def test_v1_fixture_gains_the_reminder_tables_in_v2(tmp_path: Path) -> None:
    """The committed v1 vault, opened by this version: 0002_reminders applies, nothing is lost, the new tables
    work (reminder state, per-account reminder days tied to an account, statements paid by hand)."""
    dest = tmp_path / "v1.mybnpl"
    shutil.copy(FIXTURES / "v1.mybnpl", dest)
    shutil.copy(FIXTURES / "v1.mybnpl.keyinfo", tmp_path / "v1.mybnpl.keyinfo")
    recovery = (FIXTURES / "v1.recovery.txt").read_text().strip()
    raw = cx.open_connection(dest, decode_recovery_key(recovery))
    try:
        assert schema_version(raw) == 1
        assert raw.execute("SELECT count(*) FROM sqlite_master WHERE name = 'reminder_state'").fetchone()[0] == 0
    finally:
        raw.close()
    vault = VaultManager(dest, MemoryKeyStore()).open_with_recovery(recovery)
    try:
        assert vault.schema_version() == latest_version()
        [account] = repos.list_accounts(vault)
        assert account.label == "fixture 花呗"
        with vault.transaction() as conn:
            conn.execute("INSERT INTO reminder_state(reminder_id, state, updated_at) VALUES ('i1-3', 'shown', 'x')")
            conn.execute("INSERT INTO reminder_offsets(account_id, offsets) VALUES (?, '[1]')", (account.id,))
        assert vault.query("SELECT reminder_id, state FROM reminder_state") == [("i1-3", "shown")]
        with pytest.raises(Exception, match="CHECK"), vault.transaction() as conn:
            conn.execute("INSERT INTO reminder_state(reminder_id, state, updated_at) VALUES ('i1-1', 'gone', 'x')")
        assert vault.integrity_problems() == []
    finally:
        vault.close()


@pytest.mark.parametrize("version", [1, 2])
def test_v1_and_v2_fixtures_gain_the_letter_columns_in_v3(version: int, tmp_path: Path) -> None:
    """0003_letters adds the response-clock columns to ``letters``; old rows (none in the fixtures) default to
    drafts, and the status CHECK holds."""
    dest = tmp_path / f"v{version}.mybnpl"
    shutil.copy(FIXTURES / f"v{version}.mybnpl", dest)
    shutil.copy(FIXTURES / f"v{version}.mybnpl.keyinfo", tmp_path / f"v{version}.mybnpl.keyinfo")
    recovery = (FIXTURES / f"v{version}.recovery.txt").read_text().strip()
    vault = VaultManager(dest, MemoryKeyStore()).open_with_recovery(recovery)
    try:
        assert vault.schema_version() >= 3
        cols = {r[1] for r in vault.query("PRAGMA table_info(letters)")}
        assert {"status", "sent_channel", "sent_ref", "deadline_on", "deadline_source", "deadline_id",
                "recipient", "account_id", "finding_id"} <= cols
        with vault.transaction() as conn:
            conn.execute("INSERT INTO cases(title, opened_on) VALUES ('c', '2026-01-01')")
            conn.execute("INSERT INTO letters(case_id, kind, jurisdiction, lang, title, body, created_at) "
                         "VALUES (1, 'complaint', 'CN', 'zh', 't', 'b', 'x')")
        assert vault.query("SELECT status, sent_ref, missing_json FROM letters") == [("draft", "", "[]")]
        with pytest.raises(Exception, match="CHECK"), vault.transaction() as conn:
            conn.execute("UPDATE letters SET status = 'lost'")
        assert vault.integrity_problems() == []
    finally:
        vault.close()


@pytest.mark.parametrize("version", [1, 2, 3])
def test_earlier_fixtures_gain_the_letter_format_column_in_v4(version: int, tmp_path: Path) -> None:
    """0004_letter_format adds ``body_rich``; an old letter has none (NULL: its plain text is the letter)."""
    dest = tmp_path / f"v{version}.mybnpl"
    shutil.copy(FIXTURES / f"v{version}.mybnpl", dest)
    shutil.copy(FIXTURES / f"v{version}.mybnpl.keyinfo", tmp_path / f"v{version}.mybnpl.keyinfo")
    recovery = (FIXTURES / f"v{version}.recovery.txt").read_text().strip()
    vault = VaultManager(dest, MemoryKeyStore()).open_with_recovery(recovery)
    try:
        assert vault.schema_version() >= 4
        with vault.transaction() as conn:
            conn.execute("INSERT INTO letters(kind, jurisdiction, lang, title, body, created_at) "
                         "VALUES ('complaint', 'CN', 'zh', 't', 'b', 'x')")
        assert vault.query("SELECT body, body_rich FROM letters") == [("b", None)]
        assert vault.integrity_problems() == []
    finally:
        vault.close()
