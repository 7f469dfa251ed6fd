"""The import worker process: reads one request on stdin, parses, writes one JSON answer on stdout.

Protocol: stdin = one JSON line ``{"name", "size", "options", "op"}`` then exactly ``size`` raw bytes.
stdout = one JSON line: ``{"ok": <ParsedStatement.meta_json()>, "n": rows}`` followed by the transactions as the
``TxTable.to_wire`` column blocks, each as an 8-byte little-endian length and the bytes, written as each is
encoded (the parent rebuilds one while the next is encoded); or ``{"table": …}`` (op "table"), or
``{"error": {"code", "message", "params"}}``. A failure while the blocks are written ends the process with
status 1 (out of memory) or 3, which the parent reports as ``too_much_memory`` or ``corrupt``.
It receives no key, no vault path and a scrubbed environment (see sandbox.py); it cannot write files.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from collections.abc import Iterable
from typing import Any

from mybnpl.core.imports import ImportCode, ImportFailed, TxTable
from mybnpl.importers.errors import fail


def _table(data: bytes, name: str, password: str | None) -> dict[str, Any]:
    """Header and sample rows of the file's main table, for the column-mapping step."""
    if b"%PDF-" in data[:1024]:
        from mybnpl.importers.pdf import pdf_table

        header, rows = pdf_table(data, name, password)
    else:
        from mybnpl.importers.generic import detect_table

        header, rows = detect_table(data, name)
    return {"table": {"header": header, "rows": rows[:50]}}


def handle(request: dict[str, Any], data: bytes) -> tuple[dict[str, Any], Iterable[bytes]]:
    """The answer's JSON line and the column blocks that follow it (encoded as they are iterated)."""
    from mybnpl.importers.base import ParseOptions, parse_bytes

    name = str(request.get("name", "file"))
    try:
        options = ParseOptions.from_json(request.get("options") or {})
        if request.get("op") == "table":
            return _table(data, name, options.password), []
        parsed = parse_bytes(data, name, options)
        table = TxTable.from_txs(parsed.transactions)
        return {"ok": parsed.meta_json(), "n": len(table)}, table.wire_blocks()
    except ImportFailed as e:
        return {"error": e.to_json()}, []
    except MemoryError:
        return {"error": fail(ImportCode.TOO_MUCH_MEMORY, name).to_json()}, []
    except RecursionError:
        return {"error": fail(ImportCode.CORRUPT, name, detail="recursive structure").to_json()}, []
    except Exception as e:  # a parser bug or a hostile file: report the type only, never the content
        return {"error": fail(ImportCode.CORRUPT, name, detail=type(e).__name__).to_json()}, []


def main() -> int:
    gc.disable()  # a short-lived process building many small objects: collection only costs time
    stdin = sys.stdin.buffer
    header = json.loads(stdin.readline().decode("utf-8"))
    size = int(header["size"])
    data = stdin.read(size)
    answer, blocks = handle(header, data)
    out = sys.stdout.buffer
    out.write(json.dumps(answer, ensure_ascii=False).encode("utf-8") + b"\n")
    try:
        for block in blocks:
            out.write(len(block).to_bytes(8, "little"))
            out.write(block)
            out.flush()
        out.flush()
    except MemoryError:
        os._exit(1)
    except Exception:  # an encoding bug, or the parent went away
        os._exit(3)
    # Done. Skip the interpreter's teardown (freeing 10⁵ rows of objects one by one takes 0.1–0.2 s), and close
    # stdout first: the parent sees the end of the answer while the kernel frees this process's memory.
    os.close(out.fileno())
    os._exit(0)


if __name__ == "__main__":
    raise SystemExit(main())
