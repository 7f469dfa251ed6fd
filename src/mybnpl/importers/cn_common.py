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
import os
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from itertools import repeat
from operator import itemgetter
from typing import ParamSpec, TypeVar

from mybnpl.core.catalog import Catalog, parse_catalog
from mybnpl.core.errors import InvalidInput
from mybnpl.core.imports import ImportCode, ParsedStatement, ParsedTx, TxTable
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
BLANK = _BLANK = frozenset({"", "/", "-", "—", "null", "NULL"})  # what these exports print for "nothing"
_SIMPLE_AMOUNT = re.compile(r"\d{1,15}(?:\.\d{1,6})?")
_COUNT = re.compile(r"共[:：]?\s*(\d+)\s*笔")
_START = re.compile(r"(?:起始|开始)(?:时间|日期)[:：]\s*\[?\s*(\d{4}-\d{1,2}-\d{1,2})")
_END = re.compile(r"(?:终止|结束)(?:时间|日期)[:：]\s*\[?\s*(\d{4}-\d{1,2}-\d{1,2})")
_RANGE = re.compile(r"日期区间[:：]\s*(\d{4}-\d{1,2}-\d{1,2})\s*至\s*(\d{4}-\d{1,2}-\d{1,2})")
_NO_MONEY = ("交易关闭", "已关闭", "支付失败", "交易失败", "已撤销")
_line_re = re.compile(r"\r\n|\r|\n")
_END_CHARS = _WS + ","


def _lines(text: str) -> list[str]:
    """Split at \\r\\n, \\r or \\n (str.split when there is no \\r: 5x faster on 10⁵ lines)."""
    return text.split("\n") if "\r" not in text else _line_re.split(text)


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
    if body and not body.isspace() and b"\x00" not in body[:4096]:  # isspace: body.strip() without a copy
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
    # read_ledger(columnar=True) on a plain table: ``rows`` stays empty; ``body`` holds the table's lines (from
    # line ``first_line`` on), each with ``stride`` cells, split only by columns_of.
    body: list[str] | None = None
    stride: int = 0
    first_line: int = 0

    @property
    def row_count(self) -> int:
        return len(self.body) if self.body is not None else len(self.rows)

    def columns_of(self, *names: str, part: tuple[int, int] | None = None) -> tuple[list[int], list[list[str]]]:
        """The rows' line numbers and, per name, the column's (stripped) cells; "" for absent columns. ``part``:
        only rows ``lo`` to ``hi`` (positions, end excluded)."""
        lo, hi = part or (0, self.row_count)
        if self.body is None:
            rows = self.rows[lo:hi]
            lines = [line for line, _ in rows]
            if not lines:
                return [], [[] for _ in names]
            picked = zip(*map(self.picker(*names), (c for _, c in rows)), strict=True)
            return lines, [list(c) for c in picked][: len(names)]  # the picker's extra last column is always ""
        body, k = self.body, self.stride
        hi = max(lo, min(hi, len(body)))
        n = hi - lo
        cols: list[list[str]] = [[] for _ in names]
        at = [self.index.get(c) for c in names]
        for start in range(lo, hi, 4096):  # in blocks, so the cells of one block at a time are alive
            flat = ",".join(body[start : min(start + 4096, hi)]).split(",")
            for col, j in zip(cols, at, strict=True):
                if j is not None:
                    col.extend(map(str.strip, flat[j::k], repeat(_WS)))
        return list(range(self.first_line + lo, self.first_line + hi)), [
            col if j is not None else [""] * n for col, j in zip(cols, at, strict=True)]

    def picker(self, *names: str) -> Callable[[list[str]], tuple[str, ...]]:
        """A fast getter of these columns' cells (in this order) from a row; "" for absent columns."""
        blank = max(self.index.values()) + 1
        return itemgetter(*(self.index.get(n, blank) for n in names), blank)


PARALLEL_ROWS = 40_000  # from this many rows, a forked helper reads the second half of a table meanwhile


def _idle_cpus() -> int:
    """CPUs no other process is running on at this moment (from the kernel's count of runnable tasks, which
    includes this one). A helper on a busy machine only adds the cost of splitting and joining."""
    try:
        cpus = len(os.sched_getaffinity(0))
        with open("/proc/loadavg", encoding="ascii") as fh:
            running = int(fh.read().split()[3].split("/")[0])
    except (AttributeError, OSError, ValueError, IndexError):
        return (os.cpu_count() or 1) - 1
    return cpus - running


def in_halves(part: Callable[[int, int], tuple[TxTable, list[int]]], n: int) -> tuple[TxTable, list[int]]:
    """``part(0, n)``: the transactions and the unreadable rows' line numbers of rows 0 to n. For big tables on
    POSIX a forked helper does the second half meanwhile (the worker is single-threaded and has 2 CPUs to use):
    it shares the decoded file copy-on-write, sends its half as ``TxTable.to_wire`` blocks over a pipe and exits
    without cleanup. The blocks are read back with ``TxTable.from_wire`` (which validates them). If the helper
    fails, this process does that half itself (and raises whatever it raises)."""
    half = n // 2
    if os.name != "posix" or n < PARALLEL_ROWS or _idle_cpus() < 1 or threading.active_count() > 1:
        return part(0, n)
    r, w = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no process to spare: do everything here
        os.close(r)
        os.close(w)
        return part(0, n)
    if pid == 0:  # pragma: no cover - the helper process
        code = 1
        try:
            os.close(r)
            table, bad = part(half, n)
            blocks = table.to_wire()
            head = {"n": len(table), "sizes": [len(b) for b in blocks], "bad": bad}
            with os.fdopen(w, "wb") as out:
                out.write(json.dumps(head).encode("utf-8") + b"\n")
                out.writelines(blocks)
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    try:
        first, bad = part(0, half)
        with os.fdopen(r, "rb") as inp:
            r = -1
            payload = inp.read()
    finally:
        if r >= 0:
            os.close(r)
        _, status = os.waitpid(pid, 0)
    rest = _from_helper(payload) if status == 0 else None
    if rest is None:
        rest = part(half, n)
    table, more = rest
    return TxTable(*(a + b for a, b in zip(first.columns(), table.columns(), strict=True))), bad + more


def _from_helper(payload: bytes) -> tuple[TxTable, list[int]] | None:
    nl = payload.find(b"\n")
    try:
        head = json.loads(payload[:nl].decode("utf-8"))
        sizes, bad = head["sizes"], head["bad"]
        if nl < 0 or not isinstance(sizes, list) or not isinstance(bad, list) or \
                any(type(x) is not int for x in (*sizes, *bad)) or sum(sizes) != len(payload) - nl - 1:
            return None
        blocks, at = [], nl + 1
        for size in sizes:
            blocks.append(payload[at : at + size])
            at += size
        return TxTable.from_wire(head["n"], blocks), bad
    except (ValueError, TypeError, KeyError):
        return None


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


def _ends_table(line: str) -> bool:
    """What ``_table`` sees as a blank or ``----`` row, for a line without quotes."""
    return not line.strip(_END_CHARS) or line.lstrip(_WS).startswith(("---", "==="))


# A line that _ends_table is empty or starts with one of these; a block whose lines all start otherwise holds none.
_END_FIRST = frozenset(_END_CHARS) | {"", "-", "="}
_first_char = itemgetter(slice(0, 1))


def _table_end(lines: list[str], first: int) -> int | None:
    """The first line from ``first`` on that ``_ends_table``, or None. Blocks of lines are tested with C-level
    maps (first the lines' first characters, then, if that is not enough, the full test); only a block that
    holds such a line is searched line by line."""
    for start in range(first, len(lines), 4096):
        block = lines[start : start + 4096]
        if _END_FIRST.isdisjoint(map(_first_char, block)):
            continue
        if all(map(str.strip, block, repeat(_END_CHARS))) and not any(
                map(str.startswith, map(str.lstrip, block, repeat(_WS)), repeat(("---", "===")))):
            continue
        return next(j for j in range(start, start + len(block)) if _ends_table(lines[j]))
    return None


def _flat_table(columns: list[str], lines: list[str], start: int) -> tuple[Ledger, int | None] | None:
    """``_table`` for the common plain case, without a list of cells per row: no quotes in the table and every
    row with the same number of cells, at least the header's. Anything else: None (use ``_table``)."""
    index = {c: i for i, c in reversed(list(enumerate(columns))) if c}
    width = max(index.values()) + 1
    first = start
    while first < len(lines) and _ends_table(lines[first]):
        first += 1
    end = _table_end(lines, first) if first < len(lines) else None
    body = lines[first:end]
    if not body or any(map(str.__contains__, body, repeat('"'))):
        return None
    commas = body[0].count(",")
    if commas + 1 < width or set(map(str.count, body, repeat(","))) != {commas}:
        return None
    return Ledger(columns, index, [], [], [], body=body, stride=commas + 1, first_line=first + 1), end


def read_ledger(data: bytes, name: str, what: str, *layouts: Sequence[str], columnar: bool = False) -> Ledger:
    """Decode a CSV export and read the table whose header holds one layout's column names. ``columnar``: the
    caller reads the table with ``Ledger.columns_of`` (faster for big plain tables), not ``rows``."""
    text, cut_char = decode_text(data, name)
    lines = _lines(text)
    found = find_header(lines, *layouts)
    if found is None:
        raise fail(ImportCode.UNSUPPORTED_FORMAT, name, detail=f"no {what} header row")
    at, columns = found
    if columnar and (flat := _flat_table(columns, lines, at + 1)) is not None:
        led, end = flat
        led.preamble, led.footer = lines[:at], (lines[end:] if end is not None else [])
        return led  # every row has all columns, so the last one is never a cut-off row
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


_ISO_DAYS: dict[str, str] = {}  # "2023-02-12" → itself, once it parsed: an export has a few hundred days


def read_day(t: str) -> str | None:
    """``read_date``'s date, as ISO text (the column form: no date object per row)."""
    if len(t) >= 10 and t[4] == "-" and t[7] == "-":
        day = _ISO_DAYS.get(p := t[:10])
        if day is not None:
            return day
        with contextlib.suppress(ValueError):
            day = date.fromisoformat(p).isoformat()
            if len(_ISO_DAYS) < 100_000:
                _ISO_DAYS[p] = day
            return day
    dt = parse_datetime(t)
    return dt.date().isoformat() if dt else None


def read_minor(t: str, exp: int = 2) -> int | None:
    """``read_money``'s amount in minor units (``exp`` decimals, rounded half up), without building Money."""
    if not _SIMPLE_AMOUNT.fullmatch(t):
        t = (parse_amount_text(t) or "").lstrip("-")
        if not _SIMPLE_AMOUNT.fullmatch(t):
            return None
    whole, _, frac = t.partition(".")
    if len(frac) <= exp:
        return int(whole + frac.ljust(exp, "0"))
    return int(whole + frac[:exp]) + (int(frac[exp]) >= 5)  # half up, like Money; int(): any Unicode digit


_CENTS_COLUMN = re.compile(r"(?:\d{1,15}\.\d\d\x00)*\d{1,15}\.\d\d")


def read_minors(col: list[str]) -> list[int | None]:
    """``read_minor`` of each cell (exp 2). A column of plain "123.45" amounts, the usual case, is checked by one
    regex over the joined column and converted without a Python call per cell."""
    joined = "\x00".join(col)
    if col and _CENTS_COLUMN.fullmatch(joined):
        return list(map(int, joined.replace(".", "").split("\x00")))
    return list(map(read_minor, col))


def read_days(col: list[str]) -> list[str | None]:
    """``read_day`` of each cell. When every cell starts with a valid ISO date, the column is read by slicing and
    only its distinct dates are checked."""
    days = [t[:10] for t in col]
    for day in set(days):
        if _ISO_DAYS.get(day) is None:
            try:
                if date.fromisoformat(day).isoformat() != day:
                    break
            except ValueError:
                break
            _ISO_DAYS[day] = day
    else:
        return days  # type: ignore[return-value]
    return list(map(read_day, col))


def values(col: Iterable[str]) -> list[str]:
    """``value`` of each cell of a column (a copy; a column without placeholders is copied at C level)."""
    cells = list(col)
    return cells if _BLANK.isdisjoint(cells) else [("" if c in _BLANK else c) for c in cells]


def ids(col: Iterable[str]) -> list[str | None]:
    """Order-id cells: None for an empty cell or a placeholder."""
    cells: list[str | None] = list(col)
    return cells if _BLANK.isdisjoint(cells) else [t if t and t not in _BLANK else None for t in cells]


def bnpl_products(methods: Sequence[str], prefer: tuple[str, ...]) -> list[str | None]:
    """``bnpl_product`` of each payment method, matched once per distinct text."""
    product = {m: bnpl_product(m, prefer) for m in set(methods)}
    return list(map(product.__getitem__, methods))


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


@lru_cache(maxsize=1024)
def direction_value(flow: str, status: str = "") -> str:
    """``direction_of(...).value`` (the column form)."""
    return direction_of(flow, status).value


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


def finish(fmt: str, provider: str, name: str, led: Ledger, notes: Notes, txs: list[ParsedTx] | TxTable,
           bad: list[int], currency: str, *account_labels: str) -> ParsedStatement:
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
    if start and end and (out := _outside(txs, start, end)):
        notes.add(W_PERIOD, name=name, count=out, start=start.isoformat(), end=end.isoformat())
    return ParsedStatement(
        format=fmt, provider_id=provider, transactions=txs if isinstance(txs, TxTable) else tuple(txs),
        currency=currency, period_start=start,
        period_end=end, warnings=tuple(m for m, _ in notes), warning_params=tuple(p for _, p in notes),
        account_hint=labelled(around, *account_labels), columns=tuple(c for c in led.columns if c),
    )


def _outside(txs: list[ParsedTx] | TxTable, start: date, end: date) -> int:
    if isinstance(txs, TxTable):
        first, last = start.isoformat(), end.isoformat()
        return sum(1 for d in txs.posted_on if not first <= d <= last)
    return sum(1 for t in txs if not start <= t.posted_on <= end)


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

