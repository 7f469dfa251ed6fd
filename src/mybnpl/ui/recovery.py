"""Showing a new recovery key exactly once: large selectable text, print / save / copy, and a confirmation
in which the user types the key's last group back (proof that it was written down, not just skimmed)."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mybnpl.atomic import write_atomic
from mybnpl.i18n import N_, _, tr
from mybnpl.ui.widgets import muted, on_click, set_text

CLIPBOARD_CLEAR_MS = 60_000
GROUPS_PER_LINE = 4


def groups(key: str) -> list[str]:
    return [g for g in key.replace(" ", "-").split("-") if g]


def display_lines(key: str) -> str:
    """Groups in lines of four; the last line is padded so the columns stay aligned when centred."""
    gs = groups(key)
    lines = ["  ".join(gs[i : i + GROUPS_PER_LINE]) for i in range(0, len(gs), GROUPS_PER_LINE)]
    width = max((len(line) for line in lines), default=0)
    return "\n".join(line.ljust(width) for line in lines)


def _normalise(text: str) -> str:
    return text.strip().replace(" ", "").replace("-", "").upper()


def key_document_text(key: str, vault_name: str, today: date) -> str:
    return "\n".join([
        _("mybnpl recovery key"),
        tr(N_("Vault: {name}"), name=vault_name),
        tr(N_("Created: {date}"), date=today.isoformat()),
        "",
        display_lines(key),
        "",
        _("Anyone with this key can open the vault. Keep it somewhere safe, away from this computer."),
        "",
    ])


class RecoveryKeyPanel(QWidget):
    """Shows ``key`` and enforces the confirm-by-typing-the-last-group step (``confirmed``)."""

    confirmed_changed = Signal(bool)

    def __init__(self, key: str, vault_name: str, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._key = key
        self._vault_name = vault_name
        self._today = today
        self._confirmed = False
        # Injectable for tests: return a path, or "" when the user cancels.
        self.ask_save_path: Callable[[], str] = self._ask_save_path

        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.key_label = QLabel(display_lines(key))
        self.key_label.setObjectName("recoveryKey")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(max(font.pointSizeF(), 10.0) * 1.6)
        font.setBold(True)
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.key_label.setFont(font)
        self.key_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key_label.setFrameShape(QFrame.Shape.StyledPanel)
        self.key_label.setMargin(14)
        self.key_label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.print_button = QPushButton()
        self.save_button = QPushButton()
        self.copy_button = QPushButton()
        on_click(self.print_button, self.print_key)
        on_click(self.save_button, self.save_key)
        on_click(self.copy_button, self.copy_key)
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        self.action_status = muted(QLabel())
        self.action_status.setObjectName("actionStatus")

        self.confirm_label = QLabel()
        self.confirm_label.setWordWrap(True)
        self.confirm_edit = QLineEdit()
        self.confirm_edit.setObjectName("confirmLastGroup")
        self.confirm_edit.setMaxLength(12)
        self.confirm_edit.setMaximumWidth(200)
        self.confirm_label.setBuddy(self.confirm_edit)
        self.confirm_status = QLabel()
        self.confirm_status.setObjectName("confirmStatus")
        self.confirm_edit.textChanged.connect(self._check)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.key_label)
        layout.addLayout(buttons)
        layout.addWidget(self.action_status)
        layout.addSpacing(8)
        layout.addWidget(self.confirm_label)
        row = QHBoxLayout()
        row.addWidget(self.confirm_edit)
        row.addWidget(self.confirm_status, 1)
        layout.addLayout(row)
        layout.addStretch(1)
        self.setTabOrder(self.key_label, self.print_button)
        self.setTabOrder(self.print_button, self.save_button)
        self.setTabOrder(self.save_button, self.copy_button)
        self.setTabOrder(self.copy_button, self.confirm_edit)
        self.retranslate()

    @property
    def confirmed(self) -> bool:
        return self._confirmed

    def last_group(self) -> str:
        return groups(self._key)[-1]

    def _check(self) -> None:
        typed = _normalise(self.confirm_edit.text())
        ok = typed == _normalise(self.last_group())
        if ok:
            set_text(self.confirm_status, _("Confirmed. Keep the key safe."))
        elif len(typed) >= len(self.last_group()):
            set_text(self.confirm_status, _("That is not the last group. Check what you wrote down."))
        else:
            set_text(self.confirm_status, "")
        if ok != self._confirmed:
            self._confirmed = ok
            self.confirmed_changed.emit(ok)

    # -- actions --------------------------------------------------------------------------------------------
    def document_text(self) -> str:
        return key_document_text(self._key, self._vault_name, self._today)

    def print_key(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        doc = QTextDocument()
        lines = [html.escape(x) for x in self.document_text().split("\n")]
        body = "<br>".join(lines[:3]) + "<pre style='font-size:16pt'>" + html.escape(display_lines(self._key))
        doc.setHtml(f"<h2>{lines[0]}</h2>{body}</pre><p>{lines[-2]}</p>")
        doc.print_(printer)
        set_text(self.action_status, _("Sent to the printer."))

    def _ask_save_path(self) -> str:
        name, _filter = QFileDialog.getSaveFileName(
            self, _("Save recovery key"), str(Path.home() / "mybnpl-recovery-key.txt"), _("Text files (*.txt)"))
        return name

    def save_key(self) -> None:
        name = self.ask_save_path()
        if not name:
            return
        try:
            write_atomic(Path(name), self.document_text().encode("utf-8"))
        except OSError:
            set_text(self.action_status, _("The file could not be written. Choose another place."))
            return
        set_text(self.action_status, _("Saved. Move the file to a USB stick or print it, then delete it here."))

    def copy_key(self) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(self._key)
        set_text(self.action_status, _("Copied. The clipboard will be cleared in one minute."))

        def clear_if_unchanged() -> None:
            if clipboard.text() == self._key:
                clipboard.clear()

        QTimer.singleShot(CLIPBOARD_CLEAR_MS, self, clear_if_unchanged)

    def retranslate(self) -> None:
        set_text(self.intro, _(
            "This is your recovery key. It opens your vault if you forget your passphrase or the system "
            "keyring loses the key. It is shown only this once. Write it down or print it, and keep it away "
            "from this computer: anyone who has it can open your vault."))
        self.key_label.setAccessibleName(_("Recovery key"))
        self.print_button.setText(_("&Print…"))
        self.save_button.setText(_("&Save as text file…"))
        self.copy_button.setText(_("&Copy"))
        for b in (self.print_button, self.save_button, self.copy_button):
            b.setAccessibleName(b.text().replace("&", ""))
        set_text(self.confirm_label, _(
            "To confirm that you have kept it, type the &last group of the key (5 characters):"))
        self.confirm_edit.setAccessibleName(_("Last group of the recovery key"))
        self._check()


class RecoveryKeyDialog(QDialog):
    """Shows a new recovery key after a key change; OK only once the last group was typed back."""

    def __init__(self, key: str, vault_name: str, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recoveryKeyDialog")
        self.panel = RecoveryKeyPanel(key, vault_name, today, self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(False)
        self.panel.confirmed_changed.connect(ok.setEnabled)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        layout.addWidget(self.buttons)
        self.setWindowTitle(_("Your new recovery key"))
        self.resize(640, 420)

    def reject(self) -> None:  # Escape / close: only once confirmed, the key is never shown again
        if self.panel.confirmed:
            super().reject()
