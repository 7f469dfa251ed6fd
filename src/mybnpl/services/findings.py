"""Findings: recompute them from the vault, list them, confirm or dismiss them.

Decisions:
* ``recompute`` reads a snapshot with a few plain queries (every transaction lean, 8 columns; full rows are
  fetched only for the rows findings name), runs :func:`mybnpl.detect.engine.run_all`, and writes the result in
  ONE transaction, matched by fingerprint (kind + provider/account + anchor):
  - a new fingerprint is inserted as ``open``;
  - an existing one is updated in place (explanations, severity, data); its status stays, except that a
    ``dismissed`` one whose evidence changed (the set of transaction, evidence or installment ids it rests
    on) is reopened, with a note naming the old reason;
  - a finding no longer produced is deleted when ``open`` and nothing refers to it (a case, evidence the user
    linked); otherwise — and always when ``confirmed`` or ``dismissed`` — it is kept, marked ``"stale": true``
    in ``data_json`` (the status CHECK has no "resolved"). A stale finding produced again loses the mark.
* One ``findings_recomputed`` event is appended only when something changed; each reopening and each status
  change by the user is its own event (``finding_open`` / ``finding_confirmed`` / ``finding_dismissed``).
* The finding's evidence ids are mirrored in ``evidence_links`` (entity ``finding``), so cases and dossiers
  find them.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any, cast

from mybnpl.core.catalog import Catalog
from mybnpl.core.errors import InvalidInput, NotFound
from mybnpl.core.models import FindingStatus
from mybnpl.detect.engine import run_all
from mybnpl.detect.model import Finding
from mybnpl.detect.rules import Rules, parse_rules
from mybnpl.detect.snapshot import Snapshot
from mybnpl.i18n import N_
from mybnpl.resources import resource_path
from mybnpl.services.findings_store import load_snapshot as _load_snapshot
from mybnpl.services.findings_store import write_findings
from mybnpl.vault import repos
from mybnpl.vault.db import Vault

RULES_FILE = "findings_rules.json"
MAX_REASON = 2000
__all__ = ["FindingRow", "RecomputeResult", "get_finding", "list_findings", "load_rules",
           "load_snapshot", "recompute", "set_status"]


@cache
def load_rules() -> Rules:
    """The thresholds shipped in resources/findings_rules.json."""
    return parse_rules(json.loads(resource_path(RULES_FILE).read_text(encoding="utf-8")))


def load_snapshot(vault: Vault, catalog: Catalog) -> Snapshot:
    return _load_snapshot(vault, catalog)


@dataclass(frozen=True)
class RecomputeResult:
    added: int = 0
    updated: int = 0
    reopened: int = 0
    removed: int = 0
    stale: int = 0
    unchanged: int = 0
    total: int = 0  # findings the detectors produced

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.reopened or self.removed or self.stale)


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """The snapshot makes about a million objects and no reference cycles; the cycle collector would walk them
    again and again (about a tenth of the time on a 100,000-row vault). Reference counting still frees them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def recompute(vault: Vault, catalog: Catalog, today: date, rules: Rules | None = None) -> RecomputeResult:
    """Run every detector on the vault and store the findings (see the module docstring for the rules)."""
    rules = rules or load_rules()
    with _cycle_collection_paused():
        found: list[Finding] = run_all(load_snapshot(vault, catalog), rules, today)
    counts = write_findings(vault, found, today)
    return RecomputeResult(total=len(found), **counts)


@dataclass(frozen=True)
class FindingRow:
    id: int
    kind: str
    severity: str  # info | warning | serious
    provider_id: str | None
    account_id: int | None
    first_seen: date
    explanation_en: str
    explanation_zh: str
    confidence: str  # high | medium | low
    transaction_ids: tuple[int, ...]
    evidence_ids: tuple[int, ...]
    status: str  # open | confirmed | dismissed
    dismiss_reason: str
    installment_ids: tuple[int, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    stale: bool = False  # no longer produced by the detectors (kept because you confirmed or dismissed it)
    note_en: str = ""  # why it was reopened, when it was
    note_zh: str = ""
    updated_at: str = ""

    def explanation(self, lang: str) -> str:
        return self.explanation_zh if lang.lower().startswith("zh") and self.explanation_zh else self.explanation_en

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "severity": self.severity, "provider": self.provider_id,
                "account_id": self.account_id, "first_seen": self.first_seen.isoformat(),
                "explanation_en": self.explanation_en, "explanation_zh": self.explanation_zh,
                "confidence": self.confidence, "transaction_ids": list(self.transaction_ids),
                "evidence_ids": list(self.evidence_ids), "installment_ids": list(self.installment_ids),
                "status": self.status, "dismiss_reason": self.dismiss_reason, "stale": self.stale,
                "note_en": self.note_en, "note_zh": self.note_zh, "data": self.data}


_COLS = ("id, kind, severity, provider_id, account_id, first_seen, explanation_en, explanation_zh, data_json, status, "
         "dismiss_reason, updated_at")
_ORDER = ("ORDER BY CASE status WHEN 'open' THEN 0 WHEN 'confirmed' THEN 1 ELSE 2 END, "
          "CASE severity WHEN 'serious' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, first_seen DESC, id")


def _ids(v: Any) -> tuple[int, ...]:
    return tuple(int(x) for x in v) if isinstance(v, list) else ()


def _row(r: Sequence[Any]) -> FindingRow:
    try:
        d = json.loads(r[8] or "{}")
    except ValueError:
        d = {}
    d = d if isinstance(d, dict) else {}
    return FindingRow(
        id=int(r[0]), kind=str(r[1]), severity=str(r[2]), provider_id=r[3], account_id=r[4],
        first_seen=date.fromisoformat(r[5]), explanation_en=str(r[6]), explanation_zh=str(r[7]),
        confidence=str(d.get("confidence", "medium")), transaction_ids=_ids(d.get("transaction_ids")),
        evidence_ids=_ids(d.get("evidence_ids")), status=str(r[9]), dismiss_reason=str(r[10]),
        installment_ids=_ids(d.get("installment_ids")),
        data=cast(dict[str, Any], d.get("data")) if isinstance(d.get("data"), dict) else {},
        stale=bool(d.get("stale", False)), note_en=str(d.get("note_en", "")), note_zh=str(d.get("note_zh", "")),
        updated_at=str(r[11]))


def list_findings(vault: Vault, include_all: bool = False) -> list[FindingRow]:
    """Open and confirmed findings (with ``include_all``, dismissed ones too): open first, then by severity,
    newest first."""
    where = "" if include_all else "WHERE status IN ('open', 'confirmed') "
    return [_row(r) for r in vault.query(f"SELECT {_COLS} FROM findings {where}{_ORDER}")]


def get_finding(vault: Vault, finding_id: int) -> FindingRow:
    rows = vault.query(f"SELECT {_COLS} FROM findings WHERE id = ?", (finding_id,))
    if not rows:
        raise NotFound(N_("Finding {id} was not found."), id=finding_id)
    return _row(rows[0])


def set_status(vault: Vault, finding_id: int, status: str, reason: str = "") -> FindingRow:
    """Confirm, dismiss (keeping ``reason``) or reopen a finding; every change lands in the event log."""
    try:
        new = FindingStatus(status)
    except ValueError:
        raise InvalidInput(N_("The status must be open, confirmed or dismissed, not {status}."),
                           status=status) from None
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise InvalidInput(N_("The reason is limited to {max} characters."), max=MAX_REASON)
    old = get_finding(vault, finding_id)
    kept = reason if new is FindingStatus.DISMISSED else ""
    if old.status == new.value and old.dismiss_reason == kept:
        return old
    with vault.transaction() as conn:
        data_json = conn.execute("SELECT data_json FROM findings WHERE id = ?", (finding_id,)).fetchone()[0]
        try:
            meta = json.loads(data_json or "{}")
        except ValueError:
            meta = {}
        meta.pop("note_en", None)
        meta.pop("note_zh", None)
        conn.execute("UPDATE findings SET status = ?, dismiss_reason = ?, data_json = ?, updated_at = ? WHERE id = ?",
                     (new.value, kept, json.dumps(meta, ensure_ascii=False, sort_keys=True), repos.now_iso(),
                      finding_id))
        summary = f"{old.kind}: {old.status} -> {new.value}" + (f" ({reason})" if reason else "")
        repos.append_event(conn, f"finding_{new.value}", summary, entity="finding", entity_id=finding_id)
    return get_finding(vault, finding_id)
