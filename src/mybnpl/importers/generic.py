"""Any CSV or spreadsheet table, read through the user's column mapping (the "generic" path).

The reader follows the content, not the extension: OLE2 is legacy .xls, a ZIP is .xlsx/.ods (python-calamine),
anything else is delimited text (Swedbank's ".xls" is CSV). Text is UTF-8/UTF-16 with BOM, else GB18030, unless
high bytes stand alone between ASCII ("initiërende": Latin text, cp1252, else ISO-8859-1). A line with an odd
number of quotes is repaired (missing opening/closing quote) or joined with the next (quoted line break) when that
restores the table's width, with a warning. The header is the first row with >= 3 non-empty cells and no date,
followed by a row with a date-like cell, so bank preambles (CCB's account block, CITIC's title row) are skipped.

Without a mapping, parse raises NEEDS_MAPPING and ``detect_table`` gives the mapping step the header and sample
rows. With one: dates are inferred per column (day-first unless the currency is USD, unless the data decides) or
read with ``date_format``. "Pending" rows (card authorisations, not yet posted; the bank lists them again, dated)
and balance/turnover rows are skipped with a warning. More than 20% of the other rows without a readable date or
amount means the mapping is wrong: BAD_MAPPING. ``mapping.currency`` is a column name or an ISO code.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from mybnpl.core.catalog import Catalog, parse_catalog
from mybnpl.core.imports import ColumnMapping, ImportCode, ImportFailed, ParsedStatement, ParsedTx
from mybnpl.core.models import Direction
from mybnpl.core.money import Money
from mybnpl.i18n import N_
from mybnpl.importers.base import MAX_ROWS, ParseOptions
from mybnpl.importers.errors import fail
from mybnpl.importers.text import clean, normalize_newlines, parse_amount_text, sniff_delimiter
from mybnpl.resources import resource_path

FORMAT = "generic_csv"
FORMATS = ("generic_csv", "generic_xlsx", "generic_xls", "generic_ods")
PREVIEW_ROWS = 20
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

W_PENDING = N_("{count} pending rows without a posting date were skipped; they will appear once posted.")
W_SUMMARY = N_("{count} balance or total rows were skipped.")
W_BAD_ROWS = N_("{count} rows could not be read and were skipped (first: line {line}, {detail}).")
W_QUOTES = N_("{count} lines had broken quoting and were repaired (first: line {line}); check those rows.")

_PENDING = {"pending", "pend", "待入账", "处理中", "ausstehend", "vorgemerkt", "en attente", "in behandeling"}
_SUMMARY = {"opening balance", "closing balance", "turnover", "balance brought forward", "balance carried forward",
            "grand total", "subtotal", "totals", "期初余额", "期末余额", "合计", "总计", "本期合计", "beginsaldo",
            "eindsaldo", "anfangssaldo", "endsaldo", "saldo inicial", "solde initial", "solde final"}
_DIRECTION_WORDS = {
    **dict.fromkeys(("支出", "出", "借", "借方", "d", "dr", "debit", "debet", "db", "af", "s", "soll", "out", "-"),
                    Direction.OUT),
    **dict.fromkeys(("收入", "入", "贷", "贷方", "k", "c", "cr", "credit", "kredit", "bij", "h", "haben", "in", "+"),
                    Direction.IN),
    **dict.fromkeys(("不计收支", "其他", "/", "neutral"), Direction.NEUTRAL)}
_CURRENCY_NAMES = {"人民币": "CNY", "rmb": "CNY", "美元": "USD", "港币": "HKD", "港元": "HKD", "欧元": "EUR",
                   "英镑": "GBP", "日元": "JPY", "£": "GBP", "€": "EUR", "$": "USD", "¥": "CNY"}
_DATELIKE = re.compile(
    r"(\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])"
    r"|\d{1,2}[- /]?[A-Za-z]{3,9}[- /,]+\d{2,4}|[A-Za-z]{3,9} \d{1,2}, \d{4})([ T]+\d{1,2}:\d\d.*)?")
_TIME_TAIL = re.compile(r"^(.+?)[ T]+\d{1,2}:\d\d(:\d\d)?(\.\d+)?\s*([AaPp][Mm])?\s*(Z|[+-]\d\d:?\d\d|[A-Z]{2,5})?$")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%d/%m/%Y", "%m/%d/%Y", "%d-%m-%Y",
                 "%m-%d-%Y", "%d.%m.%Y", "%d/%m/%y", "%m/%d/%y", "%d.%m.%y", "%d-%m-%y", "%d-%b-%Y", "%d-%b-%y",
                 "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%d/%b/%Y", "%d %b %y")


# --- shared helpers (also used by the PayPal and OFX importers) ---------------------------------------------
def decode_bytes(data: bytes, name: str) -> str:
    if not data.strip():
        raise fail(ImportCode.EMPTY, name)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise fail(ImportCode.ENCODING, name) from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data[:4096]:
        raise fail(ImportCode.UNSUPPORTED_FORMAT, name, detail="binary data")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    high = [i for i, b in enumerate(data[:65536]) if b >= 0x80]
    alone = sum(1 for i in high if (i == 0 or data[i - 1] < 0x80) and (i + 1 >= len(data) or data[i + 1] < 0x80))
    if not (high and alone * 3 >= len(high)):
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


@cache
def catalog() -> Catalog | None:
    try:
        return parse_catalog(json.loads(resource_path("providers.json").read_text("utf-8")))
    except Exception:  # pragma: no cover - a broken install; BNPL tagging is then off
        return None


def bnpl_product(*texts: str) -> str | None:
    cat = catalog()
    hit = cat.match_payment_method(" | ".join(t for t in texts if t)) if cat else None
    return hit.id if hit else None


def provider_or_none(provider_id: str | None) -> str | None:
    cat = catalog()
    return provider_id if cat and provider_id in cat.ids() else None


def currency_code(text: str) -> str | None:
    t = clean(text)
    code = _CURRENCY_NAMES.get(t.casefold(), t.upper())
    return code if len(code) == 3 and code.isascii() and code.isalpha() else None


def decimal_amount(text: str) -> Decimal | None:
    """A signed amount from cell text ("-337,49", "+ £1,100.00", "EUR 12,00", "12.00-"), None if not one."""
    t = re.sub(r"^[A-Z]{3}\s*|\s*[A-Z]{3}$", "", clean(text))
    neg = t.endswith("-") and not t.startswith("-")
    plain = parse_amount_text(t.rstrip("-") if neg else t)
    if plain is None or len(plain) > 24 or sum(ch.isdigit() for ch in plain.split(".")[0]) > 15:
        return None
    try:
        value = Decimal(plain)
    except InvalidOperation:
        return None
    return -value if neg else value


# --- reading the grid -------------------------------------------------------------------------------------
def _cell(v: Any) -> str:
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):  # CITIC's card last-4 6688.0 -> "6688"
        finite = v == v and abs(v) != float("inf")
        return "" if not finite else str(int(v)) if v.is_integer() and abs(v) < 1e15 else format(Decimal(repr(v)), "f")
    if isinstance(v, datetime) and v.time() == time():
        v = v.date()
    if isinstance(v, date | time | timedelta):
        return v.isoformat(sep=" ") if isinstance(v, datetime) else v.isoformat() if not isinstance(v, timedelta) \
            else str(v)
    return clean(str(v)) if v is not None else ""


def _sheets(data: bytes, name: str) -> list[list[list[str]]]:
    from python_calamine import CalamineWorkbook, PasswordError

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        grids = []
        for i in range(len(wb.sheet_names)):
            rows = wb.get_sheet_by_index(i).to_python(skip_empty_area=False)
            if len(rows) > MAX_ROWS:
                raise fail(ImportCode.TOO_LARGE, name, detail=f"{len(rows)} rows", limit=f"{MAX_ROWS} rows")
            grids.append([[_cell(c) for c in r] for r in rows])
        return grids
    except PasswordError:
        raise fail(ImportCode.PASSWORD_REQUIRED, name) from None
    except (ImportFailed, KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as e:  # calamine errors, and Rust panics (PanicException is a BaseException)
        raise fail(ImportCode.CORRUPT, name, detail=f"spreadsheet: {type(e).__name__}") from None


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

    widths = Counter(len(parse(ln)) for ln in lines[:500] if ln.strip() and not ln.count('"') % 2)
    width = widths.most_common(1)[0][0] if widths else 0
    rows: list[list[str]] = []
    repaired: list[int] = []
    i = 0
    while i < len(lines):
        line, start = lines[i], i
        i += 1
        cells = parse(line)
        if line.count('"') % 2:
            fixes = ['"' + line, line + '"'] if not line.startswith('"') else [line + '"']
            good = [c for c in map(parse, fixes) if len(c) == width]
            if good:
                cells = good[0]
            else:
                j, joined = i, line
                while joined.count('"') % 2 and j < len(lines) and j - i < 20:
                    joined, j = joined + "\n" + lines[j], j + 1
                if not joined.count('"') % 2 and len(parse(joined)) == width:
                    cells, i = parse(joined), j
                else:
                    cells = line.split(delim)
            repaired.append(start + 1)
        rows.append([clean(c) for c in cells])
    return rows, repaired


def _grid(data: bytes, name: str) -> tuple[str, list[list[str]], list[int]]:
    if data.startswith(_OLE) or data.startswith(b"PK\x03\x04"):
        kind = "generic_xls" if data.startswith(_OLE) else (
            "generic_ods" if b"opendocument.spreadsheet" in data[:200] else "generic_xlsx")
        grids = [g for g in _sheets(data, name) if any(any(r) for r in g)]
        if not grids:
            raise fail(ImportCode.EMPTY, name)
        return kind, next((g for g in grids if _header_at(g) is not None), grids[0]), []
    rows, repaired = _csv_rows(decode_bytes(data, name), name)
    return "generic_csv", rows, repaired


def _filled(row: list[str]) -> int:
    return sum(1 for c in row if c)


def _width(row: list[str]) -> int:
    return max((j + 1 for j, c in enumerate(row) if c), default=0)


def _datelike(cell: str) -> bool:
    return bool(cell) and len(cell) < 40 and _DATELIKE.fullmatch(cell) is not None


def _header_at(rows: list[list[str]]) -> int | None:
    for i, row in enumerate(rows[:200]):
        if _filled(row) < 3 or any(_datelike(c) for c in row):
            continue
        after = [r for r in rows[i + 1:i + 40] if _filled(r)][:12]
        if any(_filled(r) >= 2 and _width(r) <= max(len(row), 3) + 1 and any(map(_datelike, r)) for r in after):
            return i
    return None


def _table(rows: list[list[str]], name: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    at = _header_at(rows)
    if at is None:
        at = next((i for i, r in enumerate(rows[:200]) if _filled(r) >= 3), None)
    if at is None:
        raise fail(ImportCode.UNSUPPORTED_FORMAT, name, detail="no table with at least 3 columns")
    body: list[tuple[int, list[str]]] = []
    for k in range(at + 1, len(rows)):
        if not _filled(rows[k]):
            nxt = next((r for r in rows[k + 1:] if _filled(r)), None)
            if body and (nxt is None or not any(map(_datelike, nxt))):
                break
        elif _filled(rows[k]) >= 2:
            body.append((k + 1, rows[k]))
    width = max([_width(rows[at])] + [_width(r) for _, r in body])
    names: list[str] = []
    for j in range(width):
        base = (rows[at][j] if j < len(rows[at]) else "") or f"Column {j + 1}"
        names.append(base if base not in names else f"{base} ({j + 1})")
    return names, [(ln, (r + [""] * width)[:width]) for ln, r in body]


def detect_table(data: bytes, name: str) -> tuple[list[str], list[list[str]]]:
    """The header the mapping step shows, and the first 20 data rows (padded to the header's width)."""
    _, grid, _ = _grid(data, name)
    header, body = _table(grid, name)
    return header, [r for _, r in body[:PREVIEW_ROWS]]


def sniff(head: str, data: bytes, name: str) -> int:
    if data.startswith(_OLE) or (data.startswith(b"PK\x03\x04") and (b"xl/" in data or b"opendocument" in data)):
        return 10
    if b"\x00" in data[:1024] or data.startswith(b"%PDF"):
        return 0
    lines = normalize_newlines(head).split("\n")[:100]
    rows = [r for r in ([clean(c) for c in ln.split(max(",;\t|", key=ln.count))] for ln in lines) if _filled(r)]
    at = _header_at(rows)
    return 10 if at is not None and at + 1 < len(rows) else 0


# --- applying the mapping -----------------------------------------------------------------------------------
def _norm(s: str) -> str:
    return " ".join(s.casefold().split())


def _date_only(value: str) -> str:
    m = _TIME_TAIL.match(value)
    return m.group(1) if m else value


def _pick_format(values: list[str], fmt: str | None, month_first: bool) -> list[str]:
    if fmt:
        return [fmt, "%Y-%m-%d"]
    order = list(_DATE_FORMATS)
    if month_first:
        order.sort(key=lambda f: 0 if f.startswith(("%m", "%b", "%B")) else 1)
    sample = [_date_only(v) for v in values[:500]]
    scores = {f: sum(1 for v in sample if _strptime(v, f)) for f in order}
    best = max(order, key=lambda f: scores[f])
    return [best] + [f for f in order if f != best]


def _strptime(value: str, fmt: str) -> date | None:
    try:
        d = datetime.strptime(value, fmt).date()
    except ValueError:
        return None
    return d if 1900 <= d.year <= 2100 else None


def parse(data: bytes, name: str, opts: ParseOptions) -> ParsedStatement:
    fmt, grid, repaired = _grid(data, name)
    header, body = _table(grid, name)
    if not body:
        raise fail(ImportCode.EMPTY, name)
    if opts.mapping is None:
        raise fail(ImportCode.NEEDS_MAPPING, name, columns=", ".join(header))
    return _apply(opts.mapping, header, body, name, fmt, repaired, opts)


def _apply(m: ColumnMapping, header: list[str], body: list[tuple[int, list[str]]], name: str, fmt: str,
           repaired: list[int], opts: ParseOptions) -> ParsedStatement:
    def col(value: str | None) -> int | None:
        if not value:
            return None
        for j, h in enumerate(header):
            if h == value or _norm(h) == _norm(value):
                return j
        raise fail(ImportCode.BAD_MAPPING, name, detail=f"there is no column “{value}” (columns: {', '.join(header)})")

    di = col(m.date)
    if di is None:
        raise fail(ImportCode.BAD_MAPPING, name, detail="map the date column")
    if m.amount is None and m.debit is None and m.credit is None:
        raise fail(ImportCode.BAD_MAPPING, name, detail="map an amount column, or debit and credit columns")
    ai, dbi, cri, diri = col(m.amount), col(m.debit), col(m.credit), col(m.direction)
    mi, desci, pmi, xi = col(m.merchant), col(m.description), col(m.payment_method), col(m.external_id)
    ti, sti, cati = col(m.extra.get("time")), col(m.extra.get("status")), col(m.extra.get("category"))
    curi = next((j for j, h in enumerate(header) if m.currency and _norm(h) == _norm(m.currency)), None)
    default_cur = currency_code(m.currency or "") or currency_code(opts.currency) or "CNY"
    if curi is None and currency_code(m.currency or "") is None:
        col(m.currency)

    def get(j: int | None, row: list[str]) -> str:
        return row[j] if j is not None else ""

    formats = _pick_format([r[di] for _, r in body if r[di] and _norm(r[di]) not in _PENDING], m.date_format,
                           default_cur == "USD")
    txs: list[ParsedTx] = []
    pending = summary = 0
    bad_dates: list[tuple[int, str]] = []
    bad_amounts: list[tuple[int, str]] = []
    for line, row in body:
        dtext = row[di]
        if _norm(dtext) in _PENDING:
            pending += 1
            continue
        if any(_norm(get(j, row)) in _SUMMARY for j in (di, mi, desci)):
            summary += 1
            continue
        posted = next((d for f in formats if (d := _strptime(_date_only(dtext), f))), None)
        if posted is None:
            bad_dates.append((line, dtext))
            continue
        amount, direction = _amount(row, ai, dbi, cri, get(diri, row), m.negative_is_out)
        cur = currency_code(get(curi, row)) or default_cur
        if amount is None or direction is None:
            bad_amounts.append((line, get(ai, row) or f"{get(dbi, row)}/{get(cri, row)}"))
            continue
        merchant, desc, pm = get(mi, row), get(desci, row), get(pmi, row)
        when = dtext if dtext != _date_only(dtext) else " ".join(x for x in (dtext, get(ti, row)) if x)
        txs.append(ParsedTx(posted_on=posted, amount=Money(abs(amount), cur), direction=direction,
                            merchant=merchant or desc, description=desc if merchant else "", payment_method=pm,
                            bnpl_product=bnpl_product(pm, merchant, desc), external_id=get(xi, row) or None,
                            status=get(sti, row), category=get(cati, row), posted_at=when, row=line))
    counted = len(body) - pending - summary
    for bad, what, col_name in ((bad_dates, "dates", m.date), (bad_amounts, "amounts", m.amount or m.debit)):
        if counted and len(bad) * 5 > counted:
            raise fail(ImportCode.BAD_MAPPING, name, detail=f"{len(bad)} of {counted} rows have no readable {what} "
                       f"in column “{col_name}” (line {bad[0][0]}: “{bad[0][1]}”)")
    bad = sorted(bad_dates + bad_amounts) or [(0, "")]
    warnings = [(w, p) for w, p, on in (
        (W_PENDING, {"count": str(pending)}, pending), (W_SUMMARY, {"count": str(summary)}, summary),
        (W_BAD_ROWS, {"count": str(len(bad)), "line": str(bad[0][0]), "detail": f"“{bad[0][1]}”"}, bad[0][0]),
        (W_QUOTES, {"count": str(len(repaired)), "line": str(repaired[:1] and repaired[0])}, repaired)) if on]
    currencies = Counter(t.amount.currency for t in txs)
    dates = [t.posted_on for t in txs]
    return ParsedStatement(
        format=fmt, provider_id=provider_or_none(opts.provider_hint), transactions=tuple(txs),
        currency=currencies.most_common(1)[0][0] if currencies else default_cur,
        period_start=min(dates, default=None), period_end=max(dates, default=None),
        warnings=tuple(w for w, _ in warnings), warning_params=tuple(p for _, p in warnings), columns=tuple(header))


def _amount(row: list[str], ai: int | None, dbi: int | None, cri: int | None, flag_text: str,
            negative_is_out: bool) -> tuple[Decimal | None, Direction | None]:
    if ai is not None:
        text = row[ai]
        suffix = re.search(r"\s*\b(CR|DR|Cr|Dr)$", text)
        value = decimal_amount(text[:suffix.start()] if suffix else text)
        if value is None:
            return None, None
        flag = _DIRECTION_WORDS.get(_norm(flag_text)) or (_DIRECTION_WORDS.get(suffix.group(1).lower()) if suffix else None)
        if flag is not None:
            return abs(value), flag
        if value == 0:
            return value, Direction.NEUTRAL
        return abs(value), Direction.OUT if (value < 0) == negative_is_out else Direction.IN
    debit = decimal_amount(row[dbi]) if dbi is not None and row[dbi] else None
    credit = decimal_amount(row[cri]) if cri is not None and row[cri] else None
    if debit:
        return abs(debit), Direction.OUT
    if credit:
        return abs(credit), Direction.IN
    if debit is not None or credit is not None:
        return Decimal(0), Direction.NEUTRAL
    return None, None
