"""Reminders in the app: a timer that asks the vault what is due (off the GUI thread), shows it as a tray
notification, and keeps the reminders shown this session in a bar where they can be snoozed or dismissed.

In keyring mode the check also runs while the window is locked: it opens the vault for the moment of the query
(the key needs no one at the keyboard) and closes it again. In passphrase mode reminders wait for the unlock.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from mybnpl.i18n import N_, _, ngettext, tr
from mybnpl.reminders.plan import DEFAULT_TIME
from mybnpl.services import reminders as reminders_svc
from mybnpl.services.letter_reminders import LetterNotice, mark_letter_reminded, pending_letter_reminders
from mybnpl.services.reminders import Notice
from mybnpl.ui.context import UiContext
from mybnpl.ui.widgets import muted, on_click, set_text
from mybnpl.ui.worker import Op
from mybnpl.vault.db import Vault
from mybnpl.vault.manager import KeyMode

CHECK_EVERY_MS = 60_000


def snooze_until(now: datetime) -> datetime:
    """Tomorrow at the reminder time (09:00 local)."""
    return datetime.combine(now.date() + timedelta(days=1), DEFAULT_TIME, tzinfo=now.tzinfo)


class ReminderDriver(QObject):
    """Checks for due reminders every minute and when asked; ``notify(title, body)`` shows one."""

    shown = Signal(list)  # the Notices just shown

    def __init__(self, ctx: UiContext, vault: Callable[[], Vault | None], notify: Callable[[str, str], None],
                 parent: QWidget) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.vault = vault
        self.notify = notify
        self.owner = parent
        self.busy = False
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self.check)

    def start(self) -> None:
        self.timer.start()
        self.check()

    def stop(self) -> None:
        self.timer.stop()

    def _keyring_mode(self) -> bool:
        try:
            return self.ctx.manager.key_mode() is KeyMode.KEYRING
        except Exception:  # no key info: nothing to check without the user
            return False

    def check(self) -> None:
        if self.busy or not bool(self.ctx.config.get("reminders_enabled")) or not self.ctx.manager.exists():
            return
        open_vault = self.vault()
        if (open_vault is None or open_vault.closed) and not self._keyring_mode():
            return
        catalog, now, privacy = self.ctx.catalog, self.ctx.now(), bool(self.ctx.config.get("reminder_privacy"))
        manager = self.ctx.manager

        def work() -> tuple[list[Notice], list[LetterNotice]]:
            vault, own = open_vault, False
            if vault is None or vault.closed:
                vault, own = manager.open_with_keyring(), True
            try:
                notices = reminders_svc.pending_reminders(vault, catalog, now, privacy=privacy)
                for n in notices:
                    reminders_svc.mark_reminder(vault, n.id, "shown", now=now)
                answers = pending_letter_reminders(vault, now.date(), privacy=privacy)
                for a in answers:
                    mark_letter_reminded(vault, a.key)
                return notices, answers
            finally:
                if own:
                    vault.close()

        self.busy = True
        Op(self.owner, work).success(self._show).failure(lambda _e: None).finally_(self._done).run()

    def _done(self) -> None:
        self.busy = False

    def _show(self, result: tuple[list[Notice], list[LetterNotice]]) -> None:
        notices, answers = result
        for a in answers:  # letters waiting for an answer: a notification each (there are few)
            self.notify(a.title, a.body)
        if not notices:
            return
        if len(notices) == 1:
            self.notify(notices[0].title, notices[0].body)
        else:
            title = ngettext("{n} payment needs your attention", "{n} payments need your attention",
                             len(notices)).format(n=len(notices))
            self.notify(title, "\n".join(n.title for n in notices[:5]))
        self.shown.emit(notices)


class ReminderBar(QFrame):
    """The reminders shown this session, each with Snooze (until tomorrow 09:00) and Dismiss."""

    MAX_SHOWN = 3  # reminders shown with their buttons; the rest are counted (the due list shows them all)

    changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.vault: Vault | None = None
        self.notices: list[Notice] = []
        self.setObjectName("reminderBar")
        self.setStyleSheet("QFrame#reminderBar { background: #fff8e1; border: 1px solid #ffcc80; border-radius: 8px; }")
        self.title = QLabel()
        self.rows = QVBoxLayout()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.title)
        layout.addLayout(self.rows)
        self.status = muted(QLabel())
        layout.addWidget(self.status)
        self.buttons: dict[str, tuple[QPushButton, QPushButton]] = {}
        self.retranslate()
        self._render()

    def add(self, notices: list[Notice]) -> None:
        known = {n.id for n in self.notices}
        self.notices = [n for n in notices if n.id not in known] + self.notices
        self._render()

    def clear(self) -> None:
        self.vault = None
        self.notices = []
        self._render()

    def _render(self) -> None:
        while self.rows.count():
            item = self.rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.buttons = {}
        for n in self.notices[:self.MAX_SHOWN]:
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            text = QLabel(f"<b>{_esc(n.title)}</b> — {_esc(n.body)}")
            text.setWordWrap(True)  # a long reminder wraps instead of widening the window
            text.setMinimumWidth(1)
            text.setToolTip(f"{n.title}\n{n.body}")
            snooze, dismiss = QPushButton(_("Snooze until tomorrow")), QPushButton(_("Dismiss"))
            snooze.setObjectName(f"snooze_{n.id}")
            dismiss.setObjectName(f"dismiss_{n.id}")
            on_click(snooze, functools.partial(self.act, n.id, "snoozed"))
            on_click(dismiss, functools.partial(self.act, n.id, "dismissed"))
            line.addWidget(text, 1)
            line.addWidget(snooze)
            line.addWidget(dismiss)
            self.rows.addWidget(row)
            self.buttons[n.id] = (snooze, dismiss)
        if len(self.notices) > self.MAX_SHOWN:
            more = muted(QLabel(tr(N_("and {n} more (see the list below)"), n=len(self.notices) - self.MAX_SHOWN)))
            self.rows.addWidget(more)
        self.setVisible(bool(self.notices))

    def act(self, reminder_id: str, action: str) -> None:
        vault = self.vault
        if vault is None or vault.closed:
            return
        now = self.ctx.now()
        until = snooze_until(now) if action == "snoozed" else None

        def done(_state: object) -> None:
            self.notices = [n for n in self.notices if n.id != reminder_id]
            self._render()
            if until is not None:
                set_text(self.status, tr(N_("Snoozed until {time}."), time=until.strftime("%Y-%m-%d %H:%M")))
            else:
                set_text(self.status, _("Dismissed: this reminder will not come back."))
            self.changed.emit()

        Op(self, lambda: reminders_svc.mark_reminder(vault, reminder_id, action, until, now=now)).success(done).run()

    def retranslate(self) -> None:
        set_text(self.title, _("Reminders"))
        self._render()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")
