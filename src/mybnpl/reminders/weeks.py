"""What is due per ISO week across every provider (the Dashboard's week strip). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from mybnpl.core.money import Money
from mybnpl.reminders.model import DueItem, DueStatus

STACKING_PROVIDERS = 2  # this many providers due in one week is a stacking warning


@dataclass(frozen=True)
class WeekTotal:
    """Unpaid dues in one ISO week (Monday to Sunday)."""

    year: int  # ISO year and week number
    week: int
    start: date
    end: date
    totals: dict[str, Money] = field(default_factory=dict)  # per currency
    count: int = 0  # dues
    providers: tuple[str, ...] = ()  # provider ids, sorted
    stacking: bool = False  # at least STACKING_PROVIDERS providers due this week

    @property
    def provider_count(self) -> int:
        return len(self.providers)


def week_totals(items: Sequence[DueItem], today: date, weeks: int = 4,
                stacking_providers: int = STACKING_PROVIDERS) -> list[WeekTotal]:
    """``weeks`` weeks from the one holding ``today``; each with the unpaid dues that fall in it (those of
    this week already late included: they still have to be paid)."""
    monday = today - timedelta(days=today.weekday())
    out = []
    for n in range(max(0, weeks)):
        start = monday + timedelta(days=7 * n)
        end = start + timedelta(days=6)
        inside = [i for i in items if start <= i.due_on <= end and i.status is not DueStatus.PAID]
        totals: dict[str, Money] = {}
        for i in inside:
            cur = i.amount.currency
            totals[cur] = totals[cur] + i.amount if cur in totals else i.amount
        providers = tuple(sorted({i.provider_id for i in inside}))
        iso = start.isocalendar()
        out.append(WeekTotal(iso.year, iso.week, start, end, dict(sorted(totals.items())), len(inside), providers,
                             len(providers) >= stacking_providers))
    return out
