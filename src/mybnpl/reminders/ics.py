"""The calendar export: an iCalendar (RFC 5545) document of the dues, built with ``icalendar``. Pure: bytes out.

* One all-day event per unpaid due (``DTSTART;VALUE=DATE``), with one display alarm per reminder offset at the
  reminder time of day (09:00 three days before = ``TRIGGER:-P2DT15H`` from the day's start).
* UIDs are stable — ``installment-<id>@mybnpl.<token>`` / ``statement-<id>@…``, the token a random id kept in
  the vault — so importing a newer export updates the events instead of duplicating them.
* A recently paid due is exported once more as ``STATUS:CANCELLED`` (``SEQUENCE:1``), so the re-import takes it
  off the calendar.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time, timedelta

from icalendar import Alarm, Calendar, Event

from mybnpl.i18n import _
from mybnpl.reminders.model import DueItem, DueKind, DueStatus
from mybnpl.reminders.plan import DEFAULT_TIME
from mybnpl.reminders.text import alarm_text, detail, event_summary

PRODID = "-//mybnpl//mybnpl due dates//EN"


def uid(item: DueItem, token: str) -> str:
    kind = "installment" if item.kind is DueKind.INSTALLMENT else "statement"
    return f"{kind}-{item.id}@mybnpl.{token}"


def trigger(offset: int, at: time = DEFAULT_TIME) -> timedelta:
    """The alarm's offset from the start of the all-day event: ``at`` o'clock, ``offset`` days before."""
    return timedelta(days=-offset, hours=at.hour, minutes=at.minute)


def build_ics(entries: Sequence[tuple[DueItem, Sequence[int]]], *, token: str, now: datetime, privacy: bool,
              provider_name: Callable[[str], str], at: time = DEFAULT_TIME) -> bytes:
    """The document for ``entries`` — (item, reminder offsets) pairs; paid items become cancellations."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _("mybnpl: payments due"))
    stamp = now.astimezone(UTC).replace(microsecond=0)
    for item, offsets in sorted(entries, key=lambda e: (e[0].due_on, e[0].kind.value, e[0].id)):
        name = provider_name(item.provider_id)
        ev = Event()
        ev.add("uid", uid(item, token))
        ev.add("dtstamp", stamp)
        ev.add("dtstart", item.due_on)
        ev.add("dtend", item.due_on + timedelta(days=1))
        ev.add("summary", event_summary(item, name, privacy))
        ev.add("description", detail(item, privacy))
        ev.add("transp", "TRANSPARENT")
        if item.status is DueStatus.PAID:
            ev.add("status", "CANCELLED")
            ev.add("sequence", 1)
        else:
            ev.add("status", "CONFIRMED")
            ev.add("sequence", 0)
            for offset in sorted(set(offsets), reverse=True):
                alarm = Alarm()
                alarm.add("action", "DISPLAY")
                alarm.add("description", alarm_text(privacy, name))
                alarm.add("trigger", trigger(offset, at))
                ev.add_component(alarm)
        cal.add_component(ev)
    return bytes(cal.to_ical())
