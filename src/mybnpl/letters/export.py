"""Export a rendered letter (plain text) to PDF, plain text or Word (.docx), chosen by the file suffix.

* ``.pdf``: :mod:`mybnpl.pdfdoc` with the shipped CJK font embedded; paragraphs are the blocks of text
  between blank lines, the title is the heading on top, and the evidence follows as an appendix table
  (id, description, SHA-256).
* ``.txt``: UTF-8 without BOM, ``\\n`` line ends (every current editor, Notepad included, reads it), the
  evidence as a plain list after the letter.
* ``.docx``: python-docx; every run names an East Asian font (``w:rFonts/@w:eastAsia``, SimSun) and the
  document language is zh-CN for Chinese letters, so Word picks a Chinese face for 中文 instead of
  falling back glyph by glyph. No font is embedded: SimSun ships with Windows and with Office for Mac.

A letter with formatting (:mod:`mybnpl.core.richtext`: bold, underline, headings, lists) keeps it in PDF and
.docx; the plain-text export writes it out as text (list markers included).

The title is not repeated when the letter's first line already is the title. The appendix heading is in the
letter's language (``lang``), not the interface's. Files are written atomically (no partial file on failure).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from mybnpl.atomic import write_atomic
from mybnpl.core import richtext
from mybnpl.core.errors import InvalidInput
from mybnpl.core.richtext import RichDoc
from mybnpl.i18n import N_, os_reason
from mybnpl.pdfdoc import Block, Heading, Paragraph, RichText, Table, render_pdf

EvidenceRow = tuple[int, str, str]  # (evidence id, description, SHA-256 hex)
SUFFIXES = (".pdf", ".txt", ".docx")

# Appendix wording per letter language: (heading, column headers)
_APPENDIX: dict[str, tuple[str, tuple[str, str, str]]] = {
    "zh": ("证据清单", ("编号", "证据说明", "SHA-256 校验值")),
    "en": ("Evidence", ("No.", "Description", "SHA-256")),
}
DOCX_EAST_ASIA_FONT = "SimSun"
DOCX_LATIN_FONT = "Calibri"
DOCX_MONO_FONT = "Consolas"
_BLANK_LINE = re.compile(r"\n[ \t\u3000]*\n")


def _lang_key(lang: str) -> str:
    return "zh" if lang.lower().startswith("zh") else "en"


def paragraphs(text: str) -> list[str]:
    """The blocks of ``text`` between blank lines (line ends normalised, trailing spaces dropped)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = (b.strip("\n").rstrip() for b in _BLANK_LINE.split(text))
    return [b for b in blocks if b.strip()]


def _body(text: str, title: str) -> tuple[list[str], bool]:
    """The paragraphs, and whether a title heading is needed (not if the letter already begins with it)."""
    paras = paragraphs(text)
    if not title.strip():
        return paras, False
    first_line = paras[0].split("\n", 1)[0].strip() if paras else ""
    return paras, first_line != title.strip()


def _styled(runs: tuple[richtext.Run, ...]) -> bool:
    return any(r.bold or r.underline for r in runs)


def _rich_body(rich: RichDoc, title: str) -> tuple[list[richtext.Group], bool]:
    """The rich letter's groups, and whether a title heading is needed (as :func:`_body`)."""
    groups = richtext.groups(rich)
    first = next((ln.text.strip() for ln in rich if not ln.blank), "")
    return groups, bool(title.strip()) and first != title.strip()


def letter_blocks(text: str, title: str, evidence: Sequence[EvidenceRow], lang: str,
                  rich: RichDoc | None = None) -> tuple[list[Block], bool]:
    """The letter as :mod:`~mybnpl.pdfdoc` blocks, and whether the title goes on top."""
    blocks: list[Block] = []
    if rich is None:
        paras, with_title = _body(text, title)
        blocks.extend(Paragraph(p) for p in paras)
    else:
        groups, with_title = _rich_body(rich, title)
        for g in groups:
            if g.kind == "heading":
                blocks.append(Heading("".join(r.text for r in g.lines[0]), level=2))
            elif g.kind == "item" or any(_styled(runs) for runs in g.lines):
                blocks.append(RichText(tuple(tuple((r.text, r.bold, r.underline) for r in runs) for runs in g.lines),
                                       marker=g.marker))
            else:  # unstyled: the same paragraph a plain letter gives
                blocks.append(Paragraph("\n".join("".join(r.text for r in runs) for runs in g.lines)))
    if evidence:
        heading, header = _APPENDIX[_lang_key(lang)]
        blocks.append(Heading(heading, level=1))
        blocks.append(Table(header=header, rows=tuple((str(i), desc, sha) for i, desc, sha in evidence),
                            widths=(0.07, 0.4, 0.53), mono=frozenset({2})))
    return blocks, with_title


def letter_pdf(text: str, title: str, evidence: Sequence[EvidenceRow], lang: str, *,
               page_size: Literal["A4", "Letter"] = "A4", invariant: bool = False,
               rich: RichDoc | None = None) -> bytes:
    blocks, with_title = letter_blocks(text, title, evidence, lang, rich)
    return render_pdf(blocks, title=title, lang=lang, page_size=page_size, title_heading=with_title,
                      invariant=invariant)


def letter_txt(text: str, title: str, evidence: Sequence[EvidenceRow], lang: str,
               rich: RichDoc | None = None) -> bytes:
    paras, with_title = _body(richtext.to_text(rich) if rich is not None else text, title)
    parts = ([title.strip()] if with_title else []) + paras
    if evidence:
        heading, (_, _, h_sha) = _APPENDIX[_lang_key(lang)]
        lines = [heading] + [f"{i}. {desc}\n   {h_sha}: {sha}" for i, desc, sha in evidence]
        parts.append("\n".join(lines))
    return ("\n\n".join(parts) + "\n").encode("utf-8")


def letter_docx(text: str, title: str, evidence: Sequence[EvidenceRow], lang: str, *,
                page_size: Literal["A4", "Letter"] = "A4", rich: RichDoc | None = None) -> bytes:
    from docx import Document  # imported here: only .docx exports pay for python-docx and lxml
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt
    from docx.text.run import Run

    zh = _lang_key(lang) == "zh"

    def fonts(element: object, latin: str = DOCX_LATIN_FONT) -> None:
        rpr = element.get_or_add_rPr()  # type: ignore[attr-defined]
        rfonts = rpr.get_or_add_rFonts()
        for attr in ("w:ascii", "w:hAnsi", "w:cs"):
            rfonts.set(qn(attr), latin)
        rfonts.set(qn("w:eastAsia"), DOCX_EAST_ASIA_FONT)
        for theme_attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            rfonts.attrib.pop(qn(theme_attr), None)  # a theme font would win over the names

    def run(paragraph: object, content: str, latin: str = DOCX_LATIN_FONT, size: float | None = None) -> Run:
        lines = content.split("\n")
        r: Run = paragraph.add_run(lines[0])  # type: ignore[attr-defined]
        for line in lines[1:]:
            r.add_break()
            r.add_text(line)
        fonts(r._r, latin)
        if size:
            r.font.size = Pt(size)
        return r

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = (Mm(210), Mm(297)) if page_size == "A4" else (Mm(215.9), Mm(279.4))
    for style_name in ("Normal", "Title", "Heading 1", "Heading 2"):
        style = doc.styles[style_name]
        fonts(style.element)
        rpr = style.element.get_or_add_rPr()
        lang_el = rpr.find(qn("w:lang"))
        if lang_el is None:
            lang_el = rpr.makeelement(qn("w:lang"), {})
            rpr.append(lang_el)
        lang_el.set(qn("w:val"), "zh-CN" if zh else "en-GB")
        lang_el.set(qn("w:eastAsia"), "zh-CN")
    # the template's document defaults say eastAsia="ja-JP": Word would then pick Japanese glyph forms
    for lang_el in doc.styles.element.iter(qn("w:lang")):
        lang_el.set(qn("w:eastAsia"), "zh-CN")
    props = doc.core_properties
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    props.title, props.author, props.last_modified_by = title, "mybnpl", "mybnpl"
    props.comments, props.keywords, props.subject, props.category = "", "", "", ""
    props.created = props.modified = now
    props.revision = 1
    props.language = "zh-CN" if zh else "en"

    groups, with_title = _rich_body(rich if rich is not None else richtext.from_text(text), title)
    if with_title:
        run(doc.add_paragraph(style="Title"), title.strip())
    for g in groups:
        if g.kind == "heading":
            run(doc.add_paragraph(style="Heading 2"), "".join(r.text for r in g.lines[0]))
            continue
        para = doc.add_paragraph()
        if g.kind == "item":  # the marker hangs in a 7 mm indent, as in the PDF
            para.paragraph_format.left_indent = Mm(7)
            para.paragraph_format.first_line_indent = Mm(-7)
            run(para, g.marker + "\t")
        for n, runs in enumerate(g.lines):
            if n:
                line_break = para.add_run()
                line_break.add_break()
                fonts(line_break._r)
            for r in runs:
                styled = run(para, r.text)
                styled.bold = r.bold or None
                styled.underline = r.underline or None
    if evidence:
        heading, header = _APPENDIX[_lang_key(lang)]
        run(doc.add_paragraph(style="Heading 1"), heading)
        table = doc.add_table(rows=1, cols=3)
        table.style = doc.styles["Table Grid"]
        for cell, label in zip(table.rows[0].cells, header, strict=True):
            run(cell.paragraphs[0], label, size=9).bold = True
        for eid, desc, sha in evidence:
            cells = table.add_row().cells
            run(cells[0].paragraphs[0], str(eid), size=9)
            run(cells[1].paragraphs[0], desc, size=9)
            run(cells[2].paragraphs[0], sha, latin=DOCX_MONO_FONT, size=7.5)
        for row in table.rows:
            for cell, width in zip(row.cells, (Mm(12), Mm(68), Mm(90)), strict=True):
                cell.width = width
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def export_letter(text: str, title: str, evidence: list[tuple[int, str, str]], out: Path, lang: str, *,
                  page_size: Literal["A4", "Letter"] = "A4", rich: RichDoc | None = None) -> Path:
    """Write the letter to ``out`` as PDF, plain text or .docx (by suffix); returns ``out``.

    Raises :class:`InvalidInput` for another suffix or when the file cannot be written."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix == ".pdf":
        data = letter_pdf(text, title, evidence, lang, page_size=page_size, rich=rich)
    elif suffix == ".txt":
        data = letter_txt(text, title, evidence, lang, rich)
    elif suffix == ".docx":
        data = letter_docx(text, title, evidence, lang, page_size=page_size, rich=rich)
    else:
        raise InvalidInput(N_("{name}: letters are exported as {suffixes}."), name=out.name,
                           suffixes=", ".join(SUFFIXES))
    try:
        write_atomic(out, data, mode=0o600)
    except OSError as e:
        raise InvalidInput(N_("{name} could not be written: {reason}"), name=out.name, reason=os_reason(e)) from None
    return out
