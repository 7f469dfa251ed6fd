"""The Dashboard's due-date part: late items first, then the next 7 days; totals per week across providers with
stacking warnings; Mark paid… and Export calendar…. Loaded off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mybnpl.core.errors import UserError
from mybnpl.i18n import N_, _, error_text, ngettext, tr
from mybnpl.reminders.model import DueItem, DueKind, DueStatus
from mybnpl.reminders.weeks import WeekTotal
from mybnpl.services import due as due_svc
from mybnpl.services import letters as letters_svc
from mybnpl.services import reminders as reminders_svc
from mybnpl.services.names import own_label, provider_name
from mybnpl.ui.context import UiContext
from mybnpl.ui.letter_dialogs import kind_name
from mybnpl.ui.widgets import date_picker, heading, muted, on_click, picked, set_text
from mybnpl.ui.worker import Op
from mybnpl.vault.db import Vault

LATE = "#c62828"


def status_text(item: DueItem, today: date) -> str:
    if item.status is DueStatus.OVERDUE:
        return ngettext("{n} day overdue", "{n} days overdue", item.days_overdue).format(n=item.days_overdue)
    if item.status is DueStatus.GRACE:
        return ngettext("{n} day late (grace period)", "{n} days late (grace period)",
                        item.days_overdue).format(n=item.days_overdue)
    if item.status is DueStatus.DUE_TODAY:
        return _("today")
    if item.status is DueStatus.PAID and item.paid_on is not None:
        return tr(N_("paid {date}"), date=item.paid_on.isoformat())
    return item.due_on.isoformat()


def _cell(text: str, color: str | None = None) -> QTableWidgetItem:
    cell = QTableWidgetItem(text)
    if color:
        cell.setForeground(QColor(color))
    return cell


class PaidDialog(QDialog):
    def __init__(self, item: DueItem, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.date = date_picker(today, latest=today)
        form = QFormLayout()
        form.addRow(_("Payment:"), QLabel(f"{item.merchant or ''} {item.amount.format()} ({item.due_on.isoformat()})"))
        form.addRow(_("&Paid on:"), self.date)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setWindowTitle(_("Mark paid"))

    def day(self) -> date:
        return picked(self.date)


class DuesPanel(QWidget):
    changed = Signal()  # something was marked paid

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.vault: Vault | None = None
        self.items: list[DueItem] = []
        self.week_totals: list[WeekTotal] = []
        self.answers_due: list[letters_svc.DueLetter] = []
        self.ask_ics_path: Callable[[], str] = self._ask_ics_path
        self.paid_dialog: PaidDialog | None = None
        self.title = heading(scale=1.15)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("dueTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        for col in range(5):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.empty = muted(QLabel())
        self.answers = QLabel()
        self.answers.setObjectName("answersDue")
        self.answers.setWordWrap(True)
        self.weeks = muted(QLabel())
        self.weeks.setObjectName("weekTotals")
        self.weeks.setWordWrap(True)
        self.paid_button, self.ics_button = QPushButton(), QPushButton()
        self.paid_button.setObjectName("markPaid")
        self.ics_button.setObjectName("exportCalendar")
        on_click(self.paid_button, self.mark_paid)
        on_click(self.ics_button, self.export_calendar)
        self.status = muted(QLabel())
        self.status.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(self.title)
        bar.addStretch(1)
        bar.addWidget(self.paid_button)
        bar.addWidget(self.ics_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.weeks)
        layout.addWidget(self.answers)
        layout.addWidget(self.status)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        self._filler = QWidget()  # takes the table's room while it is hidden: the texts stay under the heading
        layout.addWidget(self._filler, 1)
        self.table.itemSelectionChanged.connect(self._update)
        self.retranslate()
        self.clear()

    # -- data -----------------------------------------------------------------------------------------------
    def set_vault(self, vault: Vault | None) -> None:
        self.vault = vault if vault is not None and not vault.closed else None
        if self.vault is None:
            self.clear()
        else:
            self.reload()

    def reload(self) -> None:
        vault = self.vault
        if vault is None or vault.closed:
            self.clear()
            return
        catalog, today = self.ctx.catalog, self.ctx.today()

        def work() -> tuple[list[DueItem], list[WeekTotal], list[letters_svc.DueLetter]]:
            return (due_svc.due_items(vault, catalog, today, within_days=7), due_svc.weeks(vault, catalog, today, 4),
                    letters_svc.letters_due(vault, today))

        Op(self, work).success(self._loaded).failure(self._failed).run()

    def _loaded(self, result: tuple[list[DueItem], list[WeekTotal], list[letters_svc.DueLetter]]) -> None:
        if self.vault is None:
            return
        self.items, self.week_totals, self.answers_due = result
        self._render()

    def clear(self) -> None:
        self.items, self.week_totals, self.answers_due = [], [], []
        set_text(self.status, "")
        if self.paid_dialog is not None:
            self.paid_dialog.done(QDialog.DialogCode.Rejected)
            self.paid_dialog = None
        self._render()

    def _render(self) -> None:
        today = self.ctx.today()
        self.table.setRowCount(len(self.items))
        accounts = [own_label(self.ctx.catalog, item.provider_id, item.account_label) for item in self.items]
        self.table.setColumnHidden(2, not any(accounts))  # no account with a label of its own: no empty column
        for r, item in enumerate(self.items):
            late = item.status in (DueStatus.OVERDUE, DueStatus.GRACE)
            what = item.merchant or (_("statement") if item.kind is DueKind.STATEMENT else "")
            if item.seq and item.count:
                what = f"{what} ({item.seq}/{item.count})"
            self.table.setItem(r, 0, _cell(status_text(item, today), LATE if late else None))
            self.table.setItem(r, 1, _cell(provider_name(self.ctx.catalog, item.provider_id)))
            self.table.setItem(r, 2, _cell(accounts[r]))
            self.table.setItem(r, 3, _cell(what))
            amount = _cell(item.amount.format())
            amount.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(r, 4, amount)
        self.table.setVisible(bool(self.items))
        self._filler.setVisible(not self.items)
        self.empty.setVisible(self.vault is not None and not self.items)
        parts = []
        for w in self.week_totals:
            if not w.count:
                continue
            money = " + ".join(m.format() for _c, m in sorted(w.totals.items()))
            text = ngettext("week of {date}: {total} ({n} provider)", "week of {date}: {total} ({n} providers)",
                            w.provider_count).format(date=w.start.isoformat(), total=money, n=w.provider_count)
            parts.append(f"<span style='color:{LATE}'>⚠ {text}</span>" if w.stacking else text)
        self.weeks.setText(" · ".join(parts))
        self.weeks.setVisible(bool(parts))
        answers = []
        for d in self.answers_due[:4]:
            if d.state in ("overdue", "expired"):
                text = tr(N_("No answer from {to} to letter {id}, due {date}: time to escalate ({next})."),
                          to=d.recipient, id=d.letter_id, date=d.deadline_on.isoformat(),
                          next=kind_name(d.escalate_to) if d.escalate_to else "–")
                answers.append(f"<span style='color:{LATE}'>{_esc(text)}</span>")
            else:
                answers.append(_esc(tr(N_("Answer from {to} to letter {id} due {date} ({n} days left)."),
                                       to=d.recipient, id=d.letter_id, date=d.deadline_on.isoformat(),
                                       n=d.days_left)))
        self.answers.setText("<br>".join(answers))
        self.answers.setVisible(bool(answers))
        self._update()

    def selected(self) -> DueItem | None:
        rows = self.table.selectionModel().selectedRows()
        return self.items[rows[0].row()] if rows and rows[0].row() < len(self.items) else None

    def _update(self) -> None:
        item = self.selected()
        self.paid_button.setEnabled(self.vault is not None and item is not None and item.paid_on is None)
        self.ics_button.setEnabled(self.vault is not None)

    # -- actions --------------------------------------------------------------------------------------------
    def mark_paid(self) -> PaidDialog | None:
        item = self.selected()
        if item is None or self.vault is None:
            return None
        self.paid_dialog = PaidDialog(item, self.ctx.today(), self)
        self.paid_dialog.accepted.connect(lambda: self._pay(item))
        self.paid_dialog.open()
        return self.paid_dialog

    def _pay(self, item: DueItem) -> None:
        vault, dialog = self.vault, self.paid_dialog
        if vault is None or dialog is None:
            return
        day, today = dialog.day(), self.ctx.today()

        def work() -> None:
            if item.kind is DueKind.INSTALLMENT:
                due_svc.pay_installment(vault, item.id, day, today=today)
            else:
                due_svc.pay_statement(vault, item.id, day, today=today)

        def done(_r: object) -> None:
            set_text(self.status, tr(N_("Marked paid on {date}."), date=day.isoformat()))
            self.changed.emit()

        Op(self, work).success(done).failure(self._failed).run()

    def _ask_ics_path(self) -> str:
        name, _filter = QFileDialog.getSaveFileName(self, _("Export calendar"), str(Path.home() / "mybnpl.ics"),
                                                    _("Calendar (*.ics)"))
        return name

    def export_calendar(self) -> None:
        vault = self.vault
        if vault is None:
            return
        target = self.ask_ics_path()
        if not target:
            return
        out = Path(target)
        catalog, today, privacy = self.ctx.catalog, self.ctx.today(), bool(self.ctx.config.get("reminder_privacy"))

        def done(result: reminders_svc.IcsExport) -> None:
            set_text(self.status, tr(N_("{n} due dates written to {path}. Import the file into your phone's "
                                        "calendar; exporting again updates the same events."),
                                     n=result.events, path=str(result.path)))

        Op(self, lambda: reminders_svc.export_ics(vault, catalog, out, today, privacy=privacy)).success(
            done).failure(self._failed).run()

    def _failed(self, err: UserError) -> None:
        set_text(self.status, error_text(err))

    def retranslate(self) -> None:
        set_text(self.title, _("Late and due in the next 7 days"))
        self.table.setAccessibleName(_("Late and due in the next 7 days"))
        self.table.setHorizontalHeaderLabels([_("Due"), _("Product"), _("Account"), _("What"), _("Amount")])
        set_text(self.empty, _("Nothing is due in the next 7 days."))
        self.paid_button.setText(_("Mark &paid…"))
        self.ics_button.setText(_("Export &calendar…"))
        self._render()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
