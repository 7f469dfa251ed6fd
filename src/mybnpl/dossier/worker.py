"""The PDF worker process of dossiers: PDFium on untrusted PDFs, away from the app (see isolated.py).

Protocol: stdin = one JSON request line, then raw bytes; stdout = the answer. Every op:

* ``{"op": "probe", "sizes": [n, …]}`` + the documents one after the other → one JSON line
  ``{"probe": [[pages, problem], …]}`` (problem "", "encrypted", "damaged" or "empty").
* ``{"op": "attachments", "size": n}`` + the file → one JSON line ``{"pages", "names", "sizes"}`` followed by
  the attachments' bytes one after the other, or ``{"error": "not_pdf"}``.
* ``{"op": "finish", "body": n, "merge": {attachment name: [[page, x0, y0, x1, y1], …]}}`` + the rendered
  body + items, each a JSON line ``{"name", "desc", "size"}`` and its bytes, up to end of input → records
  (a tag byte, an 8-byte little-endian length, the payload): ``m`` name (placing that PDF's pages starts),
  ``n`` "1"/"0" (done; "0": a page was refused), ``d`` a piece of the written file, ``e`` the JSON
  ``{"pages": n}`` at the end.

It receives no key, no vault path and a scrubbed environment (see mybnpl.isolation); it cannot write files.
A crash, a time-out or an answer that does not fit is the parent's to report, as a documented problem.
"""

from __future__ import annotations

import json
import os
import sys
from typing import IO, Any

_CHUNK = 1 << 20


def _read(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise ValueError("request cut off")
    return data


def _probe(stdin: IO[bytes], out: IO[bytes], request: dict[str, Any]) -> None:
    from mybnpl.dossier.assemble import probe_pdf

    results = [probe_pdf(_read(stdin, int(size))) for size in request["sizes"]]
    out.write(json.dumps({"probe": results}).encode("utf-8") + b"\n")


def _attachments(stdin: IO[bytes], out: IO[bytes], request: dict[str, Any]) -> None:
    import pypdfium2 as pdfium

    from mybnpl.dossier.assemble import read_attachments

    try:
        files, pages = read_attachments(_read(stdin, int(request["size"])))
    except (pdfium.PdfiumError, ValueError):
        out.write(b'{"error": "not_pdf"}\n')
        return
    head = {"pages": pages, "names": [n for n, _ in files], "sizes": [len(b) for _, b in files]}
    out.write(json.dumps(head, ensure_ascii=False).encode("utf-8") + b"\n")
    for _name, blob in files:
        out.write(blob)


class _Records:
    """The ``d`` records of the written file, in pieces of about 1 MiB (PDFium writes many small blocks)."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out, self.size = out, 0
        self.parts: list[bytes] = []

    def record(self, tag: bytes, payload: bytes) -> None:
        self.out.write(tag + len(payload).to_bytes(8, "little") + payload)
        self.out.flush()

    def write(self, chunk: Any) -> int:
        b = bytes(chunk)
        self.parts.append(b)
        self.size += len(b)
        if self.size >= _CHUNK:
            self.flush()
        return len(b)

    def flush(self) -> None:
        if self.parts:
            self.record(b"d", b"".join(self.parts))
            self.parts, self.size = [], 0


def _finish(stdin: IO[bytes], out: IO[bytes], request: dict[str, Any]) -> None:
    import pypdfium2 as pdfium

    from mybnpl.dossier.assemble import Attachment, attach, merge_boxes

    records = _Records(out)
    merge = {str(k): [tuple(b) for b in v] for k, v in dict(request.get("merge") or {}).items()}
    doc = pdfium.PdfDocument(_read(stdin, int(request["body"])))
    while line := stdin.readline():
        item = json.loads(line.decode("utf-8"))
        name = str(item["name"])
        data = _read(stdin, int(item["size"]))
        if name in merge:
            records.record(b"m", name.encode("utf-8"))
            ok = merge_boxes(doc, merge[name], data)
            records.record(b"n", b"1" if ok else b"0")
        attach(doc, [Attachment(name, data, str(item.get("desc", "")))])
        del data
    doc.save(records)
    records.flush()
    pages = len(doc)
    doc.close()
    records.record(b"e", json.dumps({"pages": pages}).encode("utf-8"))


_OPS = {"probe": _probe, "attachments": _attachments, "finish": _finish}


def main() -> int:
    stdin, out = sys.stdin.buffer, sys.stdout.buffer
    try:
        request = json.loads(stdin.readline().decode("utf-8"))
        _OPS[str(request["op"])](stdin, out, request)
        out.flush()
    except MemoryError:
        os._exit(1)
    except Exception:  # a hostile file or a bug: the parent reports the documented problem
        os._exit(3)
    os.close(out.fileno())
    os._exit(0)


if __name__ == "__main__":
    raise SystemExit(main())
