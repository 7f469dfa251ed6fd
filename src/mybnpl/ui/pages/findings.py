"""Findings: what mybnpl detected (unconsented enrollment, fees and cost, risks), each explained, with the rows
and evidence it rests on; confirm or dismiss. A second tab holds the consent ledger the checks compare with."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from mybnpl.core.errors import UserError
from mybnpl.core.models import ConsentRecord, Severity
from mybnpl.i18n import N_, _, error_text, ngettext, tr
from mybnpl.services import cases as cases_svc
from mybnpl.services import consents as consents_svc
from mybnpl.services import findings as findings_svc
from mybnpl.services.finding_text import (
    CONFIDENCE_TEXT,
    SEVERITY_COLOR,
    SEVERITY_TEXT,
    STATUS_TEXT,
    kind_title,
    pick_language,
)
from mybnpl.services.names import provider_name
from mybnpl.services.transactions import transactions_by_id
from mybnpl.ui.consent_panel import ConsentPanel
from mybnpl.ui.context import UiContext
from mybnpl.ui.list_model import Index, ListModel
from mybnpl.ui.pages.base import Page
from mybnpl.ui.widgets import EmptyState, muted, on_click, row_table, set_text
from mybnpl.ui.worker import Op

FindingRow = findings_svc.FindingRow
def explanation(f: FindingRow) -> str:
    return pick_language(f.explanation_en, f.explanation_zh)


class FindingsModel(ListModel[FindingRow]):
    COLUMNS = (N_("Severity"), N_("Since"), N_("Product"), N_("Finding"), N_("Status"))

    def __init__(self, ctx: UiContext, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx = ctx

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        f, col = self.items[index.row()], index.column()
        severity = Severity(f.severity)
        if role == Qt.ItemDataRole.ForegroundRole and col == 0:
            return QBrush(QColor(SEVERITY_COLOR[severity]))
        if role == Qt.ItemDataRole.ToolTipRole and col == 3:
            return explanation(f)
        if role == Qt.ItemDataRole.ToolTipRole and col == 2:  # a long product name is cut in its column
            return provider_name(self.ctx.catalog, f.provider_id) if f.provider_id else None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        product = provider_name(self.ctx.catalog, f.provider_id) if f.provider_id else _("several")
        return (_(SEVERITY_TEXT[severity]), f.first_seen.isoformat(), product,
                kind_title(f.kind), _(STATUS_TEXT.get(f.status, f.status)))[col]



class FindingsPage(Page):
    key = "findings"
    icon_name = "findings"
    nav_title = N_("Findings")
    title = N_("Findings")
    subtitle = N_("What mybnpl noticed in your statements and plans, and why. Each finding names the rows and the "
                  "evidence it rests on. Heuristics say how sure they are; you decide what is true.")
    data_changed = Signal()
    letter_requested = Signal(int)  # finding id: draft the complaint letter

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.ask_reason: Callable[[], str | None] = self._ask_reason
        self._status: Callable[[], str] | None = None
        self.model = FindingsModel(ctx, self)
        self.table = row_table("findingsList", self.model, (70, 86, 150, 240, 80), wrap=False)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.detail = QTextBrowser()
        self.detail.setObjectName("findingDetail")
        self.detail.setOpenLinks(False)
        self.confirm_button, self.dismiss_button = QPushButton(), QPushButton()
        self.reopen_button, self.complaint_button = QPushButton(), QPushButton()
        actions = QHBoxLayout()
        for button, name, slot in ((self.confirm_button, "confirmFinding", self.confirm),
                                   (self.dismiss_button, "dismissFinding", self.dismiss),
                                   (self.reopen_button, "reopenFinding", self.reopen),
                                   (self.complaint_button, "startComplaint", self.start_complaint)):
            button.setObjectName(name)
            on_click(button, slot)
            actions.addWidget(button)
        actions.addStretch(1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(8, 0, 0, 0)
        right_layout.addWidget(self.detail, 1)
        right_layout.addLayout(actions)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(right)
        self.splitter.setSizes([700, 380])
        self.empty = EmptyState("findings", N_("No findings"),
                                N_("Nothing looks wrong so far. mybnpl checks again after every import and every "
                                   "change to your consent records."))
        self.stack = QStackedWidget()
        self.stack.addWidget(self.splitter)
        self.stack.addWidget(self.empty)
        self.show_all = QCheckBox()
        self.show_all.setObjectName("showDismissed")
        self.show_all.toggled.connect(lambda _on: self.reload())
        self.count_label = muted(QLabel())
        self.status = muted(QLabel())
        self.status.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(self.show_all)
        bar.addStretch(1)
        bar.addWidget(self.count_label)
        findings_tab = QWidget()
        tab_layout = QVBoxLayout(findings_tab)
        tab_layout.setContentsMargins(0, 8, 0, 0)
        tab_layout.addLayout(bar)
        tab_layout.addWidget(self.status)
        tab_layout.addWidget(self.stack, 1)
        self.consents = ConsentPanel(ctx)
        self.consents.changed.connect(self.data_changed.emit)
        self.tabs = QTabWidget()
        self.tabs.addTab(findings_tab, "")
        self.tabs.addTab(self.consents, "")
        self.body.addWidget(self.tabs, 1)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update(detail=True))
        self.retranslate()
        self.clear()

    # -- vault ----------------------------------------------------------------------------------------------
    def reload(self) -> None:
        vault = self.vault
        if vault is None or vault.closed:
            self.clear()
            return
        include_all = self.show_all.isChecked()

        def work() -> tuple[list[FindingRow], list[ConsentRecord]]:
            return findings_svc.list_findings(vault, include_all=include_all), consents_svc.list_consents(vault)

        Op(self, work).success(self._loaded).failure(self._failed).run()

    def _loaded(self, result: tuple[list[FindingRow], list[ConsentRecord]]) -> None:
        if self.vault is None:
            return
        chosen = self.selected()
        findings, consents = result
        self.model.set_items(findings)
        self.consents.set_items(self.vault, consents)
        row = next((i for i, f in enumerate(findings) if chosen is not None and f.id == chosen.id), 0 if findings
                   else -1)
        if row >= 0:
            self.table.selectRow(row)
        self._update(detail=True)

    def clear(self) -> None:
        self.model.set_items([])
        self.consents.set_items(None, [])
        self._status = None
        self.detail.clear()
        self._update()

    def selected(self) -> FindingRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.items[rows[0].row()] if rows else None

    def select(self, finding_id: int) -> None:
        row = next((i for i, f in enumerate(self.model.items) if f.id == finding_id), -1)
        if row >= 0:
            self.table.selectRow(row)

    def _update(self, detail: bool = False) -> None:
        """Buttons, counts and status; ``detail`` also re-renders the selected finding (one small query)."""
        n = self.model.rowCount()
        self.stack.setCurrentWidget(self.splitter if n else self.empty)
        set_text(self.count_label, ngettext("{n} finding", "{n} findings", n).format(n=n) if n else "")
        set_text(self.status, self._status() if self._status is not None else "")
        f = self.selected() if self.vault is not None else None
        self.confirm_button.setEnabled(f is not None and f.status != "confirmed")
        self.dismiss_button.setEnabled(f is not None and f.status != "dismissed")
        self.reopen_button.setEnabled(f is not None and f.status != "open")
        self.complaint_button.setEnabled(f is not None and f.status != "dismissed")
        if detail or f is None:
            self._render_detail(f)

    def _render_detail(self, f: FindingRow | None) -> None:
        if f is None:
            self.detail.clear()
            return
        vault = self.vault
        rows = transactions_by_id(vault, f.transaction_ids[:20]) if vault is not None else []
        esc = _html
        since = tr(N_("since {date}"), date=f.first_seen.isoformat())
        sure = tr(N_("confidence: {level}"), level=_(CONFIDENCE_TEXT.get(f.confidence, f.confidence)))
        parts = [f"<h3>{esc(kind_title(f.kind))}</h3>",
                 f"<p><b>{esc(_(SEVERITY_TEXT[Severity(f.severity)]))}</b> · "
                 f"{esc(provider_name(self.ctx.catalog, f.provider_id))} · {esc(since)} · {esc(sure)}</p>",
                 f"<p>{esc(explanation(f))}</p>"]
        note = pick_language(f.note_en, f.note_zh)
        if note:
            parts.append(f"<p><i>{esc(note)}</i></p>")
        if f.stale:
            kept = _("The checks no longer produce this finding; it is kept because you confirmed or dismissed it.")
            parts.append(f"<p><i>{esc(kept)}</i></p>")
        if f.dismiss_reason and f.status == "dismissed":
            why = tr(N_("Dismissed: {reason}"), reason=f.dismiss_reason)
            parts.append(f"<p><i>{esc(why)}</i></p>")
        if rows:
            parts.append(self._rows_html(_("The rows it rests on"), rows, len(f.transaction_ids)))
        others = [i for i in f.data.get("other_uses") or [] if isinstance(i, int)]
        if others and vault is not None:
            total = int(f.data.get("uncovered_uses") or f.data.get("uses_after_closure") or 0)
            parts.append(self._rows_html(_("Other uses without a consent record"),
                                         transactions_by_id(vault, others[:20]), max(total - len(rows), len(others))))
        if f.evidence_ids:
            ids = ", ".join(str(i) for i in f.evidence_ids)
            listed = tr(N_("Evidence items (see the Evidence page): {ids}"), ids=ids)
            parts.append(f"<p>{esc(listed)}</p>")
        self.detail.setHtml("".join(parts))

    @staticmethod
    def _rows_html(title: str, rows: list[Any], total: int) -> str:
        esc = _html
        out = [f"<h4>{esc(title)}</h4><table cellpadding='2'>"]
        for r in rows:
            out.append(f"<tr><td>{r.posted_on.isoformat()}</td><td align='right'>{esc(r.amount.format())}</td>"
                       f"<td>{esc(r.merchant)}</td><td>{esc(r.payment_method)}</td></tr>")
        out.append("</table>")
        if total > len(rows):
            out.append(f"<p>{esc(tr(N_('and {n} more rows'), n=total - len(rows)))}</p>")
        return "".join(out)

    # -- actions --------------------------------------------------------------------------------------------
    def _ask_reason(self) -> str | None:
        text, ok = QInputDialog.getText(self, _("Dismiss finding"), _("Why is this not a problem? (kept with the "
                                                                       "finding)"))
        return text if ok else None

    def _set_status(self, status: str, reason: str = "") -> None:
        f, vault = self.selected(), self.vault
        if f is None or vault is None:
            return
        fid = f.id
        Op(self, lambda: findings_svc.set_status(vault, fid, status, reason=reason)).success(
            lambda _r: self._changed()).failure(self._failed).run()

    def confirm(self) -> None:
        self._set_status("confirmed")

    def reopen(self) -> None:
        self._set_status("open")

    def dismiss(self) -> None:
        if self.selected() is None:
            return
        reason = self.ask_reason()
        if reason is not None:
            self._set_status("dismissed", reason.strip())

    def start_complaint(self) -> None:
        f, vault = self.selected(), self.vault
        if f is None or vault is None:
            return
        fid, title, today, confirm = f.id, kind_title(f.kind), self.ctx.today(), f.status == "open"

        def work() -> int:
            if confirm:  # starting a complaint is saying "this is a problem": the finding is confirmed first
                findings_svc.set_status(vault, fid, "confirmed")
            return cases_svc.open_case_from_finding(vault, fid, title, today)

        def done(case_id: int) -> None:
            if confirm:
                self._say(lambda: tr(N_("Finding confirmed and case {id} opened. Choose the letter to draft."),
                                     id=case_id))
            else:
                self._say(lambda: tr(N_("Case {id} opened from this finding. Choose the letter to draft."),
                                     id=case_id))
            self.data_changed.emit()
            self.letter_requested.emit(fid)

        Op(self, work).success(done).failure(self._failed).run()

    def _changed(self) -> None:
        self.data_changed.emit()

    def _say(self, text: Callable[[], str]) -> None:
        self._status = text
        self._update()

    def _failed(self, err: UserError) -> None:
        self._say(lambda: error_text(err))

    def retranslate(self) -> None:
        super().retranslate()
        self.empty.retranslate()
        self.model.retranslate()
        self.consents.retranslate()
        self.detail.setAccessibleName(_("What was found and why"))
        self.tabs.setTabText(0, _("Findings"))
        self.tabs.setTabText(1, _("What I agreed to"))
        self.show_all.setText(_("Show &dismissed findings"))
        for button, text in ((self.confirm_button, N_("C&onfirm")), (self.dismiss_button, N_("&Dismiss…")),
                             (self.reopen_button, N_("Re&open")), (self.complaint_button, N_("Start a &complaint"))):
            button.setText(_(text))
        self.complaint_button.setToolTip(_("Confirms the finding and opens a case for it; letters are drafted from "
                                           "the case."))
        self.table.setAccessibleName(_("Findings"))
        self._update(detail=True)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
