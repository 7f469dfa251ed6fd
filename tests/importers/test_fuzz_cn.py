"""Fuzzing the Chinese wallet importers: whatever the bytes, ``sniff`` returns a score in 0..100 and ``parse``
either returns a statement that survives the JSON trip to the sandbox parent, or raises ImportFailed. Any other
exception is a bug."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mybnpl.core.imports import ImportFailed, ParsedStatement, TxTable
from mybnpl.importers import alipay, cn_common, jd, meituan, wechat
from mybnpl.importers.base import ParseOptions
from mybnpl.importers.text import sniff_text

CN = Path(__file__).resolve().parents[1] / "fixtures" / "cn"
FIXTURES = {p.name: p.read_bytes() for p in sorted(CN.iterdir()) if p.is_file()}
MODULES: tuple[ModuleType, ...] = (alipay, wechat, meituan, jd)
FUZZ = settings(max_examples=200, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
_RAW: list[bytes | str] = [
    b'"', b",", b"\n", b"\r\n", b"\r", b"\t", b"\x00", b"\xff", b"\xef\xbb\xbf", b"-----", b"()", b"1e999",
    "花呗".encode("gb18030"), "冻结-", "解冻-", "共9笔记录", "¥", "(已退款1.00)", "9" * 40, b"PK\x03\x04",
]
TOKENS: list[bytes] = [t.encode() if isinstance(t, str) else t for t in _RAW]


def check(data: bytes, name: str, only: tuple[ModuleType, ...] = MODULES) -> None:
    head = sniff_text(data)
    for mod in only:
        score = mod.sniff(head, data, name)
        assert isinstance(score, int) and 0 <= score <= 100
        try:
            parsed = mod.parse(data, name, ParseOptions())
        except ImportFailed as e:
            assert e.code and e.message
            continue
        assert all(t.amount.amount >= 0 for t in parsed.transactions)
        assert len(parsed.warnings) == len(parsed.warning_params)
        assert ParsedStatement.from_json(json.loads(json.dumps(parsed.to_json()))) == parsed
        table = TxTable.from_txs(parsed.transactions)  # the worker's answer: columns, validated by the parent
        assert TxTable.from_wire(len(table), table.to_wire()) == parsed.transactions
        if mod is alipay:  # the columnar fast path reads exactly what the row-by-row path reads
            with mock.patch.object(cn_common, "_flat_table", lambda *_a: None):
                assert mod.parse(data, name, ParseOptions()) == parsed


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(FIXTURES)))
    data = bytearray(FIXTURES[name])
    for _ in range(draw(st.integers(1, 6))):
        pos = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(("flip", "insert", "delete", "truncate", "duplicate")))
        if op == "flip" and pos < len(data):
            data[pos] = draw(st.integers(0, 255))
        elif op == "insert":
            data[pos:pos] = draw(st.one_of(st.sampled_from(TOKENS), st.binary(max_size=8)))
        elif op == "delete":
            del data[pos:pos + draw(st.integers(1, 64))]
        elif op == "truncate":
            del data[pos:]
        else:  # duplicate a slice elsewhere: repeated headers, rows, preambles
            start = draw(st.integers(0, len(data)))
            data[pos:pos] = data[start:start + draw(st.integers(1, 400))]
    return name, bytes(data)


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes(data: bytes) -> None:
    check(data, "random.csv")


@FUZZ
@given(mutated())
def test_mutated_real_files(case: tuple[str, bytes]) -> None:
    name, data = case
    check(data, name)


CELL = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=16)
HEADERS = {alipay: (*alipay.REQUIRED, "收/付款方式", "交易分类", "备注"),
           wechat: (*wechat.REQUIRED, "金额(元)", "商品", "备注"),
           meituan: (*meituan.REQUIRED, "交易成功时间", "订单金额", "备注"),
           jd: (*jd.REQUIRED, "交易分类", "备注")}


@FUZZ
@given(st.sampled_from(MODULES), st.lists(st.lists(CELL, max_size=14), max_size=25),
       st.sampled_from(("utf-8", "gb18030", "utf-16")), st.booleans())
def test_arbitrary_rows_under_a_real_header(mod: ModuleType, rows: list[list[str]], encoding: str,
                                             final_newline: bool) -> None:
    lines = ["导出信息：", "共3笔记录", ",".join(HEADERS[mod]), *(",".join(r) for r in rows)]
    text = "\n".join(lines) + ("\n" if final_newline else "")
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    check(data, "rows.csv", (mod,))


def test_other_formats_are_not_claimed() -> None:
    """Never guess: the other fixtures (bank CSV/XLS, OFX, PayPal, PDFs, vaults) score 0 with all four."""
    others = [p for p in sorted(CN.parent.rglob("*")) if p.is_file() and CN not in p.parents]
    assert others
    for path in others:
        data = path.read_bytes()
        assert [mod.sniff(sniff_text(data), data, path.name) for mod in MODULES] == [0, 0, 0, 0], path.name
