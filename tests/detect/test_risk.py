"""Detector 5: several providers due in one week, overdue installments, double payments."""

from __future__ import annotations

from datetime import date, timedelta

from mybnpl.core.models import Severity
from mybnpl.detect.model import (
    Account,
    Confidence,
    FindingKind,
    Installment,
    Plan,
    Statement,
    TxRow,
    tx,
)
from mybnpl.detect.repayments import Repayments
from mybnpl.detect.risk import detect_double_payment, detect_overdue, detect_stacked_dues
from mybnpl.detect.rules import Rules
from mybnpl.detect.snapshot import Snapshot
from tests.detect.helpers import snapshot

TODAY = date(2026, 3, 10)
ACCOUNTS = [Account(1, "huabei"), Account(2, "jd_baitiao"), Account(3, "klarna")]


def plans_due(dues: list[tuple[int, date, str]], rows: list[TxRow] | None = None,
              statements: list[Statement] | None = None) -> Snapshot:
    """One single-installment plan per (account, due date, status)."""
    plans, inst = [], []
    for n, (acc, due, status) in enumerate(dues, start=1):
        plans.append(Plan(n, acc, f"shop {n}", 100_00, 0, "CNY", 1, due, "1m"))
        inst.append(Installment(100 + n, n, 1, due, 100_00, "CNY", status))
    return snapshot(accounts=ACCOUNTS, plans=plans, installments=inst, transactions=rows or [],
                    statements=statements or [])


def test_three_providers_in_one_week_is_a_warning_two_is_info(rules: Rules) -> None:
    d = TODAY + timedelta(days=10)
    snap = plans_due([(1, d, "due"), (2, d + timedelta(days=3), "due"), (3, d + timedelta(days=6), "due"),
                      (1, d + timedelta(days=20), "due"), (2, d + timedelta(days=22), "due"),
                      (3, d + timedelta(days=40), "due"), (1, d + timedelta(days=2), "paid")])
    found = detect_stacked_dues(snap, rules, TODAY)
    assert [(f.first_seen, f.severity) for f in found] == [(d, Severity.WARNING),
                                                           (d + timedelta(days=20), Severity.INFO)]
    first = found[0]
    assert first.installment_ids == (101, 102, 103) and first.provider_id is None
    assert first.data["providers"] == ["huabei", "jd_baitiao", "klarna"]
    assert "3 providers" in first.explanation_en and "¥100.00" in first.explanation_en
    assert first.confidence is Confidence.HIGH


def test_bills_count_and_past_or_far_dues_do_not(rules: Rules) -> None:
    d = TODAY + timedelta(days=5)
    bill = Statement(4, 1, "huabei", evidence_id=40, due_date=d + timedelta(days=1), total_due_minor=350_00,
                     currency="CNY")
    found = detect_stacked_dues(plans_due([(2, d, "due")], statements=[bill]), rules, TODAY)
    assert len(found) == 1 and found[0].evidence_ids == (40,) and "1 bill" in found[0].explanation_en
    far = TODAY + timedelta(days=rules.stacked_dues.horizon_days + 1)
    assert detect_stacked_dues(plans_due([(1, far, "due"), (2, far, "due")]), rules, TODAY) == []
    past = TODAY - timedelta(days=1)
    assert detect_stacked_dues(plans_due([(1, past, "due"), (2, past, "due")]), rules, TODAY) == []


def test_overdue_without_repayment_is_found_and_grows_serious(rules: Rules) -> None:
    recent = TODAY - timedelta(days=5)
    old = TODAY - timedelta(days=rules.overdue_unpaid.serious_after_days + 1)
    snap = plans_due([(1, recent, "due"), (2, old, "due"), (3, recent, "paid")])
    found = detect_overdue(snap, rules, TODAY, Repayments(snap, rules))
    assert [(f.provider_id, f.severity, f.first_seen) for f in found] == [
        ("huabei", Severity.WARNING, recent), ("jd_baitiao", Severity.SERIOUS, old)]
    assert found[0].installment_ids == (101,) and found[0].data["days_overdue"] == 5
    assert "5 days ago" in found[0].explanation_en and found[0].confidence is Confidence.MEDIUM


def test_a_repayment_row_that_covers_it_clears_overdue(rules: Rules) -> None:
    due = TODAY - timedelta(days=5)
    pay = tx(1, (due - timedelta(days=2)).isoformat(), 100_00, account_id=9, merchant="花呗主动还款",
             payment_method="银行卡")
    small = tx(2, due.isoformat(), 50_00, merchant="花呗还款")
    snap = plans_due([(1, due, "due")], rows=[pay])
    assert detect_overdue(snap, rules, TODAY, Repayments(snap, rules)) == []
    snap = plans_due([(1, due, "due")], rows=[small])  # too small to pay it
    assert len(detect_overdue(snap, rules, TODAY, Repayments(snap, rules))) == 1


def test_credit_card_repayments_are_not_bnpl_repayments(rules: Rules) -> None:
    row = tx(1, "2026-03-01", 100_00, account_id=1, merchant="建设银行信用卡还款")
    snap = plans_due([], rows=[row])
    assert Repayments(snap, rules).by_provider == {}


def test_manual_repayment_before_a_due_installment_risks_paying_twice(rules: Rules) -> None:
    due = TODAY + timedelta(days=2)
    pay = tx(7, (TODAY - timedelta(days=1)).isoformat(), 100_00, merchant="京东白条还款", statement_id=None)
    snap = plans_due([(2, due, "due")], rows=[pay])
    [f] = detect_double_payment(snap, rules, TODAY, Repayments(snap, rules))
    assert (f.kind, f.provider_id, f.transaction_ids, f.installment_ids) == (
        FindingKind.DOUBLE_PAYMENT_RISK, "jd_baitiao", (7,), (101,))
    assert f.confidence is Confidence.LOW and "autopay" in f.explanation_en


def test_two_equal_repayments_within_days(rules: Rules) -> None:
    rows = [tx(1, "2026-02-08", 48_12, merchant="【美团月付】主动还款", posted_at="2026-02-08 09:00:00"),
            tx(2, "2026-02-09", 48_12, merchant="美团月付 自动扣款"),
            tx(3, "2026-02-25", 48_12, merchant="美团月付还款")]
    snap = snapshot(transactions=rows)
    [f] = detect_double_payment(snap, rules, TODAY, Repayments(snap, rules))
    assert (f.provider_id, f.transaction_ids, f.first_seen) == ("meituan_yuefu", (1, 2), date(2026, 2, 8))
    assert "¥48.12" in f.explanation_en
