"""Letter export (PDF, DOCX, TXT) and the PDF writer, read back with real parsers (pdfplumber/pdfminer,
python-docx): Chinese text extractable exactly, only embedded fonts, evidence table, atomic writes."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import pdfplumber
import pytest
from docx.oxml.ns import qn
from pdfminer.pdftypes import resolve1

from mybnpl import atomic
from mybnpl.core import richtext
from mybnpl.core.errors import InvalidInput
from mybnpl.core.richtext import Line, Run
from mybnpl.letters.export import export_letter, letter_pdf, paragraphs
from mybnpl.pdfdoc import Heading, PageBreak, Paragraph, Table, missing_glyphs, render_pdf
from mybnpl.resources import resource_path

TITLE = "投诉信：花呗未经本人同意开通"
LETTER = (
    """\
重庆蚂蚁消费金融有限公司：

"""
    "　　本人张三（花呗账户 138****0000）于2024年3月1日发现，贵司在未经本人同意的情况下为本人开通了“花呗”，"
    "并产生分期账单共计人民币1,234.56元。本人从未申请或授权开通该服务，贵司亦未能提供本人授权开通的记录。"
    "上述行为违反了《中华人民共和国消费者权益保护法》第二十九条、《个人信息保护法》第十三条的规定。\n"
    """

请求事项：
1. 关闭花呗并停止一切自动扣款；
2. 退还已扣收的费用共计人民币56.78元；
3. 删除未经本人同意收集的个人信息。

请于收到本函之日起15日内书面答复。Please reply in writing within 15 days; reference: HB-2024-0301.

此致
敬礼

张三
2024年3月20日
"""
)
EVIDENCE = [
    (3, "花呗开通记录截图（支付宝“我的—花呗—开通记录”页面）", "a3f1" * 16),
    (7, "Alipay statement March 2024 (PDF)", "0123456789abcdef" * 4),
    (12, "与客服的聊天记录 chat with customer service", "ffee" * 16),
]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pdf_text(data: bytes) -> tuple[str, list[str]]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        pages = [p.extract_text() or "" for p in pdf.pages]
    return "\n".join(pages), pages


def _fonts(data: bytes) -> dict[str, dict[str, object]]:
    """Every font of every page: base name → its (resolved) font dictionary."""
    out: dict[str, dict[str, object]] = {}
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            fonts = resolve1(page.page_obj.resources.get("Font", {}))
            for ref in fonts.values():
                font = resolve1(ref)
                out[str(resolve1(font["BaseFont"]).name)] = font
    return out


# --- PDF ---------------------------------------------------------------------------------------------------

def test_pdf_chinese_text_extracts_exactly_and_evidence_table_is_there(tmp_path: Path) -> None:
    out = export_letter(LETTER, TITLE, EVIDENCE, tmp_path / "letter.pdf", "zh")
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    text, _pages = _pdf_text(data)
    flat = _squash(text)
    assert _squash(TITLE) in flat
    for para in paragraphs(LETTER):
        assert _squash(para) in flat, para
    assert "证据清单" in text
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        rows = [row for page in pdf.pages for table in page.extract_tables() for row in table]
    cells = [[_squash(c or "") for c in row] for row in rows]
    assert ["编号", "证据说明", "SHA-256校验值"] in cells
    for eid, desc, sha in EVIDENCE:
        assert [str(eid), _squash(desc), sha] in cells, (eid, cells)


def test_pdf_uses_only_embedded_shipped_fonts(tmp_path: Path) -> None:
    data = letter_pdf(LETTER, TITLE, EVIDENCE, "zh")
    fonts = _fonts(data)
    assert fonts
    for name, font in fonts.items():
        assert re.fullmatch(r"[A-Z]{6}\+mybnplCJK(Sans|Mono)-(Regular|Bold)", name), name
        descriptor = resolve1(font["FontDescriptor"])
        stream = resolve1(descriptor["FontFile2"])  # the TrueType program itself, subset
        assert len(stream.get_data()) > 1000
        assert "ToUnicode" in font  # what makes the text searchable and copyable
    names = {re.sub(r"^[A-Z]{6}\+", "", n) for n in fonts}
    assert {"mybnplCJKSans-Regular", "mybnplCJKMono-Regular"} <= names
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        used = {c["fontname"] for p in pdf.pages for c in p.chars}
        hash_fonts = {c["fontname"] for p in pdf.pages for c in p.chars if c["text"] == "f"}
    assert used <= set(fonts)
    assert any("Mono" in f for f in hash_fonts)  # the SHA-256 column is set in the monospaced face


def test_pdf_metadata_is_the_title_and_mybnpl_only() -> None:
    data = letter_pdf(LETTER, TITLE, EVIDENCE, "zh", invariant=True)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        meta = pdf.metadata
    assert meta["Title"] == TITLE
    assert meta["Creator"] == "mybnpl" and meta["Producer"] == "mybnpl"
    assert not meta.get("Author")
    assert b"/Lang (zh-CN)" in data


def test_pdf_invariant_output_is_byte_identical() -> None:
    a = letter_pdf(LETTER, TITLE, EVIDENCE, "zh", invariant=True)
    b = letter_pdf(LETTER, TITLE, EVIDENCE, "zh", invariant=True)
    assert a == b


def test_pdf_cjk_lines_wrap_inside_the_margins_and_never_start_with_closing_punctuation() -> None:
    long = "本人认为，贵司的行为违反了《中华人民共和国消费者权益保护法》的规定。" * 12
    data = render_pdf([Paragraph(long)], title="测试", lang="zh", title_heading=False)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        body = [c for c in page.chars if c["top"] < page.height - 60]  # not the page number
        assert max(c["x1"] for c in body) <= page.width - 20 * 72 / 25.4 + 12  # a hanging 。 at most
        lines = [ln for ln in (page.extract_text() or "").splitlines() if ln.strip() and "/" not in ln]
    assert len(lines) > 5
    for line in lines:
        assert line[0] not in "，。、；：！？》）”", line
    assert _squash("".join(lines)) == _squash(long)


def test_pdf_generic_blocks_headings_bookmarks_page_numbers() -> None:
    blocks = [Heading("一、事实"), Paragraph("第一段。\n　　第二行，缩进。"), Heading("细节", level=2),
              Paragraph("English paragraph that wraps at spaces like any other. " * 8),
              Table(("a", "b"), (("1", "甲"), ("2", "乙"))), PageBreak(), Heading("二、请求"),
              Paragraph("签名", align="right")]
    data = render_pdf(blocks, title="文档", lang="zh", invariant=True)
    _text, pages = _pdf_text(data)
    assert len(pages) == 2
    assert "1 / 2" in pages[0] and "2 / 2" in pages[1]
    assert "二、请求" in pages[1]
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        outline = [(level, title) for level, title, *_ in pdf.doc.get_outlines()]
    assert [t for _, t in outline] == ["文档", "一、事实", "细节", "二、请求"]
    assert [lvl for lvl, _ in outline] == [1, 2, 3, 2]


def test_pdf_english_letter(tmp_path: Path) -> None:
    letter = "Dear Sir or Madam,\n\nI write about account 123 (花呗) opened without my consent.\n\nYours faithfully"
    out = export_letter(letter, "Complaint", EVIDENCE[1:2], tmp_path / "en.PDF", "en")
    text, _ = _pdf_text(out.read_bytes())
    assert "opened without my consent" in text and "花呗" in text
    assert "Evidence" in text and EVIDENCE[1][2] in text


def test_missing_glyphs_names_what_the_font_cannot_draw() -> None:
    assert missing_glyphs("张三 玥 Zoë №1 ¥100 （）") == set()
    assert missing_glyphs("王𠀀明") == {"𠀀"}


def test_font_covers_every_chinese_character_of_the_catalogs_and_templates() -> None:
    """When this fails after adding templates or translations: run `python tools/make_font.py`."""
    root = resource_path()
    texts = [p for pattern in ("translations/**/*.po", "*.json", "letters/**/*", "legal/**/*")
             for p in sorted(root.glob(pattern)) if p.is_file()]
    chars: set[str] = set()
    for path in texts:
        try:
            chars |= {c for c in path.read_text(encoding="utf-8") if 0x2E80 <= ord(c) <= 0xFFEF}
        except UnicodeDecodeError:
            continue
    assert missing_glyphs("".join(chars)) == set()


def test_shipped_fonts_carry_their_licence() -> None:
    licence = resource_path("fonts", "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    assert "Reserved Font Name 'Source'" in licence
    for ttf in resource_path("fonts").glob("*.ttf"):
        assert ttf.name in licence
        assert ttf.stat().st_size < 4_000_000


# --- DOCX and TXT ------------------------------------------------------------------------------------------

def test_docx_round_trip_text_east_asian_font_and_evidence(tmp_path: Path) -> None:
    out = export_letter(LETTER, TITLE, EVIDENCE, tmp_path / "letter.docx", "zh")
    document = docx.Document(str(out))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == TITLE
    body = "\n".join(texts)
    for para in paragraphs(LETTER):
        assert para in body
    runs = [r for p in document.paragraphs for r in p.runs]
    for run in runs:
        rfonts = run._r.rPr.rFonts
        assert rfonts.get(qn("w:eastAsia")) == "SimSun"
    normal = document.styles["Normal"].element.rPr
    assert normal.rFonts.get(qn("w:eastAsia")) == "SimSun"
    assert normal.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    langs = [el.get(qn("w:eastAsia")) for el in document.styles.element.iter(qn("w:lang"))]
    assert langs and set(langs) == {"zh-CN"}  # the template's ja-JP default is gone too
    table = document.tables[0]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["编号", "证据说明", "SHA-256 校验值"]
    assert rows[1:] == [[str(i), d, s] for i, d, s in EVIDENCE]
    assert "证据清单" in texts
    assert document.core_properties.title == TITLE
    assert document.core_properties.author == "mybnpl"
    assert document.core_properties.last_modified_by == "mybnpl"
    with zipfile.ZipFile(out) as z:
        assert "python-docx" not in z.read("docProps/core.xml").decode()


def test_txt_round_trip_is_plain_utf8(tmp_path: Path) -> None:
    out = export_letter(LETTER, TITLE, EVIDENCE, tmp_path / "letter.txt", "zh")
    raw = out.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw
    text = raw.decode("utf-8")
    assert text.startswith(TITLE + "\n\n")
    for para in paragraphs(LETTER):
        assert para in text
    assert "　　本人张三" in text  # the paragraph indent survives
    assert "证据清单" in text
    for eid, desc, sha in EVIDENCE:
        assert f"{eid}. {desc}" in text and sha in text


def test_title_not_repeated_when_the_letter_starts_with_it(tmp_path: Path) -> None:
    out = export_letter(f"{TITLE}\n\n正文。", TITLE, [], tmp_path / "t.txt", "zh")
    assert out.read_text(encoding="utf-8").count(TITLE) == 1
    text, _ = _pdf_text(letter_pdf(f"{TITLE}\n\n正文。", TITLE, [], "zh"))
    assert text.count(TITLE) == 1 and "证据清单" not in text


# --- files -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".pdf", ".docx", ".txt"])
def test_export_writes_atomically_and_leaves_no_temp_files(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"letter{suffix}"
    export_letter(LETTER, TITLE, EVIDENCE, target, "zh")
    export_letter(LETTER, TITLE, EVIDENCE, target, "zh")  # overwrite
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]
    assert target.stat().st_mode & 0o077 == 0  # a letter holds personal data


def test_failed_export_keeps_the_old_file_and_no_partial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "letter.pdf"
    target.write_bytes(b"old")

    def boom(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", boom)  # fail after the temp file is fully written
    with pytest.raises(InvalidInput, match="the disk is full"):  # errno 28, in words a translation carries
        export_letter(LETTER, TITLE, EVIDENCE, target, "zh")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["letter.pdf"]


def test_unsupported_suffix_and_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"\.pdf, \.txt, \.docx"):
        export_letter(LETTER, TITLE, [], tmp_path / "letter.rtf", "zh")
    with pytest.raises(InvalidInput):
        export_letter(LETTER, TITLE, [], tmp_path / "nope" / "letter.txt", "zh")
    assert list(tmp_path.iterdir()) == []


def test_heading_with_a_character_the_bold_face_lacks_falls_back_to_regular() -> None:
    rare = "瀣"  # GB2312 level 2: in the regular subset, not in the bold one
    assert not missing_glyphs(rare) and missing_glyphs(rare, "mybnplCJKSans-Bold") == {rare}
    data = render_pdf([Heading(f"关于{rare}的说明"), Heading("普通标题")], title="t", lang="zh",
                      title_heading=False)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        fonts = {c["text"]: c["fontname"] for c in pdf.pages[0].chars}
    assert fonts[rare].endswith("mybnplCJKSans-Regular")
    assert fonts["普"].endswith("mybnplCJKSans-Bold")


# --- formatted letters -------------------------------------------------------------------------------------

RICH = richtext.normalise([
    Line((Run("张三"),)), Line((Run("北京市朝阳区"),)), Line(()),
    Line((Run("请求事项"),), "heading"),
    Line((Run("关闭花呗", bold=True),), "number"), Line((Run("退还费用"),), "number"),
    Line((Run("证据见附件"),), "bullet"), Line(()),
    Line((Run("请于"), Run("15日内", bold=True, underline=True), Run("书面答复。"))),
])


def test_formatting_survives_pdf_docx_and_txt(tmp_path: Path) -> None:
    pdf = export_letter("", TITLE, EVIDENCE, tmp_path / "f.pdf", "zh", rich=RICH).read_bytes()
    text, _pages = _pdf_text(pdf)
    for piece in ("张三", "北京市朝阳区", "请求事项", "1.关闭花呗", "2.退还费用", "•证据见附件",
                  "请于15日内书面答复。"):
        assert piece in _squash(text)
    assert {"mybnplCJKSans-Bold", "mybnplCJKSans-Regular"} <= {name.split("+")[-1] for name in _fonts(pdf)}
    with pdfplumber.open(io.BytesIO(pdf)) as doc:  # "15日内" is set in the bold face and underlined
        chars = doc.pages[0].chars
        bold = "".join(c["text"] for c in chars if c["fontname"].endswith("Bold"))
        assert "15日内" in bold and "关闭花呗" in bold and "书面答复" not in bold
        assert doc.pages[0].lines or doc.pages[0].rects  # the underline is drawn

    document = docx.Document(str(export_letter("", TITLE, EVIDENCE, tmp_path / "f.docx", "zh", rich=RICH)))
    runs = {r.text: r for p in document.paragraphs for r in p.runs if r.text.strip()}
    assert runs["关闭花呗"].bold and runs["15日内"].bold and runs["15日内"].underline and not runs["请于"].bold
    styles = {p.text: p.style.name for p in document.paragraphs}
    assert styles["请求事项"] == "Heading 2"
    assert "1.\t关闭花呗" in styles and "•\t证据见附件" in styles

    txt = export_letter("", TITLE, EVIDENCE, tmp_path / "f.txt", "zh", rich=RICH).read_text("utf-8")
    assert "请求事项\n1. 关闭花呗\n2. 退还费用\n• 证据见附件\n\n请于15日内书面答复。" in txt
    assert "**" not in txt and "<b>" not in txt


def test_an_unformatted_rich_letter_exports_like_its_plain_text(tmp_path: Path) -> None:
    plain = letter_pdf(LETTER, TITLE, EVIDENCE, "zh", invariant=True)
    assert letter_pdf("", TITLE, EVIDENCE, "zh", invariant=True, rich=richtext.from_text(LETTER)) == plain
