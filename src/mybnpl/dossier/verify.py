"""Check a dossier PDF: every attached original against the signed manifest.

Hostile input is expected (any file a user is handed): nothing here raises on bad content; every problem is a
:class:`Problem` (a code, an English msgid for the UI/CLI to translate, and the item it names). The file is read
with PDFium only in the PDF worker process (:mod:`.isolated`); a crash or time-out there is "not_pdf".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from mybnpl.dossier import signing
from mybnpl.dossier.isolated import WorkerFailed, read_attachments
from mybnpl.dossier.manifest import (
    CONTENT_NAME,
    MANIFEST_NAME,
    PUBLIC_KEY_NAME,
    SIGNATURE_NAME,
    ManifestError,
    parse,
)
from mybnpl.i18n import N_

MESSAGES = {
    "not_pdf": N_("{name} is not a PDF, or it is damaged."),
    "no_manifest": N_("{name} has no manifest.json: it is not a mybnpl dossier, or its attachments were removed."),
    "bad_manifest": N_("The manifest (manifest.json) is damaged or was changed: {detail}."),
    "no_signature": N_("The signature of the manifest (manifest.json.sig) is missing."),
    "bad_signature": N_("The signature does not match: manifest.json was changed after it was signed, or signed "
                        "with another key."),
    "key_mismatch": N_("The attached signing-key.pem is not the key named in the manifest."),
    "missing": N_("Missing: {name} (evidence #{id})."),
    "altered": N_("Altered: {name} (evidence #{id}) does not match its SHA-256 in the manifest."),
    "content_missing": N_("Missing: {name}, the dossier's content record."),
    "content_altered": N_("Altered: {name}, the dossier's content record, does not match its SHA-256."),
    "unlisted": N_("Not in the manifest: {name}."),
    "duplicate": N_("Attached more than once: {name}."),
    "wrong_key": N_("Signed with key {found}, not with the expected key {expected}."),
}


@dataclass(frozen=True)
class Problem:
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return MESSAGES[self.code]

    def english(self) -> str:
        return self.message.format(**self.params)

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, **self.params}


@dataclass(frozen=True)
class Report:
    problems: tuple[Problem, ...]
    checked: int = 0  # items re-hashed and found intact
    items: int = 0
    fingerprint: str = ""
    title: str = ""
    created: str = ""
    manifest_sha256: str = ""
    pages: int = 0
    file_sha256: str = ""  # of the whole file: the signature covers its attachments, not how its pages are drawn

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {"verified": self.ok, "items": self.items, "intact": self.checked, "fingerprint": self.fingerprint,
                "title": self.title, "created": self.created, "manifest_sha256": self.manifest_sha256,
                "pages": self.pages, "file_sha256": self.file_sha256,
                "problems": [p.to_json() for p in self.problems]}


def verify_bytes(data: bytes, name: str = "file", expected_fingerprint: str | None = None) -> Report:
    return replace(_verify(data, name, expected_fingerprint), file_sha256=hashlib.sha256(data).hexdigest())


def _verify(data: bytes, name: str, expected_fingerprint: str | None) -> Report:
    try:
        files, pages = read_attachments(data)
    except (WorkerFailed, OSError):
        return Report((Problem("not_pdf", {"name": name}),))
    problems: list[Problem] = []
    counts = Counter(n for n, _ in files)
    problems += [Problem("duplicate", {"name": n}) for n, c in sorted(counts.items()) if c > 1]
    attached = dict(files)
    if MANIFEST_NAME not in attached:
        return Report((Problem("no_manifest", {"name": name}),), pages=pages)
    raw = attached[MANIFEST_NAME]
    manifest_sha = hashlib.sha256(raw).hexdigest()
    try:
        m = parse(raw)
        public = base64.b64decode(m.public_key, validate=True)
        if len(public) != 32:
            raise ManifestError("the public key is not an Ed25519 key")
    except (ManifestError, binascii.Error) as e:
        return Report((*problems, Problem("bad_manifest", {"detail": str(e)})), pages=pages,
                      manifest_sha256=manifest_sha)
    fpr = signing.fingerprint(public)
    sig = attached.get(SIGNATURE_NAME)
    if sig is None:
        problems.append(Problem("no_signature"))
    elif not signing.check(public, raw, sig):
        problems.append(Problem("bad_signature"))
    if expected_fingerprint is not None and _norm(expected_fingerprint) != _norm(fpr):
        problems.append(Problem("wrong_key", {"found": fpr, "expected": expected_fingerprint}))
    pem = attached.get(PUBLIC_KEY_NAME)
    if pem is not None and pem.decode("ascii", "replace").strip() != signing.public_pem(public).strip():
        problems.append(Problem("key_mismatch"))
    content = attached.get(CONTENT_NAME)
    if content is None:
        problems.append(Problem("content_missing", {"name": CONTENT_NAME}))
    elif hashlib.sha256(content).hexdigest() != m.content_sha256:
        problems.append(Problem("content_altered", {"name": CONTENT_NAME}))
    intact = 0
    for item in m.items:
        blob = attached.get(item.name)
        if blob is None:
            problems.append(Problem("missing", {"name": item.name, "id": item.id}))
        elif hashlib.sha256(blob).hexdigest() != item.sha256 or len(blob) != item.size:
            problems.append(Problem("altered", {"name": item.name, "id": item.id}))
        else:
            intact += 1
    known = {i.name for i in m.items} | {MANIFEST_NAME, SIGNATURE_NAME, PUBLIC_KEY_NAME, CONTENT_NAME}
    problems += [Problem("unlisted", {"name": n}) for n in sorted(attached) if n not in known]
    return Report(tuple(problems), intact, len(m.items), fpr, m.title, m.created, manifest_sha, pages)


def _norm(fpr: str) -> str:
    return "".join(fpr.split()).lower()
