"""Every user-facing string has a Chinese translation and the compiled catalog is current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mybnpl import i18n

ROOT = Path(__file__).resolve().parents[1]


def test_catalogs_complete_and_compiled() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "i18n.py"), "--check"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_switching_language_changes_messages() -> None:
    assert i18n.set_language("zh") == "zh_CN"
    try:
        assert i18n._("Wrong passphrase. The vault was not changed.") != "Wrong passphrase. The vault was not changed."
    finally:
        i18n.set_language("en")
    assert i18n._("Wrong passphrase. The vault was not changed.") == "Wrong passphrase. The vault was not changed."


def test_language_normalisation() -> None:
    assert i18n.normalize("zh-CN") == "zh_CN"
    assert i18n.normalize("zh_Hans.UTF-8") == "zh_CN"
    assert i18n.normalize("de_DE") == "en"
    assert i18n.system_language({"LANG": "zh_CN.UTF-8"}) == "zh_CN"
