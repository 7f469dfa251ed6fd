"""Start the desktop app: QApplication, language, first-run wizard or unlock, then the main window."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QSystemTrayIcon

from mybnpl import __version__, paths
from mybnpl.config import Config
from mybnpl.core.errors import UserError
from mybnpl.services.catalog import load_catalog
from mybnpl.ui.context import UiContext
from mybnpl.ui.icons import app_icon
from mybnpl.ui.language import apply_language
from mybnpl.ui.smoke import SmokeProbe, open_for_smoke, smoke_quit_after_ms
from mybnpl.ui.unlock import UnlockDialog
from mybnpl.ui.wizard import FirstRunWizard
from mybnpl.vault.db import Vault
from mybnpl.vault.keystore import KeyStore, OsKeyStore
from mybnpl.vault.manager import KeyMode, VaultManager

if TYPE_CHECKING:
    from mybnpl.ui.main_window import MainWindow


def build_main_window(ctx: UiContext, vault: Vault | None) -> MainWindow:
    """The main window on an open vault (or locked, with ``None``); not shown. Used by run() and tests."""
    # Imported here, not at the top: the main window's pages import most of mybnpl (letters, dossiers,
    # reportlab, pdfium…), and the unlock dialog or the wizard should not wait for that (start-up, issue 8).
    from mybnpl.ui.main_window import MainWindow

    window = MainWindow(ctx)
    window.set_vault(vault)
    return window


def make_application(argv: Sequence[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    QCoreApplication.setApplicationName("mybnpl")
    QCoreApplication.setOrganizationName("mybnpl")
    QCoreApplication.setApplicationVersion(__version__)
    QGuiApplication.setDesktopFileName("mybnpl")
    app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    app.setApplicationDisplayName("mybnpl")
    app.setWindowIcon(app_icon())
    app.setQuitOnLastWindowClosed(False)  # the unlock dialog replaces the window on lock; we quit explicitly
    return app


def make_context(vault_path: Path | None = None, config: Config | None = None,
                 keystore: KeyStore | None = None) -> UiContext:
    config = config if config is not None else Config(paths.config_file())
    if vault_path is None:
        configured = str(config.get("vault_path") or "")
        vault_path = paths.resolve_vault_path(configured or None)
    manager = VaultManager(vault_path, keystore if keystore is not None else OsKeyStore())
    return UiContext(config=config, manager=manager, catalog=load_catalog())


def open_vault_interactively(ctx: UiContext) -> Vault | None:
    """The first-run wizard if there is no vault yet, else the unlock dialog. None when the user gave up."""
    dialog: QDialog
    if not ctx.manager.exists():
        dialog = FirstRunWizard(ctx)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.vault
    dialog = UnlockDialog(ctx)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.vault


def open_for_tray(ctx: UiContext) -> Vault | None:
    """At login (``--tray``): open the vault without asking when its key is in the keyring; else None (the
    tray icon waits for the user to unlock)."""
    try:
        if ctx.manager.exists() and ctx.manager.key_mode() is KeyMode.KEYRING:
            return ctx.manager.open_with_keyring()
    except UserError:
        return None
    return None


def run(vault_path: Path | str | None = None, *, language: str | None = None, today: date | None = None,
        config: Config | None = None, keystore: KeyStore | None = None, argv: Sequence[str] | None = None,
        tray: bool = False) -> int:
    """Run the desktop app until the user quits. Returns the process exit code.

    ``vault_path`` overrides the configured location; ``language`` the configured language; ``today`` fixes
    the date the app reasons about (``--today``, for demos and reproducible screenshots).
    """
    app = make_application(argv)
    smoke_ms = smoke_quit_after_ms()  # test-only hook for smoke runs and the start-up benchmark (ui/smoke.py)
    window: MainWindow | None = None
    if smoke_ms is not None:
        SmokeProbe(app, smoke_ms, note=lambda: "" if window is None else
                   f"vault={'open' if window.vault is not None else 'locked'}")
    ctx = make_context(Path(vault_path) if vault_path is not None else None, config, keystore)
    if today is not None:
        fixed = today
        ctx.today = lambda: fixed
    apply_language(language or str(ctx.config.get("language")))
    if tray and QSystemTrayIcon.isSystemTrayAvailable() and ctx.manager.exists():
        vault = open_for_tray(ctx)
        window = build_main_window(ctx, vault)
        window.quit_requested.connect(app.quit)
        if vault is None:
            window.start_locked_in_tray()
    else:
        vault = open_for_smoke(ctx.manager) if smoke_ms is not None else None
        if vault is None:
            vault = open_vault_interactively(ctx)
        if vault is None:
            return 0
        window = build_main_window(ctx, vault)
        window.quit_requested.connect(app.quit)
        window.show()
    try:
        return app.exec()
    finally:
        if window.vault is not None:
            window.quit()
