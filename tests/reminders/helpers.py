"""Building due items for the pure tests."""

from __future__ import annotations

from datetime import date

from mybnpl.core.money import Money
from mybnpl.reminders.model import DueItem, DueKind, evaluate


def item(due_on: date, amount: str = "25.00", currency: str = "GBP", *, provider: str = "klarna", id: int = 1,
         kind: DueKind = DueKind.INSTALLMENT, account_id: int | None = 1, today: date | None = None,
         grace: int | None = None, paid_on: date | None = None, merchant: str = "ASOS") -> DueItem:
    it = DueItem(kind, id, provider, account_id, "my " + provider, due_on, Money.parse(amount, currency),
                 merchant=merchant, seq=2, count=4, paid_on=paid_on)
    return evaluate(it, today or due_on, grace)
