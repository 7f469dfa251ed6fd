"""PDFium steps of a dossier: probe PDF evidence, place its pages on the reserved pages of the rendered body,
attach the originals and the manifest, and write the result.

Why PDFium (pypdfium2, already a dependency for statements) and no new library: it imports a page as a form
XObject (vector, text stays selectable), writes embedded files, and saves to a stream; one C library that
Chrome fuzzes, instead of a second PDF stack. PDFium is not thread-safe: one dossier at a time per process.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

import pypdfium2 as pdfium

from mybnpl.dossier.body import Appendix

MAX_MERGED_PAGES = 300  # per document; the rest of a longer PDF travels as its attachment


def probe_pdf(data: bytes) -> tuple[int, str]:
    """(page count, problem code or ""): "encrypted", "damaged" or "empty"."""
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        return 0, "encrypted" if "password" in str(e).lower() else "damaged"
    try:
        n = len(doc)
    finally:
        doc.close()
    return (n, "") if n > 0 else (0, "empty")


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes
    description: str = ""


class HashingWriter:
    """Passes writes on to ``fh`` and keeps their SHA-256 and length."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh, self.sha, self.size = fh, hashlib.sha256(), 0

    def write(self, chunk: Any) -> int:
        b = bytes(chunk)
        self.sha.update(b)
        self.size += len(b)
        return self.fh.write(b)


def _place(doc: pdfium.PdfDocument, src: pdfium.PdfDocument, src_index: int,
           where: tuple[int, float, float, float, float]) -> None:
    left, bottom, right, top = src[src_index].get_mediabox()
    w, h = right - left, top - bottom
    page_index, x0, y0, x1, y1 = where
    pad = 4.0
    scale = min((x1 - x0 - 2 * pad) / w, (y1 - y0 - 2 * pad) / h)
    dx = x0 + ((x1 - x0) - w * scale) / 2 - left * scale
    dy = y0 + ((y1 - y0) - h * scale) / 2 - bottom * scale
    xobject = src.page_as_xobject(src_index, doc)
    obj = xobject.as_pageobject()
    obj.transform(pdfium.PdfMatrix().scale(scale, scale).translate(dx, dy))
    page = doc[page_index]  # left open: closing would let PDFium drop and re-parse the shared CJK fonts
    page.insert_obj(obj)
    page.gen_content()


def merge_pages(doc: pdfium.PdfDocument, appendix: Appendix, data: bytes) -> bool:
    """Place the appendix's PDF pages on its reserved pages; False when PDFium refused one (the page stays
    blank under its caption; the original is attached anyway)."""
    try:
        src = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return False
    ok = True
    try:
        for i, slot in enumerate(appendix.slots):
            try:
                _place(doc, src, i, slot.boxes[slot.key])
            except (pdfium.PdfiumError, ValueError, KeyError, ZeroDivisionError):
                ok = False
    finally:
        src.close()
    return ok


def attach(doc: pdfium.PdfDocument, items: Iterable[Attachment]) -> None:
    for item in items:
        att = doc.new_attachment(item.name)
        att.set_data(item.data)
        if item.description and hasattr(att, "set_desc"):
            att.set_desc(item.description[:500])


def finish(body: bytes, appendices: Sequence[Appendix], load: Callable[[Appendix], bytes],
           attachments: Callable[[], Iterable[Attachment]], out: BinaryIO,
           step: Callable[[str], None] = lambda _s: None) -> tuple[int, str, int]:
    """Body PDF → merged pages, attachments, written to ``out``. Returns (pages, sha256 of the file, size)."""
    doc = pdfium.PdfDocument(body)
    try:
        for a in appendices:
            if a.kind == "pdf" and a.slots:
                step("merge")
                if not merge_pages(doc, a, load(a)):
                    a.problem = a.problem or "page"
        step("attach")
        attach(doc, attachments())
        step("write")
        writer = HashingWriter(out)
        doc.save(writer)
        pages = len(doc)
    finally:
        doc.close()
    return pages, writer.sha.hexdigest(), writer.size


def read_attachments(data: bytes) -> tuple[list[tuple[str, bytes]], int]:
    """Every embedded file (name, bytes) of a PDF and its page count; raises pdfium.PdfiumError."""
    doc = pdfium.PdfDocument(data)
    try:
        out = []
        for i in range(doc.count_attachments()):
            att = doc.get_attachment(i)
            try:
                blob = bytes(att.get_data())
            except pdfium.PdfiumError:
                blob = b""
            out.append((att.get_name(), blob))
        return out, len(doc)
    finally:
        doc.close()

