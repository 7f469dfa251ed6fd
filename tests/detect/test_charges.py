"""Detector 6: duplicate charges, and charges from a product the user has no account with."""

from __future__ import annotations

from datetime import date

from mybnpl.core.models import Severity
from mybnpl.detect.charges import detect_duplicates, detect_unknown_providers
from mybnpl.detect.model import Account, Confidence, FindingKind, Statement, tx
from mybnpl.detect.rules import Rules
from tests.detect.helpers import snapshot


def test_same_amount_and_merchant_minutes_apart_is_medium_confidence(rules: Rules) -> None:
    rows = [tx(1, "2025-02-28", 2117, account_id=1, statement_id=3, merchant="喜茶", posted_at="2025-02-28 20:35:25"),
            tx(2, "2025-02-28", 2117, account_id=1, statement_id=3, merchant="喜茶", posted_at="2025-02-28 20:37:00"),
            tx(3, "2025-02-28", 2117, account_id=2, merchant="喜茶"),  # another account
            tx(4, "2025-02-28", 2118, account_id=1, merchant="喜茶")]  # another amount
    snap = snapshot(transactions=rows, statements=[Statement(3, 1, "meituan_yuefu", 30, "meituan.csv")],
                    accounts=[Account(1, "meituan_yuefu")])
    [f] = detect_duplicates(snap, rules)
    assert (f.kind, f.transaction_ids, f.first_seen) == (FindingKind.DUPLICATE_CHARGE, (1, 2), date(2025, 2, 28))
    assert (f.confidence, f.severity, f.provider_id, f.evidence_ids) == (
        Confidence.MEDIUM, Severity.WARNING, "meituan_yuefu", (30,))
    assert "¥21.17" in f.explanation_en and "same day" in f.explanation_en


def test_window_refunds_and_repayments(rules: Rules) -> None:
    w = rules.duplicate_charge.window_days
    far = date.fromordinal(date(2025, 3, 1).toordinal() + w + 1).isoformat()
    rows = [tx(1, "2025-03-01", 5000, merchant="星巴克"), tx(2, far, 5000, merchant="星巴克"),
            tx(3, "2025-03-02", 8000, merchant="京东", status="交易成功"),
            tx(4, "2025-03-02", 8000, merchant="京东", status="退款成功"),
            tx(5, "2025-03-05", 4812, merchant="美团月付还款"), tx(6, "2025-03-05", 4812, merchant="美团月付还款"),
            tx(7, "2025-03-06", 50, merchant="小额"), tx(8, "2025-03-06", 50, merchant="小额"),
            tx(9, "2025-03-07", 900, merchant="退款", direction="in"), tx(10, "2025-03-07", 900, merchant="退款",
                                                                         direction="in")]
    assert detect_duplicates(snapshot(transactions=rows), rules) == []


def test_daily_habit_is_not_one_long_cluster(rules: Rules) -> None:
    rows = [tx(i, f"2025-04-{i:02d}", 1800, merchant="瑞幸咖啡") for i in range(1, 11)]
    found = detect_duplicates(snapshot(transactions=rows), rules)
    span = rules.duplicate_charge.window_days
    assert all(len(f.transaction_ids) <= span + 1 for f in found)
    assert len(found) == (0 if span == 0 else len(rows) // (span + 1))


def test_same_day_without_times_is_low_confidence_info(rules: Rules) -> None:
    rows = [tx(1, "2021-12-15", 1200, merchant="某餐厅", payment_method="零钱通"),
            tx(2, "2021-12-15", 1200, merchant="某餐厅", payment_method="零钱通"),
            tx(3, "2021-12-16", 1200, merchant="某餐厅", payment_method="零钱通")]
    [f] = detect_duplicates(snapshot(transactions=rows), rules)
    expected = (1, 2, 3) if rules.duplicate_charge.window_days >= 1 else (1, 2)
    assert f.transaction_ids == expected and f.confidence is Confidence.LOW and f.severity is Severity.INFO
    assert "Heuristic, low confidence" in f.explanation_en


def test_charges_from_a_product_without_an_account() -> None:
    rows = [tx(1, "2025-01-03", 3000, account_id=1, bnpl_product="pdd_xianyong", merchant="拼多多"),
            tx(2, "2025-01-01", 2000, account_id=1, bnpl_product="pdd_xianyong", merchant="拼多多"),
            tx(3, "2025-01-02", 999, account_id=1, bnpl_product="wechat_fenfu"),
            tx(4, "2025-01-04", 500, account_id=1, bnpl_product="pdd_xianyong", direction="in")]
    [f] = detect_unknown_providers(snapshot(transactions=rows, accounts=[Account(1, "wechat_fenfu")]))
    assert (f.kind, f.provider_id, f.account_id) == (FindingKind.UNKNOWN_PROVIDER_CHARGE, "pdd_xianyong", None)
    assert (f.transaction_ids, f.first_seen) == ((2, 1), date(2025, 1, 1))
    assert "2 payment(s)" in f.explanation_en and "¥50.00" in f.explanation_en and "拼多多先用后付" in f.explanation_zh
