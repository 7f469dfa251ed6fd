"""Screenshots of the app on a fresh demo vault, for the README and for looking at what we build.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshot.py OUT_DIR [--lang en|zh_CN] [--page KEY ...]

Creates a passphrase vault in a temporary directory, fills the small demo (findings computed by the real
checks), opens the main window at 1180x760 on each page and saves ``screenshot-<page>[-zh].png``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date, time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from mybnpl.config import Config
from mybnpl.core.richtext import RichDoc
from mybnpl.reminders.clock import at_day
from mybnpl.services.catalog import load_catalog
from mybnpl.services.demo import fill_demo
from mybnpl.ui.app import build_main_window, make_application
from mybnpl.ui.context import UiContext
from mybnpl.ui.language import apply_language
from mybnpl.ui.worker import wait_for_ops
from mybnpl.vault.keys import KdfParams
from mybnpl.vault.keystore import MemoryKeyStore
from mybnpl.vault.manager import KeyMode, VaultManager

TODAY = date(2026, 11, 30)


def settle(app: QApplication, rounds: int = 20) -> None:
    for _ in range(rounds):
        wait_for_ops()
        app.processEvents()


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--lang", default="en")
    ap.add_argument("--page", action="append", default=[])
    ap.add_argument("--empty", action="store_true", help="a new, empty vault: the empty states")
    args = ap.parse_args(argv)
    app = make_application(["mybnpl"])
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        manager = VaultManager(Path(tmp) / "demo.mybnpl", MemoryKeyStore(usable=False),
                               kdf=KdfParams.fast_for_tests())
        vault, _recovery = manager.create(KeyMode.PASSPHRASE, "screenshot passphrase")
        catalog = load_catalog()
        if not args.empty:
            fill_demo(vault, catalog, size="small", today=TODAY)
        ctx = UiContext(config=Config(Path(tmp) / "settings.json"), manager=manager, catalog=catalog,
                        today=lambda: TODAY, now=lambda: at_day(TODAY, at=time(9, 30)), platform_hooks=False)
        apply_language(args.lang)
        window = build_main_window(ctx, vault)
        window.resize(1180, 760)
        window.show()
        settle(app)
        window.reminders.check()  # what the tray shows at 09:30 also lands in the Dashboard's reminder bar
        settle(app)
        suffix = ("" if args.lang == "en" else "-zh") + ("-empty" if args.empty else "")
        for key in args.page or list(window.pages):
            window.show_page(key)
            settle(app)
            if key == "letters" and not args.empty:  # a drafted complaint about the unconsented enrollment
                from mybnpl.services import letters as letters_svc

                account = vault.query("SELECT id FROM accounts WHERE provider_id = 'meituan_yuefu'")[0][0]
                lang = "zh" if args.lang == "zh_CN" else "en"
                draft = letters_svc.draft_letter(vault, catalog, letters_svc.load_legal(), "complaint", account, "CN",
                                                 lang, TODAY)
                letters_svc.update_letter_text(vault, draft.id, "", _formatted(draft.text))
                window.pages[key].reload()
                settle(app)
            if key == "dossiers" and not args.empty:  # the pages of the first case's dossier
                page = window.pages[key]
                page.preview()  # type: ignore[attr-defined]
                for _ in range(50):
                    settle(app)
                    if getattr(page, "_op", None) is None:
                        break
            if key == "findings":  # show the finding the product is about, with the rows behind it
                page = window.pages[key]
                items = page.model.items
                chosen = next((f for f in items if f.kind == "unconsented_enrollment"), None)
                if chosen is not None:
                    window.show_finding(chosen.id)
                    settle(app)
            path = args.out / f"screenshot-{key}{suffix}.png"
            window.grab().save(str(path))
            print(path)
        if not args.page:  # the first-run wizard and the unlock dialog, as a new and a returning user see them
            from mybnpl.ui.unlock import UnlockDialog
            from mybnpl.ui.wizard import FirstRunWizard

            for name, dialog in (("wizard", FirstRunWizard(ctx)), ("unlock", UnlockDialog(ctx))):
                dialog.show()
                settle(app)
                path = args.out / f"screenshot-{name}{suffix}.png"
                dialog.grab().save(str(path))
                print(path)
                dialog.close()
        window.quit()
        settle(app)
    return 0


def _formatted(text: str) -> RichDoc:
    """The draft as a user might format it: section lines as headings, the deadline sentence in bold."""
    import re

    from mybnpl.core.richtext import Line, Run, from_text

    heading = re.compile(r"^([一二三四五六七八九十]、|What happened$|Rules I rely on$|Evidence enclosed$"
                         r"|I ask you to:$)")
    out = []
    for ln in from_text(text):
        if heading.match(ln.text):
            out.append(Line(ln.runs, "heading"))
        elif ln.text.startswith(("请于", "Please reply", "Please do this")):
            out.append(Line((Run(ln.text, bold=True),)))
        else:
            out.append(ln)
    return tuple(out)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
