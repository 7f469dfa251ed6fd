"""Detector 3: the default switched to BNPL at checkout (heuristic).

At a merchant (or platform) the user paid at least N times by other means, the first payment made with a
BNPL product is flagged: a pay-later option that suddenly appears where the user always paid otherwise is
the pattern the press reported for pre-selected 先用后付 / 月付. N comes from the rules file.
"""

from __future__ import annotations

from datetime import date

from mybnpl.core.models import Severity
from mybnpl.detect.enrollment import Ledger
from mybnpl.detect.explain import heuristic, name_en, name_zh, row_en, row_zh
from mybnpl.detect.model import (
    T_ACCOUNT,
    T_BNPL,
    T_DATE,
    T_DIRECTION,
    T_ID,
    T_MERCHANT,
    T_METHOD,
    Confidence,
    Finding,
    FindingKind,
    LeanRow,
    TxRow,
    text_anchor,
    tx_key,
    unique,
)
from mybnpl.detect.rules import Rules
from mybnpl.detect.snapshot import Snapshot


def detect_default_switch(snap: Snapshot, rules: Rules, ledger: Ledger) -> list[Finding]:
    rule = rules.default_switch
    first_day: dict[str, str] = {}  # merchant -> date of its first BNPL payment
    for r in snap.bnpl_rows:
        if r[T_DIRECTION] == "out" and r[T_MERCHANT]:
            day = first_day.get(r[T_MERCHANT])
            if day is None or r[T_DATE] < day:
                first_day[r[T_MERCHANT]] = r[T_DATE]
    if not first_day:
        return []
    cut = max(first_day.values())
    bnpl: dict[str, list[LeanRow]] = {}  # the BNPL payments of that first day
    before: dict[str, list[LeanRow]] = {}  # other payments up to that day
    for r in [r for r in snap.transactions if r[T_DATE] <= cut]:  # cheap cut first: most rows come later
        day = first_day.get(r[T_MERCHANT])
        if day is None or r[T_DATE] > day or r[T_DIRECTION] != "out":
            continue
        if r[T_BNPL] is None:
            before.setdefault(r[T_MERCHANT], []).append(r)
        elif r[T_DATE] == day:
            bnpl.setdefault(r[T_MERCHANT], []).append(r)
    out = []
    need = max(1, rule.min_prior_payments)
    for merchant, rows in sorted(before.items()):
        if len(rows) < need:
            continue
        first = snap.first(bnpl[merchant])
        same_day = [r for r in rows if r[T_DATE] == first[T_DATE]]  # only these need the time of day
        prior = [r for r in rows if r[T_DATE] < first[T_DATE]]
        prior += [r for r, full in zip(same_day, snap.full(same_day), strict=True) if tx_key(full) < tx_key(first)]
        if len(prior) >= need:
            out.append(_finding(snap, rules, ledger, merchant, prior, first))
    return out


def _finding(snap: Snapshot, rules: Rules, ledger: Ledger, merchant: str, prior: list[LeanRow], bnpl: TxRow
             ) -> Finding:
    rule = rules.default_switch
    shown = snap.edge(prior, max(1, rule.min_prior_payments), latest=True)
    rows = prior
    methods = list(dict.fromkeys(r[T_METHOD].strip() for r in reversed(shown) if r[T_METHOD].strip()))[:3]
    p = bnpl[T_BNPL] or ""
    conf = Confidence.MEDIUM if len(rows) >= rule.medium_confidence_prior_payments else Confidence.LOW
    consented = ledger.state(p, bnpl[T_DATE])
    en, zh = name_en(snap, p), name_zh(snap, p)
    how_en = f" ({', '.join(methods)})" if methods else ""
    how_zh = f"（{'、'.join(methods)}）" if methods else ""
    text_en = (f"Before {bnpl[T_DATE]} you paid {merchant} {len(rows)} times by other means{how_en}, the last time "
               f"on {shown[-1][T_DATE]}. Then a payment there was made with {en}: {row_en(snap, bnpl)}. A pay-later "
               f"option that appears where you always paid otherwise may have been pre-selected at checkout; a "
               f"tie-in may not be a default-agreed option (E-Commerce Law Art. 19). ")
    text_zh = (f"{bnpl[T_DATE]} 之前，您在“{merchant}”用其他方式付款 {len(rows)} 次{how_zh}，最近一次在 "
               f"{shown[-1][T_DATE]}。之后出现了一笔用{zh}支付的款项：{row_zh(snap, bnpl)}。在一直用其他方式付款的"
               f"地方突然出现先用后付/月付，可能是结账页面默认勾选所致；《电子商务法》第十九条规定搭售不得作为默认同意选项。")
    if consented is not None and consented.kind == "enabled" and consented.on_date is not None:
        text_en += f"You recorded enabling {en} on {consented.on_date.isoformat()}, so this may be your own choice. "
        text_zh += f"您记录过在 {consented.on_date.isoformat()} 开通{zh}，因此这也可能是您自己的选择。"
    h_en, h_zh = heuristic(conf)
    chosen = [*shown, bnpl]
    return Finding(
        FindingKind.DEFAULT_SWITCH, Severity.INFO if consented is not None and consented.kind == "enabled"
        else Severity.WARNING, p or None, snap.account_of_provider.get(p, bnpl[T_ACCOUNT]),
        date.fromisoformat(bnpl[T_DATE]), f"merchant:{text_anchor(merchant)}", text_en + h_en, text_zh + h_zh, conf,
        transaction_ids=tuple(r[T_ID] for r in chosen),
        evidence_ids=unique([e for r in chosen for e in snap.tx_evidence(r)]),
        data={"merchant": merchant, "prior_payments": len(rows), "prior_methods": methods})
