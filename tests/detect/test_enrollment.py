"""Detectors 1 and 2 on hand-built snapshots: unconsented enrollment, re-enabled after closure."""

from __future__ import annotations

from datetime import date, timedelta

from mybnpl.core.models import Severity
from mybnpl.detect.enrollment import Ledger, detect_enrollment
from mybnpl.detect.model import (
    Account,
    Confidence,
    Consent,
    Finding,
    FindingKind,
    Installment,
    Plan,
    Statement,
    TxRow,
    tx,
)
from tests.detect.helpers import snapshot

ACC = [Account(1, "meituan_yuefu"), Account(2, "huabei")]
STATEMENT = Statement(7, 1, "meituan_yuefu", evidence_id=70, filename="meituan.csv")


def rows() -> list[TxRow]:
    """月付 rows out of date order, two on the first day (the earlier one by time has the higher id)."""
    return [
        tx(1, "2025-02-20", 1177, account_id=1, statement_id=7, direction="in", merchant="代金券",
           bnpl_product="meituan_yuefu", posted_at="2025-02-20 14:20:31"),
        tx(2, "2025-02-12", 2631, account_id=1, statement_id=7, merchant="满记甜品", bnpl_product="meituan_yuefu",
           posted_at="2025-02-12 20:58:50", payment_method="美团月付"),
        tx(3, "2025-02-12", 1006, account_id=1, statement_id=7, merchant="代金券", bnpl_product="meituan_yuefu",
           posted_at="2025-02-12 19:08:54", payment_method="美团月付"),
        tx(4, "2025-01-05", 1990, account_id=1, statement_id=7, merchant="米线", payment_method="微信支付"),
        tx(5, "2025-03-01", 5000, account_id=2, merchant="超市", bnpl_product="huabei", payment_method="花呗"),
    ]


def run(consents: list[Consent], **parts: object) -> list[Finding]:
    snap = snapshot(transactions=rows(), accounts=ACC, statements=[STATEMENT], consents=consents, **parts)
    return detect_enrollment(snap, Ledger(consents))


def one(found: list[Finding], kind: FindingKind, provider: str) -> Finding:
    match = [f for f in found if f.kind is kind and f.provider_id == provider]
    assert len(match) == 1, found
    return match[0]


def test_no_consent_record_dates_the_finding_at_the_first_bnpl_row() -> None:
    found = run([])
    f = one(found, FindingKind.UNCONSENTED_ENROLLMENT, "meituan_yuefu")
    assert f.first_seen == date(2025, 2, 12)
    assert f.transaction_ids == (3,)  # 19:08 comes before 20:58 on the same day
    # the other uses the text counts, so the Findings page can list them
    assert len(f.data["other_uses"]) == 2 and 3 not in f.data["other_uses"]
    assert f.evidence_ids == (70,)  # the imported file the row came from
    assert (f.severity, f.confidence, f.account_id) == (Severity.WARNING, Confidence.MEDIUM, 1)
    assert f.data["uncovered_uses"] == 3  # the refund counts too: it proves the product was on
    assert "2025-02-12" in f.explanation_en and "no record of enabling" in f.explanation_en
    assert "2025-02-12" in f.explanation_zh and "meituan.csv" in f.explanation_en
    assert f.fingerprint == "unconsented_enrollment|meituan_yuefu|first-use"
    h = one(found, FindingKind.UNCONSENTED_ENROLLMENT, "huabei")
    assert (h.first_seen, h.transaction_ids, h.account_id) == (date(2025, 3, 1), (5,), 2)


def test_enabled_on_or_before_first_use_clears_it() -> None:
    for on in (date(2025, 2, 12), date(2024, 6, 1)):
        found = run([Consent(1, "meituan_yuefu", "enabled", on)])
        assert [f.provider_id for f in found] == ["huabei"]


def test_enabled_after_first_use_is_still_a_finding_and_says_so() -> None:
    found = run([Consent(1, "meituan_yuefu", "enabled", date(2025, 2, 15), evidence_ids=(90,))])
    f = one(found, FindingKind.UNCONSENTED_ENROLLMENT, "meituan_yuefu")
    assert f.first_seen == date(2025, 2, 12)
    assert f.data["uncovered_uses"] == 2  # the refund of 02-20 falls after the record
    assert "2025-02-15, 3 days after this use" in f.explanation_en
    assert 90 in f.evidence_ids


def test_never_enabled_is_serious_with_the_records_evidence() -> None:
    never = Consent(4, "meituan_yuefu", "never_enabled", None, evidence_ids=(44,), note="从未开通")
    f = one(run([never]), FindingKind.UNCONSENTED_ENROLLMENT, "meituan_yuefu")
    assert (f.severity, f.confidence, f.first_seen) == (Severity.SERIOUS, Confidence.HIGH, date(2025, 2, 12))
    assert f.evidence_ids == (70, 44)
    assert "never enabled" in f.explanation_en and "从未开通" in f.explanation_zh


def test_use_after_closure_is_reenabled_and_the_closing_day_itself_is_not() -> None:
    consents = [Consent(1, "meituan_yuefu", "enabled", date(2025, 1, 1)),
                Consent(2, "meituan_yuefu", "closed", date(2025, 2, 12), channel="美团App 设置", evidence_ids=(55,))]
    found = run(consents)
    assert not [f for f in found if f.kind is FindingKind.UNCONSENTED_ENROLLMENT and f.provider_id == "meituan_yuefu"]
    f = one(found, FindingKind.REENABLED_AFTER_CLOSURE, "meituan_yuefu")
    assert (f.first_seen, f.transaction_ids, f.severity) == (date(2025, 2, 20), (1,), Severity.SERIOUS)
    assert f.anchor == "closure:2" and 55 in f.evidence_ids
    assert "2025-02-12" in f.explanation_en and "美团App 设置" in f.explanation_en


def test_enabled_again_after_closure_covers_later_use() -> None:
    consents = [Consent(1, "meituan_yuefu", "enabled", date(2025, 1, 1)),
                Consent(2, "meituan_yuefu", "closed", date(2025, 2, 13)),
                Consent(3, "meituan_yuefu", "enabled", date(2025, 2, 19))]
    assert [f.provider_id for f in run(consents)] == ["huabei"]


def test_a_plan_or_a_bill_before_any_row_is_the_first_use() -> None:
    plan = Plan(9, 1, "外卖", 30000, 0, "CNY", 3, date(2025, 1, 10), "1m")  # lent one month earlier
    inst = [Installment(90 + i, 9, i + 1, date(2025, 1, 10) + timedelta(days=31 * i), 10000, "CNY") for i in range(3)]
    f = one(run([], plans=[plan], installments=inst, links={("plan", 9): (99,)}),
            FindingKind.UNCONSENTED_ENROLLMENT, "meituan_yuefu")
    assert (f.first_seen, f.transaction_ids, f.evidence_ids) == (date(2024, 12, 10), (), (99,))
    assert f.data["first_use"] == "plan" and "plan 9" in f.explanation_en
    bill = Statement(8, 2, "huabei", evidence_id=80, filename="huabei.pdf", period_start=date(2025, 1, 1),
                     total_due_minor=5000, due_date=date(2025, 2, 9))
    snap = snapshot(transactions=rows(), accounts=ACC, statements=[STATEMENT, bill])
    h = one(detect_enrollment(snap, Ledger([])), FindingKind.UNCONSENTED_ENROLLMENT, "huabei")
    assert (h.first_seen, h.evidence_ids, h.data["first_use"]) == (date(2025, 1, 1), (80,), "bill")
