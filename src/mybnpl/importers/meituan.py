"""Meituan 美团交易账单明细 CSV exports.

UTF-8 with BOM and CRLF; a preamble (美团用户名, 起始时间/终止时间, 共：N笔记录, 特别提示) whose empty lines are
written as ``""``; a 【美团交易账单明细列表】 title; then the header
交易创建时间,交易成功时间,交易类型,订单标题,收/支,支付方式,订单金额,实付金额,交易单号,商家单号,备注.

Amount: 实付金额, what was actually paid or refunded. 订单金额 is the list price before discounts (红包, 立减);
when the two differ, the description ends with ``（订单金额 ¥22.30）`` so the discount stays visible.
Date: 交易成功时间 (when the money moved), else 交易创建时间. Meituan has no merchant column; the merchant is
订单标题 without its trailing ``订单详情``.
Direction: 收/支 (支出 → out, 收入 → in, 不计收支 → neutral); a 交易类型 of 退款 is money in whatever 收/支 says.

BNPL: 支付方式 美团月付 (or 月付) → ``meituan_yuefu``. A 还款 row repaying 美团月付 from a bank card is not a
月付-paid purchase and is not tagged.
"""

from __future__ import annotations

from mybnpl.core.imports import ParsedStatement, ParsedTx
from mybnpl.core.models import Direction
from mybnpl.importers.base import ParseOptions
from mybnpl.importers.cn_common import (
    CNY,
    Notes,
    bnpl_product,
    bulk,
    direction_of,
    finish,
    read_date,
    read_ledger,
    read_money,
    sniff_header,
    value,
    with_remark,
)

FORMAT = "meituan_csv"
PROVIDER = "meituan_yuefu"
PREFER = ("meituan_yuefu",)

REQUIRED = ("交易创建时间", "交易类型", "订单标题", "收/支", "支付方式", "实付金额", "交易单号")
BRANDS = ("美团",)


def sniff(head: str, data: bytes, name: str) -> int:
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF")):
        return 0
    return sniff_header(data, BRANDS, REQUIRED)


@bulk
def parse(data: bytes, name: str, opts: ParseOptions) -> ParsedStatement:
    ledger = read_ledger(data, name, "Meituan", REQUIRED)
    notes = Notes()
    currency = CNY  # these wallets bill in RMB only; ParseOptions.currency is for generic tables
    txs: list[ParsedTx] = []
    bad: list[int] = []
    pick = ledger.picker("交易成功时间", "交易创建时间", "实付金额", "订单金额", "订单标题", "备注", "交易类型",
                         "交易状态", "收/支", "支付方式", "交易单号")
    for line, cells in ledger.rows:
        done, created, paid_text, listed_text, title, remark, kind, status, flow, method, txid, _ = pick(cells)
        when = read_date(done) or read_date(created)
        paid = read_money(paid_text, currency)
        if when is None or paid is None:
            bad.append(line)
            continue
        listed = read_money(listed_text, currency)
        title, kind, method = value(title), value(kind), value(method)
        status = value(status)  # the known layout has no 交易状态; kept if a variant adds one
        description = f"{title}（订单金额 ¥{listed.amount}）" if listed is not None and listed != paid else title
        direction = Direction.IN if kind == "退款" else direction_of(flow, status)
        txs.append(ParsedTx(
            posted_on=when[0], posted_at=when[1], amount=paid, direction=direction,
            merchant=title.removesuffix("订单详情").strip(), description=with_remark(description, remark),
            payment_method=method, bnpl_product=bnpl_product(method, PREFER), external_id=value(txid) or None,
            status=status, category=kind, row=line,
        ))
    return finish(FORMAT, PROVIDER, name, ledger, notes, txs, bad, currency, "美团用户名")
