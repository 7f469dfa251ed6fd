"""The architecture rules of DEVELOPERS.md, enforced in the test run (import-linter contracts live in
pyproject.toml): core imports nothing of ours, only ui imports PySide6, nothing imports ui."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml")], cwd=ROOT, capture_output=True,
                          text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "broken" not in proc.stdout.lower() or "0 broken" in proc.stdout.lower()


def test_no_sql_tracing_or_file_temp_store_anywhere() -> None:
    for path in (ROOT / "src").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "set_trace_callback" not in text, path
        assert "temp_store = FILE" not in text and "temp_store=FILE" not in text, path


def test_modules_stay_small() -> None:
    too_big = [str(p.relative_to(ROOT)) for p in (ROOT / "src").rglob("*.py")
               if len(p.read_text(encoding="utf-8").splitlines()) > 600]
    assert too_big == []


def test_buttons_and_actions_connect_through_on_click() -> None:
    """``clicked``/``triggered`` pass a ``checked`` flag that a slot with an optional first parameter takes as its
    argument (the Dossiers page's Export… once received ``path=False`` and crashed): connect through
    ``widgets.on_click``, which drops it."""
    direct = [f"{p.relative_to(ROOT)}:{i}" for p in (ROOT / "src" / "mybnpl" / "ui").rglob("*.py")
              if p.name != "widgets.py"
              for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
              if ".clicked.connect(" in line or ".triggered.connect(" in line]
    assert direct == []
