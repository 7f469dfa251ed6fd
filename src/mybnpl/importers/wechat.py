"""WeChat Pay 微信支付账单明细 exports, as CSV or as a spreadsheet (XLSX; XLS is read the same way).

CSV: UTF-8 (with or without BOM), a 16-line preamble (微信昵称, 起始时间/终止时间, 共N笔记录, 中性交易 note), the
``----微信支付账单明细列表----`` separator, then the header
交易时间,交易类型,交易对方,商品,收/支,金额(元),支付方式,当前状态,交易单号,商户单号,备注.
Amounts carry ``¥``; IDs are quoted and end in a TAB. Spreadsheet: the first sheet (in workbook order) whose
rows contain that header. Rows above it (a ``Column1..Column11`` row added by Power Query, the preamble) are
skipped, so the header is found by its names wherever it sits.

收/支 is 支出 → out, 收入 → in, ``/`` (充值, 提现, 零钱通, 理财通, 信用卡还款: WeChat's 中性交易) → neutral. A refund
is its own 收入 row (交易类型 ``…-退款``, 当前状态 ``已退款￥742.00``) and is read as money in; the refunded payment
keeps its 支出 row with a status such as 已全额退款.

BNPL: 支付方式 naming 分付 (微信分付, 分付) → ``wechat_fenfu``.
"""

from __future__ import annotations

import io
from datetime import date, datetime

from python_calamine import CalamineWorkbook, PasswordError

from mybnpl.core.imports import ImportCode, ImportFailed, ParsedStatement, ParsedTx
from mybnpl.i18n import N_
from mybnpl.importers.base import ParseOptions
from mybnpl.importers.cn_common import (
    CNY,
    Ledger,
    Notes,
    bnpl_product,
    bulk,
    direction_of,
    finish,
    grid_ledger,
    read_date,
    read_ledger,
    read_money,
    sniff_header,
    value,
    with_remark,
)
from mybnpl.importers.errors import fail

FORMAT = "wechat_csv"
FORMAT_XLSX = "wechat_xlsx"
PROVIDER = "wechat_fenfu"
PREFER = ("wechat_fenfu",)

# The amount column is 金额(元) (金额（元）/金额 in some variants), so it is looked up separately.
REQUIRED = ("交易时间", "交易类型", "交易对方", "收/支", "支付方式", "当前状态", "交易单号")
AMOUNT_COLUMNS = ("金额(元)", "金额（元）", "金额")
BRANDS = ("微信支付", "微信昵称", "WeChat", "wechat")
W_SHEETS = N_("{name} has {count} sheets that hold a WeChat Pay bill; only the first one, {sheet}, was read.")

_SPREADSHEET = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # XLSX (ZIP) and legacy XLS (OLE2)
MAX_CELLS = 5_000_000  # a real bill is 11 columns; 5M cells is ~450,000 rows


def sniff(head: str, data: bytes, name: str) -> int:
    if data.startswith(_SPREADSHEET):
        try:
            sheets = _sheets(data, name, nrows=60)
        except Exception:  # an unreadable workbook is not a WeChat bill we can claim
            return 0
        found = [g for _, g in sheets if grid_ledger(g, REQUIRED) is not None]
        if not found:
            return 0
        text = "\n".join(",".join(r) for g in found for r in g)
        return 95 if any(b in text for b in BRANDS) else 80
    if data.startswith(b"%PDF"):
        return 0
    return sniff_header(data, BRANDS, REQUIRED)


@bulk
def parse(data: bytes, name: str, opts: ParseOptions) -> ParsedStatement:
    notes = Notes()
    if data.startswith(_SPREADSHEET):
        fmt, ledger = FORMAT_XLSX, _xlsx_ledger(data, name, notes)
    else:
        fmt, ledger = FORMAT, read_ledger(data, name, "WeChat Pay", REQUIRED)
    currency = CNY  # these wallets bill in RMB only; ParseOptions.currency is for generic tables
    amount_col = next((c for c in AMOUNT_COLUMNS if c in ledger.index), "")
    if not amount_col:
        raise fail(ImportCode.UNSUPPORTED_FORMAT, name, detail="no WeChat Pay amount column")
    txs: list[ParsedTx] = []
    bad: list[int] = []
    pick = ledger.picker("交易时间", amount_col, "当前状态", "支付方式", "商品", "备注", "收/支", "交易对方",
                         "交易单号", "交易类型")
    for line, cells in ledger.rows:
        at, amount, status, method, item, remark, flow, party, txid, kind, _ = pick(cells)
        when = read_date(at)
        money = read_money(amount, currency)
        if when is None or money is None:
            bad.append(line)
            continue
        status, method = value(status), value(method)
        txs.append(ParsedTx(
            posted_on=when[0], posted_at=when[1], amount=money, direction=direction_of(flow, status),
            merchant=value(party), description=with_remark(item, remark), payment_method=method,
            bnpl_product=bnpl_product(method, PREFER), external_id=value(txid) or None, status=status,
            category=value(kind), row=line,
        ))
    return finish(fmt, PROVIDER, name, ledger, notes, txs, bad, currency, "微信昵称")


def _xlsx_ledger(data: bytes, name: str, notes: Notes) -> Ledger:
    found = [(sheet, led) for sheet, grid in _sheets(data, name)
             if (led := grid_ledger(grid, REQUIRED)) is not None]
    if not found:
        raise fail(ImportCode.UNSUPPORTED_FORMAT, name, detail="no WeChat Pay header row in any sheet")
    if len(found) > 1:
        notes.add(W_SHEETS, name=name, count=len(found), sheet=found[0][0])
    return found[0][1]


def _sheets(data: bytes, name: str, nrows: int | None = None) -> list[tuple[str, list[list[str]]]]:
    """Every sheet as rows of text cells. Damaged or hostile workbooks become ImportFailed."""
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        out = []
        for sheet in wb.sheet_names:
            grid = wb.get_sheet_by_name(sheet)
            tall, wide = ((grid.end[0] + 1), (grid.end[1] + 1)) if grid.end else (0, 0)
            if min(tall, nrows or tall) * wide > MAX_CELLS:  # a dense grid is built: refuse a sparse giant
                raise fail(ImportCode.TOO_LARGE, name, detail=f"sheet {sheet}: {tall} × {wide} cells",
                           limit=f"{MAX_CELLS:,} cells")
            rows = grid.to_python(skip_empty_area=False, nrows=nrows)
            out.append((sheet, [[_text(v) for v in row] for row in rows]))
        return out
    except ImportFailed:
        raise
    except PasswordError:
        raise fail(ImportCode.PASSWORD_REQUIRED, name) from None
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except MemoryError:
        raise fail(ImportCode.TOO_MUCH_MEMORY, name) from None
    except BaseException as e:  # calamine raises its own errors and, on a Rust panic, a BaseException
        raise fail(ImportCode.CORRUPT, name, detail=type(e).__name__) from None


def _text(v: object) -> str:
    """A spreadsheet value as the text the CSV export would hold (numbers without float noise)."""
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, bool) or v is None:
        return ""
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return str(v)
