"""Status of a due on a day: upcoming, due today, grace, overdue, paid; month ends and leap days."""

from __future__ import annotations

from datetime import date

import pytest

from mybnpl.core.schedule import due_dates
from mybnpl.reminders.model import DueKind, DueStatus, classify, grace_for, sort_key
from mybnpl.services.catalog import load_catalog

from .helpers import item


@pytest.mark.parametrize(("today", "grace", "expected"), [
    (date(2026, 3, 9), None, (DueStatus.UPCOMING, 0)),
    (date(2026, 3, 10), None, (DueStatus.DUE_TODAY, 0)),
    (date(2026, 3, 11), None, (DueStatus.OVERDUE, 1)),
    (date(2026, 3, 11), 0, (DueStatus.OVERDUE, 1)),
    (date(2026, 3, 11), 7, (DueStatus.GRACE, 1)),
    (date(2026, 3, 17), 7, (DueStatus.GRACE, 7)),
    (date(2026, 3, 18), 7, (DueStatus.OVERDUE, 8)),
])
def test_status_by_day(today: date, grace: int | None, expected: tuple[DueStatus, int]) -> None:
    assert classify(date(2026, 3, 10), today, grace) == expected


def test_paid_counts_from_its_date_on() -> None:
    due = date(2026, 3, 10)
    assert classify(due, date(2026, 3, 20), None, paid_on=date(2026, 3, 12)) == (DueStatus.PAID, 0)
    # Looking back to a day before the payment (--today in the past): not paid yet.
    assert classify(due, date(2026, 3, 11), None, paid_on=date(2026, 3, 12)) == (DueStatus.OVERDUE, 1)
    back = item(due, today=date(2026, 3, 11), paid_on=date(2026, 3, 12))
    assert (back.status, back.paid_on) == (DueStatus.OVERDUE, None)


def test_month_ends_clamp_and_count_days_across_them() -> None:
    assert due_dates(date(2026, 1, 31), 4, "1m") == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31),
                                                      date(2026, 4, 30)]
    # Overdue days run across the short month: Feb 28 → Mar 2 is two days.
    assert classify(date(2026, 2, 28), date(2026, 3, 2), None) == (DueStatus.OVERDUE, 2)
    assert classify(date(2026, 4, 30), date(2026, 5, 1), None) == (DueStatus.OVERDUE, 1)


def test_leap_days() -> None:
    assert due_dates(date(2028, 1, 31), 2, "1m") == [date(2028, 1, 31), date(2028, 2, 29)]
    assert due_dates(date(2028, 2, 29), 13, "1m")[-1] == date(2029, 2, 28)  # no Feb 29 in 2029
    assert classify(date(2028, 2, 29), date(2028, 2, 29), None) == (DueStatus.DUE_TODAY, 0)
    assert classify(date(2028, 2, 28), date(2028, 3, 1), None) == (DueStatus.OVERDUE, 2)  # through the 29th
    assert classify(date(2027, 2, 28), date(2027, 3, 1), None) == (DueStatus.OVERDUE, 1)


def test_grace_comes_from_the_catalog_for_the_jurisdiction_it_was_published_for() -> None:
    cat = load_catalog()
    klarna, afterpay, zip_, huabei = (cat.get(p) for p in ("klarna", "afterpay", "zip", "huabei"))
    assert klarna.grace_source is not None and klarna.grace_jurisdiction == "UK"
    assert grace_for(klarna, "GBP") == 7
    assert grace_for(klarna, "EUR") is None  # a UK rule says nothing about Klarna in the EU
    assert grace_for(afterpay, "AUD") == 0
    assert grace_for(zip_, "AUD") == 21
    assert grace_for(huabei, "CNY") is None  # unknown: no source found
    assert grace_for(None, "CNY") is None


def test_late_items_sort_first_most_overdue_first() -> None:
    today = date(2026, 3, 20)
    items = [item(date(2026, 3, 25), id=1, today=today), item(date(2026, 3, 19), id=2, today=today),
             item(date(2026, 3, 1), id=3, today=today), item(date(2026, 3, 21), id=4, today=today,
                                                             kind=DueKind.STATEMENT)]
    assert [i.id for i in sorted(items, key=sort_key)] == [3, 2, 4, 1]
    assert items[2].key == "i3" and items[3].key == "s4" and items[2].late
