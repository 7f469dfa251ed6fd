"""A BNPL plan entered by hand (for providers with no export), with a live schedule and screenshots as proof."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mybnpl.core.catalog import Catalog
from mybnpl.core.errors import InvalidInput, UserError
from mybnpl.core.models import Plan
from mybnpl.core.money import Money
from mybnpl.core.schedule import due_dates
from mybnpl.i18n import N_, _, current_language, error_text, ngettext, tr
from mybnpl.services.evidence import add_evidence_file
from mybnpl.services.plans import add_plan
from mybnpl.ui.mapping import CURRENCIES, ERROR_COLOR
from mybnpl.ui.models import provider_display
from mybnpl.ui.widgets import date_picker, muted, on_click, picked, set_text
from mybnpl.ui.worker import Op
from mybnpl.vault.db import Vault

CADENCES: tuple[tuple[str, str], ...] = (("2w", N_("Every 2 weeks")), ("1m", N_("Every month")),
                                         ("30d", N_("Every 30 days")))
IMAGE_FILTER = N_("Images (*.png *.jpg *.jpeg *.webp *.gif);;All files (*)")


def _money(text: str, currency: str) -> Money | None:
    """None for an empty field; raises UserError for text that is not an amount."""
    if not text.strip():
        return None
    try:
        return Money.parse(text, currency)
    except InvalidInput:
        raise UserError(N_("“{text}” is not an amount."), text=text.strip()) from None


class PlanDialog(QDialog):
    def __init__(self, vault: Vault, catalog: Catalog, today: date, parent: QWidget | None = None,
                 provider_id: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("planDialog")
        self._vault, self._catalog = vault, catalog
        self.plan: Plan | None = None
        self.screenshots: list[Path] = []
        self.ask_files: Callable[[], list[str]] = self._ask_files

        self.provider = QComboBox()
        self.provider.setObjectName("planProvider")
        lang = current_language()
        for p in sorted(catalog.all(), key=lambda p: (p.currency != "CNY", p.name(lang))):
            self.provider.addItem(provider_display(p, lang), p.id)
        if provider_id is not None:
            self.provider.setCurrentIndex(max(0, self.provider.findData(provider_id)))
        self.merchant = QLineEdit()
        self.merchant.setObjectName("planMerchant")
        self.total = QLineEdit()
        self.total.setObjectName("planTotal")
        self.total.setPlaceholderText("0.00")
        self.installments = QSpinBox()
        self.installments.setObjectName("planInstallments")
        self.installments.setRange(1, 120)
        self.installments.setValue(4)
        self.first_due = date_picker(today + timedelta(days=14))
        self.first_due.setObjectName("planFirstDue")
        self.cadence = QComboBox()
        self.cadence.setObjectName("planCadence")
        for code, _label in CADENCES:
            self.cadence.addItem("", code)
        self.cadence.setCurrentIndex(1)
        self.fee = QLineEdit()
        self.fee.setObjectName("planFee")
        self.fee.setPlaceholderText("0.00")
        self.currency = QComboBox()
        self.currency.setObjectName("planCurrency")
        for code in CURRENCIES:
            self.currency.addItem(code, code)
        self.attach_button = QPushButton()
        self.attach_button.setObjectName("attachScreenshots")
        on_click(self.attach_button, self.attach)
        self.attached = muted(QLabel())
        self.attached.setObjectName("attachedFiles")
        self.attached.setWordWrap(True)
        attach_row = QHBoxLayout()
        attach_row.addWidget(self.attach_button)
        attach_row.addWidget(self.attached, 1)

        self.labels: list[tuple[QLabel, str]] = []
        form = QFormLayout()
        for widget, msgid in ((self.provider, N_("&Product:")), (self.merchant, N_("&Merchant:")),
                              (self.total, N_("&Total price:")), (self.fee, N_("F&ee:")),
                              (self.currency, N_("C&urrency:")), (self.installments, N_("&Installments:")),
                              (self.first_due, N_("&First payment due:")), (self.cadence, N_("&Repeats:"))):
            label = QLabel()
            label.setBuddy(widget)
            self.labels.append((label, msgid))
            form.addRow(label, widget)
        form.addRow("", attach_row)

        self.schedule_label = QLabel()
        self.schedule = QTableWidget(0, 3)
        self.schedule.setObjectName("planSchedule")
        self.schedule.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.schedule.verticalHeader().setVisible(False)
        self.schedule.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.schedule.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.schedule.setAlternatingRowColors(True)
        self.schedule_label.setBuddy(self.schedule)
        self.summary = muted(QLabel())
        self.summary.setObjectName("planSummary")
        self.summary.setWordWrap(True)
        self.error = QLabel()
        self.error.setObjectName("planError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {ERROR_COLOR};")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)  # Qt re-labels standard buttons
        self.save_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        right = QVBoxLayout()
        right.addWidget(self.schedule_label)
        right.addWidget(self.schedule, 1)
        right.addWidget(self.summary)
        columns = QHBoxLayout()
        columns.addLayout(form, 3)
        columns.addSpacing(12)
        columns.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        order: list[QWidget] = [self.provider, self.merchant, self.total, self.fee, self.currency, self.installments,
                                self.first_due, self.cadence, self.attach_button, self.schedule, self.buttons]
        for a, b in itertools.pairwise(order):
            self.setTabOrder(a, b)

        self.provider.currentIndexChanged.connect(self._provider_changed)
        for edit in (self.total, self.fee):
            edit.textChanged.connect(self.update_schedule)
        self.currency.currentIndexChanged.connect(self.update_schedule)
        self.installments.valueChanged.connect(self.update_schedule)
        self.first_due.dateChanged.connect(self.update_schedule)
        self.cadence.currentIndexChanged.connect(self.update_schedule)
        self.resize(860, 480)
        self._provider_changed()
        self.retranslate()

    # -- values ---------------------------------------------------------------------------------------------
    def _provider_changed(self) -> None:
        currency = self._catalog.get(str(self.provider.currentData())).currency
        index = self.currency.findData(currency)
        if index < 0:
            self.currency.addItem(currency, currency)
            index = self.currency.count() - 1
        self.currency.setCurrentIndex(index)
        self.update_schedule()

    def due(self) -> date:
        return picked(self.first_due)

    def values(self) -> tuple[Money, Money | None]:
        """Total and fee; raises UserError with what is wrong."""
        currency = str(self.currency.currentData())
        total = _money(self.total.text(), currency)
        if total is None or total.amount <= 0:
            raise UserError(N_("Enter the total price, more than zero."))
        fee = _money(self.fee.text(), currency)
        if fee is not None and fee.amount < 0:
            raise UserError(N_("The fee cannot be negative."))
        return total, fee

    def schedule_rows(self) -> list[tuple[date, Money]]:
        total, fee = self.values()
        n = self.installments.value()
        repay = total + fee if fee is not None else total
        return list(zip(due_dates(self.due(), n, str(self.cadence.currentData())), repay.split(n), strict=True))

    def update_schedule(self) -> None:
        self.schedule.setRowCount(0)
        try:
            rows = self.schedule_rows()
        except UserError as err:
            set_text(self.summary, "")
            typed = self.total.text().strip() or self.fee.text().strip()
            set_text(self.error, error_text(err) if typed else "")
            self.save_button.setEnabled(False)
            return
        set_text(self.error, "")
        self.schedule.setRowCount(len(rows))
        for i, (when, amount) in enumerate(rows):
            for j, text in enumerate((str(i + 1), when.isoformat(), amount.format())):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.schedule.setItem(i, j, item)
        repay = sum((a for _d, a in rows[1:]), rows[0][1])
        set_text(self.summary, ngettext("You repay {total} in {n} installment, the last on {last}.",
                                        "You repay {total} in {n} installments, the last on {last}.",
                                        len(rows)).format(total=repay.format(), n=len(rows),
                                                          last=rows[-1][0].isoformat()))
        self.save_button.setEnabled(True)

    # -- screenshots ----------------------------------------------------------------------------------------
    def _ask_files(self) -> list[str]:
        names, _filter = QFileDialog.getOpenFileNames(self, _("Attach screenshots"), "", _(IMAGE_FILTER))
        return names

    def attach(self) -> None:
        for name in self.ask_files():
            path = Path(name)
            if path not in self.screenshots:
                self.screenshots.append(path)
        self._show_attached()

    def _show_attached(self) -> None:
        n = len(self.screenshots)
        text = ngettext("{n} file: {names}", "{n} files: {names}", n).format(
            n=n, names=", ".join(p.name for p in self.screenshots)) if n else _("No screenshots attached.")
        set_text(self.attached, text)

    # -- saving ---------------------------------------------------------------------------------------------
    def save(self) -> None:
        try:
            total, fee = self.values()
        except UserError as err:
            set_text(self.error, error_text(err))
            return
        vault, catalog, shots = self._vault, self._catalog, list(self.screenshots)
        provider, merchant = str(self.provider.currentData()), self.merchant.text().strip()
        n, first, cadence = self.installments.value(), self.due(), str(self.cadence.currentData())
        note = tr(N_("Screenshot of the plan: {merchant}"), merchant=merchant)

        def work() -> Plan:
            plan = add_plan(vault, catalog, provider_id=provider, merchant=merchant, total=total, installments=n,
                            first_due=first, cadence=cadence, fee=fee)
            for path in shots:
                add_evidence_file(vault, path, note=note, account_id=plan.account_id, link=("plan", plan.id))
            return plan

        self.buttons.setEnabled(False)
        Op(self, work).success(self._saved).failure(self._failed).finally_(lambda: self.buttons.setEnabled(True)).run()

    def _saved(self, plan: Plan) -> None:
        self.plan = plan
        self.accept()

    def _failed(self, err: UserError) -> None:
        set_text(self.error, error_text(err))

    def retranslate(self) -> None:
        self.setWindowTitle(_("Enter a plan by hand"))
        for label, msgid in self.labels:
            label.setText(_(msgid))
        for i, (_code, msgid) in enumerate(CADENCES):
            self.cadence.setItemText(i, _(msgid))
        self.provider.setAccessibleName(_("Product"))
        self.merchant.setAccessibleName(_("Merchant"))
        self.merchant.setPlaceholderText(_("e.g. the shop or app where you bought"))
        self.total.setAccessibleName(_("Total price"))
        self.fee.setAccessibleName(_("Fee"))
        self.currency.setAccessibleName(_("Currency"))
        self.installments.setAccessibleName(_("Number of installments"))
        self.first_due.setAccessibleName(_("First payment due"))
        self.cadence.setAccessibleName(_("How often a payment is due"))
        self.attach_button.setText(_("&Attach screenshots…"))
        self.attach_button.setAccessibleName(_("Attach screenshots"))
        self.schedule_label.setText(_("&Schedule:"))
        self.schedule.setHorizontalHeaderLabels([_("#"), _("Due"), _("Amount")])
        self.schedule.setAccessibleName(_("Payment schedule"))
        self.save_button.setText(_("&Save plan"))
        self._show_attached()
        self.update_schedule()

