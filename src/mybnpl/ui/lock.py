"""Auto-lock: idle time (any key, mouse or touch input resets it) and the desktop's own lock or sleep.

* :class:`AutoLock` installs an application-wide event filter that feeds :class:`mybnpl.core.idle.IdleTimer`
  (whose clock is injected, so tests advance time by hand) and polls it with a QTimer. On expiry it emits
  :attr:`AutoLock.lock_requested`. :meth:`AutoLock.lock_now` is the slot any platform hook calls.
* :class:`ScreenLockWatcher` (Linux) listens on D-Bus for the screen saver turning on
  (``org.freedesktop.ScreenSaver`` / ``org.gnome.ScreenSaver`` ``ActiveChanged``), for logind's session
  ``Lock`` signal and for ``PrepareForSleep`` (suspend), and calls ``lock_now``. QtDBus ships with
  PySide6-Essentials. On Windows and macOS no hook is installed yet: idle locking and "Lock now" still work;
  a platform hook only has to call ``AutoLock.lock_now()``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal, Slot

from mybnpl.core.idle import IdleTimer

# Input that counts as "the user is here". Window activation alone (e.g. a notification popping up) does not.
ACTIVITY_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease,
    QEvent.Type.MouseMove, QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate,
    QEvent.Type.TabletPress, QEvent.Type.ShortcutOverride,
})


class AutoLock(QObject):
    lock_requested = Signal()

    def __init__(self, clock: Callable[[], float], timeout_s: float, *, poll_ms: int = 1000,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.idle = IdleTimer(timeout_s, clock)
        self.active = False  # only while a vault is open
        self.timer = QTimer(self)
        self.timer.setInterval(poll_ms)
        self.timer.timeout.connect(self.poll)
        self._installed = False

    def install(self) -> None:
        app = QCoreApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True

    def uninstall(self) -> None:
        app = QCoreApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False

    def start(self) -> None:
        """A vault was opened: count idle time from now."""
        self.install()
        self.active = True
        self.idle.touch()
        self.timer.start()

    def stop(self) -> None:
        self.active = False
        self.timer.stop()

    def set_timeout_minutes(self, minutes: int) -> None:
        self.idle.set_timeout(max(0, minutes) * 60)
        self.idle.touch()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.active and event.type() in ACTIVITY_EVENTS:
            self.idle.touch()
        return False

    @Slot()
    def poll(self) -> None:
        if self.active and self.idle.expired():
            self.lock_now()

    @Slot()
    def lock_now(self) -> None:
        if not self.active:
            return
        self.stop()
        self.lock_requested.emit()


class ScreenLockWatcher(QObject):
    """Calls ``on_lock`` when the desktop locks the screen or goes to sleep (Linux, via D-Bus)."""

    def __init__(self, on_lock: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_lock = on_lock
        self.enabled = True
        self.connected: list[str] = []

    def connect_bus(self) -> list[str]:
        """Subscribe to what the session and system buses offer. Returns the names of connected signals."""
        if not sys.platform.startswith("linux"):
            return []
        from PySide6.QtCore import SLOT
        from PySide6.QtDBus import QDBusConnection

        session, system = QDBusConnection.sessionBus(), QDBusConnection.systemBus()
        # Our own logind session if known (its Lock signal), else any session of ours may lock us: safe side.
        sid = os.environ.get("XDG_SESSION_ID", "")
        session_path = f"/org/freedesktop/login1/session/{sid}" if sid.isascii() and sid.isalnum() else ""
        subscriptions = [
            (session, "org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver",
             "ActiveChanged", "_active_changed(bool)"),
            (session, "org.gnome.ScreenSaver", "/org/gnome/ScreenSaver", "org.gnome.ScreenSaver", "ActiveChanged",
             "_active_changed(bool)"),
            (system, "org.freedesktop.login1", session_path, "org.freedesktop.login1.Session", "Lock", "_locked()"),
            (system, "org.freedesktop.login1", "/org/freedesktop/login1", "org.freedesktop.login1.Manager",
             "PrepareForSleep", "_active_changed(bool)"),
        ]
        for bus, service, path, interface, name, slot in subscriptions:
            # PySide6 takes the SLOT() string at run time; its stub says bytes, which it then rejects.
            if bus.isConnected() and bus.connect(service, path, interface, name, self,
                                                 SLOT(slot)):  # type: ignore[call-overload]
                self.connected.append(f"{interface}.{name}")
        return self.connected

    @Slot(bool)
    def _active_changed(self, active: bool) -> None:
        if active:
            self._locked()

    @Slot()
    def _locked(self) -> None:
        if self.enabled:
            self._on_lock()
