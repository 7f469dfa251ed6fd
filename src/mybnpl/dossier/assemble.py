"""PDFium steps of a dossier: probe PDF evidence, place its pages on the reserved pages of the rendered body,
attach the originals and the manifest, write the result, and read a dossier's attachments back.

Untrusted bytes meet PDFium first in the PDF worker process (:mod:`mybnpl.dossier.worker`, started by
:mod:`mybnpl.dossier.isolated` with the limits of :mod:`mybnpl.isolation`): ``preflight`` takes every PDF evidence
item apart there (open, every page placed as a form XObject, written), and reading a dossier back for verification
happens only there. A PDF that crashes, hangs or exhausts the worker is "damaged" and never opened by the app. The
app then places the pages of the PDFs that passed, attaches the originals and writes the file (``finish``).

Why PDFium (pypdfium2, already a dependency for statements) and no new library: it imports a page as a form
XObject (vector, text stays selectable), writes embedded files, and saves to a stream; one C library that
Chrome fuzzes, instead of a second PDF stack. PDFium is not thread-safe: every use in this process holds
:data:`PDFIUM_LOCK`.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

import pypdfium2 as pdfium

if TYPE_CHECKING:
    from mybnpl.dossier.body import Appendix

Box = tuple[int, float, float, float, float]  # page index in the body, x0, y0, x1, y1 (points)

PDFIUM_LOCK = threading.RLock()
MAX_MERGED_PAGES = 300  # per document; the rest of a longer PDF travels as its attachment


def probe_pdf(data: bytes) -> tuple[int, str]:
    """(page count, problem code or ""): "encrypted", "damaged" or "empty"."""
    with PDFIUM_LOCK:
        return _probe(data)


def _probe(data: bytes) -> tuple[int, str]:
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


def _place(doc: pdfium.PdfDocument, src: pdfium.PdfDocument, src_index: int, where: Box) -> None:
    """Draw page ``src_index`` of ``src``, as a vector form XObject, centred and scaled into the box."""
    page_index, x0, y0, x1, y1 = where
    src_page = src[src_index]
    left, bottom, right, top = src_page.get_mediabox()
    rotation = src_page.get_rotation() % 360
    src_page.close()
    w, h = right - left, top - bottom
    # the XObject PDFium makes of a page already applies its /Rotate; only the shown size swaps
    shown_w, shown_h = (h, w) if rotation in (90, 270) else (w, h)
    pad = 4.0
    scale = min((x1 - x0 - 2 * pad) / shown_w, (y1 - y0 - 2 * pad) / shown_h)
    dx, dy = x0 + ((x1 - x0) - shown_w * scale) / 2, y0 + ((y1 - y0) - shown_h * scale) / 2
    matrix = pdfium.PdfMatrix().translate(-left, -bottom).scale(scale, scale).translate(dx, dy)
    obj = src.page_as_xobject(src_index, doc).as_pageobject()
    obj.transform(matrix)
    page = doc[page_index]
    page.insert_obj(obj)
    page.gen_content()
    page.close()


def merge_pages(doc: pdfium.PdfDocument, appendix: Appendix, data: bytes) -> bool:
    """Place the appendix's PDF pages on its reserved pages (see :func:`merge_boxes`)."""
    return merge_boxes(doc, [slot.boxes[slot.key] for slot in appendix.slots], data)


def merge_boxes(doc: pdfium.PdfDocument, boxes: Sequence[Box], data: bytes) -> bool:
    """Place page i of the PDF ``data`` into ``boxes[i]``; False when PDFium refused one (the page stays blank
    under its caption; the original is attached anyway)."""
    try:
        src = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return False
    ok = True
    try:
        for i, box in enumerate(boxes):
            try:
                _place(doc, src, i, box)
            except (pdfium.PdfiumError, ValueError, KeyError, ZeroDivisionError, IndexError):
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


class _Discard:
    def write(self, chunk: Any) -> int:
        return len(chunk)


def preflight(data: bytes) -> tuple[int, str]:
    """``probe_pdf``, then the whole placement of its pages (as :func:`merge_boxes` does it for a dossier) into a
    scratch document that is written and thrown away. Run in the PDF worker: a PDF that PDFium cannot take apart
    crashes or stops the worker there, never the app. Returns (page count, problem code or "")."""
    pages, problem = _probe(data)
    if problem:
        return pages, problem
    scratch = pdfium.PdfDocument.new()
    try:
        n = min(pages, MAX_MERGED_PAGES)
        for _ in range(n):
            scratch.new_page(595.0, 842.0)
        ok = merge_boxes(scratch, [(i, 36.0, 36.0, 559.0, 806.0) for i in range(n)], data)
        scratch.save(_Discard())
    finally:
        scratch.close()
    return pages, "" if ok else "page"


def finish(body: bytes, appendices: Sequence[Appendix], load: Callable[[Appendix], bytes],
           attachments: Callable[[], Iterable[Attachment]], out: BinaryIO,
           step: Callable[[str], None] = lambda _s: None) -> tuple[int, str, int]:
    """Body PDF → merged pages, attachments, written to ``out``. Returns (pages, sha256 of the file, size).

    Runs in the app process: only PDFs the PDF worker has already taken apart completely (``preflight``) are
    placed, and the rest is the app's own output. (Doing all of it in the worker was measured: it costs 110–250 MB
    more, because the ≈ 95 MB dossier then lives in both processes; see benchmarks/README.md, target 7.)"""
    with PDFIUM_LOCK:
        return _finish(body, appendices, load, attachments, out, step)


def _finish(body: bytes, appendices: Sequence[Appendix], load: Callable[[Appendix], bytes],
            attachments: Callable[[], Iterable[Attachment]], out: BinaryIO,
            step: Callable[[str], None]) -> tuple[int, str, int]:
    doc = pdfium.PdfDocument(body)
    try:
        for a in appendices:
            if a.kind == "pdf" and a.slots and not a.problem:
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
    with PDFIUM_LOCK:
        return _read_attachments(data)


def _empty_quirk(blob: bytes) -> bytes:
    """PDFium hands back the still-compressed stream of an embedded file whose content is empty (8 bytes of
    zlib, where pdfdetach rightly gives 0 bytes): such a stream is the empty file it stands for."""
    if 0 < len(blob) <= 16 and blob[:1] == b"x":
        with contextlib.suppress(zlib.error):
            if zlib.decompress(blob) == b"":
                return b""
    return blob


def _read_attachments(data: bytes) -> tuple[list[tuple[str, bytes]], int]:
    doc = pdfium.PdfDocument(data)
    try:
        out = []
        for i in range(doc.count_attachments()):
            att = doc.get_attachment(i)
            try:
                blob = bytes(att.get_data())
            except pdfium.PdfiumError:
                blob = b""
            out.append((att.get_name(), _empty_quirk(blob)))
        return out, len(doc)
    finally:
        doc.close()

