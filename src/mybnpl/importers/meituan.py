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
    Notes,
    bnpl_product,
    cell,
    direction_of,
    finish,
    read_date,
    read_ledger,
    read_money,
    sniff_header,
    value,
)

FORMAT = "meituan_csv"
PROVIDER = "meituan_yuefu"
PREFER = ("meituan_yuefu",)

REQUIRED = ("交易创建时间", "交易类型", "订单标题", "收/支", "支付方式", "实付金额", "交易单号")
BRANDS = ("美团",)


def sniff(head: str, data: bytes, name: str) -> int:
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF")):
        return 0
    return sniff_header(data, REQUIRED, BRANDS)


def parse(data: bytes, name: str, opts: ParseOptions) -> ParsedStatement:
    ledger = read_ledger(data, name, REQUIRED, "Meituan")
    notes = Notes()
    currency = opts.currency or "CNY"
    txs: list[ParsedTx] = []
    bad: list[int] = []
    get = ledger.get
    for line, cells in ledger.rows:
        when = read_date(get(cells, "交易成功时间")) or read_date(get(cells, "交易创建时间"))
        paid = read_money(get(cells, "实付金额"), currency)
        if when is None or paid is None:
            bad.append(line)
            continue
        listed = read_money(get(cells, "订单金额"), currency)
        title = value(get(cells, "订单标题"))
        description = title
        if listed is not None and listed != paid:
            description = f"{title}（订单金额 ¥{listed.amount}）"
        remark = value(get(cells, "备注"))
        if remark:
            description = f"{description}（{remark}）"
        kind = value(get(cells, "交易类型"))
        status = value(get(cells, "交易状态"))  # absent in the known layout; kept if a variant adds it
        direction = direction_of(cell(get(cells, "收/支")), status)
        if kind == "退款":
            direction = Direction.IN
        method = value(get(cells, "支付方式"))
        merchant = title.removesuffix("订单详情").strip()
        txs.append(ParsedTx(
            posted_on=when[0], posted_at=when[1], amount=paid, direction=direction, merchant=merchant,
            description=description, payment_method=method, bnpl_product=bnpl_product(method, PREFER),
            external_id=value(get(cells, "交易单号")) or None, status=status, category=kind, row=line,
        ))
    return finish(FORMAT, PROVIDER, name, ledger, notes, txs, bad, currency, "美团用户名")
