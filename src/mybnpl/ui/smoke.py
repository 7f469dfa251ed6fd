"""A test-only hook for smoke runs of the installed or bundled app and for the start-up benchmark.

``MYBNPL_SMOKE_QUIT_AFTER_MS=N`` (a whole number of milliseconds, 0 or more) makes :func:`mybnpl.ui.app.run`:

* print one line on stdout as soon as each top-level window is first exposed and the event loop has gone idle
  once after that (the window is on screen and answers input)::

      mybnpl-smoke: shown MainWindow vault=open at=1764511234.123456

  where ``at`` is the wall-clock time (``time.time()``), so the caller can subtract its own launch time;
* open the vault without the unlock dialog when it is in passphrase mode and ``MYBNPL_PASSPHRASE`` is set (the
  same variable the command line reads), so a headless run reaches the main window;
* quit N ms after the first window was shown (a modal dialog is rejected, the main window locks the vault).

Without the variable none of this exists: nothing is printed, nothing is read from the environment.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QWindow
from PySide6.QtWidgets import QApplication, QDialog

from mybnpl.core.errors import UserError
from mybnpl.vault.db import Vault
from mybnpl.vault.manager import KeyMode, VaultManager

SMOKE_ENV = "MYBNPL_SMOKE_QUIT_AFTER_MS"
MARKER = "mybnpl-smoke:"


def smoke_quit_after_ms(environ: Mapping[str, str] | None = None) -> int | None:
    """The hook's delay in ms, or None when the hook is off (unset, empty, negative or not a number)."""
    raw = (os.environ if environ is None else environ).get(SMOKE_ENV, "").strip()
    if not raw.isdigit():
        return None
    return int(raw)


def open_for_smoke(manager: VaultManager, environ: Mapping[str, str] | None = None) -> Vault | None:
    """The vault opened with ``MYBNPL_PASSPHRASE`` when it exists in passphrase mode; else None (the unlock
    dialog or the wizard then runs as usual)."""
    passphrase = (os.environ if environ is None else environ).get("MYBNPL_PASSPHRASE", "")
    try:
        if passphrase and manager.exists() and manager.key_mode() is KeyMode.PASSPHRASE:
            return manager.open_with_passphrase(passphrase)
    except UserError:
        return None
    return None


class SmokeProbe(QObject):
    """Reports each top-level window once it is exposed and the loop is idle; quits after ``quit_after_ms``."""

    def __init__(self, app: QApplication, quit_after_ms: int, *, note: Callable[[], str] = lambda: "",
                 write: Callable[[str], None] | None = None) -> None:
        super().__init__(app)
        self._app = app
        self._quit_after_ms = quit_after_ms
        self._note = note
        self._write = write if write is not None else _print
        self._seen: list[QWindow] = []
        self._quit_armed = False
        self.reports: list[str] = []
        app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.Expose and isinstance(watched, QWindow) and watched.isExposed()
                and watched not in self._seen):
            self._seen.append(watched)
            window = watched
            QTimer.singleShot(0, lambda: self._report(window))  # runs once the queued events are processed
        return False

    def _report(self, window: QWindow) -> None:
        at = time.time()
        widget = next((w for w in self._app.topLevelWidgets() if w.windowHandle() is window), None)
        name = type(widget).__name__ if widget is not None else type(window).__name__
        note = self._note()
        line = f"{MARKER} shown {name}{' ' + note if note else ''} at={at:.6f}"
        self.reports.append(line)
        self._write(line)
        if not self._quit_armed:
            self._quit_armed = True
            QTimer.singleShot(self._quit_after_ms, self._quit)

    def _quit(self) -> None:
        self._app.removeEventFilter(self)  # done: later windows of this process are not reported
        modal = QApplication.activeModalWidget()
        if isinstance(modal, QDialog):
            modal.reject()
        self._app.quit()


def _print(line: str) -> None:
    out = sys.stdout
    if out is not None:  # a windowed Windows/macOS bundle may have no stdout
        out.write(line + "\n")
        out.flush()
