"""Meituan 美团交易账单明细 on the real export in tests/fixtures/cn/meituan.csv (see PROVENANCE.md).

How the expected numbers were checked: the file was read by eye (``sed 's/\\r/<CR>/'`` shows the CRLF and the
``""`` preamble lines) and cross-checked with the stdlib ``csv`` module from the header on line 20: 29 rows,
收/支 支出 23 / 收入 6 (the preamble says the same), and 6 rows whose 支付方式 is 美团月付 with 实付金额
21.17 + 11.77 + 10.06 + 26.31 + 11.77 + 10.06 = 91.14 (two of them refunds). The 7th line naming 美团月付 is a
还款 row paid from a debit card.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from mybnpl.core.imports import ImportCode, ImportFailed, ParsedStatement
from mybnpl.core.models import Direction
from mybnpl.importers import alipay, base, jd, meituan, wechat
from mybnpl.importers.base import ParseOptions
from mybnpl.importers.cn_common import W_COUNT, W_TRUNCATED

CN = Path(__file__).resolve().parents[1] / "fixtures" / "cn"
MT = "meituan.csv"


def raw() -> bytes:
    return (CN / MT).read_bytes()


def parse(data: bytes) -> ParsedStatement:
    return meituan.parse(data, MT, ParseOptions())


def test_sniff() -> None:
    data = raw()
    assert meituan.sniff("", data, MT) == 95
    assert alipay.sniff("", data, MT) == wechat.sniff("", data, MT) == jd.sniff("", data, MT) == 0
    assert base.detect(data, MT) is meituan


def test_rows_amounts_and_bnpl() -> None:
    st = parse(raw())
    assert (st.format, st.provider_id) == ("meituan_csv", "meituan_yuefu")
    assert len(st.transactions) == 29
    assert {d: sum(1 for t in st.transactions if t.direction is d) for d in Direction} == {
        Direction.OUT: 23, Direction.IN: 6, Direction.NEUTRAL: 0}
    yuefu = [t for t in st.transactions if t.bnpl_product]
    assert {t.bnpl_product for t in yuefu} == {"meituan_yuefu"}
    assert (len(yuefu), sum((t.amount.amount for t in yuefu), Decimal(0))) == (6, Decimal("91.14"))
    assert [t.direction for t in yuefu].count(Direction.IN) == 2  # the two 退款 rows

    first, last = st.transactions[0], st.transactions[-1]
    assert (first.posted_on, first.posted_at) == (date(2025, 2, 28), "2025-02-28 20:35:25")  # 交易成功时间
    assert first.amount.amount == Decimal("21.17")  # 实付金额; 订单金额 was ¥22.30 before the discount
    assert first.description == "喜茶（北京大兴万科广场店） 订单详情（订单金额 ¥22.30）"
    assert (first.merchant, first.external_id, first.payment_method, first.category, first.row) == (
        "喜茶（北京大兴万科广场店）", "25022811100401670006000394166443", "美团月付", "支付", 21)
    assert (last.posted_at, last.amount.amount, last.merchant, last.external_id, last.description) == (
        "2025-02-02 21:30:30", Decimal("19.20"), "奶茶&果茶8选1", "25020211100401670002574136143443", "奶茶&果茶8选1")


def test_refunds_repayment_and_discounts() -> None:
    st = parse(raw())
    refunds = [t for t in st.transactions if t.category == "退款"]
    assert len(refunds) == 6 and all(t.direction is Direction.IN for t in refunds)
    repay = next(t for t in st.transactions if t.category == "还款")
    assert (repay.amount.amount, repay.direction, repay.bnpl_product, repay.payment_method) == (
        Decimal("48.12"), Direction.OUT, None, "中国银行储蓄卡(3147)")
    discounted = [t for t in st.transactions if "订单金额" in t.description]
    assert len(discounted) == 8  # rows where 订单金额 ≠ 实付金额


def test_statement_metadata_and_no_warnings() -> None:
    st = parse(raw())
    assert (st.period_start, st.period_end, st.account_hint) == (date(2025, 2, 1), date(2025, 2, 28),
                                                                 "SJT714453696")
    assert st.warnings == ()  # 共：29笔记录 and 29 rows, all inside February 2025


def test_summary_mismatch_is_a_warning() -> None:
    data = raw().replace("共：29笔记录".encode(), "共：30笔记录".encode())
    st = parse(data)
    assert len(st.transactions) == 29
    assert st.warnings == (W_COUNT,) and st.warning_params[0]["printed"] == "30"


def test_lf_and_gbk_variants_parse_the_same() -> None:
    base_rows = [t.to_json() for t in parse(raw()).transactions]
    text = raw().decode("utf-8-sig")
    for data in (text.replace("\r\n", "\n").encode("utf-8"), text.encode("gb18030")):
        assert [t.to_json() for t in parse(data).transactions] == base_rows


def test_truncated() -> None:
    data = raw()
    cut = data[: data.rstrip(b"\r\n").rfind(b"\n") + 50]
    st = parse(cut)
    assert len(st.transactions) == 28
    assert st.warnings == (W_TRUNCATED,)  # found = 28 + the cut row = 29, as printed


def test_missing_header_and_empty() -> None:
    lines = raw().split(b"\n")
    headless = b"\n".join(lines[:19] + lines[20:])
    assert meituan.sniff("", headless, MT) == 0
    with pytest.raises(ImportFailed) as e:
        parse(headless)
    assert e.value.code == ImportCode.UNSUPPORTED_FORMAT
    assert meituan.sniff("", b"", MT) == 0
    with pytest.raises(ImportFailed) as e:
        parse(b"")
    assert e.value.code == ImportCode.EMPTY
