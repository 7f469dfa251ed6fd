"""MYBNPL_SMOKE_QUIT_AFTER_MS: the test-only hook that packaging/build.sh and benchmarks/bench_startup.py use."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtWidgets import QApplication, QMainWindow
from pytestqt.qtbot import QtBot

from mybnpl.ui.smoke import MARKER, SMOKE_ENV, SmokeProbe, open_for_smoke, smoke_quit_after_ms
from mybnpl.vault.keys import KdfParams
from mybnpl.vault.keystore import MemoryKeyStore
from mybnpl.vault.manager import KeyMode, VaultManager

PASSPHRASE = "smoke passphrase"


@pytest.mark.parametrize(("raw", "expected"), [
    (None, None), ("", None), ("abc", None), ("-5", None), ("1.5", None), ("0", 0), (" 250 ", 250),
])
def test_the_hook_is_off_unless_a_whole_number_is_set(raw: str | None, expected: int | None) -> None:
    environ = {} if raw is None else {SMOKE_ENV: raw}
    assert smoke_quit_after_ms(environ) == expected


def _passphrase_vault(tmp_path: Path, fast_kdf: KdfParams) -> VaultManager:
    manager = VaultManager(tmp_path / "v.mybnpl", MemoryKeyStore(), kdf=fast_kdf)
    vault, _recovery = manager.create(KeyMode.PASSPHRASE, PASSPHRASE)
    vault.close()
    return manager


def test_open_for_smoke_uses_the_passphrase_variable(tmp_path: Path, fast_kdf: KdfParams) -> None:
    manager = _passphrase_vault(tmp_path, fast_kdf)
    vault = open_for_smoke(manager, {"MYBNPL_PASSPHRASE": PASSPHRASE})
    assert vault is not None
    vault.close()
    assert open_for_smoke(manager, {"MYBNPL_PASSPHRASE": "wrong"}) is None
    assert open_for_smoke(manager, {}) is None
    assert open_for_smoke(VaultManager(tmp_path / "none.mybnpl", MemoryKeyStore()), {
        "MYBNPL_PASSPHRASE": PASSPHRASE}) is None


def test_probe_reports_an_exposed_window_once_then_quits(qtbot: QtBot, qapp: QApplication) -> None:
    lines: list[str] = []
    probe = SmokeProbe(qapp, 60_000, note=lambda: "vault=open", write=lines.append)
    try:
        window = QMainWindow()
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: bool(lines), timeout=5000)
        window.hide()
        window.show()
        qtbot.wait(50)
    finally:
        qapp.removeEventFilter(probe)
    assert len(lines) == 1
    assert re.fullmatch(rf"{MARKER} shown QMainWindow vault=open at=\d+\.\d{{6}}", lines[0]), lines[0]
    calls: list[str] = []
    probe._app = SimpleNamespace(quit=lambda: calls.append("quit"),  # type: ignore[assignment]
                                 removeEventFilter=lambda obj: calls.append("unfilter"))
    probe._quit()
    assert calls == ["unfilter", "quit"]
    probe.deleteLater()


def test_the_app_opens_the_passphrase_vault_shows_the_main_window_and_quits(tmp_path: Path,
                                                                             fast_kdf: KdfParams) -> None:
    """End to end, in a child process: run() quits its event loop and leaves a QApplication behind, which must
    not be this test process's shared one."""
    manager = _passphrase_vault(tmp_path, fast_kdf)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MYBNPL_")}
    env.update(QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), MYBNPL_VAULT=str(manager.path), MYBNPL_PASSPHRASE=PASSPHRASE,
               **{SMOKE_ENV: "0"})
    proc = subprocess.run([sys.executable, "-m", "mybnpl", "--lang", "en"], env=env, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-2000:]
    shown = [line for line in proc.stdout.splitlines() if line.startswith(MARKER)]
    assert shown and re.match(rf"{MARKER} shown MainWindow vault=open at=", shown[0]), proc.stdout
