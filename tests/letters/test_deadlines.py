"""Deadline arithmetic across official holidays (the `holidays` package), incl. China's make-up working days."""

from __future__ import annotations

from datetime import date

import pytest

from mybnpl.letters.deadlines import (
    Period,
    add_months,
    add_period,
    add_working_days,
    calendar_is_final,
    clock,
    holiday_name,
    is_working_day,
    working_days_between,
)


@pytest.mark.parametrize(("start", "n", "cal", "expected"), [
    # Golden Week 2025: Oct 1-8 off; Sun 28 Sep and Sat 11 Oct are make-up working days (调休)
    (date(2025, 9, 26), 7, "CN", date(2025, 10, 13)),
    (date(2025, 9, 30), 1, "CN", date(2025, 10, 9)),
    # Golden Week 2026: Oct 1-7 off; Sat 10 Oct is a make-up working day
    (date(2026, 9, 30), 7, "CN", date(2026, 10, 15)),
    # Spring Festival 2026: Feb 15-23 off (Sat 14 Feb and Sat 28 Feb are working days)
    (date(2026, 2, 13), 1, "CN", date(2026, 2, 14)),
    (date(2026, 2, 14), 1, "CN", date(2026, 2, 24)),
    # UK (England): Good Friday 3 Apr and Easter Monday 6 Apr 2026
    (date(2026, 4, 2), 1, "UK", date(2026, 4, 7)),
    # UK: Christmas 2026 — 25 Dec (Fri), Boxing Day substitute Mon 28 Dec
    (date(2026, 12, 24), 1, "UK", date(2026, 12, 29)),
    # US federal: Thanksgiving 26 Nov 2026; Independence Day observed Fri 3 Jul 2026
    (date(2026, 11, 25), 1, "US", date(2026, 11, 27)),
    (date(2026, 7, 2), 1, "US", date(2026, 7, 6)),
])
def test_working_days_skip_holidays_and_count_makeup_days(start: date, n: int, cal: str, expected: date) -> None:
    assert add_working_days(start, n, cal) == expected
    assert working_days_between(start, expected, cal) == n


def test_makeup_days_and_holidays_are_recognised() -> None:
    assert is_working_day(date(2025, 9, 28), "CN")  # a Sunday, made a working day
    assert not is_working_day(date(2025, 10, 8), "CN")  # a Wednesday, a day off
    assert not is_working_day(date(2026, 2, 17), "CN")
    assert holiday_name(date(2026, 2, 17), "CN") is not None
    assert is_working_day(date(2026, 2, 17), "UK")
    assert not is_working_day(date(2026, 5, 25), "UK") and not is_working_day(date(2026, 5, 25), "US")


def test_calendar_days_weeks_and_months() -> None:
    # CN firm complaint: 15 days, extendable to 30, then 60 — calendar days, holidays included
    c = clock(date(2026, 9, 25), Period(15, "days"), "CN", (Period(30, "days"), Period(60, "days")))
    assert (c.due, c.extended) == (date(2026, 10, 10), (date(2026, 10, 25), date(2026, 11, 24)))
    assert [c.state(d) for d in (date(2026, 10, 9), date(2026, 10, 10), date(2026, 10, 11), date(2026, 12, 1))] == [
        "running", "due_today", "overdue", "expired"]
    # UK: 8 weeks for the final response, then 6 months to the Ombudsman
    u = clock(date(2026, 8, 31), Period(8, "weeks"), "UK", then=Period(6, "months"))
    assert u.due == date(2026, 10, 26) and u.then == date(2027, 4, 26)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_period(date(2026, 1, 31), Period(1, "months"), "US") == date(2026, 2, 28)


def test_chinese_years_not_yet_published_are_flagged() -> None:
    assert calendar_is_final(2026, "CN") and calendar_is_final(2031, "UK")
    assert not calendar_is_final(2031, "CN")
    assert clock(date(2031, 3, 3), Period(7, "working_days"), "CN").final is False


def test_period_rejects_bad_units() -> None:
    with pytest.raises(ValueError):
        Period(3, "fortnights")
    assert Period(7, "working_days").text("zh") == "7个工作日" and Period(1, "weeks").text("en") == "1 week"
