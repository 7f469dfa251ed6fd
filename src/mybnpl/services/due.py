"""One schedule across every provider: installments and statement due dates, each with its status.

Sources of dues: every installment of every plan (manual or imported; waived ones are left out) and, per
account, the *latest* statement with a due date and an amount (older bills are superseded: what was left
unpaid rolls into the newer one). Paid means marked by hand (installments.status/paid_on,
statement_payments) or matched to a repayment row (see :mod:`mybnpl.reminders.matching`; the keywords and
look-back are the findings rules' ``repayment`` section, so both agree on what was repaid; read straight from
the JSON so the schedule and the tray do not depend on the detectors).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, timedelta
from functools import cache
from typing import Any, NamedTuple

from mybnpl.core.catalog import Catalog, Provider
from mybnpl.core.errors import InvalidInput, NotFound
from mybnpl.core.models import Installment, InstallmentStatus
from mybnpl.core.money import Money
from mybnpl.i18n import N_
from mybnpl.reminders import matching
from mybnpl.reminders.model import DueItem, DueKind, DueStatus, PaidBy, classify, grace_for, sort_key
from mybnpl.reminders.weeks import WeekTotal, week_totals
from mybnpl.resources import resource_path
from mybnpl.vault import repos
from mybnpl.vault.db import Vault

PAID_SINCE_DAYS = 31  # include_paid lists paid dues from this many days back unless told otherwise

_INSTALLMENTS = (
    "SELECT i.id, i.seq, p.n_installments, i.due_on, i.amount_minor, i.currency, i.status, i.paid_on, a.id, "
    "a.provider_id, a.label, p.merchant FROM installments i JOIN plans p ON p.id = i.plan_id "
    "JOIN accounts a ON a.id = p.account_id WHERE i.status != 'waived' AND i.due_on BETWEEN ? AND ? "
    "AND (i.status = 'due' OR i.due_on >= ?)"
)
_STATEMENTS = (
    "SELECT s.id, s.account_id, coalesce(a.provider_id, s.provider_id), s.due_date, "
    "coalesce(s.total_due_minor, s.minimum_due_minor), coalesce(s.currency, a.currency, 'CNY'), "
    "coalesce(a.label, ''), sp.paid_on FROM statements s LEFT JOIN accounts a ON a.id = s.account_id "
    "LEFT JOIN statement_payments sp ON sp.statement_id = s.id "
    "WHERE s.due_date IS NOT NULL AND coalesce(s.total_due_minor, s.minimum_due_minor) > 0"
)


class RepaymentRule(NamedTuple):
    keywords: tuple[str, ...]
    lookback_days: int


@cache
def repayment_rule() -> RepaymentRule:
    """``rules.repayment`` of resources/findings_rules.json: repayment keywords and look-back days."""
    data = json.loads(resource_path("findings_rules.json").read_text(encoding="utf-8"))["rules"]["repayment"]
    keywords = tuple(k for k in data["keywords"] if isinstance(k, str) and k.strip())
    lookback = data["lookback_days"]
    if not keywords or isinstance(lookback, bool) or not isinstance(lookback, int) or lookback < 0:
        raise ValueError("findings_rules.json: rules.repayment needs keywords and lookback_days")
    return RepaymentRule(keywords, lookback)


def _provider(catalog: Catalog, provider_id: str) -> Provider | None:
    try:
        return catalog.get(provider_id)
    except NotFound:
        return None


class _Row(NamedTuple):
    """A due as read, before its status (cheap to build for 10⁴ rows; a DueItem is made only for those shown)."""

    kind: DueKind
    id: int
    provider_id: str
    account_id: int | None
    label: str
    due_on: date
    amount_minor: int
    currency: str
    merchant: str = ""
    seq: int | None = None
    n: int | None = None  # installments in the plan
    paid_on: date | None = None  # marked by hand

    @property
    def key(self) -> str:
        return f"{'i' if self.kind is DueKind.INSTALLMENT else 's'}{self.id}"


def _installments(vault: Vault, end: date, paid_since: date) -> list[_Row]:
    fromiso, inst = date.fromisoformat, DueKind.INSTALLMENT
    return [_Row(inst, r[0], r[9], r[8], r[10], fromiso(r[3]), r[4], r[5], r[11], r[1], r[2],
                 fromiso(r[7]) if r[6] == "paid" and r[7] else None)
            for r in vault.query(_INSTALLMENTS, (date.min.isoformat(), end.isoformat(), paid_since.isoformat()))]


def _statements(vault: Vault, end: date, paid_since: date) -> list[_Row]:
    latest: dict[tuple[int | None, str], _Row] = {}
    for r in vault.query(_STATEMENTS):
        row = _Row(DueKind.STATEMENT, r[0], r[2], r[1], r[6], date.fromisoformat(r[3]), r[4], r[5],
                   paid_on=date.fromisoformat(r[7]) if r[7] else None)
        slot = (row.account_id, row.provider_id if row.account_id is None else "")
        old = latest.get(slot)
        if old is None or (row.due_on, row.id) > (old.due_on, old.id):
            latest[slot] = row
    return [r for r in latest.values() if r.due_on <= end and (r.paid_on is None or r.due_on >= paid_since)]


def _repayments(vault: Vault, catalog: Catalog, first: date, today: date) -> list[matching.PaymentRow]:
    rule = repayment_rule()
    keywords = [k.lower() for k in rule.keywords]
    text = "lower(t.merchant || ' ' || t.description)"
    any_kw = " OR ".join(f"instr({text}, ?) > 0" for _ in keywords) or "0"
    rows = vault.query(
        "SELECT t.id, t.posted_on, t.amount_minor, t.currency, t.direction, t.merchant, t.description, "
        "t.bnpl_product, a.provider_id FROM transactions t LEFT JOIN accounts a ON a.id = t.account_id "
        "WHERE t.posted_on BETWEEN ? AND ? AND ((t.direction = 'in' AND t.bnpl_product IS NOT NULL) OR "
        f"(t.direction = 'out' AND ({any_kw})))", (first.isoformat(), today.isoformat(), *keywords))
    rx = matching.keyword_pattern(rule.keywords)

    def named(s: str) -> str | None:
        p = catalog.match_payment_method(s)
        return p.id if p is not None else None

    out = []
    for r in rows:
        provider = matching.candidate_provider(r[4], r[5], r[6], r[7], r[8], rx, named)
        if provider is not None:
            out.append(matching.PaymentRow(r[0], date.fromisoformat(r[1]), r[2], r[3], provider))
    return out


def load_dues(vault: Vault, catalog: Catalog, today: date, *, start: date = date.min, end: date = date.max,
              paid_since: date | None = None) -> list[DueItem]:
    """Every due from ``start`` to ``end`` with its status on ``today``: the unpaid ones, and the paid ones due
    on or after ``paid_since`` (default: none). Late first (most overdue first), then unpaid by due date, then
    paid ones."""
    since = paid_since or date.max
    # From the very first due whatever ``start``: older unpaid dues take repayments first, in every view.
    rows = _installments(vault, end, since) + _statements(vault, end, since)
    lookback = repayment_rule().lookback_days
    unpaid = [r for r in rows if r.paid_on is None or r.paid_on > today]
    found: dict[str, matching.PaymentRow] = {}
    if unpaid:
        first = min(r.due_on for r in unpaid) - timedelta(days=lookback)
        found = matching.match(unpaid, _repayments(vault, catalog, first, today), today, lookback)
    graces: dict[tuple[str, str], int | None] = {}
    out = []
    for r in rows:
        if r.due_on < start:
            continue
        tx = found.get(r.key)
        paid_on = tx.day if tx is not None else r.paid_on
        grace_key = (r.provider_id, r.currency)
        if grace_key not in graces:
            graces[grace_key] = grace_for(_provider(catalog, r.provider_id), r.currency)
        grace = graces[grace_key]
        status, late = classify(r.due_on, today, grace, paid_on)
        if status is DueStatus.PAID:
            if r.due_on < since:
                continue
            by = PaidBy.TRANSACTION if tx is not None else PaidBy.HAND
        else:
            paid_on = by = None
        out.append(DueItem(r.kind, r.id, r.provider_id, r.account_id, r.label, r.due_on,
                           Money.from_minor(r.amount_minor, r.currency), r.merchant, r.seq, r.n, status, late,
                           grace, paid_on, by, tx.id if tx is not None and by is not None else None))
    return sorted(out, key=sort_key)


def due_items(vault: Vault, catalog: Catalog, today: date, within_days: int | None = None,
              overdue_only: bool = False, *, include_paid: bool = False, paid_since: date | None = None
              ) -> list[DueItem]:
    """The schedule on ``today``: unpaid dues (late ones first), up to ``within_days`` ahead if given; only the
    late ones (grace or overdue) with ``overdue_only``; paid dues too with ``include_paid`` (those due since
    ``paid_since``, default PAID_SINCE_DAYS ago)."""
    if within_days is not None and within_days < 0:
        raise InvalidInput(N_("The number of days ahead must be 0 or more."))
    end = today + timedelta(days=within_days) if within_days is not None else date.max
    since = (paid_since or today - timedelta(days=PAID_SINCE_DAYS)) if include_paid else None
    items = load_dues(vault, catalog, today, end=end, paid_since=since)
    if overdue_only:
        items = [i for i in items if i.late]
    return items


def due_not_found(kind: DueKind, item_id: int) -> NotFound:
    """NotFound for an installment or a statement id, as a whole sentence."""
    if kind is DueKind.INSTALLMENT:
        return NotFound(N_("Installment {id} was not found."), id=item_id)
    return NotFound(N_("Statement {id} was not found."), id=item_id)


def get_due(vault: Vault, catalog: Catalog, kind: DueKind, item_id: int, today: date) -> DueItem:
    for i in load_dues(vault, catalog, today, paid_since=date.min):
        if i.kind is kind and i.id == item_id:
            return i
    raise due_not_found(kind, item_id)


def weeks(vault: Vault, catalog: Catalog, today: date, n_weeks: int = 4) -> list[WeekTotal]:
    """Unpaid totals per ISO week, this week and the next ``n_weeks - 1``, per currency, with stacking flags."""
    monday = today - timedelta(days=today.weekday())
    items = load_dues(vault, catalog, today, start=monday, end=monday + timedelta(days=7 * max(n_weeks, 0)))
    return week_totals(items, today, n_weeks)


def pay_installment(vault: Vault, installment_id: int, paid_on: date, *, today: date | None = None) -> Installment:
    """Mark an installment paid on ``paid_on`` (again, to correct the date), with an event in the timeline."""
    rows = vault.query("SELECT i.plan_id, i.seq, p.n_installments, i.due_on, i.amount_minor, i.currency, i.status,"
                       " a.provider_id FROM installments i JOIN plans p ON p.id = i.plan_id "
                       "JOIN accounts a ON a.id = p.account_id WHERE i.id = ?", (installment_id,))
    if not rows:
        raise due_not_found(DueKind.INSTALLMENT, installment_id)
    plan_id, seq, n, due_on, minor, currency, status, provider = rows[0]
    if status == "waived":
        raise InvalidInput(N_("Installment {id} was waived; there is nothing to pay."), id=installment_id)
    if today is not None and paid_on > today:
        raise InvalidInput(N_("The date {date} is in the future."), date=paid_on.isoformat())
    amount = Money.from_minor(minor, currency)
    with vault.transaction() as conn:
        conn.execute("UPDATE installments SET status = 'paid', paid_on = ? WHERE id = ?",
                     (paid_on.isoformat(), installment_id))
        repos.append_event(conn, "installment_paid", f"{provider}: {seq}/{n} {amount} (due {due_on})",
                           entity="installment", entity_id=installment_id, on_date=paid_on)
    return Installment(installment_id, plan_id, seq, date.fromisoformat(due_on), amount, InstallmentStatus.PAID,
                       paid_on)


def pay_statement(vault: Vault, statement_id: int, paid_on: date, *, today: date | None = None) -> None:
    """Mark a statement's balance paid on ``paid_on``, with an event in the timeline."""
    row = vault.query("SELECT provider_id, due_date FROM statements WHERE id = ?", (statement_id,))
    if not row:
        raise due_not_found(DueKind.STATEMENT, statement_id)
    if today is not None and paid_on > today:
        raise InvalidInput(N_("The date {date} is in the future."), date=paid_on.isoformat())
    with vault.transaction() as conn:
        conn.execute("INSERT INTO statement_payments(statement_id, paid_on, marked_at) VALUES (?, ?, ?) "
                     "ON CONFLICT(statement_id) DO UPDATE SET paid_on = excluded.paid_on, "
                     "marked_at = excluded.marked_at", (statement_id, paid_on.isoformat(), repos.now_iso()))
        repos.append_event(conn, "statement_paid", f"{row[0][0]} (due {row[0][1]})", entity="statement",
                           entity_id=statement_id, on_date=paid_on)


def due_json(item: DueItem) -> dict[str, Any]:
    return {
        "id": item.id, "kind": item.kind.value, "key": item.key, "provider": item.provider_id,
        "account": item.account_label, "account_id": item.account_id, "merchant": item.merchant,
        "due_date": item.due_on.isoformat(), "amount": str(item.amount.amount), "currency": item.amount.currency,
        "status": item.status.value, "days_overdue": item.days_overdue, "grace_days": item.grace_days,
        "seq": item.seq, "count": item.count, "paid_on": item.paid_on.isoformat() if item.paid_on else None,
        "paid_by": item.paid_by.value if item.paid_by else None, "transaction_id": item.transaction_id,
    }


def week_json(w: WeekTotal) -> dict[str, Any]:
    return {"year": w.year, "week": w.week, "start": w.start.isoformat(), "end": w.end.isoformat(),
            "totals": {c: str(m.amount) for c, m in w.totals.items()}, "count": w.count,
            "providers": list(w.providers), "provider_count": w.provider_count, "stacking": w.stacking}


__all__: Sequence[str] = ["PAID_SINCE_DAYS", "RepaymentRule", "due_items", "due_json", "get_due", "load_dues",
                          "pay_installment", "pay_statement", "repayment_rule", "week_json", "weeks"]
