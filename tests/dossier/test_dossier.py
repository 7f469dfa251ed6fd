"""The exported dossier checked in Python (pypdfium2): always runs, no external tools."""

from __future__ import annotations

import hashlib
import io
import json
import sys
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest

from mybnpl import pdfdoc
from mybnpl.dossier import assemble, images, isolated, verify
from mybnpl.dossier.manifest import MANIFEST_NAME, attachment_name
from mybnpl.services import dossier as dossier_svc
from mybnpl.services import evidence as evidence_svc
from mybnpl.services.catalog import load_catalog

from .conftest import TODAY, Case
from .helpers import screenshot_png


def _text(path: Path) -> str:
    doc = pdfium.PdfDocument(path)
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def _fonts(path: Path) -> list[tuple[str, bool]]:
    doc = pdfium.PdfDocument(path)
    out = []
    try:
        for i in range(len(doc)):
            for obj in doc[i].get_objects(max_depth=8):
                if obj.type == pdfium.raw.FPDF_PAGEOBJ_TEXT:
                    font = obj.get_font()
                    out.append((font.get_base_name(), bool(font.is_embedded)))
    finally:
        doc.close()
    return out


def _rewrite(path: Path, out: Path, change: dict[str, bytes | None]) -> None:
    """Copy the dossier with attachments replaced (bytes) or removed (None), as an attacker would."""
    doc = pdfium.PdfDocument(path)
    names = [doc.get_attachment(i).get_name() for i in range(doc.count_attachments())]
    for name, data in change.items():
        i = names.index(name)
        if data is None:
            doc.del_attachment(i)
            names.pop(i)
        else:
            doc.get_attachment(i).set_data(data)
    doc.save(out)
    doc.close()


def _attachments(path: Path) -> dict[str, bytes]:
    files, _pages = assemble.read_attachments(path.read_bytes())
    return dict(files)


def test_export_result_matches_the_file(case: Case) -> None:
    data = case.pdf.read_bytes()
    assert case.result.sha256 == hashlib.sha256(data).hexdigest() and case.result.size == len(data)
    assert case.result.evidence_count == len(case.evidence) + 1  # + the demo SMS of the account
    assert len(pdfium.PdfDocument(data)) == case.result.pages
    assert (case.pdf.stat().st_mode & 0o777) == 0o600
    assert not list(case.pdf.parent.glob("*.part"))
    problems = dict(case.result.problems)
    assert problems == {case.evidence["locked.pdf"]: "encrypted", case.evidence["broken.pdf"]: "damaged"}


def test_every_font_is_embedded_and_text_is_searchable(case: Case) -> None:
    fonts = _fonts(case.pdf)
    assert fonts and all(embedded for _name, embedded in fonts), {n for n, e in fonts if not e}
    text = _text(case.pdf)
    for needle in ("美团月付", "重庆美团三快小额贷款有限公司", "投诉案卷", "EA123456789CN"):
        assert needle in text
    for item in evidence_svc.list_evidence(case.vault):
        if item.id in case.evidence.values():
            assert item.sha256 in text.replace("\r", "").replace("\n", ""), item.filename


def test_attachments_are_the_originals_and_the_manifest(case: Case) -> None:
    files = _attachments(case.pdf)
    assert {MANIFEST_NAME, "manifest.json.sig", "signing-key.pem", "dossier-content.json"} <= set(files)
    for name, eid in case.evidence.items():
        assert files[attachment_name(eid, name)] == evidence_svc.evidence_bytes(case.vault, eid)
    manifest = json.loads(files[MANIFEST_NAME])
    assert manifest["format"] == "mybnpl-dossier" and len(manifest["items"]) == case.result.evidence_count
    content = json.loads(files["dossier-content.json"])
    assert content["lang"] == "zh" and content["respondent"]["name"] == "重庆美团三快小额贷款有限公司"
    assert hashlib.sha256(files["dossier-content.json"]).hexdigest() == manifest["content"]["sha256"]


def test_bookmarks_per_section_and_page_numbers(case: Case) -> None:
    doc = pdfium.PdfDocument(case.pdf)
    titles = [item.get_title() for item in doc.get_toc()]
    for section in ("一、概要与请求", "二、事件时间线", "三、账户、分期计划与还款", "四、发现的问题及说明",
                    "五、已发信函及回复", "六、证据目录", "七、核验", "附录 A：图片证据", "附录 B：PDF 证据"):
        assert section in titles
    last = doc[len(doc) - 1].get_textpage().get_text_range()
    assert f"{len(doc)} / {len(doc)}" in last
    doc.close()


def test_images_are_embedded_losslessly(case: Case) -> None:
    """The PNG's own compressed pixel data and the JPEG's bytes are in the PDF unchanged."""
    png = evidence_svc.evidence_bytes(case.vault, case.evidence["screenshot.png"])
    jpeg = evidence_svc.evidence_bytes(case.vault, case.evidence["photo.jpg"])
    prepared = images.prepare_image(png)
    assert prepared.passthrough and prepared.filter == "FlateDecode"
    raws = []
    doc = pdfium.PdfDocument(case.pdf)
    for i in range(len(doc)):
        for obj in doc[i].get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE], max_depth=8):
            raws.append(bytes(obj.get_data(decode_simple=False)))
    doc.close()
    assert prepared.stream in raws and jpeg in raws
    rgba = images.prepare_image(evidence_svc.evidence_bytes(case.vault, case.evidence["alpha-screenshot.png"]))
    assert not rgba.passthrough and rgba.smask is not None and rgba.filter == "FlateDecode"


def test_pdf_evidence_pages_are_merged_with_selectable_text(case: Case) -> None:
    text = _text(case.pdf)
    for n in (1, 2, 3):
        assert f"美团月付 账单 statement — page {n}" in text
    assert "无法并入" in text  # the encrypted and the broken PDF are listed as not merged


def test_verify_passes_on_the_export(case: Case) -> None:
    report = dossier_svc.verify_file(case.pdf)
    assert report.ok, [p.english() for p in report.problems]
    assert report.checked == report.items == case.result.evidence_count
    assert report.fingerprint == case.result.fingerprint == dossier_svc.signing_fingerprint(case.vault)


def test_verify_fails_after_one_changed_byte(case: Case, tmp_path: Path) -> None:
    name = attachment_name(case.evidence["screenshot.png"], "screenshot.png")
    original = _attachments(case.pdf)[name]
    changed = bytearray(original)
    changed[len(changed) // 2] ^= 0x01
    out = tmp_path / "altered.pdf"
    _rewrite(case.pdf, out, {name: bytes(changed)})
    report = dossier_svc.verify_file(out)
    assert not report.ok
    assert [(p.code, p.params.get("name")) for p in report.problems] == [("altered", name)]
    assert name in report.problems[0].english()


def test_verify_fails_when_a_byte_of_the_file_changes_inside_an_attachment(case: Case, tmp_path: Path) -> None:
    """A raw flip in the embedded (compressed) stream is caught as well (undecodable or different bytes)."""
    data = bytearray(case.pdf.read_bytes())
    at = data.index(b"/Params<</CheckSum") if b"/Params<</CheckSum" in data else -1
    assert at > 0
    start = data.index(b"stream", at) + 8
    data[start + 20] ^= 0xFF
    out = tmp_path / "flipped.pdf"
    out.write_bytes(bytes(data))
    report = dossier_svc.verify_file(out)
    assert not report.ok and report.problems[0].code in ("altered", "content_altered", "bad_signature",
                                                         "bad_manifest", "not_pdf", "no_manifest")


@pytest.mark.parametrize("what", ["missing", "manifest", "signature", "unlisted", "content"])
def test_verify_names_each_problem(case: Case, tmp_path: Path, what: str) -> None:
    files = _attachments(case.pdf)
    name = attachment_name(case.evidence["chat.txt"], "chat.txt")
    out = tmp_path / f"{what}.pdf"
    if what == "missing":
        _rewrite(case.pdf, out, {name: None})
        expected: Any = [("missing", name)]
    elif what == "manifest":
        manifest = json.loads(files[MANIFEST_NAME])
        manifest["items"][0]["sha256"] = "0" * 64
        _rewrite(case.pdf, out, {MANIFEST_NAME: json.dumps(manifest).encode()})
        expected = "bad_signature"
    elif what == "signature":
        _rewrite(case.pdf, out, {"manifest.json.sig": bytes(64)})
        expected = [("bad_signature", None)]
    elif what == "content":
        _rewrite(case.pdf, out, {"dossier-content.json": b"{}"})
        expected = [("content_altered", "dossier-content.json")]
    else:
        doc = pdfium.PdfDocument(case.pdf)
        doc.new_attachment("extra.exe").set_data(b"MZ")
        doc.save(out)
        doc.close()
        expected = [("unlisted", "extra.exe")]
    report = dossier_svc.verify_file(out)
    assert not report.ok
    if isinstance(expected, str):
        assert expected in [p.code for p in report.problems]
    else:
        assert [(p.code, p.params.get("name")) for p in report.problems] == expected


def test_verify_hostile_inputs_never_raise(case: Case, tmp_path: Path) -> None:
    text = tmp_path / "notes.pdf"
    text.write_text("not a pdf")
    assert [p.code for p in dossier_svc.verify_file(text).problems] == ["not_pdf"]
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(pdfdoc.render_pdf([pdfdoc.Paragraph("hello")], title="x", lang="en"))
    assert [p.code for p in dossier_svc.verify_file(plain).problems] == ["no_manifest"]
    bad = tmp_path / "bad.pdf"
    _rewrite(case.pdf, bad, {MANIFEST_NAME: b"\xff{not json"})
    assert [p.code for p in dossier_svc.verify_file(bad).problems] == ["bad_manifest"]
    assert verify.verify_bytes(b"").problems[0].code == "not_pdf"
    report = dossier_svc.verify_file(case.pdf, expected_fingerprint="0000 1111")
    assert [p.code for p in report.problems] == ["wrong_key"]
    with pytest.raises(dossier_svc.DossierUnreadable):
        dossier_svc.verify_file(tmp_path / "nope.pdf")


def test_signing_key_is_created_once_and_kept_in_the_vault(case: Case, tmp_path: Path,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    pem = dossier_svc.signing_key(case.vault)
    assert pem.startswith("-----BEGIN PRIVATE KEY-----") and dossier_svc.signing_key(case.vault) == pem
    out = tmp_path / "again.pdf"
    res = dossier_svc.export_dossier(case.vault, load_catalog(), out, account_id=case.account_id, lang="en",
                                     today=TODAY)
    assert res.fingerprint == case.result.fingerprint
    assert "PRIVATE KEY" not in caplog.text and pem not in out.read_bytes().decode("latin-1")
    events = case.vault.query("SELECT kind, summary FROM events WHERE kind LIKE 'dossier%'")
    assert ("dossier_key_created" in {k for k, _ in events}) and all("PRIVATE" not in s for _, s in events)


def test_english_dossier_and_account_scope(case: Case, tmp_path: Path) -> None:
    out = tmp_path / "en.pdf"
    res = dossier_svc.export_dossier(case.vault, load_catalog(), out, account_id=case.account_id, lang="en",
                                     jurisdiction="CN", today=TODAY, requests="Close the product and refund fees.")
    text = _text(out)
    assert "Complaint dossier" in text and "Close the product and refund fees." in text
    assert "Chongqing" in text or "重庆美团三快小额贷款有限公司" in text
    assert res.evidence_count >= len(case.evidence)
    assert dossier_svc.verify_file(out).ok


def test_a_failed_export_leaves_no_file(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "fail.pdf"

    def boom(*_a: Any, **_k: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(assemble, "attach", boom)
    with pytest.raises(RuntimeError):
        dossier_svc.export_dossier(case.vault, load_catalog(), out, case_id=case.case_id, today=TODAY)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()

    # the PDF worker dies on everything: every PDF item is listed as damaged, the dossier is still made
    monkeypatch.setattr(isolated, "worker_command", lambda: [sys.executable, "-I", "-c", "import os; os.abort()"])
    res = dossier_svc.export_dossier(case.vault, load_catalog(), out, case_id=case.case_id, today=TODAY)
    assert dict(res.problems)[case.evidence["statement.pdf"]] == "damaged"
    out.unlink()
    monkeypatch.undo()

    class Stop(Exception):
        pass

    def cancel() -> None:
        raise Stop

    with pytest.raises(Stop):
        dossier_svc.export_dossier(case.vault, load_catalog(), out, case_id=case.case_id, today=TODAY, check=cancel)
    assert list(tmp_path.iterdir()) == []


def test_huge_and_odd_images_are_scaled_for_display_only() -> None:
    wide = screenshot_png(6000, 400, seed=3, mode="RGBA", noise=0)
    img = images.prepare_image(wide)
    assert img.scaled_from == (6000, 400) and max(img.width, img.height) == images.MAX_DECODE_SIDE
    with pytest.raises(images.ImageError):
        images.prepare_image(b"\x89PNG\r\n\x1a\n" + b"\x00" * 30)
    with pytest.raises(images.ImageError):
        images.prepare_image(b"GIF89a garbage")
    from PIL import Image

    buf = io.BytesIO()
    Image.new("P", (40, 30), 3).save(buf, "GIF")
    gif = images.prepare_image(buf.getvalue())
    assert (gif.width, gif.height, gif.color_space) == (40, 30, "DeviceRGB")


def test_choose_a_case_or_an_account(case: Case, tmp_path: Path) -> None:
    from mybnpl.core.errors import InvalidInput, NotFound

    with pytest.raises(InvalidInput):
        dossier_svc.gather(case.vault, load_catalog())
    with pytest.raises(NotFound):
        dossier_svc.gather(case.vault, load_catalog(), case_id=999)
    data = dossier_svc.gather(case.vault, load_catalog(), case_id=case.case_id, lang="zh", today=TODAY)
    [letter] = data.letters
    assert letter.deadline_state == "missed" and letter.sent_ref == "EA123456789CN"
    assert data.regulator.name != "—" and data.jurisdiction == "CN"


def test_rotated_pdf_pages_fit_their_box() -> None:
    """A page with /Rotate is shown as a viewer shows it, scaled into the reserved box."""
    from mybnpl.dossier.body import Appendix

    from .helpers import statement_pdf

    src = pdfium.PdfDocument(statement_pdf(4, label="rotated"))
    for i, r in enumerate((0, 90, 180, 270)):
        src[i].set_rotation(r)
    buf = io.BytesIO()
    src.save(buf)
    slots = [pdfdoc.Slot(f"k{i}", f"rotation {i}") for i in range(4)]
    doc = pdfium.PdfDocument(pdfdoc.render_pdf(slots, title="rotation", lang="en"))
    appendix = Appendix.__new__(Appendix)
    appendix.slots = slots
    assert assemble.merge_pages(doc, appendix, buf.getvalue())
    for i, slot in enumerate(slots):
        index, x0, y0, x1, y1 = slot.boxes[slot.key]
        forms = list(doc[index].get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_FORM], max_depth=1))
        assert len(forms) == 1
        left, bottom, right, top = forms[0].get_bounds()
        assert x0 - 1 <= left and right <= x1 + 1 and y0 - 1 <= bottom and top <= y1 + 1
        portrait = (top - bottom) > (right - left)
        assert portrait == (i % 2 == 0), i


def test_an_empty_original_round_trips_and_verifies() -> None:
    """A 0-byte evidence file (an empty export, a blank SMS dump) is attached as 0 bytes and read back as 0
    bytes, although PDFium returns such a stream still compressed."""
    doc = pdfium.PdfDocument.new()
    doc.new_page(100, 100)
    assemble.attach(doc, [assemble.Attachment("empty.txt", b"", ""), assemble.Attachment("x.txt", b"x", "")])
    buf = io.BytesIO()
    doc.save(buf)
    doc.close()
    items, pages = assemble.read_attachments(buf.getvalue())
    assert dict(items) == {"empty.txt": b"", "x.txt": b"x"} and pages == 1
