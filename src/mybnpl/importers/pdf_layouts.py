"""PDF statement layouts (``resources/pdf_layouts.json``) and everything that turns a known layout's text into a
ParsedStatement: header fields, transaction rows, installments, reconciliation; the column mapping of a generic
PDF table; and the reconstruction of tables from word positions (for that mapping step).

Matching (after monopoly's identifier groups): a layout matches when every ``match.metadata`` regex matches
that metadata field and every ``match.text`` regex matches the text of the first two pages. The first match in
catalog order wins, so specific layouts come before generic ones.

Rows are read on the fast path: the layout's ``row`` regex over pypdfium2's text lines. Only a layout with a
``table`` section reads its rows from ruled-table geometry (pdfplumber), and only on pages whose text shows
the table's header.

Reconciliation (monopoly checks that the parsed sums appear somewhere in the document; we check them against
the labelled figure): ``total_is`` says what the printed total sums. "debits_minus_credits": every charge
minus every refund or payment row; "debits": the new charges only. Rows that differ from the printed total
fail with TOTALS_MISMATCH; a ``page_subtotal`` printed on a page is checked against that page's rows. With no
printed total the statement is returned with reconciled=None and a warning.

Installments: a row's "n/m" becomes ParsedInstallment(seq n of m, the row's amount, due on the statement's due
date), i.e. the installment this statement bills. ``schedule_row`` lines (an upcoming-payments list that
prints a due date per installment) become ParsedInstallments with their own due dates and are not
transactions. Nothing is projected: installments the document does not print are not invented.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from pathlib import Path
from statistics import median
from typing import Any

from mybnpl.core.imports import ColumnMapping, ImportCode, ParsedInstallment, ParsedStatement, ParsedTx
from mybnpl.core.models import Direction
from mybnpl.core.money import Money
from mybnpl.i18n import N_
from mybnpl.importers.errors import fail
from mybnpl.importers.generic import currency_code, direction_word
from mybnpl.importers.text import clean, parse_amount_text, parse_date
from mybnpl.resources import resource_path

W_NO_TOTAL = N_("{name} prints no total, so its rows could not be checked against one.")
W_SKIPPED = N_("{count} rows could not be read and were skipped (first: line {line}, {detail}).")  # as generic.py

_CURRENCY_WORDS = {"人民币": "CNY", "rmb": "CNY", "元": "CNY", "¥": "CNY", "￥": "CNY", "€": "EUR", "£": "GBP",
                   "$": "USD", "us$": "USD", "a$": "AUD"}
_SUMMARY = re.compile(r"(?i)^(opening|closing) balance|balance (brought|carried) forward|^期[初末]余额|^承前页|^过次页")
_DR_CR = re.compile(r"\s*\b(Cr|CR|Dr|DR)\.?$")
_PLAIN = re.compile(r"-?\d{1,3}(?:,\d{3})*(?:\.\d+)?|-?\d+(?:\.\d+)?")
MAX_ROW_CHARS = 400
_EXTRA_DATES = ("%d-%b-%y", "%d-%b-%Y", "%d %b %y", "%m/%d/%y", "%d/%m/%y")


@dataclass(frozen=True)
class TableSpec:
    header: tuple[str, ...]  # the table's header cells, whitespace removed, casefolded
    date: int
    merchant: int
    amount: int
    installment: re.Pattern[str] | None  # over the merchant cell: groups n and m


@dataclass(frozen=True)
class Layout:
    id: str
    provider_id: str | None
    currency: str | None
    metadata: tuple[tuple[str, re.Pattern[str]], ...]
    text: tuple[re.Pattern[str], ...]
    fields: dict[str, re.Pattern[str]]
    row: re.Pattern[str] | None
    schedule_row: re.Pattern[str] | None
    credit: re.Pattern[str] | None
    date_formats: tuple[str, ...]
    total_is: str = "debits_minus_credits"
    row_installments: bool = True
    providers: tuple[tuple[str, str], ...] = ()
    table: TableSpec | None = None


def _compile(text: str, defs: dict[str, str]) -> re.Pattern[str]:
    for key, value in defs.items():
        text = text.replace(f"@{key}@", value)
    return re.compile(text)


def parse_catalog(doc: dict[str, Any]) -> tuple[Layout, ...]:
    defs = {str(k): str(v) for k, v in doc.get("defs", {}).items()}
    out = []
    for d in doc["layouts"]:
        def rx(key: str, d: dict[str, Any] = d) -> re.Pattern[str] | None:
            return _compile(d[key], defs) if d.get(key) else None

        m = d.get("match", {})
        t = d.get("table")
        out.append(Layout(
            id=d["id"], provider_id=d.get("provider_id"), currency=d.get("currency"),
            metadata=tuple((k, _compile(v, defs)) for k, v in m.get("metadata", {}).items()),
            text=tuple(_compile(v, defs) for v in m.get("text", [])),
            fields={k: _compile(v, defs) for k, v in d.get("fields", {}).items()},
            row=rx("row"), schedule_row=rx("schedule_row"), credit=rx("credit"),
            date_formats=tuple(d.get("date_formats", ["%Y-%m-%d"])), total_is=d.get("total_is", "debits_minus_credits"),
            row_installments=bool(d.get("row_installments", True)),
            providers=tuple((k, v) for k, v in d.get("providers", {}).items()),
            table=TableSpec(tuple(_key(h) for h in t["header"]), int(t["date"]), int(t["merchant"]), int(t["amount"]),
                            _compile(t["installment"], defs) if t.get("installment") else None) if t else None,
        ))
    return tuple(out)


@cache
def load_layouts(path: str | None = None) -> tuple[Layout, ...]:
    source = Path(path) if path else resource_path("pdf_layouts.json")
    return parse_catalog(json.loads(source.read_text("utf-8")))


def _key(text: str) -> str:
    return "".join(text.split()).casefold()


def match_layout(layouts: Sequence[Layout], metadata: dict[str, str], head: str) -> Layout | None:
    for lay in layouts:
        if all(rx.search(metadata.get(k, "")) for k, rx in lay.metadata) and all(rx.search(head) for rx in lay.text):
            return lay
    return None


# --- values ---------------------------------------------------------------------------------------------------
def amount_value(text: str) -> Decimal | None:
    """A signed Decimal from amount text: "¥1,234.50", "-12.00", "−3", "(5.00)", "12.00 CR" (credit: negative)."""
    if _PLAIN.fullmatch(text):
        return Decimal(text.replace(",", ""))
    t = re.sub(r"^[A-Z]{3}\s*", "", clean(text).replace("\u2212", "-").replace("，", ","))
    credit = _DR_CR.search(t)
    if credit:
        t = t[:credit.start()]
    plain = parse_amount_text(t)
    if plain is None or len(plain) > 24:
        return None
    try:
        value = Decimal(plain)
    except InvalidOperation:
        return None
    return -abs(value) if credit and credit.group(1).lower() == "cr" else value


def currency_of(text: str | None, default: str) -> str:
    t = (text or "").strip().casefold()
    if not t:
        return default
    if len(t) == 3 and t.isascii() and t.isalpha():
        return t.upper()
    return _CURRENCY_WORDS.get(t, default)


@lru_cache(maxsize=4096)
def read_date(text: str, formats: tuple[str, ...], ref: date | None) -> date | None:
    """A date in one of ``formats``; formats without a year take the year of ``ref`` (the statement's end), or
    the year before when that would put the date after ``ref``."""
    t = " ".join(text.split())
    for fmt in formats:
        yearless = "%Y" not in fmt and "%y" not in fmt
        if yearless and ref is None:
            continue
        try:
            d = datetime.strptime(f"{ref.year if ref else 0} {t}" if yearless else t,
                                  f"%Y {fmt}" if yearless else fmt).date()
        except ValueError:
            continue
        if yearless and ref and d > ref:
            try:
                d = d.replace(year=d.year - 1)
            except ValueError:
                continue
        return d
    squeezed = t.replace(" ", "")
    return read_date(squeezed, formats, ref) if squeezed != t else parse_date(t)


@dataclass
class Reader:
    """Accumulates the rows of one statement."""

    layout: Layout
    name: str
    currency: str
    ref: date | None
    due: date | None
    provider: str | None
    txs: list[ParsedTx] = field(default_factory=list)
    installments: list[ParsedInstallment] = field(default_factory=list)
    page_sums: list[tuple[int, Decimal, Decimal]] = field(default_factory=list)  # (page, parsed, printed)
    skipped: list[int] = field(default_factory=list)  # rows that look like rows but have no readable date/amount

    def money(self, value: Decimal) -> Money:
        return Money(abs(value), self.currency)

    def add_row(self, when: str, merchant: str, amount: str, n: str | None, m: str | None, row: int) -> bool:
        d = read_date(when, self.layout.date_formats, self.ref)
        value = amount_value(amount)
        if d is None or value is None:
            return False
        merchant = " ".join(merchant.split())
        credit = value < 0 or bool(self.layout.credit and self.layout.credit.search(merchant))
        money = self.money(value)
        self.txs.append(ParsedTx(posted_on=d, amount=money, direction=Direction.IN if credit else Direction.OUT,
                                 merchant=merchant, description=f"{n}/{m}" if n and m else "",
                                 bnpl_product=self.provider, row=row))
        if n and m and self.layout.row_installments and self.due and not credit:
            self.installments.append(ParsedInstallment(self.due, money, int(n), int(m), merchant))
        return True

    def add_schedule(self, g: dict[str, str | None]) -> bool:
        d = read_date(g.get("due") or "", self.layout.date_formats, None)
        value = amount_value(g.get("amount") or "")
        if d is None or value is None or not g.get("n") or not g.get("m"):
            return False
        self.installments.append(ParsedInstallment(d, self.money(value), int(g["n"] or 0), int(g["m"] or 0),
                                                   " ".join((g.get("merchant") or "").split())))
        return True

    def net(self, txs: Sequence[ParsedTx]) -> Decimal:
        out = sum((t.amount.amount for t in txs if t.direction is Direction.OUT), Decimal(0))
        back = sum((t.amount.amount for t in txs if t.direction is Direction.IN), Decimal(0))
        return out if self.layout.total_is == "debits" else out - back


def _mentions(text: str, word: str) -> bool:
    """``word`` in ``text``; a Latin word only as a whole word ("Zip", not "Zipper")."""
    if not word.isascii():
        return word in text
    return re.search(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", text) is not None


def _search(rx: re.Pattern[str] | None, pages: Sequence[str]) -> re.Match[str] | None:
    if rx is None:
        return None
    for text in pages:
        if m := rx.search(text):
            return m
    return None


def read_statement(layout: Layout, pages: Sequence[str], name: str, fmt: str,
                   tables: Callable[[list[int]], list[tuple[int, list[list[str]]]]]) -> ParsedStatement | None:
    """The statement, reconciled; None when the layout finds neither rows nor a total (then: never guess)."""
    f = layout.fields
    total_m = _search(f.get("total_due"), pages)
    currency = currency_of(total_m.groupdict().get("currency") if total_m else None, layout.currency or "CNY")
    period_m = _search(f.get("period"), pages)
    due_m = _search(f.get("due_date"), pages)
    due = read_date(due_m.group("date"), layout.date_formats, None) if due_m else None
    start = read_date(period_m.group("start"), layout.date_formats, None) if period_m else None
    end = read_date(period_m.group("end"), layout.date_formats, None) if period_m else None
    head = "\n".join(pages[:2])
    provider = layout.provider_id or next((p for word, p in layout.providers if _mentions(head, word)), None)
    rd = Reader(layout, name, currency, end or due, due, provider)
    line_no = 0
    for page_no, text in enumerate(pages, 1):
        first = len(rd.txs)
        for raw in text.splitlines():
            line_no += 1
            line = raw.strip()
            if not line or len(line) > MAX_ROW_CHARS:  # rows are short; long lines would only cost regex time
                continue
            if layout.schedule_row and (sm := layout.schedule_row.fullmatch(line)) and rd.add_schedule(sm.groupdict()):
                continue
            if layout.row and layout.table is None and (rm := layout.row.fullmatch(line)):
                g = rm.groupdict()
                if not rd.add_row(g["date"], g.get("merchant") or "", g["amount"], g.get("n"), g.get("m"), line_no):
                    rd.skipped.append(line_no)
            elif (sub := f.get("page_subtotal")) and (pm := sub.search(line)):
                printed = amount_value(pm.group("amount"))
                if printed is not None and layout.table is None:
                    rd.page_sums.append((page_no, rd.net(rd.txs[first:]), printed))
    if layout.table is not None:
        _table_rows(rd, layout.table, pages, tables)
    total = amount_value(total_m.group("amount")) if total_m else None
    if not rd.txs and not rd.installments and total is None:
        return None
    for page_no, parsed, printed in rd.page_sums:
        if parsed != printed:
            raise fail(ImportCode.TOTALS_MISMATCH, name, parsed=Money(parsed, currency).format(),
                       printed=Money(printed, currency).format(), page=page_no)
    warnings: list[tuple[str, dict[str, str]]] = []
    reconciled: bool | None = None
    if total is not None:
        parsed_total = rd.net(rd.txs)
        if parsed_total != total:
            raise fail(ImportCode.TOTALS_MISMATCH, name, parsed=Money(parsed_total, currency).format(),
                       printed=Money(total, currency).format())
        reconciled = True
    else:
        warnings.append((W_NO_TOTAL, {"name": name}))
    if rd.skipped:
        warnings.append((W_SKIPPED, {"count": str(len(rd.skipped)), "line": str(rd.skipped[0]),
                                     "detail": "no readable date or amount"}))
    min_m = _search(f.get("minimum_due"), pages)
    minimum = amount_value(min_m.group("amount")) if min_m else None
    acct_m = _search(f.get("account"), pages[:1])
    return ParsedStatement(
        format=fmt, provider_id=provider, transactions=tuple(rd.txs), currency=currency, period_start=start,
        period_end=end, due_date=due, total_due=Money(total, currency) if total is not None else None,
        minimum_due=Money(minimum, currency) if minimum is not None else None, installments=tuple(rd.installments),
        warnings=tuple(w for w, _ in warnings), warning_params=tuple(p for _, p in warnings), reconciled=reconciled,
        account_hint=acct_m.group("account").strip() if acct_m else "", pages=len(pages))


def _table_rows(rd: Reader, spec: TableSpec, pages: Sequence[str],
                tables: Callable[[list[int]], list[tuple[int, list[list[str]]]]]) -> None:
    """Rows from ruled tables, only on the pages whose text shows every header cell."""
    wanted = [i for i, text in enumerate(pages) if all(h in _key(text) for h in spec.header)]
    row_no = 0
    for _page, table in tables(wanted):
        if not table or tuple(_key(c) for c in table[0]) != spec.header:
            continue
        for cells in table[1:]:
            row_no += 1
            if max(spec.date, spec.merchant, spec.amount) >= len(cells):
                continue
            merchant = " ".join(cells[spec.merchant].split())
            im = spec.installment.search(merchant) if spec.installment else None
            if im:
                merchant = f"{merchant[:im.start()]} {merchant[im.end():]}".strip(" ,;()")
            if not rd.add_row(cells[spec.date], merchant, cells[spec.amount], im.group("n") if im else None,
                              im.group("m") if im else None, row_no):
                rd.skipped.append(row_no)


# --- the mapping step for an unknown layout ------------------------------------------------------------------
def map_table(header: list[str], rows: list[list[str]], mapping: ColumnMapping, name: str, fmt: str,
              pages: int) -> ParsedStatement:
    """Rows of the document's largest table → transactions, through the user's column mapping.

    Opening/closing-balance rows are not transactions. With ``mapping.extra["balance"]`` naming a running-balance
    column (a "Cr."/"Dr." suffix marks the sign) every row is checked: previous balance + credits - debits must
    equal the printed balance (an opening-balance row restarts the chain); a break fails with TOTALS_MISMATCH."""
    norm = {_key(h): i for i, h in enumerate(header)}

    def col(value: str | None) -> int | None:
        if not value:
            return None
        if _key(value) not in norm:
            raise fail(ImportCode.BAD_MAPPING, name,
                       detail=f"there is no column “{value}” (columns: {', '.join(header)})")
        return norm[_key(value)]

    di, ai, dbi, cri = col(mapping.date), col(mapping.amount), col(mapping.debit), col(mapping.credit)
    mi, dsi = col(mapping.merchant), col(mapping.description)
    pmi, xi = col(mapping.payment_method), col(mapping.external_id)
    bi, ri = col(mapping.extra.get("balance")), col(mapping.direction)
    if di is None or (ai is None and dbi is None and cri is None):
        raise fail(ImportCode.BAD_MAPPING, name, detail="map a date column and an amount (or debit/credit) column")
    # the currency, or a column that names it per row (as the spreadsheet path reads it: generic.currency_code)
    ci = norm.get(_key(mapping.currency or "")) if mapping.currency else None  # a column first: "Ccy" is no code
    currency = currency_of(mapping.currency, "CNY") if ci is None else "CNY"
    formats = tuple(f for f in (mapping.date_format, "%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", *_EXTRA_DATES) if f)
    txs: list[ParsedTx] = []
    skipped: list[tuple[int, str]] = []
    balance: Decimal | None = None
    checked = 0

    def cell(j: int | None, row: list[str]) -> str:
        return row[j] if j is not None and j < len(row) else ""

    for i, row in enumerate(rows, 1):
        text = " ".join(x for x in (cell(mi, row), cell(dsi, row)) if x)
        movement = _movement(cell(ai, row), cell(dbi, row), cell(cri, row), ai is not None, mapping.negative_is_out)
        flag = direction_word(cell(ri, row)) if ri is not None else None
        if movement is not None and flag in (Direction.IN, Direction.OUT):  # a D/K, CR/DR or 借/贷 column decides
            movement = abs(movement) if flag is Direction.IN else -abs(movement)
        printed = _balance(cell(bi, row)) if bi is not None else None
        if _SUMMARY.search(text.strip()):
            balance = printed if printed is not None else balance
            continue
        if bi is not None and printed is not None and movement is not None:
            if balance is not None and balance + movement != printed:
                raise fail(ImportCode.TOTALS_MISMATCH, name, parsed=Money(balance + movement, currency).format(),
                           printed=Money(printed, currency).format(), row=i)
            checked += balance is not None
            balance = printed
        posted = read_date(cell(di, row), formats, None) if cell(di, row) else None
        if posted is None or movement is None:
            skipped.append((i, "no readable date" if posted is None else "no readable amount"))
            continue
        if movement == 0:
            continue
        merchant, desc = cell(mi, row), cell(dsi, row)
        row_currency = (currency_code(cell(ci, row)) or currency) if ci is not None else currency
        txs.append(ParsedTx(posted_on=posted, amount=Money(abs(movement), row_currency),
                            direction=Direction.IN if movement > 0 else Direction.OUT, merchant=merchant or desc,
                            description=desc if merchant else "", payment_method=cell(pmi, row),
                            external_id=cell(xi, row) or None, row=i))
    if not txs:
        raise fail(ImportCode.BAD_MAPPING, name, detail="no row has both a readable date and an amount")
    warnings = [(W_SKIPPED, {"count": str(len(skipped)), "line": str(skipped[0][0]), "detail": skipped[0][1]})
                ] if skipped else []
    dates = [t.posted_on for t in txs]
    if ci is not None:  # currencies per row: the statement's is the most common one
        currency = max(set(codes := [t.amount.currency for t in txs]), key=codes.count)
    return ParsedStatement(format=fmt, provider_id=None, transactions=tuple(txs), currency=currency,
                           period_start=min(dates), period_end=max(dates), warnings=tuple(w for w, _ in warnings),
                           warning_params=tuple(p for _, p in warnings), reconciled=True if checked else None,
                           columns=tuple(header), pages=pages)


def _movement(amount: str, debit: str, credit: str, signed: bool, negative_is_out: bool) -> Decimal | None:
    """Money in (positive) or out (negative) for one row."""
    if signed:
        v = amount_value(amount)
        return None if v is None else (v if negative_is_out else -v)
    d, c = amount_value(debit) if debit else None, amount_value(credit) if credit else None
    if d is None and c is None:
        return None
    return (c or Decimal(0)) - abs(d or Decimal(0))


def _balance(text: str) -> Decimal | None:
    """A running balance: "1207631 Cr." is positive, "0 Dr." negative, a bare number as printed."""
    m = _DR_CR.search(text)
    v = amount_value(text[:m.start()] if m else text)
    if v is None:
        return None
    return -abs(v) if m and m.group(1).lower() == "dr" else v


# --- tables from word positions (pdfplumber characters) ------------------------------------------------------
# Words come from the characters in content order: a word ends at a space, a gap, or a jump back (text drawn over
# other text, e.g. a right-aligned amount overprinting a long description). Words closer than 1.3 spaces form a
# phrase; a line with >= 2 phrases one of which is a date or an amount is a data row. Columns are the x-ranges
# the rows' phrases cover (a phrase that overlaps a narrower one on its line is overflow and is left out); the
# lines just above the first row name them. A phrase under no header continues the phrase drawn before it.
_DATELIKE = re.compile(r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"
                       r"|\d{1,2}[- ][A-Za-z]{3,9}[- ,]+\d{2,4}|[A-Za-z]{3,9} \d{1,2}, \d{4}")
_AMOUNTLIKE = re.compile(r"[-+(−]?\s?(?:[A-Z]{3}\s?|[¥￥$€£])?\s?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?\)?"
                         r"(?:\s?(?:Cr|Dr|CR|DR)\.?)?")


def names(raw: Sequence[str]) -> list[str]:
    """Column names: an empty one becomes "Column N", a repeated one gets its position."""
    out: list[str] = []
    for j, h in enumerate(raw):
        base = h or f"Column {j + 1}"
        out.append(base if base not in out else f"{base} ({j + 1})")
    return out


class _Line:
    __slots__ = ("bottom", "data", "phrases", "size", "top")

    def __init__(self, words: list[list[Any]], space: float) -> None:
        self.top = min(w[2] for w in words)
        self.bottom = max(w[3] for w in words)
        self.size = max(w[4] for w in words)
        self.phrases: list[list[Any]] = []  # [x0, x1, text]
        for w in words:
            p = self.phrases[-1] if self.phrases else None
            if p is not None and -0.06 * w[4] <= w[0] - p[1] <= space * w[4]:
                p[1], p[2] = max(p[1], w[1]), f"{p[2]} {w[5]}"
            else:
                self.phrases.append([w[0], w[1], w[5]])
        self.data = len(self.phrases) >= 2 and any(_DATELIKE.fullmatch(p[2]) or _AMOUNTLIKE.fullmatch(p[2])
                                                   for p in self.phrases)


def _words(chars: Sequence[dict[str, Any]]) -> tuple[list[list[Any]], float]:
    """Words [x0, x1, top, bottom, size, text] in content order, and the phrase gap in ems (1.3 spaces)."""
    words: list[list[Any]] = []
    spaces: list[float] = []
    cur: list[Any] | None = None
    for c in chars:
        if not c.get("upright", True):
            continue
        t, size = c["text"], float(c.get("size") or 1.0) or 1.0
        if t.isspace():
            spaces.append((c["x1"] - c["x0"]) / size)
        if cur is not None:
            gap = c["x0"] - cur[1]
            if not t.isspace() and abs(c["top"] - cur[2]) <= 0.3 * size and -0.06 * size <= gap <= 0.15 * size:
                cur[1], cur[3], cur[5] = max(cur[1], c["x1"]), max(cur[3], c["bottom"]), cur[5] + t
                continue
            words.append(cur)
            cur = None
        if not t.isspace():
            cur = [c["x0"], c["x1"], c["top"], c["bottom"], size, t]
    if cur is not None:
        words.append(cur)
    space = min(max(1.3 * median(spaces), 0.3), 1.0) if spaces else 0.38
    return words, space


def word_tables(chars: Sequence[dict[str, Any]]) -> list[tuple[list[str], list[list[str]]]]:
    """Tables made of aligned words on one page: each run of data lines (a date or an amount among >= 2 phrases)
    under its header lines, with close non-data lines as continuations of the row above."""
    words, space = _words(chars)
    order = sorted(range(len(words)), key=lambda i: words[i][2])
    groups: list[list[int]] = []
    for i in order:
        if groups and words[i][2] - words[groups[-1][0]][2] <= 0.4 * words[i][4]:
            groups[-1].append(i)
        else:
            groups.append([i])
    lines = [_Line([words[i] for i in sorted(g)], space) for g in groups]
    blocks: list[tuple[list[_Line], list[list[_Line]]]] = []
    rows: list[list[_Line]] | None = None
    for k, ln in enumerate(lines):
        if ln.data:
            if rows is None:
                rows = []
                blocks.append((_header_lines(lines, k), rows))
            rows.append([ln])
        elif rows is not None and ln.top - rows[-1][-1].bottom <= 0.8 * ln.size:
            rows[-1].append(ln)
        elif len(ln.phrases) >= 2:
            rows = None
    return [t for header, body in blocks if len(body) >= 2 and (t := _block_table(header, body))]


def _header_lines(lines: list[_Line], k: int) -> list[_Line]:
    out: list[_Line] = []
    below = lines[k]
    for j in range(k - 1, max(-1, k - 6), -1):
        ln = lines[j]
        if ln.data or below.top - ln.bottom > (1.5 if out else 3.0) * ln.size:
            break
        out.insert(0, ln)
        below = ln
    return out if any(len(ln.phrases) >= 2 for ln in out) else []


def _block_table(header: list[_Line], body: list[list[_Line]]) -> tuple[list[str], list[list[str]]] | None:
    spans: list[tuple[float, float]] = []
    for group in body:
        ps = group[0].phrases  # a phrase overlapping a narrower one on its line is text drawn over the columns
        spans.extend((p[0], p[1]) for p in ps
                     if not any(q is not p and q[0] < p[1] and p[0] < q[1] and q[1] - q[0] < p[1] - p[0] for q in ps))
    cols: list[list[float]] = []
    for a, b in sorted(spans):
        if cols and a <= cols[-1][1] + 0.5:
            cols[-1][1] = max(cols[-1][1], b)
        else:
            cols.append([a, b])
    if len(cols) < 2:
        return None

    def col_of(x0: float, x1: float, strict: bool = False) -> list[int]:
        hits = [j for j, (a, b) in enumerate(cols) if (a - 2 < x1 and x0 < b + 2 if strict else a - 1 <= x0 <= b + 1)]
        return hits or ([] if strict else [min(range(len(cols)), key=lambda j: min(abs(x0 - cols[j][0]),
                                                                                  abs(x0 - cols[j][1])))])

    heads: list[list[str]] = [[] for _ in cols]
    loose = []
    for ln in header:
        for p in ln.phrases:
            hits = col_of(p[0], p[1], strict=True)
            for j in hits:
                heads[j].append(p[2])
            if not hits:
                loose.append(p)
    for p in loose:
        free = [j for j in range(len(cols)) if not heads[j]]
        if free:
            heads[min(free, key=lambda j: min(abs(p[0] - cols[j][1]), abs(p[1] - cols[j][0])))].append(p[2])
    named = [bool(n) for n in heads]
    grid = []
    for group in body:
        cells: list[list[str]] = [[] for _ in cols]
        for ln in group:
            prev: int | None = None
            for p in ln.phrases:  # content order: a phrase under no header continues the one drawn before it
                j = col_of(p[0], p[1])[0]
                j = prev if prev is not None and not named[j] and any(named) else j
                cells[j].append(p[2])
                prev = j
        grid.append([" ".join(c) for c in cells])
    keep = [j for j in range(len(cols)) if named[j] or any(r[j] for r in grid)]
    return names([" ".join(heads[j]) for j in keep]), [[r[j] for j in keep] for r in grid]
