"""The Letters page on a real demo vault: draft from a confirmed finding, edit and save, preview with the gaps
highlighted, export to PDF (Chinese text extractable), mark sent (answer deadline), attach the reply, your
details; the disclaimer is in the app and not in the letter."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date as date_t
from pathlib import Path

import pdfplumber
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from mybnpl.core.richtext import Run
from mybnpl.services import findings as findings_svc
from mybnpl.services import letters as letters_svc
from mybnpl.services import profile as profile_svc
from mybnpl.ui.app import build_main_window
from mybnpl.ui.context import UiContext
from mybnpl.ui.main_window import MainWindow
from mybnpl.ui.pages.findings import FindingsPage
from mybnpl.ui.pages.letters import LettersPage
from mybnpl.ui.worker import wait_for_ops
from mybnpl.vault.db import Vault

from .conftest import TODAY


@pytest.fixture
def win(qtbot: QtBot, ctx: UiContext, demo_vault: Vault) -> Iterator[MainWindow]:
    w = build_main_window(ctx, demo_vault)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.findings_checked, timeout=20_000):
        w.show()
    yield w
    wait_for_ops()


def letters_page(w: MainWindow) -> LettersPage:
    page = w.page("letters")
    assert isinstance(page, LettersPage)
    return page


def test_complaint_from_a_finding_edit_export_send_reply(qtbot: QtBot, win: MainWindow, demo_vault: Vault,
                                                         tmp_path: Path) -> None:
    findings = win.page("findings")
    assert isinstance(findings, FindingsPage)
    f = next(x for x in findings_svc.list_findings(demo_vault)
             if x.kind == "unconsented_enrollment" and x.provider_id == "meituan_yuefu")
    findings_svc.set_status(demo_vault, f.id, "confirmed")
    win.reload_pages()
    win.show_page("findings")
    qtbot.waitUntil(lambda: any(x.id == f.id and x.status == "confirmed" for x in findings.model.items),
                    timeout=10_000)
    findings.select(f.id)
    page = letters_page(win)
    qtbot.mouseClick(findings.complaint_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.draft_dialog is not None and page.draft_dialog.isVisible(), timeout=10_000)
    dialog = page.draft_dialog
    assert dialog is not None and dialog.finding.currentData() == f.id
    assert win.stack.currentWidget() is page
    dialog.kind.setCurrentIndex(dialog.kind.findData("complaint"))
    dialog.lang.setCurrentIndex(dialog.lang.findData("zh"))
    dialog.accept()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and page.selected() is not None, timeout=20_000)
    rec = page.selected()
    assert rec is not None and rec.kind == "complaint" and rec.lang == "zh" and rec.finding_id == f.id
    assert rec.account_id == f.account_id or rec.account_id is not None
    assert page.editor.edit.toPlainText() == rec.text.rstrip("\n") and "美团" in rec.text
    assert "not legal advice" not in rec.text and "法律意见" not in rec.text  # the disclaimer is the app's
    page.tabs.setCurrentIndex(1)
    if "【" in rec.text:
        assert "background:#ffe082" in page.preview.toHtml().replace(" ", "") or "ffe082" in page.preview.toHtml()

    edit = page.editor.edit
    edit.moveCursor(QTextCursor.MoveOperation.End)
    edit.insertPlainText("\n补充：我从未在美团App中点击开通。")
    assert page.buttons["save"].isEnabled()
    cursor = edit.textCursor()  # the new line, in bold: the toolbar formats the selection
    cursor.movePosition(QTextCursor.MoveOperation.StartOfBlock, QTextCursor.MoveMode.KeepAnchor)
    edit.setTextCursor(cursor)
    qtbot.mouseClick(page.editor.buttons["bold"], Qt.MouseButton.LeftButton)
    assert page.editor.buttons["bold"].isChecked()
    qtbot.mouseClick(page.buttons["save"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "补充" in letters_svc.get_letter(demo_vault, rec.id).text, timeout=10_000)
    stored = letters_svc.get_letter(demo_vault, rec.id)
    assert stored.rich is not None and stored.rich[-1].runs == (Run("补充：我从未在美团App中点击开通。", bold=True),)

    out = tmp_path / "complaint.pdf"
    page.ask_path = lambda _s: str(out)
    qtbot.mouseClick(page.buttons["export"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(out.exists, timeout=20_000)
    with pdfplumber.open(out) as pdf:
        text = "".join(p.extract_text() or "" for p in pdf.pages)
    flat = text.replace("\n", "").replace(" ", "")
    assert "补充：我从未在美团App中点击开通" in flat and "美团" in flat
    with pdfplumber.open(out) as pdf:
        bold = "".join(c["text"] for p in pdf.pages for c in p.chars if c["fontname"].endswith("Bold"))
    assert "补充：我从未在美团App中点击开通" in bold

    dialog2 = page.mark_sent()
    assert dialog2 is not None
    dialog2.channel.setText("12315")
    dialog2.ref.setText("T-1")
    with qtbot.waitSignal(page.data_changed, timeout=10_000):
        dialog2.accept()
    sent = letters_svc.get_letter(demo_vault, rec.id)
    assert sent.status == "sent" and sent.sent_on == TODAY and sent.sent_ref == "T-1"
    assert sent.deadline_on is not None and sent.deadline_on > TODAY
    qtbot.waitUntil(lambda: page.editor.edit.isReadOnly(), timeout=10_000)  # what was sent stays as sent
    qtbot.waitUntil(lambda: page.selected() is not None and page.selected().status == "sent",  # type: ignore
                    timeout=10_000)
    dues = win.page("dashboard").dues  # type: ignore[attr-defined]
    dues.reload()
    qtbot.waitUntil(lambda: f"letter {rec.id}" in dues.answers.text(), timeout=10_000)
    assert sent.deadline_on.isoformat() in dues.answers.text()
    reply = tmp_path / "reply.png"
    reply.write_bytes(b"\x89PNG\r\n\x1a\n" + b"r" * 40)
    page.ask_reply = lambda: str(reply)
    with qtbot.waitSignal(page.data_changed, timeout=10_000):
        qtbot.mouseClick(page.buttons["reply"], Qt.MouseButton.LeftButton)
    assert letters_svc.get_letter(demo_vault, rec.id).status == "answered"
    # The case view: the complaint's case with this letter, its status and the reply kept.
    page.reload()
    qtbot.waitUntil(lambda: page.cases.topLevelItemCount() >= 1 and page.cases.topLevelItem(0).childCount() >= 1
                    and page.cases.topLevelItem(0).child(0).text(1) == "answered", timeout=10_000)
    case_item = page.cases.topLevelItem(0)
    child = case_item.child(0)
    assert child.data(0, Qt.ItemDataRole.UserRole) == rec.id
    assert child.text(1) == "answered" and "1 replies" in child.text(4)
    page.views.setCurrentIndex(1)
    page.table.clearSelection()
    page._case_item_activated(child, 0)
    assert page.views.currentIndex() == 0 and page.selected() is not None and page.selected().id == rec.id  # type: ignore


def test_profile_and_lock(qtbot: QtBot, win: MainWindow, demo_vault: Vault) -> None:
    page = letters_page(win)
    win.show_page("letters")
    dialog = page.edit_profile()
    assert dialog is not None
    dialog.fields["name"].setText("王小明")
    dialog.fields["phone"].setText("138****0000")
    dialog.accept()
    qtbot.waitUntil(lambda: profile_svc.get_profile(demo_vault)["name"] == "王小明", timeout=10_000)
    assert profile_svc.get_profile(demo_vault)["phone"] == "138****0000"
    win.lock()
    assert page.model.rowCount() == 0 and page.editor.edit.toPlainText() == "" and page.profile_dialog is None
    if win.unlock_dialog is not None:
        win.unlock_dialog.close()


def test_new_letter_offers_the_users_details_first(qtbot: QtBot, win: MainWindow, demo_vault: Vault) -> None:
    page = letters_page(win)
    win.show_page("letters")
    assert profile_svc.get_profile(demo_vault)["name"] == ""
    draft = page.new_letter()
    assert draft is not None and draft.profile_row.isVisible() and "[FILL IN]" in draft.profile_note.text()
    qtbot.mouseClick(draft.profile_button, Qt.MouseButton.LeftButton)
    profile = page.profile_dialog
    assert profile is not None and profile.parent() is draft and profile.isVisible()  # on top of the draft
    profile.fields["name"].setText("王小明")
    profile.accept()
    qtbot.waitUntil(lambda: not draft.profile_row.isVisible(), timeout=10_000)
    assert profile_svc.get_profile(demo_vault)["name"] == "王小明"
    draft.reject()
    again = page.new_letter()
    assert again is not None and not again.profile_row.isVisible()  # asked once, not every time
    again.reject()


def test_answer_deadline_reminds_once_then_escalation(qtbot: QtBot, win: MainWindow, demo_vault: Vault,
                                                       ctx: UiContext) -> None:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from mybnpl.services.catalog import load_catalog

    account = demo_vault.query("SELECT id FROM accounts WHERE provider_id = 'meituan_yuefu'")[0][0]
    draft = letters_svc.draft_letter(demo_vault, load_catalog(), letters_svc.load_legal(), "complaint", account,
                                     "CN", "zh", TODAY)
    sent = letters_svc.mark_sent(demo_vault, draft.id, TODAY, "12315", "R-9", TODAY)
    assert sent.deadline_on is not None
    shown: list[tuple[str, str]] = []
    win.reminders.notify = lambda title, body: shown.append((title, body))
    zone = ZoneInfo("Asia/Shanghai")

    def check_on(day: date_t) -> list[tuple[str, str]]:
        before = len(shown)
        ctx.now = lambda: datetime(day.year, day.month, day.day, 9, 30, tzinfo=zone)
        win.reminders.check()
        wait_for_ops()
        qtbot.waitUntil(lambda: not win.reminders.busy, timeout=10_000)
        qtbot.wait(50)
        return shown[before:]

    assert not [t for t, _b in check_on(sent.deadline_on - timedelta(days=5)) if "letter" in t.lower()]
    soon = check_on(sent.deadline_on - timedelta(days=1))
    assert any(str(sent.deadline_on) in b for _t, b in soon)
    again = check_on(sent.deadline_on - timedelta(days=1))
    assert not any(str(sent.deadline_on) in b for _t, b in again)  # once
    late = check_on(sent.deadline_on + timedelta(days=2))
    assert any("No answer" in t for t, _b in late)
