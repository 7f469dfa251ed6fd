"""Letters: drafted from the case file, edited and sent by the user. Mark sent to start the answer clock; attach
the reply; export to PDF, text or Word."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mybnpl.core import richtext
from mybnpl.core.errors import UserError
from mybnpl.i18n import N_, _, current_language, error_text, tr
from mybnpl.letters.render import LABELS
from mybnpl.services import cases as cases_svc
from mybnpl.services import letters as letters_svc
from mybnpl.services import profile as profile_svc
from mybnpl.services.letters import LetterRecord
from mybnpl.services.names import list_text, provider_name
from mybnpl.ui.context import UiContext
from mybnpl.ui.letter_dialogs import DraftDialog, ProfileDialog, SentDialog, kind_name
from mybnpl.ui.list_model import Index, ListModel
from mybnpl.ui.pages.base import Page
from mybnpl.ui.rich_editor import RichEditor, preview_html
from mybnpl.ui.widgets import EmptyState, muted, on_click, row_table, set_text
from mybnpl.ui.worker import Op

CASE_STATUS = {"open": N_("open"), "waiting": N_("waiting for an answer"), "escalated": N_("escalated"),
               "closed": N_("closed")}
DEADLINE_STATE = {"running": N_("running"), "due_today": N_("due today"), "overdue": N_("overdue"),
                  "expired": N_("expired")}
STATUS = {"draft": N_("draft"), "sent": N_("sent, waiting"), "answered": N_("answered"), "closed": N_("closed")}
DISCLAIMER = N_("Letters are templates filled in from your case file. Read them, change what you want and send "
                "them yourself: you are responsible for what you send. mybnpl is not a lawyer and this is not legal "
                "advice. Places marked 【…】 or [FILL IN …] need your facts.")


class LettersModel(ListModel[LetterRecord]):
    COLUMNS = (N_("#"), N_("Case"), N_("Letter"), N_("To"), N_("Status"), N_("Answer due"))


    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        r = self.items[index.row()]
        return (str(r.id), f"#{r.case_id}" if r.case_id else "–", f"{kind_name(r.kind)} ({r.jurisdiction}, {r.lang})",
                r.recipient,
                _(STATUS.get(r.status, r.status)), r.deadline_on.isoformat() if r.deadline_on else "–")[index.column()]



class LettersPage(Page):
    key = "letters"
    icon_name = "letters"
    nav_title = N_("Letters")
    title = N_("Letters")
    data_changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.ask_path: Callable[[str], str] = self._ask_path
        self.ask_reply: Callable[[], str] = self._ask_reply
        self.draft_dialog: DraftDialog | None = None
        self.sent_dialog: SentDialog | None = None
        self.profile_dialog: ProfileDialog | None = None
        self.banner = QLabel()
        self.banner.setObjectName("letterDisclaimer")
        self.banner.setWordWrap(True)
        self.banner.setFrameShape(QFrame.Shape.StyledPanel)
        self.banner.setStyleSheet("QLabel#letterDisclaimer { background: #e3f2fd; padding: 8px; border-radius: 6px; }")
        self.model = LettersModel(self)
        self.table = row_table("lettersTable", self.model, (36, 50, 190, 190, 110))
        self.editor = RichEditor()
        self.preview = QTextBrowser()
        self.editor.changed.connect(self._dirty)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.editor, "")
        self.tabs.addTab(self.preview, "")
        self.tabs.currentChanged.connect(lambda _i: self._preview())
        self.info = muted(QLabel())
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(8, 0, 0, 0)
        right_layout.addWidget(self.tabs, 1)
        right_layout.addWidget(self.info)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(right)
        self.splitter.setSizes([430, 620])
        self.empty = EmptyState("letters", N_("Letters you edit and send yourself"),
                                N_("Draft a complaint, a complaint to the regulator, a hardship or repayment request, "
                                   "a credit-report dispute, a closure request or a refund dispute. mybnpl fills it "
                                   "in from your case file; you read it, change it and send it."))
        self.stack = QStackedWidget()
        self.stack.addWidget(self.splitter)
        self.stack.addWidget(self.empty)
        self.buttons: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        for name, slot in (("new", self.new_letter), ("save", self.save), ("export", self.export),
                           ("sent", self.mark_sent), ("reply", self.attach_reply), ("profile", self.edit_profile)):
            button = QPushButton()
            button.setObjectName(f"letter_{name}")
            on_click(button, slot)
            self.buttons[name] = button
            bar.addWidget(button)
            if name == "reply":
                bar.addStretch(1)
        self.status = muted(QLabel())
        self.status.setWordWrap(True)
        self.body.addWidget(self.banner)
        self.body.addLayout(bar)
        self.body.addWidget(self.status)
        self.cases = QTreeWidget()
        self.cases.setObjectName("casesTree")
        self.cases.setColumnCount(5)
        self.cases.itemDoubleClicked.connect(self._case_item_activated)
        self.views = QTabWidget()
        self.views.addTab(self.stack, "")
        self.views.addTab(self.cases, "")
        self.body.addWidget(self.views, 1)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._show_selected())
        self._changed = False
        self._editing: int | None = None
        self.retranslate()
        self.clear()

    # -- data -----------------------------------------------------------------------------------------------
    def reload(self) -> None:
        vault = self.vault
        if vault is None or vault.closed:
            self.clear()
            return
        today = self.ctx.today()

        def work() -> tuple[list[LetterRecord], list[dict[str, Any]]]:  # with evidence and replies: few letters
            return ([letters_svc.get_letter(vault, r.id) for r in letters_svc.list_letters(vault)],
                    cases_svc.list_cases(vault, today))

        def done(result: tuple[list[LetterRecord], list[dict[str, Any]]]) -> None:
            self._loaded(result[0])
            self._fill_cases(result[1])

        Op(self, work).success(done).failure(self._failed).run()

    def _fill_cases(self, cases: list[dict[str, Any]]) -> None:
        """Each complaint case with its letters, their answer deadlines and the replies kept."""
        self.cases.clear()
        for c in cases:
            top = QTreeWidgetItem([f"#{c['id']} {c['title']}", _(CASE_STATUS.get(c["status"], c["status"])),
                                   str(c["opened_on"]), provider_name(self.ctx.catalog, c["provider"]), ""])
            for letter in c["letters"]:
                state = letter.get("deadline_state") or ""
                extra = _(DEADLINE_STATE.get(state, state)) if state else ""
                if letter.get("escalate_to"):
                    extra += " → " + kind_name(str(letter["escalate_to"]))
                child = QTreeWidgetItem([
                    f"{_('Letter')} {letter['id']}: {kind_name(str(letter['kind']))}",
                    _(STATUS.get(str(letter["status"]), str(letter["status"]))), str(letter.get("sent_on") or "–"),
                    str(letter.get("deadline_on") or "–"),
                    _deadline_note(extra, len(letter.get("reply_evidence_ids") or []))])
                child.setData(0, Qt.ItemDataRole.UserRole, int(letter["id"]))
                top.addChild(child)
            self.cases.addTopLevelItem(top)
            top.setExpanded(True)
        for col in range(4):
            self.cases.resizeColumnToContents(col)

    def _case_item_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        letter_id = item.data(0, Qt.ItemDataRole.UserRole)
        row = next((i for i, r in enumerate(self.model.items) if r.id == letter_id), -1)
        if row >= 0:
            self.views.setCurrentIndex(0)
            self.table.selectRow(row)

    def _loaded(self, items: list[LetterRecord], select: int | None = None) -> None:
        current = self.selected()
        chosen = select if select is not None else (current.id if current is not None else None)
        self.model.set_items(items)
        row = next((i for i, r in enumerate(items) if r.id == chosen), 0 if items else -1)
        if row >= 0:
            self.table.selectRow(row)
        self._update()

    def clear(self) -> None:
        self.model.set_items([])
        self.cases.clear()
        self.editor.clear()
        self.preview.clear()
        set_text(self.info, "")
        set_text(self.status, "")
        for dialog in (self.draft_dialog, self.sent_dialog, self.profile_dialog):
            if dialog is not None:
                dialog.reject()
        self.draft_dialog = self.sent_dialog = self.profile_dialog = None
        self._changed = False
        self._editing = None
        self._update()

    def selected(self) -> LetterRecord | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.items[rows[0].row()] if rows and rows[0].row() < len(self.model.items) else None

    def _show_selected(self) -> None:
        r = self.selected()
        keep = self._changed and r is not None and r.id == self._editing
        if not keep:  # a reload must not throw away what the user is typing
            self.editor.set_doc(r.doc if r else ())
            self._changed = False
        self._editing = r.id if r else None
        self.editor.set_read_only(r is None or r.status != "draft")  # a sent letter is the record of what was sent
        self._preview()
        if r is None:
            set_text(self.info, "")
        else:
            lines = [tr(N_("To: {recipient}"), recipient=r.recipient)]
            if r.status != "draft":
                lines.append(_("This letter was sent: its text is kept as sent and can no longer be changed."))
            if r.missing_fields:
                lang = "zh" if current_language().startswith("zh") else "en"
                names = [LABELS[f].get(lang) if f in LABELS else f for f in r.missing_fields]
                lines.append(tr(N_("Still to fill in: {fields}"), fields=list_text(names)))
            if r.deadline_on:
                lines.append(tr(N_("Answer due by {date} ({source})"), date=r.deadline_on.isoformat(),
                                source=r.deadline_source))
            for e in r.evidence:
                lines.append(f"{_('Evidence')} #{e.id}: {e.name} — SHA-256 {e.sha256}")
            for e in r.replies:
                lines.append(f"{_('Reply')} #{e.id}: {e.name}")
            set_text(self.info, "\n".join(lines))
        self._update()

    def _preview(self) -> None:
        r = self.selected()
        if r is None:
            self.preview.clear()
            return
        self.preview.setHtml(preview_html(self.editor.doc(), r.title, [(e.id, e.name, e.sha256) for e in r.evidence],
                                          r.lang))

    def _dirty(self) -> None:
        self._changed = True
        self._update()

    def _update(self) -> None:
        n = self.model.rowCount()
        self.stack.setCurrentWidget(self.splitter if n else self.empty)
        open_ = self.vault is not None
        r = self.selected() if open_ else None
        self.buttons["new"].setEnabled(open_)
        self.buttons["profile"].setEnabled(open_)
        self.buttons["save"].setEnabled(r is not None and self._changed)
        self.buttons["export"].setEnabled(r is not None)
        self.buttons["sent"].setEnabled(r is not None and r.status == "draft")
        self.buttons["reply"].setEnabled(r is not None and r.status in ("sent", "answered"))

    # -- actions --------------------------------------------------------------------------------------------
    def new_letter(self, finding_id: int | None = None) -> DraftDialog | None:
        vault = self.vault
        if vault is None:
            return None
        self.draft_dialog = DraftDialog(self.ctx, vault, self, finding_id=finding_id, edit_profile=self.edit_profile)
        self.draft_dialog.accepted.connect(self._draft)
        self.draft_dialog.open()
        return self.draft_dialog

    def _draft(self) -> None:
        d, vault = self.draft_dialog, self.vault
        if d is None or vault is None or d.account.currentData() is None:
            set_text(self.status, _("Add an account first (Accounts page)."))
            return
        args = (d.kind.currentData(), int(d.account.currentData()), d.jurisdiction.currentData(),
                d.lang.currentData(), self.ctx.today(), d.finding.currentData())
        catalog = self.ctx.catalog

        def work() -> tuple[list[LetterRecord], int]:
            kind, account, jurisdiction, lang, today, finding = args
            draft = letters_svc.draft_letter(vault, catalog, letters_svc.load_legal(), kind, account, jurisdiction,
                                             lang, today, finding_id=finding)
            return [letters_svc.get_letter(vault, r.id) for r in letters_svc.list_letters(vault)], draft.id

        def done(result: tuple[list[LetterRecord], int]) -> None:
            self._loaded(result[0], select=result[1])
            set_text(self.status, _("Drafted. Read it, fill in what is marked and change what you want."))
            self.data_changed.emit()

        Op(self, work).success(done).failure(self._failed).run()

    def save(self) -> None:
        r, vault = self.selected(), self.vault
        if r is None or vault is None:
            return
        doc, rid = self.editor.doc(), r.id

        def done(_rec: LetterRecord) -> None:
            self._changed = False
            set_text(self.status, _("Saved."))
            self.reload()

        Op(self, lambda: letters_svc.update_letter_text(vault, rid, "", doc)).success(done).failure(self._failed).run()

    def _ask_path(self, suggested: str) -> str:
        name, _filter = QFileDialog.getSaveFileName(self, _("Export letter"), str(Path.home() / suggested),
                                                    _("PDF (*.pdf);;Word (*.docx);;Text (*.txt)"))
        return name

    def export(self) -> None:
        r = self.selected()
        if r is None:
            return
        target = self.ask_path(f"letter-{r.id}.pdf")
        if not target:
            return
        from mybnpl.letters.export import export_letter  # reportlab loads with the first export

        out, doc, title, lang = Path(target), self.editor.doc(), r.title, r.lang
        evidence = [(e.id, e.name, e.sha256) for e in r.evidence]
        Op(self, lambda: export_letter(richtext.to_text(doc), title, evidence, out, lang, rich=doc)).success(
            lambda p: set_text(self.status, tr(N_("Exported to {path}."), path=str(p)))).failure(self._failed).run()

    def mark_sent(self) -> SentDialog | None:
        r = self.selected()
        if r is None or self.vault is None:
            return None
        self.sent_dialog = SentDialog(self.ctx.today(), self)
        self.sent_dialog.accepted.connect(self._sent)
        self.sent_dialog.open()
        return self.sent_dialog

    def _sent(self) -> None:
        r, vault, d = self.selected(), self.vault, self.sent_dialog
        if r is None or vault is None or d is None:
            return
        rid, day, channel, ref, today = r.id, d.day(), d.channel.text(), d.ref.text(), self.ctx.today()

        def done(rec: LetterRecord) -> None:
            due = rec.deadline_on.isoformat() if rec.deadline_on else "–"
            set_text(self.status, tr(N_("Marked sent. The answer is due by {date}."), date=due))
            self.data_changed.emit()

        Op(self, lambda: letters_svc.mark_sent(vault, rid, day, channel, ref, today)).success(done).failure(
            self._failed).run()

    def _ask_reply(self) -> str:
        name, _filter = QFileDialog.getOpenFileName(self, _("The reply you received"), "", _("All files (*)"))
        return name

    def attach_reply(self) -> None:
        r, vault = self.selected(), self.vault
        if r is None or vault is None:
            return
        name = self.ask_reply()
        if not name:
            return
        rid, path, today = r.id, Path(name), self.ctx.today()
        def done(_ref: object) -> None:
            set_text(self.status, _("Reply kept as evidence; the answer clock stopped."))
            self.data_changed.emit()

        Op(self, lambda: letters_svc.attach_reply(vault, rid, path, today)).success(done).failure(self._failed).run()

    def edit_profile(self, parent: QWidget | None = None) -> ProfileDialog | None:
        vault = self.vault
        if vault is None:
            return None
        self.profile_dialog = ProfileDialog(profile_svc.get_profile(vault), parent or self)
        self.profile_dialog.accepted.connect(self._save_profile)
        self.profile_dialog.open()
        return self.profile_dialog

    def _save_profile(self) -> None:
        vault, d = self.vault, self.profile_dialog
        if vault is None or d is None:
            return
        values = d.values()
        def saved(_profile: object) -> None:
            set_text(self.status, _("Your details are saved; new letters use them."))
            if self.draft_dialog is not None and self.draft_dialog.isVisible():
                self.draft_dialog.profile_row.setVisible(not values.get("name"))

        Op(self, lambda: profile_svc.set_profile(vault, **values)).success(saved).failure(self._failed).run()

    def _failed(self, err: UserError) -> None:
        set_text(self.status, error_text(err))

    def retranslate(self) -> None:
        super().retranslate()
        self.empty.retranslate()
        self.model.retranslate()
        set_text(self.banner, _(DISCLAIMER))
        self.views.setTabText(0, _("Letters"))
        self.views.setTabText(1, _("Cases"))
        self.cases.setHeaderLabels([_("Case / letter"), _("Status"), _("Opened / sent"), _("Answer due"),
                                    _("Deadline")])
        self.editor.retranslate()
        self.tabs.setTabText(0, _("Edit"))
        self.tabs.setTabText(1, _("Preview"))
        for name, text in (("new", N_("&New letter…")), ("save", N_("&Save")), ("export", N_("E&xport…")),
                           ("sent", N_("Mark s&ent…")), ("reply", N_("Attach &reply…")),
                           ("profile", N_("Your &details…"))):
            self.buttons[name].setText(_(text))
        self.table.setAccessibleName(_("Letters"))
        self._show_selected()


def _deadline_note(state: str, replies: int) -> str:
    kept = tr(N_("{n} replies"), n=replies) if replies else ""
    return " · ".join(x for x in (state, kept) if x)
