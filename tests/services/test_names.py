"""Names the user reads instead of ids: formats, providers and lists, in the active language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mybnpl import i18n
from mybnpl.services.catalog import load_catalog
from mybnpl.services.names import account_name, format_name, list_text, provider_name


@pytest.fixture
def zh() -> Iterator[None]:
    i18n.set_language("zh_CN")
    yield
    i18n.set_language("en")


def test_english_names() -> None:
    i18n.set_language("en")
    catalog = load_catalog()
    assert format_name("alipay_csv") == "Alipay export (CSV)" and format_name("new_format") == "new_format"
    assert provider_name(catalog, "huabei") == "Huabei (Alipay)"
    assert provider_name(catalog, None) == "" and provider_name(catalog, "gone_provider") == "gone_provider"
    assert list_text(["name", "phone"]) == "name; phone"


def test_chinese_names(zh: None) -> None:
    catalog = load_catalog()
    assert format_name("alipay_csv") == "支付宝导出文件（CSV）"
    assert provider_name(catalog, "huabei") == "花呗"
    assert list_text(["您的姓名", "联系电话"]) == "您的姓名、联系电话"


def test_account_names_say_the_product_once() -> None:
    i18n.set_language("en")
    catalog = load_catalog()
    meituan = catalog.get("meituan_yuefu")
    assert account_name(catalog, "meituan_yuefu", meituan.default_label()) == "Meituan Yuefu (monthly pay)"
    assert account_name(catalog, "klarna", "Klarna DE") == "Klarna – Klarna DE"
    assert account_name(catalog, "gone_provider", "old") == "gone_provider – old"


def test_os_errors_are_said_in_the_users_language(zh: None, tmp_path: Path) -> None:
    from mybnpl.core.errors import UserError
    from mybnpl.services import imports as imports_svc

    with pytest.raises(UserError) as err:
        imports_svc.read_file(tmp_path / "gone.csv")
    assert i18n.error_text(err.value) == "无法读取 gone.csv：文件或文件夹不存在"
    i18n.set_language("en")
    assert i18n.error_text(err.value) == "gone.csv could not be read: the file or folder does not exist"
