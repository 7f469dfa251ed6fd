"""Transactions: a lazy table over every transaction in the vault, newest first."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QStackedWidget, QTableView, QWidget

from mybnpl.i18n import N_, _, ngettext
from mybnpl.ui.context import UiContext
from mybnpl.ui.models import TransactionsModel
from mybnpl.ui.pages.base import Page
from mybnpl.ui.widgets import EmptyState, muted, set_text

COLUMN_WIDTHS = (100, 200, 110, 150, 240, 90)


class TransactionsPage(Page):
    key = "transactions"
    icon_name = "transactions"
    nav_title = N_("Transactions")
    title = N_("Transactions")

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.model = TransactionsModel(ctx.catalog, self)
        self.table = QTableView()
        self.table.setObjectName("transactionsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        vheader = self.table.verticalHeader()
        vheader.setVisible(False)
        # Fixed row heights: the view never measures rows, so it never asks for rows it does not show.
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vheader.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate(COLUMN_WIDTHS):
            header.resizeSection(col, width)
        header.setStretchLastSection(True)
        self.count_label = muted(QLabel())
        self.count_label.setObjectName("txCount")
        self.empty = EmptyState("transactions", N_("No transactions yet"),
                                N_("Transactions appear here once you import statements or exports on the Import "
                                   "page (Alipay, WeChat Pay, JD, Meituan, PayPal, OFX, PDF, any CSV or XLSX)."))
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        self.body.addWidget(self.count_label)
        self.body.addWidget(self.stack, 1)
        self.retranslate()
        self.clear()

    def reload(self) -> None:
        self.model.set_vault(self.vault)
        self._update()

    def clear(self) -> None:
        self.model.clear()
        self._update()

    def _update(self) -> None:
        n = self.model.rowCount()
        self.stack.setCurrentWidget(self.table if n else self.empty)
        set_text(self.count_label, ngettext("{n} transaction, newest first", "{n} transactions, newest first",
                                            n).format(n=f"{n:,}") if n else "")

    def retranslate(self) -> None:
        super().retranslate()
        self.empty.retranslate()
        self.model.retranslate()
        self.table.setAccessibleName(_("Transactions"))
        self._update()
