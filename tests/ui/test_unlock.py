"""Unlock dialog: passphrase, keyring, recovery key and re-protection, damaged files left alone."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mybnpl.ui.context import UiContext
from mybnpl.ui.unlock import UnlockDialog
from mybnpl.vault.db import Vault
from mybnpl.vault.keystore import MemoryKeyStore
from mybnpl.vault.manager import KeyMode
from tests.ui.conftest import PASSPHRASE, file_state

NEW_PASSPHRASE = "a brand new passphrase"


def _dialog(qtbot: QtBot, ctx: UiContext) -> UnlockDialog:
    dialog = UnlockDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _accepted(dialog: UnlockDialog) -> bool:
    return dialog.result() == UnlockDialog.DialogCode.Accepted and dialog.vault is not None


def test_wrong_then_right_passphrase(qtbot: QtBot, ctx: UiContext, created: tuple[Vault, str]) -> None:
    created[0].close()
    before = file_state(ctx.manager.path)
    dialog = _dialog(qtbot, ctx)
    assert dialog.passphrase.isVisible()
    qtbot.keyClicks(dialog.passphrase, "not the passphrase")
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.main_error.text() != "")
    assert "Wrong passphrase" in dialog.main_error.text()
    assert dialog.passphrase.text() == ""
    qtbot.waitUntil(lambda: not dialog.passphrase.isReadOnly())
    assert dialog.stack.currentIndex() == 0  # Return did not also press "Use the recovery key"
    assert dialog.focusWidget() is dialog.passphrase
    assert dialog.vault is None
    assert file_state(ctx.manager.path) == before

    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _accepted(dialog))
    assert dialog.vault is not None and not dialog.vault.closed
    dialog.vault.close()


def test_recovery_then_new_passphrase(qtbot: QtBot, ctx: UiContext, created: tuple[Vault, str]) -> None:
    vault, recovery = created
    vault.close()
    dialog = _dialog(qtbot, ctx)
    qtbot.mouseClick(dialog.use_recovery, Qt.MouseButton.LeftButton)
    assert dialog.stack.currentIndex() == 1
    qtbot.keyClicks(dialog.recovery_edit, "ABCDE-FGHJK")
    qtbot.mouseClick(dialog.recovery_open, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.recovery_error.text() != "")
    assert "not a valid recovery key" in dialog.recovery_error.text()
    dialog.recovery_edit.clear()
    qtbot.keyClicks(dialog.recovery_edit, recovery.lower().replace("-", " "))
    qtbot.waitUntil(lambda: dialog.recovery_open.isEnabled())
    qtbot.mouseClick(dialog.recovery_open, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.stack.currentIndex() == 2)
    assert dialog.vault is not None and not dialog.vault.closed

    dialog.re_passphrase.setChecked(True)
    assert not dialog.re_save.isEnabled()
    qtbot.keyClicks(dialog.re_fields.first, NEW_PASSPHRASE)
    qtbot.keyClicks(dialog.re_fields.second, NEW_PASSPHRASE)
    assert dialog.re_save.isEnabled()
    qtbot.keyClick(dialog.re_fields.second, Qt.Key.Key_Return)  # Return presses this page's Save
    qtbot.waitUntil(lambda: _accepted(dialog))
    assert dialog.vault is not None
    dialog.vault.close()
    ctx.manager.open_with_passphrase(NEW_PASSPHRASE).close()
    ctx.manager.open_with_recovery(recovery).close()  # re-enrolling keeps the recovery key valid


def test_keyring_opens_automatically(qtbot: QtBot, ctx: UiContext) -> None:
    vault, _recovery = ctx.manager.create(KeyMode.KEYRING)
    vault.close()
    dialog = _dialog(qtbot, ctx)
    assert not dialog.passphrase.isVisible()
    qtbot.waitUntil(lambda: _accepted(dialog))
    assert dialog.vault is not None
    dialog.vault.close()


def test_keyring_entry_missing_offers_recovery_and_reenrols(qtbot: QtBot, ctx: UiContext,
                                                           keystore: MemoryKeyStore) -> None:
    vault, recovery = ctx.manager.create(KeyMode.KEYRING)
    vault.close()
    keystore.items.clear()
    before = file_state(ctx.manager.path)
    dialog = _dialog(qtbot, ctx)
    qtbot.waitUntil(lambda: dialog.main_error.text() != "")
    assert "no longer holds" in dialog.main_error.text()
    assert dialog.use_recovery.isDefault()
    assert file_state(ctx.manager.path) == before
    qtbot.mouseClick(dialog.use_recovery, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.recovery_edit, recovery)
    qtbot.keyClick(dialog.recovery_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.stack.currentIndex() == 2)
    assert dialog.re_keyring.isChecked() and dialog.re_save.isEnabled()
    qtbot.mouseClick(dialog.re_save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _accepted(dialog))
    assert len(keystore.items) == 1
    assert dialog.vault is not None
    dialog.vault.close()
    ctx.manager.open_with_keyring().close()


def test_keyring_locked_and_backend_changed_messages(qtbot: QtBot, ctx: UiContext,
                                                     keystore: MemoryKeyStore) -> None:
    vault, _recovery = ctx.manager.create(KeyMode.KEYRING)
    vault.close()
    keystore.locked = True
    dialog = _dialog(qtbot, ctx)
    qtbot.waitUntil(lambda: dialog.main_error.text() != "")
    assert "locked" in dialog.main_error.text()
    keystore.locked = False
    keystore.backend = "some.other.Keyring"
    qtbot.waitUntil(lambda: dialog.unlock_button.isEnabled())
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "changed" in dialog.main_error.text())
    assert dialog.vault is None


def test_damaged_vault_is_left_alone(qtbot: QtBot, ctx: UiContext, created: tuple[Vault, str]) -> None:
    created[0].close()
    path = ctx.manager.path
    data = bytearray(path.read_bytes())
    data[1000:1100] = b"\x00" * 100  # inside page 1: its HMAC check fails
    path.write_bytes(bytes(data))
    before = file_state(path)
    dialog = _dialog(qtbot, ctx)
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.stack.currentIndex() == 3, timeout=10_000)
    assert "damaged" in dialog.damaged_text.text() and "backup" in dialog.damaged_text.text()
    assert file_state(path) == before
    assert dialog.vault is None


def test_not_a_vault(qtbot: QtBot, ctx: UiContext, created: tuple[Vault, str]) -> None:
    created[0].close()
    ctx.manager.path.write_bytes(b"hello" * 1000)
    before = file_state(ctx.manager.path)
    dialog = _dialog(qtbot, ctx)
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.stack.currentIndex() == 3)
    assert file_state(ctx.manager.path) == before


def test_quitting_after_recovery_closes_the_vault(qtbot: QtBot, ctx: UiContext,
                                                  created: tuple[Vault, str]) -> None:
    vault, recovery = created
    vault.close()
    dialog = _dialog(qtbot, ctx)
    dialog.show_recovery()
    qtbot.keyClicks(dialog.recovery_edit, recovery)
    dialog.unlock_with_recovery()
    qtbot.waitUntil(lambda: dialog.stack.currentIndex() == 2)
    opened = dialog.vault
    assert opened is not None
    qtbot.mouseClick(dialog.quit_button, Qt.MouseButton.LeftButton)
    assert opened.closed and dialog.vault is None
