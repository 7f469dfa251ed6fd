"""The column-mapping step: which column of an unknown table holds the date, the amount, the merchant, …

Shows the header and the first rows, one combobox per field (with a first guess from the column names), and a
live preview of the first mapped rows read the way the importer reads them, problems shown inline.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mybnpl.core.imports import ColumnMapping, ImportFailed
from mybnpl.i18n import N_, _, error_text, tr
from mybnpl.importers import columns
from mybnpl.importers.generic import MappedRow, map_rows
from mybnpl.ui.import_model import DIRECTIONS
from mybnpl.ui.widgets import muted, set_text

PREVIEW_ROWS = 5
SAMPLE_ROWS = 20
ERROR_COLOR = "#c62828"
CURRENCIES = ("CNY", "USD", "EUR", "GBP", "AUD", "HKD", "JPY", "CAD", "NZD", "SGD", "CHF")
# (field, label msgid, accessible-name msgid); date must be first.
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("date", N_("&Date:"), N_("Date column")),
    ("amount", N_("&Amount (signed):"), N_("Amount column")),
    ("debit", N_("De&bit (money out):"), N_("Debit column")),
    ("credit", N_("C&redit (money in):"), N_("Credit column")),
    ("direction", N_("D&irection:"), N_("Direction column")),
    ("merchant", N_("&Merchant:"), N_("Merchant column")),
    ("description", N_("D&escription:"), N_("Description column")),
    ("payment_method", N_("&Payment method:"), N_("Payment method column")),
    ("external_id", N_("&Transaction id:"), N_("Transaction id column")),
)
SKIPPED = {"pending": N_("Pending: not posted yet, skipped"), "summary": N_("A balance or total row, skipped")}


def guess_mapping(header: Sequence[str], rows: Sequence[Sequence[str]], name: str = "") -> ColumnMapping | None:
    """A first guess from the column names and the cells (importers.columns); None without a date column. A PDF's
    mapped table takes one currency for all rows, so there a currency column gives its most common code."""
    return columns.guess_mapping(header, rows, currency_column=not name.casefold().endswith(".pdf"))


class MappingDialog(QDialog):
    def __init__(self, name: str, header: Sequence[str], rows: Sequence[Sequence[str]],
                 initial: ColumnMapping | None = None, error: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mappingDialog")
        self.name, self.header, self.rows = name, list(header), [list(r) for r in rows[:SAMPLE_ROWS]]
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.sample = QTableWidget(len(self.rows), len(self.header))
        self.sample.setObjectName("sampleTable")
        self.sample.setHorizontalHeaderLabels(self.header)
        for i, row in enumerate(self.rows):
            for j, cell in enumerate(row[: len(self.header)]):
                self.sample.setItem(i, j, QTableWidgetItem(cell))
        self._table_style(self.sample)
        self.sample.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.sample.setMaximumHeight(170)

        self.combos: dict[str, QComboBox] = {}
        self.labels: dict[str, QLabel] = {}
        forms = (QFormLayout(), QFormLayout())
        for i, (field, _label, _acc) in enumerate(FIELDS):
            combo = QComboBox()
            combo.setObjectName(f"map_{field}")
            combo.addItem("", None)
            for h in self.header:
                combo.addItem(h, h)
            combo.currentIndexChanged.connect(self._update)
            label = QLabel()
            label.setBuddy(combo)
            self.combos[field], self.labels[field] = combo, label
            forms[0 if i < 5 else 1].addRow(label, combo)
        self.negative_box = QCheckBox()
        self.negative_box.setObjectName("negativeIsOut")
        self.negative_box.setChecked(True)
        self.negative_box.toggled.connect(self._update)
        forms[0].addRow("", self.negative_box)
        self.currency = QComboBox()
        self.currency.setObjectName("mapCurrency")
        for code in CURRENCIES:
            self.currency.addItem(code, code)
        for h in self.header:
            self.currency.addItem("", h)  # "from the column …", text set in retranslate
        self.currency_label = QLabel()
        self.currency_label.setBuddy(self.currency)
        forms[1].addRow(self.currency_label, self.currency)
        columns = QHBoxLayout()
        columns.addLayout(forms[0], 1)
        columns.addSpacing(16)
        columns.addLayout(forms[1], 1)

        self.preview_label = QLabel()
        self.preview = QTableWidget(0, 5)
        self.preview.setObjectName("mappedPreview")
        self._table_style(self.preview)
        self.preview.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.preview.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.preview.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.preview.setMinimumHeight(self.fontMetrics().height() * 9)
        self.preview_label.setBuddy(self.preview)
        self.summary = muted(QLabel())
        self.summary.setObjectName("mappedSummary")
        self.remember_box = QCheckBox()
        self.remember_box.setObjectName("rememberMapping")
        self.remember_box.setChecked(True)
        self.error = QLabel(error)
        self.error.setObjectName("mappingError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {ERROR_COLOR};")
        self.error.setVisible(bool(error))
        # Our own accept button: Qt re-labels standard buttons on a language change, overwriting our text.
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.sample)
        layout.addLayout(columns)
        layout.addWidget(self.preview_label)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.error)
        layout.addWidget(self.remember_box)
        layout.addWidget(self.buttons)
        order: list[QWidget] = [self.sample, *self.combos.values(), self.negative_box, self.currency, self.preview,
                                self.remember_box, self.buttons]
        for a, b in itertools.pairwise(order):
            self.setTabOrder(a, b)
        self.combos["date"].setFocus()
        self.resize(900, 680)
        self.retranslate()
        self.set_mapping(initial or guess_mapping(self.header, self.rows, name))

    @staticmethod
    def _table_style(table: QTableWidget) -> None:
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)

    # -- values ---------------------------------------------------------------------------------------------
    def column(self, field: str) -> str | None:
        value = self.combos[field].currentData()
        return str(value) if value else None

    def set_mapping(self, m: ColumnMapping | None) -> None:
        if m is None:
            self._update()
            return
        for field, combo in self.combos.items():
            value = getattr(m, field)
            combo.setCurrentIndex(max(0, combo.findData(value)) if value else 0)
        self.negative_box.setChecked(m.negative_is_out)
        index = self.currency.findData(m.currency)
        if index < 0:
            self.currency.addItem(m.currency, m.currency)
            index = self.currency.count() - 1
        self.currency.setCurrentIndex(index)
        self._update()

    def mapping(self) -> ColumnMapping:
        c = self.column
        return ColumnMapping(
            date=c("date") or "", amount=c("amount"), debit=c("debit"), credit=c("credit"), merchant=c("merchant"),
            description=c("description"), payment_method=c("payment_method"), external_id=c("external_id"),
            direction=c("direction"), currency=str(self.currency.currentData()),
            negative_is_out=self.negative_box.isChecked())

    def remember(self) -> bool:
        return self.remember_box.isChecked()

    def acceptable(self) -> bool:
        return bool(self.column("date") and (self.column("amount") or self.column("debit") or self.column("credit")))

    # -- live preview ---------------------------------------------------------------------------------------
    def _cell(self, row: list[str], field: str) -> str:
        col = self.column(field)
        if col is None or col not in self.header:
            return ""
        j = self.header.index(col)
        return row[j] if j < len(row) else ""

    def _read(self) -> list[tuple[str, str, str, str, str]]:
        """(date, amount, direction, merchant, problem) of each sample row, read by the importer's own row reader."""
        try:
            read = list(map_rows(self.header, list(enumerate(self.rows, 1)), self.mapping(), self.name))
        except ImportFailed as e:  # not expected: the choices are the header's own columns
            return [("", "", "", "", error_text(e))]
        return [self._shown(r, row) for r, row in zip(read, self.rows, strict=True)]

    def _shown(self, r: MappedRow, row: list[str]) -> tuple[str, str, str, str, str]:
        if r.tx is not None:
            t = r.tx
            return (t.posted_on.isoformat(), str(t.amount.amount), _(DIRECTIONS[t.direction.value]), t.merchant, "")
        merchant = self._cell(row, "merchant") or self._cell(row, "description")
        if r.skip in SKIPPED:
            problem = _(SKIPPED[r.skip])
        elif r.skip == "date":
            problem = tr(N_("“{text}” is not a date"), text=r.text) if r.text else _("No date")
        elif not self.column("amount"):
            problem = _("no amount in the debit or credit column")
        else:
            problem = tr(N_("“{text}” is not an amount"), text=r.text) if r.text else _("No amount")
        return "", "", "", merchant, problem

    def _update(self) -> None:
        self.negative_box.setEnabled(self.column("amount") is not None)
        usable = self.acceptable()
        self.ok.setEnabled(usable)
        self.preview.setRowCount(0)
        if not usable:
            set_text(self.summary, _("Choose the date column, and an amount column or debit and credit columns."))
            return
        read = self._read()
        self.preview.setRowCount(min(PREVIEW_ROWS, len(read)))
        for i, values in enumerate(read[:PREVIEW_ROWS]):
            for j, value in enumerate(values):
                item = QTableWidgetItem(value)
                if j == 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if j == 4:
                    item.setForeground(QColor(ERROR_COLOR))
                    item.setToolTip(value)
                self.preview.setItem(i, j, item)
        skipped = {_(m) for m in SKIPPED.values()}  # skipped as the import skips them: not a problem
        good = sum(1 for values in read if not values[4] or values[4] in skipped)
        set_text(self.summary, tr(N_("{ok} of {n} sample rows read without problems."), ok=good, n=len(read)))

    def retranslate(self) -> None:
        self.setWindowTitle(_("Map the columns"))
        set_text(self.intro, tr(N_("mybnpl does not know the layout of {name}. Tell it which column holds what: the "
                                   "date and an amount (or debit and credit columns) are required."), name=self.name))
        self.sample.setAccessibleName(_("Columns and first rows of the file"))
        for field, label, acc in FIELDS:
            self.labels[field].setText(_(label))
            self.combos[field].setAccessibleName(_(acc))
            self.combos[field].setItemText(0, _("(choose a column)") if field == "date" else _("(none)"))
        self.negative_box.setText(_("Negative amounts are money going out"))
        self.negative_box.setAccessibleName(self.negative_box.text())
        self.currency_label.setText(_("Curre&ncy:"))
        self.currency.setAccessibleName(_("Currency"))
        for i, h in enumerate(self.header):
            self.currency.setItemText(len(CURRENCIES) + i, tr(N_("From the column “{column}”"), column=h))
        self.preview_label.setText(_("Pre&view of the first rows, read with this mapping:"))
        self.preview.setHorizontalHeaderLabels([_("Date"), _("Amount"), _("Direction"), _("Merchant"),
                                                _("Problem")])
        self.preview.setAccessibleName(_("Preview of the mapped rows"))
        self.remember_box.setText(_("Remember this mapping for this source"))
        self.remember_box.setAccessibleName(self.remember_box.text())
        self.ok.setText(_("&Use this mapping"))
        self.error.setAccessibleName(self.error.text())
        self._update()
