"""A recorded "new user pass" through the real GUI (issue #8): first-run wizard, import every sample file, record a
consent, see the finding, get a reminder, draft and export a letter, export and verify a dossier, lock and unlock,
back up and restore — with a numbered screenshot of every window or dialog the user sees.

    QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1280x800x24" \\
        .venv/bin/python tools/walkthrough.py docs/walkthrough/en --lang en

Everything runs on a fresh passphrase vault in a temporary directory (no keyring: the wizard shows the recovery
key), with a fixed "today" (2026-11-30) and clock (09:30). The widgets are driven the way a user drives them
(buttons clicked, fields typed, dialogs accepted); only the native file dialogs are replaced by the pages' small
``ask_*`` hooks. ``OUT_DIR/results.json`` records the steps, each file's import outcome and every message shown.

``tests/ui/test_walkthrough.py`` runs the same :class:`Walkthrough` offscreen without screenshots and asserts the
outcomes.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QMessageBox, QWidget, QWizard

from mybnpl.config import Config
from mybnpl.core.imports import ImportFailed
from mybnpl.core.models import ConsentKind
from mybnpl.reminders.clock import at_day
from mybnpl.services.catalog import load_catalog
from mybnpl.ui.app import build_main_window, make_application
from mybnpl.ui.context import UiContext
from mybnpl.ui.language import apply_language
from mybnpl.ui.main_window import MainWindow
from mybnpl.ui.mapping import MappingDialog
from mybnpl.ui.pages.accounts import AccountsPage
from mybnpl.ui.pages.dossier import DossiersPage
from mybnpl.ui.pages.findings import FindingsPage
from mybnpl.ui.pages.imports import ImportPage
from mybnpl.ui.pages.letters import LettersPage
from mybnpl.ui.wizard import PAGE_PROTECTION, PAGE_RECOVERY, FirstRunWizard
from mybnpl.ui.worker import wait_for_ops
from mybnpl.vault.keys import KdfParams
from mybnpl.vault.keystore import MemoryKeyStore
from mybnpl.vault.manager import VaultManager

TODAY = date(2026, 11, 30)
PASSPHRASE = "walkthrough passphrase 2026"
PDF_PASSWORD = "test"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "realdata"
WINDOW_SIZE = (1180, 760)
CONSENT_PROVIDER = "meituan_yuefu"
COUNT_TABLES = ("accounts", "transactions", "statements", "plans", "installments", "evidence", "consents", "letters",
                "cases", "findings")

# What a careful user picks in the column-mapping step for the files mybnpl does not know (by file name). Keys are
# the mapping dialog's fields; "currency" is a code or a column name; "negative_is_out" the checkbox.
MAPPINGS: dict[str, dict[str, Any]] = {
    # Rabobank (NL) CSV: signed amounts "-337,49", the currency in the column "Munt".
    "CSV_A_20180414_112204.csv": {"currency": "Munt"},
    # A UK credit-card CSV: purchases are positive, "£" amounts; the first rows are "Pending" (no date).
    "MS_JANE_SMITH_01-12-2019_14-12-2019.csv": {"negative_is_out": False, "merchant": "Description"},
    # KBC (BE) card: separate "debet" / "credit" columns, currency column "munt", merchant "Handelaar".
    "export_KBC-Mastercard Business Essential_20200204_1604.csv": {
        "amount": None, "debit": "debet", "credit": "credit", "merchant": "Handelaar", "description": "toelichting",
        "currency": "munt"},
    # Swedbank (LT) XLS: unsigned amounts with a D/K (debit/credit) column, currency column.
    "test_swedebank_statement.xls": {"direction": "D/K", "merchant": "Beneficiary", "currency": "Currency",
                                     "external_id": "Record ID"},
    # China Construction Bank 建设银行 XLS: 支出 / 收入 columns, counterparty name in 对方户名.
    "交易明细_xxxx_2025xxxx_2025xxxx.xls": {"amount": None, "debit": "支出", "credit": "收入",
                                        "merchant": "对方户名", "description": "摘要", "currency": "CNY"},
    # CITIC 中信 credit card XLS: spending is positive, the merchant is in 交易描述.
    "example-citic-records.xls": {"merchant": "交易描述", "negative_is_out": False},
    # An Indian ledger PDF (pdfplumber issue 912): Dr/Cr columns.
    "issue-912.pdf": {"debit": "Dr.Amt", "credit": "Cr.Amt", "description": "Particulars"},
    # US Senate expenditure report PDF: positive dollar amounts are money spent.
    "senate-expenditures.pdf": {"negative_is_out": False, "currency": "USD"},
}


@dataclass
class FileOutcome:
    file: str
    outcome: str = ""  # imported | duplicate | error | kept_as_evidence | skipped
    code: str = ""  # the import error code, when there was one
    format: str = ""
    provider: str = ""
    rows: int = 0
    new_rows: int = 0
    bnpl_rows: int = 0
    imported: int = 0
    message: str = ""  # what the page said at the end
    steps: list[str] = field(default_factory=list)  # what the user saw on the way (preview, password, mapping…)
    screenshots: list[str] = field(default_factory=list)


class Walkthrough:
    """Drives the real app through the whole journey. ``out=None``: no screenshots (the test)."""

    def __init__(self, work: Path, files: list[Path], lang: str = "en", out: Path | None = None,
                 timeout: float = 60.0, file_root: Path | None = None) -> None:
        app = QApplication.instance()
        assert isinstance(app, QApplication), "create the QApplication first"
        self.app = app
        self.work, self.files, self.lang, self.out, self.timeout = work, files, lang, out, timeout
        self.file_root = file_root
        self.n = 0
        self.results: dict[str, Any] = {"lang": lang, "today": TODAY.isoformat(), "steps": [], "imports": [],
                                        "messages": [], "notifications": [], "popups": []}
        self.window: MainWindow | None = None
        self.recovery_key = ""
        self.started = time.monotonic()

    # -- plumbing -----------------------------------------------------------------------------------------------
    def settle(self, rounds: int = 5) -> None:
        for _ in range(rounds):
            wait_for_ops(10_000)
            self.app.processEvents()

    def wait_until(self, cond: Callable[[], bool], what: str, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            self.app.processEvents()
            if cond():
                self.settle(2)
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"walkthrough: timed out waiting for {what}")
            time.sleep(0.005)

    def shot(self, name: str, widget: QWidget, note: str = "", settle: bool = True) -> str:
        """Numbered screenshot ``NN-name.png`` of what the user sees (recorded as a step even without OUT_DIR).
        ``settle=False`` grabs at once: a busy state, or from inside a progress callback."""
        if settle:
            self.settle(2)
        self.n += 1
        filename = f"{self.n:02d}-{name}.png"
        if self.out is not None:
            widget.grab().save(str(self.out / filename))
        self.results["steps"].append({"n": self.n, "name": name, "screenshot": filename if self.out else None,
                                      "note": note, "t": round(time.monotonic() - self.started, 2)})
        return filename

    def say(self, step: str, text: str) -> None:
        """A message the app showed the user (status lines, result texts)."""
        if text:
            self.results["messages"].append({"step": step, "text": text})

    def popups(self, step: str) -> list[str]:
        """Message boxes that appeared unasked (error or bug boxes): grab, record, close."""
        found = []
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QMessageBox) and w.isVisible():
                name = self.shot(f"popup-{step}", w)
                text = w.text() + (f"\n{w.detailedText()}" if w.detailedText() else "")
                self.results["popups"].append({"step": step, "text": text, "screenshot": name})
                found.append(text)
                w.done(QMessageBox.StandardButton.Ok)
        return found

    def on_modal(self, handler: Callable[[QWidget], None], what: str) -> None:
        """Before an action that runs a blocking ``exec()`` dialog: handle that dialog once it is up."""
        deadline = time.monotonic() + self.timeout

        def poll() -> None:
            modal = QApplication.activeModalWidget()
            if modal is None:
                modal = next((w for w in QApplication.topLevelWidgets()
                              if isinstance(w, QMessageBox | QDialog) and w.isVisible() and w.isModal()), None)
            if modal is not None:
                handler(modal)
            elif time.monotonic() < deadline:
                QTimer.singleShot(20, poll)
            else:
                raise TimeoutError(f"walkthrough: no dialog for {what}")

        QTimer.singleShot(20, poll)

    def click_or_call(self, button: QWidget, method: Callable[[], object], idle: Callable[[], bool],
                      step: str) -> None:
        """Click ``button`` as a user does; if that ends in mybnpl's bug box (a slot that takes the ``checked``
        argument of ``clicked(bool)`` for its own optional parameter), record the bug, close the box and call the
        page's method without arguments instead — what the button was meant to do."""
        assert isinstance(button, QAbstractButton)
        button.click()
        self.wait_until(idle, f"the answer to {step}")
        self.settle()
        boxes = self.popups(step)
        if boxes:
            self.results.setdefault("bugs", []).append({"step": step, "button": button.text(), "boxes": boxes})
            method()

    @property
    def win(self) -> MainWindow:
        assert self.window is not None
        return self.window

    def page(self, key: str) -> Any:
        return self.win.pages[key]

    def show(self, key: str) -> None:
        self.win.show_page(key)
        self.settle()

    def counts(self) -> dict[str, int]:
        vault = self.win.vault
        assert vault is not None
        return {t: int(vault.query(f"SELECT count(*) FROM {t}")[0][0]) for t in COUNT_TABLES}

    def render_pdf(self, pdf: Path, name: str) -> str | None:
        """Page 1 of a PDF as a numbered screenshot (pdftoppm -r 60)."""
        self.n += 1
        filename = f"{self.n:02d}-{name}.png"
        self.results["steps"].append({"n": self.n, "name": name, "screenshot": filename if self.out else None,
                                      "note": f"page 1 of {pdf.name}", "t": round(time.monotonic() - self.started, 2)})
        if self.out is None or shutil.which("pdftoppm") is None:
            return None
        prefix = self.out / filename.removesuffix(".png")
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(prefix)],
                       check=True, timeout=60)
        return filename

    # -- the journey ----------------------------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        apply_language(self.lang)
        catalog = load_catalog()
        self.manager = VaultManager(self.work / "my.mybnpl", MemoryKeyStore(usable=False),
                                    kdf=KdfParams.fast_for_tests())
        self.ctx = UiContext(config=Config(self.work / "settings.json"), manager=self.manager, catalog=catalog,
                             today=lambda: TODAY, now=lambda: at_day(TODAY, at=dtime(9, 30)), platform_hooks=False)
        try:
            self.first_run()
            self.empty_states()
            self.imports()
            self.consent_and_finding()
            self.reminder()
            self.letter()
            self.dossier()
            self.lock_unlock()
            self.backup_restore()
        finally:
            self.close()
        self.results["seconds"] = round(time.monotonic() - self.started, 1)
        return self.results

    def close(self) -> None:
        if self.window is not None:
            self.window.quit()
            self.settle()
            self.window.close()
            self.window.deleteLater()
            self.window = None
        for w in QApplication.topLevelWidgets():
            if w.isVisible():
                w.close()
        self.settle()

    # a. first-run wizard ----------------------------------------------------------------------------------------
    def first_run(self) -> None:
        wizard = FirstRunWizard(self.ctx)
        wizard.show()
        self.shot("wizard-welcome", wizard)
        wizard.next()
        assert wizard.currentId() == PAGE_PROTECTION
        self.shot("wizard-protection", wizard, "no usable keyring: the passphrase path")
        fields = wizard.protection.fields
        fields.first.setText(PASSPHRASE)
        fields.second.setText("walkthrough")
        self.shot("wizard-passphrase-mismatch", wizard, "the repeat field typed wrong")
        fields.second.setText(PASSPHRASE)
        self.shot("wizard-passphrase-ok", wizard)
        wizard.button(QWizard.WizardButton.CommitButton).click()
        self.app.processEvents()
        if wizard.protection._running:
            self.shot("wizard-creating", wizard, "the vault is being created", settle=False)
        self.wait_until(lambda: wizard.currentId() == PAGE_RECOVERY, "the recovery key page")
        panel = wizard.recovery.panel
        assert panel is not None
        self.recovery_key = panel._key
        self.results["recovery_key_groups"] = len(panel._key.split("-"))
        self.shot("wizard-recovery-key", wizard)
        panel.confirm_edit.setText("XXXXX")
        self.shot("wizard-recovery-wrong-group", wizard, "a wrong last group typed")
        panel.confirm_edit.setText(panel.last_group())
        self.say("wizard", panel.confirm_status.text())
        self.shot("wizard-recovery-confirmed", wizard)
        finish = wizard.button(QWizard.WizardButton.FinishButton)
        assert finish.isEnabled()
        finish.click()
        self.settle()
        vault = wizard.vault
        assert vault is not None and wizard.result() == QDialog.DialogCode.Accepted
        wizard.deleteLater()
        self.window = build_main_window(self.ctx, vault)
        self.window.resize(*WINDOW_SIZE)
        self.window.show()
        self.settle()
        self.shot("dashboard-empty", self.win, "the main window right after the wizard")

    def empty_states(self) -> None:
        for key in ("accounts", "transactions", "import", "findings", "evidence", "letters", "dossiers", "settings"):
            self.show(key)
            if key == "dossiers":
                page = self.page(key)
                self.say("dossiers-empty", page.status.text())
            self.shot(f"empty-{key}", self.win)

    # b. import every sample -------------------------------------------------------------------------------------
    def _label(self, path: Path) -> str:
        root = self.file_root
        try:
            return str(path.relative_to(root)) if root else path.name
        except ValueError:
            return path.name

    def imports(self) -> None:
        page: ImportPage = self.page("import")
        self.show("import")
        outcomes: dict[Path, FileOutcome] = {p: FileOutcome(self._label(p)) for p in self.files}
        shown_formats: set[str] = set()
        mapping_tries: dict[Path, int] = {}
        password_tries: dict[Path, int] = {}
        page.add_files(list(self.files))
        self.app.processEvents()
        self.shot("import-reading", self.win, "the busy state while the first file is read", settle=False)
        safety = 0
        while page.current is not None:
            safety += 1
            assert safety < 400, "import loop does not end"
            item = page.current
            rec = outcomes[item.path]
            short = item.path.stem[:24].replace(" ", "_")

            def state(it: Any = item) -> str:
                if page.current is not it:
                    return "next"
                if page.password_dialog is not None and page.password_dialog.isVisible():
                    return "password"
                if page.mapping_dialog is not None and page.mapping_dialog.isVisible():
                    return "mapping"
                widget = page.stack.currentWidget()
                if widget is page.panel and page.panel.loaded is not None:
                    return "preview"
                if widget is page.error_page and page.error is not None:
                    return "error"
                return ""

            self.wait_until(lambda: state() != "", f"an answer for {item.path.name}")
            for text in self.popups(f"import-{short}"):
                rec.steps.append(f"popup: {text}")
            now = state()
            if now == "next":
                continue
            if now == "password":
                dialog = page.password_dialog
                assert dialog is not None
                tries = password_tries[item.path] = password_tries.get(item.path, 0) + 1
                rec.steps.append(f"password asked: {dialog.labelText()}")
                rec.screenshots.append(self.shot(f"import-password-{short}", dialog))
                if tries > 2:
                    dialog.reject()
                    continue
                dialog.setTextValue(PDF_PASSWORD)
                dialog.accept()
                continue
            if now == "mapping":
                mdialog = page.mapping_dialog
                assert mdialog is not None
                tries = mapping_tries[item.path] = mapping_tries.get(item.path, 0) + 1
                error = mdialog.error.text() if mdialog.error.isVisible() else ""
                rec.steps.append("mapping asked" + (f" again: {error}" if error else ""))
                rec.screenshots.append(self.shot(f"import-mapping-{short}" + ("-again" if tries > 1 else ""), mdialog,
                                                 "as mybnpl guessed it" if tries == 1 else error))
                self.say(f"mapping {rec.file}", mdialog.summary.text())
                if tries == 1:
                    self._apply_mapping(mdialog, MAPPINGS.get(item.path.name, {}))
                    rec.steps.append(f"mapping chosen: {mdialog.mapping().to_json()} — {mdialog.summary.text()}")
                    if MAPPINGS.get(item.path.name):
                        rec.screenshots.append(self.shot(f"import-mapping-{short}-chosen", mdialog))
                if tries == 1 and mdialog.ok.isEnabled():
                    mdialog.ok.click()
                else:
                    rec.steps.append("mapping cancelled")
                    mdialog.reject()
                continue
            if now == "error":
                err = page.error
                assert err is not None
                rec.code = err.code if isinstance(err, ImportFailed) else type(err).__name__
                rec.message = page.error_label.text()
                rec.steps.append(f"error shown: {rec.message}")
                rec.screenshots.append(self.shot(f"import-error-{short}", self.win, rec.message))
                self.say(f"import {rec.file}", rec.message)
                if page.keep_button.isVisible():
                    page.keep_button.click()
                    self.wait_until(lambda it=item: page.current is not it, "keeping the file as evidence")
                    rec.outcome = "kept_as_evidence"
                    rec.message += " → " + _result_for(page, Path(rec.file).name)
                else:
                    page.skip_button.click()
                    self.settle()
                    rec.outcome = "error"
                continue
            # preview
            loaded = page.panel.loaded
            assert loaded is not None
            p = loaded.preview
            rec.format, rec.provider = p.parsed.format, str(p.provider_id or "")
            rec.rows, rec.new_rows, rec.bnpl_rows = len(p.rows), len(p.new_rows), p.bnpl_new
            rec.steps.append(f"preview: {page.panel.format_label.text()} · {page.panel.counts_label.text()} · "
                             f"{page.panel.totals_label.text()}")
            warnings = page.panel.warnings_label.text() if page.panel.warnings_label.isVisible() else ""
            notice = page.panel.notice.text() if page.panel.notice.isVisible() else ""
            if warnings:
                rec.steps.append(f"warnings: {warnings}")
            if notice:
                rec.steps.append(f"notice: {notice}")
            if rec.format not in shown_formats or warnings or notice:
                shown_formats.add(rec.format)
                rec.screenshots.append(self.shot(f"import-preview-{short}", self.win,
                                                 page.panel.counts_label.text()))
            if page.panel.commit_button.isEnabled():
                page.panel.commit_button.click()
                self.wait_until(lambda it=item: page.current is not it, f"importing {item.path.name}")
                rec.outcome, rec.imported = "imported", rec.new_rows
                rec.message = _result_for(page, Path(rec.file).name)
            else:
                rec.outcome = "duplicate"
                rec.message = notice
                page.panel.discard_button.click()
                self.settle()
            self.say(f"import {rec.file}", rec.message)
        self.settle()
        self.shot("import-done", self.win, "the results list after the last file")
        self.say("import", page.result_label.text())
        self.results["imports"] = [asdict(o) for o in outcomes.values()]
        self.show("dashboard")
        self.shot("dashboard-after-import", self.win)
        self.show("accounts")
        self.shot("accounts-after-import", self.win)
        self.show("transactions")
        self.shot("transactions-after-import", self.win)
        self.show("evidence")
        self.shot("evidence-after-import", self.win)

    @staticmethod
    def _apply_mapping(dialog: MappingDialog, choice: dict[str, Any]) -> None:
        for key, value in choice.items():
            if key == "negative_is_out":
                dialog.negative_box.setChecked(bool(value))
            elif key == "currency":
                index = dialog.currency.findData(value)
                if index >= 0:
                    dialog.currency.setCurrentIndex(index)
            else:
                combo = dialog.combos[key]
                combo.setCurrentIndex(max(0, combo.findData(value)) if value else 0)

    # c. consent → finding ---------------------------------------------------------------------------------------
    def consent_and_finding(self) -> None:
        page: FindingsPage = self.page("findings")
        self.show("findings")
        self.wait_until(lambda: page.model.rowCount() > 0 or page.stack.currentWidget() is page.empty,
                        "the findings list")
        self.results["findings_before_consent"] = [(f.kind, f.provider_id) for f in page.model.items]
        self.shot("findings-after-import", self.win)
        page.tabs.setCurrentIndex(1)
        self.shot("consents-empty", self.win)
        dialog = page.consents.add(provider_id=CONSENT_PROVIDER)
        assert dialog is not None
        self.shot("consent-dialog", dialog)
        dialog.kind.setCurrentIndex(dialog.kind.findData(ConsentKind.NEVER_ENABLED.value))
        dialog.channel.setText("美团 App")
        dialog.note.setText("I never switched on 美团月付; it appeared at checkout." if self.lang == "en"
                            else "我从未开通美团月付，结账时被默认勾选。")
        self.shot("consent-dialog-filled", dialog)
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
        self.wait_until(lambda: page.consents.model.rowCount() > 0, "the consent record")
        self.say("consent", page.consents.status.text())
        self.shot("consent-recorded", self.win)

        def finding() -> Any:
            return next((f for f in page.model.items if f.kind == "unconsented_enrollment"
                         and f.provider_id == CONSENT_PROVIDER), None)

        self.wait_until(lambda: finding() is not None, "the unconsented-enrollment finding")
        page.tabs.setCurrentIndex(0)
        f = finding()
        self.win.show_finding(f.id)
        self.settle()
        self.finding_id = f.id
        self.results["finding"] = {"id": f.id, "kind": f.kind, "provider": f.provider_id, "severity": f.severity,
                                   "explanation": page.detail.toPlainText()}
        self.results["findings_after_consent"] = [(x.kind, x.provider_id) for x in page.model.items]
        self.shot("finding-unconsented", self.win)

    # d. manual plan → reminder ----------------------------------------------------------------------------------
    def reminder(self) -> None:
        page: ImportPage = self.page("import")
        self.show("import")
        dialog = page.open_plan_dialog()
        assert dialog is not None
        self.shot("plan-dialog-empty", dialog)
        dialog.provider.setCurrentIndex(dialog.provider.findData("pdd_xianyong"))
        dialog.merchant.setText("拼多多 · 空气炸锅")
        dialog.total.setText("399.00")
        dialog.fee.setText("12.00")
        dialog.installments.setValue(4)
        tomorrow = TODAY + timedelta(days=1)
        from PySide6.QtCore import QDate

        dialog.first_due.setDate(QDate(tomorrow.year, tomorrow.month, tomorrow.day))
        self.shot("plan-dialog-filled", dialog, dialog.summary.text())
        dialog.save_button.click()
        self.wait_until(lambda: dialog.plan is not None and not dialog.isVisible(), "the plan to be saved")
        self.say("plan", page.result_label.text())
        self.shot("plan-saved", self.win)
        asked: list[tuple[str, str]] = []
        self.win.reminders.notify = lambda title, body: asked.append((title, body))
        bar = self.page("dashboard").reminders
        self.show("dashboard")
        self.win.reminders.check()
        self.wait_until(lambda: not self.win.reminders.busy and bool(asked), "the reminder check")
        self.results["notifications"] = [{"title": t, "body": b} for t, b in asked]
        self.results["reminder_bar"] = [{"title": n.title, "body": n.body} for n in bar.notices]
        self.shot("dashboard-reminder", self.win, " / ".join(t for t, _b in asked))

    # e. letter --------------------------------------------------------------------------------------------------
    def letter(self) -> None:
        findings: FindingsPage = self.page("findings")
        letters: LettersPage = self.page("letters")
        self.win.show_finding(self.finding_id)
        self.settle()
        findings.confirm_button.click()
        self.wait_until(lambda: findings.selected() is not None and findings.selected().status == "confirmed",
                        "the finding to be confirmed")
        self.shot("finding-confirmed", self.win)
        findings.complaint_button.click()
        self.wait_until(lambda: letters.draft_dialog is not None and letters.draft_dialog.isVisible(),
                        "the new-letter dialog")
        draft = letters.draft_dialog
        assert draft is not None
        self.shot("letter-draft-dialog", draft)
        self.results["letter_choice"] = {"kind": draft.kind.currentData(), "account": draft.account.currentText(),
                                         "jurisdiction": draft.jurisdiction.currentData(),
                                         "lang": draft.lang.currentData(), "finding": draft.finding.currentData()}
        draft.accept()
        self.wait_until(lambda: letters.model.rowCount() > 0 and letters.selected() is not None, "the draft")
        self.say("letter", letters.status.text())
        letters.tabs.setCurrentIndex(0)
        self.shot("letter-editor", self.win)
        letters.tabs.setCurrentIndex(1)
        self.shot("letter-preview", self.win)
        letters.tabs.setCurrentIndex(0)
        letters.views.setCurrentIndex(1)
        self.shot("letter-cases", self.win)
        letters.views.setCurrentIndex(0)
        record = letters.selected()
        assert record is not None
        target = self.work / f"letter-{record.id}.pdf"
        letters.ask_path = lambda _suggested: str(target)
        letters.buttons["export"].click()
        self.wait_until(lambda: target.exists() and str(target) in letters.status.text(), "the letter PDF")
        self.say("letter-export", letters.status.text())
        self.shot("letter-exported", self.win)
        self.render_pdf(target, "letter-pdf-page1")
        self.results["letter"] = {"id": record.id, "kind": record.kind, "status": record.status,
                                  "missing_fields": list(record.missing_fields), "pdf_bytes": target.stat().st_size,
                                  "title": record.title}

    # f. dossier -------------------------------------------------------------------------------------------------
    def dossier(self) -> None:
        page: DossiersPage = self.page("dossiers")
        self.show("dossiers")
        self.wait_until(lambda: page.target.count() > 0, "the dossier targets")
        index = next(i for i in range(page.target.count()) if str(page.target.itemData(i)).startswith("case:"))
        page.target.setCurrentIndex(index)
        self.results["dossier_targets"] = [page.target.itemText(i) for i in range(page.target.count())]
        page.preview_button.click()
        self.wait_until(lambda: page._op is None and page.pages.count() > 0, "the dossier preview")
        self.say("dossier-preview", page.status.text())
        self.shot("dossier-preview", self.win)
        target = self.work / "dossier.pdf"
        progress_seen: list[str] = []
        original = page._progressed

        def progressed(done: int, total: int, step: str) -> None:
            original(done, total, step)
            if not progress_seen:
                progress_seen.append(step)
                self.shot("dossier-export-progress", self.win, page.status.text(), settle=False)
            elif step not in progress_seen:
                progress_seen.append(step)

        page._progressed = progressed  # type: ignore[method-assign,assignment]
        page.ask_path = lambda: str(target)  # type: ignore[method-assign,assignment]
        self.click_or_call(page.export_button, page.export, lambda: page._op is None, "dossier-export")
        self.wait_until(lambda: page._op is None and page.last_export is not None, "the dossier export")
        self.say("dossier-export", page.status.text())
        self.shot("dossier-exported", self.win)
        page.ask_verify_path = lambda: str(target)  # type: ignore[method-assign,assignment]
        self.click_or_call(page.verify_button, page.verify, lambda: page._op is None, "dossier-verify")
        self.wait_until(lambda: page._op is None and page.last_report is not None, "the dossier check")
        self.say("dossier-verify", page.status.text())
        self.shot("dossier-verified", self.win)
        report, export = page.last_report, page.last_export
        assert report is not None and export is not None
        # A copy with one byte changed: what a recipient sees when the file was altered.
        altered = self.work / "dossier-altered.pdf"
        data = bytearray(target.read_bytes())
        start = data.find(b"stream", data.find(b"/EmbeddedFile"))  # inside the first attached original
        data[start + 40] ^= 0x01
        altered.write_bytes(bytes(data))
        page.ask_verify_path = lambda: str(altered)  # type: ignore[method-assign,assignment]
        page.last_report = None
        self.click_or_call(page.verify_button, page.verify, lambda: page._op is None, "dossier-verify-altered")
        self.wait_until(lambda: page._op is None, "the altered dossier check")
        self.say("dossier-verify-altered", page.status.text())
        self.shot("dossier-verify-altered", self.win)
        altered_ok = page.last_report.ok if page.last_report is not None else None
        self.render_pdf(target, "dossier-pdf-page1")
        self.results["dossier"] = {"pages": export.pages, "evidence": export.evidence_count, "sha256": export.sha256,
                                   "verified": report.ok, "checked": report.checked, "progress_steps": progress_seen,
                                   "altered_copy_verified": altered_ok}

    # g. lock / unlock -------------------------------------------------------------------------------------------
    def lock_unlock(self) -> None:
        win = self.win
        win.lock_action.trigger()
        self.settle()
        dialog = win.unlock_dialog
        assert dialog is not None and win.vault is None
        self.results["locked_window_hidden"] = not win.isVisible()
        self.shot("unlock-dialog", dialog)
        dialog.passphrase.setText("not my passphrase")
        dialog.unlock_button.click()
        self.wait_until(lambda: not dialog._busy and bool(dialog.main_error.text()), "the wrong-passphrase answer")
        self.say("unlock-wrong", dialog.main_error.text())
        self.shot("unlock-wrong-passphrase", dialog)
        dialog.passphrase.setText(PASSPHRASE)
        dialog.unlock_button.click()
        self.wait_until(lambda: win.vault is not None and win.isVisible(), "the unlock")
        self.results["unlocked"] = True
        self.show("dashboard")
        self.shot("dashboard-after-unlock", win)

    # h. backup / restore ----------------------------------------------------------------------------------------
    def backup_restore(self) -> None:
        settings = self.win.settings_page
        panel = settings.backups
        self.show("settings")
        self.shot("settings", self.win)
        backup = self.work / "backup-2026-11-30.mybnpl"
        panel.ask_backup_path = lambda: str(backup)
        seen: list[str] = []
        original = panel._progressed

        def progressed(done: int, total: int, label: str) -> None:
            original(done, total, label)
            if not seen:
                seen.append(f"{done}/{total}")
                self.shot("backup-progress", self.win, settle=False)

        panel._progressed = progressed  # type: ignore[method-assign,assignment]
        before = self.counts()
        panel.backup_button.click()
        self.wait_until(lambda: panel._op is None and backup.exists(), "the backup")
        self.say("backup", panel.status.text())
        self.shot("backup-done", self.win)
        # A change after the backup, made through the Accounts page, that the restore must undo.
        accounts: AccountsPage = self.page("accounts")
        self.show("accounts")
        add = accounts.open_add_dialog()
        assert add is not None
        add.provider.setCurrentIndex(add.provider.findData("klarna"))
        add.label.setText("Klarna (after the backup)")
        self.shot("account-add-dialog", add)
        add.buttons.button(add.buttons.StandardButton.Ok).click()
        self.settle()
        changed = self.counts()
        self.show("settings")
        panel.ask_restore_path = lambda: str(backup)
        confirm: dict[str, str] = {}

        def answer(box: QWidget) -> None:
            confirm["text"] = box.text() if isinstance(box, QMessageBox) else box.windowTitle()
            confirm["screenshot"] = self.shot("restore-confirm", box)
            if isinstance(box, QMessageBox):
                box.button(QMessageBox.StandardButton.Yes).click()

        seen.clear()

        def restore_progressed(done: int, total: int, label: str) -> None:
            original(done, total, label)
            if not seen:
                seen.append(f"{done}/{total}")
                self.shot("restore-progress", self.win, settle=False)

        panel._progressed = restore_progressed  # type: ignore[method-assign,assignment]
        self.on_modal(answer, "the restore question")
        panel.restore_button.click()  # the question runs its own event loop; answer() clicks Yes
        self.say("restore-confirm", confirm.get("text", ""))
        self.wait_until(lambda: panel._op is None, "the restore")
        self.settle()
        self.say("restore", panel.status.text())
        self.popups("restore")
        self.shot("restore-done", self.win)
        after = self.counts()
        self.show("accounts")
        self.shot("accounts-after-restore", self.win)
        self.results["backup"] = {"file_bytes": backup.stat().st_size, "counts_at_backup": before,
                                  "counts_changed": changed, "counts_after_restore": after,
                                  "restored_same": before == after, "confirm": confirm.get("text", "")}


def sample_files(root: Path) -> list[Path]:
    return sorted((p for p in root.rglob("*") if p.is_file() and p.suffix.lower() != ".md"), key=str)


def summary(results: dict[str, Any]) -> str:
    lines = [f"walkthrough ({results['lang']}): {len(results['steps'])} steps in {results.get('seconds')} s"]
    for o in results["imports"]:
        extra = f" [{o['code']}]" if o["code"] else ""
        lines.append(f"  {o['outcome']:<17}{extra:<20} {o['file']}  {o['message'][:90]}")
    lines.append(f"  finding: {results.get('finding', {}).get('kind')} ({results.get('finding', {}).get('provider')})")
    lines.append(f"  notifications: {[n['title'] for n in results['notifications']]}")
    lines.append(f"  letter: {results.get('letter', {}).get('kind')} · dossier verified: "
                 f"{results.get('dossier', {}).get('verified')} · restored same counts: "
                 f"{results.get('backup', {}).get('restored_same')}")
    if results["popups"]:
        lines.append(f"  unexpected message boxes: {len(results['popups'])}")
    return "\n".join(lines)


def _result_for(page: Any, name: str) -> str:
    """The Import page's result line about ``name`` (a batch's last file is followed by the batch summary)."""
    return next((text for text in (r() for r in reversed(page.results)) if name in text), "")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--lang", default="en", choices=("en", "zh_CN"))
    ap.add_argument("--files", type=Path, default=SHARED, help="the folder of sample files (default: %(default)s)")
    args = ap.parse_args(argv)
    make_application(["mybnpl"])
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="mybnpl-walkthrough-") as tmp:
        walk = Walkthrough(Path(tmp), sample_files(args.files), args.lang, args.out, file_root=args.files)
        results = walk.run()
    (args.out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str) + "\n",
                                           encoding="utf-8")
    if shutil.which("pngquant"):  # keep the recorded screenshots small (lossy palette, like -colors 256)
        pngs = [str(p) for p in sorted(args.out.glob("*.png"))]
        subprocess.run(["pngquant", "--force", "--ext", ".png", "--skip-if-larger", "--quality", "65-95", *pngs],
                       check=False, timeout=600)
    print(summary(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
