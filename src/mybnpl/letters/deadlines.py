"""Deadline arithmetic: calendar days, weeks, months and working days on an official holiday calendar.

Pure (no I/O). Working days come from the maintained ``holidays`` package, which publishes each country's
official public holidays and — for China — the State Council's make-up working days (调休, e.g. Sunday
2025-09-28 is a working day). Calendars: ``CN`` (national), ``UK`` (England and Wales bank holidays),
``US`` (federal holidays), ``EU`` (the ECB's TARGET closing days, a stand-in: EU deadlines follow national law).

Conventions (documented in the legal data's note): a period counts from the day after ``start`` — ``N`` days is
``start + N``; ``N`` working days is the N-th working day after ``start``; months keep the day of the month,
clamped to the month's last day. China's make-up working days are known only once the State Council publishes
the next year's schedule (usually in November or December), so working-day deadlines in a year not yet
published ignore them: :func:`calendar_is_final` tells.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

UNITS = ("days", "working_days", "weeks", "months")
CALENDARS = ("CN", "UK", "US", "EU")


@dataclass(frozen=True)
class Period:
    amount: int
    unit: str  # one of UNITS

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unit must be one of {', '.join(UNITS)}, not {self.unit!r}")
        if self.amount < 0:
            raise ValueError("a period cannot be negative")

    def text(self, lang: str) -> str:
        zh = lang.lower().startswith("zh")
        n = self.amount
        if zh:
            return {"days": f"{n}日", "working_days": f"{n}个工作日", "weeks": f"{n}周",
                    "months": f"{n}个月"}[self.unit]
        unit = {"days": "day", "working_days": "working day", "weeks": "week", "months": "month"}[self.unit]
        return f"{n} {unit}{'' if n == 1 else 's'}"


@cache
def _calendar_for(name: str) -> Any:
    import holidays  # ≈80 ms: loaded with the first working-day deadline, not with the app

    if name == "CN":
        return holidays.country_holidays("CN")
    if name == "UK":
        return holidays.country_holidays("GB", subdiv="ENG")
    if name == "US":
        return holidays.country_holidays("US")
    if name == "EU":
        return holidays.financial_holidays("XECB")
    raise ValueError(f"calendar must be one of {', '.join(CALENDARS)}, not {name!r}")


def is_working_day(day: date, calendar: str) -> bool:
    """Not a weekend and not a public holiday — or a weekend day made a working day (China's 调休)."""
    return bool(_calendar_for(calendar).is_working_day(day))


def holiday_name(day: date, calendar: str) -> str | None:
    name = _calendar_for(calendar).get(day)
    return None if name is None else str(name)


def add_working_days(start: date, n: int, calendar: str) -> date:
    """The n-th working day after ``start`` (n = 0: ``start`` itself)."""
    day = start
    left = n
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day, calendar):
            left -= 1
    return day


def working_days_between(start: date, end: date, calendar: str) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day, calendar)
    return count


def add_months(start: date, n: int) -> date:
    month0 = start.month - 1 + n
    year, month = start.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(start.day, _calendar.monthrange(year, month)[1]))


def add_period(start: date, period: Period, calendar: str) -> date:
    if period.unit == "days":
        return start + timedelta(days=period.amount)
    if period.unit == "weeks":
        return start + timedelta(weeks=period.amount)
    if period.unit == "months":
        return add_months(start, period.amount)
    return add_working_days(start, period.amount, calendar)


def calendar_is_final(year: int, calendar: str) -> bool:
    """False for a Chinese year whose make-up working days the package does not know yet (not published)."""
    if calendar != "CN":
        return True
    cal = _calendar_for("CN")
    cal.get(date(year, 1, 1))  # populates the year
    known = {d.year for d in getattr(cal, "weekend_workdays", ())}
    return year <= max(known, default=0)


@dataclass(frozen=True)
class Clock:
    """The response clock of a sent letter: when the answer is due, and the extended limits."""

    start: date
    due: date
    extended: tuple[date, ...] = ()
    then: date | None = None  # the end of the consumer's own window after ``due`` (UK: 6 months to the FOS)
    final: bool = True  # False when a Chinese make-up working day may still be announced in the window

    @property
    def last(self) -> date:
        return self.extended[-1] if self.extended else self.due

    def state(self, today: date) -> str:
        """running | due_today | overdue (past ``due``; extensions may still apply) | expired (past every
        extension)."""
        if today < self.due:
            return "running"
        if today == self.due:
            return "due_today"
        return "overdue" if today <= self.last else "expired"

    def days_left(self, today: date) -> int:
        return (self.due - today).days


def clock(start: date, period: Period, calendar: str, extensions: tuple[Period, ...] = (),
          then: Period | None = None) -> Clock:
    """Extensions are totals counted from ``start`` (CN: 15 days, extendable to 30, then 60)."""
    due = add_period(start, period, calendar)
    ext = tuple(add_period(start, p, calendar) for p in extensions)
    after = add_period(due, then, calendar) if then is not None else None
    final = period.unit != "working_days" or calendar_is_final(due.year, calendar)
    return Clock(start, due, ext, after, final)
