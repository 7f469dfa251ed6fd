"""The Findings page on a real demo vault: findings computed off the GUI thread after unlock, details with the
rows behind them, confirm / dismiss with a reason / reopen, start a complaint, the consent ledger tab, lock and
language."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mybnpl.services import cases as cases_svc
from mybnpl.services import consents as consents_svc
from mybnpl.services import findings as findings_svc
from mybnpl.ui.app import build_main_window
from mybnpl.ui.context import UiContext
from mybnpl.ui.language import apply_language
from mybnpl.ui.main_window import MainWindow
from mybnpl.ui.pages.findings import FindingsPage
from mybnpl.ui.worker import wait_for_ops
from mybnpl.vault import repos
from mybnpl.vault.db import Vault


@pytest.fixture
def win(qtbot: QtBot, ctx: UiContext, demo_vault: Vault) -> Iterator[MainWindow]:
    w = build_main_window(ctx, demo_vault)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.findings_checked, timeout=20_000):
        w.show()
    qtbot.waitExposed(w)
    yield w
    wait_for_ops()


def page_of(qtbot: QtBot, w: MainWindow) -> FindingsPage:
    page = w.page("findings")
    assert isinstance(page, FindingsPage)
    w.show_page("findings")
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=10_000)
    return page


def select_kind(page: FindingsPage, kind: str, provider: str | None = None) -> findings_svc.FindingRow:
    row = next(i for i, f in enumerate(page.model.items)
               if f.kind == kind and (provider is None or f.provider_id == provider))
    page.table.selectRow(row)
    chosen = page.selected()
    assert chosen is not None
    return chosen


def test_findings_listed_with_their_rows_and_the_dashboard_shows_them_first(qtbot: QtBot, win: MainWindow,
                                                                            demo_vault: Vault) -> None:
    page = page_of(qtbot, win)
    stored = findings_svc.list_findings(demo_vault)
    assert [f.id for f in page.model.items] == [f.id for f in stored]
    # The demo records "I never enabled 美团月付" and pays with it: that is the serious finding.
    f = select_kind(page, "unconsented_enrollment", "meituan_yuefu")
    html = page.detail.toPlainText()
    assert f.explanation_en in html
    assert f.transaction_ids, "the finding names the rows it rests on"
    first = demo_vault.query("SELECT posted_on, merchant FROM transactions WHERE id = ?", (f.transaction_ids[0],))[0]
    assert first[0] in html and first[1] in html
    dash = win.page("dashboard")
    table = dash.findings  # type: ignore[attr-defined]
    shown = [(table.item(r, 2).text(), table.item(r, 2).toolTip()) for r in range(table.rowCount())]
    assert ("Used without your recorded consent", f.explanation_en) in shown
    assert table.item(0, 0).text() == "Serious"  # open findings, most serious first
    row = shown.index(("Used without your recorded consent", f.explanation_en))
    win.show_page("dashboard")
    table.cellDoubleClicked.emit(row, 2)
    assert win.stack.currentWidget() is page and page.selected() is not None
    assert page.selected().id == f.id  # type: ignore[union-attr]


def test_confirm_complain_dismiss_reopen(qtbot: QtBot, win: MainWindow, demo_vault: Vault) -> None:
    page = page_of(qtbot, win)
    f = select_kind(page, "unconsented_enrollment", "meituan_yuefu")
    assert page.complaint_button.isEnabled()  # on an open finding too: starting a complaint confirms it
    with qtbot.waitSignal(win.findings_checked, timeout=20_000):
        qtbot.mouseClick(page.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: (page.selected() is not None and page.selected().status == "confirmed"),  # type: ignore
                    timeout=10_000)
    assert page.complaint_button.isEnabled()
    qtbot.mouseClick(page.complaint_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(cases_svc.list_cases(demo_vault)), timeout=10_000)
    case = cases_svc.list_cases(demo_vault)[0]
    assert case["reference"] == f"finding:{f.id}" and case["provider"] == "meituan_yuefu"

    page.ask_reason = lambda: "I paid this myself, it is fine"
    with qtbot.waitSignal(win.findings_checked, timeout=20_000):
        qtbot.mouseClick(page.dismiss_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: all(x.id != f.id for x in page.model.items), timeout=10_000)
    assert findings_svc.get_finding(demo_vault, f.id).dismiss_reason == "I paid this myself, it is fine"
    page.show_all.setChecked(True)
    qtbot.waitUntil(lambda: any(x.id == f.id for x in page.model.items), timeout=10_000)
    page.select(f.id)
    assert "I paid this myself" in page.detail.toPlainText()
    with qtbot.waitSignal(win.findings_checked, timeout=20_000):
        qtbot.mouseClick(page.reopen_button, Qt.MouseButton.LeftButton)
    assert findings_svc.get_finding(demo_vault, f.id).status == "open"
    kinds = [e.kind for e in repos.list_events(demo_vault)]
    assert {"finding_confirmed", "finding_dismissed", "finding_open", "case_opened"} <= set(kinds)


def test_start_a_complaint_from_an_open_finding_confirms_it(qtbot: QtBot, win: MainWindow,
                                                             demo_vault: Vault) -> None:
    page = page_of(qtbot, win)
    f = select_kind(page, "unconsented_enrollment", "meituan_yuefu")
    assert f.status == "open"
    with qtbot.waitSignal(page.letter_requested, timeout=10_000):
        qtbot.mouseClick(page.complaint_button, Qt.MouseButton.LeftButton)
    assert findings_svc.get_finding(demo_vault, f.id).status == "confirmed"
    assert [c["reference"] for c in cases_svc.list_cases(demo_vault)] == [f"finding:{f.id}"]
    assert "Finding confirmed and case" in page.status.text()


def test_the_other_uncovered_uses_are_listed(qtbot: QtBot, win: MainWindow, demo_vault: Vault) -> None:
    page = page_of(qtbot, win)
    f = select_kind(page, "unconsented_enrollment", "meituan_yuefu")
    others = f.data["other_uses"]
    assert others and len(others) < f.data["uncovered_uses"]  # plans and bills count as uses too
    text = page.detail.toPlainText()
    assert "Other uses without a consent record" in text
    day, merchant = demo_vault.query("SELECT posted_on, merchant FROM transactions WHERE id = ?", (others[0],))[0]
    assert day in text and merchant in text


def test_consent_record_added_in_the_app_clears_the_finding(qtbot: QtBot, win: MainWindow, demo_vault: Vault,
                                                             tmp_path: Path) -> None:
    page = page_of(qtbot, win)
    page.tabs.setCurrentIndex(1)
    panel = page.consents
    qtbot.waitUntil(lambda: panel.model.rowCount() == len(consents_svc.list_consents(demo_vault)), timeout=10_000)
    first_use = min(f.first_seen for f in page.model.items if f.kind == "unconsented_enrollment"
                    and f.provider_id == "meituan_yuefu")
    # Replace "never enabled" by "enabled before first use": the enrollment finding must go away.
    never = next(c for c in consents_svc.list_consents(demo_vault, "meituan_yuefu"))
    panel.table.selectRow(panel.model.items.index(never))
    with qtbot.waitSignal(win.findings_checked, timeout=20_000):
        qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    shot = tmp_path / "开通记录.png"
    shot.write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 64)
    dialog = panel.add("meituan_yuefu")
    assert dialog is not None
    dialog.kind.setCurrentIndex(dialog.kind.findData("enabled"))
    day = date.fromordinal(first_use.toordinal() - 10)
    from PySide6.QtCore import QDate
    dialog.date.setDate(QDate(day.year, day.month, day.day))
    dialog.channel.setText("美团 App")
    dialog.ask_file = lambda: str(shot)
    qtbot.mouseClick(dialog.evidence_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(win.findings_checked, timeout=20_000):
        dialog.accept()
    recs = consents_svc.list_consents(demo_vault, "meituan_yuefu")
    assert [(r.kind.value, r.on_date, r.channel) for r in recs] == [("enabled", day, "美团 App")]
    assert recs[0].evidence_id is not None
    qtbot.waitUntil(lambda: not any(f.kind == "unconsented_enrollment" and f.provider_id == "meituan_yuefu"
                                    for f in page.model.items), timeout=10_000)
    assert panel.model.rowCount() == len(consents_svc.list_consents(demo_vault))


def test_lock_clears_and_language_switch(qtbot: QtBot, win: MainWindow) -> None:
    page = page_of(qtbot, win)
    select_kind(page, "unconsented_enrollment")
    apply_language("zh_CN")
    win.retranslate()
    assert page.tabs.tabText(1) != "What I agreed to"
    assert page.model.headerData(0, Qt.Orientation.Horizontal) != "Severity"
    apply_language("en")
    win.retranslate()
    win.lock()
    assert page.model.rowCount() == 0 and page.consents.model.rowCount() == 0
    assert page.detail.toPlainText() == ""
