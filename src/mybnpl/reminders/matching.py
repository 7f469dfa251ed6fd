"""Which transaction rows repay which dues. Pure: the caller reads the rows.

A row is a candidate repayment to a provider when either

* it goes out and its merchant or description holds a repayment keyword (the findings rules' list: 还款,
  repayment, autopay, ...): the provider its text names, failing that the provider of the account it was
  imported into, unless the text is about a credit card (信用卡还款 is not a BNPL repayment); or
* it comes in on a BNPL product's own row (``bnpl_product`` set, e.g. "payment received" on a Klarna
  statement), unless its text says it is a refund.

Matching: unpaid dues in date order; each takes the earliest candidate of the same provider and currency
dated from ``lookback_days`` before its due date up to today that still has enough of its amount left. One
row can pay several dues (a plan paid off at once), each cent once. The due's paid date is the row's date.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from typing import NamedTuple, Protocol

_CARD = re.compile(r"信用卡|credit ?card", re.IGNORECASE)
_REFUND = re.compile(r"退款|退货|refund|return", re.IGNORECASE)


class PaymentRow(NamedTuple):
    id: int
    day: date
    amount_minor: int
    currency: str
    provider_id: str


class Due(Protocol):
    """What matching reads of a due (a DueItem, or the services' lighter row)."""

    @property
    def key(self) -> str: ...
    @property
    def due_on(self) -> date: ...
    @property
    def provider_id(self) -> str: ...
    @property
    def currency(self) -> str: ...
    @property
    def amount_minor(self) -> int: ...
    @property
    def paid_on(self) -> date | None: ...


def keyword_pattern(keywords: Iterable[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(k) for k in keywords), re.IGNORECASE)


def candidate_provider(direction: str, merchant: str, description: str, bnpl_product: str | None,
                       account_provider: str | None, keywords: re.Pattern[str],
                       provider_named: Callable[[str], str | None]) -> str | None:
    """The provider a row repays, or None when it is not a repayment (rules in the module docstring)."""
    text = f"{merchant} {description}"
    if direction == "in":
        return bnpl_product if bnpl_product and not _REFUND.search(text) else None
    if direction != "out" or not keywords.search(text):
        return None
    named = provider_named(text)
    if named is not None:
        return named
    return account_provider if account_provider and not _CARD.search(text) else None


def match(dues: Sequence[Due], rows: Sequence[PaymentRow], today: date, lookback_days: int
          ) -> dict[str, PaymentRow]:
    """``{due.key: row}`` for the unpaid dues a row repays (rules in the module docstring)."""
    by_provider: dict[tuple[str, str], list[PaymentRow]] = {}
    for r in sorted(rows, key=lambda r: (r.day, r.id)):
        if r.day <= today and r.amount_minor > 0:
            by_provider.setdefault((r.provider_id, r.currency), []).append(r)
    left = {r.id: r.amount_minor for rs in by_provider.values() for r in rs}
    out: dict[str, PaymentRow] = {}
    lookback = timedelta(days=lookback_days)
    for due in sorted((d for d in dues if d.paid_on is None or d.paid_on > today), key=lambda d: (d.due_on, d.key)):
        need = due.amount_minor
        for r in by_provider.get((due.provider_id, due.currency), ()):
            if r.day < due.due_on - lookback:
                continue
            if left[r.id] >= need:
                left[r.id] -= need
                out[due.key] = r
                break
    return out
