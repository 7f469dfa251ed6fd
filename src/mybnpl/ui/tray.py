"""The system tray icon (when the desktop has a tray): Show, Lock, Quit."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from mybnpl.i18n import _
from mybnpl.ui.icons import app_icon
from mybnpl.ui.widgets import on_click


class Tray(QSystemTrayIcon):
    def __init__(self, on_show: Callable[[], None], on_lock: Callable[[], None], on_quit: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(app_icon(), parent)
        self.menu = QMenu(parent)
        self.show_action = QAction(self.menu)
        self.lock_action = QAction(self.menu)
        self.quit_action = QAction(self.menu)
        on_click(self.show_action, on_show)
        on_click(self.lock_action, on_lock)
        on_click(self.quit_action, on_quit)
        self.menu.addAction(self.show_action)
        self.menu.addAction(self.lock_action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)
        self.setContextMenu(self.menu)
        self.activated.connect(lambda reason: on_show()
                               if reason == QSystemTrayIcon.ActivationReason.Trigger else None)
        self.retranslate()

    def set_locked(self, locked: bool) -> None:
        self.lock_action.setEnabled(not locked)

    def retranslate(self) -> None:
        self.setToolTip(_("mybnpl"))
        self.show_action.setText(_("&Show mybnpl"))
        self.lock_action.setText(_("&Lock"))
        self.quit_action.setText(_("&Quit"))


def make_tray(on_show: Callable[[], None], on_lock: Callable[[], None], on_quit: Callable[[], None],
              parent: QWidget | None = None, *, available: bool | None = None) -> Tray | None:
    """A shown tray icon, or None when the desktop has no tray."""
    if available is None:
        available = QSystemTrayIcon.isSystemTrayAvailable()
    if not available:
        return None
    tray = Tray(on_show, on_lock, on_quit, parent)
    tray.show()
    return tray
