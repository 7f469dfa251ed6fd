"""The consent ledger: what the user knowingly did with each BNPL product (enabled on a date, never enabled,
closed on a date), each record optionally backed by evidence. Every change lands in the event log.

Decision: records are per provider product (the catalog id), optionally tied to one of the user's accounts;
the findings engine reads them by provider, because the question "did I agree to 美团月付?" is about the
product, not about which export the rows came from.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from mybnpl.core.catalog import Catalog
from mybnpl.core.errors import InvalidInput, NotFound
from mybnpl.core.models import ConsentKind, ConsentRecord
from mybnpl.i18n import N_, current_language
from mybnpl.services import evidence as evidence_svc
from mybnpl.vault import repos
from mybnpl.vault.db import Vault

_COLS = "id, provider_id, kind, on_date, channel, note, created_at, account_id, evidence_id"
MAX_TEXT = 2000


def _row(r: Any) -> ConsentRecord:
    return ConsentRecord(id=r[0], provider_id=r[1], kind=ConsentKind(r[2]),
                         on_date=date.fromisoformat(r[3]) if r[3] else None, channel=r[4], note=r[5],
                         created_at=datetime.fromisoformat(r[6]), account_id=r[7], evidence_id=r[8])


def _check(kind: ConsentKind, on_date: date | None, today: date, channel: str, note: str) -> None:
    if kind is not ConsentKind.NEVER_ENABLED and on_date is None:
        raise InvalidInput(N_("This record needs a date."))
    if on_date is not None and on_date > today:
        raise InvalidInput(N_("The date {date} is in the future."), date=on_date.isoformat())
    if len(channel) > MAX_TEXT or len(note) > MAX_TEXT:
        raise InvalidInput(N_("The channel and the note are limited to {max} characters each."), max=MAX_TEXT)


def add_consent(vault: Vault, catalog: Catalog, *, provider_id: str, kind: ConsentKind | str,
                on_date: date | None, today: date, channel: str = "", note: str = "",
                account_id: int | None = None, evidence_file: Path | None = None) -> ConsentRecord:
    """Record one consent fact. ``evidence_file`` (a screenshot of 开通记录, the agreement as shown) is stored
    as evidence and linked to the record, in the same transaction as the record itself."""
    provider = catalog.get(provider_id)
    kind = ConsentKind(kind)
    if kind is ConsentKind.NEVER_ENABLED:
        on_date = None
    _check(kind, on_date, today, channel, note)
    if account_id is not None and repos.get_account(vault, account_id).provider_id != provider.id:
        raise InvalidInput(N_("Account {id} is not an account with {provider}."), id=account_id,
                           provider=provider.name(current_language()))
    opposite = {ConsentKind.ENABLED: ConsentKind.NEVER_ENABLED, ConsentKind.NEVER_ENABLED: ConsentKind.ENABLED}
    if kind in opposite:
        clash = [c for c in list_consents(vault, provider.id) if c.kind is opposite[kind]]
        if clash:
            msg = (N_("Record {id} says you enabled it; remove or correct that record first.")
                   if clash[0].kind is ConsentKind.ENABLED
                   else N_("Record {id} says you never enabled it; remove or correct that record first."))
            raise InvalidInput(msg, id=clash[0].id)
    data = evidence_svc.read_evidence_file(evidence_file) if evidence_file is not None else None
    with vault.transaction() as conn:
        evidence_id = None
        if data is not None and evidence_file is not None:
            evidence_id = repos.insert_evidence(
                conn, data, media_type=evidence_svc.media_type(evidence_file.name, data),
                filename=evidence_file.name, source="user", note=f"consent record: {kind.value}",
                account_id=account_id)
            repos.append_event(conn, "evidence_added", evidence_file.name, entity="evidence", entity_id=evidence_id)
        cur = conn.execute(
            "INSERT INTO consents(provider_id, account_id, kind, on_date, channel, note, evidence_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (provider.id, account_id, kind.value, on_date.isoformat() if on_date else None, channel.strip(),
             note.strip(), evidence_id, repos.now_iso()))
        cid = int(cur.lastrowid)
        if evidence_id is not None:
            conn.execute("INSERT OR IGNORE INTO evidence_links(evidence_id, entity, entity_id) VALUES (?, ?, ?)",
                         (evidence_id, "consent", cid))
        repos.append_event(conn, f"consent_{kind.value}", provider.id, entity="consent", entity_id=cid,
                           on_date=on_date)
    return get_consent(vault, cid)


def update_consent(vault: Vault, consent_id: int, *, today: date, on_date: date | None, channel: str,
                   note: str) -> ConsentRecord:
    """Correct a record's date, channel or note (its kind and provider stay: remove and re-add instead)."""
    old = get_consent(vault, consent_id)
    if old.kind is ConsentKind.NEVER_ENABLED:
        on_date = None
    _check(old.kind, on_date, today, channel, note)
    with vault.transaction() as conn:
        conn.execute("UPDATE consents SET on_date = ?, channel = ?, note = ? WHERE id = ?",
                     (on_date.isoformat() if on_date else None, channel.strip(), note.strip(), consent_id))
        was = old.on_date.isoformat() if old.on_date else "-"
        repos.append_event(conn, "consent_changed", f"{old.provider_id} {old.kind.value} (was {was})",
                           entity="consent", entity_id=consent_id, on_date=on_date)
    return get_consent(vault, consent_id)


def remove_consent(vault: Vault, consent_id: int) -> ConsentRecord:
    """Delete a record made in error. Its evidence stays in the vault; the event log keeps that it existed."""
    old = get_consent(vault, consent_id)
    with vault.transaction() as conn:
        conn.execute("DELETE FROM evidence_links WHERE entity = 'consent' AND entity_id = ?", (consent_id,))
        conn.execute("DELETE FROM consents WHERE id = ?", (consent_id,))
        day = old.on_date.isoformat() if old.on_date else "-"
        repos.append_event(conn, "consent_removed", f"{old.provider_id} {old.kind.value} {day}",
                           entity="consent", entity_id=consent_id)
    return old


def get_consent(vault: Vault, consent_id: int) -> ConsentRecord:
    rows = vault.query(f"SELECT {_COLS} FROM consents WHERE id = ?", (consent_id,))
    if not rows:
        raise NotFound(N_("Consent record {id} was not found."), id=consent_id)
    return _row(rows[0])


def list_consents(vault: Vault, provider_id: str | None = None) -> list[ConsentRecord]:
    where, params = ("WHERE provider_id = ?", (provider_id,)) if provider_id else ("", ())
    rows = vault.query(f"SELECT {_COLS} FROM consents {where} ORDER BY provider_id, coalesce(on_date, ''), id",
                       params)
    return [_row(r) for r in rows]


def consent_json(c: ConsentRecord) -> dict[str, Any]:
    return {"id": c.id, "provider": c.provider_id, "kind": c.kind.value,
            "date": c.on_date.isoformat() if c.on_date else None, "channel": c.channel, "note": c.note,
            "account_id": c.account_id, "evidence_id": c.evidence_id, "created_at": c.created_at.isoformat()}
