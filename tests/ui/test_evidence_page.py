"""The Evidence page on a real vault: add (with note and account), list, view, export byte for byte, copy the
hash, drop files, empty state, lock and language."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtWidgets import QPlainTextEdit
from pytestqt.qtbot import QtBot

from mybnpl import i18n
from mybnpl.services.evidence import list_evidence
from mybnpl.ui.app import build_main_window
from mybnpl.ui.context import UiContext
from mybnpl.ui.main_window import MainWindow
from mybnpl.ui.pages.evidence import EvidencePage, ImageView
from mybnpl.ui.worker import wait_for_ops
from mybnpl.vault.db import Vault
from tests.ui.test_import_page import Marked, assert_accessible

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def win(qtbot: QtBot, ctx: UiContext, demo_vault: Vault) -> Iterator[MainWindow]:
    w = build_main_window(ctx, demo_vault)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    wait_for_ops()
    if w.unlock_dialog is not None:
        w.unlock_dialog.close()


def evidence_page(window: MainWindow) -> EvidencePage:
    page = window.page("evidence")
    assert isinstance(page, EvidencePage)
    window.show_page("evidence")
    return page


def screenshot(tmp_path: Path, name: str = "plan screen.png") -> Path:
    image = QImage(120, 80, QImage.Format.Format_RGB32)
    image.fill(QColor("#3366cc"))
    path = tmp_path / name
    assert image.save(str(path), "PNG")
    return path


def add(qtbot: QtBot, page: EvidencePage, path: Path, note: str = "", account_row: int = 0) -> None:
    before = page.model.rowCount()
    page.ask_files = lambda: [str(path)]
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    dialog = page.add_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClicks(dialog.note, note)
    dialog.account.setCurrentIndex(account_row)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.rowCount() == before + 1, timeout=20_000)


def test_add_list_export_round_trip(qtbot: QtBot, win: MainWindow, tmp_path: Path) -> None:
    page = evidence_page(win)
    png = screenshot(tmp_path)
    add(qtbot, page, png, note="Klarna app: plan terms", account_row=1)
    vault = win.vault
    assert vault is not None
    item = list_evidence(vault)[-1]
    last = page.model.rowCount() - 1
    assert item.filename == "plan screen.png" and item.note == "Klarna app: plan terms"
    assert item.account_id is not None and item.media_type == "image/png"
    digest = hashlib.sha256(png.read_bytes()).hexdigest()
    assert item.sha256 == digest
    m = page.model
    assert page.stack.currentWidget() is page.table
    assert [m.data(m.index(last, c)) for c in (0, 2, 3, 5, 6)] == [
        str(item.id), "plan screen.png", "Image (PNG)", "Klarna app: plan terms", digest[:16]]
    assert m.data(m.index(last, 6), Qt.ItemDataRole.ToolTipRole) == digest
    assert page.status.text() == "1 file added to the vault."
    assert_accessible(page)

    assert page.selected() == item  # the new item is selected
    out = tmp_path / "out" / "copy.png"
    out.parent.mkdir()
    page.ask_save_path = lambda name: str(out) if name == "plan screen.png" else ""
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(out.exists, timeout=20_000)
    assert out.read_bytes() == png.read_bytes()
    qtbot.waitUntil(lambda: str(out) in page.status.text())

    qtbot.mouseClick(page.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == digest


def test_view_image_text_and_other(qtbot: QtBot, win: MainWindow, tmp_path: Path) -> None:
    page = evidence_page(win)
    add(qtbot, page, screenshot(tmp_path))
    qtbot.mouseClick(page.view_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.viewer is not None and page.viewer.isVisible(), timeout=20_000)
    assert page.viewer is not None and page.viewer.findChild(ImageView) is not None
    page.viewer.reject()

    note = tmp_path / "sms.txt"
    note.write_text("【花呗】您的分期已开通", encoding="utf-8")
    add(qtbot, page, note)
    page.view()
    qtbot.waitUntil(lambda: page.viewer is not None and page.viewer.findChild(QPlainTextEdit) is not None,
                    timeout=20_000)
    text = page.viewer.findChild(QPlainTextEdit) if page.viewer else None
    assert text is not None and text.toPlainText() == "【花呗】您的分期已开通" and text.isReadOnly()
    page.viewer.reject() if page.viewer else None

    add(qtbot, page, FIXTURES / "pdf" / "klarna_en.pdf")
    page.view()
    assert "cannot show PDF document files" in page.status.text()


def test_drop_files_to_add(qtbot: QtBot, win: MainWindow, tmp_path: Path) -> None:
    page = evidence_page(win)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(screenshot(tmp_path, "a.png"))),
                  QUrl.fromLocalFile(str(screenshot(tmp_path, "b.png")))])
    enter = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    page.dragEnterEvent(enter)
    assert enter.isAccepted()
    page.dropEvent(QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                              Qt.KeyboardModifier.NoModifier))
    dialog = page.add_dialog
    assert dialog is not None and [p.name for p in dialog.paths] == ["a.png", "b.png"]
    assert dialog.windowTitle() == "Add 2 files as evidence"
    assert_accessible(dialog)
    before = page.model.rowCount()
    dialog.accept()
    qtbot.waitUntil(lambda: page.model.rowCount() == before + 2, timeout=20_000)
    assert page.status.text() == "2 files added to the vault."


def test_lock_clears_and_language_is_followed(qtbot: QtBot, win: MainWindow, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    page = evidence_page(win)
    add(qtbot, page, screenshot(tmp_path))
    monkeypatch.setattr(i18n, "_translation", Marked())
    win.retranslate()
    assert page.add_button.text() == "‹&Add evidence…›"
    assert page.model.headerData(2, Qt.Orientation.Horizontal) == "‹File name›"
    assert page.status.text() == "‹{n} file added to the vault.›".replace("{n}", "1")
    monkeypatch.undo()
    win.change_language("zh_CN")
    assert page.title_label.text() == "证据"
    win.change_language("en")

    win.lock()
    assert page.model.rowCount() == 0 and page.status.text() == ""
    assert not page.add_button.isEnabled() and not page.export_button.isEnabled()
    assert page.stack.currentWidget() is page.empty


def test_empty_state_on_a_new_vault(qtbot: QtBot, ctx: UiContext, created: tuple[Vault, str]) -> None:
    w = build_main_window(ctx, created[0])
    qtbot.addWidget(w)
    page = evidence_page(w)
    assert page.stack.currentWidget() is page.empty and page.count_label.text() == ""
    assert "drop them here" in page.empty.text_label.text()
    assert page.add_button.isEnabled() and not page.view_button.isEnabled()
