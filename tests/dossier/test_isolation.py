"""PDF evidence meets PDFium first in the PDF worker (a limited child process), which takes it apart completely;
a dossier someone hands the user is read only there. A PDF that crashes the worker, exhausts its memory or time,
or a child that answers nonsense, becomes a documented problem ("damaged" on export, "not_pdf" on verify), and the
app process never hands such bytes to PDFium."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest

from mybnpl import isolation
from mybnpl.core.errors import UserError
from mybnpl.dossier import isolated
from mybnpl.dossier.manifest import attachment_name
from mybnpl.services import dossier as dossier_svc
from mybnpl.services import evidence as evidence_svc
from mybnpl.services.catalog import load_catalog

from .conftest import TODAY, Case
from .helpers import statement_pdf

MARK = b"HOSTILE-PDF-MARK"

# The real worker, with a "PDFium" that misbehaves on any input holding MARK, in the way given by argv[1].
_WRAPPER = f"""
import os, sys, time
from mybnpl.dossier import assemble, worker
how, ops = sys.argv[1], sys.argv[2].split(",")
def hostile(name):
    real = getattr(assemble, name)
    def run(*args):
        if any(isinstance(a, bytes) and {MARK!r} in a for a in args):
            if how == "crash":
                os.abort()
            if how == "sleep":
                time.sleep(60)
            if how == "memory":
                hog = [bytearray(1 << 20) for _ in range(100_000)]
        return real(*args)
    setattr(assemble, name, run)
for op in ops:
    hostile(op)
worker.main()
"""


def _hostile_worker(monkeypatch: pytest.MonkeyPatch, how: str, ops: str) -> None:
    monkeypatch.setattr(isolated, "worker_command", lambda: [sys.executable, "-I", "-c", _WRAPPER, how, ops])


def _hostile_pdf() -> bytes:
    return statement_pdf(2, label="hostile") + b"%" + MARK + b"\n"  # still a valid PDF after its %%EOF


def _export(case: Case, tmp_path: Path, name: str = "d.pdf") -> tuple[dossier_svc.ExportResult, Path]:
    out = tmp_path / name
    res = dossier_svc.export_dossier(case.vault, load_catalog(), out, case_id=case.case_id, lang="en", today=TODAY)
    return res, out


@pytest.fixture(scope="module")
def hostile(case: Case) -> int:
    e = evidence_svc.add_evidence_bytes(case.vault, _hostile_pdf(), "hostile.pdf", account_id=case.account_id,
                                        link=("case", case.case_id))
    return e.id


@pytest.mark.parametrize("how, ops", [("crash", "preflight"), ("memory", "preflight"), ("crash", "merge_boxes"),
                                      ("memory", "merge_boxes")])
def test_a_pdf_that_kills_the_worker_is_listed_as_damaged(case: Case, hostile: int, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch, how: str,
                                                          ops: str) -> None:
    _hostile_worker(monkeypatch, how, ops)
    monkeypatch.setattr(isolated, "limits", lambda size: isolation.ProcessLimits(
        memory_bytes=512 * 2**20 + 4 * size, cpu_seconds=60, wall_seconds=60))
    res, out = _export(case, tmp_path)
    problems = dict(res.problems)
    assert problems[hostile] == "damaged"
    assert problems[case.evidence["broken.pdf"]] == "damaged" and problems[case.evidence["locked.pdf"]] == "encrypted"
    assert case.evidence["statement.pdf"] not in problems  # the other PDFs are still placed
    monkeypatch.undo()
    report = dossier_svc.verify_file(out)
    assert report.ok and report.pages == res.pages
    # the original is attached all the same, byte for byte
    files, _pages = isolated.read_attachments(out.read_bytes())
    name = attachment_name(hostile, "hostile.pdf")
    assert dict(files)[name] == _hostile_pdf()


def test_a_pdf_that_hangs_the_worker_is_stopped_and_listed_as_damaged(case: Case, hostile: int, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _hostile_worker(monkeypatch, "sleep", "preflight")
    monkeypatch.setattr(isolated, "limits", lambda size: isolation.ProcessLimits(wall_seconds=4.0))
    res, _out = _export(case, tmp_path)
    assert dict(res.problems)[hostile] == "damaged"


def test_a_worker_that_hangs_while_placing_pages_costs_only_that_pdf(case: Case, hostile: int, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _hostile_worker(monkeypatch, "sleep", "merge_boxes")
    monkeypatch.setattr(isolated, "limits", lambda size: isolation.ProcessLimits(wall_seconds=6.0))
    res, out = _export(case, tmp_path)
    problems = dict(res.problems)
    assert problems[hostile] == "damaged" and case.evidence["statement.pdf"] not in problems
    monkeypatch.undo()
    assert dossier_svc.verify_file(out).ok


def test_the_app_opens_only_what_the_worker_took_apart(case: Case, hostile: int, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A PDF that kills the worker while its pages are placed never reaches the app's PDFium; verifying a dossier
    does not use the app's PDFium at all."""
    _hostile_worker(monkeypatch, "crash", "merge_boxes")
    real = pdfium.PdfDocument
    opened: list[bytes] = []

    def guarded(data: Any, *a: Any, **k: Any) -> Any:
        if isinstance(data, bytes):
            assert MARK not in data, "the hostile PDF was opened in the app process"
            opened.append(data)
        return real(data, *a, **k)

    monkeypatch.setattr(pdfium, "PdfDocument", guarded)
    res, out = _export(case, tmp_path)
    assert dict(res.problems)[hostile] == "damaged"
    assert statement_pdf(3) in opened  # the good PDF was placed, in the app, after the worker took it apart

    def forbidden(*_a: Any, **_k: Any) -> None:
        raise AssertionError("PDFium used in the app process")

    monkeypatch.setattr(pdfium, "PdfDocument", forbidden)
    monkeypatch.setattr(pdfium.raw, "FPDF_LoadMemDocument64", forbidden)
    monkeypatch.setattr(pdfium.raw, "FPDF_LoadCustomDocument", forbidden)
    monkeypatch.setattr(isolated, "worker_command", lambda: [sys.executable, "-I", "-m", "mybnpl.dossier.worker"])
    report = dossier_svc.verify_file(out)
    assert report.ok and report.pages == res.pages
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7\nnot really")
    assert [p.code for p in dossier_svc.verify_file(bad).problems] == ["not_pdf"]
    monkeypatch.undo()
    assert len(pdfium.PdfDocument(out.read_bytes())) == res.pages  # the file itself is a real PDF


@pytest.mark.parametrize("script", [
    "import os; os.abort()",  # the child crashes
    "import time; time.sleep(60)",  # … hangs (time-out)
    "import sys; sys.stdin.buffer.read(); sys.stdout.write('{\"pages\": 1, \"names\": [\"a\"], "
    "\"sizes\": [1099511627776]}\\n')",  # … claims a 1 TiB attachment
    "import sys; sys.stdin.buffer.read(); sys.stdout.write('{\"pages\": 1, \"names\": [\"a\"], \"sizes\": [9]}\\nab')",
    "import sys; sys.stdin.buffer.read(); sys.stdout.write('{\"pages\": -1, \"names\": [], \"sizes\": []}\\n')",
    "import sys; sys.stdin.buffer.read(); sys.stdout.write('[1, 2]\\n')",
    "import sys; sys.stdin.buffer.read(); sys.stdout.write('{\"names\": ' + '[' * 100000 + ']' * 100000 + '}\\n')",
])
def test_verify_reports_not_pdf_when_the_worker_fails(case: Case, monkeypatch: pytest.MonkeyPatch,
                                                      script: str) -> None:
    monkeypatch.setattr(isolated, "worker_command", lambda: [sys.executable, "-I", "-c", script])
    monkeypatch.setattr(isolated, "limits", lambda size: isolation.ProcessLimits(wall_seconds=3.0))
    report = dossier_svc.verify_file(case.pdf)
    assert [p.code for p in report.problems] == ["not_pdf"]


def test_probe_answers_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    good = statement_pdf(2)
    assert isolated.probe_pdfs([good, b"%PDF-1.7 no", b""]) == [(2, ""), (0, "damaged"), (0, "damaged")]
    for answer in ('{"probe": [[3, "fine"]]}', '{"probe": [[-3, ""]]}', '{"probe": []}', '{"probe": [[1e9, ""]]}'):
        script = f"import sys; sys.stdin.buffer.read(); sys.stdout.write({answer!r} + '\\n')"
        monkeypatch.setattr(isolated, "worker_command", lambda s=script: [sys.executable, "-I", "-c", s])
        assert isolated.probe_pdfs([good]) == [(0, "damaged")], answer


def test_the_preview_is_drawn_by_the_worker(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    """The preview's pages hold placed PDF evidence: they are drawn in the worker, never with the app's PDFium; a
    worker that fails gives a clear error, not a crash."""
    def forbidden(*_a: Any, **_k: Any) -> None:
        raise AssertionError("a dossier page drawn in the app process")

    monkeypatch.setattr(pdfium.PdfPage, "render", forbidden)
    shown = dossier_svc.preview(case.vault, load_catalog(), case_id=case.case_id, lang="zh", today=TODAY,
                                max_pages=3, width=120)
    assert shown.pages > 3 and len(shown.images) == 3
    assert all(w == 120 and h > 120 and len(rgb) == w * h * 3 for w, h, rgb in shown.images)
    monkeypatch.setattr(isolated, "worker_command", lambda: [sys.executable, "-I", "-c", "import os; os.abort()"])
    with pytest.raises(UserError) as err:
        dossier_svc.preview(case.vault, load_catalog(), case_id=case.case_id, max_pages=2, width=120)
    assert "preview could not be drawn" in str(err.value)
    with pytest.raises(ValueError):
        isolated.render_pages(b"%PDF-", 1, 10_000)  # an absurd width is refused before any child starts


def test_a_cancel_stops_a_slow_pdf_worker_at_once(case: Case, hostile: int, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A PDF that keeps the worker busy does not keep a cancelled export waiting for the worker's time limit."""
    import time

    _hostile_worker(monkeypatch, "sleep", "preflight")  # the hostile PDF would take 60 s
    started = time.monotonic()

    class Stop(Exception):
        pass

    def check() -> None:
        if time.monotonic() - started > 2.0:  # the user clicks Cancel after two seconds
            raise Stop

    with pytest.raises(Stop):
        dossier_svc.export_dossier(case.vault, load_catalog(), tmp_path / "c.pdf", case_id=case.case_id,
                                   today=TODAY, check=check)
    assert time.monotonic() - started < 15 and list(tmp_path.iterdir()) == []
