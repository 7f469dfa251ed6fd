"""Manual BNPL plans (for providers with no export: 拼多多 先用后付, Afterpay, Klarna app screens).

Decision: the installments split ``total + fee`` — what the user actually repays — to the cent, the rounding
remainder on the last installment; the fee is also stored on its own for the cost calculation.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from mybnpl.core.catalog import Catalog
from mybnpl.core.errors import InvalidInput, NotFound
from mybnpl.core.models import Installment, InstallmentStatus, Plan
from mybnpl.core.money import Money
from mybnpl.core.schedule import due_dates, parse_cadence
from mybnpl.i18n import N_
from mybnpl.vault import repos
from mybnpl.vault.db import Vault


def add_plan(vault: Vault, catalog: Catalog, *, provider_id: str, merchant: str, total: Money, installments: int,
             first_due: date, cadence: str, fee: Money | None = None, account_id: int | None = None) -> Plan:
    provider = catalog.get(provider_id)
    parse_cadence(cadence)
    if not 1 <= installments <= 120:
        raise InvalidInput(N_("The number of installments must be between 1 and 120."))
    if total.amount <= 0:
        raise InvalidInput(N_("The total must be more than zero."))
    fee = fee if fee is not None else Money.from_minor(0, total.currency)
    if fee.currency != total.currency or fee.amount < 0:
        raise InvalidInput(N_("The fee must be zero or more, in the plan's currency."))
    dates = due_dates(first_due, installments, cadence)
    amounts = (total + fee).split(installments)
    if account_id is None:
        row = vault.query("SELECT id FROM accounts WHERE provider_id = ? ORDER BY id LIMIT 1", (provider.id,))
        account_id = int(row[0][0]) if row else None
    with vault.transaction() as conn:
        if account_id is None:
            account_id = repos.insert_account(conn, provider.id, provider.default_label(), total.currency)
            repos.append_event(conn, "account_added", provider.id, entity="account", entity_id=account_id)
        plan_id = repos.insert_plan(conn, account_id=account_id, merchant=merchant.strip(), principal=total, fee=fee,
                                    first_due=first_due, cadence=cadence, due_dates=dates, amounts=amounts)
        repos.append_event(conn, "plan_added", f"{provider.id}: {merchant} {total} / {installments}",
                           entity="plan", entity_id=plan_id, on_date=first_due)
    return get_plan(vault, plan_id)


def get_plan(vault: Vault, plan_id: int) -> Plan:
    rows = vault.query("SELECT id, account_id, merchant, principal_minor, fee_minor, currency, n_installments, "
                       "first_due, cadence, created_at FROM plans WHERE id = ?", (plan_id,))
    if not rows:
        raise NotFound(N_("Plan {id} was not found."), id=plan_id)
    return _plan(vault, rows[0])


def _plan(vault: Vault, r: Any) -> Plan:
    from datetime import datetime

    inst = vault.query("SELECT id, plan_id, seq, due_on, amount_minor, currency, status, paid_on FROM installments "
                       "WHERE plan_id = ? ORDER BY seq", (r[0],))
    return Plan(id=r[0], account_id=r[1], merchant=r[2], principal=Money.from_minor(r[3], r[5]),
                fee=Money.from_minor(r[4], r[5]), n_installments=r[6], first_due=date.fromisoformat(r[7]),
                cadence=r[8], created_at=datetime.fromisoformat(r[9]),
                installments=tuple(Installment(i[0], i[1], i[2], date.fromisoformat(i[3]),
                                               Money.from_minor(i[4], i[5]), InstallmentStatus(i[6]),
                                               date.fromisoformat(i[7]) if i[7] else None) for i in inst))


def list_plans(vault: Vault, limit: int = 10_000) -> list[Plan]:
    rows = vault.query("SELECT id, account_id, merchant, principal_minor, fee_minor, currency, n_installments, "
                       "first_due, cadence, created_at FROM plans ORDER BY first_due DESC, id DESC LIMIT ?", (limit,))
    return [_plan(vault, r) for r in rows]


def plan_json(vault: Vault, p: Plan) -> dict[str, Any]:
    provider = vault.scalar("SELECT provider_id FROM accounts WHERE id = ?", (p.account_id,))
    return {
        "id": p.id, "provider": provider, "account_id": p.account_id, "merchant": p.merchant,
        "total": str(p.principal.amount), "fee": str(p.fee.amount), "currency": p.principal.currency,
        "cadence": p.cadence, "first_due": p.first_due.isoformat(),
        "installments": [{"id": i.id, "seq": i.seq, "due_date": i.due_on.isoformat(), "amount": str(i.amount.amount),
                          "status": i.status.value, "paid_on": i.paid_on.isoformat() if i.paid_on else None}
                         for i in p.installments],
    }
