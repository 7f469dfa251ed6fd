"""PayPal "Activity download" CSV (or tab-separated) export.

Layout: one header row ("Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net",
"From Email Address","To Email Address","Transaction ID", ..., "Balance", ..., "Balance Impact"), then one row per
event. Columns are found by name (English, and the German names of a German-language account), so customised
field selections and reordered columns work. Quoted fields may contain commas and line breaks.

Dates: PayPal writes them in the account's locale (MM/DD/YYYY in the US, DD/MM/YYYY in the UK/EU). A day above 12
in any row decides; otherwise the TimeZone column (a hint only: PST/EDT/America/... month-first, GMT/BST/CET/...
day-first), then decimal-comma amounts or a non-English header (day-first); otherwise month-first.

Each row becomes one transaction: amount |Gross| in the row's Currency, direction by the sign of Gross.
A non-zero Fee becomes its own transaction (category "fee", external_id "<Transaction ID>-FEE"), money out when
Net is below Gross (PayPal writes fees negative; some exports positive), else a fee refund. Rows that move
no money are NEUTRAL: Balance Impact "Memo", denied/failed/cancelled rows, currency conversions and the funding
transfers (bank/card deposits, withdrawals, holds). Rows whose Type or Name mention Pay in 4 / Pay in 3 /
Pay Later / PayPal Credit are bnpl_product "paypal_paylater"; other names go through the catalog's aliases.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from mybnpl.core.imports import ImportCode, ParsedStatement, ParsedTx
from mybnpl.core.models import Direction
from mybnpl.core.money import Money
from mybnpl.i18n import N_
from mybnpl.importers.base import MAX_ROWS, ParseOptions
from mybnpl.importers.errors import fail
from mybnpl.importers.generic import bnpl_product, catalog, currency_code, decimal_amount, decode_bytes
from mybnpl.importers.text import clean, normalize_newlines, sniff_delimiter

FORMAT = "paypal_csv"
PAYLATER = "paypal_paylater"

W_BAD_ROWS = N_("{count} rows could not be read and were skipped (first: line {line}, {detail}).")

# Logical field -> header names: PayPal's English default activity-download fields, then the German ones
# (sources in tests/fixtures/PROVENANCE.md).
_FIELDS: dict[str, tuple[str, ...]] = {
    "date": ("date", "datum"), "time": ("time", "uhrzeit"), "tz": ("timezone", "time zone", "zeitzone"),
    "name": ("name",), "type": ("type", "typ"), "status": ("status",), "currency": ("currency", "währung"),
    "gross": ("gross", "brutto"), "fee": ("fee", "gebühr"), "net": ("net", "netto"),
    "txid": ("transaction id", "transaktionscode"), "item": ("item title", "artikelbezeichnung"),
    "impact": ("balance impact", "auswirkung auf guthaben"), "to": ("to email address", "empfänger e-mail-adresse"),
    "from": ("from email address", "absender e-mail-adresse"),
    "funding": ("funding source", "payment source"), "note": ("note", "subject", "hinweis", "betreff"),
}
_PAYLATER = re.compile(r"pay\s*in\s*[34]\b|pay\s*later|paypal\s*credit", re.I)
_NO_MONEY = re.compile(r"currency conversion|bank deposit|card deposit|withdraw|transfer (to|from)|authori[sz]ation"
                       r"|\bhold\b|reserve|währungsumrechnung|bankgutschrift", re.I)
_VOID = {"denied", "failed", "canceled", "cancelled", "voided", "expired", "abgelehnt", "storniert", "fehlgeschlagen"}
_US_TZ = re.compile(r"^(P|M|C|E|AK|H)[SD]T$|^America/|^US/", re.I)
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})$")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d %b %Y", "%b %d, %Y", "%d-%b-%Y", "%d/%b/%Y")


def _columns(header: list[str]) -> dict[str, int]:
    names = [" ".join(h.casefold().split()) for h in header]
    found: dict[str, int] = {}
    for field, aliases in _FIELDS.items():
        for alias in aliases:
            if alias in names:
                found[field] = names.index(alias)
                break
    return found


def _is_header(row: list[str]) -> bool:
    cols = _columns(row)
    return {"date", "gross", "net", "currency"} <= cols.keys() and ("name" in cols or "type" in cols)


def sniff(head: str, data: bytes, name: str) -> int:
    if b"\x00" in data[:1024]:
        return 0
    lines = normalize_newlines(head.lstrip("\ufeff")).split("\n")[:5]
    for line in lines:
        delim = "\t" if line.count("\t") > line.count(",") else ","
        if _is_header([clean(c) for c in line.split(delim)]):
            return 90
    return 0


def _rows(text: str) -> list[list[str]]:
    text = normalize_newlines(text.lstrip("\ufeff"))
    delim = sniff_delimiter("\n".join(text.split("\n", 50)[:50]))
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delim))  # keeps line breaks inside quoted fields
    except csv.Error:
        rows = [line.split(delim) for line in text.split("\n")]
    return [[clean(c) for c in r] for r in rows]


def _day_first(dates: list[str], zones: list[str], amounts: list[str], english: bool) -> bool:
    for d in dates:
        m = _DMY.match(d)
        if m and int(m.group(1)) > 12:
            return True
        if m and int(m.group(2)) > 12:
            return False
    tz = Counter(z for z in zones if z).most_common(1)
    if tz:
        return not _US_TZ.match(tz[0][0])
    if any(re.search(r"\d,\d\d$", a) and "." not in a for a in amounts):
        return True
    return not english


def _date(text: str, day_first: bool) -> date | None:
    m = _DMY.match(text)
    if m:
        a, b, y = (int(g) for g in m.groups())
        day, month, year = (a, b, y) if day_first else (b, a, y)
        year += 2000 if year < 100 else 0
        try:
            return date(year, month, day) if 1900 <= year <= 2100 else None
        except ValueError:
            return None
    for f in _DATE_FORMATS:
        try:
            return datetime.strptime(text, f).date()
        except ValueError:
            continue
    return None


def parse(data: bytes, name: str, opts: ParseOptions) -> ParsedStatement:
    rows = _rows(decode_bytes(data, name))
    if len(rows) > MAX_ROWS:
        raise fail(ImportCode.TOO_LARGE, name, detail=f"{len(rows)} rows", limit=f"{MAX_ROWS} rows")
    at = next((i for i, r in enumerate(rows[:20]) if _is_header(r)), None)
    if at is None:
        raise fail(ImportCode.UNSUPPORTED_FORMAT, name, detail="no PayPal activity header (Date, Gross, Net, ...)")
    header = rows[at]
    cols = _columns(header)
    body = [(i + 1, r) for i, r in enumerate(rows[at + 1:], start=at + 1) if any(r)]
    if not body:
        raise fail(ImportCode.EMPTY, name)

    def get(field: str, row: list[str]) -> str:
        j = cols.get(field)
        return row[j] if j is not None and j < len(row) else ""

    english = " ".join(header[cols["date"]].casefold().split()) == "date"
    day_first = _day_first([get("date", r) for _, r in body], [get("tz", r) for _, r in body],
                           [get("gross", r) for _, r in body], english)
    default_cur = currency_code(opts.currency) or "USD"
    txs: list[ParsedTx] = []
    bad: list[tuple[int, str]] = []
    for line, row in body:
        posted = _date(get("date", row), day_first)
        gross = decimal_amount(get("gross", row))
        if posted is None or gross is None:
            bad.append((line, get("date", row) if posted is None else get("gross", row)))
            continue
        txs.extend(_transactions(line, row, get, posted, gross, currency_code(get("currency", row)) or default_cur))
    if bad and not txs:
        raise fail(ImportCode.CORRUPT, name, detail=f"no readable rows (line {bad[0][0]}: “{bad[0][1]}”)")
    warnings = [W_BAD_ROWS] if bad else []
    params = [{"count": str(len(bad)), "line": str(bad[0][0]), "detail": f"“{bad[0][1]}”"}] if bad else []
    currencies = Counter(t.amount.currency for t in txs)
    dates = [t.posted_on for t in txs]
    return ParsedStatement(
        format=FORMAT, provider_id=opts.provider_hint if opts.provider_hint in catalog().ids() else None,
        transactions=tuple(txs), currency=currencies.most_common(1)[0][0] if currencies else default_cur,
        period_start=min(dates, default=None), period_end=max(dates, default=None),
        warnings=tuple(warnings), warning_params=tuple(params), columns=tuple(header))


def _transactions(line: int, row: list[str], get: Callable[[str, list[str]], str], posted: date, gross: Decimal,
                  currency: str) -> list[ParsedTx]:
    name, typ, status = get("name", row), get("type", row), get("status", row)
    product = PAYLATER if _PAYLATER.search(typ) or _PAYLATER.search(name) else bnpl_product(name, get("item", row))
    neutral = get("impact", row).casefold() == "memo" or status.casefold() in _VOID or bool(_NO_MONEY.search(typ))
    direction = Direction.NEUTRAL if neutral or gross == 0 else Direction.OUT if gross < 0 else Direction.IN
    txid = get("txid", row) or None
    item = get("item", row) or get("note", row)
    main = ParsedTx(posted_on=posted, amount=Money(abs(gross), currency), direction=direction,
                    merchant=name or get("to" if gross < 0 else "from", row) or typ,
                    description=" · ".join(x for x in (typ, item) if x),
                    payment_method=get("funding", row) or "PayPal", bnpl_product=product, external_id=txid,
                    status=status, category="fee" if re.search(r"\bfee\b", typ, re.I) else "",
                    posted_at=" ".join(x for x in (posted.isoformat(), get("time", row), get("tz", row)) if x),
                    row=line)
    fee = decimal_amount(get("fee", row)) if get("fee", row) else None
    if not fee or neutral:
        return [main]
    net = decimal_amount(get("net", row))
    charged = fee < 0 if net is None else net < gross
    return [main, replace(main, amount=Money(abs(fee), currency), direction=Direction.OUT if charged else Direction.IN,
                          merchant="PayPal", description=f"Fee · {typ}" if typ else "Fee", category="fee",
                          external_id=f"{txid}-FEE" if txid else None)]
