"""Alipay 支付宝交易明细 CSV exports.

Read by column name, so reordered or extended variants work too. Known layouts:

* App, 2023+: a preamble (导出信息, 共N笔记录, 特别提示), a separator
  ``----支付宝（中国）网络技术有限公司 电子客户回单----``, then the header
  交易时间,交易分类,交易对方,对方账号,商品说明,收/支,金额,收/付款方式,交易状态,交易订单号,商家订单号,备注.
* App, 2021–22: the separator first, then the header
  收/支,交易对方,对方账号,商品说明,收/付款方式,金额,交易状态,交易分类,交易订单号,商家订单号,交易时间,
  and the summary as a footer below a ``----`` line.
* PC web (支付宝交易记录明细查询, older): 交易号,商家订单号,交易创建时间,付款时间,最近修改时间,交易来源地,类型,交易对方,
  商品名称,金额（元）,收/支,交易状态,服务费（元）,成功退款（元）,备注,资金状态. It has no payment-method column,
  so its rows cannot be tagged as BNPL; a non-zero 成功退款 is appended to the status.

All come as GBK (read as GB18030), with space-padded cells, IDs ending in a TAB, and padded and unpadded rows
mixed. The printed record count often disagrees with the rows (the export filters or truncates): that is a
warning, not an error.

BNPL: a 收/付款方式 naming 花呗 (花呗, 花呗分期, 花呗&红包, 账户余额&花呗 …) → ``huabei``. A bare 先用后付 is shared
by several catalog providers; in an Alipay bill it is Taobao's 先用后付 (settled through Alipay), so this
importer prefers ``taobao_xianyong`` for it. A named one (拼多多先用后付) still wins by the catalog's
longest-alias rule. Repayments (花呗主动还款 paid from a card) are not BNPL-paid rows and are not tagged.
"""

from __future__ import annotations

import functools
from typing import Any

from mybnpl.core.imports import ParsedStatement, TxTable
from mybnpl.importers.base import ParseOptions
from mybnpl.importers.cn_common import (
    BLANK,
    CNY,
    Ledger,
    Notes,
    bnpl_products,
    bulk,
    direction_value,
    finish,
    ids,
    in_halves,
    read_day,
    read_days,
    read_ledger,
    read_minors,
    read_money,
    sniff_header,
    values,
    with_remark,
)

FORMAT = "alipay_csv"
PROVIDER = "huabei"
PREFER = ("huabei", "taobao_xianyong")

# Columns the app layouts share; enough to tell an Alipay table from JD's (商户名称/交易说明) or WeChat's (商品).
REQUIRED = ("交易时间", "交易对方", "商品说明", "收/支", "金额", "交易状态", "交易订单号")
REQUIRED_PC = ("交易号", "交易创建时间", "交易对方", "商品名称", "金额（元）", "收/支", "交易状态")
# Each field's column names across the layouts; the first one the header has is read.
FIELDS = (("交易时间", "付款时间"), ("交易创建时间",), ("金额", "金额（元）", "金额(元)"), ("交易状态",),
          ("收/付款方式",), ("商品说明", "商品名称"), ("备注",), ("收/支",), ("交易对方",), ("交易订单号", "交易号"),
          ("交易分类", "类型"), ("成功退款（元）", "成功退款(元)"))
BRANDS = ("支付宝", "Alipay", "alipay")


def sniff(head: str, data: bytes, name: str) -> int:
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF")):
        return 0
    return sniff_header(data, BRANDS, REQUIRED, REQUIRED_PC)


@bulk
def parse(data: bytes, name: str, opts: ParseOptions) -> ParsedStatement:
    """Column by column: 10⁵ rows become a TxTable without a ParsedTx or Money object per row."""
    ledger = read_ledger(data, name, "Alipay", REQUIRED, REQUIRED_PC, columnar=True)
    notes = Notes()
    currency = CNY  # these wallets bill in RMB only; ParseOptions.currency is for generic tables
    names = tuple(next((c for c in field if c in ledger.index), field[0]) for field in FIELDS)
    txs, bad = in_halves(functools.partial(_rows, ledger, names, currency), ledger.row_count)
    return finish(FORMAT, PROVIDER, name, ledger, notes, txs, bad, currency, "支付宝账户", "支付宝账号", "账号")


def _rows(ledger: Ledger, names: tuple[str, ...], currency: str, lo: int, hi: int) -> tuple[TxTable, list[int]]:
    """Rows ``lo`` to ``hi`` of the table: the transactions and the line numbers of unreadable rows."""
    lines, picked = ledger.columns_of(*names, part=(lo, hi))
    at, created, amount, status, method, item, remark, flow, party, txid, category, refund = picked
    days = read_days(at)
    if None in days:  # the PC layout's 付款时间 is empty for unpaid trades: its 交易创建时间 then dates the row
        for i in [i for i, d in enumerate(days) if d is None]:
            if (day := read_day(created[i])) is not None:
                days[i], at[i] = day, created[i]
    minors = read_minors(amount)
    bad: list[int] = []
    if None in days or None in minors:
        keep = [i for i, (d, m) in enumerate(zip(days, minors, strict=True)) if d is not None and m is not None]
        bad = [lines[i] for i, (d, m) in enumerate(zip(days, minors, strict=True)) if d is None or m is None]
        cols: list[list[Any]] = [days, minors, at, status, method, item, remark, flow, party, txid, category, refund,
                                 lines]
        days, minors, at, status, method, item, remark, flow, party, txid, category, refund, lines = (
            [col[i] for i in keep] for col in cols)
    if any(refund):
        for i, r in enumerate(refund):
            if r and r.strip("0.") and (refunded := read_money(r)):
                status[i] = f"{status[i]}(成功退款{refunded.amount})"
    method = values(method)
    txs = TxTable(
        days, minors, [currency] * len(days),
        # 交易关闭 (and failed) rows are kept with their status but are neutral: no money moved.
        list(map(direction_value, flow, status)), values(party),
        [with_remark(d, r) if r else ("" if d in BLANK else d) for d, r in zip(item, remark, strict=True)],
        method, bnpl_products(method, PREFER), ids(txid), status, values(category), at, lines,
    )
    return txs, bad
