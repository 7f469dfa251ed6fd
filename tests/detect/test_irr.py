"""The annualised IRR against values computed independently (annuity formula, closed forms)."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from mybnpl.core.schedule import add_months
from mybnpl.detect.irr import nominal, xirr


def annuity_monthly_rate(present: float, payment: float, n: int) -> float:
    """The monthly rate r with present = payment * (1 - (1 + r) ** -n) / r, by plain bisection."""
    lo, hi = 1e-12, 1.0
    for _ in range(200):
        mid = (lo + hi) / 2
        value = payment * (1 - (1 + mid) ** -n) / mid
        lo, hi = (mid, hi) if value > present else (lo, mid)
    return (lo + hi) / 2


def test_known_case_membership_fee_at_start_to_a_tenth_of_a_point() -> None:
    # 1,200 borrowed, a 60 membership fee paid at the start, 12 monthly payments of 100.
    start = date(2025, 3, 1)
    flows = [(start, 1200_00 - 60_00)] + [(add_months(start, i), -100_00) for i in range(1, 13)]
    r = annuity_monthly_rate(1140, 100, 12)
    expected = (1 + r) ** 12 - 1  # effective annual rate of the monthly rate
    got = xirr(flows)
    assert got is not None
    assert abs(got - expected) < 0.001, (got, expected)
    assert 0.09 < got < 0.11  # about 10 %: a sanity bound, the formula above is the check


def test_closed_forms() -> None:
    d0 = date(2025, 1, 1)
    # 100 lent, 110 back after exactly 365 days: 10 % a year.
    assert xirr([(d0, 100), (d0 + timedelta(days=365), -110)]) == pytest.approx(0.10, abs=1e-9)
    # 100 lent, 110 back after 30 days: (1.1) ** (365 / 30) - 1, the effective annual rate.
    assert xirr([(d0, 100), (d0 + timedelta(days=30), -110)]) == pytest.approx(1.1 ** (365 / 30) - 1, rel=1e-9)
    # Paying back less than borrowed is a negative rate, not an error.
    assert xirr([(d0, 100), (d0 + timedelta(days=365), -90)]) == pytest.approx(-0.10, abs=1e-9)
    # Sign convention does not matter: the lender's side gives the same rate.
    assert xirr([(d0, -100), (d0 + timedelta(days=365), 110)]) == pytest.approx(0.10, abs=1e-9)


def test_no_rate_when_all_flows_have_one_sign() -> None:
    d0 = date(2025, 1, 1)
    assert xirr([]) is None
    assert xirr([(d0, 100), (d0 + timedelta(days=30), 5)]) is None
    assert xirr([(d0, -100), (d0 + timedelta(days=30), -5)]) is None


def test_very_high_short_term_cost_still_solves() -> None:
    d0 = date(2025, 1, 1)
    got = xirr([(d0, 100), (d0 + timedelta(days=7), -130)])
    assert got is not None
    assert math.log1p(got) == pytest.approx(math.log(1.3) * 365 / 7, rel=1e-9)


def test_nominal_is_the_daily_rate_times_365() -> None:
    effective = (1 + 0.24 / 365) ** 365 - 1
    assert nominal(effective) == pytest.approx(0.24, abs=1e-9)
    assert nominal(0.0) == 0.0
