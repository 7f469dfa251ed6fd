"""Which rows are repayments to which BNPL product (used by the overdue and double-payment rules).

A repayment row goes out, and its merchant or description holds a repayment keyword of the rules file
(还款, repayment, ...). Its product is the one its text names; failing that, the provider of the account the
row was imported into, unless the text is about a credit card (信用卡还款 is not a BNPL repayment).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from datetime import date
from typing import NamedTuple

from mybnpl.detect.model import (
    T_ACCOUNT,
    T_AMOUNT,
    T_CURRENCY,
    T_DATE,
    T_DESCRIPTION,
    T_DIRECTION,
    T_MERCHANT,
    TxRow,
    tx_key,
)
from mybnpl.detect.rules import Rules
from mybnpl.detect.snapshot import Snapshot

_CARD = re.compile(r"信用卡|credit ?card", re.IGNORECASE)


class Repayment(NamedTuple):
    day: int  # date ordinal
    amount_minor: int
    currency: str
    row: TxRow


class Repayments:
    """Repayment rows per provider, in date order."""

    def __init__(self, snap: Snapshot, rules: Rules) -> None:
        rx = re.compile("|".join(re.escape(k) for k in rules.repayment.keywords), re.IGNORECASE)
        self.by_provider: dict[str, list[Repayment]] = {}
        hits = [r for r in snap.rows_mentioning(rx) if r[T_DIRECTION] == "out"]
        for r in sorted(hits, key=tx_key):
            text = f"{r[T_MERCHANT]} {r[T_DESCRIPTION]}"
            p = snap.provider_in_text(text)
            if p is None and r[T_ACCOUNT] is not None and not _CARD.search(text):
                p = snap.account_provider.get(r[T_ACCOUNT])
            if p is not None:
                day = date.fromisoformat(r[T_DATE]).toordinal()
                self.by_provider.setdefault(p, []).append(Repayment(day, r[T_AMOUNT], r[T_CURRENCY], r))
        self._days = {p: [x.day for x in xs] for p, xs in self.by_provider.items()}

    def between(self, provider_id: str | None, first: date, last: date) -> list[Repayment]:
        """Repayments to ``provider_id`` dated from ``first`` to ``last`` inclusive."""
        items = self.by_provider.get(provider_id or "")
        if not items:
            return []
        days = self._days[provider_id or ""]
        i = bisect_left(days, first.toordinal())
        out = []
        while i < len(items) and items[i].day <= last.toordinal():
            out.append(items[i])
            i += 1
        return out

    def covering(self, provider_id: str | None, first: date, last: date, amount_minor: int, currency: str
                 ) -> Repayment | None:
        """The first repayment in the window that is at least ``amount_minor`` in ``currency``."""
        return next((x for x in self.between(provider_id, first, last)
                     if x.currency == currency and x.amount_minor >= amount_minor), None)
