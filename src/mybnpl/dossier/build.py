"""A dossier from its data: sort the evidence into appendices, sign the manifest, render, merge, attach."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO

from mybnpl import pdfdoc
from mybnpl.dossier import assemble, images, isolated, signing
from mybnpl.dossier.body import Appendix, build_blocks
from mybnpl.dossier.labels import label
from mybnpl.dossier.manifest import (
    CONTENT_NAME,
    MANIFEST_NAME,
    PUBLIC_KEY_NAME,
    SIGNATURE_NAME,
    Item,
    Manifest,
    attachment_name,
    canonical,
)
from mybnpl.dossier.model import DossierData, EvidenceInfo

MAX_TEXT_BYTES = 64 * 1024  # text evidence up to this size is also printed in appendix C
WORKERS = 2
_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/tiff")

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Result:
    pages: int
    evidence_count: int
    sha256: str
    size: int
    fingerprint: str
    manifest_sha256: str
    problems: tuple[tuple[int, str], ...]  # (evidence id, problem code) of items not shown or not merged


def _plain(v: Any) -> Any:
    if isinstance(v, date | datetime):
        return v.isoformat()
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items() if not callable(x)}
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    return v


def content_json(data: DossierData) -> bytes:
    """The structured data the pages print, as canonical JSON (the dossier's own content hash covers it)."""
    return canonical(_plain(_asdict(data)))


def _asdict(v: Any) -> Any:
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return {f.name: _asdict(getattr(v, f.name)) for f in dataclasses.fields(v) if f.name != "load"}
    if isinstance(v, dict):
        return {k: _asdict(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_asdict(x) for x in v]
    return v


def _classify(e: EvidenceInfo, blob: bytes) -> Appendix:
    name = attachment_name(e.id, e.filename)
    if e.media_type in _IMAGE_TYPES:
        try:
            return Appendix(e, name, "image", image=images.prepare_image(blob))
        except images.ImageError as err:
            return Appendix(e, name, "image", problem="too_large" if "too large" in str(err) else "image")
    text = None
    if e.media_type.startswith("text/") and len(blob) <= MAX_TEXT_BYTES:
        try:
            text = blob.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = blob.decode("gb18030")
            except UnicodeDecodeError:
                text = None
    return Appendix(e, name, "other", text=text)


def _classified(e: EvidenceInfo, blob: bytes) -> list[Appendix]:
    return [_classify(e, blob)]


def _probed(batch: list[tuple[EvidenceInfo, bytes]], cancelled: Callable[[], bool]) -> list[Appendix]:
    """PDF evidence, probed in the PDF worker (one child for the whole batch)."""
    out = []
    for (e, _blob), (pages, problem) in zip(batch, isolated.probe_pdfs([b for _, b in batch], cancelled),
                                            strict=True):
        out.append(Appendix(e, attachment_name(e.id, e.filename), "pdf", pages=min(pages, assemble.MAX_MERGED_PAGES),
                            total_pages=pages, problem=problem))
    return out


def _load(e: EvidenceInfo) -> bytes:
    blob = e.load()
    if hashlib.sha256(blob).hexdigest() != e.sha256:
        raise ValueError(f"evidence {e.id} does not match its SHA-256")  # the store re-hashes first
    return blob


def export(data: DossierData, private_pem: str, out: BinaryIO, *, created: str,
           progress: Progress = lambda _d, _t, _l: None, check: Callable[[], None] = lambda: None,
           invariant: bool = False) -> Result:
    """Write the dossier PDF to ``out`` (a file opened by the caller, e.g. an atomic writer). ``check`` is
    called between steps and may raise to cancel; ``progress(done, total, step)`` reports steps."""
    key = signing.load_private(private_pem)
    raw_pub = signing.public_raw(key)
    n = len(data.evidence)
    total = n * 2 + 4
    # decoding images and zlib release the GIL: two workers use both cores of a small machine; at most a few
    # originals are in flight at once, so memory does not grow with the number of items. PDFs are probed by the
    # PDF worker in batches (one child process per batch, not per file), meanwhile.
    found: list[Appendix | None] = [None] * n
    pending: deque[tuple[list[int], Future[list[Appendix]]]] = deque()
    pdfs: list[tuple[int, EvidenceInfo, bytes]] = []

    stop = threading.Event()  # set when the export is cancelled: a PDF worker still running is stopped at once

    def probe_pdfs() -> None:
        batch = [(e, blob) for _, e, blob in pdfs]
        pending.append(([i for i, *_ in pdfs], pool.submit(_probed, batch, stop.is_set)))
        pdfs.clear()

    def collect(limit: int) -> None:
        while len(pending) > limit:
            where, future = pending[0]
            while True:
                try:
                    result = future.result(timeout=0.1)
                    break
                except FutureTimeout:
                    check()  # a cancel while a slow PDF is taken apart
            pending.popleft()
            for i, a in zip(where, result, strict=True):
                found[i] = a

    with contextlib.ExitStack() as stack:
        pool = stack.enter_context(ThreadPoolExecutor(max_workers=WORKERS))
        stack.callback(stop.set)  # runs first on the way out: on a cancel the pool then waits for nothing slow
        for i, e in enumerate(data.evidence):
            check()
            progress(i, total, "read")
            collect(2 * WORKERS - 1)
            blob = _load(e)
            if e.media_type != "application/pdf":
                pending.append(([i], pool.submit(_classified, e, blob)))
                continue
            pdfs.append((i, e, blob))
            if sum(len(b) for *_, b in pdfs) >= isolated.PROBE_BATCH_BYTES:
                probe_pdfs()
        if pdfs:
            probe_pdfs()
        collect(0)
    appendices = [a for a in found if a is not None]
    content = content_json(data)
    manifest = Manifest(
        created=created, lang=data.lang, title=data.title, case_reference=data.case_reference,
        public_key=signing.public_b64(raw_pub), fingerprint=signing.fingerprint(raw_pub),
        content_sha256=hashlib.sha256(content).hexdigest(), content_size=len(content),
        items=tuple(Item(a.evidence.id, a.attachment, a.evidence.sha256, a.evidence.size, a.evidence.filename,
                         a.evidence.description, a.evidence.source, a.evidence.added_at.isoformat(),
                         a.evidence.media_type) for a in appendices))
    manifest_bytes = manifest.to_bytes()
    manifest_sha = hashlib.sha256(manifest_bytes).hexdigest()
    signature = signing.sign(key, manifest_bytes)
    pem = signing.public_pem(raw_pub)
    check()
    progress(n, total, "render")
    blocks = build_blocks(data, appendices, manifest_sha, pem, signing.fingerprint(raw_pub))
    body = pdfdoc.render_pdf(blocks, title=data.title, lang=data.lang, subject=label("title", data.lang),
                             invariant=invariant)
    del blocks
    for a in appendices:
        a.image = None  # the pixels are in the body now
    done = [n + 1]

    def step(name: str) -> None:
        check()
        done[0] += 1
        progress(min(done[0], total - 1), total, name)

    def attachments() -> Iterator[assemble.Attachment]:
        # the originals are read again, one at a time, so they are not all held in memory during rendering
        for a in appendices:
            yield assemble.Attachment(a.attachment, _load(a.evidence), a.evidence.description)
        yield assemble.Attachment(CONTENT_NAME, content, "dossier content (JSON)")
        yield assemble.Attachment(MANIFEST_NAME, manifest_bytes, "manifest: SHA-256 of every item")
        yield assemble.Attachment(SIGNATURE_NAME, signature, "Ed25519 signature of manifest.json")
        yield assemble.Attachment(PUBLIC_KEY_NAME, pem.encode("ascii"), "Ed25519 public key")

    # only PDFs the worker took apart without trouble (no problem) are placed, here (see assemble.finish)
    pages, sha, size = assemble.finish(body, appendices, lambda a: _load(a.evidence), attachments, out, step)
    progress(total, total, "done")
    problems = tuple((a.evidence.id, a.problem) for a in appendices if a.problem)
    return Result(pages, n, sha, size, manifest.fingerprint, manifest_sha, problems)
