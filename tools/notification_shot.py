"""Screenshot of a real reminder notification: mybnpl's tray icon under Xvfb with a tray host (trayer), the
reminder computed from a demo vault, shown with QSystemTrayIcon.showMessage, the screen captured by ImageMagick.

    xvfb-run -a -s "-screen 0 1280x800x24" sh -c 'trayer --edge top --align right --widthtype pixel \\
        --width 120 --height 28 & sleep 1; QT_QPA_PLATFORM=xcb .venv/bin/python tools/notification_shot.py OUT.png'
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import date, time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QSystemTrayIcon

from mybnpl.reminders.clock import at_day
from mybnpl.services import reminders as reminders_svc
from mybnpl.services.catalog import load_catalog
from mybnpl.services.demo import fill_demo
from mybnpl.ui.app import make_application
from mybnpl.ui.icons import app_icon
from mybnpl.ui.language import apply_language
from mybnpl.vault.keys import KdfParams
from mybnpl.vault.keystore import MemoryKeyStore
from mybnpl.vault.manager import KeyMode, VaultManager

TODAY = date(2026, 11, 30)


def main(argv: list[str]) -> int:
    out = Path(argv[0])
    lang = argv[1] if len(argv) > 1 else "en"
    app = make_application(["mybnpl"])
    apply_language(lang)
    if not QSystemTrayIcon.isSystemTrayAvailable():
        print("no system tray on this display (start trayer first)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        manager = VaultManager(Path(tmp) / "demo.mybnpl", MemoryKeyStore(usable=False),
                               kdf=KdfParams.fast_for_tests())
        vault, _ = manager.create(KeyMode.PASSPHRASE, "screenshot passphrase")
        catalog = load_catalog()
        fill_demo(vault, catalog, size="small", today=TODAY)
        notices = reminders_svc.pending_reminders(vault, catalog, at_day(TODAY, at=time(9, 30)))
        vault.close()
    notice = next(n for n in notices if n.item.due_on >= TODAY)
    tray = QSystemTrayIcon(app_icon())
    tray.show()

    def message() -> None:
        tray.showMessage(notice.title, notice.body, app_icon(), 20_000)

    def shoot() -> None:
        subprocess.run(["import", "-window", "root", "-crop", "440x96+840+0", str(out)], check=True)
        app.quit()

    QTimer.singleShot(800, message)
    QTimer.singleShot(2500, shoot)
    app.exec()
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
