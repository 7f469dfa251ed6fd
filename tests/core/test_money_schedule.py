from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mybnpl.core.errors import InvalidInput
from mybnpl.core.idle import IdleTimer
from mybnpl.core.money import Money
from mybnpl.core.schedule import add_months, due_dates, parse_cadence


def test_money_parse_and_format() -> None:
    assert Money.parse("¥1,234.50").minor == 123450
    assert Money.parse("-3", "EUR").format() == "-€3.00"
    assert Money.parse("12", "JPY").minor == 12
    assert Money.from_minor(1999, "GBP").amount == Decimal("19.99")
    with pytest.raises(InvalidInput):
        Money.parse("abc")
    with pytest.raises(InvalidInput):
        Money.parse("NaN")
    with pytest.raises(InvalidInput):
        Money(Decimal(1), "EURO")
    with pytest.raises(InvalidInput):
        Money.parse("1", "CNY") + Money.parse("1", "EUR")


@given(st.integers(min_value=-10**12, max_value=10**12), st.integers(min_value=1, max_value=60))
def test_split_sums_exactly_remainder_last(minor: int, parts: int) -> None:
    total = Money.from_minor(minor, "CNY")
    pieces = total.split(parts)
    assert len(pieces) == parts
    assert sum(p.minor for p in pieces) == minor
    assert len({p.minor for p in pieces[:-1]}) <= 1


def test_split_example() -> None:
    assert [p.minor for p in Money.parse("100.00").split(3)] == [3333, 3333, 3334]


def test_month_end_and_leap_days() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert due_dates(date(2026, 1, 31), 4, "1m") == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31),
                                                     date(2026, 4, 30)]
    assert due_dates(date(2026, 12, 20), 3, "2w")[-1] == date(2027, 1, 17)
    assert due_dates(date(2024, 2, 29), 2, "1m")[1] == date(2024, 3, 29)
    assert parse_cadence("30d") == (30, "d")
    with pytest.raises(InvalidInput):
        parse_cadence("0w")


def test_idle_timer_with_fake_clock() -> None:
    now = [1000.0]
    timer = IdleTimer(300, lambda: now[0])
    now[0] += 299
    assert not timer.expired()
    timer.touch()
    now[0] += 299
    assert not timer.expired() and timer.remaining() == pytest.approx(1)
    now[0] += 1
    assert timer.expired()
    timer.set_timeout(0)
    assert not timer.expired()
