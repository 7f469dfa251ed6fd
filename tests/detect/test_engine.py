"""run_all: every detector in one call, one finding per fingerprint, stable across runs."""

from __future__ import annotations

import dataclasses
from datetime import date

from mybnpl.detect.engine import run_all
from mybnpl.detect.model import Account, Consent, FindingKind, Installment, Plan, tx
from mybnpl.detect.rules import Rules
from mybnpl.detect.snapshot import FullRows, Snapshot
from tests.detect.helpers import snapshot

TODAY = date(2025, 6, 1)


def mixed() -> Snapshot:
    rows = [tx(i, f"2025-01-{i:02d}", 1500, account_id=1, merchant="瑞幸咖啡", payment_method="微信支付")
            for i in range(1, 6)]
    rows += [tx(10, "2025-02-01", 1500, account_id=1, merchant="瑞幸咖啡", bnpl_product="meituan_yuefu"),
             tx(11, "2025-02-02", 7000, account_id=1, merchant="超市", bnpl_product="douyin_xianyong"),
             tx(12, "2025-02-03", 2500, account_id=1, merchant="面馆", posted_at="2025-02-03 12:00:00"),
             tx(13, "2025-02-03", 2500, account_id=1, merchant="面馆", posted_at="2025-02-03 12:01:00")]
    plan = Plan(1, 1, "外卖", 1000_00, 150_00, "CNY", 3, date(2025, 5, 1), "1m")
    inst = [Installment(1, 1, 1, date(2025, 5, 1), 383_33, "CNY"),
            Installment(2, 1, 2, date(2025, 6, 1), 383_33, "CNY"),
            Installment(3, 1, 3, date(2025, 7, 1), 383_34, "CNY")]
    return snapshot(transactions=rows, accounts=[Account(1, "meituan_yuefu")], plans=[plan], installments=inst,
                    consents=[Consent(1, "meituan_yuefu", "closed", date(2025, 1, 15))])


def test_every_detector_contributes_once(rules: Rules) -> None:
    found = run_all(mixed(), rules, TODAY)
    kinds = {f.kind for f in found}
    assert {FindingKind.UNCONSENTED_ENROLLMENT, FindingKind.REENABLED_AFTER_CLOSURE, FindingKind.DEFAULT_SWITCH,
            FindingKind.BUNDLED_FEE, FindingKind.COST_ABOVE_THRESHOLD, FindingKind.OVERDUE_UNPAID,
            FindingKind.DUPLICATE_CHARGE, FindingKind.UNKNOWN_PROVIDER_CHARGE} <= kinds
    prints = [f.fingerprint for f in found]
    assert len(prints) == len(set(prints))
    assert [f.first_seen for f in found] == sorted(f.first_seen for f in found)
    for f in found:
        assert f.explanation_en.strip() and f.explanation_zh.strip()
        assert all(isinstance(i, int) for i in (*f.transaction_ids, *f.evidence_ids, *f.installment_ids))
    heuristic = {FindingKind.DEFAULT_SWITCH, FindingKind.DUPLICATE_CHARGE}
    for f in found:
        if f.kind in heuristic:
            assert "confidence" in f.explanation_en and "可信度" in f.explanation_zh


def test_recomputing_the_same_snapshot_gives_the_same_findings(rules: Rules) -> None:
    a, b = run_all(mixed(), rules, TODAY), run_all(mixed(), rules, TODAY)
    assert a == b


def test_lean_rows_with_a_row_source_give_the_same_findings(rules: Rules) -> None:
    """As in the vault: the snapshot holds 8 columns per row and fetches full rows on demand."""
    full = mixed()
    rows = list(full.transactions)
    lean = dataclasses.replace(full, transactions=[r[:8] for r in rows], source=FullRows(rows))
    assert run_all(lean, rules, TODAY) == run_all(full, rules, TODAY)
