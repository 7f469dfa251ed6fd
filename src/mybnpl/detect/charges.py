"""Detector 6: duplicate charges, and charges from a BNPL product the user has no account with.

Duplicates (heuristic): outgoing rows of one account with the same merchant, amount and currency, at most
``window_days`` after the first of them (0: the same day); refunded, closed or failed rows and repayments are
left out. Two such rows within
``close_minutes`` of each other give medium confidence, otherwise low.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime
from operator import itemgetter

from mybnpl.core.models import Severity
from mybnpl.detect.explain import heuristic, money, name_en, name_zh, row_en, row_zh, total_text
from mybnpl.detect.model import (
    T_ACCOUNT,
    T_AMOUNT,
    T_AT,
    T_BNPL,
    T_CURRENCY,
    T_DATE,
    T_DESCRIPTION,
    T_DIRECTION,
    T_ID,
    T_MERCHANT,
    T_STATUS,
    Confidence,
    Finding,
    FindingKind,
    LeanRow,
    TxRow,
    tx_key,
    unique,
)
from mybnpl.detect.rules import Rules
from mybnpl.detect.snapshot import Snapshot

_Key = tuple[int | None, str, int, str]
_KEY = itemgetter(T_ACCOUNT, T_MERCHANT, T_AMOUNT, T_CURRENCY)


def _ordinal(cache: dict[str, int], iso: str) -> int:
    d = cache.get(iso)
    if d is None:
        d = cache[iso] = date.fromisoformat(iso).toordinal()
    return d


def _minutes_apart(a: TxRow, b: TxRow) -> float | None:
    try:
        return abs((datetime.fromisoformat(b[T_AT]) - datetime.fromisoformat(a[T_AT])).total_seconds()) / 60
    except ValueError:
        return None


def _candidates(snap: Snapshot, rules: Rules) -> list[list[TxRow]]:
    """Groups of two or more rows sharing account, merchant, amount and currency."""
    floor = rules.duplicate_charge.min_amount_minor
    seen: dict[_Key, LeanRow] = {}
    multi: dict[_Key, list[LeanRow]] = {}
    for r in snap.transactions:
        if r[T_DIRECTION] != "out" or r[T_AMOUNT] < floor or not r[T_MERCHANT]:
            continue
        k = _KEY(r)
        prev = seen.setdefault(k, r)
        if prev is not r:
            group = multi.get(k)
            if group is None:
                multi[k] = [prev, r]
            else:
                group.append(r)
    ignore = re.compile("|".join(re.escape(k) for k in rules.duplicate_charge.ignore_status), re.IGNORECASE)
    repay = re.compile("|".join(re.escape(k) for k in rules.repayment.keywords), re.IGNORECASE)
    snap.full([r for rows in multi.values() for r in rows])  # one batched fetch for every candidate
    out = []
    for lean in multi.values():
        kept = [r for r in snap.full(lean) if not ignore.search(r[T_STATUS])
                and not repay.search(r[T_MERCHANT]) and not repay.search(r[T_DESCRIPTION])]
        if len(kept) >= 2:
            out.append(sorted(kept, key=tx_key))
    return out


def detect_duplicates(snap: Snapshot, rules: Rules) -> list[Finding]:
    rule = rules.duplicate_charge
    days: dict[str, int] = {}
    out = []
    for rows in _candidates(snap, rules):
        i = 0
        while i < len(rows):  # a cluster spans at most window_days from its first row (no chaining day by day)
            start = _ordinal(days, rows[i][T_DATE])
            j = i + 1
            while j < len(rows) and _ordinal(days, rows[j][T_DATE]) - start <= rule.window_days:
                j += 1
            if j - i >= 2:
                out.append(_duplicate(snap, rules, rows[i:j], days))
            i = j
    return sorted(out, key=lambda f: (f.first_seen, f.anchor))


def _duplicate(snap: Snapshot, rules: Rules, rows: list[TxRow], days: dict[str, int]) -> Finding:
    gaps = [_minutes_apart(a, b) for a, b in itertools.pairwise(rows)]
    close = any(g is not None and g <= rules.duplicate_charge.close_minutes for g in gaps)
    conf = Confidence.MEDIUM if close else Confidence.LOW
    first = rows[0]
    p = first[T_BNPL] or (snap.account_provider.get(first[T_ACCOUNT]) if first[T_ACCOUNT] is not None else None)
    span = _ordinal(days, rows[-1][T_DATE]) - _ordinal(days, first[T_DATE])
    amount = money(first[T_AMOUNT], first[T_CURRENCY])
    within_en = "on the same day" if span == 0 else f"within {span} day(s)"
    within_zh = "同一天内" if span == 0 else f"{span} 天内"
    h_en, h_zh = heuristic(conf)
    text_en = (f"{len(rows)} charges of {amount} at {first[T_MERCHANT]} {within_en}: "
               + "; ".join(row_en(snap, r) for r in rows[:5]) + ". If you made only one purchase, one of them may be a "
               "duplicate: ask the merchant or the payment provider to refund it. ")
    text_zh = (f"{within_zh}在“{first[T_MERCHANT]}”有 {len(rows)} 笔同为 {amount} 的扣款："
               + "；".join(row_zh(snap, r) for r in rows[:5]) + "。如果您只买了一次，其中一笔可能是重复扣款，"
               "可以要求商户或支付平台退款。")
    return Finding(
        FindingKind.DUPLICATE_CHARGE, Severity.WARNING if close else Severity.INFO, p, first[T_ACCOUNT],
        date.fromisoformat(first[T_DATE]), f"tx:{first[T_ID]}", text_en + h_en, text_zh + h_zh, conf,
        transaction_ids=tuple(r[T_ID] for r in rows),
        evidence_ids=unique([e for r in rows for e in snap.tx_evidence(r)]),
        data={"merchant": first[T_MERCHANT], "amount_minor": first[T_AMOUNT], "currency": first[T_CURRENCY],
              "minutes_apart": [g for g in gaps if g is not None]})


def detect_unknown_providers(snap: Snapshot) -> list[Finding]:
    """Charges paid with a BNPL product of which the user has no account in the vault."""
    known = set(snap.account_of_provider)
    rows_of: dict[str, list[LeanRow]] = {}
    for r in snap.bnpl_rows:
        p = r[T_BNPL]
        if p is not None and p not in known and r[T_DIRECTION] != "in":
            rows_of.setdefault(p, []).append(r)
    out = []
    conf = Confidence.MEDIUM
    for p, rows in sorted(rows_of.items()):
        if not rows:
            continue
        shown = snap.edge(rows, 20)  # the earliest rows: stable when later ones are imported
        en, zh = name_en(snap, p), name_zh(snap, p)
        text_en = (f"{len(rows)} payment(s) were made with {en}, {total_text(rows)} in all, but you have no {en} "
                   f"account in mybnpl. The first: {row_en(snap, shown[0])}. If you do not recognise {en}, it may have "
                   f"been opened without your consent or in your name; if you use it, add the account and a consent "
                   f"record so mybnpl can follow it. (Medium confidence.)")
        text_zh = (f"有 {len(rows)} 笔款项用{zh}支付，合计 {total_text(rows)}，但您在 mybnpl 中没有{zh}账户。第一笔："
                   f"{row_zh(snap, shown[0])}。如果您不认识这个产品，它可能是在未经您同意或被他人冒用的情况下开通的；"
                   f"如果您在用它，请添加该账户和同意记录，方便 mybnpl 跟踪。（可信度中等。）")
        out.append(Finding(
            FindingKind.UNKNOWN_PROVIDER_CHARGE, Severity.WARNING, p, None, date.fromisoformat(shown[0][T_DATE]),
            "no-account", text_en, text_zh, conf, transaction_ids=tuple(r[T_ID] for r in shown),
            evidence_ids=unique([e for r in shown for e in snap.tx_evidence(r)]),
            data={"count": len(rows), "total": total_text(rows)}))
    return out
