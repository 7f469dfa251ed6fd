"""Detector 3: BNPL suddenly at a merchant always paid otherwise (heuristic)."""

from __future__ import annotations

from datetime import date

from mybnpl.core.models import Severity
from mybnpl.detect.enrollment import Ledger
from mybnpl.detect.model import Account, Confidence, Consent, FindingKind, TxRow, tx
from mybnpl.detect.rules import Rules
from mybnpl.detect.switch import detect_default_switch
from tests.detect.helpers import snapshot


def history(n_before: int, merchant: str = "瑞幸咖啡") -> list[TxRow]:
    rows = [tx(10 + i, f"2025-01-{i + 1:02d}", 1500, account_id=1, merchant=merchant, payment_method="微信支付")
            for i in range(n_before)]
    rows.append(tx(99, "2025-02-01", 1500, account_id=1, merchant=merchant, payment_method="美团月付",
                   bnpl_product="meituan_yuefu", posted_at="2025-02-01 08:00:00"))
    rows.append(tx(100, "2025-02-03", 1500, account_id=1, merchant=merchant, payment_method="微信支付"))
    return rows


def test_first_bnpl_payment_after_enough_other_payments(rules: Rules) -> None:
    n = rules.default_switch.min_prior_payments
    snap = snapshot(transactions=history(n), accounts=[Account(1, "meituan_yuefu")])
    [f] = detect_default_switch(snap, rules, Ledger([]))
    assert f.kind is FindingKind.DEFAULT_SWITCH
    assert (f.provider_id, f.account_id, f.first_seen) == ("meituan_yuefu", 1, date(2025, 2, 1))
    assert f.transaction_ids == (*(10 + i for i in range(n)), 99)
    assert f.severity is Severity.WARNING and f.data["prior_payments"] == n
    expected = Confidence.MEDIUM if n >= rules.default_switch.medium_confidence_prior_payments else Confidence.LOW
    assert f.confidence is expected
    assert f"{n} times" in f.explanation_en and "微信支付" in f.explanation_en
    assert "Heuristic" in f.explanation_en and "推断" in f.explanation_zh


def test_fewer_prior_payments_or_bnpl_first_is_no_finding(rules: Rules) -> None:
    n = rules.default_switch.min_prior_payments
    assert detect_default_switch(snapshot(transactions=history(n - 1)), rules, Ledger([])) == []
    rows = history(n)
    rows.append(tx(5, "2024-12-01", 800, merchant="瑞幸咖啡", bnpl_product="meituan_yuefu"))
    assert detect_default_switch(snapshot(transactions=rows), rules, Ledger([])) == []


def test_many_prior_payments_raise_confidence_and_consent_lowers_severity(rules: Rules) -> None:
    n = rules.default_switch.medium_confidence_prior_payments
    consents = [Consent(1, "meituan_yuefu", "enabled", date(2025, 1, 20))]
    [f] = detect_default_switch(snapshot(transactions=history(n)), rules, Ledger(consents))
    assert f.confidence is Confidence.MEDIUM and f.severity is Severity.INFO
    assert "2025-01-20" in f.explanation_en
    # only the most recent prior payments are listed, plus the BNPL one
    assert len(f.transaction_ids) == rules.default_switch.min_prior_payments + 1
    assert f.data["prior_payments"] == n
