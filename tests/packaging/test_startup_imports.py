"""Start-up (issue 8): launching the desktop app must not import the command modules nor the main window's
pages (letters, dossiers, reportlab, pdfium…) before the first window (unlock dialog or wizard) is shown."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mybnpl.cli import Env, _parse_global_only, main

HEAVY = ("mybnpl.cli.case_cmds", "mybnpl.cli.dossier_cmds", "mybnpl.ui.main_window", "mybnpl.pdfdoc", "reportlab")


def test_gui_launch_imports_stay_light() -> None:
    code = (
        "import sys\n"
        "from mybnpl.cli import _parse_global_only\n"
        "import mybnpl.ui.app\n"
        "args = _parse_global_only(['--lang', 'en', '--vault', 'x.mybnpl', '--tray'])\n"
        "assert args is not None and args.command is None and args.tray and args.vault == 'x.mybnpl'\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


@pytest.mark.parametrize("argv", [["status"], ["-h"], ["--lang", "fr"], ["--today", "2020-02-30"], ["--bogus"],
                                  ["--vault", "x", "demo"]])
def test_anything_beyond_global_options_goes_to_the_full_parser(argv: list[str]) -> None:
    assert _parse_global_only(argv) is None


def test_version_without_the_full_parser(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"], Env()) == 0
    assert capsys.readouterr().out.startswith("mybnpl ")
