"""Alipay 支付宝交易明细 CSV exports.

Two layouts are read by column name, so further reorderings also work:

* 2023+: a preamble (导出信息, 共N笔记录, 特别提示), a separator
  ``----支付宝（中国）网络技术有限公司 电子客户回单----``, then the header
  交易时间,交易分类,交易对方,对方账号,商品说明,收/支,金额,收/付款方式,交易状态,交易订单号,商家订单号,备注.
* 2021–22: the separator first, then the header
  收/支,交易对方,对方账号,商品说明,收/付款方式,金额,交易状态,交易分类,交易订单号,商家订单号,交易时间,
  and the summary as a footer below a ``----`` line.

Both come as GBK (read as GB18030), with space-padded cells, IDs ending in a TAB, and padded and unpadded rows
mixed. The printed record count often disagrees with the rows (the export filters or truncates): that is a
warning, not an error.

BNPL: a 收/付款方式 naming 花呗 (花呗, 花呗分期, 花呗&红包, 账户余额&花呗 …) → ``huabei``. A bare 先用后付 is shared
by several catalog providers; in an Alipay bill it is Taobao's 先用后付 (settled through Alipay), so this
importer prefers ``taobao_xianyong`` for it. A named one (拼多多先用后付) still wins by the catalog's
longest-alias rule. Repayments (花呗主动还款 paid from a card) are not BNPL-paid rows and are not tagged.
"""

from __future__ import annotations

from mybnpl.core.imports import ParsedStatement, ParsedTx
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

FORMAT = "alipay_csv"
PROVIDER = "huabei"
PREFER = ("huabei", "taobao_xianyong")

# Columns both layouts share; enough to tell an Alipay table from JD's (商户名称/交易说明) or WeChat's (商品).
REQUIRED = ("交易时间", "交易对方", "商品说明", "收/支", "金额", "交易状态", "交易订单号")
BRANDS = ("支付宝", "Alipay", "alipay")


def sniff(head: str, data: bytes, name: str) -> int:
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF")):
        return 0
    return sniff_header(data, REQUIRED, BRANDS)


def parse(data: bytes, name: str, opts: ParseOptions) -> ParsedStatement:
    ledger = read_ledger(data, name, REQUIRED, "Alipay")
    notes = Notes()
    currency = opts.currency or "CNY"
    txs: list[ParsedTx] = []
    bad: list[int] = []
    get = ledger.get
    for line, cells in ledger.rows:
        when = read_date(get(cells, "交易时间"))
        money = read_money(get(cells, "金额"), currency)
        if when is None or money is None:
            bad.append(line)
            continue
        status = cell(get(cells, "交易状态"))
        method = value(get(cells, "收/付款方式"))
        description = value(get(cells, "商品说明"))
        remark = value(get(cells, "备注"))
        if remark:
            description = f"{description}（{remark}）" if description else remark
        txs.append(ParsedTx(
            posted_on=when[0], posted_at=when[1], amount=money,
            # 交易关闭 (and failed) rows are kept with their status but are neutral: no money moved.
            direction=direction_of(cell(get(cells, "收/支")), status),
            merchant=value(get(cells, "交易对方")), description=description, payment_method=method,
            bnpl_product=bnpl_product(method, PREFER), external_id=value(get(cells, "交易订单号")) or None,
            status=status, category=value(get(cells, "交易分类")), row=line,
        ))
    return finish(FORMAT, PROVIDER, name, ledger, notes, txs, bad, currency, "支付宝账户", "支付宝账号")

