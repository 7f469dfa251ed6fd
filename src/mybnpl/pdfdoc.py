"""A small text-document → PDF writer (reportlab) with CJK text, shared by letters and dossiers.

The document is a sequence of blocks (:class:`Heading`, :class:`Paragraph`, :class:`Table`,
:class:`PageBreak`); :func:`render_pdf` lays them out on A4 or Letter and returns the PDF as bytes (no file
I/O: callers write it atomically). Every glyph comes from the fonts shipped in ``resources/fonts/``
("mybnpl CJK Sans/Mono", subsets of Noto Sans CJK SC, OFL; built by ``tools/make_font.py``), embedded as
subsets, so Chinese renders on a machine without any CJK font and text stays selectable and searchable.
Nothing falls back to the standard-14 fonts (which would not be embedded).

Lines containing CJK wrap by character, with reportlab's kinsoku rules (no ``，`` or ``。`` at a line
start); Latin-only paragraphs wrap at spaces. Headings become PDF bookmarks; pages are numbered "n / N".
The metadata carries the title, the language and "mybnpl" as creator and producer, nothing personal.
``invariant=True`` fixes the dates and the document id, for byte-identical output in tests.

The fonts cover GB2312 and more (see the tool), not every character a user may type: :func:`missing_glyphs`
names what would print as an empty box, so a caller can warn before exporting.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib import textsplit as rl_textsplit
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import PageBreak as RLPageBreak
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable
from reportlab.platypus import paragraph as rl_paragraph

from mybnpl.resources import resource_path

SANS = "mybnplCJKSans"
SANS_BOLD = "mybnplCJKSans-Bold"
MONO = "mybnplCJKMono"
FONT_FILES = {SANS: "mybnplCJKSans-Regular.ttf", SANS_BOLD: "mybnplCJKSans-Bold.ttf",
              MONO: "mybnplCJKMono-Regular.ttf"}
CREATOR = "mybnpl"

Align = Literal["left", "center", "right"]
_ALIGN: dict[Align, Literal[0, 1, 2]] = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT}
# Characters that make a line "CJK": wrap by character instead of at spaces.
_CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]")


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1 = section, 2 = subsection, 3 = minor; each becomes a bookmark


@dataclass(frozen=True)
class Paragraph:
    """Plain text (not markup). Single line breaks are kept; leading spaces are kept (indentation)."""

    text: str
    style: Literal["body", "small", "mono"] = "body"
    align: Align = "left"


@dataclass(frozen=True)
class RichText:
    """Lines of styled runs ``(text, bold, underline)``, laid out like :class:`Paragraph`; with a ``marker``
    ("•", "2.") it is a list item: the marker hangs in the margin and the text is indented."""

    lines: tuple[tuple[tuple[str, bool, bool], ...], ...]
    marker: str = ""


@dataclass(frozen=True)
class Table:
    """A grid of plain-text cells with a header row repeated on every page it spans.

    ``widths`` are relative weights per column (default: equal); ``mono`` the columns set in the monospaced
    font (hashes, reference numbers); ``small`` sets the whole table in a smaller size.
    """

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] | None = None
    mono: frozenset[int] = field(default_factory=frozenset)
    small: bool = True


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Paragraph | RichText | Table | PageBreak


# --- fonts -------------------------------------------------------------------------------------------------

# Chinese punctuation that may not start a line; reportlab's list (Japanese rules) lacks most of it.
_CANNOT_START_ZH = "，；：！？）》〉」』】〕〗〙〛”’、。．·…—～％‰℃"


@cache
def register_fonts() -> tuple[str, str, str]:
    """Register the shipped fonts with reportlab (once per process); returns (sans, bold, mono) names."""
    for module in (rl_paragraph, rl_textsplit):  # one-frag paragraphs break in textsplit, others in paragraph
        cannot_start: str = getattr(module, "ALL_CANNOT_START", "")
        missing = "".join(c for c in _CANNOT_START_ZH if c not in cannot_start)
        module.ALL_CANNOT_START = cannot_start + missing  # type: ignore[attr-defined]
    for name, filename in FONT_FILES.items():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(resource_path("fonts", filename))))
    pdfmetrics.registerFontFamily(SANS, normal=SANS, bold=SANS_BOLD, italic=SANS, boldItalic=SANS_BOLD)
    return SANS, SANS_BOLD, MONO


def _charmap(font_name: str) -> dict[int, int]:
    register_fonts()
    font: Any = pdfmetrics.getFont(font_name)
    cmap: dict[int, int] = font.face.charToGlyph
    return cmap


def missing_glyphs(text: str, font_name: str = SANS) -> set[str]:
    """Characters of ``text`` the font cannot draw (they would print as empty boxes)."""
    cmap = _charmap(font_name)
    return {c for c in text if ord(c) not in cmap and not c.isspace() and c.isprintable()}


# --- layout ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Styles:
    body: ParagraphStyle
    small: ParagraphStyle
    mono: ParagraphStyle
    title: ParagraphStyle
    headings: tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle]


@cache
def _styles(bold_ok: bool = True) -> _Styles:
    sans, bold, mono = register_fonts()
    head_font = bold if bold_ok else sans
    body = ParagraphStyle("body", fontName=sans, fontSize=10.5, leading=16, spaceAfter=6, allowWidows=0,
                          allowOrphans=0)
    return _Styles(
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=8, leading=11, spaceAfter=0),
        # 7.5 pt: a SHA-256 (64 hex digits, 240 pt) fits on one line in half an A4 text width
        mono=ParagraphStyle("mono", parent=body, fontName=mono, fontSize=7.5, leading=11, spaceAfter=0),
        title=ParagraphStyle("title", parent=body, fontName=head_font, fontSize=16, leading=22, spaceAfter=12,
                             alignment=TA_CENTER),
        headings=(
            ParagraphStyle("h1", parent=body, fontName=head_font, fontSize=13.5, leading=19, spaceBefore=10,
                           spaceAfter=6, keepWithNext=1),
            ParagraphStyle("h2", parent=body, fontName=head_font, fontSize=12, leading=17, spaceBefore=8,
                           spaceAfter=4, keepWithNext=1),
            ParagraphStyle("h3", parent=body, fontName=head_font, fontSize=10.5, leading=16, spaceBefore=6,
                           spaceAfter=3, keepWithNext=1),
        ),
    )


def _line_style(style: ParagraphStyle, line: str, indent: float, first: bool, last: bool,
                align: Align | None) -> ParagraphStyle:
    return ParagraphStyle(
        f"{style.name}-line", parent=style, firstLineIndent=indent,
        spaceBefore=style.spaceBefore if first else 0, spaceAfter=style.spaceAfter if last else 0,
        wordWrap="CJK" if _CJK.search(line) else None,
        alignment=_ALIGN[align] if align is not None else style.alignment,
    )


def _para(text: str, style: ParagraphStyle, align: Align | None = None) -> list[Flowable]:
    """Plain text → one reportlab paragraph per line (line breaks kept), each wrapping on its own: by
    character when it holds CJK, at spaces otherwise. reportlab drops leading whitespace (the "　　" indent
    of Chinese paragraphs too), so a line's indent becomes its first-line indent of the same width."""
    lines = text.split("\n")
    out: list[Flowable] = []
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if not stripped:
            out.append(Spacer(1, style.leading))
            continue
        indent = line[: len(line) - len(stripped)].replace("\t", "    ")
        width = pdfmetrics.stringWidth(indent, style.fontName, style.fontSize) if indent else 0.0
        out.append(RLParagraph(escape(stripped), _line_style(style, line, width, i == 0, i == len(lines) - 1,
                                                             align)))
    return out


def _rich(block: RichText, style: ParagraphStyle) -> list[Flowable]:
    """Styled lines → one reportlab paragraph per line, as :func:`_para`; bold only where the bold face has
    every glyph (else the run stays regular rather than printing boxes)."""
    out: list[Flowable] = []
    if block.marker:
        style = ParagraphStyle("item", parent=style, leftIndent=18, bulletIndent=4, bulletFontName=style.fontName)
    lines = block.lines
    for i, runs in enumerate(lines):
        plain = "".join(t for t, _b, _u in runs)
        stripped = plain.lstrip()
        if not stripped:
            out.append(Spacer(1, style.leading))
            continue
        skip = len(plain) - len(stripped)  # leading whitespace → first-line indent
        indent = plain[:skip].replace("\t", "    ")
        width = pdfmetrics.stringWidth(indent, style.fontName, style.fontSize) if indent else 0.0
        parts = []
        for text, bold, underline in runs:
            text, skip = text[skip:], max(0, skip - len(text))
            if not text:
                continue
            markup = escape(text)
            if bold and not missing_glyphs(text, SANS_BOLD):
                markup = f"<b>{markup}</b>"
            if underline:
                markup = f"<u>{markup}</u>"
            parts.append(markup)
        bullet = block.marker if i == 0 and block.marker else None
        out.append(RLParagraph("".join(parts), _line_style(style, plain, width, i == 0, i == len(lines) - 1, None),
                               bulletText=bullet))
    return out


class _HeadingPara(RLParagraph):
    """A heading paragraph that knows its outline level and plain text (for bookmarks)."""

    def __init__(self, text: str, style: ParagraphStyle, level: int) -> None:
        one_line = " ".join(text.split())
        wrap = "CJK" if _CJK.search(one_line) else None
        super().__init__(escape(one_line), ParagraphStyle(f"{style.name}-w", parent=style, wordWrap=wrap))
        self.outline_text = one_line
        self.outline_level = level


def _heading(text: str, level: int) -> _HeadingPara:
    styles = _styles(bold_ok=not missing_glyphs(text, SANS_BOLD))
    if level <= 0:
        return _HeadingPara(text, styles.title, 0)
    return _HeadingPara(text, styles.headings[min(level, 3) - 1], level)


def _table(block: Table, avail_width: float) -> RLTable:
    styles = _styles()
    ncols = len(block.header)
    if any(len(row) != ncols for row in block.rows):
        raise ValueError("every table row needs as many cells as the header")
    weights = block.widths or (1.0,) * ncols
    if len(weights) != ncols:
        raise ValueError("one width per column")
    total = sum(weights)
    col_widths = [avail_width * w / total for w in weights]
    cell = styles.small if block.small else styles.body
    mono = styles.mono if block.small else ParagraphStyle("mono-body", parent=styles.body, fontName=MONO)
    head = ParagraphStyle("th", parent=cell, fontName=_styles(bold_ok=True).headings[0].fontName)
    data: list[list[list[Flowable]]] = [[_para(h, head if not missing_glyphs(h, SANS_BOLD) else cell)
                                         for h in block.header]]
    for row in block.rows:
        # the mono face is Latin only: a cell with anything else is set in the sans face instead
        data.append([_para(text, mono if i in block.mono and not missing_glyphs(text, MONO) else cell)
                     for i, text in enumerate(row)])
    table = RLTable(data, colWidths=col_widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), SANS),  # else cells select Helvetica, a non-embedded font
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),  # ruled cells: readers and table extractors agree
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.93, 0.93, 0.93)),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


class _NumberedCanvas(Canvas):
    """Defers pages so the footer can say "n / N" (the total is known only at the end)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._saved: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._saved.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]

    def save(self) -> None:
        total = len(self._saved)
        for state in self._saved:
            self.__dict__.update(state)
            self.setFont(MONO, 8)
            self.setFillColor(colors.grey)
            width = self._pagesize[0]  # type: ignore[attr-defined]
            self.drawCentredString(width / 2, 10 * mm, f"{self.getPageNumber()} / {total}")
            super().showPage()
        super().save()


class _Doc(SimpleDocTemplate):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._outline_level = -1
        self._outline_n = 0
        self.outline_base = 0  # the smallest heading level in the story: outline level 0

    def afterFlowable(self, flowable: Flowable) -> None:
        if not isinstance(flowable, _HeadingPara):
            return
        # outline levels may not skip: a level-3 heading straight after the title becomes level 1
        level = max(0, min(flowable.outline_level - self.outline_base, self._outline_level + 1))
        self._outline_level = level
        self._outline_n += 1
        key = f"h{self._outline_n}"
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(flowable.outline_text, key, level=level, closed=False)


def render_pdf(blocks: Sequence[Block | Extra], *, title: str, lang: str, subject: str = "",
               page_size: Literal["A4", "Letter"] = "A4", title_heading: bool = True,
               invariant: bool = False) -> bytes:
    """Lay ``blocks`` out and return the PDF. ``title`` goes into the metadata and, with ``title_heading``,
    on top of the first page; ``lang`` ("zh", "zh_CN", "en", …) sets the document language."""
    sans, _bold, _mono = register_fonts()
    size = A4 if page_size == "A4" else LETTER
    buf = io.BytesIO()
    doc = _Doc(buf, pagesize=size, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm,
               bottomMargin=20 * mm, title=title, subject=subject, author="", creator=CREATOR, producer=CREATOR,
               lang="zh-CN" if lang.lower().startswith("zh") else "en", displayDocTitle=1,
               initialFontName=sans, invariant=1 if invariant else 0)
    story: list[Flowable] = []
    if title_heading and title:
        story.append(_heading(title, 0))
    styles = _styles()
    for block in blocks:
        if isinstance(block, Heading):
            story.append(_heading(block.text, block.level))
        elif isinstance(block, Paragraph):
            mono_ok = block.style != "mono" or not missing_glyphs(block.text, MONO)
            style = getattr(styles, block.style) if mono_ok else styles.small
            story.extend(_para(block.text, style, block.align))
        elif isinstance(block, RichText):
            story.extend(_rich(block, styles.body))
        elif isinstance(block, Table):
            story.append(_table(block, doc.width))
            story.append(Spacer(1, 6))
        elif isinstance(block, PageBreak):
            story.append(RLPageBreak())
        elif isinstance(block, Extra):
            story.extend(block.flowables(doc.width, doc.height))
        else:  # pragma: no cover - exhaustive
            raise TypeError(f"not a block: {block!r}")
    levels = [f.outline_level for f in story if isinstance(f, _HeadingPara)]
    doc.outline_base = min(levels, default=0)
    if not story:
        story.append(Spacer(1, 1))
    doc.build(story, canvasmaker=_NumberedCanvas)
    return buf.getvalue()


# --- additions for dossiers: lossless images, reserved pages ------------------------------------------------
#
# Blocks that are not text: :class:`Image` (a raster image embedded losslessly, from a :class:`PreparedImage`:
# already-encoded stream data, see ``mybnpl.dossier.images``) and :class:`Slot` (the rest of a page kept free
# below a caption, for a later step to place another PDF's page on it). ``render_pdf`` lays out any
# :class:`Extra` block through its ``flowables`` method.

class Extra:
    """A block that supplies its own reportlab flowables (see :class:`Image`, :class:`Slot`)."""

    def flowables(self, avail_width: float, avail_height: float) -> list[Flowable]:
        raise NotImplementedError


@dataclass(frozen=True)
class PreparedImage:
    """An image XObject ready to embed: its stream (already encoded) and dictionary entries."""

    width: int
    height: int
    color_space: str  # DeviceRGB | DeviceGray | DeviceCMYK
    bits: int
    filter: str  # FlateDecode | DCTDecode
    stream: bytes
    decode_parms: tuple[tuple[str, int], ...] = ()
    invert: bool = False  # Adobe CMYK JPEG
    smask: PreparedImage | None = None
    passthrough: bool = True  # the file's own compressed bytes (PNG IDAT, JPEG) are in the stream
    scaled_from: tuple[int, int] | None = None  # (w, h) of the original when shown downscaled


def _image_stream(img: PreparedImage, smask_ref: Any = None) -> Any:
    from reportlab.pdfbase import pdfdoc as rl_pdfdoc

    d: dict[str, Any] = {"Type": rl_pdfdoc.PDFName("XObject"), "Subtype": rl_pdfdoc.PDFName("Image"),
                         "Width": img.width, "Height": img.height, "BitsPerComponent": img.bits,
                         "ColorSpace": rl_pdfdoc.PDFName(img.color_space),
                         "Filter": rl_pdfdoc.PDFName(img.filter), "Length": len(img.stream)}
    if img.decode_parms:
        d["DecodeParms"] = rl_pdfdoc.PDFDictionary(dict(img.decode_parms))
    if img.invert:
        d["Decode"] = rl_pdfdoc.PDFArray([1, 0, 1, 0, 1, 0, 1, 0])
    if smask_ref is not None:
        d["SMask"] = smask_ref
    return rl_pdfdoc.PDFStream(rl_pdfdoc.PDFDictionary(d), img.stream, filters=[])


class _ImageFlowable(Flowable):
    def __init__(self, img: PreparedImage, max_width: float, max_height: float) -> None:
        super().__init__()
        # at most 96 dpi-equivalent enlargement for small images; fit the frame for large ones
        scale = min(0.75 * 96 / 72, max_width / img.width, max_height / img.height)
        self.img, self.width, self.height = img, img.width * scale, img.height * scale
        self.hAlign = "CENTER"

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        import hashlib

        canv: Any = self.canv
        doc = canv._doc
        name = "Img" + hashlib.sha256(self.img.stream).hexdigest()[:24]
        reg = doc.getXObjectName(name)
        if not doc.idToObject.get(reg):
            smask_ref = None
            if self.img.smask is not None:
                mreg = doc.getXObjectName(name + "m")
                smask_ref = doc.Reference(_image_stream(self.img.smask), mreg)
            doc.Reference(_image_stream(self.img, smask_ref), reg)
        canv.saveState()
        canv.scale(self.width, self.height)
        canv._code.append(f"/{reg} Do")
        canv.restoreState()
        canv._formsinuse.append(name)


@dataclass(frozen=True)
class Image(Extra):
    """A raster image, centred, as large as fits (at most ``max_height`` of
    the frame), with a small caption below."""

    image: PreparedImage
    caption: str = ""
    max_height: float = 0.82

    def flowables(self, avail_width: float, avail_height: float) -> list[Flowable]:
        out: list[Flowable] = [_ImageFlowable(self.image, avail_width, avail_height * self.max_height)]
        if self.caption:
            out.append(Spacer(1, 4))
            out.extend(_para(self.caption, _styles().small, "center"))
        return out



class _SlotFlowable(Flowable):
    """Takes the rest of the page and records where it is: ``boxes[key]`` = (page index, x0, y0, x1, y1)."""

    def __init__(self, key: str, boxes: dict[str, tuple[int, float, float, float, float]]) -> None:
        super().__init__()
        self.key, self.boxes = key, boxes

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width, self.height = availWidth, availHeight - 1
        return self.width, self.height

    def draw(self) -> None:
        canv: Any = self.canv
        x0, y0 = canv.absolutePosition(0, 0)
        x1, y1 = canv.absolutePosition(self.width, self.height)
        self.boxes[self.key] = (canv.getPageNumber() - 1, x0, y0, x1, y1)
        canv.saveState()
        canv.setStrokeColor(colors.lightgrey)
        canv.setLineWidth(0.5)
        canv.rect(0, 0, self.width, self.height)
        canv.restoreState()


@dataclass(frozen=True)
class Slot(Extra):
    """The rest of a page kept free below ``caption`` for another PDF's page (placed later, e.g. with PDFium).
    After rendering, ``boxes[key]`` holds (zero-based page index, x0, y0, x1, y1) of the free rectangle in PDF
    points. Starts a new page when less than 60 % of the frame is left."""

    key: str
    caption: str
    boxes: dict[str, tuple[int, float, float, float, float]] = field(default_factory=dict, compare=False)

    def flowables(self, avail_width: float, avail_height: float) -> list[Flowable]:
        from reportlab.platypus import CondPageBreak

        return [CondPageBreak(avail_height * 0.6), *_para(self.caption, _styles().small),
                Spacer(1, 3), _SlotFlowable(self.key, self.boxes)]
