"""Due-date commands: the schedule across providers, paying an installment, reminders and the calendar file."""

from __future__ import annotations

import argparse
import re
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from mybnpl.cli.base import Cli, Sub, pad, parse_date_arg
from mybnpl.core.catalog import Catalog
from mybnpl.core.errors import UsageError
from mybnpl.i18n import N_, _, ngettext, tr
from mybnpl.reminders.clock import at_day, local_now, local_zone
from mybnpl.reminders.model import DueItem
from mybnpl.reminders.plan import DEFAULT_OFFSETS
from mybnpl.reminders.weeks import WeekTotal
from mybnpl.services import due as due_svc
from mybnpl.services import reminders as remind_svc
from mybnpl.services.catalog import load_catalog
from mybnpl.services.names import provider_name
from mybnpl.vault.db import Vault

STATUS_LABELS = {"upcoming": N_("upcoming"), "due_today": N_("due today"), "grace": N_("in grace period"),
                 "overdue": N_("overdue"), "paid": N_("paid")}
STATE_LABELS = {"shown": N_("shown"), "dismissed": N_("dismissed"), "snoozed": N_("snoozed")}
_RELATIVE = re.compile(r"\+?(\d{1,4})\s*([mhd])\Z")


def _json_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help=_("print JSON on stdout"))


def add_parsers(cmd: Sub) -> None:
    d = cmd("due", _("what is due across every provider, late items first"), True)
    d.add_argument("--within", type=int, metavar="DAYS", help=_("only what is due in the next DAYS days (and late)"))
    d.add_argument("--overdue", action="store_true", help=_("only late items (in grace period or overdue)"))
    d.add_argument("--paid", action="store_true", help=_("also list what was paid in the last month"))
    d.add_argument("--weeks", type=int, metavar="N", help=_("totals per week for this week and the next N-1"))

    inst = cmd("installment", _("mark an installment paid"), False)
    i_sub = inst.add_subparsers(dest="installment_command", metavar="ACTION", required=True)
    pay = i_sub.add_parser("pay", help=_("mark an installment paid (by default today)"))
    pay.add_argument("id", type=int)
    pay.add_argument("--date", type=parse_date_arg, metavar="YYYY-MM-DD", help=_("the day you paid"))
    _json_flag(pay)

    r = cmd("remind", _("reminders of due dates and the calendar file"), False)
    r_sub = r.add_subparsers(dest="remind_command", metavar="ACTION", required=True)
    check = r_sub.add_parser("check", help=_("the reminders due now and not yet shown (marks them shown)"))
    check.add_argument("--peek", action="store_true", help=_("show them without marking them shown"))
    check.add_argument("--privacy", action="store_true", help=_("no amounts or provider names"))
    _json_flag(check)
    ics = r_sub.add_parser("ics", help=_("write the due dates as a calendar file (.ics) with alarms"))
    ics.add_argument("out", metavar="OUT.ics")
    ics.add_argument("--privacy", action="store_true", help=_("no amounts or provider names"))
    _json_flag(ics)
    dismiss = r_sub.add_parser("dismiss", help=_("never show this reminder again"))
    dismiss.add_argument("id", metavar="ID", help=_("a reminder id such as i12-3"))
    _json_flag(dismiss)
    snooze = r_sub.add_parser("snooze", help=_("show this reminder again later"))
    snooze.add_argument("id", metavar="ID", help=_("a reminder id such as i12-3"))
    snooze.add_argument("--until", required=True, metavar="WHEN",
                        help=_("YYYY-MM-DDTHH:MM (local time), or a delay such as 30m, 2h, 1d"))
    _json_flag(snooze)
    days = r_sub.add_parser("days", help=_("how many days before each due date an account reminds"))
    days.add_argument("--account", type=int, required=True, metavar="ID")
    days.add_argument("--set", metavar="3,1,0", help=_("days before the due date, comma-separated; none = off"))
    days.add_argument("--reset", action="store_true", help=_("back to the default (3, 1 and 0 days before)"))
    _json_flag(days)


def _line(i: DueItem, catalog: Catalog) -> str:
    status = _(STATUS_LABELS[i.status.value])
    if i.days_overdue:
        status += " " + ngettext("({n} day late)", "({n} days late)", i.days_overdue).format(n=i.days_overdue)
    return (f"{i.key:>7} {i.due_on.isoformat()} {pad(provider_name(catalog, i.provider_id), 18)} "
            f"{i.amount.format():>11}  {pad(status, 10)}  {i.merchant or i.account_label}")


def _week_line(w: WeekTotal) -> str:
    line = f"{w.year}-W{w.week:02d} {w.start.isoformat()}  " + ("  ".join(m.format() for m in w.totals.values())
                                                              or "-")
    if w.stacking:
        line += "  " + tr("stacking: {n} providers due this week", n=w.provider_count)
    return line


class DueCommands(Cli):
    def zone(self) -> tzinfo:
        return local_zone(self.env.environ)

    def now(self) -> datetime:
        """Now in the local zone; 09:00 local on --today's day when that is given (reproducible runs)."""
        return at_day(self.args.today, self.zone()) if self.args.today else local_now(self.zone())

    def _until(self, text: str) -> datetime:
        m = _RELATIVE.match(text.strip().lower())
        if m:
            n, unit = int(m.group(1)), m.group(2)
            return self.now() + timedelta(**{{"m": "minutes", "h": "hours", "d": "days"}[unit]: n})
        try:
            when = datetime.fromisoformat(text.strip())
        except ValueError:
            raise UsageError(N_("--until takes YYYY-MM-DDTHH:MM or a delay such as 30m, 2h or 1d")) from None
        return when if when.tzinfo is not None else when.replace(tzinfo=self.zone())

    def cmd_due(self) -> int:
        a = self.args
        if a.within is not None and not 0 <= a.within <= 3660:
            raise UsageError(N_("--within takes a number of days from 0 to 3660"))
        catalog = load_catalog()
        vault = self.open()
        try:
            if a.weeks is not None:
                if not 1 <= a.weeks <= 52:
                    raise UsageError(N_("--weeks takes a number from 1 to 52"))
                weeks = due_svc.weeks(vault, catalog, self.today(), a.weeks)
                self.emit([due_svc.week_json(w) for w in weeks], *(_week_line(w) for w in weeks))
                return 0
            items = due_svc.due_items(vault, catalog, self.today(), a.within, a.overdue, include_paid=a.paid)
        finally:
            vault.close()
        self.emit([due_svc.due_json(i) for i in items], *([_line(i, catalog) for i in items] or [_("Nothing is due.")]))
        return 0

    def cmd_installment(self) -> int:
        a = self.args
        paid_on = a.date or self.today()
        vault = self.open()
        try:
            inst = due_svc.pay_installment(vault, a.id, paid_on, today=self.today())
        finally:
            vault.close()
        self.emit({"id": inst.id, "status": inst.status.value, "paid_on": paid_on.isoformat(),
                   "due_date": inst.due_on.isoformat(), "amount": str(inst.amount.amount),
                   "currency": inst.amount.currency},
                  tr("Installment {id} marked paid on {date}.", id=inst.id, date=paid_on.isoformat()))
        return 0

    def cmd_remind(self) -> int:
        a = self.args
        catalog = load_catalog()
        vault = self.open()
        try:
            if a.remind_command == "check":
                now = self.now()
                notices = remind_svc.pending_reminders(vault, catalog, now, privacy=a.privacy)
                if not a.peek:
                    for n in notices:
                        remind_svc.mark_reminder(vault, n.id, "shown", now=now)
                self.emit([remind_svc.notice_json(n, a.privacy) for n in notices],
                          *([f"{n.id}: {n.title}\n    {n.body}" for n in notices] or [_("No reminders now.")]))
            elif a.remind_command == "ics":
                res = remind_svc.export_ics(vault, catalog, Path(a.out), self.today(), a.privacy, now=self.now())
                self.emit({"path": str(res.path), "events": res.events, "cancelled": res.cancelled},
                          ngettext("{n} due date written to {path}.", "{n} due dates written to {path}.",
                                   res.events).format(n=res.events, path=res.path))
            elif a.remind_command == "days":
                self._days(vault)
            else:
                until = self._until(a.until) if a.remind_command == "snooze" else None
                state = remind_svc.mark_reminder(vault, a.id, "dismissed" if until is None else "snoozed", until,
                                                 now=self.now())
                snoozed = state.snoozed_until.isoformat(timespec="minutes") if state.snoozed_until else None
                self.emit({"id": a.id.strip(), "state": state.state.value, "snoozed_until": snoozed},
                          tr("Reminder {id} snoozed until {until}.", id=a.id.strip(), until=snoozed) if snoozed
                          else tr("Reminder {id}: {state}.", id=a.id.strip(),
                                                         state=_(STATE_LABELS[state.state.value])))
        finally:
            vault.close()
        return 0

    def _days(self, vault: Vault) -> None:
        a = self.args
        if a.set is not None and a.reset:
            raise UsageError(N_("use either --set or --reset"))
        if a.reset:
            days = remind_svc.set_offsets(vault, a.account, None)
        elif a.set is not None:
            parts = [p.strip() for p in a.set.split(",") if p.strip()]
            if parts == ["none"] or parts == []:
                parts = []
            if not all(p.isdigit() for p in parts):
                raise UsageError(N_("--set takes whole days separated by commas, e.g. 3,1,0, or none"))
            days = remind_svc.set_offsets(vault, a.account, [int(p) for p in parts])
        else:
            days = remind_svc.get_offsets(vault, a.account)
        self.emit({"account_id": a.account, "days": list(days), "default": days == DEFAULT_OFFSETS},
                  tr("Account {id} reminds {days} days before each due date.", id=a.account,
                     days=", ".join(str(d) for d in days)) if days else
                  tr("Account {id} has no reminders.", id=a.account))
