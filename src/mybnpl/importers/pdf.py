"""PDF statements (FORMAT "pdf_statement").

Pipeline, cheapest first:

1. A pre-scan inflates every FlateDecode stream that is not an image, counting bytes and keeping none: a stream
   over 64 MiB or 256 MiB in all is a decompression bomb (TOO_MUCH_MEMORY) before any PDF library sees it.
2. pypdfium2 opens the document (PASSWORD_REQUIRED / WRONG_PASSWORD / CORRUPT; more than base.MAX_PAGES pages:
   TOO_LARGE) and gives each page's text; every page and text page is closed as soon as it is read.
   If no page has MIN_PAGE_CHARS non-space characters the document is a scan: NO_TEXT_LAYER.
3. The layout catalog (pdf_layouts) recognises the issuer from metadata and text and reads the statement from
   the text lines with regexes, then reconciles it against the printed total (TOTALS_MISMATCH).
4. Only a layout that says so reads rows from ruled-table geometry (pdfplumber), on the pages that need it.
5. An unknown layout raises NEEDS_MAPPING with the columns of the largest table on the first MAPPING_PAGES pages
   (params: ``columns``, comma-joined for the message, ``columns_json`` and ``sample_json``, its first rows);
   ``pdf_table`` gives the mapping step the whole table; ``parse`` with ``opts.mapping`` maps its rows.

Tables from geometry: pdfplumber's ruled tables (lines strategy) and word-aligned tables rebuilt from
pdfplumber's characters (pdf_layouts.word_tables); the one with the most rows wins. Every pdfplumber page is
closed after use; pdfminer's warnings about lenient parsing are silenced on purpose (rows are validated instead).

Hostile files: encrypted files never reach pdfminer without pypdfium2 accepting the password first (pdfminer
raises an empty PdfminerException there); repair is never used; circular Form XObjects are refused by pdfium
(nesting limit) and by pdfminer >= 20251227, so only the text outside the loop is read.
"""

from __future__ import annotations

import io
import json
import os
import re
import threading
import warnings
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

from mybnpl.core.imports import ImportCode, ImportFailed, ParsedStatement
from mybnpl.importers.base import MAX_FILE_BYTES, MAX_PAGES, ParseOptions
from mybnpl.importers.errors import fail
from mybnpl.importers.pdf_layouts import (
    load_layouts,
    map_table,
    match_layout,
    names,
    read_statement,
    word_tables,
)

FORMAT = "pdf_statement"
MIN_PAGE_CHARS = 20  # fewer non-space characters on every page: a scan without a text layer
MAX_PAGE_CHARS = 500_000
MAX_TEXT_CHARS = 40_000_000  # about 20 times a dense 2,000-page statement
MAPPING_PAGES = 3
SAMPLE_ROWS = 5
PARALLEL_PAGES = 48  # from this many pages, a forked helper reads half of them
STREAM_LIMIT = 64 << 20
INFLATE_LIMIT = 256 << 20

_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_DEFAULT_FONTS: list[Any] = []  # the default system-font info we restored, freed on the next read


def sniff(head: str, data: bytes, name: str) -> int:
    if data.startswith(b"%PDF"):
        return 90
    return 80 if b"%PDF-" in data[:1024] else 0


def parse(data: bytes, name: str, opts: ParseOptions) -> ParsedStatement:
    metadata, pages = read_text(data, name, opts.password)
    if opts.mapping is not None:
        header, rows = _largest_table(data, name, opts.password, range(len(pages)))
        if not header:
            raise fail(ImportCode.BAD_MAPPING, name, detail="the document has no table to map")
        return map_table(header, rows, opts.mapping, name, FORMAT, len(pages))
    layout = match_layout(load_layouts(), metadata, "\n".join(pages[:2]))
    if layout is not None:
        statement = read_statement(layout, pages, name, FORMAT,
                                   lambda wanted: _ruled_tables(data, name, opts.password, wanted))
        if statement is not None:
            return statement
    header, rows = _largest_table(data, name, opts.password, range(min(MAPPING_PAGES, len(pages))))
    raise fail(ImportCode.NEEDS_MAPPING, name, columns=", ".join(header),
               columns_json=json.dumps(header, ensure_ascii=False),
               sample_json=json.dumps(rows[:SAMPLE_ROWS], ensure_ascii=False))


def pdf_table(data: bytes, name: str, password: str | None = None) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the document's largest consistent table (tables with the same header on several pages
    are one table), for the mapping step. Raises the same errors as ``parse`` for unreadable files."""
    _metadata, pages = read_text(data, name, password)
    return _largest_table(data, name, password, range(len(pages)))


# --- opening and text ------------------------------------------------------------------------------------------
def check_inflation(data: bytes, name: str) -> None:
    """Refuse decompression bombs: inflate each non-image FlateDecode stream, counting, keeping nothing."""
    total = 0
    for m in _STREAM.finditer(data):
        head = data[max(0, m.start() - 2048):m.start()]
        head = head[head.rfind(b"obj") + 1:]
        if b"/FlateDecode" not in head or b"/Image" in head:
            continue
        size = _inflated_size(memoryview(data)[m.end():], STREAM_LIMIT)
        total += size
        if size > STREAM_LIMIT or total > INFLATE_LIMIT:
            raise fail(ImportCode.TOO_MUCH_MEMORY, name)


def _inflated_size(view: memoryview, limit: int) -> int:
    d = zlib.decompressobj()
    out, pos, buf = 0, 0, b""
    while True:
        if not buf:
            if pos >= len(view):
                return out
            buf, pos = bytes(view[pos:pos + 65536]), pos + 65536
        try:
            out += len(d.decompress(buf, 1 << 20))
        except zlib.error:
            return out
        if out > limit or d.eof:
            return out
        buf = d.unconsumed_tail


def _open(data: bytes, name: str, password: str | None) -> Any:
    import pypdfium2 as pdfium

    if not data:
        raise fail(ImportCode.EMPTY, name)
    if len(data) > MAX_FILE_BYTES:
        raise fail(ImportCode.TOO_LARGE, name, detail=f"{len(data) >> 20} MiB", limit=f"{MAX_FILE_BYTES >> 20} MiB")
    check_inflation(data, name)
    try:
        return pdfium.PdfDocument(data, password=password or None)
    except pdfium.PdfiumError as e:
        code = getattr(e, "err_code", None)
        if code == pdfium.raw.FPDF_ERR_PASSWORD:
            raise fail(ImportCode.WRONG_PASSWORD if password else ImportCode.PASSWORD_REQUIRED, name) from None
        detail = "unsupported encryption" if code == pdfium.raw.FPDF_ERR_SECURITY else "not a readable PDF"
        raise fail(ImportCode.CORRUPT, name, detail=detail) from None


@contextmanager
def _no_system_fonts() -> Iterator[None]:
    """Reading text never needs system fonts (characters come from the PDF's encodings, advances from its font
    dictionaries), but substituting one for a non-embedded font makes pdfium load its outlines: with CFF CJK fonts
    installed that triples the cost of a non-embedded-CJK page. Off while we read, the default restored after."""
    import pypdfium2.raw as raw

    raw.FPDF_SetSystemFontInfo(None)  # pdfium releases the current one; free ours if it was ours
    while _DEFAULT_FONTS:
        raw.FPDF_FreeDefaultSystemFontInfo(_DEFAULT_FONTS.pop())
    try:
        yield
    finally:
        info = raw.FPDF_GetDefaultSystemFontInfo()
        if info:
            raw.FPDF_SetSystemFontInfo(info)
            _DEFAULT_FONTS.append(info)  # pdfium uses it until the next call: keep it alive


def read_text(data: bytes, name: str, password: str | None) -> tuple[dict[str, str], list[str]]:
    """Metadata and the text of every page (lines joined by "\\n"), via pypdfium2."""
    with _no_system_fonts():
        return _read_text(data, name, password)


def _read_text(data: bytes, name: str, password: str | None) -> tuple[dict[str, str], list[str]]:
    doc = _open(data, name, password)
    try:
        count = len(doc)
        if count == 0:
            raise fail(ImportCode.CORRUPT, name, detail="no pages")
        if count > MAX_PAGES:
            raise fail(ImportCode.TOO_LARGE, name, detail=f"{count} pages", limit=f"{MAX_PAGES} pages")
        metadata = _metadata(doc)
        pages = _all_pages(doc, count, name)
    finally:
        doc.close()
    if all(len("".join(p.split())) < MIN_PAGE_CHARS for p in pages):
        raise fail(ImportCode.NO_TEXT_LAYER, name)
    if garbled(pages):
        raise fail(ImportCode.CORRUPT, name, detail="its text layer has no readable characters for much of the "
                                                    "text (a font without a Unicode map); add it as evidence")
    return metadata, pages


def garbled(pages: list[str]) -> bool:
    """Text whose glyphs have no Unicode mapping extracts as NUL or U+FFFD: more than 5 % of it is unreadable."""
    text = "".join("".join(p.split()) for p in pages[:5])
    return text.count("\x00") + text.count("\ufffd") > len(text) // 20


def _metadata(doc: Any) -> dict[str, str]:
    out = {}
    for key in doc.METADATA_KEYS:
        try:
            value = doc.get_metadata_value(key)
        except (UnicodeDecodeError, ValueError):  # a damaged UTF-16 string: that field is left out
            continue
        if value:
            out[key] = str(value)
    return out


def _all_pages(doc: Any, count: int, name: str) -> list[str]:
    """Every page's text. For big documents on POSIX a forked helper reads the second half meanwhile: pdfium is
    single-threaded, the helper shares the open document copy-on-write, sends JSON over a pipe and exits without
    cleanup. If it fails, this process reads those pages itself (and raises whatever they raise)."""
    half = count // 2
    if os.name != "posix" or count < PARALLEL_PAGES or (os.cpu_count() or 1) < 2 or threading.active_count() > 1:
        return _texts(doc, range(count), name, MAX_TEXT_CHARS)
    r, w = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no process to spare: read everything here
        os.close(r)
        os.close(w)
        return _texts(doc, range(count), name, MAX_TEXT_CHARS)
    if pid == 0:  # pragma: no cover - the helper process
        code = 1
        try:
            os.close(r)
            payload = json.dumps(_texts(doc, range(half, count), name, MAX_TEXT_CHARS // 2)).encode("utf-8")
            with os.fdopen(w, "wb") as out:
                out.write(payload)
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    rest: list[str] | None = None
    try:
        first = _texts(doc, range(half), name, MAX_TEXT_CHARS // 2)
        with os.fdopen(r, "rb") as inp:
            r = -1
            payload = inp.read()
    finally:
        if r >= 0:
            os.close(r)
        _, status = os.waitpid(pid, 0)
    if status == 0:
        try:
            rest = [str(t) for t in json.loads(payload.decode("utf-8"))]
        except ValueError:
            rest = None
    if rest is None or len(rest) != count - half:
        rest = _texts(doc, range(half, count), name, MAX_TEXT_CHARS // 2)
    return first + rest


def _texts(doc: Any, indexes: range, name: str, budget: int) -> list[str]:
    out = []
    for i in indexes:
        out.append(_page_text(doc, i, name))
        budget -= len(out[-1])
        if budget < 0:
            raise fail(ImportCode.TOO_LARGE, name, detail=f"over {MAX_TEXT_CHARS:,} characters of text",
                       limit=f"{MAX_TEXT_CHARS:,} characters")
    return out


def _page_text(doc: Any, index: int, name: str) -> str:
    import pypdfium2 as pdfium

    try:
        page = doc[index]
    except pdfium.PdfiumError:
        raise fail(ImportCode.CORRUPT, name, detail=f"page {index + 1} cannot be read") from None
    try:
        textpage = page.get_textpage()
        try:
            n = textpage.count_chars()
            if n > MAX_PAGE_CHARS:
                raise fail(ImportCode.TOO_LARGE, name, detail=f"{n:,} characters on page {index + 1}",
                           limit=f"{MAX_PAGE_CHARS:,} characters per page")
            text = textpage.get_text_range(0, n) if n > 0 else ""
        finally:
            textpage.close()
    finally:
        page.close()
    return str(text).replace("\r\n", "\n").replace("\r", "\n")


# --- geometry (pdfplumber) -------------------------------------------------------------------------------------
@contextmanager
def _plumber(data: bytes, name: str, password: str | None) -> Iterator[Any]:
    import pdfplumber

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pdfminer's notes on lenient parsing; the rows are validated instead
        try:
            pdf = pdfplumber.open(io.BytesIO(data), password=password or "")
        except Exception as e:
            raise fail(ImportCode.CORRUPT, name, detail=f"layout reader: {type(e).__name__}") from None
        try:
            yield pdf
        except ImportFailed:
            raise
        except MemoryError:
            raise fail(ImportCode.TOO_MUCH_MEMORY, name) from None
        except Exception as e:  # PDFSyntaxError, PSEOF, RecursionError, ...: the type only, never the content
            raise fail(ImportCode.CORRUPT, name, detail=f"layout reader: {type(e).__name__}") from None
        finally:
            with suppress(Exception):  # close() builds every Page first, which a damaged file can fail
                pdf.close()


def _cells(row: Sequence[str | None]) -> list[str]:
    return [" ".join((c or "").split()) for c in row]


def _ruled_tables(data: bytes, name: str, password: str | None,
                  wanted: Iterable[int]) -> list[tuple[int, list[list[str]]]]:
    out: list[tuple[int, list[list[str]]]] = []
    with _plumber(data, name, password) as pdf:
        for i in wanted:
            page = pdf.pages[i]
            try:
                out.extend((i, [_cells(r) for r in t]) for t in page.extract_tables())
            finally:
                page.close()
    return out


def _largest_table(data: bytes, name: str, password: str | None,
                   wanted: Iterable[int]) -> tuple[list[str], list[list[str]]]:
    groups: dict[tuple[str, ...], list[list[str]]] = {}
    with _plumber(data, name, password) as pdf:
        for i in wanted:
            page = pdf.pages[i]
            try:
                found = _page_tables(page)
            finally:
                page.close()
            if found:
                header, rows = max(found, key=lambda t: len(t[1]))
                groups.setdefault(tuple(header), []).extend(rows)
    if not groups:
        return [], []
    best = max(groups, key=lambda h: len(groups[h]))
    return list(best), groups[best]


def _page_tables(page: Any) -> list[tuple[list[str], list[list[str]]]]:
    found = []
    for t in page.extract_tables():
        cells = [c for r in t[1:] for c in r]
        if len(t) >= 2 and len(t[0]) >= 2 and sum(1 for c in cells if c and c.count("\n") >= 2) * 10 <= len(cells):
            found.append((names(_cells(t[0])), [_cells(r) for r in t[1:]]))
    found.extend(word_tables(page.chars))
    return found
