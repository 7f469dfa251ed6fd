"""Detector 4: fees bundled into plans, fee-like charges, and the plan's annualised cost against the rate
lines of the rules file."""

from __future__ import annotations

from datetime import date

from mybnpl.core.models import Severity
from mybnpl.core.schedule import add_months
from mybnpl.detect.costs import detect_costs, detect_fee_rows, plan_cost
from mybnpl.detect.model import Account, Confidence, FindingKind, Installment, Plan, tx
from mybnpl.detect.rules import Rules
from mybnpl.detect.snapshot import Snapshot
from tests.detect.helpers import snapshot


def xirr_by_bisection(flows: list[tuple[date, float]]) -> float:
    """An independent XIRR: bisection on R of sum(cf / (1 + R) ** (days / 365))."""
    d0 = flows[0][0]

    def npv(rate: float) -> float:
        return sum(cf / (1 + rate) ** ((d - d0).days / 365) for d, cf in flows)

    lo, hi = -0.99, 100.0
    for _ in range(300):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if npv(mid) > 0 else (mid, hi)  # npv rises with the rate
    return (lo + hi) / 2


def plan_snapshot(principal: int, fee: int, amounts: list[int], first_due: date, cadence: str = "1m",
                  status: list[str] | None = None, currency: str = "CNY") -> Snapshot:
    plan = Plan(5, 1, "京东商城", principal, fee, currency, len(amounts), first_due, cadence)
    status = status or ["due"] * len(amounts)
    inst = [Installment(50 + i, 5, i + 1, add_months(first_due, i), a, currency, status[i])
            for i, a in enumerate(amounts)]
    return snapshot(accounts=[Account(1, "jd_baitiao")], plans=[plan], installments=inst,
                    links={("plan", 5): (77,)})


def test_membership_fee_at_start_below_every_line(rules: Rules) -> None:
    # 1,200 borrowed, 12 x 100 repaid, a 60 fee not inside the installments: paid at the start.
    first_due = date(2025, 4, 1)
    snap = plan_snapshot(1200_00, 60_00, [100_00] * 12, first_due)
    found = detect_costs(snap, rules)
    assert [f.kind for f in found] == [FindingKind.BUNDLED_FEE]  # about 10 %: under the 12 % line
    [fee] = found
    assert "PBOC Announcement [2021] No. 3" in fee.explanation_en and "中国人民银行公告" in fee.explanation_zh
    start = add_months(first_due, -1)
    expected = xirr_by_bisection([(start, 1140.0)] + [(add_months(first_due, i), -100.0) for i in range(12)])
    assert abs(fee.data["annual_rate"] - expected) < 0.001
    assert expected < min(line.rate for line in rules.rate_lines)
    assert (fee.first_seen, fee.evidence_ids, fee.severity) == (start, (77,), Severity.WARNING)
    assert fee.data["fee_upfront"] is True and "¥60.00" in fee.explanation_en and "5.0%" in fee.explanation_en
    assert f"{expected * 100:.1f}%" in fee.explanation_en


def test_fee_spread_over_installments_above_the_red_line(rules: Rules) -> None:
    # 1,000 borrowed, a 120 fee, 6 monthly installments of total + fee (the remainder on the last one).
    first_due = date(2025, 5, 20)
    amounts = [186_66] * 5 + [112_000 - 5 * 186_66]
    snap = plan_snapshot(1000_00, 120_00, amounts, first_due)
    kinds = {f.kind: f for f in detect_costs(snap, rules)}
    assert set(kinds) == {FindingKind.BUNDLED_FEE, FindingKind.COST_ABOVE_THRESHOLD}
    cost = kinds[FindingKind.COST_ABOVE_THRESHOLD]
    start = add_months(first_due, -1)
    expected = xirr_by_bisection([(start, 1000.0)] + [(add_months(first_due, i), -a / 100) for i, a in
                                                     enumerate(amounts)])
    assert abs(cost.data["annual_rate"] - expected) < 0.001
    above = [line for line in rules.rate_lines if expected > line.rate]
    assert cost.data["lines_above"] == [line.id for line in above]
    assert cost.severity is above[-1].severity and cost.confidence is Confidence.HIGH
    assert cost.data["cost_minor"] == 120_00
    for line in above:
        assert line.label_en in cost.explanation_en and line.label_zh in cost.explanation_zh
    assert "not a verdict" in cost.explanation_en and "不是法律结论" in cost.explanation_zh
    assert kinds[FindingKind.BUNDLED_FEE].data["fee_upfront"] is False


def test_paid_and_waived_installments_change_the_cash_flows(rules: Rules) -> None:
    first_due = date(2025, 5, 20)
    snap = plan_snapshot(1000_00, 120_00, [186_66] * 5 + [186_70], first_due, status=["due"] * 5 + ["waived"])
    pc = plan_cost(snap, snap.plans[0])
    assert pc is not None and pc.repaid_minor == 5 * 186_66
    assert pc.cost_minor == 5 * 186_66 - 1000_00  # the waived installment is not paid


def test_interest_free_plan_has_no_finding(rules: Rules) -> None:
    snap = plan_snapshot(600_00, 0, [200_00] * 3, date(2025, 5, 1))
    assert detect_costs(snap, rules) == []


def test_fee_like_rows_charged_to_a_bnpl_product(rules: Rules) -> None:
    rows = [tx(1, "2025-03-01", 990, merchant="美团月付会员费", description="", account_id=1),
            tx(2, "2025-04-01", 990, merchant="美团月付会员费", account_id=1),
            tx(3, "2025-03-05", 2500, merchant="餐厅", description="分期手续费", bnpl_product="huabei"),
            tx(4, "2025-03-06", 1800, merchant="银行", description="信用卡年费 service fee")]  # no BNPL product named
    found = detect_fee_rows(snapshot(transactions=rows, accounts=[Account(1, "meituan_yuefu")]), rules)
    by_provider = {f.provider_id: f for f in found}
    assert set(by_provider) == {"meituan_yuefu", "huabei"}
    m = by_provider["meituan_yuefu"]
    assert (m.transaction_ids, m.first_seen, m.data["count"]) == ((1, 2), date(2025, 3, 1), 2)
    assert "¥19.80" in m.explanation_en and m.confidence is Confidence.MEDIUM
    assert by_provider["huabei"].transaction_ids == (3,)


def test_prc_rate_lines_are_not_applied_to_a_plan_in_another_currency(rules: Rules) -> None:
    amounts = [186_66] * 5 + [112_000 - 5 * 186_66]
    snap = plan_snapshot(1000_00, 120_00, amounts, date(2025, 5, 20), currency="GBP")
    found = detect_costs(snap, rules)
    assert [f.kind for f in found] == [FindingKind.BUNDLED_FEE]  # the fee and its cost, but no 24 %/36 %/LPR line
    assert found[0].data["annual_rate"] > max(line.rate for line in rules.rate_lines)
    assert "PBOC" not in found[0].explanation_en and "人民银行" not in found[0].explanation_zh  # a rule for China
