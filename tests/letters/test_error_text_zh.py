"""Letter errors (drafting, editing, sending, exporting, the legal data) read as whole Chinese sentences."""

from __future__ import annotations

from pathlib import Path

from mybnpl.core.errors import NotFound
from mybnpl.letters.export import export_letter
from mybnpl.services import letters as letters_svc
from mybnpl.services.catalog import load_catalog
from mybnpl.vault.db import Vault

from ..zh_errors import zh_error
from .conftest import TODAY, account_id


def _draft(vault: Vault, kind: str, provider: str, jur: str, **kw: object) -> letters_svc.Draft:
    return letters_svc.draft_letter(vault, load_catalog(), letters_svc.load_legal(), kind,
                                    account_id(vault, provider), jur, "zh", TODAY, **kw)  # type: ignore[arg-type]


def test_drafting_errors_name_the_product_in_chinese(demo: Vault) -> None:
    text = zh_error(lambda: _draft(demo, "complaint", "meituan_yuefu", "UK"), "invalid_input")
    assert "meituan_yuefu" not in text and "美团月付" in text and "不在 UK 经营" in text
    assert "信函类型" in zh_error(lambda: _draft(demo, "poem", "meituan_yuefu", "CN"), "invalid_input")
    assert "字段" in zh_error(lambda: _draft(demo, "complaint", "meituan_yuefu", "CN",
                                             extra={"favourite_colour": "blue"}), "invalid_input")
    assert zh_error(lambda: _draft(demo, "complaint", "meituan_yuefu", "CN", case_id=999),
                                     "not_found", NotFound).rstrip("。") == "找不到案件 999"
    assert "渠道" in zh_error(lambda: _draft(demo, "regulator", "meituan_yuefu", "CN", channel="nowhere"),
                              "invalid_input")


def test_sent_letters_and_exports(demo: Vault, tmp_path: Path) -> None:
    d = _draft(demo, "complaint", "meituan_yuefu", "CN")
    assert "寄出日期在未来" in zh_error(lambda: letters_svc.mark_sent(demo, d.id, TODAY.replace(year=2030),
                                                                  today=TODAY), "invalid_input")
    letters_svc.mark_sent(demo, d.id, TODAY, today=TODAY)
    assert "已标记为寄出" in zh_error(lambda: letters_svc.mark_sent(demo, d.id, TODAY, today=TODAY),
                                     "invalid_input")
    assert "不能再修改" in zh_error(lambda: letters_svc.update_letter_text(demo, d.id, "new"), "invalid_input")
    assert "找不到信函 999" in zh_error(lambda: letters_svc.get_letter(demo, 999), "not_found", NotFound)
    text = zh_error(lambda: export_letter("x", "t", [], tmp_path / "x.odt", "zh"), "invalid_input")
    assert "x.odt" in text and "信函只能导出为" in text
    legal = letters_svc.load_legal()
    assert "法域" in zh_error(lambda: legal.jurisdiction("XX"), "not_found", NotFound)
    assert "期限规则" in zh_error(lambda: legal.deadline("nope"), "not_found", NotFound)
