"""Evidence: files kept unchanged inside the vault with their SHA-256 — add, view, export byte for byte."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QGuiApplication, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from mybnpl.core.errors import UserError
from mybnpl.core.models import Evidence
from mybnpl.i18n import N_, _, error_text, ngettext, tr
from mybnpl.services.accounts import list_accounts
from mybnpl.services.evidence import add_evidence_file, evidence_bytes, export_evidence, list_evidence
from mybnpl.services.names import account_name
from mybnpl.ui.context import UiContext
from mybnpl.ui.list_model import Index, ListModel
from mybnpl.ui.pages.base import Page
from mybnpl.ui.widgets import EmptyState, muted, on_click, row_table, set_text
from mybnpl.ui.worker import Op
from mybnpl.vault.db import Vault

TEXT_TYPES = ("text/", "application/json", "application/xml", "application/x-ofx")
KINDS = {"application/pdf": N_("PDF document"), "text/csv": N_("Table (CSV)"), "text/plain": N_("Text"),
         "application/vnd.ms-excel": N_("Spreadsheet"), "application/zip": N_("ZIP archive"),
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": N_("Spreadsheet")}


def human_size(n: int) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"


def kind(media_type: str) -> str:
    if media_type.startswith("image/"):
        return tr(N_("Image ({format})"), format=media_type.split("/", 1)[1].upper())
    return _(KINDS[media_type]) if media_type in KINDS else media_type


def decode_text(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        with contextlib.suppress(UnicodeDecodeError):
            return data.decode(enc)
    return data.decode("utf-8", errors="replace")


class EvidenceModel(ListModel[Evidence]):
    COLUMNS: tuple[str, ...] = (N_("#"), N_("Added"), N_("File name"), N_("Type"), N_("Size"), N_("Note"),
                                N_("SHA-256"))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        e, col = self.items[index.row()], index.column()
        if role == Qt.ItemDataRole.ToolTipRole:
            return e.sha256 if col == 6 else (e.note or None) if col == 5 else None
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (0, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return (str(e.id), e.added_at.astimezone().strftime("%Y-%m-%d %H:%M"), e.filename, kind(e.media_type),
                human_size(e.size), e.note, e.sha256[:16])[col]



class AddEvidenceDialog(QDialog):
    """A note and, optionally, the account the files belong to."""

    def __init__(self, paths: list[Path], vault: Vault, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.paths = paths
        self.files = muted(QLabel(", ".join(p.name for p in paths)))
        self.files.setWordWrap(True)
        self.note = QLineEdit()
        self.account = QComboBox()
        self.account.addItem(_("(no account)"), None)
        for acc in list_accounts(vault):
            self.account.addItem(account_name(ctx.catalog, acc.provider_id, acc.label), acc.id)
        note_label, account_label = QLabel(_("&Note:")), QLabel(_("&Account:"))
        note_label.setBuddy(self.note)
        account_label.setBuddy(self.account)
        self.note.setAccessibleName(_("Note"))
        self.note.setPlaceholderText(_("What does it show? e.g. \"app screen with the plan terms\""))
        self.account.setAccessibleName(_("Account (optional)"))
        self.files.setAccessibleName(self.files.text())
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)  # Qt re-labels standard buttons
        self.ok = self.buttons.addButton(_("&Add to the vault"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(_("Files:"), self.files)
        form.addRow(note_label, self.note)
        form.addRow(account_label, self.account)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setWindowTitle(ngettext("Add {n} file as evidence", "Add {n} files as evidence", len(paths))
                            .format(n=len(paths)))
        self.setMinimumWidth(520)


class ImageView(QLabel):
    """An image scaled to fit, keeping its proportions, rescaled when the window is resized."""

    def __init__(self, pixmap: QPixmap) -> None:
        super().__init__()
        self._pixmap = pixmap
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(200, 150)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.setPixmap(self._pixmap.scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation))


class EvidencePage(Page):
    key = "evidence"
    icon_name = "evidence"
    nav_title = N_("Evidence")
    title = N_("Evidence")
    subtitle = N_("Files kept unchanged inside the encrypted vault, each with a SHA-256 fingerprint that shows it "
                  "was not altered.")
    data_changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setAcceptDrops(True)
        self.ask_files: Callable[[], list[str]] = self._ask_files
        self.ask_save_path: Callable[[str], str] = self._ask_save_path
        self.add_dialog: AddEvidenceDialog | None = None
        self.viewer: QDialog | None = None
        self._status: Callable[[], str] | None = None  # re-rendered on retranslate
        self.model = EvidenceModel(self)
        self.table = row_table("evidenceTable", self.model, (44, 130, 220, 130, 80, 240, 150), alternate=True,
                               wrap=False)
        self.table.doubleClicked.connect(lambda _i: self.view())
        self.add_button, self.view_button = QPushButton(), QPushButton()
        self.export_button, self.copy_button = QPushButton(), QPushButton()
        self.actions_: list[QAction] = []
        bar = QHBoxLayout()
        for button, name, slot in ((self.add_button, "addEvidence", self.add),
                                   (self.view_button, "viewEvidence", self.view),
                                   (self.export_button, "exportEvidence", self.export),
                                   (self.copy_button, "copyHash", self.copy_hash)):
            button.setObjectName(name)
            on_click(button, slot)
            bar.addWidget(button)
            if button is not self.add_button:
                action = QAction(self)
                on_click(action, slot)
                self.table.addAction(action)
                self.actions_.append(action)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        bar.addStretch(1)
        self.count_label = muted(QLabel())
        bar.addWidget(self.count_label)
        self.status = muted(QLabel())
        self.status.setWordWrap(True)
        self.empty = EmptyState("evidence", N_("Your proof, kept intact"),
                                N_("Add screenshots, exported files, statements or chat records: drop them here or "
                                   "use the Add evidence… button. They are stored unchanged inside the encrypted "
                                   "vault."))
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        self.body.addLayout(bar)
        self.body.addWidget(self.status)
        self.body.addWidget(self.stack, 1)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update())
        for a, b in itertools.pairwise([self.add_button, self.view_button, self.export_button, self.copy_button,
                                        self.table]):
            self.setTabOrder(a, b)
        self.retranslate()
        self.clear()

    # -- vault ----------------------------------------------------------------------------------------------
    def reload(self) -> None:
        if self.vault is None:
            self.clear()
            return
        chosen = self.selected()
        self.model.set_items(list_evidence(self.vault))
        self.select(chosen.id if chosen is not None else None)

    def select(self, evidence_id: int | None) -> None:
        row = next((i for i, e in enumerate(self.model.items) if e.id == evidence_id), -1)
        if row >= 0:
            self.table.selectRow(row)
        self._update()

    def clear(self) -> None:
        self.model.set_items([])
        self._status = None
        for dialog in (self.add_dialog, self.viewer):
            if dialog is not None:
                dialog.done(QDialog.DialogCode.Rejected)
        self.add_dialog = self.viewer = None
        self._update()

    def selected(self) -> Evidence | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.items[rows[0].row()] if rows else None

    def _update(self) -> None:
        n = self.model.rowCount()
        self.stack.setCurrentWidget(self.table if n else self.empty)
        set_text(self.count_label, ngettext("{n} item", "{n} items", n).format(n=n) if n else "")
        set_text(self.status, self._status() if self._status is not None else "")
        self.add_button.setEnabled(self.vault is not None)
        chosen = self.selected() is not None and self.vault is not None
        widgets: list[QPushButton | QAction] = [self.view_button, self.export_button, self.copy_button, *self.actions_]
        for widget in widgets:
            widget.setEnabled(chosen)

    def _say(self, text: Callable[[], str]) -> None:
        self._status = text
        self._update()

    # -- adding ---------------------------------------------------------------------------------------------
    def _ask_files(self) -> list[str]:
        names, _filter = QFileDialog.getOpenFileNames(self, _("Add evidence"), "", _("All files (*)"))
        return names

    def add(self) -> None:
        self.add_files([Path(n) for n in self.ask_files()])

    def add_files(self, paths: list[Path]) -> AddEvidenceDialog | None:
        if self.vault is None or not paths:
            return None
        self.add_dialog = AddEvidenceDialog(paths, self.vault, self.ctx, self)
        self.add_dialog.accepted.connect(self._store)
        self.add_dialog.open()
        return self.add_dialog

    def _store(self) -> None:
        dialog, vault = self.add_dialog, self.vault
        if dialog is None or vault is None:
            return
        paths, note, account = dialog.paths, dialog.note.text().strip(), dialog.account.currentData()

        def work() -> list[Evidence]:
            return [add_evidence_file(vault, path, note=note, account_id=account) for path in paths]

        self.add_button.setEnabled(False)
        Op(self, work).success(self._stored).failure(self._failed).finally_(self._update).run()

    def _stored(self, added: list[Evidence]) -> None:
        self.reload()
        self.select(added[-1].id)
        n = len(added)
        self._say(lambda: ngettext("{n} file added to the vault.", "{n} files added to the vault.", n).format(n=n))
        self.data_changed.emit()

    def _failed(self, err: UserError) -> None:
        self._say(lambda: error_text(err))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.vault is not None and event.mimeData().hasUrls() and all(
                u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        event.acceptProposedAction()
        self.add_files([p for p in paths if p.is_file()])

    # -- viewing, exporting, copying ------------------------------------------------------------------------
    def view(self) -> None:
        item, vault = self.selected(), self.vault
        if item is None or vault is None:
            return
        if not (item.media_type.startswith("image/") or item.media_type.startswith(TEXT_TYPES)):
            self._say(lambda: tr(N_("mybnpl cannot show {kind} files itself. Use Export… and open the copy with "
                                    "another program."), kind=kind(item.media_type)))
            return
        Op(self, lambda: evidence_bytes(vault, item.id)).success(lambda data: self._show(item, data)).failure(
            self._failed).run()

    def _show(self, item: Evidence, data: bytes) -> None:
        content: QWidget
        if item.media_type.startswith("image/"):
            pixmap = QPixmap()
            if not pixmap.loadFromData(data):
                self._say(lambda: tr(N_("{name} could not be shown as an image. Use Export… to open it "
                                        "elsewhere."), name=item.filename))
                return
            content = ImageView(pixmap)
            content.setAccessibleName(tr(N_("Image {name}"), name=item.filename))
        else:
            text = QPlainTextEdit(decode_text(data))
            text.setReadOnly(True)
            text.setAccessibleName(tr(N_("Contents of {name}"), name=item.filename))
            content = text
        self.viewer = QDialog(self)
        self.viewer.setWindowTitle(f"{item.filename} — {item.sha256[:16]}")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.viewer.reject)
        layout = QVBoxLayout(self.viewer)
        layout.addWidget(content, 1)
        layout.addWidget(buttons)
        self.viewer.resize(820, 620)
        self.viewer.open()

    def _ask_save_path(self, name: str) -> str:
        target, _filter = QFileDialog.getSaveFileName(self, _("Export evidence"), str(Path.home() / name))
        return target

    def export(self) -> None:
        item, vault = self.selected(), self.vault
        if item is None or vault is None:
            return
        target = self.ask_save_path(item.filename or f"evidence-{item.id}")
        if not target:
            return
        out = Path(target)
        (Op(self, lambda: export_evidence(vault, item.id, out))
         .success(lambda _e: self._say(lambda: tr(N_("Exported the original bytes to {path}."), path=str(out))))
         .failure(self._failed).run())

    def copy_hash(self) -> None:
        item = self.selected()
        if item is not None:
            QGuiApplication.clipboard().setText(item.sha256)
            self._say(lambda: tr(N_("SHA-256 of {name} copied: {sha256}"), name=item.filename, sha256=item.sha256))

    def retranslate(self) -> None:
        super().retranslate()
        self.empty.retranslate()
        self.model.retranslate()
        for button, text, name in ((self.add_button, N_("&Add evidence…"), N_("Add evidence")),
                                   (self.view_button, N_("&View"), N_("View")),
                                   (self.export_button, N_("&Export…"), N_("Export")),
                                   (self.copy_button, N_("&Copy SHA-256"), N_("Copy SHA-256"))):
            button.setText(_(text))
            button.setAccessibleName(_(name))
        for action, text in zip(self.actions_, (N_("View"), N_("Export…"), N_("Copy SHA-256")), strict=True):
            action.setText(_(text))
        self.table.setAccessibleName(_("Evidence"))
        self._update()
