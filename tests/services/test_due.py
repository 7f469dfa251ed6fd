"""The due schedule, paying, reminders and the calendar export on real SQLCipher vaults."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from mybnpl.core.errors import InvalidInput, NotFound
from mybnpl.core.models import Direction
from mybnpl.core.money import Money
from mybnpl.reminders.model import DueKind, DueStatus, PaidBy
from mybnpl.reminders.plan import ReminderAction
from mybnpl.services import due as svc
from mybnpl.services import plans
from mybnpl.services import reminders as rem
from mybnpl.services.catalog import load_catalog
from mybnpl.vault import repos
from mybnpl.vault.db import Vault

TODAY = date(2026, 11, 30)
LONDON = ZoneInfo("Europe/London")
CAT = load_catalog()


def _plan(vault: Vault, provider: str, total: str, n: int, first: date, every: str = "1m",
          currency: str | None = None) -> list[int]:
    cur = currency or CAT.get(provider).currency
    p = plans.add_plan(vault, CAT, provider_id=provider, merchant=f"shop {provider}", total=Money.parse(total, cur),
                       installments=n, first_due=first, cadence=every)
    return [i.id for i in p.installments]


def _tx(vault: Vault, day: date, amount: str, currency: str, direction: Direction, merchant: str,
        account_id: int | None = None, bnpl: str | None = None) -> None:
    with vault.transaction() as conn:
        repos.insert_transactions(conn, [repos.NewTransaction(
            posted_on=day, amount=Money.parse(amount, currency), direction=direction, merchant=merchant,
            bnpl_product=bnpl, account_id=account_id, external_id=f"{merchant}-{day}-{amount}")])


def _statement(vault: Vault, account_id: int, provider: str, due_on: date, total: str, currency: str = "CNY") -> int:
    with vault.transaction() as conn:
        cur = conn.execute(
            "INSERT INTO statements(account_id, provider_id, format, imported_at, due_date, total_due_minor, currency)"
            " VALUES (?, ?, 'test', ?, ?, ?, ?)",
            (account_id, provider, repos.now_iso(), due_on.isoformat(), Money.parse(total, currency).minor,
             currency))
        return int(cur.lastrowid)


def _account(vault: Vault, provider: str) -> int:
    return int(vault.scalar("SELECT id FROM accounts WHERE provider_id = ? ORDER BY id LIMIT 1", (provider,)))


def test_statuses_across_providers_late_first(vault: Vault) -> None:
    k = _plan(vault, "klarna", "100", 4, date(2026, 11, 20), "2w", "GBP")  # Nov 20, Dec 4, Dec 18, Jan 1
    h = _plan(vault, "huabei", "300", 3, date(2026, 11, 10))  # Nov 10, Dec 10, Jan 10
    items = svc.due_items(vault, CAT, TODAY)
    by_id = {i.id: i for i in items}
    assert (by_id[k[0]].status, by_id[k[0]].days_overdue, by_id[k[0]].grace_days) == (DueStatus.OVERDUE, 10, 7)
    assert (by_id[h[0]].status, by_id[h[0]].days_overdue, by_id[h[0]].grace_days) == (DueStatus.OVERDUE, 20, None)
    assert by_id[k[1]].status is DueStatus.UPCOMING
    assert [i.id for i in items[:2]] == [h[0], k[0]]  # most overdue first
    assert [i.id for i in items[2:]] == [k[1], h[1], k[2], k[3], h[2]]  # then by date
    within = svc.due_items(vault, CAT, TODAY, within_days=10)
    assert [i.id for i in within] == [h[0], k[0], k[1], h[1]]
    assert [i.id for i in svc.due_items(vault, CAT, TODAY, overdue_only=True)] == [h[0], k[0]]
    # Klarna's UK grace period: five days after the due date it is "grace", not yet "overdue".
    assert svc.get_due(vault, CAT, DueKind.INSTALLMENT, k[1], date(2026, 12, 9)).status is DueStatus.GRACE
    assert svc.get_due(vault, CAT, DueKind.INSTALLMENT, k[1], date(2026, 12, 4)).status is DueStatus.DUE_TODAY
    j = svc.due_json(by_id[k[0]])
    assert {k: j[k] for k in ("provider", "due_date", "amount", "currency", "status", "days_overdue")} == {
        "provider": "klarna", "due_date": "2026-11-20", "amount": "25.00", "currency": "GBP", "status": "overdue",
        "days_overdue": 10}
    with pytest.raises(InvalidInput):
        svc.due_items(vault, CAT, TODAY, within_days=-1)


def test_pay_by_hand_is_logged_and_correctable(vault: Vault) -> None:
    ids = _plan(vault, "huabei", "300", 3, date(2026, 11, 10))
    inst = svc.pay_installment(vault, ids[0], date(2026, 11, 12), today=TODAY)
    assert (inst.status.value, inst.paid_on, inst.due_on) == ("paid", date(2026, 11, 12), date(2026, 11, 10))
    assert [i.id for i in svc.due_items(vault, CAT, TODAY)] == ids[1:]
    paid = svc.due_items(vault, CAT, TODAY, include_paid=True)
    assert (paid[-1].id, paid[-1].status, paid[-1].paid_by) == (ids[0], DueStatus.PAID, PaidBy.HAND)
    svc.pay_installment(vault, ids[0], date(2026, 11, 11))  # corrects the date
    assert svc.get_due(vault, CAT, DueKind.INSTALLMENT, ids[0], TODAY).paid_on == date(2026, 11, 11)
    events = [e for e in repos.list_events(vault) if e.kind == "installment_paid"]
    assert len(events) == 2 and events[0].entity_id == ids[0] and "huabei" in events[0].summary
    with pytest.raises(NotFound):
        svc.pay_installment(vault, 9999, TODAY)
    with pytest.raises(InvalidInput, match="future"):
        svc.pay_installment(vault, ids[1], TODAY + timedelta(days=1), today=TODAY)
    with vault.transaction() as conn:
        conn.execute("UPDATE installments SET status = 'waived' WHERE id = ?", (ids[2],))
    with pytest.raises(InvalidInput, match="waived"):
        svc.pay_installment(vault, ids[2], TODAY)
    assert ids[2] not in [i.id for i in svc.due_items(vault, CAT, TODAY)]


def test_repayment_rows_mark_dues_paid(vault: Vault) -> None:
    ids = _plan(vault, "huabei", "300", 3, date(2026, 10, 10))  # Oct 10, Nov 10, Dec 10
    acc = _account(vault, "huabei")
    _tx(vault, date(2026, 10, 9), "100.00", "CNY", Direction.OUT, "花呗还款")  # the text names the provider
    _tx(vault, date(2026, 11, 10), "100.00", "CNY", Direction.OUT, "信用卡还款", acc)  # a credit card: not it
    _tx(vault, date(2026, 11, 12), "40.00", "CNY", Direction.OUT, "花呗还款")  # too little
    k = _plan(vault, "klarna", "50", 2, date(2026, 11, 1), "2w", "GBP")
    kacc = _account(vault, "klarna")
    _tx(vault, date(2026, 11, 2), "25.00", "GBP", Direction.IN, "Payment received", kacc, bnpl="klarna")
    _tx(vault, date(2026, 11, 16), "25.00", "GBP", Direction.IN, "Refund", kacc, bnpl="klarna")
    items = {i.id: i for i in svc.due_items(vault, CAT, TODAY, include_paid=True, paid_since=date(2026, 1, 1))}
    first = items[ids[0]]
    assert (first.status, first.paid_on, first.paid_by) == (DueStatus.PAID, date(2026, 10, 9), PaidBy.TRANSACTION)
    assert first.transaction_id is not None
    assert items[ids[1]].status is DueStatus.OVERDUE
    assert items[k[0]].status is DueStatus.PAID
    assert (items[k[1]].status, items[k[1]].paid_on) == (DueStatus.OVERDUE, None)  # a refund is no repayment
    assert [i.id for i in svc.due_items(vault, CAT, TODAY)] == [ids[1], k[1], ids[2]]


def test_latest_statement_per_account_and_paying_it(vault: Vault) -> None:
    _plan(vault, "jd_baitiao", "100", 1, date(2027, 3, 1))
    acc = _account(vault, "jd_baitiao")
    old = _statement(vault, acc, "jd_baitiao", date(2026, 11, 10), "500")
    new = _statement(vault, acc, "jd_baitiao", date(2026, 12, 10), "800")
    stmts = [i for i in svc.due_items(vault, CAT, TODAY) if i.kind is DueKind.STATEMENT]
    assert [(i.id, i.amount) for i in stmts] == [(new, Money.parse("800", "CNY"))]  # the old bill is superseded
    assert old not in [i.id for i in stmts]
    svc.pay_statement(vault, new, date(2026, 11, 29), today=TODAY)
    assert [i for i in svc.due_items(vault, CAT, TODAY) if i.kind is DueKind.STATEMENT] == []
    assert svc.get_due(vault, CAT, DueKind.STATEMENT, new, TODAY).paid_by is PaidBy.HAND
    with pytest.raises(NotFound):
        svc.pay_statement(vault, 999, TODAY)


def test_week_totals_flag_stacking(vault: Vault) -> None:
    _plan(vault, "klarna", "40", 2, date(2026, 12, 2), "2w", "GBP")  # Dec 2, Dec 16
    _plan(vault, "huabei", "300", 1, date(2026, 12, 5))
    _plan(vault, "jd_baitiao", "100", 1, date(2026, 12, 17))
    w = svc.weeks(vault, CAT, TODAY, 3)
    assert [(x.week, x.count, x.provider_count, x.stacking) for x in w] == [(49, 2, 2, True), (50, 0, 0, False),
                                                                         (51, 2, 2, True)]
    assert svc.week_json(w[0])["totals"] == {"CNY": "300.00", "GBP": "20.00"}


def test_offsets_per_account(vault: Vault) -> None:
    _plan(vault, "huabei", "300", 1, date(2026, 12, 5))
    acc = _account(vault, "huabei")
    assert rem.get_offsets(vault, acc) == (3, 1, 0)
    assert rem.set_offsets(vault, acc, [0, 7]) == (7, 0)
    assert rem.get_offsets(vault, acc) == (7, 0) and rem.all_offsets(vault) == {acc: (7, 0)}
    assert rem.set_offsets(vault, acc, []) == ()
    assert rem.set_offsets(vault, acc, None) == (3, 1, 0) and rem.all_offsets(vault) == {}
    with pytest.raises(InvalidInput):
        rem.set_offsets(vault, acc, [99])
    with pytest.raises(NotFound):
        rem.set_offsets(vault, 999, [1])


def test_tray_path_pending_shown_dismissed_snoozed(vault: Vault) -> None:
    [a] = _plan(vault, "klarna", "25", 1, date(2026, 12, 3), "2w", "GBP")
    [b] = _plan(vault, "huabei", "300", 1, date(2026, 12, 1))
    now = datetime(2026, 11, 30, 9, 0, tzinfo=LONDON)
    pending = rem.pending_reminders(vault, CAT, now)
    assert [(n.id, n.title) for n in pending] == [(f"i{b}-1", "Huabei (Alipay): ¥300.00 due tomorrow"),
                                                  (f"i{a}-3", "Klarna: £25.00 due in 3 days")]
    assert pending[1].body == "shop klarna: installment 1 of 1, due 2026-12-03"
    for n in pending:
        rem.mark_reminder(vault, n.id, "shown", now=now)
    assert rem.pending_reminders(vault, CAT, now + timedelta(minutes=1)) == []
    # Next day: the due-today reminder for b, the 2-day-later one for a does not exist (offsets 3, 1, 0).
    nxt = rem.pending_reminders(vault, CAT, datetime(2026, 12, 1, 9, 0, tzinfo=LONDON))
    assert [n.id for n in nxt] == [f"i{b}-0"]
    rem.mark_reminder(vault, f"i{b}-0", ReminderAction.DISMISSED)
    assert rem.mark_reminder(vault, f"i{b}-0", "snoozed", datetime(2026, 12, 1, 10, tzinfo=LONDON)).state is \
        ReminderAction.DISMISSED  # dismissed is final
    # Snooze a's 1-day reminder by an hour.
    day2 = datetime(2026, 12, 2, 9, 0, tzinfo=LONDON)
    [n] = rem.pending_reminders(vault, CAT, day2, privacy=True)
    assert n.id == f"i{a}-1" and n.title == "A payment is due tomorrow" and "Klarna" not in n.body
    rem.mark_reminder(vault, n.id, "snoozed", day2 + timedelta(hours=1))
    assert rem.pending_reminders(vault, CAT, day2 + timedelta(minutes=59)) == []
    [back] = rem.pending_reminders(vault, CAT, day2 + timedelta(hours=1))
    assert back.id == n.id and back.reminder.snoozed
    assert rem.notice_json(back, privacy=True).keys().isdisjoint({"provider", "amount"})
    with pytest.raises(NotFound):
        rem.mark_reminder(vault, "i999-1", "shown")
    with pytest.raises(InvalidInput):
        rem.mark_reminder(vault, "nonsense", "shown")


def test_slept_machine_catches_up_once_and_paid_items_stay_quiet(vault: Vault) -> None:
    [a, b] = _plan(vault, "huabei", "200", 2, date(2026, 12, 3), "1w")  # Dec 3, Dec 10
    woke = datetime(2026, 12, 5, 8, 0, tzinfo=LONDON)  # off since Nov 29
    [n] = rem.pending_reminders(vault, CAT, woke)
    assert (n.id, n.reminder.catch_up, n.item.days_overdue) == (f"i{a}-0", True, 2)
    assert n.title == "Huabei (Alipay): ¥100.00 overdue by 2 days"
    svc.pay_installment(vault, a, date(2026, 12, 5))
    assert rem.pending_reminders(vault, CAT, woke) == []
    # A week past the catch-up window: nothing pops up; the overdue status says it.
    assert rem.pending_reminders(vault, CAT, datetime(2026, 12, 20, 9, tzinfo=LONDON)) == []
    assert [i.id for i in svc.due_items(vault, CAT, date(2026, 12, 20), overdue_only=True)] == [b]


def test_ics_export_is_stable_and_follows_the_offsets(vault: Vault, tmp_path: Path) -> None:
    ids = _plan(vault, "klarna", "75", 3, date(2026, 12, 4), "2w", "GBP")
    rem.set_offsets(vault, _account(vault, "klarna"), [5, 0])
    out = tmp_path / "dues.ics"
    res = rem.export_ics(vault, CAT, out, TODAY)
    assert (res.path, res.events, res.cancelled) == (out, 3, 0)
    assert out.stat().st_mode & 0o077 == 0

    def parse() -> dict[str, object]:
        cal = Calendar.from_ical(out.read_bytes())
        return {str(e["UID"]): e for e in cal.walk("VEVENT")}

    first = parse()
    assert len(first) == 3 and all(u.startswith("installment-") and "@mybnpl." in u for u in first)
    ev = first[f"installment-{ids[0]}@mybnpl.{rem.ics_token(vault)}"]
    assert ev.decoded("DTSTART") == date(2026, 12, 4)  # type: ignore[attr-defined]
    assert sorted(a.decoded("TRIGGER") for a in ev.walk("VALARM")) == [  # type: ignore[attr-defined]
        timedelta(days=-5, hours=9), timedelta(hours=9)]
    svc.pay_installment(vault, ids[0], TODAY)
    res2 = rem.export_ics(vault, CAT, out, TODAY)
    assert (res2.events, res2.cancelled) == (2, 1)
    second = parse()
    assert set(second) == set(first)  # same UIDs: a re-import updates, never duplicates
    assert str(second[f"installment-{ids[0]}@mybnpl.{rem.ics_token(vault)}"]["STATUS"]) == "CANCELLED"  # type: ignore[index]
    private = rem.export_ics(vault, CAT, tmp_path / "p.ics", TODAY, privacy=True)
    assert "Klarna" not in private.path.read_text()
