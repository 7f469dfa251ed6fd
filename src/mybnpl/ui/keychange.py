"""Changing how the vault key is protected (new passphrase, keyring ↔ passphrase). The key is rotated, so a
new recovery key results and is shown once."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from mybnpl.core.errors import UserError
from mybnpl.i18n import N_, _, error_text, tr
from mybnpl.ui.context import UiContext
from mybnpl.ui.widgets import PassphraseFields, muted, set_text
from mybnpl.ui.worker import Op
from mybnpl.vault.db import Vault
from mybnpl.vault.manager import KeyMode


class ChangeKeyDialog(QDialog):
    """After ``accepted``, :attr:`recovery_key` holds the new recovery key (show it with RecoveryKeyDialog)."""

    def __init__(self, ctx: UiContext, vault: Vault, target: KeyMode, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("changeKeyDialog")
        self._ctx = ctx
        self._vault = vault
        self.recovery_key: str | None = None
        self._busy = False
        status = ctx.manager.keyring_status()
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.keyring_radio = QRadioButton()
        self.keyring_radio.setObjectName("keyringMode")
        self.keyring_radio.setEnabled(status.usable)
        self.passphrase_radio = QRadioButton()
        self.passphrase_radio.setObjectName("passphraseMode")
        group = QButtonGroup(self)
        group.addButton(self.keyring_radio)
        group.addButton(self.passphrase_radio)
        if target is KeyMode.KEYRING and status.usable:
            self.keyring_radio.setChecked(True)
        else:
            self.passphrase_radio.setChecked(True)
        self.keyring_hint = muted(QLabel())
        self.keyring_hint.setWordWrap(True)
        if not status.usable:
            set_text(self.keyring_hint, tr(N_("The system keyring cannot be used: {reason}."),
                                           reason=_(status.reason)))
        self.fields = PassphraseFields()
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.keyring_radio)
        layout.addWidget(self.keyring_hint)
        layout.addWidget(self.passphrase_radio)
        layout.addWidget(self.fields)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.keyring_radio.toggled.connect(self._update)
        self.fields.changed.connect(self._update)
        self.setWindowTitle(_("Change key protection"))
        set_text(self.intro, _(
            "mybnpl gives the vault a new key, protected the way you choose, and shows you a new recovery key. "
            "Backups made before this keep opening with your old recovery key."))
        self.keyring_radio.setText(_("Keep the key in the system &keyring"))
        self.passphrase_radio.setText(_("Protect the key with a &passphrase"))
        for r in (self.keyring_radio, self.passphrase_radio):
            r.setAccessibleName(r.text().replace("&", ""))
        self.ok.setText(_("&Change key"))
        self.setMinimumWidth(520)
        self._update()

    def mode(self) -> KeyMode:
        return KeyMode.KEYRING if self.keyring_radio.isChecked() else KeyMode.PASSPHRASE

    def _update(self) -> None:
        passphrase = self.mode() is KeyMode.PASSPHRASE
        self.fields.setEnabled(passphrase and not self._busy)
        self.ok.setEnabled(not self._busy and (not passphrase or self.fields.acceptable()))

    def apply(self) -> None:
        if self._busy:
            return
        mode = self.mode()
        passphrase = self.fields.passphrase() if mode is KeyMode.PASSPHRASE else None
        manager, vault = self._ctx.manager, self._vault
        self._busy = True
        self._update()
        set_text(self.error, "")
        (Op(self, lambda: manager.change_key(vault, mode, passphrase)).success(self._changed)
         .failure(self._failed).finally_(self._done).run())

    def _changed(self, recovery_key: str) -> None:
        self.recovery_key = recovery_key
        self.fields.clear()
        self.accept()

    def _failed(self, err: UserError) -> None:
        set_text(self.error, error_text(err))

    def _done(self) -> None:
        self._busy = False
        self._update()

    def reject(self) -> None:
        if not self._busy:
            super().reject()
