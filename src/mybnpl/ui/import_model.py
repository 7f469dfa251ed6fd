"""The import flow below the page: one queued file, the background steps (parse → mapping → preview, commit and
remember the mapping), the preview table model, and the preview panel that summarises one parsed file."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mybnpl.core.catalog import Catalog
from mybnpl.core.errors import InvalidInput, UserError
from mybnpl.core.imports import ColumnMapping, ImportCode, ImportFailed
from mybnpl.i18n import N_, _, current_language, ngettext, os_reason, tr
from mybnpl.importers.base import ParseOptions
from mybnpl.importers.sandbox import table_isolated
from mybnpl.services.imports import ImportOutcome, ImportPreview, PreviewRow, build_preview, commit, parse_file
from mybnpl.services.names import format_name, provider_name
from mybnpl.ui.models import provider_display
from mybnpl.ui.widgets import heading, set_text
from mybnpl.vault.db import Vault
from mybnpl.vault.repos import get_vault_setting, set_vault_setting

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
BNPL_TINT = QColor(255, 176, 0, 56)  # amber, translucent: readable on light and dark palettes

DIRECTIONS: dict[str, str] = {"out": N_("Out"), "in": N_("In"), "neutral": N_("Neutral")}
DUPLICATE_WHY: dict[str, str] = {
    "in_vault_id": N_("Already in the vault: a transaction with the same id ({id}) was imported before."),
    "in_vault_content": N_("Already in the vault: a transaction with the same date, time, amount and merchant "
                           "was imported before."),
}


@dataclass
class QueuedFile:
    """One file of the queue and what the user told mybnpl about it so far."""

    path: Path
    password: str | None = None
    mapping: ColumnMapping | None = None
    mapping_key: str = ""  # vault setting that remembers the mapping of this layout
    remember: bool = False
    table: tuple[list[str], list[list[str]]] | None = None  # header and sample rows, for the mapping step
    provider: str | None = None  # the user's override


@dataclass
class NeedsMapping:
    header: list[str]
    rows: list[list[str]]
    key: str
    initial: ColumnMapping | None = None
    error: UserError | None = None  # why the last mapping did not fit


@dataclass
class Loaded:
    preview: ImportPreview
    saved: NeedsMapping | None = None  # read with the mapping remembered for this layout (in ``initial``)


def mapping_key(header: list[str]) -> str:
    """The vault setting for a layout: a hash of its column names (without the trailing unnamed columns the
    reader numbers itself, which come and go with the data)."""
    names = list(header)
    while names and re.fullmatch(r"Column \d+", names[-1]):
        names.pop()
    digest = hashlib.sha256("\x1f".join(" ".join(h.casefold().split()) for h in names).encode("utf-8"))
    return f"mapping:{digest.hexdigest()[:16]}"


def saved_mapping(vault: Vault, key: str) -> ColumnMapping | None:
    try:
        raw = get_vault_setting(vault, key)
        return ColumnMapping.from_json(json.loads(raw)) if raw else None
    except (ValueError, TypeError):  # a damaged or outdated setting: ask again
        return None


def read_table(path: Path, password: str | None) -> tuple[list[str], list[list[str]]]:
    """Header and first rows for the mapping step. Slow for PDFs: call it off the GUI thread."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InvalidInput(N_("{name} could not be read: {reason}"), name=path.name, reason=os_reason(e)) from None
    header, rows = table_isolated(data, path.name, password)  # untrusted file: read in the limited child
    if not header:
        raise ImportFailed(ImportCode.UNSUPPORTED_FORMAT, N_("mybnpl found no table in {name} to map. Keep it as "
                                                            "evidence, or enter the plan by hand."), name=path.name)
    return header, rows


def load_file(vault: Vault, catalog: Catalog, item: QueuedFile) -> Loaded | NeedsMapping:
    """Parse (isolated), then either a preview or what the mapping step needs. Runs on a worker thread."""
    opts = ParseOptions(provider_hint=item.provider, password=item.password, mapping=item.mapping)
    saved = None
    try:
        data, parsed = parse_file(item.path, opts)
    except ImportFailed as err:
        if err.code not in (ImportCode.NEEDS_MAPPING, ImportCode.BAD_MAPPING):
            raise
        header, rows = item.table or read_table(item.path, item.password)
        key = mapping_key(header)
        known = None if item.mapping is not None else saved_mapping(vault, key)
        if known is None:
            return NeedsMapping(header, rows, key, item.mapping, err if item.mapping is not None else None)
        try:
            data, parsed = parse_file(item.path, replace(opts, mapping=known))
        except ImportFailed as again:
            if again.code != ImportCode.BAD_MAPPING:
                raise
            return NeedsMapping(header, rows, key, known, again)
        saved = NeedsMapping(header, rows, key, known)
    return Loaded(build_preview(vault, catalog, item.path.name, data, parsed, item.provider), saved)


def store(vault: Vault, catalog: Catalog, preview: ImportPreview, item: QueuedFile) -> ImportOutcome:
    """Commit the preview and, if asked, remember the column mapping for this layout. Runs on a worker thread."""
    outcome = commit(vault, catalog, preview)
    if item.mapping is not None and item.remember and item.mapping_key:
        with vault.transaction() as conn:
            set_vault_setting(conn, item.mapping_key, json.dumps(item.mapping.to_json(), ensure_ascii=False))
    return outcome


def reconciled_text(preview: ImportPreview) -> str:
    p = preview.parsed
    if p.reconciled:
        return _("Totals checked ✓")
    if p.reconciled is False:
        return _("The totals do not match the rows")
    if p.format == "pdf_statement":
        return _("The document prints no totals")
    return _("Not checked: this kind of file prints no totals mybnpl can check")


def counts_text(preview: ImportPreview) -> str:
    rows, new = len(preview.rows), len(preview.new_rows)
    parts = (ngettext("{n} row", "{n} rows", rows).format(n=rows),
             ngettext("{n} new", "{n} new", new).format(n=new),
             ngettext("{n} duplicate", "{n} duplicates", preview.duplicates).format(n=preview.duplicates),
             ngettext("{n} BNPL row", "{n} BNPL rows", preview.bnpl_new).format(n=preview.bnpl_new))
    return " · ".join(parts)


def warning_texts(preview: ImportPreview) -> list[str]:
    p = preview.parsed
    params = list(p.warning_params) + [{}] * (len(p.warnings) - len(p.warning_params))
    return [tr(w, **{"name": preview.name, **prm}) for w, prm in zip(p.warnings, params, strict=False)]


class PreviewModel(QAbstractTableModel):
    COLUMNS: tuple[str, ...] = (N_("Date"), N_("Merchant"), N_("Amount"), N_("Direction"), N_("Payment method"),
                                N_("BNPL product"), N_("Status"))
    AMOUNT = 2

    def __init__(self, catalog: Catalog, parent: Any = None) -> None:
        super().__init__(parent)
        self._catalog = catalog
        self._rows: Sequence[PreviewRow] = ()

    def set_preview(self, preview: ImportPreview | None) -> None:
        self.beginResetModel()
        self._rows = preview.rows if preview is not None else ()  # a lazy sequence: rows are built when read
        self.endResetModel()

    def row_at(self, row: int) -> PreviewRow:
        return self._rows[row]

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
                   ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _(self.COLUMNS[section]) if 0 <= section < len(self.COLUMNS) else None
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r, col = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(r, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            if r.duplicate:
                return tr(DUPLICATE_WHY.get(r.duplicate, r.duplicate), id=r.external_id or "")
            if col in (1, 4):
                return r.tx.description or self._text(r, col)
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and col == self.AMOUNT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        palette = QGuiApplication.palette()
        if role == Qt.ItemDataRole.ForegroundRole and r.duplicate:
            return QBrush(palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
        if role == Qt.ItemDataRole.BackgroundRole and r.tx.bnpl_product and not r.duplicate:
            return QBrush(BNPL_TINT)
        if role == Qt.ItemDataRole.FontRole and r.tx.bnpl_product and not r.duplicate and col == 5:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _text(self, r: PreviewRow, col: int) -> str:
        tx = r.tx
        if col == 0:
            return tx.posted_on.isoformat()
        if col == 1:
            return tx.merchant
        if col == 2:
            text = tx.amount.format()
            return f"+{text}" if tx.direction.value == "in" else text
        if col == 3:
            return _(DIRECTIONS.get(tx.direction.value, tx.direction.value))
        if col == 4:
            return tx.payment_method
        if col == 5:
            return provider_name(self._catalog, tx.bnpl_product)
        return _("duplicate") if r.duplicate else _("new")

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.COLUMNS) - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self.COLUMNS) - 1))


class PreviewPanel(QWidget):
    """Format, provider (overridable), counts, totals, warnings, the rows, and Import / Discard."""

    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._catalog = catalog
        self.format_label, self.counts_label, self.totals_label = QLabel(), QLabel(), QLabel()
        self.format_label.setObjectName("importFormat")
        self.counts_label.setObjectName("importCounts")
        self.totals_label.setObjectName("importTotals")
        self.provider = QComboBox()
        self.provider.setObjectName("importProvider")
        self.form_labels = [QLabel() for _ in range(4)]
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        for label, field in zip(self.form_labels, (self.format_label, self.provider, self.counts_label,
                                                   self.totals_label), strict=True):
            label.setBuddy(field)
            form.addRow(label, field)
        self.warnings_label = QLabel()
        self.warnings_label.setObjectName("importWarnings")
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setStyleSheet("color: #9a6700;")
        self.notice = heading(scale=1.0)
        self.notice.setObjectName("importNotice")
        self.notice.setWordWrap(True)
        self.model = PreviewModel(catalog, self)
        self.table = QTableView()
        self.table.setObjectName("importPreview")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        for col, width in enumerate((96, 240, 96, 64, 160, 150, 80)):
            header.resizeSection(col, width)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.mapping_button, self.discard_button, self.commit_button = QPushButton(), QPushButton(), QPushButton()
        self.commit_button.setObjectName("commitImport")
        self.commit_button.setDefault(True)
        actions = QHBoxLayout()
        actions.addWidget(self.mapping_button)
        actions.addStretch(1)
        actions.addWidget(self.discard_button)
        actions.addWidget(self.commit_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(form)
        box.addWidget(self.warnings_label)
        box.addWidget(self.notice)
        box.addWidget(self.table, 1)
        box.addLayout(actions)
        self.loaded: Loaded | None = None
        self.retranslate()

    def show_loaded(self, loaded: Loaded | None, can_remap: bool) -> None:
        self.loaded = loaded
        self.model.set_preview(loaded.preview if loaded is not None else None)
        self.mapping_button.setVisible(can_remap)
        self.refresh()

    def refresh(self) -> None:
        preview = self.loaded.preview if self.loaded is not None else None
        new = len(preview.new_rows) if preview is not None else 0
        self.commit_button.setText(ngettext("&Import {n} new row", "&Import {n} new rows", new).format(n=new))
        self.commit_button.setAccessibleName(self.commit_button.text().replace("&", ""))
        self.commit_button.setEnabled(new > 0 and preview is not None and not preview.already_imported)
        if preview is None:
            return
        set_text(self.format_label, format_name(preview.parsed.format))
        self.provider.setCurrentIndex(max(0, self.provider.findData(preview.provider_id)))
        set_text(self.counts_label, counts_text(preview))
        set_text(self.totals_label, reconciled_text(preview))
        warnings = warning_texts(preview)
        set_text(self.warnings_label, "\n".join(f"⚠ {w}" for w in warnings))
        self.warnings_label.setVisible(bool(warnings))
        if preview.already_imported:
            notice = _("This file was imported before; nothing new.")
        elif not new:
            notice = _("Every row of this file is already in the vault; nothing new.")
        elif self.loaded is not None and self.loaded.saved is not None:
            notice = _("Read with the column mapping you saved for this layout.")
        else:
            notice = ""
        set_text(self.notice, notice)
        self.notice.setVisible(bool(notice))

    def retranslate(self) -> None:
        self.model.retranslate()
        lang = current_language()
        self.provider.clear()
        self.provider.addItem(_("(no BNPL product)"), None)
        for p in sorted(self._catalog.all(), key=lambda p: (p.currency != "CNY", p.name(lang))):
            self.provider.addItem(provider_display(p, lang), p.id)
        for label, text in zip(self.form_labels, (N_("Format:"), N_("&Product:"), N_("Rows:"), N_("Reconciliation:")),
                               strict=True):
            label.setText(_(text))
        for button, text, name in ((self.mapping_button, N_("Change &mapping…"), N_("Change the column mapping")),
                                   (self.discard_button, N_("&Discard"), N_("Discard this file"))):
            button.setText(_(text))
            button.setAccessibleName(_(name))
        self.provider.setAccessibleName(_("Provider of this file"))
        self.table.setAccessibleName(_("Rows found in the file"))
        self.refresh()
