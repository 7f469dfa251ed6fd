"""``manifest.json``: what a dossier carries and how to check it.

Canonical JSON (UTF-8, sorted keys, no spaces) so the signed bytes are exactly the attached file::

    {"format": "mybnpl-dossier", "version": 1, "created": ISO date, "lang": "zh"|"en", "title": str,
     "case_reference": str, "public_key": base64 raw Ed25519, "fingerprint": str,
     "content": {"name": "dossier-content.json", "sha256": hex, "size": n},
     "items": [{"id": n, "name": attachment name, "filename": str, "description": str, "source": str,
                "added_at": ISO, "size": n, "sha256": hex, "media_type": str}]}

``content`` is the dossier's own content hash: the structured data the pages were printed from
(``dossier-content.json``), so a reader can check the pages' claims against a signed copy.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

FORMAT = "mybnpl-dossier"
VERSION = 1
MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.json.sig"
PUBLIC_KEY_NAME = "signing-key.pem"
CONTENT_NAME = "dossier-content.json"
RESERVED = frozenset({MANIFEST_NAME, SIGNATURE_NAME, PUBLIC_KEY_NAME, CONTENT_NAME})
MAX_MANIFEST = 4 * 1024 * 1024
_HEX64 = re.compile(r"[0-9a-f]{64}\Z")


def canonical(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def attachment_name(evidence_id: int, filename: str) -> str:
    """A safe, unique attachment name: ``evidence-0012-<file name>`` with no path parts or control
    characters (``pdfdetach -saveall`` writes these names into the current directory)."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip().lstrip(".")
    base = re.sub(r"\s+", " ", base)[:80] or "file"
    return f"evidence-{evidence_id:04d}-{base}"


@dataclass(frozen=True)
class Item:
    id: int
    name: str
    sha256: str
    size: int
    filename: str = ""
    description: str = ""
    source: str = ""
    added_at: str = ""
    media_type: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "sha256": self.sha256, "size": self.size,
                "filename": self.filename, "description": self.description, "source": self.source,
                "added_at": self.added_at, "media_type": self.media_type}


@dataclass(frozen=True)
class Manifest:
    created: str
    lang: str
    title: str
    case_reference: str
    public_key: str
    fingerprint: str
    content_sha256: str
    content_size: int
    items: tuple[Item, ...]

    def to_bytes(self) -> bytes:
        return canonical({
            "format": FORMAT, "version": VERSION, "created": self.created, "lang": self.lang, "title": self.title,
            "case_reference": self.case_reference, "public_key": self.public_key, "fingerprint": self.fingerprint,
            "content": {"name": CONTENT_NAME, "sha256": self.content_sha256, "size": self.content_size},
            "items": [i.to_json() for i in self.items]})


class ManifestError(ValueError):
    """The manifest is not one this version can read (English detail for logs; callers translate)."""


def _get(d: dict[str, Any], key: str, kind: type, where: str) -> Any:
    v = d.get(key)
    if not isinstance(v, kind) or isinstance(v, bool):
        raise ManifestError(f"{where}.{key} is missing or has the wrong type")
    return v


def _hex(v: str, where: str) -> str:
    if not _HEX64.match(v):
        raise ManifestError(f"{where} is not a SHA-256")
    return v


def parse(raw: bytes) -> Manifest:
    if len(raw) > MAX_MANIFEST:
        raise ManifestError("manifest too large")
    try:
        d = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ManifestError("manifest is not JSON") from None
    if not isinstance(d, dict) or d.get("format") != FORMAT:
        raise ManifestError("not a mybnpl dossier manifest")
    if d.get("version") != VERSION:
        raise ManifestError(f"unsupported manifest version {d.get('version')!r}")
    content = _get(d, "content", dict, "manifest")
    items = []
    names = set()
    for n, it in enumerate(_get(d, "items", list, "manifest")):
        where = f"items[{n}]"
        if not isinstance(it, dict):
            raise ManifestError(f"{where} is not an object")
        item = Item(_get(it, "id", int, where), _get(it, "name", str, where),
                    _hex(_get(it, "sha256", str, where), f"{where}.sha256"), _get(it, "size", int, where),
                    str(it.get("filename", "")), str(it.get("description", "")), str(it.get("source", "")),
                    str(it.get("added_at", "")), str(it.get("media_type", "")))
        if item.name in names or item.name in RESERVED:
            raise ManifestError(f"{where}.name is duplicated or reserved")
        names.add(item.name)
        items.append(item)
    return Manifest(_get(d, "created", str, "manifest"), str(d.get("lang", "")), str(d.get("title", "")),
                    str(d.get("case_reference", "")), _get(d, "public_key", str, "manifest"),
                    str(d.get("fingerprint", "")),
                    _hex(_get(content, "sha256", str, "content"), "content.sha256"),
                    _get(content, "size", int, "content"), tuple(items))
