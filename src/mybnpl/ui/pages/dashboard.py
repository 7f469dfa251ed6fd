"""Dashboard: what needs attention first (open findings), then what is due, then the vault's size."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mybnpl.i18n import N_, _, tr
from mybnpl.services.dashboard import Dashboard, dashboard
from mybnpl.services.finding_text import SEVERITY_COLOR, SEVERITY_TEXT, kind_title, pick_language
from mybnpl.services.names import provider_name
from mybnpl.ui.context import UiContext
from mybnpl.ui.pages.base import Page
from mybnpl.ui.pages.dues_panel import DuesPanel
from mybnpl.ui.reminders_ui import ReminderBar
from mybnpl.ui.widgets import heading, muted, set_text


class StatCard(QFrame):
    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption_id = caption
        self.setObjectName("statCard")
        self.setStyleSheet("QFrame#statCard { background: palette(base); border: 1px solid palette(mid);"
                           " border-radius: 8px; }")
        self.value = heading("–", scale=2.0)
        self.value.setObjectName("statValue")
        self.caption = muted(QLabel())
        self.detail = muted(QLabel())
        self.detail.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)
        layout.addStretch(1)

    def set(self, value: str, detail: str = "") -> None:
        set_text(self.value, value)
        set_text(self.detail, detail)
        self.setAccessibleName(f"{self.caption.text()}: {value} {detail}".strip())

    def retranslate(self) -> None:
        set_text(self.caption, _(self.caption_id))


def _table(columns: int) -> QTableWidget:
    table = QTableWidget(0, columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.setAlternatingRowColors(True)
    table.setWordWrap(True)
    table.setShowGrid(False)
    return table


def _item(text: str, color: str | None = None, align_right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if color:
        item.setForeground(QColor(color))
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def fit_height(table: QTableWidget, max_rows: int, min_rows: int = 4) -> None:
    """Make a short table as tall as its rows (up to ``max_rows``), so no empty box is left below them, and keep at
    least ``min_rows`` of them visible when the page is short of room (the due list below takes the rest)."""
    rows = min(table.rowCount(), max_rows)
    head = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth() + 2
    table.setMaximumHeight(head + sum(table.rowHeight(r) for r in range(rows)))
    table.setMinimumHeight(head + sum(table.rowHeight(r) for r in range(min(rows, min_rows))))


class DashboardPage(Page):
    key = "dashboard"
    icon_name = "dashboard"
    nav_title = N_("Dashboard")
    title = N_("Dashboard")
    finding_activated = Signal(int)  # a finding was double-clicked: show it on the Findings page
    data_changed = Signal()  # an installment was marked paid

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.data: Dashboard | None = None
        self.card_accounts = StatCard(N_("Accounts"))
        self.card_tx = StatCard(N_("Transactions"))
        self.card_7 = StatCard(N_("Due in 7 days"))
        self.card_30 = StatCard(N_("Due in 30 days"))
        self.cards = (self.card_accounts, self.card_tx, self.card_7, self.card_30)
        row = QHBoxLayout()
        for card in self.cards:
            row.addWidget(card, 1)
        self.body.addLayout(row)

        self.findings_title = heading(scale=1.15)
        self.findings = _table(4)
        self.findings.setObjectName("findingsTable")
        self.findings.setWordWrap(False)
        for col in (0, 1, 3):
            self.findings.horizontalHeader().setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.findings.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.findings.cellDoubleClicked.connect(self._open_finding)
        self.no_findings = muted(QLabel())
        self.dues = DuesPanel(ctx)
        self.dues.changed.connect(self.data_changed.emit)
        self.reminders = ReminderBar(ctx)
        self.reminders.changed.connect(self.dues.reload)
        self.empty_hint = muted(QLabel())
        self.empty_hint.setWordWrap(True)
        self.body.addSpacing(12)
        self.body.addWidget(self.reminders)
        self.body.addWidget(self.empty_hint)
        self.body.addWidget(self.findings_title)
        self.body.addWidget(self.no_findings)
        self.body.addWidget(self.findings)
        self.body.addSpacing(8)
        self.body.addWidget(self.dues, 1)
        self.retranslate()
        self.clear()

    # -- data ---------------------------------------------------------------------------------------------
    def reload(self) -> None:
        if self.vault is None or self.vault.closed:
            self.clear()
            return
        self.data = dashboard(self.vault, self.ctx.today())
        self._render()
        self.dues.set_vault(self.vault)
        self.reminders.vault = self.vault

    def clear(self) -> None:
        self.data = None
        self.findings.setRowCount(0)
        self.dues.set_vault(None)
        self.reminders.clear()
        for card in self.cards:
            card.set("–")
        self._render()

    def _render(self) -> None:
        d = self.data
        self.empty_hint.setVisible(d is not None and d.accounts == 0 and d.transactions == 0)
        if d is None:
            self.no_findings.hide()
            return
        self.card_accounts.set(f"{d.accounts:,}")
        self.card_tx.set(f"{d.transactions:,}", tr(N_("{n} paid with BNPL"), n=f"{d.bnpl_transactions:,}"))
        self.card_7.set(f"{d.due_7_count:,}", tr(N_("{n} overdue"), n=d.overdue_count) if d.overdue_count else "")
        totals = " · ".join(m.format() for _c, m in sorted(d.due_30_totals.items()))
        self.card_30.set(f"{d.due_30_count:,}", totals)

        self.findings.setRowCount(len(d.open_findings))
        for r, f in enumerate(d.open_findings):
            self.findings.setItem(r, 0, _item(_(SEVERITY_TEXT[f.severity]), SEVERITY_COLOR[f.severity]))
            self.findings.setItem(r, 1, _item(provider_name(self.ctx.catalog, f.provider_id) or _("several")))
            title = _item(kind_title(f.kind))
            title.setToolTip(pick_language(f.explanation_en, f.explanation_zh))
            self.findings.setItem(r, 2, title)
            self.findings.setItem(r, 3, _item(f.first_seen.isoformat()))
        self._fit()
        self.findings.setVisible(bool(d.open_findings))
        self.no_findings.setVisible(not d.open_findings)

    def _open_finding(self, row: int, _column: int) -> None:
        if self.data is not None and 0 <= row < len(self.data.open_findings):
            self.finding_activated.emit(self.data.open_findings[row].id)

    def _fit(self) -> None:
        self.findings.resizeRowsToContents()
        fit_height(self.findings, max_rows=6)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit()  # fonts and header sizes are final only once shown

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()  # explanations re-wrap with the width

    # -- language -----------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        super().retranslate()
        for card in self.cards:
            card.retranslate()
        set_text(self.findings_title, _("Open findings"))
        set_text(self.no_findings, _("No open findings. Problems mybnpl detects will appear here first."))
        set_text(self.empty_hint, _("Your vault is empty. Import a statement or export on the Import page, "
                                    "or add an account or a plan on the Accounts page."))
        self.findings.setHorizontalHeaderLabels([_("Severity"), _("Product"), _("What was found"), _("Since")])
        self.findings.setAccessibleName(_("Open findings"))
        self.dues.retranslate()
        self.reminders.retranslate()
        if self.data is not None:
            self._render()
