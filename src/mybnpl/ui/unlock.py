"""Unlocking: the keyring automatically, or a passphrase, or the recovery key (then re-protect the key).

Nothing here writes to the vault file before it is open: a wrong secret or a damaged file leaves it as it is.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFontDatabase, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from mybnpl.core.errors import UserError
from mybnpl.i18n import N_, _, error_text, tr
from mybnpl.ui.context import UiContext
from mybnpl.ui.icons import app_icon
from mybnpl.ui.widgets import PassphraseFields, heading, muted, on_click, set_text
from mybnpl.ui.worker import Op
from mybnpl.vault import errors as verr
from mybnpl.vault.db import Vault
from mybnpl.vault.keystore import KeyringStatus
from mybnpl.vault.manager import KeyMode

_DAMAGED = (verr.VaultDamaged, verr.NotAVault, verr.NewerSchema, verr.CipherUnavailable)
_KEYRING_TROUBLE = (verr.KeyringEntryMissing, verr.KeyringBackendChanged, verr.KeyringLocked,
                    verr.KeyringUnavailable, verr.KeyInfoMissing)


def _error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("error")
    label.setWordWrap(True)
    label.setStyleSheet("color: #c62828;")
    return label


class UnlockDialog(QDialog):
    """After ``accepted``, :attr:`vault` holds the open vault."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setObjectName("unlockDialog")
        self.setWindowIcon(app_icon())
        self.vault: Vault | None = None
        self.mode = ctx.manager.key_mode()
        self._busy = False
        self._auto_tried = False

        self.title = heading(scale=1.4)
        self.file_label = muted(QLabel(str(ctx.manager.path)))
        self.file_label.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self._build_main())
        self.stack.addWidget(self._build_recovery())
        self.stack.addWidget(self._build_reprotect())
        self.stack.addWidget(self._build_damaged())
        self.quit_button = QPushButton()
        on_click(self.quit_button, self.reject)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.quit_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.file_label)
        layout.addSpacing(8)
        layout.addWidget(self.stack, 1)
        layout.addLayout(bottom)
        # Return belongs to the field the user types in (returnPressed) and to the one default button, never to a
        # button Qt makes "auto default" (every button of a dialog, unless told otherwise): "Use the recovery key"
        # became the dialog's default when shown, and Return in the passphrase field pressed it too. Done once the
        # pages belong to the dialog (before that, the buttons have no dialog and these calls do nothing).
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
        self.unlock_button.setDefault(True)
        self.setMinimumWidth(520)
        self.retranslate()
        if self.mode is None:  # the sidecar is missing: only the recovery key can help
            self.show_recovery()
            set_text(self.recovery_error, error_text(verr.KeyInfoMissing(name=ctx.manager.path.name)))

    # -- pages --------------------------------------------------------------------------------------------
    def _build_main(self) -> QWidget:
        page = QWidget()
        self.main_text = QLabel()
        self.main_text.setWordWrap(True)
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("passphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_label = QLabel()
        self.passphrase_label.setBuddy(self.passphrase)
        self.unlock_button = QPushButton()
        self.unlock_button.setObjectName("unlockButton")
        on_click(self.unlock_button, self.unlock)
        self.passphrase.returnPressed.connect(self.unlock)
        self.main_error = _error_label()
        self.use_recovery = QPushButton()
        self.use_recovery.setObjectName("useRecovery")
        on_click(self.use_recovery, self.show_recovery)
        form = QFormLayout()
        form.addRow(self.passphrase_label, self.passphrase)
        buttons = QHBoxLayout()
        buttons.addWidget(self.use_recovery)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        layout = QVBoxLayout(page)
        layout.addWidget(self.main_text)
        layout.addLayout(form)
        layout.addWidget(self.main_error)
        layout.addStretch(1)
        layout.addLayout(buttons)
        keyring = self.mode is KeyMode.KEYRING
        self.passphrase.setVisible(not keyring)
        self.passphrase_label.setVisible(not keyring)
        return page

    def _build_recovery(self) -> QWidget:
        page = QWidget()
        self.recovery_text = QLabel()
        self.recovery_text.setWordWrap(True)
        self.recovery_edit = QLineEdit()
        self.recovery_edit.setObjectName("recoveryKey")
        self.recovery_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.recovery_edit.setPlaceholderText("XXXXX-XXXXX-XXXXX-…")
        self.recovery_edit.returnPressed.connect(self.unlock_with_recovery)
        self.recovery_label = QLabel()
        self.recovery_label.setBuddy(self.recovery_edit)
        self.recovery_error = _error_label()
        self.recovery_back = QPushButton()
        on_click(self.recovery_back, self.show_main)
        self.recovery_open = QPushButton()
        self.recovery_open.setObjectName("recoveryOpen")
        on_click(self.recovery_open, self.unlock_with_recovery)
        buttons = QHBoxLayout()
        buttons.addWidget(self.recovery_back)
        buttons.addStretch(1)
        buttons.addWidget(self.recovery_open)
        layout = QVBoxLayout(page)
        layout.addWidget(self.recovery_text)
        layout.addWidget(self.recovery_label)
        layout.addWidget(self.recovery_edit)
        layout.addWidget(self.recovery_error)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.recovery_back.setVisible(self.mode is not None)
        return page

    def _build_reprotect(self) -> QWidget:
        page = QWidget()
        self.reprotect_text = QLabel()
        self.reprotect_text.setWordWrap(True)
        # The keyring is probed only when this page is needed (after a recovery-key unlock): probing it loads the
        # keyring package and its backends (≈0.3 s), which would delay every start-up's unlock dialog.
        self.status = KeyringStatus(False, "", N_("not checked yet"))
        self.re_keyring = QRadioButton()
        self.re_keyring.setObjectName("reKeyring")
        self.re_passphrase = QRadioButton()
        self.re_passphrase.setObjectName("rePassphrase")
        group = QButtonGroup(page)
        group.addButton(self.re_keyring)
        group.addButton(self.re_passphrase)
        self._apply_keyring_status()
        self.re_fields = PassphraseFields()
        self.re_keyring.toggled.connect(self._reprotect_changed)
        self.re_fields.changed.connect(self._reprotect_changed)
        self.re_error = _error_label()
        self.re_skip = QPushButton()
        self.re_skip.setObjectName("reSkip")
        on_click(self.re_skip, self._finish)
        self.re_save = QPushButton()
        self.re_save.setObjectName("reSave")
        on_click(self.re_save, self.reprotect)
        buttons = QHBoxLayout()
        buttons.addWidget(self.re_skip)
        buttons.addStretch(1)
        buttons.addWidget(self.re_save)
        layout = QVBoxLayout(page)
        layout.addWidget(self.reprotect_text)
        layout.addWidget(self.re_keyring)
        layout.addWidget(self.re_passphrase)
        layout.addWidget(self.re_fields)
        layout.addWidget(self.re_error)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self._reprotect_changed()
        return page

    def _build_damaged(self) -> QWidget:
        page = QWidget()
        self.damaged_text = QLabel()
        self.damaged_text.setObjectName("damagedText")
        self.damaged_text.setWordWrap(True)
        self.damaged_hint = muted(QLabel())
        self.damaged_hint.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(self.damaged_text)
        layout.addWidget(self.damaged_hint)
        layout.addStretch(1)
        return page

    # -- navigation ---------------------------------------------------------------------------------------
    def show_main(self) -> None:
        self.stack.setCurrentIndex(0)
        self.unlock_button.setDefault(True)  # Return: each page's own main button (no auto-default buttons)
        (self.passphrase if self.passphrase.isVisible() else self.unlock_button).setFocus()

    def show_recovery(self) -> None:
        self.stack.setCurrentIndex(1)
        self.recovery_open.setDefault(True)
        self.recovery_edit.setFocus()

    def show_damaged(self, err: UserError) -> None:
        self.stack.setCurrentIndex(3)
        set_text(self.damaged_text, error_text(err))
        self.quit_button.setDefault(True)
        self.quit_button.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.mode is KeyMode.KEYRING and not self._auto_tried:
            self._auto_tried = True
            QTimer.singleShot(0, self, self.unlock)
        elif self.stack.currentIndex() == 0:
            self.passphrase.setFocus()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for w in (self.unlock_button, self.recovery_open, self.re_save, self.re_skip):
            w.setEnabled(not busy)
        # The text fields become read-only, not disabled: a disabled field loses the keyboard focus to whatever comes
        # next in the tab order, and after a wrong passphrase the focus must be back in the field the user typed in.
        for edit in (self.passphrase, self.recovery_edit):
            edit.setReadOnly(busy)
        if not busy:
            self._reprotect_changed()

    # -- actions ------------------------------------------------------------------------------------------
    def unlock(self) -> None:
        if self._busy:
            return
        manager = self._ctx.manager
        set_text(self.main_error, "")
        if self.mode is KeyMode.KEYRING:
            set_text(self.main_text, _("Opening the vault with the key in the system keyring…"))
            op = Op(self, manager.open_with_keyring)
        else:
            passphrase = self.passphrase.text()
            if not passphrase:
                self.passphrase.setFocus()
                return
            op = Op(self, lambda: manager.open_with_passphrase(passphrase))
        self._set_busy(True)
        op.success(self._opened).failure(self._main_failed).finally_(lambda: self._set_busy(False)).run()

    def _main_failed(self, err: UserError) -> None:
        self._set_busy(False)  # before moving the focus: a disabled field cannot take it
        if isinstance(err, _DAMAGED):
            self.show_damaged(err)
        elif isinstance(err, verr.WrongPassphrase):
            set_text(self.main_error, error_text(err))
            self.passphrase.clear()
            self.passphrase.setFocus()
        elif isinstance(err, _KEYRING_TROUBLE):
            set_text(self.main_text, _("The vault could not be opened with the system keyring."))
            set_text(self.main_error, error_text(err))
            self.unlock_button.setText(_("&Try again"))
            self.use_recovery.setDefault(True)
            self.use_recovery.setFocus()
        else:
            set_text(self.main_error, error_text(err))

    def unlock_with_recovery(self) -> None:
        if self._busy:
            return
        text = self.recovery_edit.text()
        if not text.strip():
            self.recovery_edit.setFocus()
            return
        set_text(self.recovery_error, "")
        manager = self._ctx.manager
        self._set_busy(True)
        (Op(self, lambda: manager.open_with_recovery(text)).success(self._recovered)
         .failure(self._recovery_failed).finally_(lambda: self._set_busy(False)).run())

    def _recovery_failed(self, err: UserError) -> None:
        self._set_busy(False)
        if isinstance(err, _DAMAGED):
            self.show_damaged(err)
            return
        set_text(self.recovery_error, error_text(err))
        self.recovery_edit.setFocus()
        self.recovery_edit.selectAll()

    def _apply_keyring_status(self, select: bool = True) -> None:
        self.re_keyring.setEnabled(self.status.usable)
        if select:
            (self.re_keyring if self.status.usable else self.re_passphrase).setChecked(True)
        self.re_keyring.setToolTip("" if self.status.usable else tr(
            N_("The system keyring cannot be used: {reason}."), reason=_(self.status.reason)))

    def _recovered(self, vault: Vault) -> None:
        self.vault = vault
        self.status = self._ctx.manager.keyring_status()
        self._apply_keyring_status()
        self._reprotect_changed()
        self.recovery_edit.clear()
        set_text(self.title, _("Your vault is open"))
        self.stack.setCurrentIndex(2)
        self.re_save.setDefault(True)
        self.re_save.setFocus()

    def _reprotect_changed(self) -> None:
        keyring = self.re_keyring.isChecked()
        self.re_fields.setEnabled(not keyring and not self._busy)
        self.re_save.setEnabled(not self._busy and (keyring or self.re_fields.acceptable()))

    def reprotect(self) -> None:
        vault = self.vault
        if vault is None or self._busy:
            return
        manager = self._ctx.manager
        keyring = self.re_keyring.isChecked()
        mode = KeyMode.KEYRING if keyring else KeyMode.PASSPHRASE
        passphrase = None if keyring else self.re_fields.passphrase()
        set_text(self.re_error, "")
        self._set_busy(True)
        (Op(self, lambda: manager.reenrol(vault, mode, passphrase)).success(lambda _r: self._finish())
         .failure(lambda e: set_text(self.re_error, error_text(e))).finally_(lambda: self._set_busy(False))
         .run())

    def _opened(self, vault: Vault) -> None:
        self.vault = vault
        self.passphrase.clear()
        self.accept()

    def _finish(self) -> None:
        self.re_fields.clear()
        self.accept()

    def reject(self) -> None:
        if self._busy:
            return
        if self.vault is not None:  # opened by recovery, then the user quit: do not leave it open
            self.vault.close()
            self.vault = None
        super().reject()

    # -- language -----------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setWindowTitle(_("Unlock mybnpl"))
        set_text(self.title, _("Unlock your vault"))
        if self.mode is KeyMode.KEYRING:
            set_text(self.main_text, _("The vault key is kept in the system keyring."))
            self.unlock_button.setText(_("&Open"))
        else:
            set_text(self.main_text, _("Type your passphrase to open the vault."))
            self.unlock_button.setText(_("&Unlock"))
        self.passphrase_label.setText(_("&Passphrase:"))
        self.passphrase.setAccessibleName(_("Passphrase"))
        self.use_recovery.setText(_("Use &recovery key…"))
        set_text(self.recovery_text, _(
            "Type the recovery key you wrote down or printed when you created the vault. Dashes, spaces and "
            "upper or lower case do not matter."))
        self.recovery_label.setText(_("&Recovery key:"))
        self.recovery_edit.setAccessibleName(_("Recovery key"))
        self.recovery_back.setText(_("&Back"))
        self.recovery_open.setText(_("&Open vault"))
        set_text(self.reprotect_text, _(
            "The vault is open. How should its key be protected from now on? Your recovery key stays valid."))
        self.re_keyring.setText(_("Store the key in the system &keyring again"))
        self._apply_keyring_status(select=False)  # the tooltip in the new language
        self.re_passphrase.setText(_("Protect it with a &passphrase"))
        self.re_fields.retranslate()
        self.re_skip.setText(_("&Not now"))
        self.re_save.setText(_("&Save and continue"))
        set_text(self.damaged_hint, _(
            "mybnpl did not change the file. Keep it as it is, and restore your latest backup into a new "
            "vault file."))
        self.quit_button.setText(_("&Quit"))
        for b in (self.unlock_button, self.use_recovery, self.recovery_back, self.recovery_open,
                  self.re_keyring, self.re_passphrase, self.re_skip, self.re_save, self.quit_button):
            b.setAccessibleName(b.text().replace("&", "").replace("…", ""))
