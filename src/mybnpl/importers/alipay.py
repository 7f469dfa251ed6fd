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

from mybnpl.core.imports import ParsedStatement, ParsedTx
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
    ledger = read_ledger(data, name, "Alipay", REQUIRED, REQUIRED_PC)
    notes = Notes()
    currency = CNY  # these wallets bill in RMB only; ParseOptions.currency is for generic tables
    txs: list[ParsedTx] = []
    bad: list[int] = []
    pick = ledger.picker(*(next((c for c in names if c in ledger.index), names[0]) for names in FIELDS))
    for line, cells in ledger.rows:
        at, created, amount, status, method, item, remark, flow, party, txid, category, refund, _ = pick(cells)
        when = read_date(at) or read_date(created)  # the PC layout's 付款时间 is empty for unpaid trades
        money = read_money(amount, currency)
        if when is None or money is None:
            bad.append(line)
            continue
        if refund and refund.strip("0.") and (refunded := read_money(refund)):
            status = f"{status}(成功退款{refunded.amount})"
        method = value(method)
        txs.append(ParsedTx(
            posted_on=when[0], posted_at=when[1], amount=money,
            # 交易关闭 (and failed) rows are kept with their status but are neutral: no money moved.
            direction=direction_of(flow, status), merchant=value(party), description=with_remark(item, remark),
            payment_method=method, bnpl_product=bnpl_product(method, PREFER), external_id=value(txid) or None,
            status=status, category=value(category), row=line,
        ))
    return finish(FORMAT, PROVIDER, name, ledger, notes, txs, bad, currency, "支付宝账户", "支付宝账号", "账号")

