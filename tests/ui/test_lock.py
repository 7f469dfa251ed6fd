"""Auto-lock: idle expiry with a fake clock, input resets the timer, lock clears every page, unlock reloads."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from mybnpl.services.transactions import count_transactions
from mybnpl.ui.lock import ScreenLockWatcher
from mybnpl.ui.main_window import MainWindow
from mybnpl.ui.pages.accounts import AccountsPage
from mybnpl.ui.pages.dashboard import DashboardPage
from mybnpl.ui.pages.transactions import TransactionsPage
from tests.ui.conftest import PASSPHRASE, FakeClock


def _pages(window: MainWindow) -> tuple[DashboardPage, AccountsPage, TransactionsPage]:
    d, a, t = window.page("dashboard"), window.page("accounts"), window.page("transactions")
    assert isinstance(d, DashboardPage) and isinstance(a, AccountsPage) and isinstance(t, TransactionsPage)
    return d, a, t


def _assert_locked_and_empty(window: MainWindow) -> None:
    dashboard, accounts, transactions = _pages(window)
    assert window.vault is None
    assert transactions.model.rowCount() == 0 and transactions.model.cached_blocks() == []
    assert accounts.model.rowCount() == 0
    assert dashboard.data is None and dashboard.dues.table.rowCount() == 0 and dashboard.findings.rowCount() == 0
    assert dashboard.dues.items == [] and dashboard.reminders.notices == []
    assert not window.isVisible()
    assert window.unlock_dialog is not None and window.unlock_dialog.isVisible()


def test_idle_expiry_locks_and_unlock_reloads(qtbot: QtBot, window: MainWindow, clock: FakeClock) -> None:
    vault = window.vault
    assert vault is not None
    dashboard, accounts, transactions = _pages(window)
    n = count_transactions(vault)
    assert transactions.model.rowCount() == n > 0 and accounts.model.rowCount() == 5
    assert dashboard.data is not None

    clock.advance(299)
    window.autolock.poll()
    assert window.vault is vault
    clock.advance(2)
    window.autolock.poll()
    assert vault.closed
    _assert_locked_and_empty(window)

    dialog = window.unlock_dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.vault is not None and window.isVisible())
    assert window.unlock_dialog is None
    assert transactions.model.rowCount() == n and accounts.model.rowCount() == 5
    assert dashboard.data is not None and dashboard.data.transactions == n
    assert window.autolock.active


def test_the_timer_polls_by_itself(qtbot: QtBot, window: MainWindow, clock: FakeClock) -> None:
    window.autolock.timer.setInterval(10)
    clock.advance(3600)
    qtbot.waitUntil(lambda: window.vault is None)
    _assert_locked_and_empty(window)


def test_input_resets_the_idle_timer(qtbot: QtBot, window: MainWindow, clock: FakeClock) -> None:
    clock.advance(200)
    qtbot.keyClick(window.nav, Qt.Key.Key_Down)
    clock.advance(200)
    window.autolock.poll()
    assert window.vault is not None  # 200 s since the key press
    move = QMouseEvent(QEvent.Type.MouseMove, QPointF(5, 5), QPointF(5, 5), Qt.MouseButton.NoButton,
                       Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window.nav.viewport(), move)
    clock.advance(299)
    window.autolock.poll()
    assert window.vault is not None
    clock.advance(2)
    window.autolock.poll()
    assert window.vault is None


def test_idle_setting_applies_live_and_zero_disables(qtbot: QtBot, window: MainWindow, clock: FakeClock) -> None:
    spin = window.settings_page.editors["idle_lock_minutes"]
    from PySide6.QtWidgets import QSpinBox

    assert isinstance(spin, QSpinBox)
    spin.setValue(0)
    assert window.ctx.config.get("idle_lock_minutes") == 0
    clock.advance(10**6)
    window.autolock.poll()
    assert window.vault is not None
    spin.setValue(1)
    clock.advance(61)
    window.autolock.poll()
    assert window.vault is None


def test_lock_now_and_screen_lock_hook(qtbot: QtBot, window: MainWindow) -> None:
    assert isinstance(window.watcher, ScreenLockWatcher)
    window.watcher._active_changed(False)  # screen saver turning off: nothing happens
    assert window.vault is not None
    window.watcher._active_changed(True)  # what the D-Bus ActiveChanged(true) signal calls
    _assert_locked_and_empty(window)


def test_lock_closes_open_dialogs(qtbot: QtBot, window: MainWindow) -> None:
    _d, accounts, _t = _pages(window)
    dialog = accounts.open_add_dialog()
    assert dialog is not None and dialog.isVisible()
    window.lock_action.trigger()
    assert not dialog.isVisible()
    _assert_locked_and_empty(window)


def test_screen_lock_setting_disables_the_hook(qtbot: QtBot, window: MainWindow) -> None:
    box = window.settings_page.editors["lock_on_screen_lock"]
    from PySide6.QtWidgets import QCheckBox

    assert isinstance(box, QCheckBox)
    box.setChecked(False)
    window.watcher._locked()
    assert window.vault is not None
