"""Local reminders of due dates: what the tray shows now, what the user did with it, per-account reminder
days, and the calendar (.ics) export. The rules live in :mod:`mybnpl.reminders.plan`.

The tray path: ``pending_reminders(vault, catalog, local_now())`` → show each (``title``, ``body``) →
``mark_reminder(vault, r.id, "shown")``; the notification's buttons call ``mark_reminder(…, "dismissed")`` or
``mark_reminder(…, "snoozed", until=…)``.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from mybnpl.atomic import write_atomic
from mybnpl.core.catalog import Catalog
from mybnpl.core.errors import InvalidInput, NotFound
from mybnpl.i18n import N_, current_language, os_reason
from mybnpl.reminders import plan
from mybnpl.reminders.model import DueItem, DueKind
from mybnpl.reminders.plan import DEFAULT_OFFSETS, DEFAULT_TIME, Reminder, ReminderAction, ReminderState
from mybnpl.reminders.text import detail, when_title
from mybnpl.services.due import due_not_found, load_dues
from mybnpl.vault import repos
from mybnpl.vault.db import Vault

ICS_TOKEN_KEY = "reminders.ics_token"
ICS_CANCELLED_DAYS = 60  # paid dues this recent go into the export as cancellations (off the calendar)


@dataclass(frozen=True)
class Notice:
    """A reminder to show now, with its notification text (privacy mode: no amounts or names)."""

    reminder: Reminder
    title: str
    body: str

    @property
    def id(self) -> str:
        return self.reminder.id

    @property
    def item(self) -> DueItem:
        return self.reminder.item


@dataclass(frozen=True)
class IcsExport:
    path: Path
    events: int  # unpaid dues, with alarms
    cancelled: int  # recently paid dues, exported as cancellations


# -- reminder days per account --------------------------------------------------------------------------------
def all_offsets(vault: Vault) -> dict[int, tuple[int, ...]]:
    """The accounts with their own reminder days (the others use DEFAULT_OFFSETS)."""
    return {int(r[0]): tuple(json.loads(r[1])) for r in vault.query("SELECT account_id, offsets FROM "
                                                                      "reminder_offsets")}


def get_offsets(vault: Vault, account_id: int | None) -> tuple[int, ...]:
    """Days before each due date this account reminds, largest first; ``()`` = no reminders."""
    if account_id is None:
        return DEFAULT_OFFSETS
    repos.get_account(vault, account_id)  # NotFound for an unknown account
    return all_offsets(vault).get(account_id, DEFAULT_OFFSETS)


def set_offsets(vault: Vault, account_id: int, offsets: Sequence[int] | None) -> tuple[int, ...]:
    """Set an account's reminder days (``None``: back to the default; ``[]``: no reminders)."""
    repos.get_account(vault, account_id)  # NotFound for an unknown account
    with vault.transaction() as conn:
        if offsets is None:
            conn.execute("DELETE FROM reminder_offsets WHERE account_id = ?", (account_id,))
            return DEFAULT_OFFSETS
        checked = plan.check_offsets(offsets)
        conn.execute("INSERT INTO reminder_offsets(account_id, offsets) VALUES (?, ?) ON CONFLICT(account_id) "
                     "DO UPDATE SET offsets = excluded.offsets", (account_id, json.dumps(list(checked))))
    return checked


# -- pending, shown, dismissed, snoozed ----------------------------------------------------------------------
def _state(r: Sequence[Any]) -> ReminderState:
    return ReminderState(ReminderAction(r[1]), datetime.fromisoformat(r[2]) if r[2] else None)


def _states(vault: Vault) -> dict[str, ReminderState]:
    return {r[0]: _state(r) for r in vault.query("SELECT reminder_id, state, snoozed_until FROM reminder_state")}


def provider_name(catalog: Catalog, provider_id: str) -> str:
    try:
        return catalog.get(provider_id).name(current_language())
    except NotFound:
        return provider_id


def pending_reminders(vault: Vault, catalog: Catalog, now: datetime, privacy: bool = False,
                      at: time = DEFAULT_TIME) -> list[Notice]:
    """The reminders to show at ``now`` (aware; naive is read as local time): due now and never shown or
    dismissed, snoozed ones whose time has come, and ones that came due while the machine was off."""
    now = plan.aware(now)
    today = now.date()
    custom = all_offsets(vault)
    horizon = max((o for offs in (DEFAULT_OFFSETS, *custom.values()) for o in offs), default=0)
    items = load_dues(vault, catalog, today, start=today - timedelta(days=plan.CATCH_UP_DAYS),
                      end=today + timedelta(days=horizon))

    def offsets_for(item: DueItem) -> tuple[int, ...]:
        return custom.get(item.account_id, DEFAULT_OFFSETS) if item.account_id is not None else DEFAULT_OFFSETS

    out = []
    for r in plan.pending(items, offsets_for, _states(vault), now, at):
        name = provider_name(catalog, r.item.provider_id)
        out.append(Notice(r, when_title(r.item, today, name, privacy), detail(r.item, privacy)))
    return out


def get_reminder_state(vault: Vault, reminder_id: str) -> ReminderState | None:
    rows = vault.query("SELECT reminder_id, state, snoozed_until FROM reminder_state WHERE reminder_id = ?",
                       (reminder_id,))
    return _state(rows[0]) if rows else None


def mark_reminder(vault: Vault, reminder_id: str, action: ReminderAction | str, until: datetime | None = None,
                  *, now: datetime | None = None) -> ReminderState:
    """Record what happened to a reminder: ``shown`` (never shown again), ``dismissed`` (never again, final)
    or ``snoozed`` until an instant. Returns the reminder's state afterwards."""
    kind, item_id, _offset = plan.parse_reminder_id(reminder_id)
    rid = reminder_id.strip()
    table = "installments" if kind is DueKind.INSTALLMENT else "statements"
    if vault.scalar(f"SELECT count(*) FROM {table} WHERE id = ?", (item_id,)) == 0:
        raise due_not_found(kind, item_id)
    action = ReminderAction(action)
    old = get_reminder_state(vault, rid)
    new = plan.next_state(old, action, until)
    if new == old:
        return new
    stamp = plan.aware(now).isoformat(timespec="seconds") if now is not None else repos.now_iso()
    with vault.transaction() as conn:
        conn.execute(
            "INSERT INTO reminder_state(reminder_id, state, shown_at, dismissed_at, snoozed_until, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(reminder_id) DO UPDATE SET state = excluded.state, "
            "shown_at = coalesce(excluded.shown_at, shown_at), "
            "dismissed_at = coalesce(excluded.dismissed_at, dismissed_at), "
            "snoozed_until = excluded.snoozed_until, updated_at = excluded.updated_at",
            (rid, new.state.value, stamp if new.state is ReminderAction.SHOWN else None,
             stamp if new.state is ReminderAction.DISMISSED else None,
             new.snoozed_until.isoformat(timespec="seconds") if new.snoozed_until else None, stamp))
    return new


# -- calendar export ------------------------------------------------------------------------------------------
def ics_token(vault: Vault) -> str:
    """The vault's random calendar id (part of every UID), created on first use."""
    token = repos.get_vault_setting(vault, ICS_TOKEN_KEY)
    if not token:
        token = secrets.token_hex(8)
        with vault.transaction() as conn:
            repos.set_vault_setting(conn, ICS_TOKEN_KEY, token)
    return token


def export_ics(vault: Vault, catalog: Catalog, out_path: Path, today: date, privacy: bool = False, *,
               now: datetime | None = None, at: time = DEFAULT_TIME) -> IcsExport:
    """Write the calendar of unpaid dues (with alarms at each account's reminder days) to ``out_path``,
    atomically; recently paid dues go in as cancellations so a re-import takes them off the calendar."""
    since = today - timedelta(days=ICS_CANCELLED_DAYS)
    items = load_dues(vault, catalog, today, paid_since=since)
    custom = all_offsets(vault)
    entries = [(i, custom.get(i.account_id, DEFAULT_OFFSETS) if i.account_id is not None else DEFAULT_OFFSETS)
               for i in items]
    stamp = plan.aware(now) if now is not None else plan.aware(datetime.combine(today, at))
    from mybnpl.reminders.ics import build_ics  # icalendar (≈90 ms) loads on the first export

    data = build_ics(entries, token=ics_token(vault), now=stamp, privacy=privacy,
                     provider_name=lambda pid: provider_name(catalog, pid), at=at)
    try:
        write_atomic(Path(out_path), data)
    except OSError as e:
        raise InvalidInput(N_("{name} could not be written: {reason}"), name=str(out_path),
                           reason=os_reason(e)) from None
    paid = sum(1 for i in items if i.paid_on is not None)
    return IcsExport(Path(out_path), len(items) - paid, paid)


def notice_json(n: Notice, privacy: bool = False) -> dict[str, Any]:
    r, item = n.reminder, n.item
    out: dict[str, Any] = {
        "id": n.id, "kind": item.kind.value, "item_id": item.id, "offset": r.offset,
        "fire_at": r.fire_at.isoformat(timespec="seconds"), "catch_up": r.catch_up, "snoozed": r.snoozed,
        "due_date": item.due_on.isoformat(), "status": item.status.value, "days_overdue": item.days_overdue,
        "title": n.title, "body": n.body,
    }
    if not privacy:
        out.update({"provider": item.provider_id, "account": item.account_label, "account_id": item.account_id,
                    "amount": str(item.amount.amount), "currency": item.amount.currency})
    return out


__all__ = ["ICS_CANCELLED_DAYS", "IcsExport", "Notice", "all_offsets", "export_ics", "get_offsets",
           "get_reminder_state", "ics_token", "mark_reminder", "notice_json", "pending_reminders",
           "provider_name", "set_offsets"]
