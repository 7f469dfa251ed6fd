"""Detector 4: fees and the real cost of a plan.

A plan's cash flows, from the user's side: the principal received on the plan's start (one cadence period
before the first due date), any part of the fee that is not inside the installments paid that same day, and
each installment paid (on ``paid_on`` when recorded, else on its due date; waived ones are not paid). The
annualised cost is the IRR of those flows (see :mod:`mybnpl.detect.irr`), compared with the rate lines of the
rules file: thresholds to show, never a verdict.
"""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from mybnpl.core.models import Severity
from mybnpl.detect.explain import heuristic, money, name_en, name_zh, pct, row_en, row_zh, total_text
from mybnpl.detect.irr import nominal, xirr_years
from mybnpl.detect.model import (
    T_BNPL,
    T_DATE,
    T_DESCRIPTION,
    T_DIRECTION,
    T_ID,
    T_MERCHANT,
    Confidence,
    Finding,
    FindingKind,
    Plan,
    TxRow,
    text_anchor,
    tx_key,
    unique,
)
from mybnpl.detect.rules import Rules
from mybnpl.detect.snapshot import Snapshot

_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.SERIOUS: 2}


class PlanCost(NamedTuple):
    start: date
    upfront_fee_minor: int  # the part of the fee paid at the start, outside the installments
    repaid_minor: int  # installments paid or due (waived ones left out)
    cost_minor: int  # what the plan costs beyond the principal
    effective: float | None  # annualised IRR, effective (None when it costs nothing or cannot be solved)


def plan_cost(snap: Snapshot, plan: Plan) -> PlanCost | None:
    insts = snap.installments_by_plan.get(plan.id)
    if not insts:
        return None
    start = snap.plan_start(plan)
    origin = start.toordinal()
    upfront = max(0, plan.principal_minor + plan.fee_minor - sum(i.amount_minor for i in insts))
    years: list[tuple[float, float]] = [(0.0, float(plan.principal_minor - upfront))]
    repaid = 0
    for i in insts:
        if i.status == "waived":
            continue
        when = i.paid_on if i.status == "paid" and i.paid_on is not None else i.due_on
        years.append((max(0, when.toordinal() - origin) / 365.0, -float(i.amount_minor)))
        repaid += i.amount_minor
    cost = repaid + upfront - plan.principal_minor
    return PlanCost(start, upfront, repaid, cost, xirr_years(years) if cost > 0 else None)


def _plan_label(snap: Snapshot, plan: Plan) -> tuple[str, str]:
    p = snap.plan_provider(plan)
    merchant = plan.merchant or "an unnamed merchant"
    return (f"Plan {plan.id} at {merchant} ({name_en(snap, p)})",
            f"{name_zh(snap, p)}分期计划 {plan.id}（{plan.merchant or '未填商户'}）")


def _fee_finding(snap: Snapshot, plan: Plan, pc: PlanCost, annual: float | None) -> Finding:
    label_en, label_zh = _plan_label(snap, plan)
    fee, principal = money(plan.fee_minor, plan.currency), money(plan.principal_minor, plan.currency)
    share = pct(plan.fee_minor / plan.principal_minor) if plan.principal_minor > 0 else "-"
    how_en = "charged at the start" if pc.upfront_fee_minor else "spread over the installments"
    how_zh = "在开始时收取" if pc.upfront_fee_minor else "摊入各期还款"
    text_en = f"{label_en} carries a fee of {fee} on {principal} borrowed ({share}), {how_en}. "
    text_zh = f"{label_zh}在借款 {principal} 之外收取费用 {fee}（占本金 {share}），{how_zh}。"
    if plan.currency in RATE_LINE_CURRENCIES:  # the PBOC rule is for loans in China; elsewhere no rule is cited
        text_en += ("Membership, guarantee and service fees are part of the cost of credit and belong in the "
                    "annualised rate you must be shown (PBOC Announcement [2021] No. 3).")
        text_zh += "会员费、担保费、服务费都属于借款成本，应计入向您明示的年化利率（中国人民银行公告〔2021〕第3号）。"
    else:
        text_en += "Membership, guarantee and service fees are part of what the credit costs you."
        text_zh += "会员费、担保费、服务费都属于您借款的成本。"
    if annual is not None:
        text_en += f" With the fee, the plan's annualised cost is {pct(annual)}."
        text_zh += f"计入费用后，该计划的年化成本为 {pct(annual)}。"
    return Finding(
        FindingKind.BUNDLED_FEE, Severity.WARNING, snap.plan_provider(plan), plan.account_id, pc.start,
        f"plan:{plan.id}", text_en, text_zh, Confidence.HIGH, evidence_ids=snap.links.get(("plan", plan.id), ()),
        data={"plan_id": plan.id, "fee_minor": plan.fee_minor, "principal_minor": plan.principal_minor,
              "currency": plan.currency, "fee_upfront": bool(pc.upfront_fee_minor), "annual_rate": annual})


def _cost_finding(snap: Snapshot, rules: Rules, plan: Plan, pc: PlanCost, annual: float) -> Finding | None:
    above = [line for line in rules.rate_lines if annual > line.rate]
    if not above:
        return None
    below = next((line for line in rules.rate_lines if annual <= line.rate), None)
    label_en, label_zh = _plan_label(snap, plan)
    cur = plan.currency
    basis_en = "effective annual rate" if rules.cost_above_threshold.annualisation == "effective" else "simple rate"
    basis_zh = "复利年化" if rules.cost_above_threshold.annualisation == "effective" else "单利年化"
    up_en = f" plus a fee of {money(pc.upfront_fee_minor, cur)} at the start" if pc.upfront_fee_minor else ""
    up_zh = f"，另在开始时付费 {money(pc.upfront_fee_minor, cur)}" if pc.upfront_fee_minor else ""
    text_en = (f"{label_en}: you received {money(plan.principal_minor, cur)} on {pc.start.isoformat()} and repay "
               f"{money(pc.repaid_minor, cur)}{up_en}, {money(pc.cost_minor, cur)} more than you borrowed. Its "
               f"annualised cost (IRR of these cash flows, {basis_en}) is {pct(annual)}, above "
               + ", ".join(f"{line.label_en}" for line in above)
               + (f"; below {below.label_en}" if below else "")
               + ". These lines are thresholds for reference, not a verdict: which one applies depends on who "
               "lends (" + "; ".join(f"{pct(line.rate)}: {line.applies_en.rstrip('.')}" for line in above) + ").")
    text_zh = (f"{label_zh}：您在 {pc.start.isoformat()} 借得 {money(plan.principal_minor, cur)}，需还 "
               f"{money(pc.repaid_minor, cur)}{up_zh}，比借款多付 {money(pc.cost_minor, cur)}。按这些现金流计算的"
               f"年化成本（内部收益率，{basis_zh}）为 {pct(annual)}，高于" + "、".join(line.label_zh for line in above)
               + (f"，低于{below.label_zh}" if below else "")
               + "。这些利率线只是参考阈值，不是法律结论，适用哪一条取决于放款主体（"
               + "；".join(f"{pct(line.rate)}：{line.applies_zh.rstrip('。')}" for line in above) + "）。")
    severity = max((line.severity for line in above), key=_SEVERITY_RANK.__getitem__)
    return Finding(
        FindingKind.COST_ABOVE_THRESHOLD, severity, snap.plan_provider(plan), plan.account_id, pc.start,
        f"plan:{plan.id}", text_en, text_zh, Confidence.HIGH, evidence_ids=snap.links.get(("plan", plan.id), ()),
        data={"plan_id": plan.id, "annual_rate": annual, "effective_rate": pc.effective,
              "lines_above": [line.id for line in above], "cost_minor": pc.cost_minor, "currency": cur})


# Every rate line in resources/findings_rules.json is a rule of PRC law (24 %, 36 %, 4 x LPR): they are compared
# only with plans in renminbi. A UK/EU/US plan still gets its fee finding, with its annualised cost.
RATE_LINE_CURRENCIES = frozenset({"CNY"})


def detect_costs(snap: Snapshot, rules: Rules) -> list[Finding]:
    """Bundled-fee and cost-above-threshold findings, one of each at most per plan."""
    out: list[Finding] = []
    by_plan = snap.installments_by_plan
    for plan in snap.plans:
        if plan.fee_minor <= 0 and sum(i.amount_minor for i in by_plan.get(plan.id, ())) <= plan.principal_minor:
            continue  # no fee and nothing repaid beyond the principal: it costs nothing
        pc = plan_cost(snap, plan)
        if pc is None:
            continue
        annual = pc.effective
        if annual is not None and rules.cost_above_threshold.annualisation == "nominal":
            annual = nominal(annual)
        if plan.fee_minor > 0:
            out.append(_fee_finding(snap, plan, pc, annual))
        if annual is not None and plan.currency in RATE_LINE_CURRENCIES:
            f = _cost_finding(snap, rules, plan, pc, annual)
            if f is not None:
                out.append(f)
    return out


def detect_fee_rows(snap: Snapshot, rules: Rules) -> list[Finding]:
    """Rows charged to (or naming) a BNPL product that read like a fee: one finding per product and text."""
    rx = re.compile("|".join(re.escape(k) for k in rules.fee_charged.keywords), re.IGNORECASE)
    groups: dict[tuple[str, str], list[TxRow]] = {}
    for r in snap.rows_mentioning(rx):
        if r[T_DIRECTION] != "out":
            continue
        p = r[T_BNPL] or snap.provider_in_text(f"{r[T_MERCHANT]} {r[T_DESCRIPTION]}")
        if p:
            groups.setdefault((p, r[T_MERCHANT].strip() or r[T_DESCRIPTION].strip()), []).append(r)
    out = []
    conf = Confidence.MEDIUM
    h_en, h_zh = heuristic(conf)
    for (p, text), rows in sorted(groups.items()):
        rows.sort(key=tx_key)
        totals = total_text(rows)
        text_en = (f"{len(rows)} charge(s) reading like a fee of {name_en(snap, p)} (\"{text}\"), {totals} in all; "
                   f"the first: {row_en(snap, rows[0])}. Fees are part of the cost of credit; ask the provider "
                   f"what each fee is for and whether you agreed to it. ")
        text_zh = (f"有 {len(rows)} 笔看起来是{name_zh(snap, p)}收取的费用（“{text}”），合计 {totals}；第一笔："
                   f"{row_zh(snap, rows[0])}。费用属于借款成本，可以向平台询问每笔费用的依据以及您是否同意过。")
        shown = rows[:100]
        out.append(Finding(
            FindingKind.FEE_CHARGED, Severity.WARNING, p, snap.account_of_provider.get(p),
            date.fromisoformat(rows[0][T_DATE]), f"text:{text_anchor(text)}", text_en + h_en, text_zh + h_zh, conf,
            transaction_ids=tuple(r[T_ID] for r in shown),
            evidence_ids=unique([e for r in shown for e in snap.tx_evidence(r)]),
            data={"text": text, "count": len(rows), "paid_with_bnpl": any(r[T_BNPL] for r in rows)}))
    return out
