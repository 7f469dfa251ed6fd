"""Errors raised in mybnpl.core (English msgids listed in i18n.CORE_MESSAGES) render as Chinese sentences."""

from __future__ import annotations

from decimal import Decimal

from mybnpl.core import richtext
from mybnpl.core.catalog import Catalog
from mybnpl.core.errors import NotFound
from mybnpl.core.money import Money
from mybnpl.core.schedule import due_dates, parse_cadence
from mybnpl.services.catalog import load_catalog

from ..zh_errors import zh_error


def test_money_schedule_and_richtext_errors_are_chinese() -> None:
    assert "不是金额" in zh_error(lambda: Money.parse("abc"), "invalid_input")
    assert "货币代码" in zh_error(lambda: Money(Decimal(1), "RMBX"), "invalid_input")
    assert "不能合并" in zh_error(lambda: Money.parse("1", "CNY") + Money.parse("1", "USD"), "invalid_input")
    assert "拆分份数" in zh_error(lambda: Money.parse("1").split(0), "invalid_input")
    assert "还款周期 3x" in zh_error(lambda: parse_cadence("3x"), "invalid_input")
    assert "至少要有一期" in zh_error(lambda: due_dates(__import__("datetime").date(2026, 1, 1), 0, "1m"),
                                       "invalid_input")
    assert "格式" in zh_error(lambda: richtext.from_json("not json"), "invalid_input")


def test_catalog_lookups_are_chinese() -> None:
    cat: Catalog = load_catalog()
    assert zh_error(lambda: cat.get("nope"), "not_found", NotFound) == "没有编号为 nope 的平台。"
    assert zh_error(lambda: cat.channel("nope"), "not_found", NotFound) == "没有编号为 nope 的渠道。"
