"""The Dashboard's figures: open findings first, overdue, what is due in 7 and 30 days."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from mybnpl.core.models import Finding, FindingStatus, Severity
from mybnpl.core.money import Money
from mybnpl.vault.db import Vault


@dataclass(frozen=True)
class DueItem:
    installment_id: int
    due_on: date
    amount: Money
    provider_id: str
    account_label: str
    merchant: str
    days_overdue: int = 0


@dataclass(frozen=True)
class Dashboard:
    today: date
    accounts: int
    transactions: int
    bnpl_transactions: int
    open_findings: list[Finding] = field(default_factory=list)
    overdue: list[DueItem] = field(default_factory=list)  # the most overdue first, at most LIST_LIMIT
    overdue_count: int = 0
    due_7: list[DueItem] = field(default_factory=list)  # at most LIST_LIMIT
    due_7_count: int = 0
    due_30_count: int = 0
    due_30_totals: dict[str, Money] = field(default_factory=dict)


LIST_LIMIT = 100


_DUE_SQL = (
    "SELECT i.id, i.due_on, i.amount_minor, i.currency, a.provider_id, a.label, p.merchant "
    "FROM installments i JOIN plans p ON p.id = i.plan_id JOIN accounts a ON a.id = p.account_id "
    "WHERE i.status = 'due' AND i.due_on BETWEEN ? AND ? ORDER BY i.due_on, i.id LIMIT ?"
)
_SUM_SQL = (
    "SELECT i.currency, count(*), sum(i.amount_minor) FROM installments i "
    "WHERE i.status = 'due' AND i.due_on BETWEEN ? AND ? GROUP BY i.currency"
)


def _items(vault: Vault, start: date, end: date, today: date) -> list[DueItem]:
    out = []
    for r in vault.query(_DUE_SQL, (start.isoformat(), end.isoformat(), LIST_LIMIT)):
        due = date.fromisoformat(r[1])
        out.append(DueItem(r[0], due, Money.from_minor(r[2], r[3]), r[4], r[5], r[6], max(0, (today - due).days)))
    return out


def _finding(r: Any) -> Finding:
    return Finding(id=r[0], kind=r[1], severity=Severity(r[2]), provider_id=r[3], account_id=r[4],
                   first_seen=date.fromisoformat(r[5]), status=FindingStatus(r[6]), explanation_en=r[7],
                   explanation_zh=r[8], fingerprint=r[9], dismiss_reason=r[10])


def dashboard(vault: Vault, today: date) -> Dashboard:
    findings = [
        _finding(r)
        for r in vault.query(
            "SELECT id, kind, severity, provider_id, account_id, first_seen, status, explanation_en, "
            "explanation_zh, fingerprint, dismiss_reason FROM findings WHERE status != 'dismissed' "
            "ORDER BY CASE severity WHEN 'serious' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, first_seen DESC "
            "LIMIT 50"
        )
    ]
    past = (today - timedelta(days=3650), today - timedelta(days=1))
    week, month = (today, today + timedelta(days=7)), (today, today + timedelta(days=30))

    def sums(span: tuple[date, date]) -> tuple[int, dict[str, Money]]:
        rows = vault.query(_SUM_SQL, (span[0].isoformat(), span[1].isoformat()))
        return sum(int(r[1]) for r in rows), {r[0]: Money.from_minor(int(r[2]), r[0]) for r in rows}

    overdue_count, _ = sums(past)
    due_7_count, _ = sums(week)
    due_30_count, totals = sums(month)
    return Dashboard(
        today=today,
        accounts=int(vault.scalar("SELECT count(*) FROM accounts")),
        transactions=int(vault.scalar("SELECT count(*) FROM transactions")),
        bnpl_transactions=int(vault.scalar("SELECT count(*) FROM transactions WHERE bnpl_product IS NOT NULL")),
        open_findings=findings,
        overdue=_items(vault, *past, today),
        overdue_count=overdue_count,
        due_7=_items(vault, *week, today),
        due_7_count=due_7_count,
        due_30_count=due_30_count,
        due_30_totals=totals,
    )
