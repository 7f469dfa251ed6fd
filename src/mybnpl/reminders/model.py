"""Due items (installments and statement due dates) and their status on a day. Pure: no I/O, no clock.

Status of an unpaid item on ``today`` (due dates are local calendar dates):

* ``upcoming`` before the due date, ``due_today`` on it;
* ``grace`` from the day after, for the provider's published grace period (days after the due date before the
  provider charges a late fee, from the catalog with its source; a rule published for one jurisdiction applies
  only to dues in that jurisdiction's currency);
* ``overdue`` after that, or from the day after the due date when the grace period is unknown.

``days_overdue`` counts from the due date whatever the grace period. A paid item (marked by hand, or matched
to a repayment row, see :mod:`mybnpl.reminders.matching`) is ``paid`` with its date.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from mybnpl.core.catalog import Provider
from mybnpl.core.money import Money

# The currency of a due tells which jurisdiction's published rule applies to it.
JURISDICTION_CURRENCY = {"CN": "CNY", "UK": "GBP", "EU": "EUR", "US": "USD", "AU": "AUD"}


class DueKind(StrEnum):
    INSTALLMENT = "installment"
    STATEMENT = "statement"


class DueStatus(StrEnum):
    UPCOMING = "upcoming"
    DUE_TODAY = "due_today"
    GRACE = "grace"
    OVERDUE = "overdue"
    PAID = "paid"


class PaidBy(StrEnum):
    HAND = "hand"  # marked paid by the user (installment pay, the UI)
    TRANSACTION = "transaction"  # matched to a repayment row


LATE = frozenset({DueStatus.GRACE, DueStatus.OVERDUE})


@dataclass(frozen=True)
class DueItem:
    """One payment due on a date, with its status as of the day it was evaluated."""

    kind: DueKind
    id: int  # installments.id or statements.id
    provider_id: str
    account_id: int | None
    account_label: str
    due_on: date
    amount: Money
    merchant: str = ""
    seq: int | None = None  # the installment's number in its plan
    count: int | None = None  # installments in the plan
    status: DueStatus = DueStatus.UPCOMING
    days_overdue: int = 0
    grace_days: int | None = None  # None: the provider's grace period is unknown
    paid_on: date | None = None
    paid_by: PaidBy | None = None
    transaction_id: int | None = None  # the repayment row it was matched to

    @property
    def key(self) -> str:
        """``i12`` for installment 12, ``s3`` for statement 3 (the stem of reminder ids and ICS UIDs)."""
        return f"{'i' if self.kind is DueKind.INSTALLMENT else 's'}{self.id}"

    @property
    def currency(self) -> str:
        return self.amount.currency

    @property
    def amount_minor(self) -> int:
        return self.amount.minor

    @property
    def late(self) -> bool:
        return self.status in LATE


def grace_for(provider: Provider | None, currency: str) -> int | None:
    """The provider's grace days for a due in ``currency``; None where unknown or published for elsewhere."""
    if provider is None or provider.grace_days is None:
        return None
    jur = provider.grace_jurisdiction
    if jur is not None and JURISDICTION_CURRENCY.get(jur) != currency:
        return None
    return provider.grace_days


def classify(due_on: date, today: date, grace_days: int | None, paid_on: date | None = None
             ) -> tuple[DueStatus, int]:
    """(status, days overdue) of a due on ``today`` (a payment dated after ``today`` does not count yet)."""
    if paid_on is not None and paid_on <= today:
        return DueStatus.PAID, 0
    late = (today - due_on).days
    if late < 0:
        return DueStatus.UPCOMING, 0
    if late == 0:
        return DueStatus.DUE_TODAY, 0
    if grace_days is not None and late <= grace_days:
        return DueStatus.GRACE, late
    return DueStatus.OVERDUE, late


def evaluate(item: DueItem, today: date, grace_days: int | None) -> DueItem:
    """``item`` with status, days overdue and grace days as of ``today``."""
    status, late = classify(item.due_on, today, grace_days, item.paid_on)
    if status is not DueStatus.PAID and item.paid_on is not None:  # paid after ``today``: not yet
        item = replace(item, paid_on=None, paid_by=None, transaction_id=None)
    return replace(item, status=status, days_overdue=late, grace_days=grace_days)


def sort_key(item: DueItem) -> tuple[int, int, date, str, int]:
    """Late items first (the most overdue first), then the other unpaid ones by due date, then paid ones."""
    group = 0 if item.late else 2 if item.status is DueStatus.PAID else 1
    return (group, -item.days_overdue, item.due_on, item.kind.value, item.id)
