"""Op: background work with GUI-thread callbacks, user errors translated, bugs reported without secrets."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from mybnpl.core.errors import InvalidInput
from mybnpl.ui.worker import Op, Progress, sanitized_traceback
from mybnpl.vault.errors import WrongPassphrase


def _parent(qtbot: QtBot) -> QWidget:
    w = QWidget()
    qtbot.addWidget(w)
    return w


def test_success_runs_off_thread_and_returns_on_gui_thread(qtbot: QtBot) -> None:
    parent = _parent(qtbot)
    seen: dict[str, object] = {}

    def work() -> int:
        seen["worker"] = threading.current_thread() is threading.main_thread()
        return 42

    def done(value: int) -> None:
        seen["value"] = value
        seen["gui"] = QThread.currentThread() is QApplication.instance().thread()  # type: ignore[union-attr]

    finished: list[bool] = []
    op = Op(parent, work).success(done).finally_(lambda: finished.append(True)).run()
    qtbot.waitUntil(lambda: op.done)
    assert seen == {"worker": False, "value": 42, "gui": True}
    assert finished == [True]


def test_user_error_goes_to_failure_callback(qtbot: QtBot) -> None:
    parent = _parent(qtbot)
    errors: list[Exception] = []

    def work() -> None:
        raise WrongPassphrase()

    op = Op(parent, work).success(lambda _r: errors.append(AssertionError())).failure(errors.append).run()
    qtbot.waitUntil(lambda: op.done)
    assert len(errors) == 1 and isinstance(errors[0], WrongPassphrase)


def test_user_error_without_handler_is_shown_translated(qtbot: QtBot) -> None:
    parent = _parent(qtbot)

    def work() -> None:
        raise InvalidInput(detail="amount")

    op = Op(parent, work).run()
    qtbot.waitUntil(lambda: op.done)
    box = parent.findChild(QMessageBox, "userErrorBox")
    assert box is not None and box.text() == "Invalid input: amount"
    box.close()


def test_bug_is_reported_without_its_message(qtbot: QtBot) -> None:
    parent = _parent(qtbot)
    secret = "hunter2-passphrase"

    def work() -> None:
        raise RuntimeError(f"boom with {secret}")

    failures: list[Exception] = []
    op = Op(parent, work).failure(failures.append).run()
    qtbot.waitUntil(lambda: op.done)
    assert failures == []  # a bug is not a user error
    box = parent.findChild(QMessageBox, "bugBox")
    assert box is not None
    assert "RuntimeError" in box.detailedText()
    assert secret not in box.detailedText() and secret not in box.text()
    box.close()


def test_sanitized_traceback_has_no_message() -> None:
    try:
        raise ValueError("key=abcdef")
    except ValueError as e:
        text = sanitized_traceback(e)
    assert "ValueError" in text and "abcdef" not in text and "test_worker.py" in text


def test_progress_and_cancel(qtbot: QtBot) -> None:
    parent = _parent(qtbot)
    started = threading.Event()
    release = threading.Event()
    reports: list[tuple[int, int, str]] = []
    cancelled: list[bool] = []

    def work(progress: Progress) -> int:
        progress.report(1, 10, "step")
        started.set()
        release.wait(5)
        progress.check()
        return 1

    op = (Op.with_progress(parent, work).on_progress(lambda d, t, label: reports.append((d, t, label)))
          .success(lambda _r: cancelled.append(False)).cancelled(lambda: cancelled.append(True)).run())
    assert started.wait(5)
    op.cancel()
    release.set()
    qtbot.waitUntil(lambda: op.done)
    assert cancelled == [True]
    assert reports == [(1, 10, "step")]


def test_callbacks_skipped_when_parent_deleted(qtbot: QtBot) -> None:
    parent = QWidget()
    release = threading.Event()
    called: list[int] = []
    op = Op(parent, lambda: release.wait(5)).success(lambda _r: called.append(1)).run()
    parent.deleteLater()
    qtbot.waitUntil(lambda: not _alive(parent))
    release.set()
    qtbot.waitUntil(lambda: op.done)
    assert called == []


def _alive(w: QWidget) -> bool:
    from shiboken6 import isValid

    return bool(isValid(w))
