"""JD.com 京东交易流水 CSV exports.

Two layouts, read by column name:

* 2025: UTF-8 with BOM, a preamble (京东账号名, 日期区间 … 至 …, 共：N笔记录, 特别提示), then the header
  交易时间,商户名称,交易说明,金额,收/付款方式,交易状态,收/支,交易分类,交易订单号,商家订单号,备注.
* 2021–24: a preamble with 起始时间/终止时间 and an 电子回单客户 line, then the header
  交易时间,交易分类,商户名称,交易说明,收/支,金额,收/付款方式,交易状态,交易订单号,商家订单号,备注.

Timestamps and IDs end in a TAB. 金额 may carry a refund note: ``131.77(已退款89.84)`` or ``468.32(已全额退款)``. The
number is the amount paid (JD lists each refund as its own 退款- row, 不计收支); the note is appended to the status,
e.g. ``交易成功(已退款89.84)``, so the net is still visible.

Freezes: 先享后付 (and other pre-authorisations) show as a ``冻结-…`` row and, when released, an ``解冻-…`` row
for the same item. Both move no money and are neutral whatever 收/支 says. Pairs are matched by the item text
after the prefix; a freeze without its release in the file gives a warning (the amount may still be held).

BNPL: 收/付款方式 naming 白条 (京东白条, 白条分期) → ``jd_baitiao``. 先享后付 as the payment method or 交易分类 is
JD's pay-later service run on 白条 credit (in the 2021–24 layout its rows are paid by 京东白条), so it is also
``jd_baitiao``. 白条主动还款 paid from another account is a repayment, not a BNPL-paid row, and is not tagged.
"""

from __future__ import annotations

import re
from collections import Counter

from mybnpl.core.imports import ParsedStatement, ParsedTx
from mybnpl.core.models import Direction
from mybnpl.i18n import N_
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

FORMAT = "jd_csv"
PROVIDER = "jd_baitiao"
PREFER = ("jd_baitiao",)
PAY_LATER = "先享后付"

REQUIRED = ("交易时间", "商户名称", "交易说明", "金额", "收/付款方式", "交易状态", "收/支", "交易订单号")
BRANDS = ("京东", "JD")
W_FREEZE = N_("{name}: a freeze of {amount} on {date} ({item}) has no matching release (解冻) in this file; "
              "the amount may still be held.")

_NOTE = re.compile(r"\s*([0-9][0-9.,]*)\s*[(（]([^()（）]*)[)）]\s*")
_FREEZE = re.compile(r"(冻结|解冻)\s*[-－—:：]\s*(.+)", re.S)  # "解冻板" (a product) is no release


def sniff(head: str, data: bytes, name: str) -> int:
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF")):
        return 0
    return sniff_header(data, BRANDS, REQUIRED)


@bulk
def parse(data: bytes, name: str, opts: ParseOptions) -> ParsedStatement:
    ledger = read_ledger(data, name, "JD", REQUIRED)
    notes = Notes()
    currency = CNY  # these wallets bill in RMB only; ParseOptions.currency is for generic tables
    txs: list[ParsedTx] = []
    bad: list[int] = []
    freezes: list[tuple[str, ParsedTx]] = []
    releases: Counter[str] = Counter()
    pick = ledger.picker("交易时间", "金额", "交易状态", "交易说明", "收/付款方式", "交易分类", "收/支", "备注",
                         "商户名称", "交易订单号")
    for line, cells in ledger.rows:
        at, amount_text, status, description, method, category, flow, remark, party, txid, _ = pick(cells)
        when, note = read_date(at), ""
        if m := _NOTE.fullmatch(amount_text):
            amount_text, note = m.group(1), m.group(2).strip()
        money = read_money(amount_text, currency)
        if when is None or money is None:
            bad.append(line)
            continue
        status, description, method, category = value(status), value(description), value(method), value(category)
        if note:
            status = f"{status}({note})"
        product = bnpl_product(method, PREFER)
        if product is None and (PAY_LATER in method or PAY_LATER in category):
            product = PROVIDER
        hold = _FREEZE.fullmatch(description)
        tx = ParsedTx(
            posted_on=when[0], posted_at=when[1], amount=money,
            # a hold or its release moves no money, whatever 收/支 says
            direction=Direction.NEUTRAL if hold else direction_of(flow, status), merchant=value(party),
            description=with_remark(description, remark), payment_method=method, bnpl_product=product,
            external_id=value(txid) or None, status=status, category=category, row=line,
        )
        txs.append(tx)
        if hold and hold.group(1) == "冻结":
            freezes.append((hold.group(2).strip(), tx))
        elif hold:
            releases[hold.group(2).strip()] += 1
    for item, tx in freezes:
        if releases[item] > 0:
            releases[item] -= 1
        else:
            notes.add(W_FREEZE, name=name, amount=f"¥{tx.amount.amount}", date=tx.posted_on.isoformat(), item=item)
    return finish(FORMAT, PROVIDER, name, ledger, notes, txs, bad, currency, "京东账号名", "京东账号")
