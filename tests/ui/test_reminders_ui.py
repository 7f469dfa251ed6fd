"""The tray reminder path with a fake clock: due reminders are shown once (as a notification and in the
Dashboard's bar), snoozed until tomorrow and shown again then, dismissed for good; privacy mode; reminders
while the window is locked (keyring mode); Mark paid, the calendar export and "start in tray at login"."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mybnpl.reminders import autostart
from mybnpl.services import reminders as reminders_svc
from mybnpl.services.demo import fill_demo
from mybnpl.ui.app import build_main_window
from mybnpl.ui.context import UiContext
from mybnpl.ui.main_window import MainWindow
from mybnpl.ui.pages.dashboard import DashboardPage
from mybnpl.ui.worker import wait_for_ops
from mybnpl.vault.db import Vault
from mybnpl.vault.manager import KeyMode

from .conftest import TODAY

ZONE = ZoneInfo("Europe/Berlin")


class WallClock:
    def __init__(self, start: datetime) -> None:
        self.at = start

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def wall() -> WallClock:
    return WallClock(datetime(TODAY.year, TODAY.month, TODAY.day, 9, 30, tzinfo=ZONE))


@pytest.fixture
def win(qtbot: QtBot, ctx: UiContext, demo_vault: Vault, wall: WallClock, tmp_path: Path
        ) -> Iterator[tuple[MainWindow, list[tuple[str, str]]]]:
    ctx.now = wall
    ctx.home = tmp_path / "home"
    w = build_main_window(ctx, demo_vault)
    shown: list[tuple[str, str]] = []
    w.reminders.notify = lambda title, body: shown.append((title, body))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w, shown
    wait_for_ops()


def check(qtbot: QtBot, w: MainWindow) -> list[reminders_svc.Notice]:
    with qtbot.waitSignal(w.reminders.shown, timeout=10_000, raising=False) as blocker:
        w.reminders.check()
    wait_for_ops()
    qtbot.waitUntil(lambda: not w.reminders.busy, timeout=10_000)
    return list(blocker.args[0]) if blocker.signal_triggered and blocker.args else []


def dashboard(w: MainWindow) -> DashboardPage:
    page = w.page("dashboard")
    assert isinstance(page, DashboardPage)
    return page


def test_reminders_show_once_snooze_and_dismiss(qtbot: QtBot, win: tuple[MainWindow, list[tuple[str, str]]],
                                                demo_vault: Vault, ctx: UiContext, wall: WallClock) -> None:
    w, shown = win
    expected = reminders_svc.pending_reminders(demo_vault, ctx.catalog, wall())
    assert expected, "the demo has installments due around today"
    notices = check(qtbot, w)
    assert [n.id for n in notices] == [n.id for n in expected]
    assert len(shown) == 1  # several reminders are one notification
    if len(notices) == 1:
        assert shown[0] == (notices[0].title, notices[0].body)
    else:
        assert str(len(notices)) in shown[0][0] and notices[0].title in shown[0][1]
    assert all(reminders_svc.get_reminder_state(demo_vault, n.id) is not None for n in notices)
    assert check(qtbot, w) == [] and len(shown) == 1  # never twice

    bar = dashboard(w).reminders
    assert bar.isVisible() and set(bar.buttons) == {n.id for n in notices[:bar.MAX_SHOWN]}
    # Snooze one that is not late (late ones stop reminding after a week: the overdue status takes over).
    first = max(notices[:bar.MAX_SHOWN], key=lambda n: n.item.due_on).id
    second = next((n.id for n in notices[:bar.MAX_SHOWN] if n.id != first), first)
    qtbot.mouseClick(bar.buttons[first][0], Qt.MouseButton.LeftButton)  # snooze until tomorrow 09:00
    qtbot.waitUntil(lambda: first not in bar.buttons, timeout=10_000)
    state = reminders_svc.get_reminder_state(demo_vault, first)
    assert state is not None and state.state.value == "snoozed"
    assert state.snoozed_until == datetime(TODAY.year, TODAY.month, TODAY.day, 9, 0, tzinfo=ZONE) + timedelta(days=1)
    if second != first:
        qtbot.mouseClick(bar.buttons[second][1], Qt.MouseButton.LeftButton)  # dismiss
        qtbot.waitUntil(lambda: second not in bar.buttons, timeout=10_000)
        assert reminders_svc.get_reminder_state(demo_vault, second).state.value == "dismissed"  # type: ignore

    wall.at = wall.at + timedelta(days=1)  # the next morning: the snoozed one comes back, the dismissed never
    ctx.today = lambda: TODAY + timedelta(days=1)
    later = check(qtbot, w)
    snoozed_item = next(n.item.key for n in notices if n.id == first)
    # The snoozed item reminds again (as the snoozed reminder, or the newer one that supersedes it) ...
    assert snoozed_item in [n.item.key for n in later]
    # ... and a dismissed reminder never comes back.
    assert second == first or second not in [n.id for n in later]


def test_privacy_mode_hides_amounts_and_names(qtbot: QtBot, win: tuple[MainWindow, list[tuple[str, str]]],
                                              ctx: UiContext) -> None:
    w, shown = win
    ctx.config.set("reminder_privacy", True)
    notices = check(qtbot, w)
    assert notices
    text = " ".join(t + " " + b for t, b in shown) + " ".join(n.title + n.body for n in notices)
    for n in notices:
        assert n.item.amount.format() not in text
        assert n.item.merchant not in text if n.item.merchant else True
    assert "¥" not in text and "€" not in text and "£" not in text


def test_reminders_off(qtbot: QtBot, win: tuple[MainWindow, list[tuple[str, str]]], ctx: UiContext) -> None:
    w, shown = win
    ctx.config.set("reminders_enabled", False)
    assert check(qtbot, w) == [] and shown == []


def test_reminders_while_locked_in_keyring_mode(qtbot: QtBot, ctx: UiContext, wall: WallClock, tmp_path: Path
                                                ) -> None:
    ctx.now = wall
    vault, _recovery = ctx.manager.create(KeyMode.KEYRING)
    fill_demo(vault, ctx.catalog, size="small", today=TODAY)
    w = build_main_window(ctx, vault)
    qtbot.addWidget(w)
    w.show()
    shown: list[tuple[str, str]] = []
    w.reminders.notify = lambda title, body: shown.append((title, body))
    w.lock()
    assert w.vault is None and vault.closed
    assert check(qtbot, w), "the check opened the vault with the keyring key for the moment of the query"
    assert shown
    if w.unlock_dialog is not None:
        w.unlock_dialog.close()


def test_mark_paid_and_export_calendar(qtbot: QtBot, win: tuple[MainWindow, list[tuple[str, str]]],
                                       demo_vault: Vault, tmp_path: Path) -> None:
    w, _shown = win
    dues = dashboard(w).dues
    qtbot.waitUntil(lambda: len(dues.items) > 0, timeout=10_000)
    assert dues.items[0].status.value in ("overdue", "grace", "due_today", "upcoming")
    item = dues.items[0]
    dues.table.selectRow(0)
    dialog = dues.mark_paid()
    assert dialog is not None
    with qtbot.waitSignal(dues.changed, timeout=10_000):
        dialog.accept()
    row = demo_vault.query("SELECT status, paid_on FROM installments WHERE id = ?", (item.id,))[0]
    assert tuple(row) == ("paid", TODAY.isoformat())
    qtbot.waitUntil(lambda: all(i.id != item.id for i in dues.items), timeout=10_000)

    out = tmp_path / "dues.ics"
    dues.ask_ics_path = lambda: str(out)
    qtbot.mouseClick(dues.ics_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(out.exists, timeout=10_000)
    cal = Calendar.from_ical(out.read_bytes())
    events = [e for e in cal.walk("VEVENT")]
    assert events and all(isinstance(e.decoded("DTSTART"), date) for e in events)
    assert any(e.walk("VALARM") for e in events)
    qtbot.waitUntil(lambda: "dues.ics" in dues.status.text(), timeout=10_000)


def test_start_in_tray_setting_writes_the_autostart_entry(win: tuple[MainWindow, list[tuple[str, str]]],
                                                          ctx: UiContext) -> None:
    import os

    w, _shown = win
    platform = autostart.platform_key()
    w.settings_page._set("start_in_tray", True)
    path = autostart.autostart_file(platform, home=ctx.home, environ=os.environ)
    assert path.is_file() and "--tray" in path.read_text(encoding="utf-8")
    w.settings_page._set("start_in_tray", False)
    assert not path.exists()


def test_reminder_days_per_account(win: tuple[MainWindow, list[tuple[str, str]]], demo_vault: Vault) -> None:
    from mybnpl.ui.pages.accounts import AccountsPage

    w, _shown = win
    page = w.page("accounts")
    assert isinstance(page, AccountsPage)
    w.show_page("accounts")
    page.table.selectRow(1)
    account = page.model.rows[1]
    asked: list[str] = []
    page.ask_days = lambda current: (asked.append(current), "5，2, 0")[1]
    page.edit_reminder_days()
    assert asked == ["3, 1, 0"]
    assert reminders_svc.get_offsets(demo_vault, account.id) == (5, 2, 0)
    assert "5, 2, 0" in page.count_label.text()
    page.ask_days = lambda current: ""
    page.edit_reminder_days()
    assert reminders_svc.get_offsets(demo_vault, account.id) == ()
    page.ask_days = lambda current: "tomorrow"
    page.edit_reminder_days()
    assert "whole days" in page.count_label.text() and reminders_svc.get_offsets(demo_vault, account.id) == ()


def test_a_long_reminder_wraps_instead_of_widening_the_window(
        qtbot: QtBot, win: tuple[MainWindow, list[tuple[str, str]]], demo_vault: Vault, ctx: UiContext,
        wall: WallClock) -> None:
    w, _shown = win
    w.resize(900, 700)
    notice = reminders_svc.pending_reminders(demo_vault, ctx.catalog, wall())[0]
    long = dataclasses.replace(notice, body="拼多多 · 空气炸锅 " * 12 + "— installment 1 of 4, due 2026-12-01")
    bar = dashboard(w).reminders
    bar.add([long])
    qtbot.waitUntil(bar.isVisible)
    assert w.minimumSizeHint().width() <= 900 and w.width() == 900
