"""First-run wizard: passphrase and keyring modes, the recovery key confirmation, the demo."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QWizard
from pytestqt.qtbot import QtBot

from mybnpl.services.transactions import count_transactions
from mybnpl.ui.context import UiContext
from mybnpl.ui.recovery import groups
from mybnpl.ui.wizard import PAGE_PROTECTION, PAGE_RECOVERY, FirstRunWizard
from mybnpl.vault.keystore import MemoryKeyStore
from mybnpl.vault.manager import KeyMode, VaultManager
from tests.ui.conftest import PASSPHRASE


def _button(wizard: QWizard, which: QWizard.WizardButton) -> QAbstractButton:
    button = wizard.button(which)
    assert button is not None
    return button


def _start(qtbot: QtBot, ctx: UiContext, demo: bool = False) -> FirstRunWizard:
    wizard = FirstRunWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    if demo:
        wizard.welcome.demo_radio.setChecked(True)
    qtbot.mouseClick(_button(wizard, QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    assert wizard.currentId() == PAGE_PROTECTION
    return wizard


def _create(qtbot: QtBot, wizard: FirstRunWizard) -> str:
    commit = _button(wizard, QWizard.WizardButton.CommitButton)
    assert commit.isEnabled()
    qtbot.mouseClick(commit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentId() == PAGE_RECOVERY, timeout=20_000)
    created = wizard.protection.created
    assert created is not None
    return created[1]


def _confirm(qtbot: QtBot, wizard: FirstRunWizard, key: str) -> None:
    panel = wizard.recovery.panel
    assert panel is not None
    finish = _button(wizard, QWizard.WizardButton.FinishButton)
    shown = panel.findChild(QLabel, "recoveryKey")
    assert shown is not None and groups(shown.text().replace("  ", "-").replace("\n", "-")) == groups(key)
    assert not finish.isEnabled()
    qtbot.keyClicks(panel.confirm_edit, "ZZZZZ" if groups(key)[-1] != "ZZZZZ" else "YYYYY")
    assert not finish.isEnabled() and not panel.confirmed
    panel.confirm_edit.clear()
    qtbot.keyClicks(panel.confirm_edit, groups(key)[-1].lower())
    assert panel.confirmed and finish.isEnabled()
    qtbot.mouseClick(finish, Qt.MouseButton.LeftButton)
    assert wizard.result() == QWizard.DialogCode.Accepted


def test_passphrase_mode_without_keyring(qtbot: QtBot, ctx: UiContext, tmp_path: Path,
                                         fast_kdf: object) -> None:
    ctx.manager = VaultManager(tmp_path / "v.mybnpl", MemoryKeyStore(usable=False), kdf=ctx.manager.kdf_params())
    wizard = _start(qtbot, ctx)
    page = wizard.protection
    assert not page.keyring_radio.isEnabled() and page.passphrase_radio.isChecked()
    assert "no keyring service is running" in page.keyring_hint.text()
    commit = _button(wizard, QWizard.WizardButton.CommitButton)
    qtbot.keyClicks(page.fields.first, "short")
    qtbot.keyClicks(page.fields.second, "short")
    assert not commit.isEnabled()
    assert "at least 8" in page.fields.hint.text()
    page.fields.clear()
    qtbot.keyClicks(page.fields.first, PASSPHRASE)
    qtbot.keyClicks(page.fields.second, PASSPHRASE + "x")
    assert not commit.isEnabled()
    page.fields.second.backspace()
    assert commit.isEnabled()

    key = _create(qtbot, wizard)
    assert ctx.manager.exists() and ctx.manager.key_mode() is KeyMode.PASSPHRASE
    _confirm(qtbot, wizard, key)
    vault = wizard.vault
    assert vault is not None and not vault.closed
    vault.close()
    again = ctx.manager.open_with_passphrase(PASSPHRASE)
    again.close()
    by_key = ctx.manager.open_with_recovery(key)
    by_key.close()


def test_keyring_mode(qtbot: QtBot, ctx: UiContext, keystore: MemoryKeyStore) -> None:
    wizard = _start(qtbot, ctx)
    assert wizard.protection.keyring_radio.isChecked()
    assert not wizard.protection.fields.isEnabled()
    key = _create(qtbot, wizard)
    assert ctx.manager.key_mode() is KeyMode.KEYRING
    assert len(keystore.items) == 1
    # No back button and no cancel after the vault exists: the key must be confirmed.
    assert not _button(wizard, QWizard.WizardButton.BackButton).isVisible()
    _confirm(qtbot, wizard, key)
    assert wizard.vault is not None
    wizard.vault.close()
    ctx.manager.open_with_keyring().close()


def test_demo_fills_the_vault(qtbot: QtBot, ctx: UiContext) -> None:
    wizard = _start(qtbot, ctx, demo=True)
    key = _create(qtbot, wizard)
    _confirm(qtbot, wizard, key)
    vault = wizard.vault
    assert vault is not None
    assert count_transactions(vault) > 0
    vault.close()


def test_recovery_key_saved_as_private_text_file(qtbot: QtBot, ctx: UiContext, tmp_path: Path) -> None:
    wizard = _start(qtbot, ctx)
    key = _create(qtbot, wizard)
    panel = wizard.recovery.panel
    assert panel is not None
    target = tmp_path / "key.txt"
    panel.ask_save_path = lambda: str(target)
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    text = target.read_text(encoding="utf-8")
    assert all(g in text for g in groups(key)) and "v.mybnpl" not in text
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    panel.copy_key()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == key
    QGuiApplication.clipboard().clear()
    _confirm(qtbot, wizard, key)
    assert wizard.vault is not None
    wizard.vault.close()
