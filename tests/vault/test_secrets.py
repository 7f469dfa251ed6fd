"""Secrets never in clear (checklist #1-#6, #11, #27): markers in every table never show in the vault, its
-wal/-shm/-journal, a backup, the sidecar or SQLite's temp files; keys, passphrases and recovery keys never show
in logs or stderr. Plus the backup round trip: own key only, same rows and evidence, restore and its failures."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sys
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3

import mybnpl
from mybnpl.core.money import Money
from mybnpl.vault import backup as vbackup
from mybnpl.vault import connection as cx
from mybnpl.vault import repos
from mybnpl.vault.errors import BackupFailed, NotAVault, VaultDamaged, WrongPassphrase, WrongRecoveryKey
from mybnpl.vault.keyinfo import keyinfo_path
from mybnpl.vault.keys import DbKey, decode_recovery_key
from mybnpl.vault.keystore import MemoryKeyStore
from mybnpl.vault.manager import KeyMode, VaultManager

from .conftest import ENV_PW, PW, PW_NEW, file_state, helper_env, make_manager, run_helper, tx_rows


def _forms(secret: str | bytes) -> list[bytes]:
    """A secret as it could leak: UTF-8, UTF-16 (both byte orders) and, for keys, the raw bytes."""
    if isinstance(secret, bytes):
        return [secret, secret.hex().encode(), secret.hex().upper().encode()]
    return [secret.encode(), secret.encode("utf-16-le"), secret.encode("utf-16-be")]


def _hits(data: bytes, *secrets: str | bytes) -> int:
    return sum(data.count(form) for s in secrets for form in _forms(s))


def _fill_every_table(conn: Any, m: str) -> bytes:
    """Put the marker ``m`` in every table that holds user text; returns the evidence blob."""
    acc = repos.insert_account(conn, "huabei", f"{m} accounts.label", "CNY", account_ref=f"{m} ref")
    repos.insert_transactions(conn, tx_rows(50, f"{m} transactions.merchant"))
    blob = b"%PDF-1.4\n" + f"({m} evidence blob)".encode() * 200
    ev = repos.insert_evidence(conn, blob, media_type="application/pdf", filename=f"{m}.pdf", note=f"{m} note")
    repos.append_event(conn, "note", f"{m} events.summary")
    repos.set_vault_setting(conn, "letter_name", f"{m} vault_settings")
    day, cny = date(2024, 3, 1), Money.from_minor(30000, "CNY")
    repos.insert_plan(conn, account_id=acc, merchant=f"{m} plans.merchant", principal=cny, fee=Money.from_minor(0),
                      first_due=day, cadence="monthly", due_dates=[day], amounts=[cny])
    now = repos.now_iso()
    conn.execute("INSERT INTO consents(provider_id, account_id, kind, note, evidence_id, created_at) "
                 "VALUES ('huabei', ?, 'never_enabled', ?, ?, ?)", (acc, f"{m} consents.note", ev, now))
    conn.execute("INSERT INTO findings(kind, severity, first_seen, explanation_en, explanation_zh, fingerprint, "
                 "updated_at) VALUES ('late_fee', 'warning', ?, ?, ?, ?, ?)",
                 (now, f"{m} findings.explanation_en", f"{m} 说明", uuid.uuid4().hex, now))
    case = conn.execute("INSERT INTO cases(title, opened_on) VALUES (?, ?)", (f"{m} cases.title", "2024-03-02"))
    conn.execute("INSERT INTO letters(case_id, kind, jurisdiction, lang, title, body, created_at) "
                 "VALUES (?, 'complaint', 'CN', 'zh', 'letter', ?, ?)", (case.lastrowid, f"{m} letters.body", now))
    return blob


_MARKED = ["accounts.label", "transactions.merchant", "events.summary", "vault_settings", "consents.note",
           "findings.explanation_en", "cases.title", "letters.body", "plans.merchant"]


def test_markers_in_every_table_never_reach_disk_in_clear(mgr: VaultManager, tmp_path: Path) -> None:
    m = f"MARKER-{uuid.uuid4().hex}"
    vault, recovery = mgr.create(KeyMode.PASSPHRASE, PW)
    key = vault.key().raw()
    try:
        with vault.transaction() as conn:
            blob = _fill_every_table(conn, m)
        wal, shm = Path(f"{mgr.path}-wal"), Path(f"{mgr.path}-shm")
        assert wal.stat().st_size > 0 and shm.exists()  # checked while the connection is still open
        for f in (mgr.path, wal, shm):
            assert _hits(f.read_bytes(), m) == 0, f.name
        vault.execute("PRAGMA journal_mode = DELETE")  # rollback journal, with a cache small enough to spill
        vault.execute("PRAGMA cache_size = 10")
        journal = Path(f"{mgr.path}-journal")
        with pytest.raises(ZeroDivisionError), vault.transaction() as conn:
            conn.execute("UPDATE transactions SET merchant = merchant || ' edited'")
            assert journal.stat().st_size > 0 and _hits(journal.read_bytes(), m) == 0
            raise ZeroDivisionError  # roll back
        out = tmp_path / "backup.mybnpl"
        vbackup.backup(vault, out)
        assert _hits(out.read_bytes(), m) == 0
        assert oct(out.stat().st_mode & 0o777) == "0o600"
        for column in _MARKED:  # the markers are really there, readable with the key
            table, col = column.split(".") if "." in column else (column, "value")
            assert vault.scalar(f"SELECT count(*) FROM {table} WHERE {col} LIKE ?", (f"{m}%",)) >= 1, column
        assert vault.scalar("SELECT data FROM evidence_blobs") == blob
    finally:
        vault.close()
    for f in mgr.path.parent.iterdir():  # vault, sidecar, whatever else is left
        assert _hits(f.read_bytes(), m, key, PW, recovery, recovery.replace("-", "")) == 0, f.name


def test_keyinfo_holds_no_secret(mgr: VaultManager, store: MemoryKeyStore) -> None:
    for mode, pw in ((KeyMode.KEYRING, None), (KeyMode.PASSPHRASE, PW)):
        path = mgr.path.with_name(f"{mode.value}.mybnpl")
        vm = make_manager(path, store)
        vault, recovery = vm.create(mode, pw)
        secrets: list[str | bytes] = [vault.key().raw(), recovery, recovery.replace("-", ""), PW]
        new_recovery = vm.change_key(vault, KeyMode.PASSPHRASE, PW_NEW)
        secrets += [vault.key().raw(), new_recovery, new_recovery.replace("-", ""), PW_NEW]
        vault.close()
        text = keyinfo_path(path).read_bytes()
        assert _hits(text, *secrets) == 0
        assert json.loads(text)["current"]["key_mode"] == "passphrase"


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="reads deleted-but-open temp files through /proc")
def test_big_sort_leaves_no_plaintext_temp_file(mgr: VaultManager, tmp_path: Path) -> None:
    m = f"MARKER-{uuid.uuid4().hex}"
    vault, _ = mgr.create(KeyMode.PASSPHRASE, PW)
    with vault.transaction() as conn:
        repos.insert_transactions(conn, tx_rows(50_000, f"{m} {'x' * 40}"))
    vault.close()
    tmp = tmp_path / "sqlite-tmp"
    tmp.mkdir()
    env = helper_env(**{ENV_PW: PW, "TMPDIR": str(tmp), "SQLITE_TMPDIR": str(tmp)})
    result = json.loads(run_helper(["sort", str(mgr.path), str(tmp), m], env, tmp_path / "helper.err"))
    assert result["temp_store"] == 2 and result["first"]  # MEMORY, and the sort really ran over the markers
    assert result["vault"] == {"open_temp_files": [], "hits": 0, "listing": []}
    assert result["control"]["hits"] > 0, "the probe must see what temp_store=FILE leaks"
    assert list(tmp.iterdir()) == []


def test_logs_and_stderr_never_hold_keys_or_passphrases(mgr: VaultManager, store: MemoryKeyStore,
                                                        caplog: pytest.LogCaptureFixture,
                                                        capfd: pytest.CaptureFixture[str]) -> None:
    log = logging.getLogger("mybnpl.test.secrets")
    caplog.set_level(logging.DEBUG)
    probe = sqlcipher3.connect(":memory:")
    level = probe.execute("PRAGMA cipher_log_level").fetchone()[0]
    probe.execute("PRAGMA cipher_log = stderr")
    probe.execute("PRAGMA cipher_log_level = DEBUG")  # SQLCipher's own log too (TRACE crashes 4.19)
    secrets: list[str | bytes] = [PW, PW_NEW]
    try:
        vm = VaultManager(mgr.path, store, kdf=mgr.kdf_params(),
                          on_event=lambda v, kind, summary: log.debug("event %s %s %r", kind, summary, v.key()))
        vault, recovery = vm.create(KeyMode.PASSPHRASE, PW)
        secrets += [vault.key().raw(), recovery, recovery.replace("-", "")]
        log.debug("created %r key=%r", vault.path.name, vault.key())
        vault.close()
        for attempt in (lambda: vm.open_with_passphrase(PW_NEW), lambda: vm.open_with_passphrase("")):
            with pytest.raises(WrongPassphrase):
                attempt()
            log.exception("open failed")
        vault = vm.open_with_passphrase(PW)
        new_recovery = vm.change_key(vault, KeyMode.PASSPHRASE, PW_NEW)
        secrets += [vault.key().raw(), new_recovery, new_recovery.replace("-", "")]
        vm.reenrol(vault, KeyMode.KEYRING)
        secrets += [v.encode() for v in store.items.values()]
        vault.close()
        keyinfo_path(mgr.path).rename(mgr.path.with_name("aside.keyinfo"))
        with pytest.raises(WrongRecoveryKey):  # a real wrong-key open: SQLCipher logs its HMAC failure
            vm.open_with_recovery(recovery)
        log.exception("recovery failed")
    finally:
        probe.execute(f"PRAGMA cipher_log_level = {level}")
        probe.close()
    out, err = capfd.readouterr()
    logged = caplog.text + "".join(repr(r.args) for r in caplog.records)
    assert "event key_changed" in logged and "DbKey(<redacted>)" in logged and "sqlcipher" in err.lower()
    for name, text in (("log", logged), ("stdout", out), ("stderr", err)):
        assert _hits(text.encode(), *secrets) == 0, name


def test_dbkey_repr_is_redacted() -> None:
    key = DbKey.generate()
    for text in (repr(key), str(key), f"{key}", f"{key!r}", repr([key]), repr({"k": key})):
        assert "redacted" in text and key.hex() not in text and key.hex().upper() not in text


@pytest.mark.parametrize("bad", ["", "0" * 63, "0" * 65, "A" * 64, "g" * 64, "0" * 60 + "';--",
                                 "x'" + "0" * 62, "0" * 62 + "\n0"])
def test_only_64_lowercase_hex_is_a_key(bad: str) -> None:
    with pytest.raises(ValueError):
        DbKey.from_hex(bad)


def test_key_with_trailing_newline_is_rejected() -> None:
    with pytest.raises(ValueError):
        DbKey.from_hex("0" * 64 + "\n")


@pytest.mark.parametrize("passphrase", [PW, "\"; PRAGMA rekey = 'x'; --", "密码很长很长的口令", "back\\slash\ttab"])
def test_passphrases_with_quotes_and_unicode_work(vdir: Path, passphrase: str) -> None:
    vm = make_manager(vdir / "case.mybnpl")
    vm.create(KeyMode.PASSPHRASE, passphrase)[0].close()
    vm.open_with_passphrase(passphrase).close()


def test_cipher_is_pinned_and_temp_store_is_memory(mgr: VaultManager, pw_vault: str) -> None:
    assert mgr.path.read_bytes()[:16] != cx.SQLITE_HEADER
    vault = mgr.open_with_passphrase(PW)
    try:
        assert vault.cipher_version().startswith("4.")
        settings = cx.cipher_settings(vault.conn)
        assert {k: settings.get(k) for k in cx.PINNED_CIPHER_SETTINGS} == cx.PINNED_CIPHER_SETTINGS
        assert vault.scalar("PRAGMA temp_store") == 2  # MEMORY, never FILE (1)
        options = {r[0] for r in vault.query("PRAGMA compile_options")}
        assert options & {"TEMP_STORE=2", "TEMP_STORE=3"} and "HAS_CODEC" in options
    finally:
        vault.close()


class _Recorder:
    """Wraps a real connection and records each statement's first words (never the key)."""

    def __init__(self, conn: Any, log: list[list[str]]) -> None:
        self._conn, self.statements, self.attrs = conn, [], log
        log.append(self.statements)

    def execute(self, sql: str, *args: Any) -> Any:
        self.statements.append(" ".join(sql.split()[:2]))
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        if name == "set_trace_callback":
            raise AssertionError("a trace callback would log PRAGMA key")
        return getattr(self._conn, name)


def test_key_pragma_runs_first_and_no_trace_callback(mgr: VaultManager, pw_vault: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    connections: list[list[str]] = []
    real = cx._connect
    monkeypatch.setattr(cx, "_connect", lambda path: _Recorder(real(path), connections))
    vault = mgr.open_with_passphrase(PW)
    mgr.change_key(vault, KeyMode.PASSPHRASE, PW_NEW)
    vault.close()
    assert len(connections) >= 3
    assert all(stmts[0] == "PRAGMA key" for stmts in connections), connections
    src = Path(mybnpl.__file__).parent
    code = {p: p.read_text(encoding="utf-8") for p in src.rglob("*.py")}
    assert [p for p, t in code.items() if "set_trace_callback" in t] == []
    bad_temp = re.compile(r"temp_store\s*=\s*(FILE|1|DEFAULT|0)\b", re.IGNORECASE)
    assert [p for p, t in code.items() if bad_temp.search(t)] == []


# -- backup round trip -------------------------------------------------------------------------------
def _blobs(path: Path, key: DbKey) -> dict[str, bytes]:
    conn = cx.open_connection(path, key)
    try:
        return {r[0]: bytes(r[1]) for r in conn.execute("SELECT sha256, data FROM evidence_blobs")}
    finally:
        conn.close()


def test_backup_opens_only_with_its_own_key(mgr: VaultManager, pw_vault: str, tmp_path: Path) -> None:
    other, _ = make_manager(tmp_path / "other.mybnpl").create(KeyMode.PASSPHRASE, PW)
    other_key = DbKey(other.key().raw())
    other.close()
    vault = mgr.open_with_passphrase(PW)
    try:
        with vault.transaction() as conn:
            repos.insert_evidence(conn, os.urandom(300_000), media_type="image/jpeg")
        counts, key = repos.entity_counts(vault), DbKey(vault.key().raw())
        out = tmp_path / "backup.mybnpl"
        assert vbackup.backup(vault, out) == counts
        originals = _blobs(mgr.path, key)
    finally:
        vault.close()
    assert vbackup.verify_file(out, decode_recovery_key(pw_vault)) == counts  # the recovery key alone opens it
    for wrong in (other_key, DbKey.generate()):
        with pytest.raises(WrongRecoveryKey):
            vbackup.verify_file(out, wrong)
    copies = _blobs(out, key)
    assert copies == originals and len(copies) == 2
    assert all(hashlib.sha256(data).hexdigest() == sha for sha, data in copies.items())


def test_restore_brings_back_deleted_rows_and_keeps_previous_file(mgr: VaultManager, pw_vault: str,
                                                                  tmp_path: Path) -> None:
    out = tmp_path / "backup.mybnpl"
    vault = mgr.open_with_passphrase(PW)
    try:
        vbackup.backup(vault, out)
        with vault.transaction() as conn:
            conn.execute("DELETE FROM transactions")
        backup_state = file_state(out)
        assert vbackup.restore(vault, out)["transactions"] == 300
        assert file_state(out) == backup_state and sorted(p.name for p in tmp_path.iterdir()) == [out.name, "vaultdir"]
        assert vault.scalar("SELECT count(*) FROM transactions") == 300
        assert vault.scalar("SELECT count(*) FROM events WHERE kind = 'backup_restored'") == 1
        assert vault.integrity_problems() == []
        kept = [p for p in mgr.path.parent.iterdir() if p.name.startswith(f"{mgr.path.name}.before-restore-")]
        assert len(kept) == 1
        assert vbackup.verify_file(kept[0], vault.key())["transactions"] == 0  # the state just before
    finally:
        vault.close()
    vault = mgr.open_with_passphrase(PW)
    try:
        assert vault.scalar("SELECT count(*) FROM transactions") == 300
    finally:
        vault.close()


def test_restore_after_key_change_needs_the_backup_key(mgr: VaultManager, pw_vault: str, tmp_path: Path) -> None:
    out = tmp_path / "backup.mybnpl"
    vault = mgr.open_with_passphrase(PW)
    try:
        vbackup.backup(vault, out)
        mgr.change_key(vault, KeyMode.PASSPHRASE, PW_NEW)
        with pytest.raises(WrongRecoveryKey):
            vbackup.restore(vault, out)
        assert vbackup.restore(vault, out, backup_key=decode_recovery_key(pw_vault))["transactions"] == 300
    finally:
        vault.close()
    make_manager(mgr.path).open_with_passphrase(PW_NEW).close()  # re-encrypted under the current key


@pytest.mark.parametrize("damage", ["bit_flip", "odd_size", "half_pages", "random", "empty", "missing"])
def test_restore_of_corrupt_backup_changes_nothing(mgr: VaultManager, pw_vault: str, tmp_path: Path,
                                                   damage: str) -> None:
    out = tmp_path / "backup.mybnpl"
    vault = mgr.open_with_passphrase(PW)
    try:
        with vault.transaction() as conn:
            repos.insert_evidence(conn, os.urandom(400_000), media_type="image/jpeg")
        vbackup.backup(vault, out)
        data, page = bytearray(out.read_bytes()), cx.PAGE_SIZE
        middle = len(data) // page // 2 * page + 1000
        data[middle] ^= 0x01
        half = data[: len(data) // page // 2 * page]
        damaged = {"bit_flip": bytes(data), "odd_size": data[:-100], "half_pages": half,
                   "random": os.urandom(len(data)), "empty": b""}
        if damage == "missing":
            out.unlink()
        else:
            out.write_bytes(damaged[damage])
        before, counts = file_state(mgr.path), repos.entity_counts(vault)
        listing = sorted(p.name for p in mgr.path.parent.iterdir())
        with pytest.raises((VaultDamaged, WrongRecoveryKey, NotAVault, BackupFailed)):
            vbackup.restore(vault, out)
        assert file_state(mgr.path) == before and sorted(p.name for p in mgr.path.parent.iterdir()) == listing
        assert repos.entity_counts(vault) == counts and vault.integrity_problems() == []
    finally:
        vault.close()


def test_two_restores_in_one_second_keep_both_previous_files(mgr: VaultManager, pw_vault: str, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    class Frozen(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Frozen:
            return cls(2025, 1, 2, 3, 4, 5, tzinfo=tz)

    monkeypatch.setattr(vbackup, "datetime", Frozen)
    vault = mgr.open_with_passphrase(PW)
    try:
        vbackup.backup(vault, tmp_path / "a.mybnpl")  # 300 rows
        with vault.transaction() as conn:
            conn.execute("DELETE FROM transactions")
        vbackup.restore(vault, tmp_path / "a.mybnpl")  # keeps the 0-row state
        vbackup.restore(vault, tmp_path / "a.mybnpl")  # keeps the 300-row state
        kept = sorted(mgr.path.parent.glob(f"{mgr.path.name}.before-restore-*"))
        assert sorted(vbackup.verify_file(p, vault.key())["transactions"] for p in kept) == [0, 300]
    finally:
        vault.close()
