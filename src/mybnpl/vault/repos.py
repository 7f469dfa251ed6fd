"""Repositories: the SQL for each entity, turning rows into core records. Writers take a connection that is
inside a transaction (``with vault.transaction() as conn``) so use cases compose into one commit."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import chain, islice
from typing import Any

from mybnpl.core.errors import NotFound
from mybnpl.core.models import Account, Direction, Event, Installment, InstallmentStatus
from mybnpl.core.money import Money
from mybnpl.i18n import N_
from mybnpl.vault.connection import Connection
from mybnpl.vault.db import Vault

ENTITY_TABLES = (
    "accounts", "statements", "transactions", "plans", "installments", "evidence", "consents", "findings",
    "cases", "letters", "events",
)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


# -- events ------------------------------------------------------------------------------------------
def append_event(conn: Connection, kind: str, summary: str = "", *, entity: str = "",
                 entity_id: int | None = None, on_date: date | None = None, at: str | None = None) -> int:
    cur = conn.execute(
        "INSERT INTO events(at, on_date, kind, entity, entity_id, summary) VALUES (?, ?, ?, ?, ?, ?)",
        (at or now_iso(), on_date.isoformat() if on_date else None, kind, entity, entity_id, summary),
    )
    return int(cur.lastrowid)


def list_events(vault: Vault, limit: int = 1000) -> list[Event]:
    rows = vault.query("SELECT id, at, kind, summary, entity, entity_id, on_date FROM events "
                       "ORDER BY at DESC, id DESC LIMIT ?", (limit,))
    return [Event(r[0], _dt(r[1]), r[2], r[3], r[4], r[5], date.fromisoformat(r[6]) if r[6] else None)
            for r in rows]


# -- accounts ----------------------------------------------------------------------------------------
def _account(r: Sequence[Any]) -> Account:
    return Account(id=r[0], provider_id=r[1], label=r[2], currency=r[3], created_at=_dt(r[4]), account_ref=r[5])


_ACCOUNT_COLS = "id, provider_id, label, currency, created_at, account_ref"


def insert_account(conn: Connection, provider_id: str, label: str, currency: str, account_ref: str = "",
                   created_at: str | None = None) -> int:
    cur = conn.execute(
        "INSERT INTO accounts(provider_id, label, currency, account_ref, created_at) VALUES (?, ?, ?, ?, ?)",
        (provider_id, label, currency, account_ref, created_at or now_iso()),
    )
    return int(cur.lastrowid)


def get_account(vault: Vault, account_id: int) -> Account:
    rows = vault.query(f"SELECT {_ACCOUNT_COLS} FROM accounts WHERE id = ?", (account_id,))
    if not rows:
        raise NotFound(N_("Account {id} was not found."), id=account_id)
    return _account(rows[0])


def list_accounts(vault: Vault) -> list[Account]:
    return [_account(r) for r in vault.query(f"SELECT {_ACCOUNT_COLS} FROM accounts ORDER BY id")]


# -- transactions ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NewTransaction:
    posted_on: date
    amount: Money
    direction: Direction
    merchant: str
    description: str = ""
    payment_method: str = ""
    bnpl_product: str | None = None
    external_id: str | None = None
    account_id: int | None = None
    statement_id: int | None = None
    posted_at: str = ""
    status: str = ""
    category: str = ""
    occurrence: int = 1  # the n-th identical row within one source (two equal coffees the same minute)
    scope: str = ""  # the provider the row belongs to (fingerprints are per provider, known before any account)
    fp: int | None = None  # a precomputed fingerprint (see fingerprint())

    def fingerprint(self) -> int:
        if self.fp is not None:
            return self.fp
        return fingerprint(self.scope, self.posted_on, self.posted_at, self.amount, self.direction, self.merchant,
                           self.description, self.external_id, self.occurrence)


def fingerprint(scope: str, posted_on: date, posted_at: str, amount: Money, direction: Direction, merchant: str,
                description: str, external_id: str | None, occurrence: int) -> int:
    """Content identity for rows without a provider id: same provider, time, amount, direction and text, and
    the n-th such row within one source (two equal coffees the same minute are two rows). The first 64 bits
    of a SHA-256, as a signed integer: an 8-byte key keeps the unique index small and inserts fast."""
    text = (f"{scope}\x1f{posted_on.isoformat()}\x1f{posted_at.strip()}\x1f{amount.minor}\x1f{amount.currency}"
            f"\x1f{direction.value}\x1f{merchant.strip()}\x1f{description.strip()}\x1f{external_id or ''}"
            f"\x1f{occurrence}")
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big", signed=True)


def fingerprints(scope: str, posted_on: Sequence[str], posted_at: Sequence[str], amount_minor: Sequence[int],
                 currency: Sequence[str], direction: Sequence[str], merchant: Sequence[str],
                 description: Sequence[str], external_id: Sequence[str | None], occurrence: Sequence[int]
                 ) -> list[int]:
    """``fingerprint`` for whole columns (ISO dates, minor units, Direction values): the same numbers."""
    sha, frm = hashlib.sha256, int.from_bytes
    return [frm(sha(f"{scope}\x1f{d}\x1f{t.strip()}\x1f{a}\x1f{c}\x1f{r}\x1f{m.strip()}\x1f{s.strip()}\x1f{e or ''}"
                    f"\x1f{o}".encode()).digest()[:8], "big", signed=True)
            for d, t, a, c, r, m, s, e, o in zip(posted_on, posted_at, amount_minor, currency, direction, merchant,
                                                 description, external_id, occurrence, strict=True)]


_TX_INSERT_HEAD = (
    "INSERT OR IGNORE INTO transactions(account_id, statement_id, posted_on, posted_at, amount_minor, currency,"
    " direction, merchant, description, payment_method, bnpl_product, status, category, external_id, fingerprint)"
    " VALUES "
)
_TX_VALUES = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
INSERT_TX_SQL = _TX_INSERT_HEAD + _TX_VALUES  # one row; its parameters are a TxRow
TX_BATCH = 128  # rows per statement in insert_tx_rows
_INSERT_TX_BATCH_SQL = _TX_INSERT_HEAD + ", ".join([_TX_VALUES] * TX_BATCH)

TxRow = tuple[int | None, int | None, str, str, int, str, str, str, str, str, str | None, str, str, str | None,
              int | None]


def insert_tx_rows(conn: Connection, rows: Iterable[TxRow]) -> None:
    """``executemany(INSERT_TX_SQL, rows)``, with the same result row for row (same ids, in the same order; a
    row whose id or fingerprint is already stored, or repeats an earlier one, is skipped), but TX_BATCH rows
    per statement. One statement per row costs twice as much for 10⁵ rows: each execution also re-evaluates
    the ``direction IN (…)`` CHECK by building a small temporary b-tree, and pays the per-statement
    bind/step/reset round trip."""
    it = iter(rows)
    flat = chain.from_iterable
    while batch := list(islice(it, TX_BATCH)):
        if len(batch) == TX_BATCH:
            conn.execute(_INSERT_TX_BATCH_SQL, list(flat(batch)))
        else:
            conn.execute(_TX_INSERT_HEAD + ", ".join([_TX_VALUES] * len(batch)), list(flat(batch)))


def insert_transactions(conn: Connection, rows: Iterable[NewTransaction], *, account_id: int | None = None,
                        statement_id: int | None = None) -> int:
    """Insert rows, skipping ones already present (same external id in the account, or same fingerprint).
    ``account_id``/``statement_id``, when given, override the rows' own. Returns the number of new rows."""
    before = conn.total_changes
    insert_tx_rows(
        conn,
        (
            (t.account_id if account_id is None else account_id, t.statement_id if statement_id is None else
             statement_id, t.posted_on.isoformat(), t.posted_at, t.amount.minor, t.amount.currency,
             t.direction.value, t.merchant, t.description, t.payment_method, t.bnpl_product, t.status, t.category,
             t.external_id, t.fingerprint())
            for t in rows
        ),
    )
    return int(conn.total_changes - before)


# -- plans and installments --------------------------------------------------------------------------
def insert_plan(conn: Connection, *, account_id: int, merchant: str, principal: Money, fee: Money,
                first_due: date, cadence: str, due_dates: Sequence[date], amounts: Sequence[Money],
                source: str = "manual", created_at: str | None = None) -> int:
    cur = conn.execute(
        "INSERT INTO plans(account_id, merchant, principal_minor, fee_minor, currency, n_installments, "
        "first_due, cadence, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (account_id, merchant, principal.minor, fee.minor, principal.currency, len(due_dates),
         first_due.isoformat(), cadence, source, created_at or now_iso()),
    )
    plan_id = int(cur.lastrowid)
    conn.executemany(
        "INSERT INTO installments(plan_id, seq, due_on, amount_minor, currency) VALUES (?, ?, ?, ?, ?)",
        ((plan_id, i + 1, d.isoformat(), a.minor, a.currency) for i, (d, a) in enumerate(zip(due_dates, amounts,
                                                                                            strict=True))),
    )
    return plan_id


def _installment(r: Sequence[Any]) -> Installment:
    return Installment(id=r[0], plan_id=r[1], seq=r[2], due_on=date.fromisoformat(r[3]),
                       amount=Money.from_minor(r[4], r[5]), status=InstallmentStatus(r[6]),
                       paid_on=date.fromisoformat(r[7]) if r[7] else None)


def installments_due_between(vault: Vault, start: date, end: date) -> list[Installment]:
    rows = vault.query(
        "SELECT id, plan_id, seq, due_on, amount_minor, currency, status, paid_on FROM installments "
        "WHERE status = 'due' AND due_on BETWEEN ? AND ? ORDER BY due_on, id",
        (start.isoformat(), end.isoformat()),
    )
    return [_installment(r) for r in rows]


# -- evidence ----------------------------------------------------------------------------------------
def insert_evidence(conn: Connection, data: bytes, *, media_type: str, filename: str = "", source: str = "user",
                    note: str = "", account_id: int | None = None, captured_at: str | None = None,
                    added_at: str | None = None) -> int:
    digest = hashlib.sha256(data).hexdigest()
    conn.execute("INSERT OR IGNORE INTO evidence_blobs(sha256, size, data) VALUES (?, ?, ?)",
                 (digest, len(data), data))
    cur = conn.execute(
        "INSERT INTO evidence(sha256, media_type, size, filename, source, note, captured_at, added_at, account_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (digest, media_type, len(data), filename, source, note, captured_at, added_at or now_iso(), account_id),
    )
    return int(cur.lastrowid)


# -- settings kept in the vault ----------------------------------------------------------------------
def get_vault_setting(vault: Vault, key: str, default: str = "") -> str:
    value = vault.scalar("SELECT value FROM vault_settings WHERE key = ?", (key,))
    return default if value is None else str(value)


def set_vault_setting(conn: Connection, key: str, value: str) -> None:
    conn.execute("INSERT INTO vault_settings(key, value) VALUES (?, ?) "
                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))


def entity_counts(vault: Vault) -> dict[str, int]:
    return {t: int(vault.scalar(f"SELECT count(*) FROM {t}")) for t in ENTITY_TABLES}
