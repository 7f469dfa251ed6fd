"""Decoding and CSV reading for wallet exports: BOMs, GB18030, preambles, space padding, trailing tabs,
broken quoting and mixed line endings."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from mybnpl.core.imports import ImportCode
from mybnpl.importers.errors import fail

csv.field_size_limit(1 << 20)


def decode(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK/GB2312)."""
    if not data.strip():
        raise fail(ImportCode.EMPTY, name)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise fail(ImportCode.ENCODING, name) from None
    if b"\x00" in data[:4096]:
        raise fail(ImportCode.UNSUPPORTED_FORMAT, name, detail="binary data")
    for enc in ("utf-8", "gb18030"):
        for cut in range(4):  # a file cut in the middle of a multi-byte character
            try:
                return (data[:-cut] if cut else data).decode(enc)
            except UnicodeDecodeError as e:
                if e.start < len(data) - 4:
                    break
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise fail(ImportCode.ENCODING, name) from None
    return text


def normalize_newlines(text: str) -> str:
    return re.sub(r"\r+\n|\r", "\n", text)


def clean(cell: str | None) -> str:
    """Strip spaces, tabs, full-width spaces and the wrapping quotes/tabs some exports leave in IDs."""
    if cell is None:
        return ""
    return cell.strip().strip("\t").strip().strip('"').strip("\u3000").strip()


def read_rows(text: str, delimiter: str | None = None) -> list[list[str]]:
    """All rows, cleaned. Rows with broken quoting are split naively instead of swallowing the file."""
    text = normalize_newlines(text)
    if delimiter is None:
        delimiter = sniff_delimiter(text)
    rows: list[list[str]] = []
    for line in text.split("\n"):
        if not line.strip():
            rows.append([])
            continue
        if line.count('"') % 2:  # unbalanced quotes: parse this line on its own, without quote handling
            rows.append([clean(c) for c in line.split(delimiter)])
            continue
        try:
            parsed = next(csv.reader([line], delimiter=delimiter), [])
        except csv.Error:
            parsed = line.split(delimiter)
        rows.append([clean(c) for c in parsed])
    return rows


def sniff_delimiter(text: str) -> str:
    sample = [ln for ln in text.split("\n")[:80] if ln.strip()]
    best, score = ",", 0
    for d in (",", ";", "\t", "|"):
        counts = [ln.count(d) for ln in sample]
        common = max(set(counts), key=counts.count) if counts else 0
        s = common * sum(1 for c in counts if c == common)
        if common and s > score:
            best, score = d, s
    return best


def find_header(rows: Sequence[Sequence[str]], must: Iterable[str], min_hits: int | None = None) -> int | None:
    """Index of the first row that contains the required column names (or ``min_hits`` of them)."""
    need = list(must)
    want = len(need) if min_hits is None else min_hits
    for i, row in enumerate(rows[:200]):
        cells = {c.strip() for c in row}
        if sum(1 for n in need if n in cells) >= want:
            return i
    return None


def table(rows: Sequence[Sequence[str]], header_at: int) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header names and each following non-empty row as a dict (with its 1-based line number).
    Stops at the first blank line or separator (----) after data started (footers follow)."""
    header = [c.strip() for c in rows[header_at]]
    out: list[tuple[int, dict[str, str]]] = []
    for i in range(header_at + 1, len(rows)):
        row = rows[i]
        if not row or not any(row):
            if out:
                break
            continue
        if row[0].startswith("---") or row[0].startswith("===="):
            if out:
                break
            continue
        out.append((i + 1, {h: (row[j] if j < len(row) else "") for j, h in enumerate(header) if h}))
    return header, out


_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d",
                 "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%m/%d/%Y", "%d %b %Y",
                 "%d %B %Y", "%b %d, %Y", "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日")


def parse_datetime(text: str, fmt: str | None = None) -> datetime | None:
    t = clean(text)
    if not t:
        return None
    formats = (fmt,) if fmt else _DATE_FORMATS
    for f in formats:
        try:
            return datetime.strptime(t, f)
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(t)
    except ValueError:
        return None


def parse_date(text: str, fmt: str | None = None) -> date | None:
    dt = parse_datetime(text, fmt)
    return dt.date() if dt else None


_AMOUNT = re.compile(r"^[+-]?\d+(\.\d+)?$")


def parse_amount_text(text: str) -> str | None:
    """Normalise "¥1,234.50", "-£3.00", "+50,00" (decimal comma), "(12.00)" → a plain decimal string."""
    t = clean(text).replace("￥", "").replace("¥", "").replace("£", "").replace("€", "").replace("$", "")
    t = t.replace("元", "").replace("RMB", "").replace("CNY", "").replace(" ", "").replace("\u00a0", "")
    neg = False
    if t.startswith("(") and t.endswith(")"):
        neg, t = True, t[1:-1]
    if "," in t and "." not in t and re.search(r",\d{1,2}$", t):
        t = t.replace(".", "").replace(",", ".")  # decimal comma
    elif "," in t and "." in t and t.rfind(",") > t.rfind("."):
        t = t.replace(".", "").replace(",", ".")  # 1.234,50
    else:
        t = t.replace(",", "")
    if t.startswith("+"):
        t = t[1:]
    if not _AMOUNT.match(t):
        return None
    return f"-{t.lstrip('-')}" if neg or t.startswith("-") else t


def sniff_text(data: bytes, limit: int = 65536) -> str:
    """A best-effort decode of the head of a file, for detection only."""
    head = data[:limit]
    if len(data) > limit and b"\n" in head:  # never cut a multi-byte character in two
        head = head[: head.rfind(b"\n")]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    for enc in ("utf-8", "gb18030"):
        try:
            return head.decode(enc)
        except UnicodeDecodeError:
            continue
    return head.decode("utf-8", errors="replace")


def as_text_io(text: str) -> io.StringIO:
    return io.StringIO(text)
