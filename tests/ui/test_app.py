"""Start-up pieces: context from settings, a locked window, the tray menu (without a real tray)."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from mybnpl.config import Config
from mybnpl.ui.app import build_main_window, make_context
from mybnpl.ui.context import UiContext
from mybnpl.ui.tray import Tray, make_tray
from mybnpl.vault.keystore import MemoryKeyStore


def test_make_context_uses_the_configured_vault(tmp_path: Path) -> None:
    config = Config(tmp_path / "settings.json")
    config.set("vault_path", str(tmp_path / "mine.mybnpl"))
    ctx = make_context(config=config, keystore=MemoryKeyStore())
    assert ctx.manager.path == tmp_path / "mine.mybnpl"
    assert not ctx.manager.exists()
    explicit = make_context(tmp_path / "other.mybnpl", config=config, keystore=MemoryKeyStore())
    assert explicit.manager.path == tmp_path / "other.mybnpl"
    assert len(ctx.catalog.all()) > 0


def test_locked_window_has_empty_pages(qtbot: QtBot, ctx: UiContext) -> None:
    window = build_main_window(ctx, None)
    qtbot.addWidget(window)
    assert window.vault is None and not window.lock_action.isEnabled()
    assert window.mode_label.text() == "Locked"
    assert not window.autolock.active
    window.lock()  # nothing to lock: no dialog
    assert window.unlock_dialog is None


def test_tray_menu(qtbot: QtBot) -> None:
    assert make_tray(lambda: None, lambda: None, lambda: None, available=False) is None
    calls: list[str] = []
    tray = Tray(lambda: calls.append("show"), lambda: calls.append("lock"), lambda: calls.append("quit"))
    assert [a.text() for a in tray.menu.actions() if a.text()] == ["&Show mybnpl", "&Lock", "&Quit"]
    tray.show_action.trigger()
    tray.lock_action.trigger()
    tray.quit_action.trigger()
    assert calls == ["show", "lock", "quit"]
    tray.set_locked(True)
    assert not tray.lock_action.isEnabled()
    tray.menu.deleteLater()
    tray.deleteLater()
