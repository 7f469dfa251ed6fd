"""Settings: every entry of :data:`mybnpl.config.SETTINGS`, rendered by type, plus the vault's actions."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from mybnpl.config import SETTINGS, Setting
from mybnpl.core.errors import UserError
from mybnpl.i18n import N_, _, error_text, tr
from mybnpl.ui.backup_panel import BackupPanel
from mybnpl.ui.context import UiContext
from mybnpl.ui.keychange import ChangeKeyDialog
from mybnpl.ui.language import LANGUAGE_NAMES
from mybnpl.ui.pages.base import Page
from mybnpl.ui.recovery import RecoveryKeyDialog
from mybnpl.ui.widgets import muted, on_click, set_text
from mybnpl.ui.worker import Op
from mybnpl.vault.keystore import KeyringStatus
from mybnpl.vault.manager import KeyMode

# Labels of choice values; a value not listed is shown as it is.
CHOICE_LABELS: dict[str, dict[Any, str]] = {"language": {"auto": N_("System language"), **LANGUAGE_NAMES}}
# Shown in their own language, never translated.
_UNTRANSLATED = set(LANGUAGE_NAMES.values())
KEY_MODE_TEXT = {KeyMode.KEYRING: N_("system keyring"), KeyMode.PASSPHRASE: N_("passphrase")}


def choice_label(setting: Setting, value: Any) -> str:
    label = CHOICE_LABELS.get(setting.key, {}).get(value)
    if label is None:
        return str(value)
    return label if label in _UNTRANSLATED else _(label)


class SettingsPage(Page):
    key = "settings"
    icon_name = "settings"
    nav_title = N_("Settings")
    title = N_("Settings")

    setting_changed = Signal(str, object)
    lock_requested = Signal()
    key_changed = Signal()
    data_changed = Signal()  # a backup was restored: every page re-reads

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.editors: dict[str, QWidget] = {}
        self.labels: dict[str, QLabel] = {}
        self.dialog: ChangeKeyDialog | None = None
        self.recovery_dialog: RecoveryKeyDialog | None = None
        # Whether a secure OS keyring exists: asked once, off the GUI thread, when the page is first shown (the
        # probe loads the keyring package and asks the system: about 0.25 s that start-up should not pay).
        self.keyring_usable: bool | None = None
        self._keyring_reason = ""
        self._probing = False

        self.prefs = QGroupBox()
        form = QFormLayout(self.prefs)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        for s in SETTINGS:
            editor = self._editor(s)
            editor.setObjectName(f"setting_{s.key}")
            self.editors[s.key] = editor
            if isinstance(editor, QCheckBox):
                form.addRow("", editor)
            else:
                label = QLabel()
                label.setBuddy(editor)
                self.labels[s.key] = label
                form.addRow(label, editor)
        self.prefs_note = muted(QLabel())
        self.prefs_note.setWordWrap(True)
        form.addRow(self.prefs_note)
        self.message = QLabel()
        self.message.setObjectName("settingsMessage")
        self.message.setWordWrap(True)

        self.vault_box = QGroupBox()
        vform = QVBoxLayout(self.vault_box)
        self.vault_info = QLabel()
        self.vault_info.setWordWrap(True)
        self.change_button = QPushButton()
        self.change_button.setObjectName("changeKey")
        self.switch_button = QPushButton()
        self.switch_button.setObjectName("switchMode")
        self.backups = BackupPanel(lambda: self.vault)
        self.backups.restored.connect(self.data_changed)
        self.backup_button = self.backups.backup_button
        self.lock_button = QPushButton()
        self.lock_button.setObjectName("lockNow")
        on_click(self.change_button, lambda: self.open_change_key(self._mode()))
        on_click(self.switch_button, lambda: self.open_change_key(
            KeyMode.PASSPHRASE if self._mode() is KeyMode.KEYRING else KeyMode.KEYRING))
        on_click(self.lock_button, self.lock_requested.emit)
        buttons = QHBoxLayout()
        for b in (self.change_button, self.switch_button, self.backup_button, self.backups.restore_button,
                  self.lock_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.vault_status = muted(QLabel())
        self.vault_status.setObjectName("vaultStatus")
        self.vault_status.setWordWrap(True)
        self.keyring_note = muted(QLabel())  # why "Switch to the system keyring" is off, when it is
        self.keyring_note.setObjectName("keyringNote")
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setVisible(False)
        vform.addWidget(self.vault_info)
        vform.addLayout(buttons)
        vform.addWidget(self.keyring_note)
        vform.addWidget(self.backups)
        vform.addWidget(self.vault_status)

        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        inner_layout.setContentsMargins(0, 0, 0, 0)
        inner_layout.addWidget(self.prefs)
        inner_layout.addWidget(self.message)
        inner_layout.addWidget(self.vault_box)
        inner_layout.addStretch(1)
        scroll = QScrollArea()
        self.scroll_area = scroll
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(inner)
        self.body.addWidget(scroll, 1)
        self.retranslate()
        self.clear()

    # -- generic editors ----------------------------------------------------------------------------------
    def _editor(self, s: Setting) -> QWidget:
        value = self.ctx.config.get(s.key)
        if s.type is bool:
            box = QCheckBox()
            box.setChecked(bool(value))
            box.toggled.connect(lambda v, k=s.key: self._set(k, v))
            return box
        if s.type is int:
            spin = QSpinBox()
            spin.setMinimumWidth(100)
            spin.setRange(s.minimum if s.minimum is not None else -(2**31),
                          s.maximum if s.maximum is not None else 2**31 - 1)
            spin.setValue(int(value))
            spin.valueChanged.connect(lambda v, k=s.key: self._set(k, v))
            return spin
        if s.choices:
            combo = QComboBox()
            combo.setMinimumWidth(220)
            for choice in s.choices:
                combo.addItem(choice_label(s, choice), choice)
            combo.setCurrentIndex(max(0, combo.findData(value)))
            combo.currentIndexChanged.connect(lambda _i, k=s.key, c=combo: self._set(k, c.currentData()))
            return combo
        edit = QLineEdit(str(value))
        edit.setMinimumWidth(420)
        edit.editingFinished.connect(lambda k=s.key, e=edit: self._set(k, e.text()))
        return edit

    def _set(self, key: str, value: Any) -> None:
        if self.ctx.config.get(key) == value:
            return
        try:
            self.ctx.config.set(key, value)
        except UserError as err:
            set_text(self.message, error_text(err))
            return
        except OSError:
            set_text(self.message, _("The settings file could not be written."))
            return
        set_text(self.message, "")
        self.setting_changed.emit(key, value)

    def refresh_values(self) -> None:
        """Show the stored values again (after a change made elsewhere, e.g. the language menu)."""
        for s in SETTINGS:
            editor = self.editors[s.key]
            value = self.ctx.config.get(s.key)
            editor.blockSignals(True)
            if isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, QSpinBox):
                editor.setValue(int(value))
            elif isinstance(editor, QComboBox):
                editor.setCurrentIndex(max(0, editor.findData(value)))
            elif isinstance(editor, QLineEdit):
                editor.setText(str(value))
            editor.blockSignals(False)

    # -- vault ------------------------------------------------------------------------------------------
    def _mode(self) -> KeyMode:
        return self.ctx.manager.key_mode() or KeyMode.PASSPHRASE

    def reload(self) -> None:
        for b in (self.change_button, self.switch_button, self.lock_button):
            b.setEnabled(True)
        self.backups.set_enabled(True)
        self._update_vault_texts()

    def clear(self) -> None:
        for b in (self.change_button, self.switch_button, self.lock_button):
            b.setEnabled(False)
        self.backups.set_enabled(False)
        set_text(self.vault_status, "")
        self._update_vault_texts()

    def _update_vault_texts(self) -> None:
        mode = self.ctx.manager.key_mode() if self.vault is not None else None
        mode_text = _(KEY_MODE_TEXT[mode]) if mode else "–"
        set_text(self.vault_info, tr(N_("File: {path}\nKey protection: {mode}"), path=str(self.ctx.manager.path),
                                     mode=mode_text))
        if mode is KeyMode.KEYRING:
            self.change_button.setText(_("&Renew key…"))
            self.switch_button.setText(_("Switch to a &passphrase…"))
        else:
            self.change_button.setText(_("Change &passphrase…"))
            self.switch_button.setText(_("Switch to the system &keyring…"))
            if not self._keyring_usable():
                self.switch_button.setEnabled(False)
        unusable = mode is KeyMode.PASSPHRASE and self.keyring_usable is False
        set_text(self.keyring_note, tr(N_("The system keyring cannot hold the key on this computer: {reason}. Your "
                                          "passphrase protects the vault."), reason=_(self._keyring_reason))
                 if unusable else "")
        self.keyring_note.setVisible(unusable)
        for b in (self.change_button, self.switch_button, self.lock_button):
            b.setAccessibleName(b.text().replace("&", "").replace("…", ""))

    def _keyring_usable(self) -> bool | None:
        """What the keyring probe found; None (and the probe started, if the page is visible) until it has."""
        if self.keyring_usable is None and not self._probing and self.isVisible():
            self._probing = True
            Op(self, self.ctx.manager.keyring_status).success(self._keyring_known).finally_(self._probed).run()
        return self.keyring_usable

    def _keyring_known(self, status: KeyringStatus) -> None:
        self.keyring_usable, self._keyring_reason = status.usable, status.reason
        self._update_vault_texts()
        if self.vault is not None and status.usable:
            self.switch_button.setEnabled(True)

    def _probed(self) -> None:
        self._probing = False

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.keyring_usable is None:
            self._keyring_usable()

    def open_change_key(self, target: KeyMode) -> ChangeKeyDialog | None:
        if self.vault is None:
            return None
        self.dialog = ChangeKeyDialog(self.ctx, self.vault, target, self)
        self.dialog.accepted.connect(self._key_changed)
        self.dialog.open()
        return self.dialog

    def _key_changed(self) -> None:
        dialog, vault = self.dialog, self.vault
        if dialog is None or dialog.recovery_key is None or vault is None:
            return
        self.recovery_dialog = RecoveryKeyDialog(dialog.recovery_key, vault.path.name, self.ctx.today(), self)
        self.recovery_dialog.open()
        self._update_vault_texts()
        self.key_changed.emit()

    # -- language -----------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        super().retranslate()
        self.scroll_area.setAccessibleName(_("Settings"))
        self.prefs.setTitle(_("Preferences"))
        for s in SETTINGS:
            editor = self.editors[s.key]
            text = _(s.label)
            editor.setAccessibleName(text)
            if isinstance(editor, QCheckBox):
                editor.setText(text)
            else:
                self.labels[s.key].setText(tr(N_("{label}:"), label=text))
            if isinstance(editor, QComboBox):
                for i in range(editor.count()):
                    editor.setItemText(i, choice_label(s, editor.itemData(i)))
        set_text(self.prefs_note, _("Changes are saved at once. A new vault location is used at the next start."))
        self.vault_box.setTitle(_("Vault"))
        self.backups.retranslate()
        self.lock_button.setText(_("&Lock now"))
        self._update_vault_texts()
