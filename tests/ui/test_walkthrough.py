"""The new-user pass of issue #8 through the real GUI, in both languages: the first-run wizard, every sample file
imported (or refused with the right code), a consent record and the finding it produces, a reminder, a letter, a
dossier that verifies, lock and unlock, back up and restore. The driver is ``tools/walkthrough.py`` (which also
records the screenshots in docs/walkthrough/); here it runs offscreen without screenshots."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from mybnpl.ui.language import apply_language

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
# The 21 files of ../shared/realdata, as kept in tests/fixtures (same bytes; the Chinese exports renamed).
SAMPLES = [FIXTURES / "intl" / n for n in (
    "CSV_A_20180414_112204.csv", "MS_JANE_SMITH_01-12-2019_14-12-2019.csv",
    "export_KBC-Mastercard Business Essential_20200204_1604.csv", "test_swedebank_statement.xls")] + [
    FIXTURES / "cn" / "alipay_2023.csv", FIXTURES / "intl" / "交易明细_xxxx_2025xxxx_2025xxxx.xls",
    FIXTURES / "intl" / "example-citic-records.xls", FIXTURES / "cn" / "jd_2025.csv", FIXTURES / "cn" / "meituan.csv",
    FIXTURES / "cn" / "wechat.csv", FIXTURES / "cn" / "wechat.xlsx", FIXTURES / "cn" / "jd_2024.csv",
    FIXTURES / "cn" / "alipay_2021.csv", FIXTURES / "intl" / "checking.ofx",
    FIXTURES / "intl" / "decimal_error.ofx"] + [
    FIXTURES / "pdf" / n for n in ("empty.pdf", "issue-912.pdf", "malformed-from-issue-932.pdf",
                                   "password-example.pdf", "senate-expenditures.pdf")] + [
    FIXTURES / "cn" / "wechat_trim21.csv"]
# What the user ends up with for each file: (outcome, error code).
EXPECTED: dict[str, tuple[str, str]] = {
    "CSV_A_20180414_112204.csv": ("imported", ""),  # Rabobank, through the column mapping
    "MS_JANE_SMITH_01-12-2019_14-12-2019.csv": ("imported", ""),
    "export_KBC-Mastercard Business Essential_20200204_1604.csv": ("imported", ""),
    "test_swedebank_statement.xls": ("imported", ""),
    "alipay_2023.csv": ("imported", ""),
    "交易明细_xxxx_2025xxxx_2025xxxx.xls": ("imported", ""),
    "example-citic-records.xls": ("imported", ""),
    "jd_2025.csv": ("imported", ""),
    "meituan.csv": ("imported", ""),
    "wechat.csv": ("imported", ""),
    "wechat.xlsx": ("duplicate", ""),  # the same bill as wechat.csv
    "jd_2024.csv": ("imported", ""),
    "alipay_2021.csv": ("imported", ""),
    "checking.ofx": ("imported", ""),
    "decimal_error.ofx": ("error", "corrupt"),
    "empty.pdf": ("error", "empty"),
    "issue-912.pdf": ("imported", ""),
    "malformed-from-issue-932.pdf": ("kept_as_evidence", "no_text_layer"),
    "password-example.pdf": ("kept_as_evidence", "unsupported_format"),  # opens with "test"; no table: kept
    "senate-expenditures.pdf": ("imported", ""),
    "wechat_trim21.csv": ("imported", ""),
}


def _driver() -> ModuleType:
    path = ROOT / "tools" / "walkthrough.py"
    spec = importlib.util.spec_from_file_location("mybnpl_walkthrough", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def walkthrough() -> ModuleType:
    return _driver()


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_new_user_pass(qtbot: QtBot, tmp_path: Path, walkthrough: ModuleType, lang: str) -> None:
    assert all(p.exists() for p in SAMPLES) and len(SAMPLES) == 21
    walk = walkthrough.Walkthrough(tmp_path, SAMPLES, lang, out=None)
    try:
        results: dict[str, Any] = walk.run()
    finally:
        apply_language("en")

    # a. the wizard went through every page and created a passphrase vault with a recovery key
    names = [s["name"] for s in results["steps"]]
    assert names[:2] == ["wizard-welcome", "wizard-protection"]
    assert "wizard-recovery-confirmed" in names and "dashboard-empty" in names
    assert results["recovery_key_groups"] >= 8

    # b. every file: imported, a duplicate, or refused with the code the user is told about
    got = {Path(o["file"]).name: (o["outcome"], o["code"]) for o in results["imports"]}
    assert got == EXPECTED
    assert "bugs" not in results, results["bugs"]  # no button ended in the bug box
    imported = {Path(o["file"]).name: o for o in results["imports"] if o["outcome"] == "imported"}
    assert imported["meituan.csv"]["provider"] == "meituan_yuefu" and imported["meituan.csv"]["bnpl_rows"] > 0
    assert imported["alipay_2023.csv"]["format"] == "alipay_csv"
    assert all(o["imported"] > 0 for o in imported.values())
    password = next(o for o in results["imports"] if o["file"] == "password-example.pdf")
    assert any(s.startswith("password asked") for s in password["steps"])  # "test" was typed in the prompt
    mapped = [o for o in results["imports"] if any(s.startswith("mapping asked") for s in o["steps"])]
    assert len(mapped) == 8

    # c. the consent record ("never enabled") and the unconsented-enrollment finding it supports
    assert results["finding"]["kind"] == "unconsented_enrollment"
    assert results["finding"]["provider"] == "meituan_yuefu"

    # d. the plan due tomorrow raised a reminder, shown as a notification and in the Dashboard's bar
    assert len(results["notifications"]) == 1 and results["reminder_bar"]
    assert "102.75" in results["notifications"][0]["title"]

    # e. the complaint letter was drafted from the finding and exported to PDF
    assert results["letter"]["kind"] == "complaint" and results["letter"]["status"] == "draft"
    assert results["letter_choice"]["finding"] == results["finding"]["id"]
    assert results["letter"]["pdf_bytes"] > 1000

    # f. the dossier exported with progress and verifies; a copy with one changed byte does not
    dossier = results["dossier"]
    assert dossier["verified"] is True and dossier["pages"] >= 3 and dossier["evidence"] >= 1
    assert dossier["progress_steps"]
    assert dossier["altered_copy_verified"] is not True

    # g. lock hid the window; a wrong passphrase was refused, the right one unlocked
    assert results["locked_window_hidden"] is True and results["unlocked"] is True

    # h. the restore undid the account added after the backup: the same counts as at backup time
    backup = results["backup"]
    assert backup["counts_changed"]["accounts"] == backup["counts_at_backup"]["accounts"] + 1
    assert backup["restored_same"] is True
    assert backup["counts_at_backup"]["transactions"] > 150
