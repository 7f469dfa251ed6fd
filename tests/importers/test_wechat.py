"""WeChat Pay 微信支付账单明细 on the real CSV and XLSX exports in tests/fixtures/cn (see PROVENANCE.md).

How the expected numbers were checked: the CSVs were read by eye (``sed 's/\\t/<T>/g'`` to show the TABs after
IDs) and cross-checked with the stdlib ``csv`` module from the header line (17 in both CSVs): 27 and 7 rows,
收/支 支出 11 / 收入 5 / "/" 11 and 支出 5 / 收入 2. The XLSX sheets were dumped with python-calamine: both hold
the header on row 18 or 19 and the same 27 rows. No file has a 分付 row (``grep -c 分付`` → 0), so BNPL
tagging is tested on a copy whose 支付方式 cells are rewritten.
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
from mybnpl.importers.cn_common import W_COUNT, W_PERIOD, W_TRUNCATED, grid_ledger

CN = Path(__file__).resolve().parents[1] / "fixtures" / "cn"
CSV, XLSX, TRIM = "wechat.csv", "wechat.xlsx", "wechat_trim21.csv"


def raw(name: str) -> bytes:
    return (CN / name).read_bytes()


def parse(data: bytes, name: str = "wechat.csv") -> ParsedStatement:
    return wechat.parse(data, name, ParseOptions())


def directions(st: ParsedStatement) -> dict[str, int]:
    return {d.value: sum(1 for t in st.transactions if t.direction is d) for d in Direction}


def essentials(st: ParsedStatement) -> list[tuple[object, ...]]:
    return [(t.posted_at, t.amount, t.direction, t.merchant, t.description, t.payment_method, t.external_id,
             t.status, t.category) for t in st.transactions]


def test_sniff() -> None:
    for name in (CSV, XLSX, TRIM):
        data = raw(name)
        assert wechat.sniff("", data, name) == 95
        assert alipay.sniff("", data, name) == meituan.sniff("", data, name) == jd.sniff("", data, name) == 0
        assert base.detect(data, name) is wechat


def test_csv() -> None:
    st = parse(raw(CSV), CSV)
    assert (st.format, st.provider_id) == ("wechat_csv", "wechat_fenfu")
    assert len(st.transactions) == 27
    assert st.bnpl_count == 0
    assert directions(st) == {"out": 11, "in": 5, "neutral": 11}  # "/" (零钱通, 提现, 理财通 …) is neutral
    first, last = st.transactions[0], st.transactions[-1]
    assert (first.posted_on, first.posted_at, first.amount.amount, first.merchant) == (
        date(2019, 9, 26), "2019-09-26 12:45:27", Decimal("28.16"), "云膳过桥米线(传奇广场店)")
    assert (first.external_id, first.description, first.payment_method, first.status, first.category) == (
        "3985734", "总共消费:28.16", "中国银行(1234)", "支付成功", "商户消费")  # source: "3985734"<TAB>
    assert (first.row, first.direction) == (18, Direction.OUT)
    assert (last.posted_at, last.amount.amount, last.merchant, last.external_id) == (
        "2024-06-07 23:40:27", Decimal("0.01"), "测试", "4200002168202406076349888061")
    fee = st.transactions[6]  # 零钱提现 with 备注 "服务费¥0.10" and 商品 "/"
    assert (fee.amount.amount, fee.direction, fee.description, fee.external_id) == (
        Decimal("100.10"), Direction.NEUTRAL, "服务费¥0.10", "207210715100077148235523883175")
    quoted = st.transactions[19]  # quotes inside an unquoted cell stay part of the text
    assert quoted.merchant == '打开拼多多，点击底部"多多视频"' and quoted.direction is Direction.IN
    assert st.transactions[21].amount.amount == Decimal("36.99")
    assert st.transactions[24].amount.amount == Decimal("50.00")  # written ¥50.0
    # 共43笔记录 vs 27 rows; 25 rows lie outside 2019-08-01..2019-09-30 (only the first two are inside).
    assert st.warnings == (W_COUNT, W_PERIOD)
    assert st.warning_params == ({"name": CSV, "printed": "43", "found": "27"},
                                 {"name": CSV, "count": "25", "start": "2019-08-01", "end": "2019-09-30"})
    assert st.account_hint == "测试"


def test_xlsx_reads_the_first_sheet_with_the_header_under_a_column_row() -> None:
    st = parse(raw(XLSX), XLSX)
    assert st.format == "wechat_xlsx"
    assert len(st.transactions) == 27
    assert essentials(st) == essentials(parse(raw(CSV), CSV))
    assert st.transactions[0].row == 19  # Column1..Column11 on row 1 pushes everything down one row
    assert st.warnings == (wechat.W_SHEETS, W_COUNT, W_PERIOD)
    assert st.warning_params[0] == {"name": XLSX, "count": "2", "sheet": "example-wechat-records"}
    assert st.warning_params[1] == {"name": XLSX, "printed": "43", "found": "27"}


def test_xlsx_numeric_amounts() -> None:
    """Sheet1 stores amounts as numbers (28.16, 50.0): they read exactly like the ¥ strings."""
    grids = dict(wechat._sheets(raw(XLSX), XLSX))
    led = grid_ledger(grids["Sheet1"], wechat.REQUIRED)
    assert led is not None and len(led.rows) == 27
    pick = led.picker("金额(元)", "交易单号")
    assert [pick(r)[0] for _, r in led.rows[:3]] == ["28.16", "0.35", "12"]
    assert pick(led.rows[0][1])[1] == "3985734"


def test_trim21_export_with_bom_crlf_and_a_refund() -> None:
    st = parse(raw(TRIM), TRIM)
    assert len(st.transactions) == 7
    assert st.bnpl_count == 0
    assert directions(st) == {"out": 5, "in": 2, "neutral": 0}
    first, refund = st.transactions[0], st.transactions[-1]
    assert (first.posted_at, first.amount.amount, first.merchant, first.external_id) == (
        "2023-08-30 20:46:40", Decimal("20.00"), "用户b", "100004990120090600090332461714765274")
    assert (refund.posted_on, refund.amount.amount, refund.direction, refund.status, refund.category) == (
        date(2024, 8, 30), Decimal("742.00"), Direction.IN, "已退款￥742.00", "同程旅行-退款")
    assert refund.external_id == "50300605572020090402502430637"
    assert sum((t.amount.amount for t in st.transactions if t.direction is Direction.OUT), Decimal(0)) == Decimal(
        "621.88")  # 20.00 + 150.58 + 21.40 + 420.00 + 9.90
    # 共21笔记录 vs 7 rows; every row (2023/2024) lies outside the stated 2020-08-30..2020-09-06.
    assert st.warning_params == ({"name": TRIM, "printed": "21", "found": "7"},
                                 {"name": TRIM, "count": "7", "start": "2020-08-30", "end": "2020-09-06"})
    assert st.account_hint == "微"


def test_fenfu_rows_are_bnpl() -> None:
    text = raw(CSV).decode("utf-8")
    text = text.replace('"中国银行(1234)"', '"分付"').replace(",零钱通,已转账,", ",微信分付,已转账,")
    st = parse(text.encode("utf-8"))
    tagged = [t for t in st.transactions if t.bnpl_product]
    assert {t.bnpl_product for t in tagged} == {"wechat_fenfu"}
    # 28.16 (分付) + 12.00 + 12.00 + 12.00 (three 零钱通 已转账 rows → 微信分付)
    assert (len(tagged), sum((t.amount.amount for t in tagged), Decimal(0))) == (4, Decimal("64.16"))


def test_truncated_csv() -> None:
    data = raw(CSV)
    cut = data[: data.rstrip(b"\n").rfind(b"\n") + 60]
    st = parse(cut)
    assert len(st.transactions) == 26 and W_TRUNCATED in st.warnings
    cut_char = data[: data.index("腾讯公益".encode()) + 2]  # inside a 3-byte UTF-8 character
    st = parse(cut_char)
    assert len(st.transactions) == 25 and W_TRUNCATED in st.warnings


def test_damaged_xlsx() -> None:
    data = raw(XLSX)
    assert wechat.sniff("", data[: len(data) // 2], XLSX) == 0
    with pytest.raises(ImportFailed) as e:
        parse(data[: len(data) // 2], XLSX)
    assert e.value.code == ImportCode.CORRUPT


def test_missing_header() -> None:
    lines = raw(CSV).split(b"\n")
    headless = b"\n".join(lines[:16] + lines[17:])
    assert wechat.sniff("", headless, CSV) == 0
    with pytest.raises(ImportFailed) as e:
        parse(headless)
    assert e.value.code == ImportCode.UNSUPPORTED_FORMAT


def test_empty_file() -> None:
    assert wechat.sniff("", b"", "w.csv") == 0
    with pytest.raises(ImportFailed) as e:
        parse(b"")
    assert e.value.code == ImportCode.EMPTY
