"""`--lang zh`: errors of the import and letter commands are Chinese sentences, not English details."""

from __future__ import annotations

import re
from pathlib import Path

from .test_cli import Run


def _english_words(err: str, *keep: str) -> set[str]:
    for k in keep:
        err = err.replace(k, " ")
    return set(re.findall(r"[A-Za-z]{3,}", err.removeprefix("mybnpl:")))


def test_import_and_letter_errors_in_chinese(tmp_path: Path) -> None:
    run = Run(tmp_path, MYBNPL_PASSPHRASE="long enough passphrase", MYBNPL_TODAY="2026-12-01")
    assert run("demo")[0] == 0
    src = tmp_path / "a.csv"
    src.write_text("x\n", encoding="utf-8")
    code, _, err = run("--lang", "zh", "import", str(src), "--password-env", "NO_SUCH_VAR")
    assert code == 1 and "环境变量 NO_SUCH_VAR 未设置" in err and not _english_words(err, "NO_SUCH_VAR")
    code, _, err = run("--lang", "zh", "findings", "confirm", "999")
    assert code == 1 and "找不到发现 999" in err and not _english_words(err)
    code, _, err = run("--lang", "zh", "letter", "show", "999")
    assert code == 1 and "找不到信函 999" in err and not _english_words(err)
