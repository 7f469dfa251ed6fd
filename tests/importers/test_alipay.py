"""Alipay 支付宝交易明细 CSV on the two real layouts in tests/fixtures/cn (see tests/fixtures/PROVENANCE.md).

How the expected numbers were checked: each file was decoded with ``iconv -f gb18030`` and read row by row by
eye, then cross-checked with a throw-away script that used only the stdlib ``csv`` module on the known header
line (25 in alipay_2023.csv, 2 in alipay_2021.csv): row counts, the 收/支 tally and ``"花呗" in 收/付款方式``.
Neither real file has a 花呗 row (``grep -c 花呗`` → 0), so BNPL tagging is tested on copies whose
收/付款方式 cells are rewritten, and on the synthetic export in ``synth.py``.
"""

from __future__ import annotations

import gc
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from mybnpl.core.imports import ImportCode, ImportFailed, ParsedStatement
from mybnpl.core.models import Direction
from mybnpl.importers import alipay, base, cn_common, jd, meituan, wechat
from mybnpl.importers.base import ParseOptions
from mybnpl.importers.cn_common import W_COUNT, W_PERIOD, W_SKIPPED, W_TRUNCATED
from tests.importers.synth import is_huabei, make_alipay_csv

CN = Path(__file__).resolve().parents[1] / "fixtures" / "cn"
NEW, OLD = "alipay_2023.csv", "alipay_2021.csv"
OPTS = ParseOptions()


def raw(name: str) -> bytes:
    return (CN / name).read_bytes()


def parse(data: bytes, name: str = "alipay.csv") -> ParsedStatement:
    return alipay.parse(data, name, OPTS)


def directions(st: ParsedStatement) -> dict[str, int]:
    return {d.value: sum(1 for t in st.transactions if t.direction is d) for d in Direction}


def with_methods(methods: dict[int, str]) -> bytes:
    """alipay_2023.csv with the 收/付款方式 cell (8th column) of some data rows (0-based) replaced."""
    lines = raw(NEW).decode("gb18030").split("\n")
    for i, method in methods.items():
        cells = lines[25 + i].split(",")
        cells[7] = method
        lines[25 + i] = ",".join(cells)
    return "\n".join(lines).encode("gb18030")


def test_sniff_claims_both_layouts_and_only_alipay() -> None:
    for name in (NEW, OLD):
        data = raw(name)
        assert alipay.sniff("", data, name) == 95
        assert wechat.sniff("", data, name) == meituan.sniff("", data, name) == jd.sniff("", data, name) == 0
        assert base.detect(data, name) is alipay


def test_current_layout() -> None:
    st = parse(raw(NEW), NEW)
    assert (st.format, st.provider_id, st.currency) == ("alipay_csv", "huabei", "CNY")
    assert len(st.transactions) == 10
    assert st.bnpl_count == 0
    # 支出 5 / 收入 1 / 不计收支 4 in the file; the closed 一卡通充值 支出 row moved no money → neutral.
    assert directions(st) == {"out": 4, "in": 1, "neutral": 5}
    first, last = st.transactions[0], st.transactions[-1]
    assert (first.posted_on, first.posted_at, first.amount.amount) == (date(2023, 2, 12), "2023-02-12 21:32:14",
                                                                      Decimal("49.74"))
    assert (first.merchant, first.description, first.category) == ("xxxxxxxxxxxx", "亲情卡", "亲友代付")
    assert first.external_id == "202302xxxxxx0011000103xxxxxx"  # the source cell ends in a TAB
    assert (first.payment_method, first.status, first.direction, first.row) == (
        "交通银行信用卡(7449)", "交易成功", Direction.OUT, 26)
    assert (last.posted_at, last.amount.amount, last.merchant, last.external_id) == (
        "2023-07-10 13:20:16", Decimal("82.00"), "xxxx", "xxxx")
    # The padded and unpadded halves read alike: the first unpadded row is a closed purchase.
    closed = st.transactions[5]
    assert (closed.row, closed.status, closed.direction, closed.payment_method) == (
        31, "交易关闭", Direction.NEUTRAL, "")
    big = st.transactions[4]
    assert (big.amount.amount, big.direction, big.category) == (Decimal("222228.50"), Direction.IN, "转账红包")
    assert (st.period_start, st.period_end, st.account_hint) == (date(2023, 2, 10), date(2023, 2, 13),
                                                                 "xx@gmail.com")
    assert st.columns[0] == "交易时间" and st.columns[-1] == "备注"


def test_current_layout_warns_about_the_summary_and_the_period() -> None:
    st = parse(raw(NEW), NEW)
    # 共66笔记录 but 10 rows; 9 rows fall outside 2023-02-10..2023-02-13 (only 2023-02-12 is inside).
    assert st.warnings == (W_COUNT, W_PERIOD)
    assert st.warning_params == ({"name": NEW, "printed": "66", "found": "10"},
                                 {"name": NEW, "count": "9", "start": "2023-02-10", "end": "2023-02-13"})


def test_older_layout_with_footer() -> None:
    st = parse(raw(OLD), OLD)
    assert len(st.transactions) == 16
    assert st.bnpl_count == 0
    # 支出 6 (one 交易关闭 → neutral) / 收入 3 / 其他 7 → neutral.
    assert directions(st) == {"out": 5, "in": 3, "neutral": 8}
    first, last = st.transactions[0], st.transactions[-1]
    assert (first.posted_at, first.amount.amount, first.merchant, first.external_id, first.description) == (
        "2021-06-14 14:00:38", Decimal("6.51"), "蚂蚁会员（北京）网络技术服务有限公司", "123456",
        "相互宝分摊-6月第1期-*")
    assert (last.posted_on, last.amount.amount, last.merchant, last.external_id, last.direction) == (
        date(2021, 9, 29), Decimal("20.00"), "蚂蚁财富-蚂蚁（杭州）基金销售有限公司", "2021092900108",
        Direction.NEUTRAL)
    refund_in = st.transactions[2]
    assert (refund_in.status, refund_in.category, refund_in.direction) == ("退款成功", "退款", Direction.IN)
    assert st.transactions[3].status == "交易关闭" and st.transactions[3].direction is Direction.NEUTRAL
    # The summary is a footer below the rows here: 共21笔记录, period 2021-05-19..2021-06-19 (7 rows inside).
    assert st.warnings == (W_COUNT, W_PERIOD)
    assert st.warning_params[0] == {"name": OLD, "printed": "21", "found": "16"}
    assert st.warning_params[1]["count"] == "9"
    assert (st.period_start, st.period_end, st.account_hint) == (date(2021, 5, 19), date(2021, 6, 19),
                                                                 "abc@triplez.cn")


# The older PC web export (支付宝交易记录明细查询). No real sample is stored, so this one is built from its
# published column list (the same list public Alipay importers document); values are made up.
PC_EXPORT = """支付宝交易记录明细查询
账号:[20880000000000000156]
起始日期:[2019-01-01 00:00:00]    终止日期:[2019-01-31 23:59:59]
---------------------------------交易记录明细列表------------------------------------
交易号                  ,商家订单号               ,交易创建时间        ,付款时间            ,最近修改时间        ,\
交易来源地     ,类型              ,交易对方            ,商品名称        ,金额（元）   ,收/支     ,交易状态    ,\
服务费（元）   ,成功退款（元）  ,备注                  ,资金状态     ,
2019011522001400000000000001\t,T200000001\t,2019-01-15 12:00:00 ,2019-01-15 12:00:05 ,2019-01-15 12:00:05 ,其他 ,\
即时到账交易 ,某商户 ,午饭 ,25.50 ,支出 ,交易成功 ,0.00 ,0.00 , ,已支出 ,
2019011322001400000000000002\t,T200000002\t,2019-01-13 09:00:00 , ,2019-01-13 10:00:00 ,淘宝 ,支付宝担保交易 ,\
某店 ,衣服 ,99.00 ,支出 ,交易关闭 ,0.00 ,0.00 , , ,
2019011022001400000000000003\t,T200000003\t,2019-01-10 08:00:00 ,2019-01-10 08:00:01 ,2019-01-12 08:00:00 ,淘宝 ,\
支付宝担保交易 ,某店 ,鞋子 ,120.00 ,支出 ,交易成功 ,0.00 ,20.00 ,尺码换货 ,已支出 ,
------------------------------------------------------------------------------------
共3笔记录
已收入:0笔,0.00元
已支出:2笔,145.50元
导出时间:[2019-02-01 10:00:00]    用户:某某
""".replace("\\\n", "")


def test_older_pc_web_layout() -> None:
    data = PC_EXPORT.encode("gb18030")
    assert alipay.sniff("", data, "pc.csv") == 95
    st = parse(data, "pc.csv")
    assert len(st.transactions) == 3 and st.bnpl_count == 0
    paid, closed, refunded = st.transactions
    assert (paid.posted_at, paid.amount.amount, paid.merchant, paid.description, paid.category) == (
        "2019-01-15 12:00:05", Decimal("25.50"), "某商户", "午饭", "即时到账交易")  # 付款时间
    assert (paid.external_id, paid.direction, paid.payment_method) == (
        "2019011522001400000000000001", Direction.OUT, "")
    assert (closed.posted_at, closed.direction) == ("2019-01-13 09:00:00", Direction.NEUTRAL)  # never paid
    assert (refunded.status, refunded.description) == ("交易成功(成功退款20.00)", "鞋子（尺码换货）")
    assert (st.period_start, st.period_end, st.account_hint) == (date(2019, 1, 1), date(2019, 1, 31),
                                                                 "20880000000000000156")
    assert st.warnings == ()


def test_bnpl_payment_methods() -> None:
    methods = {0: "花呗", 1: "花呗分期(3期)", 2: "花呗&红包", 3: "账户余额&花呗", 4: "先用后付", 5: "拼多多先用后付",
               6: "招商银行(9876)"}
    st = parse(with_methods(methods))
    got = [t.bnpl_product for t in st.transactions[:7]]
    # A bare 先用后付 in an Alipay bill is Taobao's; a named one keeps its own provider (longest alias wins).
    assert got == ["huabei", "huabei", "huabei", "huabei", "taobao_xianyong", "pdd_xianyong", None]
    assert st.bnpl_count == 6
    assert sum((t.amount.amount for t in st.transactions if t.bnpl_product), Decimal(0)) == Decimal("222495.61")


def test_utf8_reencoding_parses_the_same() -> None:
    gbk = parse(raw(NEW), NEW)
    text = raw(NEW).decode("gb18030")
    for data in (text.encode("utf-8"), b"\xef\xbb\xbf" + text.encode("utf-8"),
                 text.replace("\n", "\r\n").encode("utf-8")):
        st = parse(data, NEW)
        assert [t.to_json() for t in st.transactions] == [t.to_json() for t in gbk.transactions]
        assert st.warning_params == gbk.warning_params


def test_truncated_mid_row_keeps_complete_rows_and_warns() -> None:
    data = raw(NEW)
    last_row = data.rstrip(b"\n").rfind(b"\n") + 1
    cut = data[: last_row + 40]  # inside the last row, after its date, before its amount
    st = parse(cut, NEW)
    assert len(st.transactions) == 9
    assert W_TRUNCATED in st.warnings
    assert st.transactions[-1].posted_at == "2023-07-10 13:10:16"
    # Cut inside a two-byte GBK character of the last row: the half character is dropped, then the row.
    mid_char = last_row + len("2023-07-10 13:20:16,".encode("gb18030")) + 1
    st = parse(data[:mid_char], NEW)
    assert len(st.transactions) == 9 and W_TRUNCATED in st.warnings


def test_unreadable_rows_are_skipped_with_a_warning() -> None:
    text = raw(NEW).decode("gb18030").replace("49.74", "4x.74")
    st = parse(text.encode("gb18030"), NEW)
    assert len(st.transactions) == 9
    assert W_SKIPPED in st.warnings
    assert st.warning_params[st.warnings.index(W_SKIPPED)] == {"name": NEW, "count": "1", "line": "26"}


def test_missing_header_is_not_alipay() -> None:
    lines = raw(NEW).split(b"\n")
    headless = b"\n".join(lines[:24] + lines[25:])
    assert alipay.sniff("", headless, NEW) == 0
    with pytest.raises(ImportFailed) as e:
        parse(headless, NEW)
    assert e.value.code == ImportCode.UNSUPPORTED_FORMAT


def test_empty_file() -> None:
    assert alipay.sniff("", b"", "a.csv") == 0
    for data in (b"", b"   \n"):
        with pytest.raises(ImportFailed) as e:
            parse(data)
        assert e.value.code == ImportCode.EMPTY
    assert gc.isenabled()  # restored after a failed parse too


def test_synthetic_export() -> None:
    st = parse(make_alipay_csv(1000))
    assert len(st.transactions) == 1000
    assert st.bnpl_count == sum(1 for i in range(1000) if is_huabei(i)) == 400
    assert {t.bnpl_product for t in st.transactions} == {"huabei", None}
    assert st.warnings == ()
    assert gc.isenabled()  # the parser pauses the cyclic GC only while it runs


def test_columnar_fast_path_matches_row_by_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plain tables are read column by column (cn_common._flat_table); anything else row by row. Both agree."""
    cases = [make_alipay_csv(500), raw(NEW), raw(OLD), make_alipay_csv(50) + "\n\n----\n共50笔记录\n".encode("gb18030"),
             make_alipay_csv(5000) + ",,,\n----\n共5000笔记录\n".encode("gb18030")]  # the table ends in a 2nd block
    fast = [parse(d) for d in cases]
    monkeypatch.setattr(cn_common, "_flat_table", lambda *_a: None)
    assert [parse(d) for d in cases] == fast
    assert len(fast[0].transactions) == 500 and fast[0].transactions[-1].row == fast[0].transactions[0].row + 499


def _split_cases() -> list[bytes]:
    lines = make_alipay_csv(300).decode("gb18030").split("\n")
    lines[-20] = "x" + lines[-20][19:]  # an unreadable date in the second half, an amount in the first
    bad = "\n".join(lines).replace(",80.19,", ",8x.19,")
    return [make_alipay_csv(301), raw(NEW), raw(OLD), bad.encode("gb18030"),
            raw(NEW).decode("gb18030").replace("49.74", "4x.74").encode("gb18030")]


def test_forked_helper_reads_the_same_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """A big table is read in two halves, the second by a forked helper (cn_common.in_halves): same statement,
    unreadable rows and warnings included."""
    cases = _split_cases()
    monkeypatch.setattr(cn_common, "PARALLEL_ROWS", 10**9)
    alone = [parse(d) for d in cases]
    forks = []
    real_fork = cn_common.os.fork
    monkeypatch.setattr(cn_common, "PARALLEL_ROWS", 2)
    monkeypatch.setattr(cn_common, "_idle_cpus", lambda: 1)
    # a thread left over by an earlier test (a finished worker's pool thread) would make in_halves refuse to fork
    monkeypatch.setattr(cn_common.threading, "active_count", lambda: 1)
    monkeypatch.setattr(cn_common.os, "fork", lambda: forks.append(1) or real_fork())
    assert [parse(d) for d in cases] == alone
    assert len(forks) == len(cases)
    skipped = alone[3].warning_params[alone[3].warnings.index(W_SKIPPED)]
    assert skipped["count"] == "2"
    assert gc.isenabled()


def test_failed_helper_half_is_read_here(monkeypatch: pytest.MonkeyPatch) -> None:
    cases = _split_cases()
    alone = [parse(d) for d in cases]
    monkeypatch.setattr(cn_common, "PARALLEL_ROWS", 2)
    monkeypatch.setattr(cn_common, "_idle_cpus", lambda: 1)
    monkeypatch.setattr(cn_common.threading, "active_count", lambda: 1)
    monkeypatch.setattr(cn_common, "_from_helper", lambda _payload: None)  # unreadable answer or a dead helper
    assert [parse(d) for d in cases] == alone
    monkeypatch.setattr(cn_common, "_idle_cpus", lambda: 0)  # no idle CPU: no helper
    monkeypatch.setattr(cn_common.os, "fork", lambda: pytest.fail("forked on a busy machine"))
    assert [parse(d) for d in cases] == alone


@pytest.mark.slow
def test_synthetic_100k_rows() -> None:
    data = make_alipay_csv(100_000)
    started = time.perf_counter()
    st = parse(data)
    elapsed = time.perf_counter() - started
    assert len(st.transactions) == 100_000
    assert st.bnpl_count == 40_000
    assert elapsed < 20  # generous: only catches a quadratic regression; the benchmark measures speed


@pytest.mark.parametrize("text", ["0.00", "12", "12.3", "12.34", "1.005", "1.004", "2.675", "0.0049", "999999.999999",
                                  "١٢.٣٤٥", "12.341", "¥1,234.56", "-5.00", "abc", "", "1e5", "1.2.3"])
def test_minor_units_match_money(text: str) -> None:
    money = cn_common.read_money(text)
    assert cn_common.read_minor(text) == (money.minor if money else None)
    col = [text, "1.00"]
    assert cn_common.read_minors(col) == [cn_common.read_minor(t) for t in col]
