"""The Import page on a real vault with real files: preview counts, commit, "nothing new" the second time, inline
errors, passwords, the column-mapping dialog (and the remembered mapping), the queue, drop, cancel, lock, language."""

from __future__ import annotations

import gettext
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from mybnpl import i18n
from mybnpl.ui.app import build_main_window
from mybnpl.ui.context import UiContext
from mybnpl.ui.import_model import NeedsMapping
from mybnpl.ui.main_window import MainWindow
from mybnpl.ui.mapping import MappingDialog
from mybnpl.ui.pages.imports import ImportPage
from mybnpl.ui.worker import wait_for_ops
from mybnpl.vault.db import Vault

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
SHARED_MEITUAN = Path("/work/shared/realdata/deb-sig_double-entry-generator/example/mt/example-mt-records.csv")
UNKNOWN = FIXTURES / "intl" / "MS_JANE_SMITH_01-12-2019_14-12-2019.csv"
LOCKED_PDF = FIXTURES / "pdf" / "password-example.pdf"
SLOW = 60_000


class Marked(gettext.NullTranslations):
    """A stand-in language that marks every translated string, to prove a widget re-reads its texts."""

    def gettext(self, message: str) -> str:
        return f"‹{message}›"

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return f"‹{msgid1 if n == 1 else msgid2}›"


def assert_accessible(root: QWidget) -> None:
    """Every visible control has an accessible name (a button's own text counts); every label with a mnemonic
    has a buddy."""
    for w in root.findChildren(QWidget):
        if not w.isVisibleTo(root) or isinstance(w, QHeaderView) or isinstance(
                w.parentWidget(), QComboBox | QAbstractSpinBox | QAbstractItemView):
            continue
        if isinstance(w, QAbstractButton | QComboBox | QLineEdit | QAbstractSpinBox | QAbstractItemView):
            name = w.accessibleName() or (w.text() if isinstance(w, QAbstractButton) else "")
            assert name, f"{type(w).__name__} {w.objectName()!r} has no accessible name"
        if isinstance(w, QLabel) and "&" in w.text().replace("&&", ""):
            assert w.buddy() is not None, f"label {w.text()!r} has no buddy"


def meituan_file(tmp_path: Path) -> Path:
    source = FIXTURES / "cn" / "example-mt-records.csv"
    if not source.exists():
        source = FIXTURES / "cn" / "meituan.csv"
    if not source.exists():
        source = SHARED_MEITUAN
    target = tmp_path / "example-mt-records.csv"
    shutil.copyfile(source, target)
    return target


@pytest.fixture
def win(qtbot: QtBot, ctx: UiContext, created: tuple[Vault, str]) -> Iterator[MainWindow]:
    """The main window on a fresh, empty vault (exact counts)."""
    w = build_main_window(ctx, created[0])
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    wait_for_ops()
    if w.unlock_dialog is not None:
        w.unlock_dialog.close()


def import_page(window: MainWindow) -> ImportPage:
    page = window.page("import")
    assert isinstance(page, ImportPage)
    window.show_page("import")
    return page


def load(qtbot: QtBot, page: ImportPage, *paths: Path) -> None:
    page.ask_files = lambda: [str(p) for p in paths]
    qtbot.mouseClick(page.choose_button, Qt.MouseButton.LeftButton)


def wait_preview(qtbot: QtBot, page: ImportPage) -> None:
    qtbot.waitUntil(lambda: page.stack.currentWidget() is page.panel, timeout=SLOW)


def commit(qtbot: QtBot, page: ImportPage) -> None:
    qtbot.mouseClick(page.panel.commit_button, Qt.MouseButton.LeftButton)
    assert page.stack.currentWidget() is page.busy and not page.cancel_button.isVisible()  # a write is not cancelled
    qtbot.waitUntil(lambda: page.stack.currentWidget() is not page.busy, timeout=SLOW)


def count(vault: Vault | None, table: str) -> int:
    assert vault is not None
    return int(vault.scalar(f"SELECT count(*) FROM {table}"))


def test_import_meituan_preview_commit_then_nothing_new(qtbot: QtBot, win: MainWindow, tmp_path: Path) -> None:
    page, path = import_page(win), meituan_file(tmp_path)
    load(qtbot, page, path)
    assert page.stack.currentWidget() is page.busy and page.progress.maximum() == 0  # indeterminate
    wait_preview(qtbot, page)
    panel = page.panel
    assert page.file_label.text() == "File 1 of 1: example-mt-records.csv"
    assert panel.format_label.text() == "Meituan export (CSV)"
    assert panel.provider.currentData() == "meituan_yuefu"
    assert panel.counts_label.text() == "29 rows · 29 new · 0 duplicates · 6 BNPL rows"
    assert panel.model.rowCount() == 29 and not panel.notice.isVisible()
    bnpl = next(r for r in range(29) if panel.model.row_at(r).tx.bnpl_product)
    assert panel.model.data(panel.model.index(bnpl, 0), Qt.ItemDataRole.BackgroundRole) is not None
    assert panel.model.data(panel.model.index(bnpl, 5)) == "Meituan Yuefu (monthly pay)"
    assert panel.commit_button.text() == "&Import 29 new rows" and panel.commit_button.isEnabled()
    assert_accessible(page)

    commit(qtbot, page)
    assert page.result_label.text() == "example-mt-records.csv: 29 rows imported, 0 duplicates skipped."
    assert page.stack.currentWidget() is page.empty and page.current is None
    assert count(win.vault, "transactions") == 29 and count(win.vault, "statements") == 1
    # the other pages were told to re-read
    assert win.page("transactions").model.rowCount() == 29  # type: ignore[attr-defined]
    assert win.page("evidence").model.rowCount() == 1  # type: ignore[attr-defined]

    load(qtbot, page, path)
    wait_preview(qtbot, page)
    assert panel.notice.text() == "This file was imported before; nothing new."
    assert panel.counts_label.text() == "29 rows · 0 new · 29 duplicates · 0 BNPL rows"
    assert not panel.commit_button.isEnabled()
    row = panel.model.index(0, 6)
    assert panel.model.data(row) == "duplicate"
    assert "same id" in panel.model.data(row, Qt.ItemDataRole.ToolTipRole)
    assert panel.model.data(row, Qt.ItemDataRole.ForegroundRole) is not None
    qtbot.mouseClick(panel.discard_button, Qt.MouseButton.LeftButton)
    assert page.stack.currentWidget() is page.empty
    assert count(win.vault, "transactions") == 29


def test_empty_file_shows_the_error_inline(qtbot: QtBot, win: MainWindow, tmp_path: Path) -> None:
    page = import_page(win)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    load(qtbot, page, empty)
    qtbot.waitUntil(lambda: page.stack.currentWidget() is page.error_page, timeout=SLOW)
    assert page.error_label.text() == "empty.csv is empty."
    # reading the same bytes again gives the same answer: no "Try again"; nothing to keep either
    assert not page.retry_button.isVisible() and not page.keep_button.isVisible() and page.skip_button.isVisible()
    assert not [b for b in win.findChildren(QMessageBox) if b.isVisible()]  # no modal box
    qtbot.mouseClick(page.skip_button, Qt.MouseButton.LeftButton)
    assert page.stack.currentWidget() is page.empty


def test_unknown_layout_is_mapped_and_the_mapping_remembered(qtbot: QtBot, win: MainWindow, tmp_path: Path) -> None:
    page = import_page(win)
    load(qtbot, page, UNKNOWN)
    qtbot.waitUntil(lambda: page.mapping_dialog is not None and page.mapping_dialog.isVisible(), timeout=SLOW)
    dialog = page.mapping_dialog
    assert isinstance(dialog, MappingDialog)
    assert dialog.header == ["Date Processed", "Description", "Amount", "Column 4"]
    assert_accessible(dialog)
    # the first guess from the column names and the £ signs
    assert (dialog.column("date"), dialog.column("amount"), dialog.column("description")) == (
        "Date Processed", "Amount", "Description")
    assert dialog.currency.currentData() == "GBP"
    # "CR" marks and no minus signs: a card statement (see tests/ui/test_mapping_guesses.py)
    assert dialog.column("direction") == "Column 4" and not dialog.negative_box.isChecked()
    dialog.combos["amount"].setCurrentIndex(0)
    assert not dialog.ok.isEnabled()
    dialog.combos["date"].setCurrentIndex(dialog.combos["date"].findData("Date Processed"))
    dialog.combos["amount"].setCurrentIndex(dialog.combos["amount"].findData("Amount"))
    dialog.combos["merchant"].setCurrentIndex(dialog.combos["merchant"].findData("Description"))
    dialog.combos["description"].setCurrentIndex(0)
    dialog.combos["direction"].setCurrentIndex(dialog.combos["direction"].findData("Column 4"))  # "CR" marks
    dialog.negative_box.setChecked(False)  # a card statement: positive amounts are spending
    assert dialog.ok.isEnabled() and dialog.remember_box.isChecked()
    assert dialog.preview.rowCount() == 5
    assert dialog.preview.item(0, 4).text() == "Pending: not posted yet, skipped"  # as the import skips it
    assert [dialog.preview.item(3, j).text() for j in range(5)] == [
        "2019-12-12", "1183.23", "Out", "ROYAL LONDON INSURANCE        01222 61234  GBR", ""]
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    wait_preview(qtbot, page)
    assert page.panel.counts_label.text() == "10 rows · 10 new · 0 duplicates · 0 BNPL rows"
    assert "3 pending rows" in page.panel.warnings_label.text()
    assert page.panel.mapping_button.isVisible()
    commit(qtbot, page)
    vault = win.vault
    assert vault is not None and count(vault, "transactions") == 10
    assert vault.query("SELECT currency, direction, count(*) FROM transactions GROUP BY 1, 2 ORDER BY 2") == [
        ("GBP", "in", 1), ("GBP", "out", 9)]  # the card payment, marked CR, is money in
    saved = vault.query("SELECT value FROM vault_settings WHERE key LIKE 'mapping:%'")
    assert len(saved) == 1 and '"negative_is_out": false' in saved[0][0]

    later = tmp_path / "later.csv"
    later.write_text('Date Processed,Description,Amount,\n13-Jan-2020,SHOP A   LONDON GBR,£5.00,\n'
                     '14-Jan-2020,PAYMENT RECEIVED - THANK YOU,"+ £7.25",CR\n', encoding="utf-8")  # a month on
    load(qtbot, page, later)
    wait_preview(qtbot, page)
    assert page.mapping_dialog is dialog and not dialog.isVisible()  # no second question
    assert page.panel.notice.text() == "Read with the column mapping you saved for this layout."
    commit(qtbot, page)
    assert count(vault, "transactions") == 12

    # the same columns without the direction column: the saved mapping no longer fits, so it is offered again
    narrow = tmp_path / "narrow.csv"
    narrow.write_text("Date Processed,Description,Amount\n15-Jan-2020,SHOP C   LONDON GBR,£1.00\n", encoding="utf-8")
    load(qtbot, page, narrow)
    qtbot.waitUntil(lambda: page.mapping_dialog is not dialog and page.mapping_dialog is not None, timeout=SLOW)
    again = page.mapping_dialog
    assert again is not None and again.column("direction") is None and again.column("amount") == "Amount"
    assert again.currency.currentData() == "GBP" and not again.negative_box.isChecked()
    assert "Column 4" in again.error.text() and again.error.isVisible()
    again.reject()
    qtbot.waitUntil(lambda: page.stack.currentWidget() is page.error_page)
    assert page.error_label.text().startswith("mybnpl does not know the layout of narrow.csv")


def test_password_is_asked_and_a_wrong_one_said(qtbot: QtBot, win: MainWindow) -> None:
    page = import_page(win)
    load(qtbot, page, LOCKED_PDF)
    qtbot.waitUntil(lambda: page.password_dialog is not None and page.password_dialog.isVisible(), timeout=SLOW)
    first = page.password_dialog
    assert isinstance(first, QInputDialog) and first.textEchoMode() == QLineEdit.EchoMode.Password
    assert "protected by a password" in first.labelText()
    first.setTextValue("not it")
    first.accept()
    qtbot.waitUntil(lambda: page.password_dialog is not first and page.password_dialog is not None, timeout=SLOW)
    second = page.password_dialog
    assert second is not None and second.labelText() == "The password for password-example.pdf is wrong."
    second.setTextValue("test")
    second.accept()
    # the right password opens it; this document has no table to map, which is said inline
    qtbot.waitUntil(lambda: page.stack.currentWidget() is page.error_page, timeout=SLOW)
    assert "found no table" in page.error_label.text()
    assert page.current is not None and page.current.password == "test"
    # what the message suggests is there: keep the file as evidence (and no pointless "Try again")
    assert page.keep_button.isVisible() and not page.retry_button.isVisible()
    qtbot.mouseClick(page.keep_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "password-example.pdf: kept as evidence." in page.result_label.text(), timeout=SLOW)
    assert count(win.vault, "evidence") == 1


def test_a_batch_ends_with_a_summary(qtbot: QtBot, win: MainWindow, tmp_path: Path) -> None:
    page = import_page(win)
    empty = tmp_path / "nothing.csv"
    empty.write_bytes(b"")
    page.add_files([meituan_file(tmp_path), empty])
    wait_preview(qtbot, page)
    qtbot.mouseClick(page.panel.commit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.stack.currentWidget() is page.error_page, timeout=SLOW)
    qtbot.mouseClick(page.skip_button, Qt.MouseButton.LeftButton)
    assert page.stack.currentWidget() is page.empty
    assert page.result_label.text().splitlines()[-1] == "Done: 2 files — 1 imported; 1 not imported."


def test_queue_drop_and_cancel(qtbot: QtBot, win: MainWindow, tmp_path: Path) -> None:
    page = import_page(win)
    empty = tmp_path / "nothing.csv"
    empty.write_bytes(b"")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(meituan_file(tmp_path))), QUrl.fromLocalFile(str(empty))])
    enter = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    page.dragEnterEvent(enter)
    assert enter.isAccepted()
    page.dropEvent(QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                              Qt.KeyboardModifier.NoModifier))
    assert page.file_label.text() == "File 1 of 2: example-mt-records.csv"
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)  # stop waiting, discard the answer
    assert page.file_label.text() == "File 2 of 2: nothing.csv"
    assert "example-mt-records.csv: cancelled" in page.result_label.text()
    qtbot.waitUntil(lambda: page.stack.currentWidget() is page.error_page, timeout=SLOW)
    wait_for_ops()
    qtbot.wait(50)
    assert page.stack.currentWidget() is page.error_page  # the cancelled file's answer was dropped
    qtbot.mouseClick(page.skip_button, Qt.MouseButton.LeftButton)
    assert page.current is None and not page.file_label.isVisible()
    assert count(win.vault, "transactions") == 0
    # the cancelled file counts in the batch's summary too
    assert page.result_label.text().splitlines()[-1] == "Done: 2 files — 2 not imported."


def test_provider_override_rebuilds_the_preview(qtbot: QtBot, win: MainWindow, tmp_path: Path) -> None:
    page = import_page(win)
    load(qtbot, page, meituan_file(tmp_path))
    wait_preview(qtbot, page)
    combo = page.panel.provider
    combo.setCurrentIndex(combo.findData("jd_baitiao"))
    combo.activated.emit(combo.currentIndex())
    qtbot.waitUntil(lambda: page.panel.loaded is not None and page.panel.loaded.preview.provider_id == "jd_baitiao",
                    timeout=SLOW)
    assert combo.currentData() == "jd_baitiao"
    commit(qtbot, page)
    assert win.vault is not None
    assert win.vault.query("SELECT DISTINCT provider_id FROM statements") == [("jd_baitiao",)]


def test_lock_clears_and_language_is_followed(qtbot: QtBot, win: MainWindow, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    page = import_page(win)
    load(qtbot, page, meituan_file(tmp_path))
    wait_preview(qtbot, page)

    monkeypatch.setattr(i18n, "_translation", Marked())
    win.retranslate()
    assert page.choose_button.text() == "‹&Choose files…›"
    assert page.panel.commit_button.text() == "‹&Import {n} new rows›".replace("{n}", "29")
    assert page.panel.format_label.text() == "‹Meituan export (CSV)›"
    assert page.panel.model.headerData(0, Qt.Orientation.Horizontal) == "‹Date›"
    assert page.empty.title_label.text() == "‹Bring in your bills and exports›"
    monkeypatch.undo()
    win.change_language("zh_CN")
    assert page.title_label.text() == "导入"
    win.change_language("en")
    assert page.choose_button.text() == "&Choose files…"

    # a mapping dialog built from a header of our own, open when the vault locks
    header = ["Buchungstag", "Verwendungszweck", "Betrag (EUR)", "Saldo"]
    rows = [["02.01.2024", "Klarna Ratenkauf", "-33,33", "100,00"], ["03.01.2024", "Gehalt", "1.500,00", "1.600,00"]]
    dialog = page.open_mapping(NeedsMapping(header, rows, "mapping:test"))
    assert dialog is not None and dialog.isVisible() and dialog.column("date") == "Buchungstag"
    assert dialog.column("amount") == "Betrag (EUR)" and dialog.column("description") == "Verwendungszweck"
    assert [dialog.preview.item(1, j).text() for j in range(3)] == ["2024-01-03", "1500.00", "In"]

    win.lock()
    assert not dialog.isVisible() and page.mapping_dialog is None and page.error is None
    assert page.vault is None and page.current is None and page.queue == []
    assert page.panel.model.rowCount() == 0 and page.results == []
    assert page.stack.currentWidget() is page.empty and not page.choose_button.isEnabled()
