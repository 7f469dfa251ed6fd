"""Import: choose or drop files; each is parsed off the GUI thread, previewed, then committed (a queue, one
preview at a time). Passwords, column mapping and errors are handled on the page, without message boxes."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from mybnpl.core.errors import UserError
from mybnpl.core.imports import ImportCode, ImportFailed
from mybnpl.i18n import N_, _, error_text, ngettext, tr
from mybnpl.importers.errors import MESSAGES
from mybnpl.services.evidence import add_evidence_file
from mybnpl.services.imports import ImportOutcome, build_preview
from mybnpl.services.names import list_text
from mybnpl.ui import import_model as im
from mybnpl.ui.context import UiContext
from mybnpl.ui.mapping import ERROR_COLOR, MappingDialog
from mybnpl.ui.pages.base import Page
from mybnpl.ui.plan_dialog import PlanDialog
from mybnpl.ui.widgets import EmptyState, heading, muted, on_click, set_text
from mybnpl.ui.worker import Op

FILE_FILTER = N_("Statements and exports (*.csv *.xlsx *.xls *.ofx *.qfx *.pdf);;CSV (*.csv);;Excel (*.xlsx *.xls);;"
                 "OFX/QFX (*.ofx *.qfx);;PDF (*.pdf);;All files (*)")
KEEPABLE = (ImportCode.NO_TEXT_LAYER, ImportCode.UNSUPPORTED_FORMAT)
# Reading the same bytes again gives the same answer, except when the machine was too busy: only then (and for
# errors that are not about the file, such as a file that could not be opened) is "Try again" offered.
RETRYABLE = (ImportCode.TIMEOUT,)
MAX_RESULTS = 8


def hbox(*items: QWidget | int) -> QHBoxLayout:
    """A row of widgets; an int is a stretch."""
    row = QHBoxLayout()
    for item in items:
        row.addStretch(item) if isinstance(item, int) else row.addWidget(item)
    return row


class ImportPage(Page):
    key = "import"
    icon_name = "import"
    nav_title = N_("Import")
    title = N_("Import")
    subtitle = N_("Each file is read in a separate, locked-down process and shown to you before anything is stored.")
    data_changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setAcceptDrops(True)
        self.ask_files: Callable[[], list[str]] = self._ask_files
        self.queue: list[im.QueuedFile] = []
        self.current: im.QueuedFile | None = None
        self.error: UserError | None = None
        self.retry: Callable[[], object] | None = None
        self.results: list[Callable[[], str]] = []
        self.batch = (0, 0)  # (position of the current file, files in this batch)
        self.tally: Counter[str] = Counter()  # this batch's files by outcome, for the summary at its end
        self.busy_text: Callable[[], str] = lambda: ""
        self._gen = 0  # bumped to discard the answer of a running background step
        self.password_dialog: QInputDialog | None = None
        self.mapping_dialog: MappingDialog | None = None
        self.plan_dialog: PlanDialog | None = None

        self.choose_button, self.plan_button = QPushButton(), QPushButton()
        self.plan_button.setObjectName("planByHand")
        self.plan_button.setFlat(True)
        on_click(self.choose_button, lambda: self.add_files([Path(n) for n in self.ask_files()]))
        on_click(self.plan_button, self.open_plan_dialog)
        self.drop_hint = muted(QLabel())
        self.result_label = QLabel()
        self.result_label.setObjectName("importResult")
        self.result_label.setWordWrap(True)
        self.file_label = heading(scale=1.15)

        self.empty = EmptyState("import", N_("Bring in your bills and exports"), N_(
            "Import Alipay, WeChat Pay, JD, Meituan exports, PayPal and OFX files and PDF statements: choose files "
            "or drop them here. The original files are kept unchanged as evidence."))
        # busy: an indeterminate bar and Cancel
        self.busy = QWidget()
        self.busy_label = QLabel()
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.cancel_button = QPushButton()
        on_click(self.cancel_button, self.cancel)
        box = QVBoxLayout(self.busy)
        box.addStretch(1)
        box.addWidget(self.busy_label)
        box.addLayout(hbox(self.progress, self.cancel_button))
        box.addStretch(2)
        # error: the translated message inline, what can be done next
        self.error_panel = QFrame()
        self.error_panel.setObjectName("importError")
        self.error_panel.setFrameShape(QFrame.Shape.StyledPanel)
        self.error_title = heading(scale=1.1)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button, self.keep_button, self.skip_button = QPushButton(), QPushButton(), QPushButton()
        on_click(self.retry_button, lambda: self.retry() if self.retry else None)
        on_click(self.keep_button, self.keep_as_evidence)
        on_click(self.skip_button, self._skip)
        box = QVBoxLayout(self.error_panel)
        box.addWidget(self.error_title)
        box.addWidget(self.error_label)
        box.addLayout(hbox(self.retry_button, self.keep_button, 1, self.skip_button))
        self.error_page = QWidget()
        box = QVBoxLayout(self.error_page)
        box.addWidget(self.error_panel)
        box.addStretch(1)
        # preview
        self.panel = im.PreviewPanel(ctx.catalog)
        self.panel.provider.activated.connect(self._provider_chosen)
        on_click(self.panel.mapping_button, self._change_mapping)
        on_click(self.panel.discard_button, self._skip)
        on_click(self.panel.commit_button, self.commit)

        self.stack = QStackedWidget()
        for widget in (self.empty, self.busy, self.error_page, self.panel):
            self.stack.addWidget(widget)
        self.body.addLayout(hbox(self.choose_button, self.drop_hint, 1, self.plan_button))
        self.body.addWidget(self.result_label)
        self.body.addWidget(self.file_label)
        self.body.addWidget(self.stack, 1)
        order: list[QWidget] = [self.choose_button, self.plan_button, self.cancel_button, self.retry_button,
                                self.keep_button, self.skip_button, self.panel.provider, self.panel.table,
                                self.panel.mapping_button, self.panel.discard_button, self.panel.commit_button]
        for a, b in itertools.pairwise(order):
            self.setTabOrder(a, b)
        self.retranslate()
        self.clear()

    # -- vault ----------------------------------------------------------------------------------------------
    def reload(self) -> None:
        self._render()

    def clear(self) -> None:
        """Locked: forget the queue, the preview, passwords and results; drop any running step's answer."""
        for dialog in (self.password_dialog, self.mapping_dialog, self.plan_dialog):  # first: they report back
            if dialog is not None:
                dialog.done(QDialog.DialogCode.Rejected)
        self.password_dialog = self.mapping_dialog = self.plan_dialog = None
        self._gen += 1
        self.queue, self.current, self.error, self.retry = [], None, None, None
        self.results, self.batch, self.tally = [], (0, 0), Counter()
        self.panel.show_loaded(None, False)
        self.stack.setCurrentWidget(self.empty)
        self._render()

    # -- the queue ------------------------------------------------------------------------------------------
    def _ask_files(self) -> list[str]:
        names, _filter = QFileDialog.getOpenFileNames(self, _("Choose files to import"), "", _(FILE_FILTER))
        return names

    def add_files(self, paths: list[Path]) -> None:
        if self.vault is None or not paths:
            return
        self.queue.extend(im.QueuedFile(p) for p in paths)
        self.batch = (self.batch[0], self.batch[1] + len(paths))
        if self.current is None:
            self._next()

    def _skip(self) -> None:
        """Leave the current file out: an error page's Skip, or the preview's Discard."""
        loaded = self.panel.loaded
        nothing_new = loaded is not None and self.error is None and not loaded.preview.new_rows
        self.tally["duplicate" if nothing_new else "left_out"] += 1
        self._next()

    def _next(self) -> None:
        self._gen += 1
        self.error, self.retry = None, None
        self.panel.show_loaded(None, False)
        if not self.queue:
            if self.batch[1] > 1:
                self._result(self._summary(self.batch[1], Counter(self.tally)))
            self.current, self.batch, self.tally = None, (0, 0), Counter()
            self.stack.setCurrentWidget(self.empty)
        else:
            self.current = self.queue.pop(0)
            self.batch = (self.batch[0] + 1, self.batch[1])
            self._load()
        self._render()

    @staticmethod
    def _summary(files: int, tally: Counter[str]) -> Callable[[], str]:
        def text() -> str:
            # the same words for one and many in English, so no plural forms are needed
            parts = [tr(msg, n=tally[key]) for key, msg in (
                ("imported", N_("{n} imported")), ("duplicate", N_("{n} already in the vault")),
                ("kept", N_("{n} kept as evidence")), ("left_out", N_("{n} not imported"))) if tally[key]]
            return tr(N_("Done: {files} — {outcomes}."), files=ngettext("{n} file", "{n} files", files).format(
                n=files), outcomes=list_text(parts))
        return text

    def _run(self, fn: Callable[[], Any], done: Callable[[Any], None], busy: Callable[[], str],
             writes: bool = False) -> None:
        """Run ``fn`` in the worker with the busy panel; answers of a cancelled or replaced run are dropped.
        A step that ``writes`` cannot be cancelled: it would finish anyway, while the page said it did not."""
        self._gen += 1
        gen = self._gen

        def fresh(cb: Callable[[Any], None]) -> Callable[[Any], None]:
            return lambda value: cb(value) if gen == self._gen else None

        self.busy_text = busy
        self.cancel_button.setVisible(not writes)
        self.stack.setCurrentWidget(self.busy)
        Op(self, fn).success(fresh(done)).failure(fresh(self._failed)).run()
        self._render()

    def _load(self) -> None:
        item, vault = self.current, self.vault
        if item is None or vault is None:
            return
        catalog, name = self.ctx.catalog, item.path.name
        self._run(lambda: im.load_file(vault, catalog, item), self._loaded,
                  lambda: tr(N_("Reading {name}…"), name=name))

    def cancel(self) -> None:
        if self.current is not None:  # the reader process stops on its own limits; its answer is dropped
            name = self.current.path.name
            self._result(lambda: tr(N_("{name}: cancelled; nothing was imported."), name=name))
            self.tally["left_out"] += 1
        self._next()

    def _result(self, text: Callable[[], str]) -> None:
        self.results = [*self.results, text][-MAX_RESULTS:]

    # -- answers --------------------------------------------------------------------------------------------
    def _loaded(self, answer: im.Loaded | im.NeedsMapping) -> None:
        if isinstance(answer, im.NeedsMapping):
            self.open_mapping(answer)
            return
        item = self.current
        if answer.saved is not None and item is not None:
            item.mapping, item.table = answer.saved.initial, (answer.saved.header, answer.saved.rows)
            item.mapping_key = answer.saved.key
        self.panel.show_loaded(answer, item is not None and item.table is not None)
        self.stack.setCurrentWidget(self.panel)
        self._render()

    def _failed(self, err: UserError) -> None:
        code = err.code if isinstance(err, ImportFailed) else ""
        if code in (ImportCode.PASSWORD_REQUIRED, ImportCode.WRONG_PASSWORD):
            self.ask_password(err)
        else:
            self.show_error(err, self._load if code in RETRYABLE or not isinstance(err, ImportFailed) else None)

    def show_error(self, err: UserError, retry: Callable[[], object] | None) -> None:
        self.error, self.retry = err, retry
        self.stack.setCurrentWidget(self.error_page)
        self._render()

    def ask_password(self, err: UserError) -> QInputDialog:
        dialog = QInputDialog(self)
        dialog.setObjectName("passwordDialog")
        dialog.setInputMode(QInputDialog.InputMode.TextInput)
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
        dialog.setWindowTitle(_("Password"))
        dialog.setLabelText(error_text(err))
        dialog.setOkButtonText(_("&Open"))
        for edit in dialog.findChildren(QLineEdit):
            edit.setAccessibleName(_("Password of the file"))
        dialog.textValueSelected.connect(self._password_given)  # emitted after finished: clear the field here
        dialog.rejected.connect(lambda: self.show_error(err, lambda: self.ask_password(err)))
        self.password_dialog = dialog
        dialog.open()
        return dialog

    def _password_given(self, password: str) -> None:
        if self.password_dialog is not None:
            self.password_dialog.setTextValue("")  # the password is not kept in the widget
        if self.current is not None:
            self.current.password = password
            self._load()

    def open_mapping(self, need: im.NeedsMapping) -> MappingDialog | None:
        item = self.current
        if item is None:
            return None
        item.table, item.mapping_key = (need.header, need.rows), need.key
        dialog = MappingDialog(item.path.name, need.header, need.rows, need.initial,
                               error_text(need.error) if need.error else "", self)
        dialog.accepted.connect(lambda: self._mapped(dialog))
        needed = ImportFailed(ImportCode.NEEDS_MAPPING, MESSAGES[ImportCode.NEEDS_MAPPING], name=item.path.name,
                              columns=", ".join(need.header))
        dialog.rejected.connect(lambda: self.show_error(needed, lambda: self.open_mapping(need)))
        self.mapping_dialog = dialog
        dialog.open()
        return dialog

    def _mapped(self, dialog: MappingDialog) -> None:
        if self.current is not None:
            self.current.mapping, self.current.remember = dialog.mapping(), dialog.remember()
            self._load()

    def _change_mapping(self) -> None:
        item = self.current
        if item is not None and item.table is not None:
            self.open_mapping(im.NeedsMapping(*item.table, item.mapping_key, item.mapping))

    def _provider_chosen(self) -> None:
        item, loaded, vault = self.current, self.panel.loaded, self.vault
        if item is None or loaded is None or vault is None:
            return
        item.provider = self.panel.provider.currentData()
        p, catalog = loaded.preview, self.ctx.catalog
        self._run(lambda: im.Loaded(build_preview(vault, catalog, p.name, p.data, p.parsed, item.provider),
                                    loaded.saved), self._loaded, lambda: _("Checking for duplicates…"))

    # -- committing and the other ways out ------------------------------------------------------------------
    def commit(self) -> None:
        item, loaded, vault = self.current, self.panel.loaded, self.vault
        if item is None or loaded is None or vault is None:
            return
        catalog, name = self.ctx.catalog, item.path.name
        self._run(lambda: im.store(vault, catalog, loaded.preview, item), self._committed,
                  lambda: tr(N_("Importing {name}…"), name=name), writes=True)

    def _committed(self, out: ImportOutcome) -> None:
        name, n, d = self.current.path.name if self.current else out.path, out.transactions, out.duplicates
        self.tally["imported" if n else "duplicate"] += 1
        self._stored(lambda: tr(N_("{name}: {imported}, {skipped}."), name=name,
                                imported=ngettext("{n} row imported", "{n} rows imported", n).format(n=n),
                                skipped=ngettext("{n} duplicate skipped", "{n} duplicates skipped", d).format(n=d)))

    def _stored(self, result: Callable[[], str]) -> None:
        self._result(result)
        self.data_changed.emit()
        self._next()

    def keep_as_evidence(self) -> None:
        item, vault = self.current, self.vault
        if item is None or vault is None:
            return
        note, name = _("Kept from the import page (could not be read as a statement)"), item.path.name
        def kept(_evidence: object) -> None:
            self.tally["kept"] += 1
            self._stored(lambda: tr(N_("{name}: kept as evidence."), name=name))

        self._run(lambda: add_evidence_file(vault, item.path, note=note), kept,
                  lambda: tr(N_("Keeping {name} as evidence…"), name=name), writes=True)

    def open_plan_dialog(self) -> PlanDialog | None:
        if self.vault is None:
            return None
        self.plan_dialog = PlanDialog(self.vault, self.ctx.catalog, self.ctx.today(), self)
        self.plan_dialog.accepted.connect(self._plan_saved)
        self.plan_dialog.open()
        return self.plan_dialog

    def _plan_saved(self) -> None:
        plan = self.plan_dialog.plan if self.plan_dialog is not None else None
        if plan is not None:
            merchant, n = plan.merchant, plan.n_installments
            self._result(lambda: ngettext("Plan saved: {merchant}, {n} installment.", "Plan saved: {merchant}, "
                                          "{n} installments.", n).format(merchant=merchant, n=n))
        self.data_changed.emit()
        self._render()

    # -- drag and drop --------------------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if self.vault is not None and urls and all(u.isLocalFile() for u in urls):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        event.acceptProposedAction()
        self.add_files([p for p in paths if p.is_file()])

    # -- texts ----------------------------------------------------------------------------------------------
    def _render(self) -> None:
        """Every text that depends on the state and the language."""
        for button in (self.choose_button, self.plan_button):
            button.setEnabled(self.vault is not None)
        set_text(self.result_label, "\n".join(r() for r in self.results))
        self.result_label.setVisible(bool(self.results))
        item = self.current
        pos, total = self.batch
        set_text(self.file_label, tr(N_("File {n} of {m}: {name}"), n=pos, m=total, name=item.path.name)
                 if item is not None else "")
        self.file_label.setVisible(item is not None)
        set_text(self.busy_label, self.busy_text())
        self.progress.setAccessibleName(self.busy_text())
        if self.error is not None:
            set_text(self.error_title, _("This file was not imported"))
            set_text(self.error_label, error_text(self.error))
            self.retry_button.setVisible(self.retry is not None)
            self.keep_button.setVisible(isinstance(self.error, ImportFailed) and self.error.code in KEEPABLE)
        self.panel.refresh()

    def retranslate(self) -> None:
        super().retranslate()
        self.empty.retranslate()
        self.panel.retranslate()
        for widget, text, name in (
                (self.choose_button, N_("&Choose files…"), N_("Choose files to import")),
                (self.plan_button, N_("No export? &Enter a plan by hand"), N_("Enter a plan by hand")),
                (self.cancel_button, N_("Cancel"), N_("Cancel reading the file")),
                (self.retry_button, N_("&Try again"), N_("Try again")),
                (self.keep_button, N_("&Keep the file as evidence"), N_("Keep the file as evidence")),
                (self.skip_button, N_("&Skip this file"), N_("Skip this file"))):
            widget.setText(_(text))
            widget.setAccessibleName(_(name))
        set_text(self.drop_hint, _("or drop files on this page"))
        self.error_panel.setStyleSheet(f"QFrame#importError {{ border: 1px solid {ERROR_COLOR}; border-radius: 6px; }}")
        self._render()
