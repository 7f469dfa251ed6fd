"""Cases: a complaint in progress (one per dispute), opened from a confirmed finding. Letters and dossiers are
built from a case."""

from __future__ import annotations

from datetime import date
from typing import Any

from mybnpl.core.errors import InvalidInput, NotFound
from mybnpl.vault import repos
from mybnpl.vault.db import Vault


def open_case_from_finding(vault: Vault, finding_id: int, title: str, today: date) -> int:
    """Open a case for a confirmed finding, or return the case already opened for it (its reference is
    ``finding:<id>``). The finding's evidence is linked to the case, so letters and dossiers find it."""
    rows = vault.query("SELECT status, provider_id, account_id FROM findings WHERE id = ?", (finding_id,))
    if not rows:
        raise NotFound(what=f"finding {finding_id}")
    status, provider_id, account_id = rows[0]
    if status != "confirmed":
        raise InvalidInput(detail="confirm the finding before starting a complaint")
    reference = f"finding:{finding_id}"
    existing = vault.query("SELECT id FROM cases WHERE reference = ? ORDER BY id LIMIT 1", (reference,))
    if existing:
        return int(existing[0][0])
    with vault.transaction() as conn:
        cur = conn.execute("INSERT INTO cases(title, status, opened_on, provider_id, account_id, reference)"
                           " VALUES (?, 'open', ?, ?, ?, ?)",
                           (title[:200], today.isoformat(), provider_id, account_id, reference))
        case_id = int(cur.lastrowid)
        conn.execute("INSERT OR IGNORE INTO evidence_links(evidence_id, entity, entity_id) "
                     "SELECT evidence_id, 'case', ? FROM evidence_links WHERE entity = 'finding' AND entity_id = ?",
                     (case_id, finding_id))
        repos.append_event(conn, "case_opened", title[:200], entity="case", entity_id=case_id, on_date=today)
    return case_id


def list_cases(vault: Vault) -> list[dict[str, Any]]:
    rows = vault.query("SELECT id, title, status, opened_on, provider_id, account_id, reference FROM cases "
                       "ORDER BY id")
    return [{"id": r[0], "title": r[1], "status": r[2], "opened_on": r[3], "provider": r[4], "account_id": r[5],
             "reference": r[6]} for r in rows]
