"""The PDF worker process of dossiers: PDFium on untrusted PDFs, away from the app (see isolated.py).

Protocol: stdin = one JSON request line, then raw bytes; stdout = the answer. Every op:

* ``{"op": "probe", "sizes": [n, …]}`` + the documents one after the other → one JSON line
  ``{"probe": [[pages, problem], …]}`` (problem "", "encrypted", "damaged", "empty" or "page"), each document
  taken apart completely first (``assemble.preflight``: every page placed as the dossier will place it).
* ``{"op": "attachments", "size": n}`` + the file → one JSON line ``{"pages", "names", "sizes"}`` followed by
  the attachments' bytes one after the other, or ``{"error": "not_pdf"}``.
* ``{"op": "render", "size": n, "max_pages": k, "width": w}`` + a dossier → one JSON line ``{"pages",
  "sizes": [[w, h], …]}`` followed by each page's RGB pixels (the preview of the Dossiers page).

It receives no key, no vault path and a scrubbed environment (see mybnpl.isolation); it cannot write files.
A crash, a time-out or an answer that does not fit is the parent's to report, as a documented problem.
"""

from __future__ import annotations

import json
import os
import sys
from typing import IO, Any


def _read(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise ValueError("request cut off")
    return data


def _probe(stdin: IO[bytes], out: IO[bytes], request: dict[str, Any]) -> None:
    from mybnpl.dossier.assemble import preflight

    results = [preflight(_read(stdin, int(size))) for size in request["sizes"]]
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


def _render(stdin: IO[bytes], out: IO[bytes], request: dict[str, Any]) -> None:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(_read(stdin, int(request["size"])))
    width, images = int(request["width"]), []
    for i in range(min(len(doc), int(request["max_pages"]))):
        page = doc[i]
        bitmap = page.render(scale=width / page.get_width(), rev_byteorder=True)
        pil = bitmap.to_pil().convert("RGB")
        if pil.width != width:  # rounding: keep the promised width
            pil = pil.resize((width, max(1, round(pil.height * width / pil.width))))
        images.append((pil.width, pil.height, pil.tobytes()))
        page.close()
    head = {"pages": len(doc), "sizes": [[w, h] for w, h, _ in images]}
    out.write(json.dumps(head).encode("utf-8") + b"\n")
    for _w, _h, rgb in images:
        out.write(rgb)


_OPS = {"probe": _probe, "attachments": _attachments, "render": _render}


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
