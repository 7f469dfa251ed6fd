"""The Dossiers page: pick a case or an account, the jurisdiction and the language, preview the pages, export one
signed PDF (in the background, with progress and cancel), and verify a dossier file someone gives you."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from mybnpl.core.errors import UserError
from mybnpl.i18n import N_, _, current_language, error_text, ngettext, tr
from mybnpl.services import dossier as dossier_svc
from mybnpl.ui.context import UiContext
from mybnpl.ui.pages.base import Page
from mybnpl.ui.widgets import EmptyState, muted, on_click, set_text
from mybnpl.ui.worker import Op, Progress

if TYPE_CHECKING:
    from mybnpl.dossier.verify import Report

JURISDICTIONS = ("CN", "UK", "EU", "US")
STEPS = {"read": N_("Reading and checking the evidence…"), "render": N_("Laying out the pages…"),
         "merge": N_("Merging PDF evidence pages…"), "attach": N_("Attaching the originals…"),
         "write": N_("Writing the file…"), "done": N_("Done.")}


class DossiersPage(Page):
    key = "dossiers"
    icon_name = "dossiers"
    nav_title = N_("Dossiers")
    title = N_("Dossiers")
    subtitle = N_("One PDF that proves your case, for a regulator, an ombudsman or a lawyer: timeline, findings, "
                  "letters and every piece of evidence, with the originals attached and signed so anyone can check "
                  "that nothing was changed.")

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._op: Op[object] | None = None
        self.last_export: dossier_svc.ExportResult | None = None
        self.last_report: Report | None = None
        self.target = QComboBox()
        self.jurisdiction = QComboBox()
        self.jurisdiction.addItem("", None)
        for code in JURISDICTIONS:
            self.jurisdiction.addItem(code, code)
        self.language = QComboBox()
        self.language.addItem("中文", "zh")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(0 if current_language().startswith("zh") else 1)
        self.requests = QPlainTextEdit()
        self.requests.setFixedHeight(60)
        self.form = QFormLayout()
        self.labels = [QLabel() for _w in range(4)]
        for label, field in zip(self.labels, (self.target, self.jurisdiction, self.language, self.requests),
                                strict=True):
            label.setBuddy(field)
            self.form.addRow(label, field)
        self.pages = QListWidget()
        self.pages.setViewMode(QListView.ViewMode.IconMode)
        self.pages.setIconSize(QSize(140, 198))
        self.pages.setResizeMode(QListView.ResizeMode.Adjust)
        self.pages.setMinimumSize(640, 260)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status = muted(QLabel())
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview_button, self.export_button = QPushButton(), QPushButton()
        self.verify_button, self.cancel_button = QPushButton(), QPushButton()
        self.cancel_button.setEnabled(False)
        on_click(self.preview_button, self.preview)
        on_click(self.export_button, self.export)
        on_click(self.verify_button, self.verify)
        on_click(self.cancel_button, self.cancel)
        buttons = QHBoxLayout()
        for b in (self.preview_button, self.export_button, self.verify_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        self.empty = EmptyState("dossiers", N_("Nothing to put in a dossier yet"), N_(
            "A dossier is built from an account or a complaint case. Import a statement or add an account first; "
            "to make a case, start a complaint from a finding."))
        self.pages_stack = QStackedWidget()
        self.pages_stack.addWidget(self.pages)
        self.pages_stack.addWidget(self.empty)
        layout = QVBoxLayout()
        layout.addLayout(self.form)
        layout.addWidget(self.pages_stack, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.body.addLayout(layout)
        self.retranslate()
        self._set_ready(False)

    def reload(self) -> None:
        self._load_targets()

    def clear(self) -> None:
        self.cancel()
        self.target.clear()
        self.pages.clear()
        self.pages_stack.setCurrentWidget(self.pages)
        set_text(self.status, "")
        self._set_ready(False)

    # -- choices ----------------------------------------------------------------------------------------------
    def _set_ready(self, ready: bool) -> None:
        self.preview_button.setEnabled(ready)
        self.export_button.setEnabled(ready)

    def _load_targets(self) -> None:
        vault, lang = self.vault, current_language()
        if vault is None:
            return
        keep = self.target.currentData()
        (Op(self, lambda: dossier_svc.targets(vault, self.ctx.catalog, lang))
         .success(lambda items: self._fill_targets(items, keep)).failure(self._failed).run())

    def _fill_targets(self, items: list[dossier_svc.Target], keep: object = None) -> None:
        self.target.clear()
        for t in items:
            text = tr(N_("Case {label}"), label=t.label) if t.kind == "case" else tr(N_("Account {label}"),
                                                                                     label=t.label)
            self.target.addItem(text, f"{t.kind}:{t.id}")
        if keep is not None and (index := self.target.findData(keep)) >= 0:
            self.target.setCurrentIndex(index)
        ready = bool(items)
        self._set_ready(ready and self._op is None)
        self.pages_stack.setCurrentWidget(self.pages if ready else self.empty)

    def select(self, kind: str, item_id: int) -> None:
        index = self.target.findData(f"{kind}:{item_id}")
        if index >= 0:
            self.target.setCurrentIndex(index)

    def _current(self) -> tuple[str, int]:
        kind, _sep, item_id = str(self.target.currentData()).partition(":")
        return kind, int(item_id)

    def _choice(self) -> dict[str, object]:
        kind, item_id = self._current()
        return {"case_id": item_id if kind == "case" else None, "account_id": item_id if kind == "account" else None,
                "lang": self.language.currentData(), "jurisdiction": self.jurisdiction.currentData(),
                "today": self.ctx.today(), "requests": self.requests.toPlainText()}

    # -- preview, export, verify ------------------------------------------------------------------------------
    def _busy(self, busy: bool, text: str = "") -> None:
        for b in (self.verify_button, self.target, self.language, self.jurisdiction):
            b.setEnabled(not busy)
        self._set_ready(not busy and self.target.count() > 0)
        self.cancel_button.setEnabled(busy)
        self.progress.setVisible(busy)
        self.progress.setRange(0, 0)
        if text:
            set_text(self.status, text)

    def _finished(self) -> None:
        self._op = None
        self._busy(False)

    def _progressed(self, done: int, total: int, step: str) -> None:
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        if step in STEPS:
            set_text(self.status, _(STEPS[step]))

    def _failed(self, err: UserError) -> None:
        set_text(self.status, error_text(err))

    def preview(self) -> None:
        if self._op is not None or self.target.currentData() is None or self.vault is None:
            return
        choice, vault, catalog = self._choice(), self.vault, self.ctx.catalog

        def work(p: Progress) -> dossier_svc.Preview:
            return dossier_svc.preview(vault, catalog, check=p.check, **choice)  # type: ignore[arg-type]

        op: Op[object] = Op.with_progress(self, work)
        self._op = op
        self._busy(True, _("Preparing the preview…"))
        (op.success(self._show_preview).failure(self._failed)
         .cancelled(lambda: set_text(self.status, _("Preview cancelled.")))
         .finally_(self._finished).run())

    def _show_preview(self, result: object) -> None:
        assert isinstance(result, dossier_svc.Preview)
        self.pages.clear()
        for n, (w, h, rgb) in enumerate(result.images, start=1):
            image = QImage(rgb, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
            item = QListWidgetItem(QIcon(QPixmap.fromImage(image)), f"{n} / {result.pages}")
            self.pages.addItem(item)
        shown = len(result.images)
        set_text(self.status, tr(N_("{pages} pages; the first {shown} are shown."), pages=result.pages, shown=shown)
                 if shown < result.pages else tr(N_("{pages} pages."), pages=result.pages))

    def ask_path(self) -> str:
        kind, item_id = self._current()
        default = Path.home() / f"dossier-{kind}-{item_id}-{date.today():%Y%m%d}.pdf"
        name, _filter = QFileDialog.getSaveFileName(self, _("Export dossier"), str(default), _("PDF files (*.pdf)"))
        return name

    def export(self, path: Path | None = None) -> None:
        if self._op is not None or self.target.currentData() is None or self.vault is None:
            return
        if path is None:
            name = self.ask_path()
            if not name:
                return
            path = Path(name) if name.lower().endswith(".pdf") else Path(name + ".pdf")
        choice, vault, catalog, target = self._choice(), self.vault, self.ctx.catalog, path

        def work(p: Progress) -> dossier_svc.ExportResult:
            return dossier_svc.export_dossier(vault, catalog, target, progress=p.report, check=p.check,
                                              **choice)  # type: ignore[arg-type]

        op: Op[object] = Op.with_progress(self, work)
        self._op = op
        self._busy(True, _("Exporting the dossier…"))
        (op.on_progress(self._progressed).success(self._exported).failure(self._failed)
         .cancelled(lambda: set_text(self.status, _("Export cancelled; no file was written.")))
         .finally_(self._finished).run())

    def _exported(self, result: object) -> None:
        assert isinstance(result, dossier_svc.ExportResult)
        self.last_export = result
        n, k = result.pages, result.evidence_count
        set_text(self.status, tr(N_("Dossier written to {path}: {pages}, {items}.\nSHA-256 {sha}\nSigning key "
                                    "fingerprint: {fpr}"), path=str(result.path),
                                 pages=ngettext("{n} page", "{n} pages", n).format(n=n),
                                 items=ngettext("{n} evidence item", "{n} evidence items", k).format(n=k),
                                 sha=result.sha256, fpr=result.fingerprint))

    def ask_verify_path(self) -> str:
        name, _filter = QFileDialog.getOpenFileName(self, _("Verify a dossier"), str(Path.home()),
                                                    _("PDF files (*.pdf);;All files (*)"))
        return name

    def verify(self, path: Path | None = None) -> None:
        if self._op is not None:
            return
        if path is None:
            name = self.ask_verify_path()
            if not name:
                return
            path = Path(name)
        target = path
        op: Op[object] = Op(self, lambda: dossier_svc.verify_file(target))
        self._op = op
        self._busy(True, _("Checking the dossier…"))
        (op.success(lambda r: self._verified(target, cast("Report", r))).failure(self._failed)
         .finally_(self._finished).run())

    def _verified(self, path: Path, report: Report) -> None:
        self.last_report = report
        if report.ok:
            set_text(self.status, "\n".join((
                tr(N_("verified: {name} — {count} originals intact, manifest signature valid.\n"
                      "Signing key fingerprint: {fpr}"), name=path.name, count=report.checked, fpr=report.fingerprint),
                tr(N_("File SHA-256: {sha}"), sha=report.file_sha256), _(dossier_svc.SIGNED_SCOPE))))
        else:
            lines = [tr(p.message, **p.params) for p in report.problems]
            set_text(self.status, "\n".join([tr(N_("NOT verified: {count} problem(s) in {name}."),
                                                count=len(report.problems), name=path.name), *lines]))

    def cancel(self) -> None:
        if self._op is not None:
            self._op.cancel()

    def retranslate(self) -> None:
        super().retranslate()
        texts = (_("&Case or account:"), _("&Jurisdiction:"), _("&Language of the dossier:"), _("&Requests:"))
        for label, text in zip(self.labels, texts, strict=True):
            label.setText(text)
        self.jurisdiction.setItemText(0, _("from the case"))
        self.requests.setPlaceholderText(_("What you ask for (optional), e.g. close the product and refund the fees"))
        self.preview_button.setText(_("&Preview"))
        self.export_button.setText(_("&Export…"))
        self.verify_button.setText(_("&Verify a dossier…"))
        self.cancel_button.setText(_("Cancel"))
        self.pages.setAccessibleName(_("Preview of the dossier's pages"))
        self.empty.retranslate()
