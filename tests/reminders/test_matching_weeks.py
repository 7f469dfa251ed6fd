"""Repayment rows matched to dues; totals per ISO week with stacking flags."""

from __future__ import annotations

from datetime import date

from mybnpl.core.money import Money
from mybnpl.reminders.matching import PaymentRow, candidate_provider, keyword_pattern, match
from mybnpl.reminders.model import DueKind, DueStatus
from mybnpl.reminders.weeks import week_totals

from .helpers import item

KW = keyword_pattern(["还款", "repayment", "autopay"])


def _named(text: str) -> str | None:
    return "huabei" if "花呗" in text else "klarna" if "Klarna" in text else None


def test_which_rows_are_repayments_to_whom() -> None:
    assert candidate_provider("out", "花呗", "花呗还款", None, "wechat_fenfu", KW, _named) == "huabei"
    assert candidate_provider("out", "Autopay", "", None, "klarna", KW, _named) == "klarna"  # the account's
    assert candidate_provider("out", "信用卡还款", "", None, "huabei", KW, _named) is None  # a credit card
    assert candidate_provider("out", "美团外卖", "", "huabei", "huabei", KW, _named) is None  # a purchase
    assert candidate_provider("in", "Payment received", "", "klarna", "klarna", KW, _named) == "klarna"
    assert candidate_provider("in", "Refund ASOS", "", "klarna", "klarna", KW, _named) is None
    assert candidate_provider("in", "转账", "", None, "huabei", KW, _named) is None  # money in, not a BNPL row
    assert candidate_provider("neutral", "还款", "", None, "huabei", KW, _named) is None


def test_matching_takes_rows_in_date_order_each_cent_once() -> None:
    today = date(2026, 3, 31)
    dues = [item(date(2026, 3, 1), "25.00", id=1, today=today), item(date(2026, 3, 15), "25.00", id=2, today=today),
            item(date(2026, 3, 29), "25.00", id=3, today=today)]
    rows = [PaymentRow(10, date(2026, 3, 14), 2500, "GBP", "klarna"),  # pays the oldest first
            PaymentRow(11, date(2026, 1, 1), 2500, "GBP", "klarna"),  # too early for any due
            PaymentRow(12, date(2026, 3, 20), 2500, "EUR", "klarna"),  # wrong currency
            PaymentRow(13, date(2026, 3, 20), 2500, "GBP", "affirm"),  # another provider
            PaymentRow(14, date(2026, 4, 2), 9999, "GBP", "klarna")]  # after today
    found = match(dues, rows, today, lookback_days=15)
    assert {k: r.id for k, r in found.items()} == {"i1": 10}
    # One payment that covers the rest pays both, each in full.
    found = match(dues[1:], [PaymentRow(20, date(2026, 3, 16), 5000, "GBP", "klarna")], today, 15)
    assert sorted(found) == ["i2", "i3"]
    short = match(dues[1:], [PaymentRow(21, date(2026, 3, 16), 2499, "GBP", "klarna")], today, 15)
    assert short == {}
    # Already paid by hand: left alone.
    paid = [item(date(2026, 3, 1), id=1, today=today, paid_on=date(2026, 3, 1))]
    assert match(paid, rows, today, 15) == {}


def test_week_totals_per_currency_with_stacking() -> None:
    today = date(2026, 12, 2)  # a Wednesday in ISO week 49
    items = [
        item(date(2026, 11, 30), "10.00", "GBP", id=1, today=today, provider="klarna"),  # Monday, late
        item(date(2026, 12, 6), "5.50", "GBP", id=2, today=today, provider="klarna"),  # Sunday
        item(date(2026, 12, 4), "100", "CNY", id=3, today=today, provider="huabei", kind=DueKind.STATEMENT),
        item(date(2026, 12, 8), "7.00", "GBP", id=4, today=today, provider="klarna"),
        item(date(2026, 12, 9), "1.00", "GBP", id=5, today=today, provider="klarna", paid_on=date(2026, 12, 1)),
        item(date(2026, 11, 29), "99", "CNY", id=6, today=today, provider="huabei"),  # last week
    ]
    assert items[0].status is DueStatus.OVERDUE and items[4].status is DueStatus.PAID
    w1, w2, w3 = week_totals(items, today, 3)
    assert (w1.year, w1.week, w1.start, w1.end) == (2026, 49, date(2026, 11, 30), date(2026, 12, 6))
    assert w1.totals == {"CNY": Money.parse("100", "CNY"), "GBP": Money.parse("15.50", "GBP")}
    assert (w1.count, w1.providers, w1.provider_count, w1.stacking) == (3, ("huabei", "klarna"), 2, True)
    assert (w2.week, w2.totals, w2.count, w2.stacking) == (50, {"GBP": Money.parse("7", "GBP")}, 1, False)
    assert (w3.week, w3.totals, w3.count, w3.stacking) == (51, {}, 0, False)


def test_iso_weeks_across_the_year_end() -> None:
    weeks = week_totals([], date(2026, 12, 30), 3)
    assert [(w.year, w.week) for w in weeks] == [(2026, 53), (2027, 1), (2027, 2)]
