"""Shared reading for the Chinese wallet exports (Alipay, WeChat Pay, Meituan, JD): "preamble, header, rows,
maybe a footer" tables, located by column NAMES (never line numbers). Problems become warnings; only
``mybnpl.importers.errors.fail`` errors leave this module."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import functools
import gc
import json
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from operator import itemgetter
from typing import ParamSpec, TypeVar

from mybnpl.core.catalog import Catalog, parse_catalog
from mybnpl.core.errors import InvalidInput
from mybnpl.core.imports import ImportCode, ParsedStatement, ParsedTx
from mybnpl.core.models import Direction
from mybnpl.core.money import Money
from mybnpl.i18n import N_
from mybnpl.importers.errors import fail
from mybnpl.importers.text import decode, parse_amount_text, parse_date, parse_datetime
from mybnpl.resources import resource_path

W_COUNT = N_("{name} says it holds {printed} records, but {found} rows were found. The export may be "
             "incomplete or filtered; all rows found were read.")
W_PERIOD = N_("{count} rows in {name} are dated outside the period the file states ({start} to {end}).")
W_SKIPPED = N_("{count} rows in {name} could not be read and were skipped (the first at line {line}).")
W_TRUNCATED = N_("{name} ends in the middle of a row: the file looks cut off. The incomplete last row was "
                 "not imported.")

CNY = "CNY"
P = ParamSpec("P")
R = TypeVar("R")
_WS = " \t\r\n\x0b\x0c\xa0\u3000"
_WS_QUOTES = _WS + "\"'"
_BLANK = frozenset({"", "/", "-", "—", "null", "NULL"})  # what these exports print for "nothing"
_SIMPLE_AMOUNT = re.compile(r"\d{1,15}(?:\.\d{1,6})?")
_COUNT = re.compile(r"共[:：]?\s*(\d+)\s*笔")
_START = re.compile(r"(?:起始|开始)(?:时间|日期)[:：]\s*\[?\s*(\d{4}-\d{1,2}-\d{1,2})")
_END = re.compile(r"(?:终止|结束)(?:时间|日期)[:：]\s*\[?\s*(\d{4}-\d{1,2}-\d{1,2})")
_RANGE = re.compile(r"日期区间[:：]\s*(\d{4}-\d{1,2}-\d{1,2})\s*至\s*(\d{4}-\d{1,2}-\d{1,2})")
_NO_MONEY = ("交易关闭", "已关闭", "支付失败", "交易失败", "已撤销")
_lines = re.compile(r"\r\n|\r|\n").split


def value(text: str) -> str:
    """A (stripped) cell with the "/", "-" and "null" placeholders mapped to ""."""
    return "" if text in _BLANK else text


def with_remark(description: str, remark: str) -> str:
    d, r = value(description), value(remark)
    return (f"{d}（{r}）" if d else r) if r else d


def decode_text(data: bytes, name: str) -> tuple[str, bool]:
    """UTF-8 (BOM or not) or GB18030, tolerating a file cut inside a multi-byte character.
    Returns the text and whether trailing bytes of a cut character had to be dropped."""
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if body.strip() and b"\x00" not in body[:4096]:
        for enc in ("utf-8", "gb18030"):
            for cut in range(4):  # a character is at most 4 bytes; a cut file may end inside one
                try:
                    return (body[: len(body) - cut] if cut else body).decode(enc), cut > 0
                except UnicodeDecodeError:
                    continue
    return decode(data, name), False  # UTF-16, empty and binary input: the framework's rules and errors


def head_text(data: bytes, limit: int = 65536) -> str:
    """The decoded head of a file, for sniffing, cut at a line end so no character is split (0x0A is never
    inside a UTF-8 or GB18030 character). Never raises: undecodable means "not mine"."""
    head = data[: data.rfind(b"\n", 0, limit) + 1] if len(data) > limit and b"\n" in data[:limit] else data[:limit]
    try:
        return decode_text(head, "head")[0]
    except Exception:
        return ""


def split_row(line: str) -> list[str]:
    """One CSV line into cells. Quotes are honoured when balanced; broken quoting splits naively."""
    if '"' not in line:
        return [c.strip(_WS) for c in line.split(",")]
    if line.count('"') % 2:  # broken quoting: split naively and drop the stray quotes at cell edges
        return [c.strip(_WS_QUOTES) for c in line.split(",")]
    try:
        parsed = next(csv.reader([line]), [])
    except csv.Error:
        parsed = line.split(",")
    return [c.strip(_WS) for c in parsed]


def find_header(lines: Sequence[str], *layouts: Sequence[str]) -> tuple[int, list[str]] | None:
    """The first line (of 200) holding every column name of one of the layouts."""
    for i, line in enumerate(lines[:200]):
        for need in layouts:
            if "," in line and all(n in line for n in need) and set(need) <= set(cells := split_row(line)):
                return i, cells
    return None


def sniff_header(data: bytes, brands: Iterable[str], *layouts: Sequence[str]) -> int:
    """95 when the header is there and the export names its brand, 80 for the header alone, else 0."""
    text = head_text(data)
    if not text or find_header(_lines(text), *layouts) is None:
        return 0
    return 95 if any(b in text for b in brands) else 80


def bulk(parse: Callable[P, R]) -> Callable[P, R]:
    """Run a parser with the cyclic GC paused: building 10⁵ rows of small objects otherwise triggers dozens of
    full collections (a third of the run time) that free nothing. Reference counting still frees garbage."""
    @functools.wraps(parse)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        was = gc.isenabled()
        gc.disable()
        try:
            return parse(*args, **kwargs)
        finally:
            if was:
                gc.enable()
    return run


@dataclasses.dataclass
class Ledger:
    """A located table: header positions, data rows (1-based line, cells) and the text around it. Every row
    holds exactly ``width + 1`` cells; the last is always "" and stands in for columns the header lacks."""

    columns: list[str]
    index: dict[str, int]
    rows: list[tuple[int, list[str]]]
    preamble: list[str]
    footer: list[str]
    truncated: bool = False  # the file ends inside a row; that row is not in ``rows``

    def picker(self, *names: str) -> Callable[[list[str]], tuple[str, ...]]:
        """A fast getter of these columns' cells (in this order) from a row; "" for absent columns."""
        blank = max(self.index.values()) + 1
        return itemgetter(*(self.index.get(n, blank) for n in names), blank)


def _table(columns: list[str], items: Iterable[tuple[int, list[str]]]) -> tuple[Ledger, int | None]:
    """Rows after the header until EOF, or a blank or ``----`` row once data started (the older Alipay
    layout puts its summary below such a separator). Returns the ledger and where the footer starts."""
    index = {c: i for i, c in reversed(list(enumerate(columns))) if c}  # a repeated name: the first one counts
    width = max(index.values()) + 1
    rows: list[tuple[int, list[str]]] = []
    for i, cells in items:
        if not any(cells) or cells[0].startswith(("---", "===")):
            if rows:
                return Ledger(columns, index, rows, [], []), i
            continue
        n = len(cells)
        if n != width + 1 or cells[width]:
            cells = cells[:width] + [""] * (width - min(n, width) + 1)
        rows.append((i + 1, cells))
    return Ledger(columns, index, rows, [], []), None


def read_ledger(data: bytes, name: str, what: str, *layouts: Sequence[str]) -> Ledger:
    """Decode a CSV export and read the table whose header holds one layout's column names."""
    text, cut_char = decode_text(data, name)
    lines = _lines(text)
    found = find_header(lines, *layouts)
    if found is None:
        raise fail(ImportCode.UNSUPPORTED_FORMAT, name, detail=f"no {what} header row")
    at, columns = found
    led, end = _table(columns, ((i, split_row(lines[i])) for i in range(at + 1, len(lines))))
    led.preamble, led.footer = lines[:at], (lines[end:] if end is not None else [])
    # A file cut off mid-row (no final newline, or a split character) whose last row lacks columns: drop it.
    if (led.rows and end is None and (cut_char or not text.endswith(("\n", "\r")))
            and len(split_row(lines[led.rows[-1][0] - 1])) <= max(led.index.values())):
        led.rows.pop()
        led.truncated = True
    return led


def grid_ledger(grid: Sequence[Sequence[str]], *layouts: Sequence[str]) -> Ledger | None:
    """The same table search over spreadsheet rows (cells already turned into text)."""
    if (at := next((i for i, r in enumerate(grid[:200]) if any(set(n) <= set(r) for n in layouts)), None)) is None:
        return None
    led, end = _table(list(grid[at]), ((i, list(grid[i])) for i in range(at + 1, len(grid))))
    led.preamble = [",".join(r) for r in grid[:at]]
    led.footer = [",".join(r) for r in grid[end:]] if end is not None else []
    return led


def read_date(t: str) -> tuple[date, str] | None:
    """The date and the full timestamp text of a (stripped) cell ("2023-02-12 21:32:14", "2021/6/1 0:13")."""
    if len(t) >= 10 and t[4] == "-" and t[7] == "-":
        with contextlib.suppress(ValueError):
            return date.fromisoformat(t[:10]), t
    dt = parse_datetime(t)
    return (dt.date(), t) if dt else None


def read_money(t: str, currency: str = "CNY") -> Money | None:
    """A positive amount (these exports carry the sign in the 收/支 column), or None if unreadable."""
    if not _SIMPLE_AMOUNT.fullmatch(t):
        t = (parse_amount_text(t) or "").lstrip("-")
        if not _SIMPLE_AMOUNT.fullmatch(t):
            return None
    try:
        return Money(Decimal(t), currency)
    except (InvalidInput, InvalidOperation, ArithmeticError):
        return None


@lru_cache(maxsize=1024)  # a handful of 收/支 × 交易状态 pairs per export
def direction_of(flow: str, status: str = "") -> Direction:
    """支出 → out, 收入 → in; 不计收支, 其他, "/" or empty → neutral. Closed or failed transactions moved no
    money, so they are neutral whatever 收/支 says (their status is kept on the row)."""
    if any(s in status for s in _NO_MONEY):
        return Direction.NEUTRAL
    if flow == "支出":
        return Direction.OUT
    if flow == "收入":
        return Direction.IN
    return Direction.NEUTRAL


@cache
def _preferring(prefer: tuple[str, ...]) -> Catalog:
    # The catalog's alias rule breaks ties between equally long aliases by listing order, so listing this
    # export's own products first makes a shared alias ("先用后付", "月付") mean the platform's product.
    with open(resource_path("providers.json"), encoding="utf-8") as fh:
        cat = parse_catalog(json.load(fh))
    first = tuple(p for pid in prefer for p in cat.providers if p.id == pid)
    return dataclasses.replace(cat, providers=first + tuple(p for p in cat.providers if p.id not in prefer))


@lru_cache(maxsize=4096)  # an export repeats a handful of payment methods; matching one costs ~250 µs
def bnpl_product(payment_method: str, prefer: tuple[str, ...]) -> str | None:
    """The catalog provider id a payment-method text names, or None."""
    if not payment_method:
        return None
    p = _preferring(prefer).match_payment_method(payment_method)
    return p.id if p else None


class Notes(list[tuple[str, dict[str, str]]]):
    """Warnings: (English msgid, params) pairs, for ParsedStatement.warnings and .warning_params."""

    def add(self, msgid: str, **params: object) -> None:
        self.append((msgid, {k: str(v) for k, v in params.items()}))


def finish(fmt: str, provider: str, name: str, led: Ledger, notes: Notes, txs: list[ParsedTx], bad: list[int],
           currency: str, *account_labels: str) -> ParsedStatement:
    """The statement, with the checks every export shares: unreadable rows, a cut-off end, the printed
    record count (共N笔记录) and the stated period (warnings, never errors: exports are often filtered)."""
    if bad:
        notes.add(W_SKIPPED, name=name, count=len(bad), line=bad[0])
    if led.truncated:
        notes.add(W_TRUNCATED, name=name)
    around = led.preamble + led.footer
    found = len(txs) + len(bad) + int(led.truncated)
    printed = next((m.group(1) for line in around if (m := _COUNT.search(line))), None)
    if printed is not None and int(printed) != found:
        notes.add(W_COUNT, name=name, printed=printed, found=found)
    start, end = period_of(around)
    if start and end and (out := sum(1 for t in txs if not start <= t.posted_on <= end)):
        notes.add(W_PERIOD, name=name, count=out, start=start.isoformat(), end=end.isoformat())
    return ParsedStatement(
        format=fmt, provider_id=provider, transactions=tuple(txs), currency=currency, period_start=start,
        period_end=end, warnings=tuple(m for m, _ in notes), warning_params=tuple(p for _, p in notes),
        account_hint=labelled(around, *account_labels), columns=tuple(c for c in led.columns if c),
    )


def period_of(text_lines: Iterable[str]) -> tuple[date | None, date | None]:
    """The statement period the preamble or footer states (起始时间/终止时间 or 日期区间 … 至 …)."""
    text = "\n".join(text_lines)
    if m := _RANGE.search(text):
        return parse_date(m[1]), parse_date(m[2])
    start, end = _START.search(text), _END.search(text)
    return (parse_date(start[1]) if start else None), (parse_date(end[1]) if end else None)


def labelled(text_lines: Iterable[str], *labels: str) -> str:
    """The value after ``label：`` in the preamble (account name or nickname), brackets removed."""
    for line in text_lines:
        for label in labels:
            if line.startswith(label):
                return line[len(label):].lstrip(":：").split(",")[0].strip("[]【】" + _WS)
    return ""

