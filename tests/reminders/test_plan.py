"""Reminder planning with a fake clock: offsets, DST days, a machine that slept, dismiss, snooze, privacy."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from mybnpl.core.errors import InvalidInput
from mybnpl.reminders.model import DueItem, DueKind, DueStatus
from mybnpl.reminders.plan import (
    CATCH_UP_DAYS,
    DEFAULT_OFFSETS,
    Reminder,
    ReminderAction,
    ReminderState,
    check_offsets,
    fire_at,
    next_state,
    parse_reminder_id,
    pending,
)
from mybnpl.reminders.text import detail, when_title

from .helpers import item

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _pending(items: list[DueItem], now: datetime, states: Mapping[str, ReminderState] | None = None,
             offsets: tuple[int, ...] = DEFAULT_OFFSETS) -> list[Reminder]:
    today = now.date()
    evaluated = [item(i.due_on, id=i.id, today=today, paid_on=i.paid_on) for i in items]
    return pending(evaluated, lambda _i: offsets, states or {}, now)


# -- when a reminder fires -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("zone", "day", "utc_hour"), [
    (LONDON, date(2026, 3, 28), 9),  # GMT, the day before the change
    (LONDON, date(2026, 3, 29), 8),  # clocks go forward at 01:00: 09:00 BST is 08:00 UTC
    (LONDON, date(2026, 10, 25), 9),  # clocks go back at 02:00: 09:00 GMT again
    (NEW_YORK, date(2026, 3, 7), 14),  # EST
    (NEW_YORK, date(2026, 3, 8), 13),  # EDT from 02:00
    (NEW_YORK, date(2026, 11, 1), 14),  # EST again from 02:00
])
def test_reminders_fire_at_nine_on_the_wall_clock_on_dst_days(zone: ZoneInfo, day: date, utc_hour: int) -> None:
    when = fire_at(day, 0, zone)
    assert (when.hour, when.minute, when.date()) == (9, 0, day)
    assert when.astimezone(UTC) == datetime(day.year, day.month, day.day, utc_hour, tzinfo=UTC)
    # Three days ahead of a due date on the DST day itself: still 09:00 local on the earlier day.
    assert fire_at(day + timedelta(days=3), 3, zone) == when


def test_a_wall_time_inside_the_spring_gap_fires_just_after_it() -> None:
    when = fire_at(date(2026, 3, 29), 0, LONDON, time(1, 30))  # 01:00–02:00 does not exist that night
    assert when.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert (when.hour, when.minute) == (2, 30)


@pytest.mark.parametrize(("zone", "day"), [
    (LONDON, date(2026, 3, 29)), (LONDON, date(2026, 10, 25)),
    (NEW_YORK, date(2026, 3, 8)), (NEW_YORK, date(2026, 11, 1)),
])
def test_pending_flips_at_the_right_instant_on_a_dst_day(zone: ZoneInfo, day: date) -> None:
    due = [item(day, id=7)]
    nine = datetime.combine(day, time(9, 0), zone)
    # The clock as the tray sees it: UTC instants shown in the local zone (an hour off would fire early/late).
    just_before = (nine.astimezone(UTC) - timedelta(seconds=1)).astimezone(zone)
    assert just_before.hour == 8
    assert _pending(due, just_before, offsets=(0,)) == []
    [r] = _pending(due, nine.astimezone(UTC).astimezone(zone), offsets=(0,))
    assert (r.id, r.catch_up, r.item.status) == ("i7-0", False, DueStatus.DUE_TODAY)


def test_only_the_current_reminder_is_pending() -> None:
    due = [item(date(2026, 12, 10), id=1)]
    assert _pending(due, datetime(2026, 12, 7, 8, 0, tzinfo=SHANGHAI)) == []
    assert [r.offset for r in _pending(due, datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI))] == [3]
    assert [r.offset for r in _pending(due, datetime(2026, 12, 9, 12, 0, tzinfo=SHANGHAI))] == [1]
    assert [r.offset for r in _pending(due, datetime(2026, 12, 10, 9, 0, tzinfo=SHANGHAI))] == [0]
    assert _pending(due, datetime(2026, 12, 10, 9, 0, tzinfo=SHANGHAI), offsets=()) == []
    paid = [item(date(2026, 12, 10), id=1, paid_on=date(2026, 12, 8))]
    assert _pending(paid, datetime(2026, 12, 10, 9, 0, tzinfo=SHANGHAI)) == []


def test_a_machine_that_slept_over_the_due_date_shows_one_catch_up_reminder() -> None:
    due = [item(date(2026, 12, 10), id=1)]
    woke = datetime(2026, 12, 12, 10, 0, tzinfo=LONDON)  # off from the 6th to the 12th
    [r] = _pending(due, woke)
    assert (r.id, r.catch_up, r.item.status, r.item.days_overdue) == ("i1-0", True, DueStatus.OVERDUE, 2)
    assert r.fire_at == datetime(2026, 12, 10, 9, 0, tzinfo=LONDON)
    assert "overdue by 2 days" in when_title(r.item, woke.date(), "Klarna", privacy=False)
    # Shown once: not again at the next check.
    assert _pending(due, woke + timedelta(minutes=5), {r.id: ReminderState(ReminderAction.SHOWN)}) == []
    # Past the catch-up window the overdue status speaks instead.
    assert _pending(due, datetime(2026, 12, 10 + CATCH_UP_DAYS, 23, 0, tzinfo=LONDON))
    assert _pending(due, datetime(2026, 12, 11 + CATCH_UP_DAYS, 9, 0, tzinfo=LONDON)) == []


def test_dismissed_never_repeats_but_the_next_offset_is_a_new_reminder() -> None:
    due = [item(date(2026, 12, 10), id=1)]
    states = {"i1-3": ReminderState(ReminderAction.DISMISSED)}
    for hours in (0, 1, 24, 40):
        assert _pending(due, datetime(2026, 12, 7, 9, tzinfo=LONDON) + timedelta(hours=hours), states) == []
    assert [r.id for r in _pending(due, datetime(2026, 12, 9, 9, tzinfo=LONDON), states)] == ["i1-1"]
    # Dismissed is final: a later "shown" or "snoozed" does not bring it back.
    dismissed = states["i1-3"]
    assert next_state(dismissed, ReminderAction.SNOOZED, datetime(2026, 12, 8, tzinfo=UTC)) is dismissed
    assert next_state(dismissed, ReminderAction.SHOWN, None) is dismissed


def test_snooze_brings_a_reminder_back_once_its_time_comes() -> None:
    due = [item(date(2026, 12, 10), id=1)]
    until = datetime(2026, 12, 7, 18, 0, tzinfo=LONDON)
    states = {"i1-3": next_state(None, ReminderAction.SNOOZED, until)}
    assert _pending(due, until - timedelta(minutes=1), states) == []
    [r] = _pending(due, until, states)
    assert (r.id, r.snoozed, r.catch_up) == ("i1-3", True, False)
    with pytest.raises(InvalidInput, match="Snoozing needs"):
        next_state(None, ReminderAction.SNOOZED, None)
    # Snoozed past the next offset: the newer reminder is the one that shows.
    late = {"i1-3": next_state(None, ReminderAction.SNOOZED, datetime(2026, 12, 9, 12, tzinfo=LONDON))}
    assert [r.id for r in _pending(due, datetime(2026, 12, 9, 12, tzinfo=LONDON), late)] == ["i1-1"]


def test_notification_text_and_privacy_mode() -> None:
    it = item(date(2026, 12, 10), "25.00", "GBP", today=date(2026, 12, 7), merchant="ASOS")
    assert when_title(it, date(2026, 12, 7), "Klarna", False) == "Klarna: £25.00 due in 3 days"
    assert when_title(it, date(2026, 12, 9), "Klarna", False) == "Klarna: £25.00 due tomorrow"
    assert when_title(it, date(2026, 12, 10), "Klarna", False) == "Klarna: £25.00 due today"
    assert when_title(it, date(2026, 12, 11), "Klarna", False) == "Klarna: £25.00 overdue by 1 day"
    assert detail(it, False) == "ASOS: installment 2 of 4, due 2026-12-10"
    for today in (date(2026, 12, 7), date(2026, 12, 9), date(2026, 12, 10), date(2026, 12, 12)):
        private = when_title(it, today, "Klarna", True) + " " + detail(it, True)
        assert "Klarna" not in private and "25" not in private and "ASOS" not in private and "£" not in private
        assert "payment" in private.lower()
    stmt = item(date(2026, 12, 10), kind=DueKind.STATEMENT)
    assert detail(stmt, False) == "Statement balance, due 2026-12-10"


def test_offsets_and_ids() -> None:
    assert check_offsets([0, 3, 1, 3]) == (3, 1, 0)
    assert check_offsets([]) == ()
    for bad in ([-1], [61], [True], ["3"]):
        with pytest.raises(InvalidInput):
            check_offsets(bad)  # type: ignore[arg-type]
    assert parse_reminder_id("i12-3") == (DueKind.INSTALLMENT, 12, 3)
    assert parse_reminder_id(" s4-0 ") == (DueKind.STATEMENT, 4, 0)
    for bad_id in ("12-3", "i12", "x1-1", "i0-1", "i1-99", "i1--1"):
        with pytest.raises(InvalidInput):
            parse_reminder_id(bad_id)
