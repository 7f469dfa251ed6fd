"""The importer interface and the registry that detects which importer reads a file.

Each importer module defines ``FORMAT``, ``sniff(head, data, name) -> int`` (0 = not mine, 100 = certain) and
``parse(data, name, opts) -> ParsedStatement``. Importers get bytes, never paths or the vault.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any, Protocol

from mybnpl.core.imports import ColumnMapping, ImportCode, ParsedStatement
from mybnpl.importers.errors import fail
from mybnpl.importers.text import sniff_text

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_PAGES = 2000
MAX_ROWS = 1_000_000


@dataclass(frozen=True)
class ParseOptions:
    provider_hint: str | None = None
    password: str | None = None
    mapping: ColumnMapping | None = None
    currency: str = "CNY"

    def to_json(self) -> dict[str, Any]:
        return {"provider_hint": self.provider_hint, "password": self.password,
                "mapping": self.mapping.to_json() if self.mapping else None, "currency": self.currency}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ParseOptions:
        return cls(d.get("provider_hint"), d.get("password"),
                   ColumnMapping.from_json(d["mapping"]) if d.get("mapping") else None, d.get("currency", "CNY"))


class Importer(Protocol):
    FORMAT: str

    def sniff(self, head: str, data: bytes, name: str) -> int: ...
    def parse(self, data: bytes, name: str, opts: ParseOptions) -> ParsedStatement: ...


# Order matters only for ties. "generic" reads any table once the user maps its columns.
IMPORTER_MODULES = (
    "mybnpl.importers.alipay",
    "mybnpl.importers.wechat",
    "mybnpl.importers.meituan",
    "mybnpl.importers.jd",
    "mybnpl.importers.paypal",
    "mybnpl.importers.ofx",
    "mybnpl.importers.pdf",
    "mybnpl.importers.generic",
)


def importers() -> list[Importer]:
    found = []
    for mod in IMPORTER_MODULES:
        try:
            found.append(import_module(mod))
        except ModuleNotFoundError as e:  # pragma: no cover - only while a module is being written
            if e.name != mod:
                raise
    return found  # type: ignore[return-value]


IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")


def detect(data: bytes, name: str) -> Importer:
    if not data:
        raise fail(ImportCode.EMPTY, name)
    if len(data) > MAX_FILE_BYTES:
        raise fail(ImportCode.TOO_LARGE, name, detail=f"{len(data) // (1024 * 1024)} MiB",
                   limit=f"{MAX_FILE_BYTES // (1024 * 1024)} MiB")
    if data.startswith(IMAGE_MAGIC):  # a screenshot is never a statement, whatever its bytes look like later
        raise fail(ImportCode.UNSUPPORTED_FORMAT, name, detail="an image")
    head = sniff_text(data)
    scored = [(imp.sniff(head, data, name), i, imp) for i, imp in enumerate(importers())]
    scored = [s for s in scored if s[0] > 0]
    if not scored:
        raise fail(ImportCode.UNSUPPORTED_FORMAT, name, detail=_describe(data))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return scored[0][2]


def _describe(data: bytes) -> str:
    if data.startswith(b"PK\x03\x04"):
        return "a ZIP archive"
    if data.startswith(IMAGE_MAGIC):
        return "an image"
    if b"\x00" in data[:1024]:
        return "binary data"
    return "unrecognised text"


def parse_bytes(data: bytes, name: str, opts: ParseOptions | None = None,
                progress: Callable[[str], None] | None = None) -> ParsedStatement:
    """Detect and parse in this process. Use ``mybnpl.importers.sandbox.parse_isolated`` for user files."""
    opts = opts or ParseOptions()
    importer = detect(data, name)
    if progress:
        progress(importer.FORMAT)
    return importer.parse(data, name, opts)
