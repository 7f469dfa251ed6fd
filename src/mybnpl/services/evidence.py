"""Evidence: any file (screenshot, PDF, chat export, SMS text) kept inside the vault with its SHA-256."""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path
from typing import Any

from mybnpl.atomic import write_atomic
from mybnpl.core.errors import InvalidInput, NotFound
from mybnpl.core.models import Evidence
from mybnpl.i18n import N_, os_reason
from mybnpl.vault import repos
from mybnpl.vault.db import Vault
from mybnpl.vault.errors import VaultDamaged

MAX_EVIDENCE_BYTES = 256 * 1024 * 1024

_SIGNATURES = ((b"%PDF", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
               (b"GIF8", "image/gif"), (b"RIFF", "image/webp"), (b"PK\x03\x04", "application/zip"))


def media_type(name: str, data: bytes) -> str:
    for magic, mt in _SIGNATURES:
        if data.startswith(magic):
            return mt
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


class EvidenceTampered(VaultDamaged):
    code = "evidence_tampered"
    message = N_("Evidence item {id} no longer matches its recorded SHA-256. The vault may be damaged.")


_COLS = "id, sha256, media_type, size, filename, source, note, added_at, captured_at, account_id"


def _row(r: Any) -> Evidence:
    from datetime import datetime

    return Evidence(id=r[0], sha256=r[1], media_type=r[2], size=r[3], filename=r[4], source=r[5], note=r[6],
                    added_at=datetime.fromisoformat(r[7]),
                    captured_at=datetime.fromisoformat(r[8]) if r[8] else None, account_id=r[9])


def add_evidence_bytes(vault: Vault, data: bytes, filename: str, *, note: str = "", account_id: int | None = None,
                       source: str = "user", link: tuple[str, int] | None = None) -> Evidence:
    if len(data) > MAX_EVIDENCE_BYTES:
        raise InvalidInput(N_("{name} is larger than {size} MiB."), name=filename,
                           size=MAX_EVIDENCE_BYTES // (1024 * 1024))
    if account_id is not None:
        repos.get_account(vault, account_id)
    with vault.transaction() as conn:
        eid = repos.insert_evidence(conn, data, media_type=media_type(filename, data), filename=filename,
                                    source=source, note=note, account_id=account_id)
        if link is not None:
            conn.execute("INSERT OR IGNORE INTO evidence_links(evidence_id, entity, entity_id) VALUES (?, ?, ?)",
                         (eid, link[0], link[1]))
        repos.append_event(conn, "evidence_added", filename, entity="evidence", entity_id=eid)
    return get_evidence(vault, eid)


def read_evidence_file(path: Path) -> bytes:
    """A file the user picked, read whole; too large or unreadable → InvalidInput naming the file."""
    try:
        if path.stat().st_size > MAX_EVIDENCE_BYTES:
            raise InvalidInput(N_("{name} is larger than {size} MiB."), name=path.name,
                               size=MAX_EVIDENCE_BYTES // (1024 * 1024))
        return path.read_bytes()
    except OSError as e:
        raise InvalidInput(N_("{name} could not be read: {reason}"), name=path.name, reason=os_reason(e)) from None


def add_evidence_file(vault: Vault, path: Path, *, note: str = "", account_id: int | None = None,
                      link: tuple[str, int] | None = None) -> Evidence:
    data = read_evidence_file(path)
    return add_evidence_bytes(vault, data, path.name, note=note, account_id=account_id, link=link)


def get_evidence(vault: Vault, evidence_id: int) -> Evidence:
    rows = vault.query(f"SELECT {_COLS} FROM evidence WHERE id = ?", (evidence_id,))
    if not rows:
        raise NotFound(N_("Evidence {id} was not found."), id=evidence_id)
    return _row(rows[0])


def list_evidence(vault: Vault) -> list[Evidence]:
    return [_row(r) for r in vault.query(f"SELECT {_COLS} FROM evidence ORDER BY id")]


def evidence_bytes(vault: Vault, evidence_id: int) -> bytes:
    """The original bytes, re-hashed against the SHA-256 recorded at ingest."""
    item = get_evidence(vault, evidence_id)
    data = vault.scalar("SELECT data FROM evidence_blobs WHERE sha256 = ?", (item.sha256,))
    if data is None or hashlib.sha256(bytes(data)).hexdigest() != item.sha256:
        raise EvidenceTampered(id=evidence_id)
    return bytes(data)


def export_evidence(vault: Vault, evidence_id: int, out: Path) -> Evidence:
    data = evidence_bytes(vault, evidence_id)
    try:
        write_atomic(out, data, mode=0o600)
    except OSError as e:
        raise InvalidInput(N_("{name} could not be written: {reason}"), name=out.name, reason=os_reason(e)) from None
    return get_evidence(vault, evidence_id)


def evidence_json(e: Evidence) -> dict[str, Any]:
    return {"id": e.id, "sha256": e.sha256, "media_type": e.media_type, "size": e.size, "filename": e.filename,
            "note": e.note, "source": e.source, "account_id": e.account_id, "added_at": e.added_at.isoformat()}
