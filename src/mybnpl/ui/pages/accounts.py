"""Accounts: the user's products at providers, and adding one."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from mybnpl.core.catalog import Catalog
from mybnpl.core.errors import UserError
from mybnpl.i18n import N_, _, current_language, error_text, ngettext, tr
from mybnpl.services import reminders as reminders_svc
from mybnpl.services.accounts import add_account, list_accounts
from mybnpl.ui.context import UiContext
from mybnpl.ui.models import AccountsModel, provider_display
from mybnpl.ui.pages.base import Page
from mybnpl.ui.plan_dialog import PlanDialog
from mybnpl.ui.widgets import EmptyState, muted, on_click, row_table, set_text
from mybnpl.vault.db import Vault


class AddAccountDialog(QDialog):
    def __init__(self, vault: Vault, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("addAccountDialog")
        self._vault = vault
        self._catalog = catalog
        self.account_id: int | None = None
        self.provider = QComboBox()
        self.provider.setObjectName("provider")
        lang = current_language()
        for p in sorted(catalog.all(), key=lambda p: (p.currency != "CNY", p.name(lang))):
            self.provider.addItem(provider_display(p, lang), p.id)
        self.label = QLineEdit()
        self.label.setObjectName("label")
        self.provider_label = QLabel(_("&Product:"))
        self.provider_label.setBuddy(self.provider)
        self.label_label = QLabel(_("&Name for it:"))
        self.label_label.setBuddy(self.label)
        self.provider.setAccessibleName(_("Product"))
        self.label.setAccessibleName(_("Name for the account"))
        self.label.setPlaceholderText(_("optional, e.g. \"My Huabei\""))
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("&Add account"))
        self.buttons.accepted.connect(self.add)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.provider_label, self.provider)
        form.addRow(self.label_label, self.label)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setWindowTitle(_("Add an account"))
        self.setMinimumWidth(460)

    def add(self) -> None:
        provider_id = self.provider.currentData()
        try:
            account = add_account(self._vault, self._catalog, str(provider_id), self.label.text())
        except UserError as err:
            set_text(self.error, error_text(err))
            return
        self.account_id = account.id
        self.accept()


class AccountsPage(Page):
    data_changed = Signal()
    key = "accounts"
    icon_name = "accounts"
    nav_title = N_("Accounts")
    title = N_("Accounts")
    subtitle = N_("Your BNPL products: one account per provider product you use.")

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.model = AccountsModel(ctx.catalog, self)
        self.table = row_table("accountsTable", self.model, alternate=True)  # one account at a time (reminder days)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.add_button = QPushButton()
        self.add_button.setObjectName("addAccount")
        on_click(self.add_button, self.open_add_dialog)
        self.plan_button = QPushButton()
        self.plan_button.setObjectName("addPlan")
        on_click(self.plan_button, self.open_plan_dialog)
        self.remind_button = QPushButton()
        self.remind_button.setObjectName("reminderDays")
        on_click(self.remind_button, self.edit_reminder_days)
        self.ask_days: Callable[[str], str | None] = self._ask_days
        self.count_label = muted(QLabel())
        bar = QHBoxLayout()
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        bar.addWidget(self.remind_button)
        bar.addWidget(self.plan_button)
        bar.addWidget(self.add_button)
        self.empty = EmptyState("accounts", N_("No accounts yet"), N_(
            "An account appears by itself when you import a statement or an export. For a product without one "
            "(拼多多 先用后付, Afterpay, Klarna), use Add account… or Add plan by hand…"))
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        self.body.addLayout(bar)
        self.body.addWidget(self.stack, 1)
        self.dialog: AddAccountDialog | None = None
        self.plan_dialog: PlanDialog | None = None
        self.retranslate()
        self.clear()

    def reload(self) -> None:
        if self.vault is None:
            self.clear()
            return
        self.model.set_rows(list_accounts(self.vault))
        self.add_button.setEnabled(True)
        self.plan_button.setEnabled(True)
        self.remind_button.setEnabled(bool(self.model.rowCount()))
        self._update_count()

    def clear(self) -> None:
        self.model.set_rows([])
        self.add_button.setEnabled(False)
        self.plan_button.setEnabled(False)
        self.remind_button.setEnabled(False)
        self._update_count()

    def _update_count(self) -> None:
        n = self.model.rowCount()
        set_text(self.count_label, ngettext("{n} account", "{n} accounts", n).format(n=n) if n else "")
        self.stack.setCurrentWidget(self.table if n or self.vault is None else self.empty)

    def open_add_dialog(self) -> AddAccountDialog | None:
        if self.vault is None:
            return None
        self.dialog = AddAccountDialog(self.vault, self.ctx.catalog, self)
        self.dialog.accepted.connect(self.reload)
        self.dialog.open()
        return self.dialog

    def open_plan_dialog(self) -> PlanDialog | None:
        """A plan from an app screen or a receipt, for providers with no export (拼多多 先用后付, Afterpay…)."""
        if self.vault is None:
            return None
        dialog = PlanDialog(self.vault, self.ctx.catalog, self.ctx.today(), self)
        dialog.accepted.connect(self.data_changed.emit)
        dialog.open()
        self.plan_dialog = dialog
        return dialog

    def _ask_days(self, current: str) -> str | None:
        text, ok = QInputDialog.getText(self, _("Reminder days"), _("Days before each due date to remind you, "
                                                                      "comma-separated (0 = on the day; empty = "
                                                                      "no reminders):"), text=current)
        return text if ok else None

    def edit_reminder_days(self) -> None:
        """Per-account reminder days (default 3, 1 and 0 days before)."""
        vault = self.vault
        rows = self.table.selectionModel().selectedRows() if vault is not None else []
        if vault is None or not rows:
            set_text(self.count_label, _("Select an account first."))
            return
        account = self.model.rows[rows[0].row()]
        current = ", ".join(str(d) for d in reminders_svc.get_offsets(vault, account.id))
        answer = self.ask_days(current)
        if answer is None:
            return
        try:
            days = [int(x) for x in answer.replace("，", ",").split(",") if x.strip()]
            chosen = reminders_svc.set_offsets(vault, account.id, days)
        except ValueError:
            set_text(self.count_label, _("Write whole days separated by commas, e.g. 3, 1, 0."))
            return
        except UserError as err:
            set_text(self.count_label, error_text(err))
            return
        text = ", ".join(str(d) for d in chosen)
        set_text(self.count_label, tr(N_("{account}: reminders {days} days before each due date."),
                                      account=account.label, days=text) if chosen else
                 tr(N_("{account}: no reminders."), account=account.label))

    def retranslate(self) -> None:
        super().retranslate()
        self.remind_button.setText(_("&Reminder days…"))
        self.plan_button.setText(_("Add plan by &hand…"))
        self.plan_button.setAccessibleName(_("Add a plan by hand"))
        self.add_button.setText(_("&Add account…"))
        self.add_button.setAccessibleName(_("Add account"))
        self.table.setAccessibleName(_("Accounts"))
        self.model.retranslate()
        if hasattr(self, "empty"):
            self.empty.retranslate()
        self._update_count()
