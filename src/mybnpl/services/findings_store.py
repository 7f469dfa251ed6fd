"""The SQL side of findings: read the detectors' snapshot, write their findings by fingerprint (one
transaction). The rules of the write are in :mod:`mybnpl.services.findings`."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import date
from typing import Any, cast

from mybnpl.core.catalog import Catalog
from mybnpl.detect.model import (
    LEAN_COLUMNS,
    TX_COLUMNS,
    Account,
    Consent,
    Finding,
    Installment,
    LeanRow,
    Plan,
    ProviderInfo,
    Statement,
    TxRow,
)
from mybnpl.detect.snapshot import Snapshot
from mybnpl.vault import repos
from mybnpl.vault.connection import Connection
from mybnpl.vault.db import Vault

_ENGINE_KEYS = ("confidence", "transaction_ids", "evidence_ids", "installment_ids", "data")
_EVIDENCE_KEYS = ("transaction_ids", "evidence_ids", "installment_ids")
LEAN_SQL = f"SELECT {', '.join(LEAN_COLUMNS)} FROM transactions"
_FULL_SQL = f"SELECT {', '.join(TX_COLUMNS)} FROM transactions WHERE id IN "


class VaultRows:
    """Full transaction rows on demand (the detectors' :class:`~mybnpl.detect.snapshot.RowSource`)."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    def rows(self, ids: Sequence[int]) -> list[TxRow]:
        if not ids:
            return []
        return cast(list[TxRow], self.vault.query(_FULL_SQL + f"({', '.join('?' * len(ids))})", list(ids)))

    def descriptions(self) -> list[str]:
        return [r[0] for r in self.vault.query("SELECT DISTINCT description FROM transactions")]

    def ids_described(self, descriptions: Collection[str]) -> list[int]:
        out: list[int] = []
        values = list(descriptions)
        for k in range(0, len(values), 500):
            chunk = values[k:k + 500]
            out += [int(r[0]) for r in self.vault.query(
                f"SELECT id FROM transactions WHERE description IN ({', '.join('?' * len(chunk))})", chunk)]
        return out


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def load_snapshot(vault: Vault, catalog: Catalog) -> Snapshot:
    """Everything the detectors read, as plain tuples (transactions) and small NamedTuples (the rest)."""
    links: dict[tuple[str, int], tuple[int, ...]] = {}
    for entity, entity_id, evidence_id in vault.query(
            "SELECT entity, entity_id, evidence_id FROM evidence_links "
            "WHERE entity IN ('transaction', 'plan', 'installment', 'consent') ORDER BY evidence_id"):
        links[(entity, entity_id)] = (*links.get((entity, entity_id), ()), evidence_id)
    consents = [Consent(r[0], r[1], r[2], _d(r[3]), tuple(dict.fromkeys(
        ([r[4]] if r[4] is not None else []) + list(links.get(("consent", r[0]), ())))), r[5], r[6])
        for r in vault.query("SELECT id, provider_id, kind, on_date, evidence_id, channel, note FROM consents")]
    plans = [Plan(r[0], r[1], r[2], r[3], r[4], r[5], r[6], date.fromisoformat(r[7]), r[8])
             for r in vault.query("SELECT id, account_id, merchant, principal_minor, fee_minor, currency, "
                                  "n_installments, first_due, cadence FROM plans")]
    installments = [Installment(r[0], r[1], r[2], date.fromisoformat(r[3]), r[4], r[5], r[6], _d(r[7]))
                    for r in vault.query("SELECT id, plan_id, seq, due_on, amount_minor, currency, status, paid_on "
                                         "FROM installments")]
    statements = [Statement(r[0], r[1], r[2] or "", r[3], r[4], _d(r[5]), _d(r[6]), _d(r[7]), r[8], r[9])
                  for r in vault.query("SELECT id, account_id, provider_id, evidence_id, filename, period_start, "
                                       "period_end, due_date, total_due_minor, currency FROM statements")]
    return Snapshot(
        transactions=cast(Sequence[LeanRow], vault.query(LEAN_SQL)), source=VaultRows(vault),
        accounts=[Account(*r) for r in vault.query("SELECT id, provider_id, label FROM accounts")],
        plans=plans, installments=installments, consents=consents, statements=statements, links=links,
        providers={p.id: ProviderInfo(p.id, p.names.zh, p.names.en, p.aliases) for p in catalog.all()})


def _core(f: Finding) -> dict[str, Any]:
    """The engine-owned part of data_json."""
    return {"confidence": f.confidence.value, "transaction_ids": list(f.transaction_ids),
            "evidence_ids": list(f.evidence_ids), "installment_ids": list(f.installment_ids), "data": dict(f.data)}


def _dump(d: dict[str, Any]) -> str:
    return json.dumps(d, ensure_ascii=False, sort_keys=True)


def _load(text: str | None) -> dict[str, Any]:
    try:
        d = json.loads(text or "{}")
    except ValueError:
        return {}
    return d if isinstance(d, dict) else {}


def _evidence_changed(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """New evidence: rows, installments or files the finding did not rest on when it was dismissed. Fewer (an
    installment paid, a row no longer involved) is not new evidence and never reopens it."""
    return any(set(new.get(k) or []) - set(old.get(k) or []) for k in _EVIDENCE_KEYS)


def _sync_links(conn: Connection, finding_id: int, old: Sequence[int], new: Sequence[int]) -> None:
    gone = set(old) - set(new)
    if gone:
        conn.executemany("DELETE FROM evidence_links WHERE entity = 'finding' AND entity_id = ? AND evidence_id = ?",
                         [(finding_id, e) for e in sorted(gone)])
    added = [e for e in new if e not in set(old)]
    if added:
        conn.executemany("INSERT OR IGNORE INTO evidence_links(evidence_id, entity, entity_id) "
                         "VALUES (?, 'finding', ?)", [(e, finding_id) for e in added])


def _referenced(conn: Connection, finding_id: int, own: Sequence[int]) -> bool:
    """A case refers to the finding, or the user linked evidence the engine did not."""
    if conn.execute("SELECT 1 FROM cases WHERE reference = ? LIMIT 1", (f"finding:{finding_id}",)).fetchone():
        return True
    linked = {r[0] for r in conn.execute("SELECT evidence_id FROM evidence_links WHERE entity = 'finding' AND "
                                         "entity_id = ?", (finding_id,))}
    return bool(linked - set(own))


_INSERT = ("INSERT INTO findings(kind, severity, provider_id, account_id, first_seen, status, explanation_en, "
           "explanation_zh, fingerprint, data_json, updated_at) VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?)")
_UPDATE = ("UPDATE findings SET severity = ?, provider_id = ?, account_id = ?, first_seen = ?, explanation_en = ?, "
           "explanation_zh = ?, data_json = ?, status = ?, dismiss_reason = ?, updated_at = ? WHERE id = ?")


def write_findings(vault: Vault, found: Sequence[Finding], today: date) -> dict[str, int]:
    """Upsert ``found`` by fingerprint in one transaction; returns the counts of RecomputeResult."""
    n = {"added": 0, "updated": 0, "reopened": 0, "removed": 0, "stale": 0, "unchanged": 0}
    now = repos.now_iso()
    with vault.transaction() as conn:
        existing = {r[1]: r for r in conn.execute(
            "SELECT id, fingerprint, status, severity, provider_id, account_id, first_seen, explanation_en, "
            "explanation_zh, data_json, dismiss_reason FROM findings")}
        new: list[Finding] = []
        for f in found:
            old = existing.pop(f.fingerprint, None)
            if old is None:
                new.append(f)
                continue
            core = _core(f)
            core_json = _dump(core)
            columns_same = (old[3], old[4], old[5], old[6], old[7], old[8]) == (
                f.severity.value, f.provider_id, f.account_id, f.first_seen.isoformat(), f.explanation_en,
                f.explanation_zh)
            if columns_same and old[9] == core_json:  # the common case: nothing changed, nothing to parse
                n["unchanged"] += 1
                continue
            fid, status, reason = int(old[0]), str(old[2]), str(old[10])
            stored = _load(old[9])
            meta = {k: v for k, v in stored.items() if k not in _ENGINE_KEYS and k != "stale"}
            reopen = status == "dismissed" and _evidence_changed(stored, core)
            if reopen:
                meta["note_en"] = (f"Reopened on {today.isoformat()}: the rows or evidence behind it changed after "
                                   f"you dismissed it" + (f" (your reason: {reason})." if reason else "."))
                meta["note_zh"] = (f"{today.isoformat()} 重新打开：您驳回之后，它所依据的记录或证据有了变化"
                                   + (f"（您当时的理由：{reason}）。" if reason else "。"))
                status, reason = "open", ""
            same = (not reopen and columns_same and "stale" not in stored
                    and _dump({k: stored.get(k) for k in _ENGINE_KEYS}) == core_json)
            if same:
                n["unchanged"] += 1
                continue
            conn.execute(_UPDATE, (f.severity.value, f.provider_id, f.account_id, f.first_seen.isoformat(),
                                   f.explanation_en, f.explanation_zh, _dump({**meta, **core}), status, reason, now,
                                   fid))
            _sync_links(conn, fid, [int(e) for e in stored.get("evidence_ids") or []], f.evidence_ids)
            if reopen:
                repos.append_event(conn, "finding_open", f"{f.kind.value}: dismissed -> open (new evidence)",
                                   entity="finding", entity_id=fid, on_date=today)
                n["reopened"] += 1
            else:
                n["updated"] += 1
        _insert(conn, new, now)
        n["added"] = len(new)
        for old in existing.values():
            _retire(conn, old, n)
        if any(n[k] for k in ("added", "updated", "reopened", "removed", "stale")):
            repos.append_event(conn, "findings_recomputed",
                               f"{n['added']} new, {n['updated']} updated, {n['reopened']} reopened, "
                               f"{n['removed']} removed, {n['stale']} no longer found", on_date=today)
    return n


def _insert(conn: Connection, new: Sequence[Finding], now: str) -> None:
    """New findings in one statement; then the evidence links of those that have evidence."""
    conn.executemany(_INSERT, [(f.kind.value, f.severity.value, f.provider_id, f.account_id, f.first_seen.isoformat(),
                                f.explanation_en, f.explanation_zh, f.fingerprint, _dump(_core(f)), now)
                               for f in new])
    linked = [f for f in new if f.evidence_ids]
    for i in range(0, len(linked), 500):
        chunk = {f.fingerprint: f for f in linked[i:i + 500]}
        marks = ", ".join("?" * len(chunk))
        for fid, fingerprint in conn.execute(f"SELECT id, fingerprint FROM findings WHERE fingerprint IN ({marks})",
                                             list(chunk)):
            _sync_links(conn, int(fid), (), chunk[fingerprint].evidence_ids)


def _retire(conn: Connection, old: Sequence[Any], n: dict[str, int]) -> None:
    """A finding the detectors no longer produce: delete it when open and unreferenced, else mark it stale."""
    fid, status = int(old[0]), str(old[2])
    stored = _load(old[9])
    own = [int(e) for e in stored.get("evidence_ids") or []]
    if status == "open" and not _referenced(conn, fid, own):
        conn.execute("DELETE FROM evidence_links WHERE entity = 'finding' AND entity_id = ?", (fid,))
        conn.execute("DELETE FROM findings WHERE id = ?", (fid,))
        n["removed"] += 1
    elif not stored.get("stale"):
        conn.execute("UPDATE findings SET data_json = ?, updated_at = ? WHERE id = ?",
                     (_dump({**stored, "stale": True}), repos.now_iso(), fid))
        n["stale"] += 1
