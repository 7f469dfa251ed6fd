"""Import use case: parse in isolation → preview (duplicates marked) → commit in one transaction.

Idempotent: a file already imported (same SHA-256) adds nothing; rows already present (same provider
transaction id in the account, else the same content fingerprint) are skipped and counted.
The original file becomes an evidence item linked to the statement it produced.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mybnpl.core.catalog import Catalog
from mybnpl.core.errors import InvalidInput
from mybnpl.core.imports import ImportCode, ImportFailed, ParsedStatement, ParsedTx
from mybnpl.importers.base import ParseOptions
from mybnpl.importers.errors import fail
from mybnpl.importers.sandbox import Limits, parse_isolated
from mybnpl.vault import repos
from mybnpl.vault.db import Vault

MEDIA_TYPES = {"pdf_statement": "application/pdf", "wechat_xlsx": "application/vnd.openxmlformats-officedocument."
               "spreadsheetml.sheet", "generic_xlsx": "application/vnd.openxmlformats-officedocument."
               "spreadsheetml.sheet", "generic_xls": "application/vnd.ms-excel", "ofx": "application/x-ofx"}


@dataclass
class PreviewRow:
    tx: ParsedTx
    external_id: str | None  # the source's id, made unique within the file ("id#2" for a repeated id)
    fingerprint: str  # content identity, for rows whose source has no id (see repos.NewTransaction)
    duplicate: str = ""  # "" new; "in_vault_id", "in_vault_content": already stored


@dataclass
class ImportPreview:
    name: str
    sha256: str
    data: bytes
    parsed: ParsedStatement
    provider_id: str | None
    account_id: int | None
    rows: list[PreviewRow] = field(default_factory=list)
    already_imported: bool = False

    @property
    def new_rows(self) -> list[PreviewRow]:
        return [r for r in self.rows if not r.duplicate]

    @property
    def duplicates(self) -> int:
        return len(self.rows) - len(self.new_rows)

    @property
    def bnpl_new(self) -> int:
        return sum(1 for r in self.new_rows if r.tx.bnpl_product)


@dataclass
class ImportOutcome:
    path: str
    status: str  # imported | duplicate | error | preview
    provider: str | None = None
    format: str | None = None
    transactions: int = 0
    duplicates: int = 0
    bnpl_transactions: int = 0
    warnings: list[str] = field(default_factory=list)
    statement_id: int | None = None
    evidence_id: int | None = None
    error: ImportFailed | None = None
    preview: ImportPreview | None = None

    def to_json(self, translate: Callable[[str, dict[str, Any]], str]) -> dict[str, Any]:
        d: dict[str, Any] = {
            "path": self.path, "status": self.status, "provider": self.provider, "format": self.format,
            "transactions": self.transactions, "duplicates": self.duplicates,
            "bnpl_transactions": self.bnpl_transactions, "warnings": self.warnings,
            "statement_id": self.statement_id, "evidence_id": self.evidence_id,
        }
        if self.error is not None:
            d["error"] = {"code": self.error.code, "message": translate(self.error.message, self.error.params)}
        return d


def _account_for(vault: Vault, catalog: Catalog, provider_id: str | None, create: bool) -> int | None:
    if provider_id is None:
        return None
    row = vault.query("SELECT id FROM accounts WHERE provider_id = ? ORDER BY id LIMIT 1", (provider_id,))
    if row:
        return int(row[0][0])
    if not create:
        return None
    provider = catalog.get(provider_id)
    with vault.transaction() as conn:
        acc = repos.insert_account(conn, provider.id, provider.name("zh") + " / " + provider.name("en"),
                                   provider.currency)
        repos.append_event(conn, "account_added", f"{provider.id} (import)", entity="account", entity_id=acc)
    return acc


def _existing(vault: Vault, column: str, values: Sequence[str], account_id: int | None) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(values), 500):
        chunk = list(values[i : i + 500])
        marks = ",".join("?" * len(chunk))
        if column == "external_id":
            sql = f"SELECT external_id FROM transactions WHERE account_id IS ? AND external_id IN ({marks})"
            rows = vault.query(sql, [account_id, *chunk])
        else:
            rows = vault.query(f"SELECT fingerprint FROM transactions WHERE fingerprint IN ({marks})", chunk)
        found.update(str(r[0]) for r in rows)
    return found


def build_preview(vault: Vault, catalog: Catalog, name: str, data: bytes, parsed: ParsedStatement,
                  provider_override: str | None = None) -> ImportPreview:
    provider_id = provider_override or parsed.provider_id
    if provider_id is not None:
        catalog.get(provider_id)
    account_id = _account_for(vault, catalog, provider_id, create=False)
    sha = hashlib.sha256(data).hexdigest()
    preview = ImportPreview(name, sha, data, parsed, provider_id, account_id)
    preview.already_imported = bool(vault.scalar("SELECT count(*) FROM statements WHERE source_sha256 = ?", (sha,)))
    seen_ids: Counter[str] = Counter()
    seen_rows: Counter[tuple[Any, ...]] = Counter()
    for tx in parsed.transactions:
        ext = tx.external_id or None
        if ext:
            seen_ids[ext] += 1
            if seen_ids[ext] > 1:  # the same order id twice in one file (refund, partial payment)
                ext = f"{ext}#{seen_ids[ext]}"
        key = (tx.posted_on, tx.posted_at, tx.amount.minor, tx.direction, tx.merchant, tx.description, ext)
        seen_rows[key] += 1
        fp = repos.fingerprint(provider_id or "", tx.posted_on, tx.posted_at, tx.amount, tx.direction, tx.merchant,
                               tx.description, ext, seen_rows[key])
        preview.rows.append(PreviewRow(tx, ext, fp))
    ids = [r.external_id for r in preview.rows if r.external_id]
    known_ids = _existing(vault, "external_id", ids, account_id) if account_id is not None else set()
    known_fp = _existing(vault, "fingerprint", [r.fingerprint for r in preview.rows], None)
    for r in preview.rows:
        if r.external_id and r.external_id in known_ids:
            r.duplicate = "in_vault_id"
        elif r.fingerprint in known_fp:
            r.duplicate = "in_vault_content"
    return preview


@dataclass(frozen=True)
class PriorImport:
    statement_id: int
    provider_id: str | None
    format: str
    row_count: int


def find_prior_import(vault: Vault, data: bytes) -> PriorImport | None:
    """The statement this exact file (same SHA-256) already produced, if any: re-importing it is a no-op
    that needs no parsing at all."""
    sha = hashlib.sha256(data).hexdigest()
    rows = vault.query("SELECT id, provider_id, format, row_count FROM statements WHERE source_sha256 = ? "
                       "ORDER BY id LIMIT 1", (sha,))
    if not rows:
        return None
    r = rows[0]
    return PriorImport(int(r[0]), r[1] or None, str(r[2]), int(r[3]))


def read_file(path: Path, limits: Limits | None = None) -> bytes:
    try:
        size = path.stat().st_size
        limit = (limits or Limits()).max_file_bytes
        if size > limit:
            raise fail(ImportCode.TOO_LARGE, path.name, detail=f"{size // (1024 * 1024)} MiB",
                       limit=f"{limit // (1024 * 1024)} MiB")
        return path.read_bytes()
    except OSError as e:
        raise InvalidInput(detail=f"{path.name}: {e.strerror}") from None


def parse_file(path: Path, opts: ParseOptions, limits: Limits | None = None) -> tuple[bytes, ParsedStatement]:
    data = read_file(path, limits)
    return data, parse_isolated(data, path.name, opts, limits)


def prior_outcome(path: str, prior: PriorImport) -> ImportOutcome:
    return ImportOutcome(path, "duplicate", prior.provider_id, prior.format, duplicates=prior.row_count,
                         statement_id=prior.statement_id)


def commit(vault: Vault, catalog: Catalog, preview: ImportPreview) -> ImportOutcome:
    """Store the preview's new rows, the statement and the original file, in one transaction."""
    out = ImportOutcome(preview.name, "duplicate", preview.provider_id, preview.parsed.format,
                        duplicates=preview.duplicates, warnings=list(preview.parsed.warnings))
    if preview.already_imported or not preview.new_rows:
        out.duplicates = len(preview.rows)
        return out
    account_id = preview.account_id
    if account_id is None and preview.provider_id is not None:
        account_id = _account_for(vault, catalog, preview.provider_id, create=True)
    p = preview.parsed
    with vault.transaction() as conn:
        evidence_id = repos.insert_evidence(
            conn, preview.data, media_type=MEDIA_TYPES.get(p.format, "text/csv"), filename=preview.name,
            source="import", note=f"original file of an imported statement ({p.format})", account_id=account_id)
        cur = conn.execute(
            "INSERT INTO statements(account_id, provider_id, format, evidence_id, source_sha256, filename, imported_at,"
            " period_start, period_end, due_date, total_due_minor, minimum_due_minor, currency, reconciled,"
            " warnings_json, row_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (account_id, preview.provider_id or "", p.format, evidence_id, preview.sha256, preview.name,
             repos.now_iso(), _d(p.period_start), _d(p.period_end), _d(p.due_date),
             p.total_due.minor if p.total_due else None, p.minimum_due.minor if p.minimum_due else None, p.currency,
             None if p.reconciled is None else int(p.reconciled), json.dumps(list(p.warnings), ensure_ascii=False),
             len(preview.rows)))
        statement_id = int(cur.lastrowid)
        conn.execute("INSERT INTO evidence_links(evidence_id, entity, entity_id) VALUES (?, 'statement', ?)",
                     (evidence_id, statement_id))
        new_rows = preview.new_rows
        before = conn.total_changes
        conn.executemany(repos.INSERT_TX_SQL, (
            (account_id, statement_id, r.tx.posted_on.isoformat(), r.tx.posted_at, r.tx.amount.minor,
             r.tx.amount.currency, r.tx.direction.value, r.tx.merchant, r.tx.description, r.tx.payment_method,
             r.tx.bnpl_product, r.tx.status, r.tx.category, r.external_id, r.fingerprint) for r in new_rows))
        added = int(conn.total_changes - before)
        repos.append_event(conn, "statement_imported", f"{p.format}: {added} new, {preview.duplicates} skipped",
                           entity="statement", entity_id=statement_id)
    out.status = "imported"
    out.transactions = added
    out.duplicates = len(preview.rows) - added
    out.bnpl_transactions = sum(1 for r in new_rows if r.tx.bnpl_product)
    out.statement_id, out.evidence_id = statement_id, evidence_id
    return out


def _d(x: Any) -> str | None:
    return x.isoformat() if x else None
