"""Cases: a complaint in progress (one per dispute), opened from a confirmed finding. Letters and dossiers are
built from a case."""

from __future__ import annotations

from datetime import date
from typing import Any

from mybnpl.core.errors import InvalidInput, NotFound
from mybnpl.i18n import N_
from mybnpl.services import letters as letters_svc
from mybnpl.vault import repos
from mybnpl.vault.db import Vault


def open_case_from_finding(vault: Vault, finding_id: int, title: str, today: date) -> int:
    """Open a case for a confirmed finding, or return the case already opened for it (its reference is
    ``finding:<id>``). The finding's evidence is linked to the case, so letters and dossiers find it."""
    rows = vault.query("SELECT status, provider_id, account_id FROM findings WHERE id = ?", (finding_id,))
    if not rows:
        raise NotFound(N_("Finding {id} was not found."), id=finding_id)
    status, provider_id, account_id = rows[0]
    if status != "confirmed":
        raise InvalidInput(N_("Confirm finding {id} before starting a complaint (mybnpl findings confirm {id})."),
                           id=finding_id)
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


def list_cases(vault: Vault, today: date | None = None) -> list[dict[str, Any]]:
    """Every case with its letters (id, kind, status, recipient, sent_on, deadline_on, replies) and, for letters
    still waiting, the state of their response clock as of ``today``."""
    today = today or date.today()
    due = {d.letter_id: d for d in letters_svc.letters_due(vault, today)}
    rows = vault.query("SELECT id, title, status, opened_on, provider_id, account_id, reference FROM cases "
                       "ORDER BY id")
    out = []
    for r in rows:
        letters = []
        for rec in letters_svc.list_letters(vault, int(r[0])):
            d = due.get(rec.id)
            replies = vault.query("SELECT evidence_id FROM evidence_links WHERE entity = 'letter_reply' AND "
                                  "entity_id = ? ORDER BY evidence_id", (rec.id,))
            letters.append({"id": rec.id, "kind": rec.kind, "status": rec.status, "title": rec.title,
                            "recipient": rec.recipient, "sent_on": rec.sent_on.isoformat() if rec.sent_on else None,
                            "deadline_on": rec.deadline_on.isoformat() if rec.deadline_on else None,
                            "deadline_state": d.state if d else None, "escalate_to": d.escalate_to if d else None,
                            "reply_evidence_ids": [int(x[0]) for x in replies]})
        out.append({"id": r[0], "title": r[1], "status": r[2], "opened_on": r[3], "provider": r[4],
                    "account_id": r[5], "reference": r[6], "letters": letters})
    return out
