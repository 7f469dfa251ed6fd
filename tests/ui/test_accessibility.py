"""Accessibility on every page of the main window, in both languages: whatever takes keyboard focus has a
name a screen reader can say, and Tab moves through each page without getting stuck."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QTabBar, QWidget
from pytestqt.qtbot import QtBot

from mybnpl.ui.language import apply_language
from mybnpl.ui.main_window import MainWindow
from mybnpl.ui.worker import wait_for_ops


def _spoken_name(w: QWidget) -> str:
    """What a screen reader announces: the accessible name, a button's text, or the text of a label that
    names the widget as its buddy."""
    if w.accessibleName().strip():
        return w.accessibleName()
    if isinstance(w, QAbstractButton) and w.text().replace("&", "").strip():
        return w.text()
    if isinstance(w, QTabBar) and w.count() and all(w.tabText(i).strip() for i in range(w.count())):
        return w.tabText(w.currentIndex())  # each tab is announced by its title
    for label in w.window().findChildren(QLabel):
        if label.buddy() is w and label.text().strip():
            return label.text()
    return ""


def _focusable(root: QWidget) -> list[QWidget]:
    return [w for w in root.findChildren(QWidget)
            if w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus
            and w.focusProxy() is None]


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_every_focusable_widget_on_every_page_has_a_name(qtbot: QtBot, window: MainWindow, lang: str) -> None:
    apply_language(lang)
    window.retranslate()
    window.show()
    unnamed: list[str] = []
    for key in window.pages:
        window.show_page(key)
        wait_for_ops()
        QApplication.processEvents()
        for w in _focusable(window.stack.currentWidget()):
            if not _spoken_name(w):
                unnamed.append(f"{key}: {type(w).__name__} {w.objectName() or '(no object name)'}")
    assert unnamed == [], "\n".join(unnamed)


def test_tab_reaches_every_page_and_the_navigation(qtbot: QtBot, window: MainWindow) -> None:
    window.show()
    for key in window.pages:
        window.show_page(key)
        wait_for_ops()
        page = window.stack.currentWidget()
        targets = _focusable(page)
        assert targets, key
        targets[0].setFocus()
        seen = set()
        for _ in range(len(targets) + 5):  # Tab visits each widget of the page once, then leaves it
            seen.add(QApplication.focusWidget())
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert len(seen) >= min(3, len(targets)), key
