"""Import use case: parse in isolation → preview (duplicates marked) → commit in one transaction.

Idempotent: a file already imported (same SHA-256) adds nothing; rows already present (same provider
transaction id in the account, else the same content fingerprint) are skipped and counted.
The original file becomes an evidence item linked to the statement it produced.
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import add, itemgetter, mod, mul, not_
from pathlib import Path
from typing import Any, overload

from mybnpl.core.catalog import Catalog
from mybnpl.core.errors import InvalidInput
from mybnpl.core.imports import ImportCode, ImportFailed, ParsedStatement, ParsedTx, TxTable
from mybnpl.i18n import N_, os_reason
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
    fingerprint: int | None  # content identity (repos.fingerprint); None for a row identified by the provider's id
    duplicate: str = ""  # "" new; "in_vault_id", "in_vault_content": already stored


class PreviewRows(Sequence[PreviewRow]):
    """The preview's rows, kept as columns (the parsed TxTable plus the preview's own columns); a PreviewRow is
    built when one is read. ``which`` selects a subset (the new rows) by position."""

    def __init__(self, table: TxTable, external_id: list[str | None], fingerprint: list[int | None],
                 duplicate: list[str], which: list[int] | None = None, *, scope: str = "",
                 occurrence: list[int] | None = None) -> None:
        self.table, self.external_id, self.fingerprint, self.duplicate = table, external_id, fingerprint, duplicate
        self.which, self.scope, self.occurrence = which, scope, occurrence
        self._cache: dict[int, PreviewRow] = {}  # a view reads the same few rows again and again

    def _row(self, i: int) -> PreviewRow:
        row = self._cache.get(i)
        if row is None:
            if len(self._cache) >= 1024:
                self._cache.clear()
            row = self._cache[i] = self._build(i)
        return row

    def _build(self, i: int) -> PreviewRow:
        return PreviewRow(self.table.tx(i), self.external_id[i], self.fingerprint[i], self.duplicate[i])

    def __len__(self) -> int:
        return len(self.duplicate) if self.which is None else len(self.which)

    @overload
    def __getitem__(self, i: int) -> PreviewRow: ...
    @overload
    def __getitem__(self, i: slice) -> list[PreviewRow]: ...

    def __getitem__(self, i: int | slice) -> PreviewRow | list[PreviewRow]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        n = len(self)
        if not -n <= i < n:
            raise IndexError("preview row index out of range")
        i %= n
        return self._row(i if self.which is None else self.which[i])

    def __iter__(self) -> Iterator[PreviewRow]:
        return map(self._row, range(len(self.duplicate)) if self.which is None else iter(self.which))

    def new(self) -> PreviewRows:
        return PreviewRows(self.table, self.external_id, self.fingerprint, self.duplicate,
                           [i for i, d in enumerate(self.duplicate) if not d], scope=self.scope,
                           occurrence=self.occurrence)

    def positions(self) -> Iterable[int]:
        return range(len(self.duplicate)) if self.which is None else self.which


@dataclass
class ImportPreview:
    name: str
    sha256: str
    data: bytes
    parsed: ParsedStatement
    provider_id: str | None
    account_id: int | None
    rows: Sequence[PreviewRow] = field(default_factory=list)
    already_imported: bool = False

    @property
    def new_rows(self) -> Sequence[PreviewRow]:
        if isinstance(self.rows, PreviewRows):
            return self.rows.new()
        return [r for r in self.rows if not r.duplicate]

    @property
    def duplicates(self) -> int:
        if isinstance(self.rows, PreviewRows):
            return len(self.rows) - self.rows.duplicate.count("")
        return len(self.rows) - len(self.new_rows)

    @property
    def bnpl_new(self) -> int:
        if isinstance(self.rows, PreviewRows):
            bnpl, dup = self.rows.table.bnpl_product, self.rows.duplicate
            return sum(1 for b, d in zip(bnpl, dup, strict=True) if b and not d)
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
        acc = repos.insert_account(conn, provider.id, provider.default_label(),
                                   provider.currency)
        repos.append_event(conn, "account_added", f"{provider.id} (import)", entity="account", entity_id=acc)
    return acc


def _stored_rows(vault: Vault, columns: str, where: str, params: list[Any], column: str,
                 values: Sequence[Any]) -> list[Any]:
    """``columns`` of the stored transactions matching ``where`` whose ``column`` is one of ``values`` — or, when
    that is faster, of all those matching ``where`` (a superset: callers look their values up in it). When the vault
    holds not many more such rows than asked about, reading them all (an index scan) beats 10⁵ index look-ups;
    otherwise one query probes the index with the values passed as one JSON array."""
    if not values:
        return []
    stored = int(vault.scalar(f"SELECT count(*) FROM transactions WHERE {where}", params))
    if stored == 0:
        return []
    sql = f"SELECT {columns} FROM transactions WHERE {where}"
    if stored <= 2 * len(values):
        return vault.query(sql, params)
    return vault.query(f"{sql} AND {column} IN (SELECT value FROM json_each(?))",
                       [*params, json.dumps(list(set(values)), ensure_ascii=False)])


# A row's content as one integer, computed the same way in SQL and in Python (cheap to fetch and compare for 10⁵
# rows): the amount in minor units modulo a prime, then the day (YYYYMMDD) and the direction. Two rows of one
# provider id with the same day and direction collide only if their amounts differ by a multiple of 10⁹+7 cents.
_DIRECTION_CODE = {"out": 0, "in": 1, "neutral": 2}
_PRIME = 1_000_000_007
_CONTENT_COLUMNS = (f"external_id, (amount_minor % {_PRIME}) * 1000000000 + CAST(replace(posted_on, '-', '') AS "
                    "INTEGER) * 3 + CASE direction WHEN 'out' THEN 0 WHEN 'in' THEN 1 ELSE 2 END")
_CONTENT_SQL = f"SELECT {_CONTENT_COLUMNS} FROM transactions WHERE account_id = ? AND "


def _contents(t: TxTable) -> list[int]:
    """``_CONTENT_SQL``'s number for each row of the table (C-level maps: 10⁵ rows in a few ms)."""
    day = {d: int(d.replace("-", "")) * 3 for d in set(t.posted_on)}
    amounts = map(mul, map(mod, t.amount_minor, repeat(_PRIME)), repeat(1_000_000_000))
    return list(map(add, map(add, amounts, map(day.__getitem__, t.posted_on)),
                    map(_DIRECTION_CODE.__getitem__, t.direction)))


def _stored_by_id(vault: Vault, ids: Sequence[str], account_id: int) -> list[tuple[str, int]]:
    """(id, content) of the account's stored rows with one of these provider ids (or of all its rows with an id;
    see _stored_rows and _CONTENT_COLUMNS)."""
    return _stored_rows(vault, _CONTENT_COLUMNS, "account_id = ? AND external_id IS NOT NULL", [account_id],
                        "external_id", ids)


def _shared_ids(vault: Vault, account_id: int | None, t: TxTable, ext: list[str | None],
                stored: list[tuple[str, int]], known: set[str]) -> list[str | None]:
    """Providers reuse an order id for its refunds and partial payments, sometimes in another export than the
    purchase. A row whose id the vault already holds for a row with another date, amount or direction is a
    different transaction: it is a duplicate only if the vault holds its content under the same id family ("X",
    "X#2" of this or an earlier import, "X#…" below); otherwise it gets its own id, "X#<content hash>". ``known``
    (the stored ids) gains the ids it matches."""
    numbered = "#" in "\x00".join(e for e in ext if e)  # repeats within this file ("X#2"), or ids with a "#"
    if not known and not numbered:
        return ext
    contents = _contents(t)
    # (id, content) pairs the vault does not hold as such, whose id it holds for another row; and numbered repeats
    # it does not hold at all (the numbering depends on which rows an export holds: "X#2" here may be "X#3" there)
    odd = set(zip(ext, contents, strict=True)).difference(stored)
    moved_ids = {e for e, _c in odd if e is not None and (e in known or "#" in e)}
    if not moved_ids or account_id is None:
        return ext
    ext = list(ext)
    for i in [i for i, e in enumerate(ext) if e in moved_ids]:
        base = str(ext[i]).split("#", 1)[0]
        content = contents[i]
        family = vault.query(_CONTENT_SQL + "(external_id = ? OR (external_id >= ? AND external_id < ?))",
                             (account_id, base, base + "#", base + "$"))
        same = next((r[0] for r in family if r[1] == content), None)
        if same is not None:  # this very row, stored before: a duplicate
            ext[i] = same
            known.add(same)
        else:
            digest = hashlib.sha256(f"{t.posted_on[i]}|{t.posted_at[i]}|{t.amount_minor[i]}|{t.direction[i]}"
                                    .encode()).hexdigest()[:10]
            ext[i] = f"{base}#{digest}"
    return ext


def _unique_ids(ids: list[str | None]) -> list[str | None]:
    """The same order id twice in one file (refund, partial payment): the 2nd becomes "id#2", and so on."""
    present = [e for e in ids if e]
    if len(set(present)) == len(present):
        return ids
    seen: Counter[str] = Counter()
    out: list[str | None] = []
    for ext in ids:
        if ext:
            seen[ext] += 1
            if seen[ext] > 1:
                ext = f"{ext}#{seen[ext]}"
        out.append(ext)
    return out


def _occurrences(keys: list[tuple[Any, ...]]) -> list[int]:
    """For each row, how many rows up to it have the same content key (1 for the first)."""
    if len(set(keys)) == len(keys):
        return [1] * len(keys)
    seen: Counter[tuple[Any, ...]] = Counter()
    out = []
    for k in keys:
        seen[k] += 1
        out.append(seen[k])
    return out


_BY_ID = {True: "in_vault_id", False: ""}


def build_preview(vault: Vault, catalog: Catalog, name: str, data: bytes, parsed: ParsedStatement,
                  provider_override: str | None = None) -> ImportPreview:
    provider_id = provider_override or parsed.provider_id
    if provider_id is not None:
        catalog.get(provider_id)
    account_id = _account_for(vault, catalog, provider_id, create=False)
    sha = hashlib.sha256(data).hexdigest()
    preview = ImportPreview(name, sha, data, parsed, provider_id, account_id)
    preview.already_imported = bool(vault.scalar("SELECT count(*) FROM statements WHERE source_sha256 = ?", (sha,)))
    was = gc.isenabled()
    gc.disable()  # 10⁵ rows of kept objects: collection only costs time
    try:
        t = TxTable.from_txs(parsed.transactions)
        ext = _unique_ids([e or None for e in t.external_id])
        # The ids are unique now, and part of the content key: only rows without one can repeat a key.
        occurrence = [1] * len(ext) if None not in ext else _occurrences(list(zip(
            t.posted_on, t.posted_at, t.amount_minor, t.direction, t.merchant, t.description, ext, strict=True)))
        scope = provider_id or ""
        stored = _stored_by_id(vault, [e for e in ext if e], account_id) if account_id is not None else []
        known_ids = set(map(itemgetter(0), stored))
        ext = _shared_ids(vault, account_id, t, ext, stored, known_ids)
        # A row with the provider's own id is identified by that id: it is unique within the account, and a
        # provider's rows always go to its account. Its fingerprint would hash the id too (so it could never match
        # a row without one) and only cost time and an index entry: it gets none (NULL). Without a provider there
        # is no account, the id index cannot apply, and every row gets a fingerprint.
        need = list(map(not_, ext)) if scope else None
        cols = (t.posted_on, t.posted_at, t.amount_minor, t.currency, t.direction, t.merchant, t.description, ext,
                occurrence)
        fps: list[int | None]
        if need is None:
            fps = list(repos.fingerprints(scope, *cols))
        elif not any(need):
            fps = [None] * len(need)
        else:
            subset: list[Any] = [list(compress(c, need)) for c in cols]
            found = iter(repos.fingerprints(scope, *subset))
            fps = [next(found) if n else None for n in need]
        asked = [f for f in fps if f is not None]
        known_fp = {r[0] for r in _stored_rows(vault, "fingerprint", "fingerprint IS NOT NULL", [], "fingerprint",
                                               asked)}.intersection(asked)
        dup = [""] * len(fps)
        if known_ids and not known_fp:
            dup = list(map(_BY_ID.__getitem__, map(known_ids.__contains__, ext)))
        elif known_fp:
            dup = ["in_vault_id" if e and e in known_ids else "in_vault_content" if f in known_fp else ""
                   for e, f in zip(ext, fps, strict=True)]
        preview.rows = PreviewRows(t, ext, fps, dup, scope=scope, occurrence=occurrence)
    finally:
        if was:
            gc.enable()
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
        raise InvalidInput(N_("{name} could not be read: {reason}"), name=path.name, reason=os_reason(e)) from None


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
        rows = preview.rows if isinstance(preview.rows, PreviewRows) else _as_columns(preview.rows)
        t = rows.table
        new = [not d for d in rows.duplicate]
        before = conn.total_changes
        was = gc.isenabled()
        gc.disable()  # 10⁵ rows pass through: collection only costs time
        try:
            repos.insert_tx_rows(conn, compress(zip(
                repeat(account_id), repeat(statement_id), t.posted_on, t.posted_at, t.amount_minor, t.currency,
                t.direction, t.merchant, t.description, t.payment_method, t.bnpl_product, t.status, t.category,
                rows.external_id, rows.fingerprint), new))
        finally:
            if was:
                gc.enable()
        added = int(conn.total_changes - before)
        repos.append_event(conn, "statement_imported", f"{p.format}: {added} new, {preview.duplicates} skipped",
                           entity="statement", entity_id=statement_id)
    out.status = "imported"
    out.transactions = added
    out.duplicates = len(preview.rows) - added
    out.bnpl_transactions = sum(1 for b in compress(t.bnpl_product, new) if b)
    out.statement_id, out.evidence_id = statement_id, evidence_id
    return out


def _as_columns(rows: Sequence[PreviewRow]) -> PreviewRows:
    """A preview whose rows were built one by one (not by build_preview), as columns."""
    return PreviewRows(TxTable.from_txs([r.tx for r in rows]), [r.external_id for r in rows],
                       [r.fingerprint for r in rows], [r.duplicate for r in rows])


def _d(x: Any) -> str | None:
    return x.isoformat() if x else None
