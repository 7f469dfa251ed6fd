"""The main window: navigation on the left, one page at a time on the right; locking and language live here."""

from __future__ import annotations

import contextlib
import functools
import os

from PySide6.QtCore import QSize, QThreadPool, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from mybnpl import __version__
from mybnpl.core.errors import UserError
from mybnpl.i18n import N_, _, tr
from mybnpl.reminders import autostart
from mybnpl.services.findings import RecomputeResult, recompute
from mybnpl.ui.context import UiContext
from mybnpl.ui.icons import app_icon, line_icon
from mybnpl.ui.language import LANGUAGE_NAMES, apply_language
from mybnpl.ui.lock import AutoLock, ScreenLockWatcher
from mybnpl.ui.pages.accounts import AccountsPage
from mybnpl.ui.pages.base import Page
from mybnpl.ui.pages.dashboard import DashboardPage
from mybnpl.ui.pages.dossier import DossiersPage
from mybnpl.ui.pages.evidence import EvidencePage
from mybnpl.ui.pages.findings import FindingsPage
from mybnpl.ui.pages.imports import ImportPage
from mybnpl.ui.pages.letters import LettersPage
from mybnpl.ui.pages.settings import KEY_MODE_TEXT, SettingsPage
from mybnpl.ui.pages.transactions import TransactionsPage
from mybnpl.ui.reminders_ui import ReminderDriver
from mybnpl.ui.tray import Tray, make_tray
from mybnpl.ui.unlock import UnlockDialog
from mybnpl.ui.widgets import on_click
from mybnpl.ui.worker import Op
from mybnpl.vault.db import Vault

PAGE_CLASSES: tuple[type[Page], ...] = (DashboardPage, AccountsPage, TransactionsPage, ImportPage, FindingsPage,
                                        EvidencePage, LettersPage, DossiersPage, SettingsPage)
LANGUAGE_CHOICES: tuple[tuple[str, str], ...] = (("auto", N_("System language")), *LANGUAGE_NAMES.items())


class MainWindow(QMainWindow):
    quit_requested = Signal()
    findings_checked = Signal()  # findings were recomputed and the pages showing them reloaded

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.vault: Vault | None = None
        self.unlock_dialog: UnlockDialog | None = None
        self.setObjectName("mainWindow")
        self.setWindowIcon(app_icon())

        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setFixedWidth(196)
        self.nav.setSpacing(1)
        self.nav.setStyleSheet("QListWidget#nav { border: none; padding-top: 8px; }"
                               "QListWidget#nav::item { padding: 7px 10px; border-radius: 6px; }"
                               "QListWidget#nav::item:selected { background: palette(highlight);"
                               " color: palette(highlighted-text); }")
        self.stack = QStackedWidget()
        self.pages: dict[str, Page] = {}
        for cls in PAGE_CLASSES:
            page = cls(ctx)
            self.pages[page.key] = page
            self.stack.addWidget(page)
            for view in page.findChildren(QAbstractItemView):  # Tab leaves a table; arrows move inside it
                view.setTabKeyNavigation(False)
            changed = getattr(page, "data_changed", None)  # a page that stored something: every page re-reads
            if changed is not None:
                changed.connect(self.reload_pages)
                changed.connect(self.check_findings)
            item = QListWidgetItem(line_icon(page.icon_name), "")
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.nav.setCurrentRow(0)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        dash = self.pages["dashboard"]
        assert isinstance(dash, DashboardPage)
        dash.finding_activated.connect(self.show_finding)
        findings_page, letters_page = self.pages["findings"], self.pages["letters"]
        assert isinstance(findings_page, FindingsPage) and isinstance(letters_page, LettersPage)
        findings_page.letter_requested.connect(self.draft_letter_for)
        self.settings_page.setting_changed.connect(self._setting_changed)
        self.settings_page.lock_requested.connect(self.lock)
        self.settings_page.key_changed.connect(self._update_status)

        self.path_label = QLabel()
        self.path_label.setObjectName("statusPath")
        self.mode_label = QLabel()
        self.mode_label.setObjectName("statusMode")
        self.statusBar().addWidget(self.path_label, 1)
        self.statusBar().addPermanentWidget(self.mode_label)
        self._build_menus()

        self.autolock = AutoLock(ctx.clock, int(ctx.config.get("idle_lock_minutes")) * 60, parent=self)
        self.autolock.lock_requested.connect(self.lock)
        self.watcher = ScreenLockWatcher(self.autolock.lock_now, self)
        self.watcher.enabled = bool(ctx.config.get("lock_on_screen_lock"))
        self.tray: Tray | None = None
        if ctx.platform_hooks:
            self.watcher.connect_bus()
            self.tray = make_tray(self.show_window, self.lock, self.quit, self)
        if self.tray is not None:
            self.tray.messageClicked.connect(self.show_reminders)
        self.reminders = ReminderDriver(ctx, lambda: self.vault, self.notify, self)
        self.reminders.shown.connect(dash.reminders.add)
        if ctx.platform_hooks:
            self.reminders.start()
        self.resize(1120, 720)
        self.retranslate()

    # -- structure ----------------------------------------------------------------------------------------
    @property
    def settings_page(self) -> SettingsPage:
        page = self.pages["settings"]
        assert isinstance(page, SettingsPage)
        return page

    def page(self, key: str) -> Page:
        return self.pages[key]

    def show_page(self, key: str) -> None:
        self.nav.setCurrentRow(list(self.pages).index(key))

    def draft_letter_for(self, finding_id: int) -> None:
        """"Start a complaint" on a confirmed finding: the Letters page, with a draft about that finding."""
        page = self.pages["letters"]
        assert isinstance(page, LettersPage)
        self.show_page("letters")
        page.new_letter(finding_id)

    def show_finding(self, finding_id: int) -> None:
        page = self.pages["findings"]
        assert isinstance(page, FindingsPage)
        self.show_page("findings")
        page.select(finding_id)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.lock_action = QAction(line_icon("lock"), "", self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        on_click(self.lock_action, self.lock)
        self.backup_action = QAction("", self)
        on_click(self.backup_action, self._backup)
        self.dossier_action = QAction("", self)
        on_click(self.dossier_action, lambda: self.show_page("dossiers"))
        self.quit_action = QAction("", self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        on_click(self.quit_action, self.quit)
        self.file_menu.addAction(self.lock_action)
        self.file_menu.addAction(self.backup_action)
        self.file_menu.addAction(self.dossier_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.view_menu = bar.addMenu("")
        self.language_menu = self.view_menu.addMenu("")
        self.language_group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for code, _label in LANGUAGE_CHOICES:
            action = QAction("", self, checkable=True)
            action.setData(code)
            on_click(action, functools.partial(self.change_language, code))
            self.language_group.addAction(action)
            self.language_menu.addAction(action)
            self.language_actions[code] = action
        self.help_menu = bar.addMenu("")
        self.about_action = QAction("", self)
        on_click(self.about_action, self.about)
        self.help_menu.addAction(self.about_action)

    # -- vault --------------------------------------------------------------------------------------------
    def set_vault(self, vault: Vault | None) -> None:
        self.vault = vault
        for page in self.pages.values():
            page.set_vault(vault)
        self.lock_action.setEnabled(vault is not None)
        self.backup_action.setEnabled(vault is not None)
        if self.tray is not None:
            self.tray.set_locked(vault is None)
        if vault is not None:
            self.autolock.set_timeout_minutes(int(self.ctx.config.get("idle_lock_minutes")))
            self.autolock.start()
            self.check_findings()
        else:
            self.autolock.stop()
        self._update_status()

    def check_findings(self) -> None:
        """Recompute findings off the GUI thread (after unlock and after every change), then refresh the pages
        that show them."""
        vault = self.vault
        if vault is None or vault.closed:
            return
        catalog, today = self.ctx.catalog, self.ctx.today()

        def refreshed(result: RecomputeResult) -> None:
            # The pages already re-read after the change itself; only changed findings need another read.
            if result.changed and self.vault is vault and not vault.closed:
                for key in ("findings", "dashboard"):
                    self.pages[key].reload()
            self.findings_checked.emit()

        Op(self, lambda: recompute(vault, catalog, today)).success(refreshed).failure(lambda _e: None).run()

    def reload_pages(self) -> None:
        if self.vault is not None and not self.vault.closed:
            for page in self.pages.values():
                page.reload()

    def lock(self) -> None:
        """Close the vault, forget everything shown, hide, and ask to unlock again."""
        vault = self.vault
        if vault is None:
            return
        self.autolock.stop()
        for dialog in self.findChildren(QDialog):
            if dialog.isVisible():
                dialog.done(QDialog.DialogCode.Rejected)
        self.set_vault(None)
        QThreadPool.globalInstance().waitForDone(10_000)  # let a running write finish before closing
        vault.close()
        was_shown = self.isVisible()
        self.hide()
        self.unlock_dialog = UnlockDialog(self.ctx)
        self.unlock_dialog.accepted.connect(self._unlocked)
        self.unlock_dialog.rejected.connect(self.quit_requested)
        if was_shown or self.tray is None:  # running hidden in the tray: unlock when the user opens mybnpl
            self.unlock_dialog.show()

    def _unlocked(self) -> None:
        dialog = self.unlock_dialog
        if dialog is None or dialog.vault is None:
            return
        self.unlock_dialog = None
        self.set_vault(dialog.vault)
        dialog.deleteLater()
        self.show_window()

    def _update_status(self) -> None:
        self.path_label.setText(tr(N_("Vault: {path}"), path=str(self.ctx.manager.path)))
        if self.vault is None:
            self.mode_label.setText(_("Locked"))
        else:
            mode = self.ctx.manager.key_mode()
            self.mode_label.setText(tr(N_("Key: {mode}"), mode=_(KEY_MODE_TEXT[mode]) if mode else "–"))
        self.path_label.setAccessibleName(self.path_label.text())
        self.mode_label.setAccessibleName(self.mode_label.text())

    def _backup(self) -> None:
        self.show_page("settings")
        self.settings_page.backups.backup()

    # -- settings and language ----------------------------------------------------------------------------
    def _setting_changed(self, key: str, value: object) -> None:
        if key == "language":
            apply_language(str(value))
            self.retranslate()
        elif key == "idle_lock_minutes" and isinstance(value, int):
            self.autolock.set_timeout_minutes(value)
        elif key == "lock_on_screen_lock":
            self.watcher.enabled = bool(value)
        elif key == "start_in_tray":
            self._set_autostart(bool(value))
        elif key in ("reminders_enabled", "reminder_privacy") and value is True:
            self.reminders.check()

    def _set_autostart(self, on: bool) -> None:
        """Write or remove the platform's "start at login" entry (XDG autostart, LaunchAgent, Startup folder)."""
        platform = autostart.platform_key()
        try:
            if on:
                autostart.enable(platform, home=self.ctx.home, environ=os.environ)
            else:
                autostart.disable(platform, home=self.ctx.home, environ=os.environ)
        except (OSError, UserError) as e:
            QMessageBox.warning(self, _("Start at login"), tr(N_("mybnpl could not change the start-at-login "
                                                                   "entry: {error}"), error=str(e)))

    def change_language(self, choice: str) -> None:
        """Switch language live (the vault stays open) and remember it."""
        # A read-only settings file must not prevent switching for this session.
        with contextlib.suppress(UserError, OSError):
            self.ctx.config.set("language", choice)
        apply_language(choice)
        self.retranslate()
        self.settings_page.refresh_values()

    def retranslate(self) -> None:
        self.setWindowTitle(_("mybnpl — my Buy-Now-Pay-Later case file"))
        for row, page in enumerate(self.pages.values()):
            item = self.nav.item(row)
            item.setText(_(page.nav_title))
            page.retranslate()
        self.nav.setAccessibleName(_("Sections"))
        self.file_menu.setTitle(_("&File"))
        self.lock_action.setText(_("&Lock now"))
        self.backup_action.setText(_("&Back up…"))
        self.dossier_action.setText(_("Export &dossier…"))
        self.quit_action.setText(_("&Quit"))
        self.view_menu.setTitle(_("&View"))
        self.language_menu.setTitle(_("&Language"))
        current = str(self.ctx.config.get("language"))
        for code, label in LANGUAGE_CHOICES:
            action = self.language_actions[code]
            action.setText(label if code in LANGUAGE_NAMES else _(label))
            action.setChecked(code == current)
        self.help_menu.setTitle(_("&Help"))
        self.about_action.setText(_("&About mybnpl"))
        if self.tray is not None:
            self.tray.retranslate()
        self._update_status()

    # -- window -------------------------------------------------------------------------------------------
    def show_window(self) -> None:
        if self.vault is None:
            if self.unlock_dialog is not None:
                self.unlock_dialog.show()
            return
        self.show()
        if QGuiApplication.platformName() != "offscreen":  # headless: no stacking order to change
            self.raise_()
            self.activateWindow()

    def notify(self, title: str, body: str) -> None:
        """A system notification from the tray icon (the Dashboard's reminder bar lists it too)."""
        if self.tray is not None and self.tray.supportsMessages():
            self.tray.showMessage(title, body, app_icon(), 15_000)

    def show_reminders(self) -> None:
        self.show_window()
        if self.vault is not None:
            self.show_page("dashboard")

    def start_locked_in_tray(self) -> None:
        """``mybnpl --tray`` without a vault open (passphrase mode): only the tray icon, unlock on demand."""
        self.unlock_dialog = UnlockDialog(self.ctx)
        self.unlock_dialog.accepted.connect(self._unlocked)
        self.unlock_dialog.rejected.connect(self.quit_requested)

    def about(self) -> None:
        QMessageBox.about(self, _("About mybnpl"), tr(N_(
            "mybnpl {version}\n\nA local, encrypted case file for Buy-Now-Pay-Later accounts. Your data stays on "
            "this computer.\n\nmybnpl is not a lawyer and does not give legal advice."), version=__version__))

    def quit(self) -> None:
        self.reminders.stop()
        if self.vault is not None:
            vault = self.vault
            self.set_vault(None)
            QThreadPool.globalInstance().waitForDone(10_000)
            vault.close()
        if self.tray is not None:
            self.tray.hide()
        self.quit_requested.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.tray is not None and bool(self.ctx.config.get("minimize_to_tray")) and self.tray.isVisible():
            self.hide()
            event.ignore()
            return
        self.quit()
        event.accept()
