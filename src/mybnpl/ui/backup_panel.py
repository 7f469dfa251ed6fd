"""Back up and restore the vault from Settings, with a progress bar and a Cancel button.

Both run off the GUI thread (:class:`~mybnpl.ui.worker.Op`) and report the pages copied. Cancelling stops the
copy: a cancelled backup leaves no file, a cancelled restore leaves the vault as it was (the restored copy is
only moved into place at the very end). A restore asks first, and asks for the backup's recovery key when the
backup was made before a key change (it then opens with that key only).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mybnpl.core.errors import UserError
from mybnpl.i18n import N_, _, error_text, tr
from mybnpl.ui.widgets import muted, on_click, set_text
from mybnpl.ui.worker import Op, Progress
from mybnpl.vault.db import Vault
from mybnpl.vault.errors import WrongRecoveryKey
from mybnpl.vault.keys import DbKey


class BackupPanel(QWidget):
    """Back up…, Restore…, and while one runs: a progress bar and Cancel. ``restored`` fires after a restore."""

    restored = Signal()

    def __init__(self, vault: Callable[[], Vault | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vault = vault
        self._op: Op[object] | None = None
        # Injectable for tests: a path or "" (cancelled); yes/no; a recovery key or "" (cancelled).
        self.ask_backup_path: Callable[[], str] = self._ask_backup_path
        self.ask_restore_path: Callable[[], str] = self._ask_restore_path
        self.confirm_restore: Callable[[str], bool] = self._confirm_restore
        self.ask_backup_key: Callable[[], str] = self._ask_backup_key
        self.backup_button = QPushButton()
        self.backup_button.setObjectName("backup")
        on_click(self.backup_button, self.backup)
        self.restore_button = QPushButton()
        self.restore_button.setObjectName("restore")
        on_click(self.restore_button, self.restore)
        self.progress = QProgressBar()
        self.progress.setObjectName("backupProgress")
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("backupCancel")
        on_click(self.cancel_button, self.cancel)
        self.status = muted(QLabel())
        self.status.setWordWrap(True)
        self.status.setObjectName("backupStatus")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.status)
        self._busy(False)
        self.retranslate()

    # -- state ----------------------------------------------------------------------------------------------
    def _busy(self, busy: bool, label: str = "") -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.progress.setRange(0, 0)  # "working" until the first report
        if label:
            set_text(self.status, label)
        self.set_enabled(self._vault() is not None and not busy)

    def set_enabled(self, enabled: bool) -> None:
        running = self._op is not None
        self.backup_button.setEnabled(enabled and not running)
        self.restore_button.setEnabled(enabled and not running)

    def _progressed(self, done: int, total: int, _label: str) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def _finished(self) -> None:
        self._op = None
        self._busy(False)

    def cancel(self) -> None:
        if self._op is not None:
            self._op.cancel()

    @staticmethod
    def _reporter(p: Progress) -> Callable[[int, int], None]:
        def report(done: int, total: int) -> None:
            p.check()  # raises Cancelled: the copy stops there
            p.report(done, total)
        return report

    # -- backup ---------------------------------------------------------------------------------------------
    def _ask_backup_path(self) -> str:
        default = Path.home() / f"mybnpl-backup-{datetime.now():%Y%m%d-%H%M}.mybnpl"
        name, _filter = QFileDialog.getSaveFileName(self, _("Back up the vault"), str(default),
                                                    _("mybnpl vaults (*.mybnpl)"))
        return name

    def backup(self) -> None:
        vault = self._vault()
        if vault is None or self._op is not None:
            return
        name = self.ask_backup_path()
        if not name:
            return
        from mybnpl.vault.backup import backup

        target = Path(name)
        op: Op[object] = Op.with_progress(self, lambda p: backup(vault, target, self._reporter(p)))
        self._op = op
        self._busy(True, _("Writing and checking the backup…"))
        (op.on_progress(self._progressed)
         .success(lambda _counts: set_text(self.status, tr(
             N_("Backup written and verified: {path}. It opens with your current recovery key."),
             path=str(target))))
         .failure(lambda err: set_text(self.status, error_text(err)))
         .cancelled(lambda: set_text(self.status, _("Backup cancelled; no file was written.")))
         .finally_(self._finished)
         .run())

    # -- restore --------------------------------------------------------------------------------------------
    def _ask_restore_path(self) -> str:
        name, _filter = QFileDialog.getOpenFileName(self, _("Restore from a backup"), str(Path.home()),
                                                    _("mybnpl vaults (*.mybnpl);;All files (*)"))
        return name

    def _confirm_restore(self, name: str) -> bool:
        answer = QMessageBox.question(
            self, _("Restore from a backup"),
            tr(N_("Replace everything in this vault with the backup {name}? The current vault file is kept next "
                  "to it (…before-restore-…), so nothing is lost."), name=name))
        return answer == QMessageBox.StandardButton.Yes

    def _ask_backup_key(self) -> str:
        text, ok = QInputDialog.getText(
            self, _("The backup's recovery key"),
            _("This backup was made with another key. Type the recovery key that was shown when it was made:"),
            QLineEdit.EchoMode.Password)
        return text if ok else ""

    def restore(self, backup_key: DbKey | None = None, path: Path | None = None) -> None:
        vault = self._vault()
        if vault is None or self._op is not None:
            return
        if path is None:
            name = self.ask_restore_path()
            if not name or not self.confirm_restore(Path(name).name):
                return
            path = Path(name)
        from mybnpl.vault.backup import restore

        src = path
        op: Op[object] = Op.with_progress(self, lambda p: restore(vault, src, backup_key, self._reporter(p)))
        self._op = op
        self._busy(True, _("Restoring the backup…"))

        def failed(err: UserError) -> None:
            set_text(self.status, error_text(err))
            if isinstance(err, WrongRecoveryKey) and backup_key is None:  # after this op has finished
                QTimer.singleShot(0, lambda: self._retry_with_key(src))

        def done(_counts: object) -> None:
            set_text(self.status, _("Backup restored. The previous vault file was kept next to it."))
            self.restored.emit()

        (op.on_progress(self._progressed)
         .success(done)
         .failure(failed)
         .cancelled(lambda: set_text(self.status, _("Restore cancelled; the vault was not changed.")))
         .finally_(self._finished)
         .run())

    def _retry_with_key(self, src: Path) -> None:
        from mybnpl.vault.keys import decode_recovery_key

        typed = self.ask_backup_key()
        if not typed:
            return
        try:
            key = decode_recovery_key(typed)
        except UserError as err:
            set_text(self.status, error_text(err))
            return
        self.restore(key, src)

    def retranslate(self) -> None:
        self.backup_button.setText(_("&Back up…"))
        self.restore_button.setText(_("Res&tore…"))
        self.cancel_button.setText(_("Cancel"))
        for b in (self.backup_button, self.restore_button, self.cancel_button):
            b.setAccessibleName(b.text().replace("&", "").replace("…", ""))
        self.progress.setAccessibleName(_("Progress"))
