"""Dialogs of the Letters page: draft a new letter, mark a letter sent, the user's own details."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mybnpl.core.errors import UserError
from mybnpl.i18n import N_, _, current_language
from mybnpl.letters.compose import kind_name as letter_kind_name
from mybnpl.letters.legal import KINDS
from mybnpl.services import findings as findings_svc
from mybnpl.services import profile as profile_svc
from mybnpl.services.accounts import list_accounts
from mybnpl.services.finding_text import kind_title
from mybnpl.services.names import account_name, provider_name
from mybnpl.ui.context import UiContext
from mybnpl.ui.widgets import date_picker, muted, on_click, picked
from mybnpl.vault.db import Vault

JURISDICTIONS = ("CN", "UK", "EU", "US")
PROFILE_LABELS = {"name": N_("&Name:"), "address": N_("&Address:"), "phone": N_("&Phone:"),
                  "email": N_("&E-mail:"), "id_number": N_("&ID number:")}


def kind_name(kind: str) -> str:
    return letter_kind_name(kind, current_language())


def _buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    box.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


class DraftDialog(QDialog):
    """What to write: kind, account, jurisdiction, language and, optionally, the finding it is about."""

    def __init__(self, ctx: UiContext, vault: Vault, parent: QWidget | None = None,
                 finding_id: int | None = None, edit_profile: Callable[[QWidget], object] | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.kind = QComboBox()
        for k in KINDS:
            self.kind.addItem(kind_name(k), k)
        self.account = QComboBox()
        self.accounts = list_accounts(vault)
        for acc in self.accounts:
            self.account.addItem(account_name(ctx.catalog, acc.provider_id, acc.label), acc.id)
        self.jurisdiction = QComboBox()
        for j in JURISDICTIONS:
            self.jurisdiction.addItem(j, j)
        self.lang = QComboBox()
        self.lang.addItem("中文", "zh")
        self.lang.addItem("English", "en")
        self.lang.setCurrentIndex(0 if current_language() == "zh_CN" else 1)
        self.finding = QComboBox()
        self.finding.addItem(_("(none)"), None)
        for f in findings_svc.list_findings(vault):
            self.finding.addItem(f"#{f.id} {kind_title(f.kind)} – {provider_name(ctx.catalog, f.provider_id)}",
                                 f.id)
        self.findings = {f.id: f for f in findings_svc.list_findings(vault)}
        self.account.currentIndexChanged.connect(self._account_changed)
        self.finding.currentIndexChanged.connect(self._finding_changed)
        if finding_id is not None:
            self.finding.setCurrentIndex(max(0, self.finding.findData(finding_id)))
        self._finding_changed()
        self._account_changed()
        form = QFormLayout()
        form.addRow(_("&Letter:"), self.kind)
        form.addRow(_("&Account:"), self.account)
        form.addRow(_("&Jurisdiction:"), self.jurisdiction)
        form.addRow(_("La&nguage:"), self.lang)
        form.addRow(_("&About finding:"), self.finding)
        note = muted(QLabel(_("mybnpl fills in what the vault knows and marks what is missing for you to fill "
                              "in. It never invents facts.")))
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        # Without the user's own details every letter starts with [FILL IN …] lines: offer them here, once.
        self.profile_row = QWidget()
        row = QHBoxLayout(self.profile_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.profile_note = QLabel(_("Your name, address and phone are not in the vault yet: letters mark them "
                                     "[FILL IN]. Fill them in once and every letter uses them."))
        self.profile_note.setWordWrap(True)
        self.profile_button = QPushButton(_("Your &details…"))
        self.profile_button.setObjectName("draftProfile")
        if edit_profile is not None:
            on_click(self.profile_button, lambda: edit_profile(self))
        row.addWidget(self.profile_note, 1)
        row.addWidget(self.profile_button)
        self.profile_row.setVisible(edit_profile is not None and not profile_svc.get_profile(vault).get("name"))
        layout.addWidget(self.profile_row)
        layout.addWidget(note)
        layout.addWidget(_buttons(self, _("&Draft")))
        self.setWindowTitle(_("New letter"))
        self.setMinimumWidth(520)

    def _finding_changed(self) -> None:
        """A letter about a finding goes to that finding's provider: pick its account."""
        f = self.findings.get(self.finding.currentData())
        if f is None:
            return
        account = f.account_id or next((a.id for a in self.accounts if a.provider_id == f.provider_id), None)
        index = self.account.findData(account) if account is not None else -1
        if index >= 0:
            self.account.setCurrentIndex(index)

    def _account_changed(self) -> None:
        acc = next((a for a in self.accounts if a.id == self.account.currentData()), None)
        if acc is None:
            return
        try:
            jurisdictions = self.ctx.catalog.get(acc.provider_id).jurisdictions
        except UserError:  # an id the catalog no longer knows
            return
        index = self.jurisdiction.findData(jurisdictions[0].upper()) if jurisdictions else -1
        if index >= 0:
            self.jurisdiction.setCurrentIndex(index)


class SentDialog(QDialog):
    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.date = date_picker(today, latest=today)
        self.channel = QLineEdit()
        self.channel.setPlaceholderText(_("e.g. 12378 hotline, registered post, the app's complaint form"))
        self.ref = QLineEdit()
        self.ref.setPlaceholderText(_("ticket or tracking number, if any"))
        form = QFormLayout()
        form.addRow(_("&Sent on:"), self.date)
        form.addRow(_("&How:"), self.channel)
        form.addRow(_("&Reference:"), self.ref)
        hint = muted(QLabel(_("The answer deadline starts counting from this day.")))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(_buttons(self, _("&Mark sent")))
        self.setWindowTitle(_("Mark the letter sent"))

    def day(self) -> date:
        return picked(self.date)


class ProfileDialog(QDialog):
    """The user's own details, kept encrypted in the vault and used by every letter."""

    def __init__(self, values: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for key, label in PROFILE_LABELS.items():
            edit = QLineEdit(values.get(key, ""))
            self.fields[key] = edit
            form.addRow(_(label), edit)
        hint = muted(QLabel(_("Kept inside the encrypted vault. Letters use them; leave empty what you do not "
                              "want in a letter.")))
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(_buttons(self, _("&Save")))
        self.setWindowTitle(_("Your details for letters"))
        self.setMinimumWidth(480)

    def values(self) -> dict[str, str]:
        return {k: e.text() for k, e in self.fields.items()}
