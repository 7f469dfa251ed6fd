"""The import use case end to end: isolated parse → preview → one-transaction commit, idempotent, evidence kept."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from mybnpl.core.imports import ImportCode, ImportFailed
from mybnpl.importers.base import ParseOptions
from mybnpl.services import evidence as evidence_svc
from mybnpl.services import imports as svc
from mybnpl.services.catalog import load_catalog
from mybnpl.vault import repos
from mybnpl.vault.db import Vault

FIX = Path(__file__).resolve().parents[1] / "fixtures"
MEITUAN = FIX / "cn" / "meituan.csv"


def _import(vault: Vault, path: Path, opts: ParseOptions | None = None) -> svc.ImportOutcome:
    catalog = load_catalog()
    data, parsed = svc.parse_file(path, opts or ParseOptions())
    return svc.commit(vault, catalog, svc.build_preview(vault, catalog, path.name, data, parsed))


def test_import_stores_rows_statement_and_original_as_evidence(vault: Vault) -> None:
    out = _import(vault, MEITUAN)
    assert (out.status, out.provider, out.format) == ("imported", "meituan_yuefu", "meituan_csv")
    assert (out.transactions, out.duplicates, out.bnpl_transactions) == (29, 0, 6)
    assert vault.scalar("SELECT count(*) FROM transactions WHERE statement_id = ?", (out.statement_id,)) == 29
    assert out.evidence_id is not None
    original = evidence_svc.evidence_bytes(vault, out.evidence_id)
    assert original == MEITUAN.read_bytes()
    item = evidence_svc.get_evidence(vault, out.evidence_id)
    assert item.sha256 == hashlib.sha256(MEITUAN.read_bytes()).hexdigest() and item.source == "import"
    assert vault.scalar("SELECT evidence_id FROM statements WHERE id = ?", (out.statement_id,)) == out.evidence_id
    accounts = repos.list_accounts(vault)
    assert [a.provider_id for a in accounts] == ["meituan_yuefu"]
    kinds = [r[0] for r in vault.query("SELECT kind FROM events ORDER BY id")]
    assert "statement_imported" in kinds


def test_same_file_twice_adds_nothing(vault: Vault) -> None:
    _import(vault, MEITUAN)
    again = _import(vault, MEITUAN)
    assert (again.status, again.transactions, again.duplicates) == ("duplicate", 0, 29)
    assert vault.scalar("SELECT count(*) FROM transactions") == 29
    assert vault.scalar("SELECT count(*) FROM evidence") == 1


def test_overlapping_export_adds_only_new_rows(vault: Vault, tmp_path: Path) -> None:
    lines = MEITUAN.read_bytes().split(b"\n")
    header_at = next(i for i, ln in enumerate(lines) if ln.startswith("交易创建时间".encode()))
    first_half = lines[: header_at + 1 + 15]
    partial = tmp_path / "meituan-part.csv"
    partial.write_bytes(b"\n".join(first_half) + b"\n")
    first = _import(vault, partial)
    assert first.transactions == 15
    full = _import(vault, MEITUAN)
    assert (full.status, full.transactions, full.duplicates) == ("imported", 14, 15)
    assert vault.scalar("SELECT count(*) FROM transactions") == 29


def test_preview_marks_duplicates_before_commit(vault: Vault) -> None:
    _import(vault, MEITUAN)
    catalog = load_catalog()
    data, parsed = svc.parse_file(MEITUAN, ParseOptions())
    preview = svc.build_preview(vault, catalog, MEITUAN.name, data, parsed)
    assert preview.already_imported
    assert {r.duplicate for r in preview.rows} == {"in_vault_id"}


def test_commit_is_all_or_nothing(vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = load_catalog()
    data, parsed = svc.parse_file(MEITUAN, ParseOptions())
    preview = svc.build_preview(vault, catalog, MEITUAN.name, data, parsed)
    before = repos.entity_counts(vault)

    def boom(*_a: object, **_k: object) -> int:
        raise RuntimeError("crash in the middle of the import")

    monkeypatch.setattr(repos, "append_event", boom)  # fails after the rows were written, inside the transaction
    with pytest.raises(RuntimeError):
        svc.commit(vault, catalog, preview)
    after = repos.entity_counts(vault)
    # the account is created before the transaction opens; nothing of the import itself remains
    assert {k: v for k, v in after.items() if k not in ("accounts", "events")} == \
           {k: v for k, v in before.items() if k not in ("accounts", "events")}
    assert vault.scalar("SELECT count(*) FROM evidence_blobs") == 0


def test_errors_are_documented_codes(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ImportFailed) as e:
        svc.parse_file(empty, ParseOptions())
    assert e.value.code == ImportCode.EMPTY
    with pytest.raises(ImportFailed) as e:
        svc.parse_file(FIX / "pdf" / "password-example.pdf", ParseOptions())
    assert e.value.code == ImportCode.PASSWORD_REQUIRED
    with pytest.raises(ImportFailed) as e:
        svc.parse_file(FIX / "pdf" / "password-example.pdf", ParseOptions(password="nope"))
    assert e.value.code == ImportCode.WRONG_PASSWORD


def test_preview_rows_are_built_on_demand_and_fingerprints_match(vault: Vault, tmp_path: Path) -> None:
    catalog = load_catalog()
    data, parsed = svc.parse_file(MEITUAN, ParseOptions())
    first = svc.build_preview(vault, catalog, MEITUAN.name, data, parsed)
    # every Meituan row has the provider's order id: that id identifies it, so no content fingerprint is kept
    assert all(r.external_id for r in first.rows) and {r.fingerprint for r in first.rows} == {None}
    svc.commit(vault, catalog, first)
    assert vault.query("SELECT count(*), count(fingerprint), count(DISTINCT external_id) FROM transactions") == \
        [(29, 0, 29)]
    again = svc.build_preview(vault, catalog, MEITUAN.name, data, parsed)
    assert [r.duplicate for r in again.rows] == ["in_vault_id"] * 29
    assert {r.fingerprint for r in again.rows} == {None}
    assert [r.tx for r in again.rows] == list(parsed.transactions)
    assert (len(again.new_rows), again.duplicates, again.bnpl_new) == (0, 29, 0)
    assert again.rows[-1].tx == parsed.transactions[-1] and len(again.rows[3:6]) == 3
    # a small file against a larger vault: the look-up probes the index instead of reading all ids
    lines = MEITUAN.read_bytes().split(b"\n")
    header_at = next(i for i, ln in enumerate(lines) if ln.startswith("交易创建时间".encode()))
    part = tmp_path / "meituan-10.csv"
    part.write_bytes(b"\n".join(lines[: header_at + 1 + 10]) + b"\n")
    pdata, pparsed = svc.parse_file(part, ParseOptions())
    small = svc.build_preview(vault, catalog, part.name, pdata, pparsed)
    assert {r.duplicate for r in small.rows} == {"in_vault_id"} and len(small.rows) == 10


def test_rows_without_an_id_are_matched_by_content(vault: Vault, tmp_path: Path) -> None:
    """The fingerprint is what finds a row again when the export carries no id for it; another export of the same
    rows (different bytes) adds nothing."""
    text = MEITUAN.read_bytes().decode("utf-8-sig")
    no_ids = re.sub(r'"[^"\t,]+\t"', '"/"', text)
    assert no_ids.count('"/"') >= 58
    first, second = tmp_path / "meituan-no-ids.csv", tmp_path / "meituan-no-ids-again.csv"
    first.write_text(no_ids, encoding="utf-8")
    second.write_text(no_ids.replace("导出交易类型", "导出交易类型（再次导出）", 1), encoding="utf-8")
    out = _import(vault, first)
    assert out.transactions == 29
    assert vault.query("SELECT count(*), count(fingerprint), count(external_id) FROM transactions") == [(29, 29, 0)]
    catalog = load_catalog()
    data, parsed = svc.parse_file(second, ParseOptions())
    again = svc.build_preview(vault, catalog, second.name, data, parsed)
    assert [r.duplicate for r in again.rows] == ["in_vault_content"] * 29
    assert (svc.commit(vault, catalog, again).transactions, vault.scalar("SELECT count(*) FROM transactions")) == \
        (0, 29)


def test_rows_without_a_provider_keep_their_fingerprint(vault: Vault) -> None:
    """Without a provider there is no account, so the (account, id) index cannot tell a row again: its fingerprint
    (which includes the id) must be stored."""
    catalog = load_catalog()
    data, parsed = svc.parse_file(MEITUAN, ParseOptions())
    preview = svc.build_preview(vault, catalog, MEITUAN.name, data, dataclasses.replace(parsed, provider_id=None))
    assert preview.provider_id is None and all(isinstance(r.fingerprint, int) for r in preview.rows)
    svc.commit(vault, catalog, preview)
    assert vault.query("SELECT count(*), count(fingerprint), count(account_id) FROM transactions") == [(29, 29, 0)]
    again = svc.build_preview(vault, catalog, MEITUAN.name + "2", data, dataclasses.replace(parsed, provider_id=None))
    assert {r.duplicate for r in again.rows} == {"in_vault_content"}


JD = FIX / "cn" / "jd_2024.csv"
ORDER = "88438843884"  # a purchase and three refunds of it share this order id


def _jd_part(tmp_path: Path, name: str, keep: Callable[[str], bool]) -> Path:
    """A JD export holding only some of the rows of the fixture (the preamble and header kept)."""
    raw = JD.read_bytes()
    text = raw.decode("utf-8-sig")
    lines = text.splitlines()
    header = next(i for i, ln in enumerate(lines) if ln.startswith("交易时间"))
    body = [ln for ln in lines[header + 1:] if ln.strip() and keep(ln)]
    path = tmp_path / name
    path.write_text("\n".join(lines[: header + 1] + body) + "\n", encoding="utf-8")
    return path


def test_refunds_that_share_the_purchases_order_id_in_another_export_are_kept(vault: Vault, tmp_path: Path) -> None:
    """JD and Alipay give a refund its purchase's order id. The purchase in one export and its refunds in another
    must all be stored; importing either export again adds nothing."""
    purchase = _jd_part(tmp_path, "jd-purchase.csv", lambda ln: ORDER in ln and "退款" not in ln)
    refunds = _jd_part(tmp_path, "jd-refunds.csv", lambda ln: ORDER in ln and "退款" in ln)
    both = _jd_part(tmp_path, "jd-both.csv", lambda ln: ORDER in ln)
    assert (_import(vault, purchase).transactions, _import(vault, refunds).transactions) == (1, 3)
    stored = sorted((r[0], r[1]) for r in vault.query(
        "SELECT amount_minor, direction FROM transactions WHERE external_id LIKE ?", (ORDER + "%",)))
    assert stored == [(100, "in"), (100, "in"), (11298, "in"), (22399, "out")]
    for again in (purchase, refunds, both):  # the same rows in other files: all recognised
        out = _import(vault, again)
        assert out.transactions == 0, again.name
    assert vault.scalar("SELECT count(*) FROM transactions") == 4


def test_an_export_with_purchase_and_refunds_then_one_with_a_refund_alone(vault: Vault, tmp_path: Path) -> None:
    """The older numbering ("id#2" for a repeated id within one file) still matches: a later export holding one of
    those refunds alone adds nothing."""
    both = _jd_part(tmp_path, "jd-both.csv", lambda ln: ORDER in ln)
    one_refund = _jd_part(tmp_path, "jd-one-refund.csv", lambda ln: ORDER in ln and "112.98" in ln)
    assert _import(vault, both).transactions == 4
    assert _import(vault, one_refund).transactions == 0
    assert vault.scalar("SELECT count(*) FROM transactions") == 4
