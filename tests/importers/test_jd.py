"""JD.com 京东交易流水 on the two real layouts in tests/fixtures/cn (see PROVENANCE.md).

How the expected numbers were checked: both files were read by eye and cross-checked with the stdlib ``csv``
module from the header on line 22. jd_2025.csv: 26 rows, 收/支 支出 16 / 不计收支 10 (as its preamble says), 3 rows
paid with 先享后付 (0.00 + 0.00 + 35.61). Its 支出 rows add up to 2277.70; minus the four partial refunds in their
amount notes (89.84 + 70.48 + 233.45 + 235.50) that is 1648.43, the 支出 total the preamble prints.
jd_2024.csv: 15 rows, 支出 6 / 收入 5 / 不计收支 4, 11 rows paid with 京东白条 adding up to 999.45 (including the
冻结/解冻 pair of a 先享后付 PLUS card: 99.00 and 0.00); the 12th line naming 白条 is a 白条主动还款 from 小金库.
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
from mybnpl.importers.cn_common import W_COUNT, W_PERIOD, W_TRUNCATED

CN = Path(__file__).resolve().parents[1] / "fixtures" / "cn"
NEW, OLD = "jd_2025.csv", "jd_2024.csv"


def raw(name: str) -> bytes:
    return (CN / name).read_bytes()


def parse(data: bytes, name: str = "jd.csv") -> ParsedStatement:
    return jd.parse(data, name, ParseOptions())


def directions(st: ParsedStatement) -> dict[str, int]:
    return {d.value: sum(1 for t in st.transactions if t.direction is d) for d in Direction}


def bnpl(st: ParsedStatement) -> tuple[int, Decimal]:
    rows = [t for t in st.transactions if t.bnpl_product]
    assert {t.bnpl_product for t in rows} <= {"jd_baitiao"}
    return len(rows), sum((t.amount.amount for t in rows), Decimal(0))


def test_sniff() -> None:
    for name in (NEW, OLD):
        data = raw(name)
        assert jd.sniff("", data, name) == 95
        assert alipay.sniff("", data, name) == wechat.sniff("", data, name) == meituan.sniff("", data, name) == 0
        assert base.detect(data, name) is jd


def test_2025_layout() -> None:
    st = parse(raw(NEW), NEW)
    assert (st.format, st.provider_id) == ("jd_csv", "jd_baitiao")
    assert len(st.transactions) == 26
    assert directions(st) == {"out": 16, "in": 0, "neutral": 10}
    assert bnpl(st) == (3, Decimal("35.61"))  # 先享后付 rows
    first, last = st.transactions[0], st.transactions[-1]
    assert (first.posted_on, first.posted_at, first.amount.amount, first.merchant) == (
        date(2024, 12, 30), "2024-12-30 17:16:02", Decimal("10.20"), "京东物流")  # the time cell ends in a TAB
    assert (first.external_id, first.description, first.payment_method, first.category, first.row) == (
        "JDX100000011234", "京东外部商户", "钱包余额", "收发快递", 23)
    assert (last.posted_at, last.amount.amount, last.status, last.external_id) == (
        "2024-12-05 22:49:55", Decimal("235.61"), "交易成功(已退款235.50)", "100000011234")
    partial = st.transactions[3]
    assert (partial.amount.amount, partial.status, partial.direction) == (
        Decimal("131.77"), "交易成功(已退款89.84)", Direction.OUT)
    full = st.transactions[13]
    assert (full.amount.amount, full.status, full.direction) == (
        Decimal("468.32"), "交易成功(已全额退款)", Direction.NEUTRAL)
    assert (st.period_start, st.period_end, st.account_hint) == (date(2024, 12, 1), date(2024, 12, 31),
                                                                 "jd_55370d18d5bb4")
    assert st.warnings == ()


def test_2025_outflow_matches_the_printed_total_once_refund_notes_are_netted() -> None:
    st = parse(raw(NEW), NEW)
    out = sum((t.amount.amount for t in st.transactions if t.direction is Direction.OUT), Decimal(0))
    refunded = sum((Decimal(t.status.split("已退款")[1].rstrip(")")) for t in st.transactions
                    if "(已退款" in t.status), Decimal(0))
    assert (out, refunded, out - refunded) == (Decimal("2277.70"), Decimal("629.27"), Decimal("1648.43"))


def test_2024_layout_with_baitiao_and_a_freeze_pair() -> None:
    st = parse(raw(OLD), OLD)
    assert len(st.transactions) == 15
    assert directions(st) == {"out": 6, "in": 5, "neutral": 4}
    assert bnpl(st) == (11, Decimal("999.45"))
    release, purchase, freeze = st.transactions[:3]
    assert (release.description, release.amount.amount, release.direction) == (
        "解冻-PLUS京典年卡(先享后付)", Decimal("0.00"), Direction.NEUTRAL)
    assert (freeze.description, freeze.amount.amount, freeze.direction, freeze.merchant) == (
        "冻结-PLUS京典年卡(先享后付)", Decimal("99.00"), Direction.NEUTRAL, "")  # 商户名称 "null"
    assert (purchase.amount.amount, purchase.direction, purchase.bnpl_product) == (
        Decimal("99.00"), Direction.OUT, "jd_baitiao")
    repay = st.transactions[9]
    assert (repay.description, repay.bnpl_product, repay.direction) == ("白条主动还款", None, Direction.NEUTRAL)
    assert st.transactions[8].external_id is None  # 交易订单号 is a lone space
    last = st.transactions[-1]
    assert (last.posted_at, last.amount.amount, last.merchant, last.external_id) == (
        "2021-11-17 23:06:50", Decimal("2990.13"), "京东金融", "2000000000000079")
    # 共：212笔记录 vs 15 rows; the 3 rows of 2022/2023 lie outside 2021-01-01..2021-12-30. The pair matched.
    assert st.warnings == (W_COUNT, W_PERIOD)
    assert st.warning_params[0] == {"name": OLD, "printed": "212", "found": "15"}
    assert st.warning_params[1]["count"] == "3"
    assert st.account_hint == "jd_whatthefuck"


def test_freeze_without_release_warns() -> None:
    lines = raw(OLD).split(b"\n")
    data = b"\n".join(lines[:22] + lines[23:])  # drop the 解冻 row
    st = parse(data)
    assert len(st.transactions) == 14
    assert st.warnings[0] == jd.W_FREEZE
    assert st.warning_params[0] == {"name": "jd.csv", "amount": "¥99.00", "date": "2022-12-04",
                                    "item": "PLUS京典年卡(先享后付)"}


def test_freeze_is_neutral_whatever_the_flow_column_says() -> None:
    row = "冻结-PLUS京典年卡(先享后付),{}"
    data = raw(OLD).replace(row.format("不计收支").encode(), row.format("支出").encode())
    st = parse(data)
    assert st.transactions[2].direction is Direction.NEUTRAL
    assert jd.W_FREEZE not in st.warnings


def test_truncated_and_missing_header_and_empty() -> None:
    data = raw(NEW)
    st = parse(data[: data.rstrip(b"\n").rfind(b"\n") + 30])
    assert len(st.transactions) == 25 and W_TRUNCATED in st.warnings
    lines = data.split(b"\n")
    headless = b"\n".join(lines[:21] + lines[22:])
    assert jd.sniff("", headless, NEW) == 0
    with pytest.raises(ImportFailed) as e:
        parse(headless)
    assert e.value.code == ImportCode.UNSUPPORTED_FORMAT
    assert jd.sniff("", b"", NEW) == 0
    with pytest.raises(ImportFailed) as e:
        parse(b"")
    assert e.value.code == ImportCode.EMPTY
