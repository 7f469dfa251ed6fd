"""Notification and calendar text for a due item, in the current language.

Privacy mode (for lock screens and shared calendars) leaves out amounts, provider and merchant names: only
that *a payment* is due, and when.
"""

from __future__ import annotations

from datetime import date

from mybnpl.i18n import _, ngettext
from mybnpl.reminders.model import DueItem, DueKind


def when_title(item: DueItem, today: date, provider: str, privacy: bool) -> str:
    """One line: who, how much and when relative to ``today`` ("Klarna: £25.00 due in 3 days")."""
    days = (item.due_on - today).days
    if privacy:
        if days > 1:
            text = ngettext("A payment is due in {n} day", "A payment is due in {n} days", days)
        elif days == 1:
            text = _("A payment is due tomorrow")
        elif days == 0:
            text = _("A payment is due today")
        else:
            text = ngettext("A payment is overdue by {n} day", "A payment is overdue by {n} days", -days)
        return text.format(n=abs(days))
    if days > 1:
        text = ngettext("{provider}: {amount} due in {n} day", "{provider}: {amount} due in {n} days", days)
    elif days == 1:
        text = _("{provider}: {amount} due tomorrow")
    elif days == 0:
        text = _("{provider}: {amount} due today")
    else:
        text = ngettext("{provider}: {amount} overdue by {n} day", "{provider}: {amount} overdue by {n} days",
                        -days)
    return text.format(provider=provider, amount=item.amount.format(), n=abs(days))


def detail(item: DueItem, privacy: bool) -> str:
    """The second line: what the payment is for and its due date."""
    day = item.due_on.isoformat()
    if privacy:
        return _("Due {date}. Open mybnpl for the details.").format(date=day)
    if item.kind is DueKind.STATEMENT:
        return _("Statement balance, due {date}").format(date=day)
    if item.seq is not None and item.count is not None:
        return _("{merchant}: installment {seq} of {count}, due {date}").format(
            merchant=item.merchant or _("plan"), seq=item.seq, count=item.count, date=day)
    return _("{merchant}, due {date}").format(merchant=item.merchant or _("plan"), date=day)


def event_summary(item: DueItem, provider: str, privacy: bool) -> str:
    """A calendar event's title (the event's date says when)."""
    if privacy:
        return _("Payment due")
    return _("{provider}: {amount} due").format(provider=provider, amount=item.amount.format())


def alarm_text(privacy: bool, provider: str) -> str:
    return _("A payment is due") if privacy else _("{provider} payment due").format(provider=provider)
