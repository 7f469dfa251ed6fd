"""The app's side of the PDF worker: untrusted PDFs meet PDFium first in a limited child process
(:mod:`mybnpl.dossier.worker`, :mod:`mybnpl.isolation`): PDF evidence is taken apart there completely before a
dossier places its pages (``probe_pdfs`` → ``assemble.preflight``), and a dossier someone hands the user is read
only there (``read_attachments``).

What comes back is untrusted (a hostile PDF may have taken the child over) and is checked here: counts, sizes,
names and page numbers within bounds, the answer complete. A child that crashes, runs out of memory or time, or
answers nonsense becomes a documented problem: the PDF is "damaged" (export) or "not_pdf" (verify), and the app
never opens it with PDFium.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO

from mybnpl import isolation

MiB = 1 << 20
MAX_PAGES = 1_000_000  # a page count beyond this is not a real answer
MAX_ITEMS = 100_000  # attachments of one file
MAX_NAME = 4096  # characters of an attachment name
MAX_ANSWER_BYTES = 2 << 30  # attachments read back: at most the size of a dossier verify accepts (2 GiB)
PROBE_BATCH_BYTES = 64 * MiB  # PDFs probed by one child
_PROBLEMS = ("", "encrypted", "damaged", "empty", "page")


class WorkerFailed(Exception):
    """The child failed or its answer does not fit the protocol."""


def worker_command() -> list[str]:
    return isolation.python_command("mybnpl.dossier.worker", "--pdf-worker")


def limits(size: int) -> isolation.ProcessLimits:
    """Generous for honest input of ``size`` bytes, finite for hostile input: PDFium holds the file, what it
    decodes of it and what it writes."""
    return isolation.ProcessLimits(memory_bytes=768 * MiB + 4 * size, cpu_seconds=60 + size // MiB,
                                   wall_seconds=60.0 + size / MiB)


def _run(request: dict[str, object], chunks: Iterable[bytes], size: int,
         read: Callable[[IO[bytes]], object], cancelled: Callable[[], bool] | None = None) -> object:
    head = json.dumps(request, ensure_ascii=False).encode("utf-8") + b"\n"

    def checked(stream: IO[bytes]) -> object:
        try:
            return read(stream)
        except Exception as e:  # any answer that does not fit (deep nesting: RecursionError, …) is the child's fault
            raise WorkerFailed(f"unreadable answer ({type(e).__name__})") from None

    try:
        return isolation.run(worker_command(), _prefixed(head, chunks), limits(size), checked, cancelled)
    except isolation.ChildFailed as e:
        raise WorkerFailed(str(e)) from None


def _prefixed(head: bytes, chunks: Iterable[bytes]) -> Iterator[bytes]:
    yield head
    yield from chunks


def _line(stream: IO[bytes], limit: int = 64 * MiB) -> dict[str, object]:
    line = stream.readline(limit)
    if not line.endswith(b"\n"):
        raise ValueError("answer cut off")
    answer = json.loads(line.decode("utf-8"))
    if not isinstance(answer, dict):
        raise ValueError("not an object")
    return answer


def _int(v: object, top: int) -> int:
    if type(v) is not int or not 0 <= v <= top:
        raise ValueError("number out of range")
    return v


# --- probe ----------------------------------------------------------------------------------------------------

def probe_pdfs(blobs: Sequence[bytes], cancelled: Callable[[], bool] | None = None) -> list[tuple[int, str]]:
    """(page count, problem code or "") of each PDF, read by one child; when it fails, each is probed alone, and
    a PDF whose own child fails is "damaged". ``cancelled()`` turning true stops the child at once."""
    if not blobs:
        return []
    try:
        return _probe(blobs, cancelled)
    except WorkerFailed:
        if len(blobs) == 1:
            return [(0, "damaged")]
    out = []
    for blob in blobs:
        if cancelled is not None and cancelled():  # the export is being cancelled: start no more children
            out.append((0, "damaged"))
            continue
        try:
            out += _probe([blob], cancelled)
        except WorkerFailed:
            out.append((0, "damaged"))
    return out


def _probe(blobs: Sequence[bytes], cancelled: Callable[[], bool] | None = None) -> list[tuple[int, str]]:
    def read(stream: IO[bytes]) -> list[tuple[int, str]]:
        answer = _line(stream, 1 << 20)
        rows = answer["probe"]
        if not isinstance(rows, list) or len(rows) != len(blobs):
            raise ValueError("wrong number of answers")
        out = []
        for row in rows:
            pages, problem = row
            if problem not in _PROBLEMS:
                raise ValueError("unknown problem")
            out.append((_int(pages, MAX_PAGES), str(problem)))
        if stream.read(1):
            raise ValueError("bytes after the answer")
        return out

    size = sum(len(b) for b in blobs)
    result = _run({"op": "probe", "sizes": [len(b) for b in blobs]}, blobs, size, read, cancelled)
    return result  # type: ignore[return-value]


# --- verify ---------------------------------------------------------------------------------------------------

def read_attachments(data: bytes) -> tuple[list[tuple[str, bytes]], int]:
    """Every embedded file (name, bytes) of a PDF and its page count. Raises WorkerFailed for anything that is
    not a readable PDF (or a child that failed on it)."""
    def read(stream: IO[bytes]) -> tuple[list[tuple[str, bytes]], int]:
        head = _line(stream, 4 * MiB)  # names and sizes of up to MAX_ITEMS files; parsed only within that
        if "error" in head:
            raise WorkerFailed("not a PDF")
        names, sizes = head["names"], head["sizes"]
        if not isinstance(names, list) or not isinstance(sizes, list) or len(names) != len(sizes) \
                or len(names) > MAX_ITEMS:
            raise ValueError("bad attachment list")
        if not all(isinstance(n, str) and len(n) <= MAX_NAME for n in names):
            raise ValueError("bad attachment name")
        if sum(_int(s, MAX_ANSWER_BYTES) for s in sizes) > MAX_ANSWER_BYTES:
            raise ValueError("attachments too large")
        files = [(n, isolation.read_exactly(stream, s)) for n, s in zip(names, sizes, strict=True)]
        if stream.read(1):
            raise ValueError("bytes after the answer")
        return files, _int(head["pages"], MAX_PAGES)

    result = _run({"op": "attachments", "size": len(data)}, [data], len(data), read)
    return result  # type: ignore[return-value]


# --- preview --------------------------------------------------------------------------------------------------

MAX_PREVIEW_WIDTH = 2000  # pixels; a page image is at most width × 3 width


def render_pages(pdf: bytes, max_pages: int, width: int,
                 cancelled: Callable[[], bool] | None = None) -> tuple[int, list[tuple[int, int, bytes]]]:
    """The page count and the first ``max_pages`` pages drawn ``width`` pixels wide, as (width, height, RGB bytes),
    drawn by the worker: the pages hold the placed content of PDF evidence. Raises WorkerFailed."""
    if not 0 < width <= MAX_PREVIEW_WIDTH:
        raise ValueError("preview width out of range")

    def read(stream: IO[bytes]) -> tuple[int, list[tuple[int, int, bytes]]]:
        head = _line(stream, 64 * 1024)  # a page count and a width and height per page
        sizes = head["sizes"]
        if not isinstance(sizes, list) or len(sizes) > max_pages:
            raise ValueError("bad page list")
        images = []
        for w, h in sizes:
            if _int(w, MAX_PREVIEW_WIDTH) != width or _int(h, 3 * MAX_PREVIEW_WIDTH) < 1:
                raise ValueError("page image out of bounds")
            images.append((w, h, isolation.read_exactly(stream, w * h * 3)))
        if stream.read(1):
            raise ValueError("bytes after the answer")
        return _int(head["pages"], MAX_PAGES), images

    result = _run({"op": "render", "size": len(pdf), "max_pages": max_pages, "width": width}, [pdf], len(pdf), read,
                  cancelled)
    return result  # type: ignore[return-value]
