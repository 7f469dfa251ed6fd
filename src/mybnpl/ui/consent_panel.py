"""The consent ledger in the app: what the user knowingly did with each product, with evidence."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mybnpl.core.errors import UserError
from mybnpl.core.models import ConsentKind, ConsentRecord
from mybnpl.i18n import N_, _, error_text, tr
from mybnpl.services import consents as consents_svc
from mybnpl.services.names import provider_name
from mybnpl.ui.context import UiContext
from mybnpl.ui.list_model import Index, ListModel
from mybnpl.ui.widgets import date_picker, muted, on_click, picked, row_table, set_text
from mybnpl.ui.worker import Op
from mybnpl.vault.db import Vault

KIND_TEXT = {ConsentKind.ENABLED: N_("I enabled it"), ConsentKind.NEVER_ENABLED: N_("I never enabled it"),
             ConsentKind.CLOSED: N_("I closed it")}


class ConsentModel(ListModel[ConsentRecord]):
    COLUMNS = (N_("Product"), N_("What I did"), N_("Date"), N_("Where / how"), N_("Note"), N_("Evidence"))

    def __init__(self, ctx: UiContext, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx = ctx

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        c = self.items[index.row()]
        evidence = tr(N_("item {id}"), id=c.evidence_id) if c.evidence_id else "–"
        return (provider_name(self.ctx.catalog, c.provider_id), _(KIND_TEXT[c.kind]),
                c.on_date.isoformat() if c.on_date else "–", c.channel, c.note, evidence)[index.column()]



class ConsentDialog(QDialog):
    """Record (or correct) one consent fact. Editing keeps the product and the kind."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None, record: ConsentRecord | None = None,
                 provider_id: str | None = None) -> None:
        super().__init__(parent)
        self.record = record
        self.evidence_path: Path | None = None
        self.ask_file: Callable[[], str] = self._ask_file
        self.provider = QComboBox()
        for p in sorted(ctx.catalog.providers, key=lambda p: p.name("en").lower()):
            self.provider.addItem(provider_name(ctx.catalog, p.id), p.id)
        chosen = record.provider_id if record else provider_id
        if chosen is not None:
            self.provider.setCurrentIndex(max(0, self.provider.findData(chosen)))
        self.kind = QComboBox()
        for k, text in KIND_TEXT.items():
            self.kind.addItem(_(text), k.value)
        today = ctx.today()
        self.date = date_picker(record.on_date if record and record.on_date else today, latest=today)
        self.channel = QLineEdit(record.channel if record else "")
        self.channel.setPlaceholderText(_("e.g. checkout page of the Meituan app, after a pop-up"))
        self.note = QLineEdit(record.note if record else "")
        self.evidence_button = QPushButton(_("Choose a &file…"))
        on_click(self.evidence_button, self._choose)
        self.evidence_label = muted(QLabel(_("none")))
        if record is not None:
            self.kind.setCurrentIndex(self.kind.findData(record.kind.value))
            self.provider.setEnabled(False)
            self.kind.setEnabled(False)
            self.evidence_button.setEnabled(False)
            if record.evidence_id:
                self.evidence_label.setText(tr(N_("evidence item {id}"), id=record.evidence_id))
        self.kind.currentIndexChanged.connect(self._update)
        ev_row = QHBoxLayout()
        ev_row.addWidget(self.evidence_button)
        ev_row.addWidget(self.evidence_label, 1)
        form = QFormLayout()
        form.addRow(_("&Product:"), self.provider)
        form.addRow(_("&What I did:"), self.kind)
        self.date_label = QLabel(_("&Date:"))
        self.date_label.setBuddy(self.date)
        form.addRow(self.date_label, self.date)
        form.addRow(_("Where / &how:"), self.channel)
        form.addRow(_("&Note:"), self.note)
        form.addRow(_("Evidence:"), ev_row)
        hint = muted(QLabel(_("A screenshot of the opening record (开通记录) or of the agreement as it was shown "
                              "makes this record much stronger.")))
        hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.buttons)
        self.setWindowTitle(_("Correct a consent record") if record else _("Record what you agreed to"))
        self.setMinimumWidth(520)
        self._update()

    def kind_value(self) -> ConsentKind:
        return ConsentKind(self.kind.currentData())

    def day(self) -> date | None:
        if self.kind_value() is ConsentKind.NEVER_ENABLED:
            return None
        return picked(self.date)

    def _update(self) -> None:
        never = self.kind_value() is ConsentKind.NEVER_ENABLED
        self.date.setEnabled(not never)
        self.date_label.setEnabled(not never)

    def _ask_file(self) -> str:
        name, _filter = QFileDialog.getOpenFileName(self, _("Evidence for this record"), "", _("All files (*)"))
        return name

    def _choose(self) -> None:
        name = self.ask_file()
        if name:
            self.evidence_path = Path(name)
            self.evidence_label.setText(self.evidence_path.name)


class ConsentPanel(QWidget):
    """Table of consent records with Record…, Correct… and Remove."""

    changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.vault: Vault | None = None
        self.dialog: ConsentDialog | None = None
        self.model = ConsentModel(ctx, self)
        self.table = row_table("consentTable", self.model, (150, 130, 100, 220, 220))
        self.table.doubleClicked.connect(lambda _i: self.edit())
        self.add_button, self.edit_button, self.remove_button = QPushButton(), QPushButton(), QPushButton()
        bar = QHBoxLayout()
        for button, name, slot in ((self.add_button, "addConsent", self.add),
                                   (self.edit_button, "editConsent", self.edit),
                                   (self.remove_button, "removeConsent", self.remove)):
            button.setObjectName(name)
            on_click(button, slot)
            bar.addWidget(button)
        bar.addStretch(1)
        self.explain = muted(QLabel())
        self.explain.setWordWrap(True)
        self.status = muted(QLabel())
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.explain)
        layout.addLayout(bar)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update())
        self.retranslate()

    def set_items(self, vault: Vault | None, items: Sequence[ConsentRecord]) -> None:
        self.vault = vault
        self.model.set_items(items)
        if vault is None:
            set_text(self.status, "")
            if self.dialog is not None:
                self.dialog.done(QDialog.DialogCode.Rejected)
                self.dialog = None
        self._update()

    def selected(self) -> ConsentRecord | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.items[rows[0].row()] if rows else None

    def _update(self) -> None:
        chosen = self.selected() is not None and self.vault is not None
        self.add_button.setEnabled(self.vault is not None)
        self.edit_button.setEnabled(chosen)
        self.remove_button.setEnabled(chosen)

    def add(self, provider_id: str | None = None) -> ConsentDialog | None:
        if self.vault is None:
            return None
        self.dialog = ConsentDialog(self.ctx, self, provider_id=provider_id)
        self.dialog.accepted.connect(self._save)
        self.dialog.open()
        return self.dialog

    def edit(self) -> ConsentDialog | None:
        record = self.selected()
        if self.vault is None or record is None:
            return None
        self.dialog = ConsentDialog(self.ctx, self, record=record)
        self.dialog.accepted.connect(self._save)
        self.dialog.open()
        return self.dialog

    def _save(self) -> None:
        dialog, vault = self.dialog, self.vault
        if dialog is None or vault is None:
            return
        today, day = self.ctx.today(), dialog.day()
        channel, note = dialog.channel.text(), dialog.note.text()
        record = dialog.record
        if record is not None:
            rid = record.id

            def work() -> ConsentRecord:
                return consents_svc.update_consent(vault, rid, today=today, on_date=day, channel=channel, note=note)
        else:
            provider, kind, path = dialog.provider.currentData(), dialog.kind_value(), dialog.evidence_path

            def work() -> ConsentRecord:
                return consents_svc.add_consent(vault, self.ctx.catalog, provider_id=provider, kind=kind, on_date=day,
                                                today=today, channel=channel, note=note, evidence_file=path)
        Op(self, work).success(lambda _r: self._done(_("Saved. Findings are checked again."))).failure(
            self._failed).run()

    def remove(self) -> None:
        record, vault = self.selected(), self.vault
        if record is None or vault is None:
            return
        rid = record.id
        Op(self, lambda: consents_svc.remove_consent(vault, rid)).success(
            lambda _r: self._done(_("Record removed. The event log keeps that it existed."))).failure(
            self._failed).run()

    def _done(self, text: str) -> None:
        set_text(self.status, text)
        self.changed.emit()

    def _failed(self, err: UserError) -> None:
        set_text(self.status, error_text(err))

    def retranslate(self) -> None:
        self.model.retranslate()
        for button, text in ((self.add_button, N_("&Record…")), (self.edit_button, N_("&Correct…")),
                             (self.remove_button, N_("Re&move"))):
            button.setText(_(text))
        set_text(self.explain, _("Write down what you knowingly did with each product: when you enabled it and "
                                 "where, that you never enabled it, or when you closed it. mybnpl compares this "
                                 "with your statements to find use you never agreed to."))
        self.table.setAccessibleName(_("Consent records"))
