"""Switching language live: navigation, page titles, settings and tables follow; the vault stays open."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from mybnpl import i18n
from mybnpl.ui.main_window import MainWindow
from mybnpl.ui.pages.transactions import TransactionsPage


def _nav(window: MainWindow, row: int) -> str:
    return window.nav.item(row).text()


def _title(window: MainWindow, key: str) -> str:
    return window.page(key).title_label.text()


def test_menu_switches_to_chinese_and_back(qtbot: QtBot, window: MainWindow, zh_catalog: None) -> None:
    vault = window.vault
    assert _nav(window, 0) == "Dashboard" and _title(window, "accounts") == "Accounts"
    window.language_actions["zh_CN"].trigger()
    assert i18n.current_language() == "zh_CN"
    assert _nav(window, 0) == "总览"
    assert _title(window, "accounts") == "账户"
    assert window.file_menu.title() == "文件(&F)"
    tx = window.page("transactions")
    assert isinstance(tx, TransactionsPage)
    assert tx.model.headerData(0, Qt.Orientation.Horizontal) == "日期"
    assert window.ctx.config.get("language") == "zh_CN"
    combo = window.settings_page.editors["language"]
    assert isinstance(combo, QComboBox) and combo.currentData() == "zh_CN"
    assert window.vault is vault and vault is not None and not vault.closed

    window.language_actions["en"].trigger()
    assert _nav(window, 0) == "Dashboard" and _title(window, "accounts") == "Accounts"
    assert tx.model.headerData(0, Qt.Orientation.Horizontal) == "Date"


def test_settings_combo_switches_language(qtbot: QtBot, window: MainWindow, zh_catalog: None) -> None:
    combo = window.settings_page.editors["language"]
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData("zh_CN"))
    assert _nav(window, 8) == "设置" and _title(window, "settings") == "设置"
    assert window.language_actions["zh_CN"].isChecked()
    assert combo.itemText(combo.findData("auto")) == "跟随系统"
    assert combo.itemText(combo.findData("en")) == "English"  # each language in its own name
    combo.setCurrentIndex(combo.findData("en"))
    assert _nav(window, 8) == "Settings"
