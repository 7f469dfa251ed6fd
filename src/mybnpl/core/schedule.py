"""Installment schedules: due dates by cadence (month ends clamp: Jan 31 + 1 month = Feb 28/29)."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from mybnpl.core.errors import InvalidInput
from mybnpl.core.money import Money

_CADENCE = re.compile(r"^(\d{1,3})([dwm])$")


def parse_cadence(text: str) -> tuple[int, str]:
    m = _CADENCE.match(text.strip().lower())
    if not m or int(m.group(1)) == 0:
        raise InvalidInput("The cadence {text} must look like 2w, 1m or 30d.", text=text)
    return int(m.group(1)), m.group(2)


def add_months(d: date, months: int, anchor_day: int | None = None) -> date:
    day = anchor_day or d.day
    total = d.month - 1 + months
    year, month = d.year + total // 12, total % 12 + 1
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def due_dates(first_due: date, count: int, cadence: str) -> list[date]:
    if count < 1:
        raise InvalidInput("A plan needs at least one installment.")
    n, unit = parse_cadence(cadence)
    if unit == "m":
        return [add_months(first_due, i * n, first_due.day) for i in range(count)]
    step = timedelta(days=n * (7 if unit == "w" else 1))
    return [first_due + i * step for i in range(count)]


def split_plan(total: Money, count: int) -> list[Money]:
    return total.split(count)
