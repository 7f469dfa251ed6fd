"""Guards against a broken Qt binding: PySide6 6.12.0 on Python 3.11 releases a reference to None on every
void call and aborts the app after a few thousand calls (pinned out in pyproject.toml)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot


def test_void_qt_calls_keep_none_alive(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for i in range(2000):
        label.setText(str(i))
    assert sys.getrefcount(None) >= before - 50
