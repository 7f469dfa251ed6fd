"""Reminder planning. Pure: the clock (``now``, an aware datetime) and the stored states are passed in.

A reminder is one (due item, days before its due date) pair — its id is ``<item key>-<days>``, e.g. ``i12-3``
— and fires at a local time of day (09:00 by default) that many calendar days before the due date, in the
time zone of ``now``: 09:00 is 09:00 on the wall clock on both sides of a DST change.

What is pending at ``now``, per unpaid item: only its *current* reminder, the one that fired last (a machine
that slept through the 3-day and 1-day reminders shows the 1-day one, once, when it wakes), if it was never
shown or dismissed, or was snoozed until an instant that has passed. A dismissed or shown reminder never
comes back; the next offset is a new reminder. Catch-up stops ``CATCH_UP_DAYS`` after the due date: by then
the item's overdue status (Dashboard, ``mybnpl due --overdue``) says it better than a stale reminder.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from mybnpl.core.errors import InvalidInput
from mybnpl.i18n import N_
from mybnpl.reminders.model import DueItem, DueKind, DueStatus

DEFAULT_OFFSETS: tuple[int, ...] = (3, 1, 0)
MAX_OFFSET = 60
MAX_OFFSETS = 10
DEFAULT_TIME = time(9, 0)
CATCH_UP_DAYS = 7
LATE_AFTER = timedelta(minutes=15)  # a reminder shown this long after its time was caught up (the app was off)
_ID = re.compile(r"([is])([1-9][0-9]{0,17})-([0-9]{1,2})\Z")


class ReminderAction(StrEnum):
    SHOWN = "shown"
    DISMISSED = "dismissed"
    SNOOZED = "snoozed"


@dataclass(frozen=True)
class ReminderState:
    state: ReminderAction
    snoozed_until: datetime | None = None


@dataclass(frozen=True)
class Reminder:
    """A reminder to show now: the item (with its status now), how many days before its due date it was
    planned, when it was planned to fire, and whether it comes late (the machine was off) or from a snooze."""

    id: str
    item: DueItem
    offset: int
    fire_at: datetime  # aware, in the zone of the ``now`` it was planned with
    catch_up: bool = False
    snoozed: bool = False


def check_offsets(offsets: Iterable[int]) -> tuple[int, ...]:
    """Whole days before the due date, 0 to MAX_OFFSET, each once; returned largest first. ``()`` = none."""
    out = []
    for o in offsets:
        if isinstance(o, bool) or not isinstance(o, int) or not 0 <= o <= MAX_OFFSET:
            raise InvalidInput(N_("Reminder days must be whole numbers from 0 to {max}, not {value}."), max=MAX_OFFSET,
                               value=o)
        out.append(o)
    if len(set(out)) > MAX_OFFSETS:
        raise InvalidInput(N_("At most {max} reminders per due date."), max=MAX_OFFSETS)
    return tuple(sorted(set(out), reverse=True))


def reminder_id(item: DueItem, offset: int) -> str:
    return f"{item.key}-{offset}"


def parse_reminder_id(text: str) -> tuple[DueKind, int, int]:
    """``"i12-3"`` → (installment, 12, 3)."""
    m = _ID.match(text.strip())
    if not m or int(m.group(3)) > MAX_OFFSET:
        raise InvalidInput(N_("{text} is not a reminder id (like i12-3: installment 12, 3 days before)."), text=text)
    kind = DueKind.INSTALLMENT if m.group(1) == "i" else DueKind.STATEMENT
    return kind, int(m.group(2)), int(m.group(3))


def fire_at(due_on: date, offset: int, zone: tzinfo, at: time = DEFAULT_TIME) -> datetime:
    """The instant a reminder fires: ``at`` on the wall clock, ``offset`` calendar days before ``due_on``.
    A wall time inside a spring-forward gap fires at the same distance after the gap's start."""
    local = datetime.combine(due_on - timedelta(days=offset), at).replace(tzinfo=zone)
    return local.astimezone(UTC).astimezone(zone)


def aware(now: datetime, zone: tzinfo | None = None) -> datetime:
    """``now`` if it is aware; a naive one is read as wall time in ``zone`` (default: the system's)."""
    if now.tzinfo is not None and now.utcoffset() is not None:
        return now
    return now.replace(tzinfo=zone) if zone is not None else now.astimezone()


def pending(items: Sequence[DueItem], offsets_for: Callable[[DueItem], Sequence[int]],
            states: Mapping[str, ReminderState], now: datetime, at: time = DEFAULT_TIME,
            catch_up_days: int = CATCH_UP_DAYS) -> list[Reminder]:
    """The reminders to show at ``now`` (rules in the module docstring), the earliest due first."""
    now = aware(now)
    zone = now.tzinfo
    assert zone is not None
    today = now.date()
    out = []
    for item in items:
        if item.status is DueStatus.PAID or (today - item.due_on).days > catch_up_days:
            continue
        fired = [(fire_at(item.due_on, o, zone, at), o) for o in offsets_for(item)]
        fired = [(t, o) for t, o in fired if t <= now]
        if not fired:
            continue
        when, offset = max(fired)
        rid = reminder_id(item, offset)
        st = states.get(rid)
        snoozed = st is not None and st.state is ReminderAction.SNOOZED
        if st is not None and not (snoozed and st.snoozed_until is not None and st.snoozed_until <= now):
            continue
        catch_up = not snoozed and now - when > LATE_AFTER
        out.append(Reminder(rid, item, offset, when, catch_up=catch_up, snoozed=snoozed))
    out.sort(key=lambda r: (r.item.due_on, r.item.kind.value, r.item.id))
    return out


def next_state(old: ReminderState | None, action: ReminderAction, until: datetime | None) -> ReminderState:
    """The state after ``action``: dismissed is final; snoozing needs an instant to come back at."""
    if old is not None and old.state is ReminderAction.DISMISSED:
        return old
    if action is ReminderAction.SNOOZED:
        if until is None:
            raise InvalidInput(N_("Snoozing needs the time to remind again."))
        return ReminderState(action, aware(until))
    return ReminderState(action)
