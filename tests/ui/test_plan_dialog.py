"""The manual plan dialog: live schedule (to the cent, remainder on the last installment), validation inline,
currency from the provider, saving through the worker with screenshots kept as evidence linked to the plan."""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from mybnpl import i18n
from mybnpl.core.catalog import Catalog
from mybnpl.services.evidence import evidence_bytes
from mybnpl.services.plans import list_plans
from mybnpl.ui.app import build_main_window
from mybnpl.ui.context import UiContext
from mybnpl.ui.main_window import MainWindow
from mybnpl.ui.pages.imports import ImportPage
from mybnpl.ui.plan_dialog import PlanDialog
from mybnpl.ui.worker import wait_for_ops
from mybnpl.vault.db import Vault
from tests.ui.test_import_page import Marked, assert_accessible


@pytest.fixture
def win(qtbot: QtBot, ctx: UiContext, created: tuple[Vault, str]) -> Iterator[MainWindow]:
    w = build_main_window(ctx, created[0])
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    wait_for_ops()


@pytest.fixture
def dialog(qtbot: QtBot, catalog: Catalog, created: tuple[Vault, str]) -> Iterator[PlanDialog]:
    d = PlanDialog(created[0], catalog, date(2026, 11, 23))
    qtbot.addWidget(d)
    d.show()
    yield d
    wait_for_ops()


def fill(qtbot: QtBot, d: PlanDialog, provider: str, merchant: str, total: str, n: int, fee: str = "") -> None:
    d.provider.setCurrentIndex(d.provider.findData(provider))
    d.merchant.setText(merchant)  # QTest cannot type CJK characters
    qtbot.keyClicks(d.total, total)
    if fee:
        qtbot.keyClicks(d.fee, fee)
    d.installments.setValue(n)


def schedule(d: PlanDialog) -> list[tuple[str, str]]:
    return [(d.schedule.item(i, 1).text(), d.schedule.item(i, 2).text()) for i in range(d.schedule.rowCount())]


def test_plan_from_the_import_page_with_a_screenshot(qtbot: QtBot, win: MainWindow, tmp_path: Path) -> None:
    page = win.page("import")
    assert isinstance(page, ImportPage)
    qtbot.mouseClick(page.plan_button, Qt.MouseButton.LeftButton)
    d = page.plan_dialog
    assert d is not None and d.isVisible()
    fill(qtbot, d, "pdd_xianyong", "拼多多 手机壳", "100.00", 3)
    d.first_due.setDate(QDate(2026, 12, 31))
    d.cadence.setCurrentIndex(d.cadence.findData("1m"))
    assert schedule(d) == [("2026-12-31", "¥33.33"), ("2027-01-31", "¥33.33"), ("2027-02-28", "¥33.34")]
    assert d.summary.text() == "You repay ¥100.00 in 3 installments, the last on 2027-02-28."
    assert d.first_due.calendarPopup()
    assert_accessible(d)

    shot = tmp_path / "pdd.png"
    image = QImage(64, 64, QImage.Format.Format_RGB32)
    image.fill(QColor("#e02e24"))
    assert image.save(str(shot), "PNG")
    d.ask_files = lambda: [str(shot)]
    qtbot.mouseClick(d.attach_button, Qt.MouseButton.LeftButton)
    assert d.attached.text() == "1 file: pdd.png"
    qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: d.plan is not None and not d.isVisible(), timeout=20_000)

    vault = win.vault
    assert vault is not None
    [plan] = list_plans(vault)
    assert plan.merchant == "拼多多 手机壳" and plan.cadence == "1m" and plan.first_due == date(2026, 12, 31)
    assert [i.amount.minor for i in plan.installments] == [3333, 3333, 3334]
    assert vault.scalar("SELECT provider_id FROM accounts WHERE id = ?", (plan.account_id,)) == "pdd_xianyong"
    links = vault.query("SELECT evidence_id FROM evidence_links WHERE entity = 'plan' AND entity_id = ?", (plan.id,))
    assert len(links) == 1 and evidence_bytes(vault, int(links[0][0])) == shot.read_bytes()
    assert "Plan saved: 拼多多 手机壳, 3 installments." in page.result_label.text()
    assert win.page("evidence").model.rowCount() == 1  # type: ignore[attr-defined]


def test_fee_cadence_and_currency(qtbot: QtBot, dialog: PlanDialog) -> None:
    d = dialog
    fill(qtbot, d, "klarna", "Zalando", "100", 3, fee="5")
    assert d.currency.currentData() == "EUR"  # from the provider
    d.first_due.setDate(QDate(2026, 12, 1))
    d.cadence.setCurrentIndex(d.cadence.findData("2w"))
    assert schedule(d) == [("2026-12-01", "€35.00"), ("2026-12-15", "€35.00"), ("2026-12-29", "€35.00")]
    d.cadence.setCurrentIndex(d.cadence.findData("30d"))
    assert schedule(d)[1][0] == "2026-12-31"
    d.currency.setCurrentIndex(d.currency.findData("GBP"))
    assert schedule(d)[0][1] == "£35.00"


def test_bad_amounts_are_said_inline(qtbot: QtBot, dialog: PlanDialog) -> None:
    d = dialog
    assert not d.save_button.isEnabled() and d.error.text() == ""  # nothing typed yet: no scolding
    qtbot.keyClicks(d.total, "12,5x")
    assert d.error.text() == "“12,5x” is not an amount." and not d.save_button.isEnabled()
    d.total.setText("-3")
    assert d.error.text() == "Enter the total price, more than zero."
    d.total.setText("¥1,200.00")
    assert d.error.text() == "" and d.save_button.isEnabled() and d.schedule.rowCount() == 4
    d.fee.setText("-1")
    assert d.error.text() == "The fee cannot be negative." and d.schedule.rowCount() == 0
    d.fee.setText("")
    d.installments.setValue(120)
    assert d.schedule.rowCount() == 120 and d.installments.maximum() == 120 and d.installments.minimum() == 1


def test_retranslate(qtbot: QtBot, dialog: PlanDialog, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "_translation", Marked())
    dialog.retranslate()
    assert dialog.windowTitle() == "‹Enter a plan by hand›"
    assert dialog.cadence.itemText(1) == "‹Every month›"
    assert dialog.save_button.text() == "‹&Save plan›"
    monkeypatch.setattr(i18n, "_translation", gettext.NullTranslations())


def test_plan_from_the_accounts_page_refreshes_every_page(qtbot: QtBot, win: MainWindow) -> None:
    from mybnpl.ui.pages.accounts import AccountsPage

    page = win.page("accounts")
    assert isinstance(page, AccountsPage) and page.plan_button.isEnabled()
    qtbot.mouseClick(page.plan_button, Qt.MouseButton.LeftButton)
    d = page.plan_dialog
    assert d is not None and d.isVisible()
    fill(qtbot, d, "afterpay", "ASOS", "120.00", 4)
    qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: d.plan is not None and not d.isVisible(), timeout=20_000)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5_000)  # the new Afterpay account is listed
    win.lock()
    assert not page.plan_button.isEnabled()
