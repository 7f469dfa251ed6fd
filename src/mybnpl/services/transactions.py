"""Transactions, read page by page (the UI's lazy model never loads all rows)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from mybnpl.core.money import Money
from mybnpl.vault.db import Vault


@dataclass(frozen=True)
class TxFilter:
    provider_id: str | None = None  # account provider or BNPL product
    bnpl_only: bool = False

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if self.bnpl_only:
            clauses.append("bnpl_product IS NOT NULL")
        if self.provider_id:
            clauses.append("(bnpl_product = ? OR account_id IN (SELECT id FROM accounts WHERE provider_id = ?))")
            params += [self.provider_id, self.provider_id]
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


@dataclass(frozen=True)
class TxRow:
    id: int
    posted_on: date
    amount: Money
    direction: str
    merchant: str
    description: str
    payment_method: str
    bnpl_product: str | None
    external_id: str | None
    statement_id: int | None
    account_id: int | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "date": self.posted_on.isoformat(), "amount": str(self.amount.amount),
            "currency": self.amount.currency, "direction": self.direction, "merchant": self.merchant,
            "description": self.description, "payment_method": self.payment_method,
            "bnpl_product": self.bnpl_product, "external_id": self.external_id,
            "source_statement": self.statement_id, "account_id": self.account_id,
        }


_COLS = ("id, posted_on, amount_minor, currency, direction, merchant, description, payment_method, "
         "bnpl_product, external_id, statement_id, account_id")


def _row(r: Any) -> TxRow:
    return TxRow(r[0], date.fromisoformat(r[1]), Money.from_minor(r[2], r[3]), r[4], r[5], r[6], r[7], r[8], r[9],
                 r[10], r[11])


def count_transactions(vault: Vault, flt: TxFilter | None = None) -> int:
    where, params = (flt or TxFilter()).where()
    return int(vault.scalar(f"SELECT count(*) FROM transactions{where}", params))


def page_transactions(vault: Vault, offset: int, limit: int, flt: TxFilter | None = None) -> list[TxRow]:
    """Newest first. The inner query walks only the (posted_on, id) index, so deep pages stay fast."""
    where, params = (flt or TxFilter()).where()
    rows = vault.query(
        f"SELECT {_COLS} FROM transactions WHERE id IN ("
        f"  SELECT id FROM transactions{where} ORDER BY posted_on DESC, id DESC LIMIT ? OFFSET ?"
        f") ORDER BY posted_on DESC, id DESC",
        [*params, limit, offset],
    )
    return [_row(r) for r in rows]


def transactions_by_id(vault: Vault, ids: Sequence[int]) -> list[TxRow]:
    """The rows with these ids, oldest first (what a finding rests on)."""
    wanted = [int(i) for i in ids][:500]
    if not wanted:
        return []
    marks = ", ".join("?" * len(wanted))
    rows = vault.query(f"SELECT {_COLS} FROM transactions WHERE id IN ({marks}) ORDER BY posted_on, id", wanted)
    return [_row(r) for r in rows]
