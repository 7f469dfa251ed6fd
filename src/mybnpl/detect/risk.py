"""Detector 5: stacking and overdue risk.

* stacked dues: from today to the horizon, several providers due within one window (installments still due,
  and bills with an amount due);
* overdue: an installment past its due date, still marked due, with no repayment row to its provider that
  could have paid it (from ``lookback_days`` before the due date until today);
* double payment: an installment due in the next few days that a manual repayment already seems to cover (so
  autopay may collect it again), or two equal repayments to one provider within a few days.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from datetime import date, timedelta
from operator import attrgetter
from typing import NamedTuple

from mybnpl.core.models import Severity
from mybnpl.detect.explain import heuristic, money, name_en, name_zh, row_en, row_zh
from mybnpl.detect.model import T_ID, Confidence, Finding, FindingKind, Installment, unique
from mybnpl.detect.repayments import Repayments
from mybnpl.detect.rules import Rules
from mybnpl.detect.snapshot import Snapshot

_DUE_ON = attrgetter("due_on")
_DAY = attrgetter("day")


class Due(NamedTuple):
    day: date
    provider_id: str
    amount_minor: int
    currency: str
    installment_id: int | None
    evidence_id: int | None


def _dues(snap: Snapshot, first: date, last: date) -> list[Due]:
    due = snap.due_installments
    providers = snap.provider_of_plan
    lo = bisect_left(due, first, key=_DUE_ON)
    hi = bisect_right(due, last, key=_DUE_ON)
    out = [Due(i.due_on, providers[i.plan_id], i.amount_minor, i.currency, i.id, None) for i in due[lo:hi]
           if i.plan_id in providers]
    for st in snap.statements:
        if st.due_date is not None and first <= st.due_date <= last and (st.total_due_minor or 0) > 0 and \
                st.provider_id:
            out.append(Due(st.due_date, st.provider_id, st.total_due_minor or 0, st.currency or "CNY", None,
                           st.evidence_id))
    out.sort(key=_DAY)
    return out


def detect_stacked_dues(snap: Snapshot, rules: Rules, today: date) -> list[Finding]:
    rule = rules.stacked_dues
    dues = _dues(snap, today, today + timedelta(days=rule.horizon_days))
    out: list[Finding] = []
    i = 0
    while i < len(dues):
        end = dues[i].day + timedelta(days=rule.window_days - 1)
        j = i
        while j < len(dues) and dues[j].day <= end:
            j += 1
        window = dues[i:j]
        providers = sorted({d.provider_id for d in window})
        if len(providers) >= rule.min_providers:
            out.append(_stacked(snap, rules, window, providers, end))
            i = j
        else:
            i += 1
    return out


def _stacked(snap: Snapshot, rules: Rules, window: list[Due], providers: list[str], end: date) -> Finding:
    start = window[0].day
    parts_en, parts_zh = [], []
    for p in providers:
        mine = [d for d in window if d.provider_id == p]
        sums: dict[str, int] = {}
        for d in mine:
            sums[d.currency] = sums.get(d.currency, 0) + d.amount_minor
        amount = " + ".join(money(v, c) for c, v in sorted(sums.items()))
        n_inst, n_bill = sum(d.installment_id is not None for d in mine), sum(d.installment_id is None for d in mine)
        what_en = ", ".join(x for x in (f"{n_inst} installment(s)" * bool(n_inst), f"{n_bill} bill(s)" * bool(n_bill))
                            if x)
        what_zh = "，".join(x for x in (f"{n_inst} 期分期" * bool(n_inst), f"{n_bill} 期账单" * bool(n_bill)) if x)
        parts_en.append(f"{name_en(snap, p)} {amount} ({what_en})")
        parts_zh.append(f"{name_zh(snap, p)} {amount}（{what_zh}）")
    text_en = (f"Between {start.isoformat()} and {end.isoformat()}, {len(providers)} providers are due: "
               + "; ".join(parts_en) + ". Paying several providers in one week strains your cash; a missed payment "
               "can reach your credit record. Check the dates now, and ask a provider to move one if you need to.")
    text_zh = (f"{start.isoformat()} 至 {end.isoformat()} 之间，有 {len(providers)} 家平台到期：" + "；".join(parts_zh)
               + "。同一周内要还多家平台，资金压力较大，一旦逾期可能影响征信。请提前核对日期，必要时联系平台调整。")
    severity = Severity.WARNING if len(providers) >= rules.stacked_dues.warning_providers else Severity.INFO
    return Finding(
        FindingKind.STACKED_DUES, severity, None, None, start, f"window:{start.isoformat()}", text_en, text_zh,
        Confidence.HIGH, evidence_ids=unique([d.evidence_id for d in window if d.evidence_id is not None]),
        installment_ids=tuple(d.installment_id for d in window if d.installment_id is not None),
        data={"providers": providers, "window_end": end.isoformat()})


def detect_overdue(snap: Snapshot, rules: Rules, today: date, repayments: Repayments) -> list[Finding]:
    rule, lookback = rules.overdue_unpaid, timedelta(days=rules.repayment.lookback_days)
    cutoff = today - timedelta(days=rule.grace_days)
    late: dict[int, list[Installment]] = {}
    due = snap.due_installments
    providers = snap.provider_of_plan
    for i in due[:bisect_left(due, cutoff, key=_DUE_ON)]:
        if i.plan_id not in providers or repayments.covering(providers[i.plan_id], i.due_on - lookback, today,
                                                             i.amount_minor, i.currency):
            continue
        late.setdefault(i.plan_id, []).append(i)
    out = []
    for plan_id, items in sorted(late.items()):
        plan = snap.plan_by_id[plan_id]
        items.sort(key=lambda i: i.seq)
        p = snap.plan_provider(plan)
        first, days = items[0], (today - items[0].due_on).days
        total = money(sum(i.amount_minor for i in items), plan.currency)
        merchant = plan.merchant or "an unnamed merchant"
        dates = ", ".join(i.due_on.isoformat() for i in items)
        which_en = (f"Installment {first.seq} of {plan.n_installments}" if len(items) == 1
                    else f"{len(items)} installments (due {dates})")
        ago = "1 day ago" if days == 1 else f"{days} days ago"
        first_en = "it was due on" if len(items) == 1 else "the first was due on"
        which_zh = (f"第 {first.seq}/{plan.n_installments} 期" if len(items) == 1
                    else f" {len(items)} 期（到期日 {dates}）")
        text_en = (f"{which_en} of plan {plan.id} at {merchant} ({name_en(snap, p)}), {total}, "
                   f"{'is' if len(items) == 1 else 'are'} still marked unpaid; {first_en} "
                   f"{first.due_on.isoformat()}, {ago}. No repayment to {name_en(snap, p)} that could cover "
                   f"it was found in your records. If you paid, mark it paid; if not, pay or contact the provider: an "
                   f"overdue payment can reach your credit record. ")
        text_zh = (f"{name_zh(snap, p)}分期计划 {plan.id}（{plan.merchant or '未填商户'}）的{which_zh}共 {total} "
                   f"仍标记为未还，最早一期在 {first.due_on.isoformat()} 到期，已过去 {days} 天。您的记录中没有找到能"
                   f"覆盖它的{name_zh(snap, p)}还款。如果已还，请标记为已还；如果没有，请尽快还款或联系平台：逾期可能"
                   f"影响征信。")
        h_en, h_zh = ("(mybnpl sees only the repayments you imported; medium confidence.)",
                      "（mybnpl 只能看到您导入的还款记录，可信度中等。）")
        out.append(Finding(
            FindingKind.OVERDUE_UNPAID, Severity.SERIOUS if days >= rule.serious_after_days else Severity.WARNING,
            p, plan.account_id, first.due_on, f"plan:{plan.id}", text_en + h_en, text_zh + h_zh, Confidence.MEDIUM,
            evidence_ids=snap.links.get(("plan", plan.id), ()), installment_ids=tuple(i.id for i in items),
            data={"plan_id": plan.id, "days_overdue": days, "currency": plan.currency,
                  "amount_minor": sum(i.amount_minor for i in items)}))
    return out


def detect_double_payment(snap: Snapshot, rules: Rules, today: date, repayments: Repayments) -> list[Finding]:
    rule = rules.double_payment_risk
    lookback = timedelta(days=rules.repayment.lookback_days)
    out = []
    conf = Confidence.LOW
    h_en, h_zh = heuristic(conf)
    due = snap.due_installments
    soon = due[bisect_left(due, today, key=_DUE_ON):bisect_right(due, today + timedelta(days=rule.near_due_days),
                                                                 key=_DUE_ON)]
    for i in soon if repayments.by_provider else ():
        plan = snap.plan_by_id.get(i.plan_id)
        p = snap.plan_provider(plan) if plan is not None else None
        hit = repayments.covering(p, i.due_on - lookback, today, i.amount_minor, i.currency)
        if plan is None or hit is None:
            continue
        amount = money(i.amount_minor, i.currency)
        text_en = (f"Installment {i.seq} of plan {plan.id} ({name_en(snap, p)}, {amount}) is due on "
                   f"{i.due_on.isoformat()}, but you already repaid {name_en(snap, p)} on "
                   f"{row_en(snap, hit.row)}. If autopay is on, it may collect the installment again: mark it paid "
                   f"or check autopay before the due date. ")
        text_zh = (f"{name_zh(snap, p)}分期计划 {plan.id} 的第 {i.seq} 期（{amount}）将在 {i.due_on.isoformat()} 到期，"
                   f"但您已经还过一笔：{row_zh(snap, hit.row)}。如果开通了自动扣款，可能会被再扣一次：请标记为已还，"
                   f"或在到期前检查自动扣款设置。")
        out.append(Finding(
            FindingKind.DOUBLE_PAYMENT_RISK, Severity.WARNING, p, plan.account_id, date.fromordinal(hit.day),
            f"installment:{i.id}", text_en + h_en, text_zh + h_zh, conf, transaction_ids=(hit.row[T_ID],),
            evidence_ids=snap.tx_evidence(hit.row), installment_ids=(i.id,),
            data={"plan_id": plan.id, "due_on": i.due_on.isoformat()}))
    out += _repeated_repayments(snap, rules, repayments)
    return out


def _repeated_repayments(snap: Snapshot, rules: Rules, repayments: Repayments) -> list[Finding]:
    out = []
    conf = Confidence.MEDIUM
    h_en, h_zh = heuristic(conf)
    for p, items in sorted(repayments.by_provider.items()):
        for a, b in itertools.pairwise(items):
            if b.day - a.day > rules.double_payment_risk.window_days or (a.amount_minor, a.currency) != (
                    b.amount_minor, b.currency):
                continue
            amount = money(a.amount_minor, a.currency)
            text_en = (f"Two repayments of {amount} to {name_en(snap, p)} within {b.day - a.day} day(s): "
                       f"{row_en(snap, a.row)}; {row_en(snap, b.row)}. A manual payment and an automatic one near "
                       f"the due date can pay the same bill twice: check the bill and ask for any overpayment back. ")
            text_zh = (f"{b.day - a.day} 天内向{name_zh(snap, p)}还款两次、金额都是 {amount}：{row_zh(snap, a.row)}；"
                       f"{row_zh(snap, b.row)}。到期日前后手动还款加上自动扣款，可能把同一期还了两次：请核对账单，"
                       f"多还的部分可要求退回。")
            out.append(Finding(
                FindingKind.DOUBLE_PAYMENT_RISK, Severity.WARNING, p, snap.account_of_provider.get(p),
                date.fromordinal(a.day), f"tx:{a.row[T_ID]}", text_en + h_en, text_zh + h_zh, conf,
                transaction_ids=(a.row[T_ID], b.row[T_ID]),
                evidence_ids=unique([*snap.tx_evidence(a.row), *snap.tx_evidence(b.row)]),
                data={"amount_minor": a.amount_minor, "currency": a.currency}))
    return out
