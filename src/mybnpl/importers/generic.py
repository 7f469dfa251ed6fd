"""Any CSV or spreadsheet table, read through the user's column mapping (the "generic" path).

Content picks the reader (Swedbank's ".xls" is CSV). The header is the first row of >= 3 cells, without a date, that
a dated row follows, so bank preambles are skipped. Without a mapping: NEEDS_MAPPING, and ``detect_table`` serves
the mapping step. "Pending" rows (not yet posted; listed again once dated) and balance rows are skipped with a
warning; if over 20% of the other rows lack a date or amount, the mapping is wrong: BAD_MAPPING.
"""

from __future__ import annotations

import csv
import io
import json
import re
import struct
import zipfile
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache, lru_cache
from typing import NamedTuple

from python_calamine import CalamineWorkbook, PasswordError

from mybnpl.core.catalog import Catalog, parse_catalog
from mybnpl.core.imports import ColumnMapping, ImportCode, ImportFailed, ParsedStatement, ParsedTx
from mybnpl.core.models import Direction
from mybnpl.core.money import Money
from mybnpl.i18n import N_
from mybnpl.importers.base import MAX_ROWS, ParseOptions
from mybnpl.importers.errors import fail
from mybnpl.importers.text import clean, decode, normalize_newlines, parse_amount_text, sniff_delimiter
from mybnpl.resources import resource_path

FORMAT = "generic_csv"  # the statement says which: generic_csv, generic_xlsx, generic_xls or generic_ods
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAX_XML, _MAX_CELLS, _MAX_COLS = 256 << 20, 10_000_000, 1024  # .xlsx XML bytes and cell area; columns
W_PENDING = N_("{count} pending rows without a posting date were skipped; they will appear once posted.")
W_SUMMARY = N_("{count} balance or total rows were skipped.")
W_BAD_ROWS = N_("{count} rows could not be read and were skipped (first: line {line}, {detail}).")
W_QUOTES = N_("{count} lines had broken quoting and were repaired (first: line {line}); check those rows.")
_PENDING = {"pending", "pend", "待入账", "处理中", "ausstehend", "vorgemerkt", "en attente", "in behandeling"}
_SUMMARY = {"opening balance", "closing balance", "turnover", "balance brought forward", "balance carried forward",
            "subtotal", "期初余额", "期末余额", "合计", "总计", "本期合计", "beginsaldo", "eindsaldo", "anfangssaldo"}
_DIRECTION_WORDS = {w: d for d, words in (
    (Direction.OUT, "支出 支 出 借 借方 借记 付 付款 转出 d dr debit debet db af s soll belastung lastschrift out - "
                    "withdrawal uttag ausgang"),
    (Direction.IN, "收入 收 入 贷 贷方 贷记 收款 转入 k c cr credit kredit bij h haben gutschrift in + deposit "
                   "insättning eingang"),
    (Direction.NEUTRAL, "不计收支 其他 / neutral")) for w in words.split()}
_CURRENCY_NAMES = {"人民币": "CNY", "rmb": "CNY", "美元": "USD", "港币": "HKD", "港元": "HKD", "欧元": "EUR",
                   "英镑": "GBP", "日元": "JPY", "£": "GBP", "€": "EUR", "$": "USD", "¥": "CNY"}
_DATELIKE = re.compile(
    r"(\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])"
    r"|\d{1,2}[- /]?[A-Za-z]{3,9}[- /,]+\d{2,4}|[A-Za-z]{3,9} \d{1,2}, \d{4})([ T]+\d{1,2}:\d\d.*)?")
_TIME_TAIL = re.compile(r"(?<=\d)[ T]+\d{1,2}:\d\d(:\d\d)?(\.\d+)?\s*([AaPp][Mm])?\s*(Z|[+-]\d\d:?\d\d|[A-Z]{2,5})?$")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%d/%m/%Y", "%m/%d/%Y", "%d-%m-%Y",
                 "%m-%d-%Y", "%d.%m.%Y", "%d/%m/%y", "%m/%d/%y", "%d.%m.%y", "%d-%b-%Y", "%d %b %Y", "%b %d, %Y")


def decode_bytes(data: bytes, name: str) -> str:
    """``text.decode``, except that Latin text (high bytes alone between ASCII) is cp1252/ISO-8859-1, not GB18030."""
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    high = [i for i, b in enumerate(body[:65536]) if b >= 0x80]
    alone = sum(1 for i in high if (i == 0 or body[i - 1] < 0x80) and (i + 1 >= len(body) or body[i + 1] < 0x80))
    if not high or alone * 3 < len(high) or data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in body[:4096]:
        return decode(data, name)  # UTF-8 never has a lone high byte, so this is not UTF-8
    return body.decode("latin-1" if set(body) & {0x81, 0x8D, 0x8F, 0x90, 0x9D} else "cp1252")  # cp1252's gaps


@cache
def catalog() -> Catalog:
    return parse_catalog(json.loads(resource_path("providers.json").read_text("utf-8")))


@lru_cache(maxsize=65536)  # the catalog's alias scan is slow, and statements repeat their merchants
def bnpl_product(*texts: str) -> str | None:
    """The catalog provider whose alias the texts name (Klarna, Clearpay, 花呗, ...), by its alias rule."""
    hit = catalog().match_payment_method(" | ".join(t for t in texts if t))
    return hit.id if hit else None


def direction_word(text: str) -> Direction | None:
    """What a direction marker says: "CR", "Cr.", "Credit", "贷", "K", "收入" are money in; "DR", "借", "支出" out."""
    t = _norm(text)
    return _DIRECTION_WORDS.get(t) or (_DIRECTION_WORDS.get(t[:-1]) if t.endswith(".") and len(t) > 1 else None)


def currency_code(text: str) -> str | None:
    code = _CURRENCY_NAMES.get(clean(text).casefold(), clean(text).upper())
    return code if len(code) == 3 and code.isascii() and code.isalpha() else None


def decimal_amount(text: str) -> Decimal | None:
    """A signed amount from cell text ("-337,49", "+ £1,100.00", "EUR 12,00", "12.00-"), None if not one."""
    t = re.sub(r"^[A-Z]{3}\s*|\s*[A-Z]{3}$", "", clean(text))
    neg = t.endswith("-") and not t.startswith("-")
    plain = parse_amount_text(t.rstrip("-") if neg else t)
    if plain is None or len(plain) > 24 or sum(ch.isdigit() for ch in plain.split(".")[0]) > 15:
        return None  # parse_amount_text returns [-]digits[.digits]; 15 integer digits keep Money exact
    return -Decimal(plain) if neg else Decimal(plain)


def _cell(v: object) -> str:
    if isinstance(v, float):  # CITIC's card last-4 6688.0 -> "6688"; NaN and infinities -> ""
        ok = v == v and abs(v) != float("inf")
        return "" if not ok else str(int(v)) if v.is_integer() and abs(v) < 1e15 else format(Decimal(repr(v)), "f")
    if isinstance(v, datetime | date | time):
        return v.isoformat(sep=" ").removesuffix(" 00:00:00") if isinstance(v, datetime) else v.isoformat()
    return "" if v is None else clean(str(v))


def spreadsheet_hazard(data: bytes) -> str | None:
    """Why calamine must not open ``data``: it allocates what files declare, and a failed allocation aborts."""
    n = len(data)
    if data.startswith(_OLE):
        size = 1 << data[30] if n >= 1024 and data[30] in (9, 12) else 0
        if not size or max(struct.unpack_from("<2I", data, 40) + struct.unpack_from("<3I", data, 64)[::2]) * size > n:
            return "OLE2 header"
        u32 = struct.Struct("<I").unpack_from
        ids, sid = list(struct.unpack_from("<109I", data, 76)), u32(data, 68)[0]
        while sid < 0xFFFFFFFA and len(ids) <= n // 4:  # the DIFAT chain, then the FAT
            *more, sid = struct.unpack_from(f"<{size // 4}I", data, (sid + 1) * size)
            ids += more
        fat = b"".join(data[(i + 1) * size:(i + 2) * size] for i in ids if i < 0xFFFFFFFA)
        sid, hops = u32(data, 48)[0], 0
        while sid * 4 < len(fat):  # the directory chain: no loop, and every stream it lists fits in the file
            entries = range((sid + 1) * size + 120, (sid + 2) * size, 128)
            if (hops := hops + 1) > n // size or any(u32(data, e)[0] > n or (size > 512 and u32(data, e + 4)[0])
                                                     for e in entries):
                return "OLE2 directory"
            sid = u32(fat, sid * 4)[0]
        dims = (struct.unpack_from("<IIHH", data, m.end()) for m in re.finditer(b"\x00\x02\x0e\x00", data[:n - 16]))
        return "BIFF DIMENSIONS" if any(not (d[0] <= d[1] <= 65536 and d[2] <= d[3] <= 256) for d in dims) else None
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        budget = _MAX_XML  # every member, whatever its name: the workbook's relations decide which is a sheet
        for info in z.infolist():
            with z.open(info) as f:
                xml = f.read(budget + 1)
            refs = re.findall(rb"<(?:\w+:)?(?:c|row)\b[^>]*?\br=[\"']([A-Z]{0,3})(\d{1,7})", xml)
            cols = [sum(26 ** k * (ch - 64) for k, ch in enumerate(reversed(c))) for c, _ in refs]
            if (budget := budget - len(xml)) < 0 or max(cols, default=0) * max(
                    (int(r) for _, r in refs), default=0) > _MAX_CELLS:
                return "cells spread over too large an area"
    return None


def _sheets(data: bytes, name: str) -> list[list[list[str]]]:
    try:
        if why := spreadsheet_hazard(data):
            raise fail(ImportCode.CORRUPT, name, detail=f"spreadsheet: {why}")
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [wb.get_sheet_by_index(i).to_python(skip_empty_area=False, nrows=MAX_ROWS + 1)
                  for i in range(len(wb.sheet_names))]
        if any(len(rows) > MAX_ROWS for rows in sheets):
            raise fail(ImportCode.TOO_LARGE, name, detail="a sheet with more rows", limit=f"{MAX_ROWS} rows")
        return [[[_cell(c) for c in r] for r in rows] for rows in sheets]
    except (ImportFailed, KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as e:  # calamine errors, and Rust panics (PanicException is a BaseException)
        code = ImportCode.PASSWORD_REQUIRED if isinstance(e, PasswordError) else ImportCode.CORRUPT
        raise fail(code, name, detail=f"spreadsheet: {type(e).__name__}") from None


def _csv_rows(text: str, name: str) -> tuple[list[list[str]], list[int]]:
    """Rows of delimited text, with the line numbers whose quoting had to be repaired."""
    lines = normalize_newlines(text).split("\n")
    if len(lines) > MAX_ROWS:
        raise fail(ImportCode.TOO_LARGE, name, detail=f"{len(lines)} lines", limit=f"{MAX_ROWS} lines")
    delim = sniff_delimiter("\n".join(lines[:200]))

    def parse(line: str) -> list[str]:
        try:
            return next(csv.reader([line], delimiter=delim, strict=True), [])
        except csv.Error:
            return line.split(delim)

    balanced = [ln for ln in lines[:500] if ln.strip() and not ln.count('"') % 2]
    width = (Counter(len(parse(ln)) for ln in balanced).most_common(1) or [(0, 0)])[0][0]
    rows: list[list[str]] = []
    repaired: list[int] = []
    i = 0
    while i < len(lines):
        line, i = lines[i], i + 1
        cells = parse(line)
        if line.count('"') % 2:  # a missing opening/closing quote, or a quoted line break
            repaired.append(i)
            fixed = [c for c in map(parse, ['"' + line, line + '"']) if len(c) == width]
            j, joined = i, line
            while not fixed and joined.count('"') % 2 and j < min(len(lines), i + 20):
                joined, j = joined + "\n" + lines[j], j + 1
            if not fixed and not joined.count('"') % 2 and len(parse(joined)) == width:
                fixed, i = [parse(joined)], j
            cells = fixed[0] if fixed else line.split(delim)
        rows.append([clean(c) for c in cells])
    return rows, repaired


def _grid(data: bytes, name: str) -> tuple[str, list[list[str]], list[int]]:
    if data.startswith(_OLE) or data.startswith(b"PK\x03\x04"):
        kind = "xls" if data.startswith(_OLE) else "ods" if b"opendocument.spreadsheet" in data[:200] else "xlsx"
        grids = [g for g in _sheets(data, name) if any(any(r) for r in g)] or [[]]
        return f"generic_{kind}", next((g for g in grids if _header_at(g) is not None), grids[0]), []
    return "generic_csv", *_csv_rows(decode_bytes(data, name), name)


def _shape(row: list[str]) -> tuple[int, int]:  # filled cells, and the position after the last filled one
    return sum(1 for c in row if c), max((j + 1 for j, c in enumerate(row) if c), default=0)


def is_datelike(cell: str) -> bool:
    return bool(cell) and len(cell) < 40 and _DATELIKE.fullmatch(cell) is not None


_datelike = is_datelike


def _header_at(rows: list[list[str]]) -> int | None:
    for i, row in enumerate(rows[:200]):  # >= 3 cells, no date, and a dated row among the next 12 non-empty ones
        candidate = _shape(row)[0] >= 3 and not any(map(_datelike, row))
        after = [(*_shape(r), any(map(_datelike, r))) for r in rows[i + 1:i + 40] if any(r)][:12] if candidate else []
        if any(filled >= 2 and width <= max(len(row), 3) + 1 and dated for filled, width, dated in after):
            return i
    return None


def _table(rows: list[list[str]], name: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    at = _header_at(rows)
    at = next((i for i, r in enumerate(rows[:200]) if _shape(r)[0] >= 3), None) if at is None else at
    if at is None:
        raise fail(ImportCode.UNSUPPORTED_FORMAT, name, detail="no table with at least 3 columns")
    body: list[tuple[int, list[str]]] = []
    for k in range(at + 1, len(rows)):
        n = _shape(rows[k])[0]
        if body and n and not any(rows[k - 1]) and not any(map(_datelike, rows[k])):
            break  # a blank line, then an undated row: a footer or a second table follows
        if n >= 2:
            body.append((k + 1, rows[k]))
    width = min(max([_shape(rows[at])[1]] + [_shape(r)[1] for _, r in body]), _MAX_COLS)
    raw = [(rows[at][j] if j < len(rows[at]) else "") or f"Column {j + 1}" for j in range(width)]
    names = [h if raw.index(h) == j else f"{h} ({j + 1})" for j, h in enumerate(raw)]
    return names, [(ln, (r + [""] * width)[:width]) for ln, r in body]


def detect_table(data: bytes, name: str) -> tuple[list[str], list[list[str]]]:
    """The header the mapping step shows, and the first 20 data rows (padded to the header's width)."""
    header, body = _table(_grid(data, name)[1], name)
    return header, [r for _, r in body[:20]]


def sniff(head: str, data: bytes, name: str) -> int:
    if data.startswith(_OLE) or (data.startswith(b"PK\x03\x04") and (b"xl/" in data or b"opendocument" in data)):
        return 10
    binary = b"\x00" in data[:1024] or data.startswith(b"%PDF")  # tabular: a row of >= 3 cells, then a data row
    rows = [] if binary else [_shape(r)[0] for r in _csv_rows("\n".join(head.splitlines()[:100]), name)[0]]
    return 10 if any(n >= 3 and any(m >= 2 for m in rows[i + 1:]) for i, n in enumerate(rows)) else 0


def _norm(s: str) -> str:
    return " ".join(s.casefold().split())


def _pick_format(values: list[str], fmt: str | None, month_first: bool) -> list[str]:
    if fmt:
        return [fmt, "%Y-%m-%d"]
    order = sorted(_DATE_FORMATS, key=lambda f: month_first and not f.startswith(("%m", "%b", "%B")))  # tie-break
    sample = [_TIME_TAIL.sub("", v) for v in values[:500]]
    return sorted(order, key=lambda f: -sum(1 for v in sample if _strptime(v, f)))


def _strptime(value: str, fmt: str) -> date | None:
    try:
        return d if 1900 <= (d := datetime.strptime(value, fmt).date()).year <= 2100 else None
    except ValueError:
        return None


class MappedRow(NamedTuple):
    """One body row read through a mapping: a transaction, or why not (``skip``: pending, summary, date, amount)
    with the text that could not be read. The import and the mapping step's preview both read rows with this."""

    line: int
    tx: ParsedTx | None
    skip: str = ""
    text: str = ""


def _columns(header: list[str], m: ColumnMapping, name: str) -> dict[str, int | None]:
    def col(value: str | None) -> int | None:
        match = [j for j, h in enumerate(header) if value and _norm(h) == _norm(value)]
        if value and not match:
            raise fail(ImportCode.BAD_MAPPING, name, detail=f"no column “{value}” (columns: {', '.join(header)})")
        return match[0] if match else None
    if not (m.date and (m.amount or m.debit or m.credit)):
        raise fail(ImportCode.BAD_MAPPING, name, detail="map the date, and an amount column or debit/credit columns")
    ix = {k: col(getattr(m, k, None) or m.extra.get(k)) for k in ("date", "amount", "debit", "credit", "direction",
          "merchant", "description", "payment_method", "external_id", "time", "status", "category")}
    ix["cur"] = next((j for j, h in enumerate(header) if _norm(h) == _norm(m.currency or "-")), None)
    if ix["cur"] is None and currency_code(m.currency or "") is None:
        col(m.currency)  # neither a column nor a currency code: BAD_MAPPING
    return ix


def _default_currency(header: list[str], m: ColumnMapping, currency: str) -> str:
    """The mapping's currency code, unless it names a column (then ``currency``, for rows without a code)."""
    code = currency_code(m.currency or "")
    by_column = any(_norm(h) == _norm(m.currency or "-") for h in header)
    return code if code and not by_column else currency_code(currency) or "CNY"


def map_rows(header: list[str], body: list[tuple[int, list[str]]], m: ColumnMapping, name: str,
             currency: str = "CNY") -> Iterator[MappedRow]:
    """The body rows (line number, cells) read through ``m``; ``currency`` where neither the mapping nor the row
    names one. Raises BAD_MAPPING for a column the header does not have."""
    ix = _columns(header, m, name)
    default_cur = _default_currency(header, m, currency)

    def get(key: str, row: list[str]) -> str:
        j = ix.get(key)
        return row[j] if j is not None and j < len(row) else ""
    dated = [d for _, r in body if (d := get("date", r)) and _norm(d) not in _PENDING]
    formats = _pick_format(dated, m.date_format, default_cur == "USD")
    for line, row in body:
        dtext = get("date", row)
        if _norm(dtext) in _PENDING:
            yield MappedRow(line, None, "pending", dtext)
            continue
        if any(_norm(get(k, row)) in _SUMMARY for k in ("date", "merchant", "description")):
            yield MappedRow(line, None, "summary")
            continue
        posted = next((p for f in formats if (p := _strptime(_TIME_TAIL.sub("", dtext), f))), None)
        amount, direction = _amount(get("amount", row) if ix["amount"] is not None else None, get("debit", row),
                                    get("credit", row), get("direction", row), m.negative_is_out)
        if posted is None or amount is None or direction is None:
            shown = dtext if posted is None else get("amount", row) or f"{get('debit', row)}/{get('credit', row)}"
            yield MappedRow(line, None, "date" if posted is None else "amount", shown)
            continue
        merchant, desc, pm = get("merchant", row), get("description", row), get("payment_method", row)
        when = dtext if dtext != _TIME_TAIL.sub("", dtext) else " ".join(x for x in (dtext, get("time", row)) if x)
        yield MappedRow(line, ParsedTx(
            posted_on=posted, amount=Money(amount, currency_code(get("cur", row)) or default_cur),
            direction=direction, merchant=merchant or desc, description=desc if merchant else "", payment_method=pm,
            bnpl_product=bnpl_product(pm, merchant, desc), external_id=get("external_id", row) or None,
            status=get("status", row), category=get("category", row), posted_at=when, row=line))


def parse(data: bytes, name: str, opts: ParseOptions) -> ParsedStatement:
    fmt, grid, repaired = _grid(data, name)
    header, body = _table(grid, name)
    if not body:
        raise fail(ImportCode.EMPTY, name)
    if (m := opts.mapping) is None:
        raise fail(ImportCode.NEEDS_MAPPING, name, columns=", ".join(header))
    txs: list[ParsedTx] = []
    pending = summary = 0
    bad: dict[str, list[tuple[int, str]]] = {"date": [], "amount": []}
    for r in map_rows(header, body, m, name, opts.currency):
        if r.tx is not None:
            txs.append(r.tx)
        elif r.skip in bad:
            bad[r.skip].append((r.line, r.text))
        else:
            pending, summary = (pending + 1, summary) if r.skip == "pending" else (pending, summary + 1)
    counted = len(body) - pending - summary
    for what, rows in bad.items():
        if counted and len(rows) * 5 > counted:
            column = m.date if what == "date" else m.amount or m.debit or m.credit
            raise fail(ImportCode.BAD_MAPPING, name, detail=f"{len(rows)} of {counted} rows have no readable {what}s "
                       f"in column “{column}” (line {rows[0][0]}: “{rows[0][1]}”)")
    skipped = sorted(bad["date"] + bad["amount"]) or [(0, "")]
    warnings = [(w, p) for w, p, on in (
        (W_PENDING, {"count": str(pending)}, pending), (W_SUMMARY, {"count": str(summary)}, summary),
        (W_BAD_ROWS, {"count": str(len(skipped)), "line": str(skipped[0][0]), "detail": f"“{skipped[0][1]}”"},
         skipped[0][0]),
        (W_QUOTES, {"count": str(len(repaired)), "line": str(repaired[:1] and repaired[0])}, repaired)) if on]
    default_cur = _default_currency(header, m, opts.currency)
    dates, currencies = [t.posted_on for t in txs], Counter(t.amount.currency for t in txs)
    return ParsedStatement(
        format=fmt, provider_id=opts.provider_hint if opts.provider_hint in catalog().ids() else None,
        transactions=tuple(txs), currency=currencies.most_common(1)[0][0] if currencies else default_cur,
        period_start=min(dates, default=None), period_end=max(dates, default=None),
        warnings=tuple(w for w, _ in warnings), warning_params=tuple(p for _, p in warnings), columns=tuple(header))


def _amount(text: str | None, debit_text: str, credit_text: str, flag_text: str,
            negative_is_out: bool) -> tuple[Decimal | None, Direction | None]:
    """Unsigned amount and direction: a signed column (with a D/K flag or CR/DR suffix), or debit/credit columns."""
    if text is not None:
        suffix = re.search(r"\s*\b(CR|DR|Cr|Dr)\.?$", text)
        value = decimal_amount(text[:suffix.start()] if suffix else text)
        flag = direction_word(flag_text) or direction_word(suffix.group(1) if suffix else "")
        if value is None or flag is not None or value == 0:
            return (None, None) if value is None else (abs(value), flag or Direction.NEUTRAL)
        return abs(value), Direction.OUT if (value < 0) == negative_is_out else Direction.IN
    debit, credit = (decimal_amount(t) if t else None for t in (debit_text, credit_text))
    if debit is None and credit is None:
        return None, None
    return abs(debit or credit or Decimal(0)), Direction.OUT if debit else Direction.IN if credit else Direction.NEUTRAL
