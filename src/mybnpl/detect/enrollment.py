"""Detectors 1 and 2: BNPL used without a consent record covering the date, and used again after closure.

Consent ledger semantics (per provider product):
* ``enabled`` on D covers uses on or after D (an undated one covers all time);
* ``closed`` on C ends that cover for uses after C (the day of closing itself is not counted against it);
* the latest record in force decides; ``never_enabled`` is the user's statement that no use was consented,
  whatever its date: it raises severity and confidence, it does not cover anything.

A "use" is a BNPL transaction row (any direction: a refund to 月付 proves the product was on), a manual plan
(dated when its money was lent) or a bill (a statement with an amount due).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import date, timedelta
from typing import NamedTuple

from mybnpl.core.models import Severity
from mybnpl.detect.explain import money, name_en, name_zh, row_en, row_zh
from mybnpl.detect.model import (
    T_BNPL,
    T_DATE,
    T_ID,
    Confidence,
    Consent,
    Finding,
    FindingKind,
    LeanRow,
    TxRow,
    unique,
)
from mybnpl.detect.snapshot import Snapshot


class Ledger:
    """The consent records of each provider as a timeline of (effective-from ISO date, id, record)."""

    def __init__(self, consents: Sequence[Consent]) -> None:
        self.timeline: dict[str, list[tuple[str, int, Consent]]] = {}
        self.never: dict[str, list[Consent]] = {}
        for c in consents:
            if c.kind == "never_enabled":
                self.never.setdefault(c.provider_id, []).append(c)
            elif c.kind == "enabled":
                start = c.on_date.isoformat() if c.on_date else "0000-00-00"
                self.timeline.setdefault(c.provider_id, []).append((start, c.id, c))
            elif c.kind == "closed" and c.on_date is not None:
                start = (c.on_date + timedelta(days=1)).isoformat()
                self.timeline.setdefault(c.provider_id, []).append((start, c.id, c))
        self._keys: dict[str, list[tuple[str, int]]] = {}
        for pid, items in self.timeline.items():
            items.sort(key=lambda x: (x[0], x[1]))
            self._keys[pid] = [(d, i) for d, i, _ in items]

    def state(self, provider_id: str, day: str) -> Consent | None:
        """The record in force on ``day`` (ISO), or None when no record covers it."""
        keys = self._keys.get(provider_id)
        if not keys:
            return None
        i = bisect_right(keys, (day, 1 << 62)) - 1
        return self.timeline[provider_id][i][2] if i >= 0 else None

    def covered(self, provider_id: str, day: str) -> bool:
        s = self.state(provider_id, day)
        return s is not None and s.kind == "enabled"

    def first_enabled_after(self, provider_id: str, day: str) -> Consent | None:
        return next((c for d, _, c in self.timeline.get(provider_id, []) if c.kind == "enabled" and d > day), None)


class Use(NamedTuple):
    """The earliest use of one provider in one consent state, and how many uses that state saw."""

    day: str
    source: str  # "row" | "plan" | "bill"
    ref: int
    row: TxRow | None
    n_uses: int
    others: tuple[int, ...] = ()  # ids of the other uncovered rows, up to MAX_LISTED (the Findings page lists them)


MAX_LISTED = 200  # rows a finding names (its text gives the full count)


def _row_uses(snap: Snapshot, ledger: Ledger) -> dict[tuple[str, int], Use]:
    """The first BNPL row of each (provider, consent state) and how many rows that state saw: one plain pass
    over the lean rows keeping the rows of the earliest date; the time of day then decides among those."""
    first: dict[tuple[str, int], list[LeanRow]] = {}
    counts: dict[tuple[str, int], int] = {}
    listed: dict[tuple[str, int], list[int]] = {}
    plain: dict[str, tuple[str, int]] = {}  # providers without records: one key each
    states: dict[str, dict[str, tuple[str, int] | None]] = {p: {} for p in ledger.timeline}  # day -> key
    for r in snap.bnpl_rows:
        p = r[T_BNPL]
        if p is None:
            continue
        days = states.get(p)
        if days is not None:  # the product has consent records: the record in force on that day decides
            day = r[T_DATE]
            if day in days:
                found = days[day]
            else:
                st = ledger.state(p, day)
                found = days[day] = None if st is not None and st.kind == "enabled" else (p, 0 if st is None else st.id)
            if found is None:
                continue
            key = found
        else:
            key = plain.get(p) or plain.setdefault(p, (p, 0))
        n = counts[key] = counts.get(key, 0) + 1
        if n <= MAX_LISTED + 1:
            listed.setdefault(key, []).append(r[T_ID])
        cur = first.get(key)
        if cur is None or r[T_DATE] < cur[0][T_DATE]:
            first[key] = [r]
        elif r[T_DATE] == cur[0][T_DATE]:
            cur.append(r)
    out = {}
    for k, rows in first.items():
        row = snap.first(rows)
        others = tuple(i for i in listed[k] if i != row[T_ID])[:MAX_LISTED]
        out[k] = Use(row[T_DATE], "row", row[T_ID], row, counts[k], others)
    return out


def uncovered_uses(snap: Snapshot, ledger: Ledger) -> dict[tuple[str, int], Use]:
    """(provider, 0 for "no record" or the closure record's id) -> the first use in that state."""
    out = _row_uses(snap, ledger)
    others: list[tuple[str | None, str, str, int]] = [
        (snap.plan_provider(pl), snap.plan_start(pl).isoformat(), "plan", pl.id) for pl in snap.plans]
    others += [(st.provider_id or None, _bill_day(st.period_start, st.period_end, st.due_date), "bill", st.id)
               for st in snap.statements if (st.total_due_minor or 0) > 0]
    extra: dict[tuple[str, int], int] = {}
    for p, day, source, ref in others:
        if not p or not day:
            continue
        state = ledger.state(p, day)
        if state is not None and state.kind == "enabled":
            continue
        key = (p, 0 if state is None else state.id)
        extra[key] = extra.get(key, 0) + 1
        u = out.get(key)
        if u is None or day < u.day:  # on the same day a row is the better evidence
            out[key] = Use(day, source, ref, None, u.n_uses if u else 0,
                           ((u.ref,) if u.row is not None else ()) + u.others if u else ())
    return {k: u._replace(n_uses=u.n_uses + extra.get(k, 0)) for k, u in out.items()}


def _first(u: Use) -> tuple[int, ...]:
    """The row a finding rests on: the first use. The later uses go into ``data["other_uses"]``, listed by the
    Findings page but not evidence in the dismissal sense: another use of a product whose finding you dismissed
    does not reopen it."""
    return (u.row[T_ID],) if u.row is not None else ()


def _bill_day(*days: date | None) -> str:
    return next((d.isoformat() for d in days if d is not None), "")


def _use_text(snap: Snapshot, u: Use) -> tuple[str, str, tuple[int, ...]]:
    """The use in words (en, zh) and the evidence it rests on."""
    if u.row is not None:
        return row_en(snap, u.row), row_zh(snap, u.row), snap.tx_evidence(u.row)
    if u.source == "plan":
        pl = snap.plan_by_id[u.ref]
        amount = money(pl.principal_minor, pl.currency)
        return (f"plan {pl.id} at {pl.merchant or 'an unnamed merchant'}, {amount} in {pl.n_installments} "
                f"installments, first due {pl.first_due.isoformat()}",
                f"分期计划 {pl.id}（{pl.merchant or '未填商户'}，{amount}，分 {pl.n_installments} 期，"
                f"首期 {pl.first_due.isoformat()} 到期）", snap.links.get(("plan", pl.id), ()))
    st = snap.statement_by_id[u.ref]
    due = money(st.total_due_minor or 0, st.currency or "CNY")
    ev = (st.evidence_id,) if st.evidence_id is not None else ()
    return (f"a bill of {due} ({st.filename or f'statement {st.id}'})",
            f"一期 {due} 的账单（{st.filename or f'账单 {st.id}'}）", ev)


def _unconsented(snap: Snapshot, ledger: Ledger, p: str, u: Use) -> Finding:
    use_en, use_zh, evidence = _use_text(snap, u)
    never = ledger.never.get(p, [])
    later = ledger.first_enabled_after(p, u.day)
    en, zh = name_en(snap, p), name_zh(snap, p)
    if u.row is not None:  # the row's text starts with its date and time: the day is not said twice
        text_en, text_zh = f"{en} was first used on {use_en}. ", f"{zh}最早一次使用：{use_zh}。"
    else:
        text_en, text_zh = f"{en} was first used on {u.day}: {use_en}. ", f"{zh}最早一次使用是在 {u.day}：{use_zh}。"
    if never:
        text_en += f"You recorded that you never enabled {en}. "
        text_zh += f"您记录过自己从未开通{zh}。"
    if later is not None and later.on_date is not None:
        gap = (later.on_date - date.fromisoformat(u.day)).days
        text_en += f"You recorded enabling it on {later.on_date.isoformat()}, {gap} days after this use. "
        text_zh += f"您记录的开通日期是 {later.on_date.isoformat()}，比这次使用晚 {gap} 天。"
    elif not never:
        text_en += "You have no record of enabling it on or before that date. "
        text_zh += "在这一天或之前，您没有开通它的记录。"
    if u.n_uses > 1:
        text_en += f"{u.n_uses} uses are not covered by a consent record. "
        text_zh += f"共有 {u.n_uses} 次使用没有对应的同意记录。"
    if never:
        text_en += "This is evidence that the product was used without your consent."
        text_zh += "这可以作为未经您同意开通使用的证据。"
    else:
        text_en += ("If you did enable it, record the date in your consent ledger; if you did not, this is evidence "
                    "that it was switched on without your consent.")
        text_zh += "如果您确实开通过，请在同意记录中补记日期；如果没有，这可以作为未经同意开通的证据。"
    consent_ev = [e for c in never for e in c.evidence_ids] + list(later.evidence_ids if later else ())
    return Finding(
        FindingKind.UNCONSENTED_ENROLLMENT, Severity.SERIOUS if never else Severity.WARNING, p,
        snap.account_of_provider.get(p), date.fromisoformat(u.day), "first-use", text_en, text_zh,
        Confidence.HIGH if never else Confidence.MEDIUM,
        transaction_ids=_first(u), evidence_ids=unique([*evidence, *consent_ev]),
        data={"first_use": u.source, "ref": u.ref, "uncovered_uses": u.n_uses, "other_uses": list(u.others),
              "never_enabled_records": [c.id for c in never], "enabled_record": later.id if later else None})


def _reenabled(snap: Snapshot, p: str, closure: Consent, u: Use) -> Finding:
    use_en, use_zh, evidence = _use_text(snap, u)
    en, zh = name_en(snap, p), name_zh(snap, p)
    closed_on = closure.on_date.isoformat() if closure.on_date else "?"
    via_en = f" ({closure.channel})" if closure.channel else ""
    via_zh = f"（{closure.channel}）" if closure.channel else ""
    again_en = f"It was used again on {use_en}" if u.row is not None else f"It was used again on {u.day}: {use_en}"
    again_zh = f"但它又被使用：{use_zh}" if u.row is not None else f"但在 {u.day} 它又被使用：{use_zh}"
    uses = "1 use" if u.n_uses == 1 else f"{u.n_uses} uses"
    text_en = (f"You recorded closing {en} on {closed_on}{via_en}. {again_en}. {uses} after the closure. This "
               "suggests it was switched back on without your consent.")
    text_zh = (f"您记录过在 {closed_on} 关闭{zh}{via_zh}。{again_zh}。"
               f"关闭后共使用 {u.n_uses} 次，说明它可能在未经您同意的情况下被重新开启。")
    return Finding(
        FindingKind.REENABLED_AFTER_CLOSURE, Severity.SERIOUS, p, snap.account_of_provider.get(p),
        date.fromisoformat(u.day), f"closure:{closure.id}", text_en, text_zh, Confidence.HIGH,
        transaction_ids=_first(u), evidence_ids=unique([*evidence, *closure.evidence_ids]),
        data={"first_use": u.source, "ref": u.ref, "uses_after_closure": u.n_uses, "other_uses": list(u.others),
              "closure_record": closure.id})


def detect_enrollment(snap: Snapshot, ledger: Ledger) -> list[Finding]:
    """Unconsented enrollment and re-enabled-after-closure findings."""
    closures = {c.id: c for c in snap.consents if c.kind == "closed"}
    out: list[Finding] = []
    for (p, state_id), u in sorted(uncovered_uses(snap, ledger).items()):
        if state_id == 0:
            out.append(_unconsented(snap, ledger, p, u))
        elif state_id in closures:
            out.append(_reenabled(snap, p, closures[state_id], u))
    return out
