"""One helper for every long task: run it off the GUI thread, get the result back on the GUI thread.

After Anki's ``CollectionOp``::

    Op(self, lambda: manager.open_with_passphrase(pw)).success(self._opened).failure(self._bad).run()

* ``fn`` runs on a :class:`QThreadPool` thread; the callbacks run on the GUI thread (queued signals).
* A :class:`~mybnpl.core.errors.UserError` goes to the ``failure`` callback, or, without one, is shown in a
  message box with its translated text (:func:`mybnpl.i18n.error_text`).
* Anything else is a bug: it is logged and reported with the exception type and code locations only, never
  the exception message or local values (they may hold a passphrase, a key or personal data).
* :meth:`Op.with_progress` gives ``fn`` a :class:`Progress` to report progress and check for cancellation.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget
from shiboken6 import isValid

from mybnpl.core.errors import UserError
from mybnpl.i18n import _, error_text

T = TypeVar("T")
log = logging.getLogger(__name__)

# Running ops, so that neither the Op nor its relay is garbage-collected before it reports back.
_RUNNING: set[Op[Any]] = set()


class Cancelled(Exception):
    """Raised by :meth:`Progress.check` when the user cancelled the operation."""


class Progress:
    """Handed to a progress-aware task: ``report(done, total, label)`` and cancellation checks."""

    def __init__(self, relay: _Relay) -> None:
        self._relay = relay
        self._cancel = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled

    def report(self, done: int, total: int = 0, label: str = "") -> None:
        self._relay.progressed.emit(done, total, label)


class _Relay(QObject):
    """Lives on the GUI thread; the worker emits its signals, the queued slots run on the GUI thread."""

    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int, str)

    def __init__(self, op: Op[Any]) -> None:
        super().__init__()
        self._op = op
        self.succeeded.connect(self._on_success, Qt.ConnectionType.QueuedConnection)
        self.failed.connect(self._on_failure, Qt.ConnectionType.QueuedConnection)
        self.progressed.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def _on_success(self, result: object) -> None:
        self._op._deliver_success(result)

    @Slot(object)
    def _on_failure(self, exc: object) -> None:
        assert isinstance(exc, BaseException)
        self._op._deliver_failure(exc)

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, label: str) -> None:
        self._op._deliver_progress(done, total, label)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[Progress], Any], progress: Progress, relay: _Relay) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._progress = progress
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn(self._progress)
        except BaseException as exc:  # delivered to the GUI thread, never lost
            self._relay.failed.emit(exc)
        else:
            self._relay.succeeded.emit(result)


def sanitized_traceback(exc: BaseException) -> str:
    """Exception type plus file:line:function of each frame: no message, no values."""
    frames = traceback.extract_tb(exc.__traceback__)
    lines = [f"  {f.filename.rsplit('/', 1)[-1]}:{f.lineno} in {f.name}" for f in frames]
    return f"{type(exc).__module__}.{type(exc).__qualname__}\n" + "\n".join(lines)


def show_user_error(parent: QWidget | None, err: UserError) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, _("mybnpl"), error_text(err), QMessageBox.StandardButton.Ok,
                      parent)
    box.setObjectName("userErrorBox")
    box.open()


def report_bug(parent: QWidget | None, exc: BaseException) -> None:
    details = sanitized_traceback(exc)
    log.error("bug in background task: %s", details)
    box = QMessageBox(QMessageBox.Icon.Critical, _("mybnpl"),
                      _("mybnpl hit a bug and could not finish this action. Your vault was not changed by "
                        "the failed step. Please report this problem with the details below; they contain "
                        "no personal data."),
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("bugBox")
    box.setDetailedText(details)
    box.open()


class Op(Generic[T]):
    """A background operation with GUI-thread callbacks. Build it, chain callbacks, then :meth:`run`."""

    pool: QThreadPool | None = None  # tests may set a private pool; None = the global one

    def __init__(self, parent: QWidget | None, fn: Callable[[], T]) -> None:
        self._init(parent, lambda _p: fn())

    @classmethod
    def with_progress(cls, parent: QWidget | None, fn: Callable[[Progress], T]) -> Op[T]:
        op: Op[T] = cls.__new__(cls)
        op._init(parent, fn)
        return op

    def _init(self, parent: QWidget | None, fn: Callable[[Progress], T]) -> None:
        self._parent = parent
        self._fn = fn
        self._on_success: Callable[[T], None] | None = None
        self._on_failure: Callable[[UserError], None] | None = None
        self._on_progress: Callable[[int, int, str], None] | None = None
        self._on_cancelled: Callable[[], None] | None = None
        self._on_finally: Callable[[], None] | None = None
        self._relay = _Relay(self)
        self.progress = Progress(self._relay)
        self.done = False

    def success(self, cb: Callable[[T], None]) -> Op[T]:
        self._on_success = cb
        return self

    def failure(self, cb: Callable[[UserError], None]) -> Op[T]:
        """Handle a :class:`UserError` yourself instead of the default message box. Bugs are still reported."""
        self._on_failure = cb
        return self

    def on_progress(self, cb: Callable[[int, int, str], None]) -> Op[T]:
        self._on_progress = cb
        return self

    def cancelled(self, cb: Callable[[], None]) -> Op[T]:
        self._on_cancelled = cb
        return self

    def finally_(self, cb: Callable[[], None]) -> Op[T]:
        """Runs after success, failure or cancellation (re-enable buttons here)."""
        self._on_finally = cb
        return self

    def cancel(self) -> None:
        self.progress.cancel()

    def run(self) -> Op[T]:
        _RUNNING.add(self)
        (self.pool or QThreadPool.globalInstance()).start(_Runnable(self._fn, self.progress, self._relay))
        return self

    # -- GUI thread -----------------------------------------------------------------------------------------
    def _parent_alive(self) -> bool:
        return self._parent is None or isValid(self._parent)

    def _finish(self) -> None:
        self.done = True
        _RUNNING.discard(self)
        if self._on_finally is not None and self._parent_alive():
            self._on_finally()

    def _deliver_success(self, result: object) -> None:
        try:
            if self._on_success is not None and self._parent_alive():
                self._on_success(result)  # type: ignore[arg-type]
        finally:
            self._finish()

    def _deliver_failure(self, exc: BaseException) -> None:
        try:
            if not self._parent_alive():
                return
            parent = self._parent
            if isinstance(exc, Cancelled):
                if self._on_cancelled is not None:
                    self._on_cancelled()
            elif isinstance(exc, UserError):
                if self._on_failure is not None:
                    self._on_failure(exc)
                else:
                    show_user_error(parent, exc)
            else:
                report_bug(parent, exc)
        finally:
            self._finish()

    def _deliver_progress(self, done: int, total: int, label: str) -> None:
        if self._on_progress is not None and self._parent_alive():
            self._on_progress(done, total, label)


def wait_for_ops(timeout_ms: int = 10_000) -> bool:
    """Block until the pool is idle (tests and shutdown). Queued callbacks still need the event loop."""
    return (Op.pool or QThreadPool.globalInstance()).waitForDone(timeout_ms)
