"""Test PDFs for the PDF statement importer, generated with reportlab (a dev dependency) or written by hand.

    python tests/importers/pdfgen.py      # rewrite the committed fixtures in tests/fixtures/pdf/

Every generator returns bytes and is deterministic (reportlab's ``invariant`` mode: fixed dates and IDs).
CJK text uses an embedded TrueType font when one with TrueType outlines is installed; reportlab cannot embed
CFF-flavoured OpenType such as NotoSansCJK-Regular.ttc, so the usual fallback is reportlab's built-in, non-embedded
STSong-Light CID font (as in shared/reference/perf/gen_statements.py).

``synthetic`` reproduces the layout of gen_statements.py (header on every page; ruled table of 40 rows of date,
merchant, amount, installment n/m; the total due is the sum of all rows). ``huabei`` is a 3-page 花呗-style bill
with page subtotals, installments and a 分期计划 schedule; ``klarna`` an English statement whose ruled table wraps
descriptions onto two lines; ``afterpay`` a plain English statement. ``bomb`` and ``circular_forms`` are
hostile files written without reportlab.
"""

from __future__ import annotations

import io
import random
import sys
import zlib
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pdf"
# DroidSansFallbackFull is left out on purpose: reportlab writes it without usable ToUnicode entries for digits
# (they extract as NUL), so the generated statement would have no readable numbers.
_TTF_CANDIDATES = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/arphic/uming.ttc",
                   "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
LATIN_MERCHANTS = ("Zalando SE", "Amazon EU Sarl", "IKEA Deutschland", "MediaMarkt", "Apple Store Online",
                   "H&M Hennes & Mauritz", "Lidl Online", "Decathlon", "Booking.com", "Coffee Corner Berlin",
                   "Otto GmbH & Co KG", "Spotify AB")
CJK_MERCHANTS = ("淘宝网 天猫旗舰店", "京东商城", "美团外卖", "星巴克咖啡 北京店", "拼多多", "苏宁易购", "携程旅行网",
                 "滴滴出行", "盒马鲜生", "小米之家", "优衣库 上海店", "网易严选")


def cjk_font() -> str:
    """Register and return the name of a font that draws Chinese."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    for path in _TTF_CANDIDATES:
        if Path(path).is_file():
            try:
                pdfmetrics.registerFont(TTFont("CJK-TTF", path, subfontIndex=0))
                return "CJK-TTF"
            except TTFError:  # PostScript (CFF) outlines: reportlab cannot embed them
                continue
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def _canvas(buf: io.BytesIO, title: str) -> Any:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setTitle(title)
    return c


def _money(x: Decimal) -> str:
    return f"{x:,.2f}"


# --- the synthetic statement of gen_statements.py ---------------------------------------------------------------
def synthetic_rows(lang: str, pages: int, per_page: int = 40) -> list[tuple[str, str, Decimal, str]]:
    rnd = random.Random(42)
    merchants = LATIN_MERCHANTS if lang == "latin" else CJK_MERCHANTS
    rows = []
    for i in range(pages * per_page):
        m = rnd.choice(merchants)
        amount = Decimal(rnd.randint(199, 99999)) / 100
        of = rnd.choice([3, 4, 6, 12])
        rows.append((f"2025-01-{1 + i % 31:02d}", m, amount, f"{rnd.randint(1, of)}/{of}"))
    return rows


def synthetic(lang: str = "latin", pages: int = 1, total_delta: Decimal = Decimal(0)) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm

    latin = lang == "latin"
    font = "Helvetica" if latin else cjk_font()
    bold = "Helvetica-Bold" if latin else font
    title = "BNPL Statement" if latin else "先买后付 账单 (BNPL Statement)"
    rows = synthetic_rows(lang, pages)
    total = sum((r[2] for r in rows), Decimal(0)) + total_delta
    head = (["Provider: Klarna-like Pay Later Ltd.", "Account: 4000-1234-5678-9012",
             "Statement period: 2025-01-01 to 2025-01-31", f"Total due: EUR {_money(total)}", "Due date: 2025-02-15"]
            if latin else
            ["服务商：花呗分期付款有限公司", "账户：4000-1234-5678-9012", "账单周期：2025年01月01日 至 2025年01月31日",
             f"应还总额：人民币 {_money(total)} 元", "到期还款日：2025年02月15日"])
    cols = ["Date", "Merchant", "Amount", "Installment"] if latin else ["日期", "商户", "金额", "分期 n/m"]
    buf = io.BytesIO()
    c = _canvas(buf, title)
    width, height = A4
    colx = [20 * mm, 45 * mm, 135 * mm, 165 * mm, 190 * mm]
    row_h = 5.6 * mm
    for p in range(pages):
        y = height - 18 * mm
        c.setFont(bold, 14)
        c.drawString(20 * mm, y, title)
        c.setFont(font, 9)
        for line in head:
            y -= 5 * mm
            c.drawString(20 * mm, y, line)
        y -= 9 * mm
        top = y
        c.setFillColor(colors.HexColor("#DDDDDD"))
        c.rect(colx[0], y - row_h, colx[-1] - colx[0], row_h, stroke=0, fill=1)
        c.setFillColor(colors.black)
        c.setFont(bold, 9)
        for j, h in enumerate(cols):
            c.drawString(colx[j] + 1.5 * mm, y - row_h + 1.8 * mm, h)
        y -= row_h
        c.setFont(font, 9)
        for d, m, amount, inst in rows[p * 40:(p + 1) * 40]:
            c.drawString(colx[0] + 1.5 * mm, y - row_h + 1.8 * mm, d)
            c.drawString(colx[1] + 1.5 * mm, y - row_h + 1.8 * mm, m)
            c.drawRightString(colx[3] - 1.5 * mm, y - row_h + 1.8 * mm, _money(amount))
            c.drawString(colx[3] + 1.5 * mm, y - row_h + 1.8 * mm, inst)
            y -= row_h
        c.setLineWidth(0.4)
        yy = top
        while yy >= y - 0.01:
            c.line(colx[0], yy, colx[-1], yy)
            yy -= row_h
        for x in colx:
            c.line(x, top, x, y)
        c.setFont(font, 8)
        footer = f"Page {p + 1} of {pages}" if latin else f"第 {p + 1} 页 / 共 {pages} 页"
        c.drawCentredString(width / 2, 10 * mm, footer)
        c.showPage()
    c.save()
    return buf.getvalue()


# --- a 3-page 花呗-style bill ------------------------------------------------------------------------------------
HUABEI_ROWS: tuple[tuple[str, str, str, str], ...] = (
    # date, description, amount (negative: refund), installment
    ("12-28", "天猫超市 年货节", "120.00", "2/3"),
    ("01-02", "淘宝 Apple官方旗舰店 iPhone 16", "500.00", "3/12"),
    ("01-03", "美团外卖", "35.50", ""),
    ("01-03", "滴滴出行", "23.80", ""),
    ("01-05", "盒马鲜生", "88.00", ""),
    ("01-06", "淘宝 小米官方旗舰店", "199.00", "1/6"),
    ("01-07", "星巴克咖啡 北京店", "36.00", ""),
    ("01-08", "饿了么", "42.30", ""),
    ("01-09", "优衣库 上海店", "199.00", ""),
    ("01-10", "携程旅行网 机票", "1,280.00", "2/6"),
    ("01-11", "京东便利店", "15.90", ""),
    ("01-12", "网易严选", "129.00", ""),
    ("01-14", "高德打车", "31.20", ""),
    ("01-15", "拼多多", "58.80", ""),
    ("01-16", "苏宁易购 空调", "833.33", "4/6"),
    ("01-18", "肯德基", "45.00", ""),
    ("01-19", "12306 铁路", "553.50", ""),
    ("01-20", "退款-优衣库 上海店", "-199.00", ""),
    ("01-21", "瑞幸咖啡", "19.90", ""),
    ("01-22", "盒马鲜生", "76.40", ""),
    ("01-24", "淘宝 天猫旗舰店 家具", "300.00", "5/10"),
    ("01-25", "美团买菜", "64.70", ""),
    ("01-27", "中国移动 话费", "100.00", ""),
    ("01-28", "电影票 猫眼", "78.00", ""),
    ("01-29", "滴滴出行", "27.60", ""),
    ("01-30", "京东 书籍", "89.00", ""),
)
HUABEI_SCHEDULE: tuple[tuple[str, str, str, str], ...] = (
    # merchant, n/m, due date, amount
    ("淘宝 Apple官方旗舰店 iPhone 16", "4/12", "2025-03-10", "500.00"),
    ("淘宝 Apple官方旗舰店 iPhone 16", "5/12", "2025-04-10", "500.00"),
    ("携程旅行网 机票", "3/6", "2025-03-10", "1,280.00"),
    ("苏宁易购 空调", "5/6", "2025-03-10", "833.33"),
    ("苏宁易购 空调", "6/6", "2025-04-10", "833.35"),
)
HUABEI_DUE = "2025-02-10"


def huabei_total() -> Decimal:
    return sum((Decimal(r[2].replace(",", "")) for r in HUABEI_ROWS), Decimal(0))


def huabei(total_delta: Decimal = Decimal(0), subtotal_delta: Decimal = Decimal(0)) -> bytes:
    from reportlab.lib.units import mm

    font = cjk_font()
    total = huabei_total() + total_delta
    buf = io.BytesIO()
    c = _canvas(buf, "花呗账单 2025年01月")
    pages = (HUABEI_ROWS[:10], HUABEI_ROWS[10:20], HUABEI_ROWS[20:])
    for p, rows in enumerate(pages):
        y = 280 * mm
        c.setFont(font, 15)
        c.drawString(20 * mm, y, "花呗账单")
        c.setFont(font, 9)
        if p == 0:
            minimum = (total / 10).quantize(Decimal("0.01"))
            for line in ("账户：138****5678", "账单周期：2025年01月01日 至 2025年01月31日",
                         f"本期应还总额：¥{_money(total)}", f"最低还款额：¥{_money(minimum)}",
                         "到期还款日：2025年02月10日"):
                y -= 6 * mm
                c.drawString(20 * mm, y, line)
        y -= 12 * mm
        for x, h in ((20, "交易日期"), (45, "交易描述"), (130, "金额"), (150, "分期")):
            c.drawString(x * mm, y, h)
        c.line(20 * mm, y - 2 * mm, 175 * mm, y - 2 * mm)
        for d, desc, amount, inst in rows:
            y -= 7 * mm
            c.drawString(20 * mm, y, d)
            c.drawString(45 * mm, y, desc)
            c.drawRightString(145 * mm, y, amount)
            if inst:
                c.drawString(150 * mm, y, inst)
        subtotal = sum((Decimal(r[2].replace(",", "")) for r in rows), Decimal(0)) + (subtotal_delta if p == 1 else 0)
        y -= 9 * mm
        c.drawString(110 * mm, y, f"本页小计：¥{_money(subtotal)}")
        if p == len(pages) - 1:
            y -= 14 * mm
            c.setFont(font, 11)
            c.drawString(20 * mm, y, "分期计划")
            c.setFont(font, 9)
            for merchant, nm, due, amount in HUABEI_SCHEDULE:
                y -= 6 * mm
                c.drawString(20 * mm, y, merchant)
                c.drawString(95 * mm, y, f"第{nm}期")
                c.drawString(120 * mm, y, due)
                c.drawRightString(170 * mm, y, amount)
        c.drawCentredString(105 * mm, 10 * mm, f"第 {p + 1} 页 / 共 {len(pages)} 页")
        c.showPage()
    c.save()
    return buf.getvalue()


# --- English statements -----------------------------------------------------------------------------------------
KLARNA_ROWS: tuple[tuple[str, str, str], ...] = (
    ("03 Jan 2025", "Pay in 3: ASOS.com\ninstalment 1 of 3", "33.33"),
    ("05 Jan 2025", "Pay in 3: Nike UK\ninstalment 2 of 3", "40.00"),
    ("09 Jan 2025", "Pay in 30 days: Boots", "18.50"),
    ("12 Jan 2025", "Refund: Zara UK", "-25.99"),
    ("17 Jan 2025", "Pay in 3: Currys PC World\ninstalment 3 of 3", "96.67"),
    ("21 Jan 2025", "Late fee", "5.00"),
)
KLARNA_UPCOMING = (("15 Feb 2025", "ASOS.com", "2 of 3", "33.33"), ("15 Mar 2025", "ASOS.com", "3 of 3", "33.34"),
                   ("15 Feb 2025", "Nike UK", "3 of 3", "40.00"))


def klarna_total() -> Decimal:
    return sum((Decimal(r[2]) for r in KLARNA_ROWS), Decimal(0))


def klarna() -> bytes:
    from reportlab.lib.units import mm

    buf = io.BytesIO()
    c = _canvas(buf, "Klarna monthly statement")
    y = 280 * mm
    c.setFont("Helvetica-Bold", 16)
    c.drawString(20 * mm, y, "Klarna")
    c.setFont("Helvetica", 10)
    for line in ("Monthly statement", "Account number: KL-4821-0097", "Statement period: 1 Jan 2025 to 31 Jan 2025",
                 "Payment due date: 15 Feb 2025", f"Total due: £{_money(klarna_total())}", "Minimum payment: £25.00"):
        y -= 6 * mm
        c.drawString(20 * mm, y, line)
    y -= 10 * mm
    xs = (20 * mm, 50 * mm, 150 * mm, 180 * mm)
    lines_y = [y]
    c.setFont("Helvetica-Bold", 10)
    for x, h in zip(xs, ("Date", "Description", "Amount"), strict=False):
        c.drawString(x + 2 * mm, y - 5 * mm, h)
    y -= 7 * mm
    lines_y.append(y)
    c.setFont("Helvetica", 10)
    for d, desc, amount in KLARNA_ROWS:
        parts = desc.split("\n")
        c.drawString(xs[0] + 2 * mm, y - 5 * mm, d)
        for k, part in enumerate(parts):
            c.drawString(xs[1] + 2 * mm, y - 5 * mm - k * 4.5 * mm, part)
        c.drawRightString(xs[3] - 2 * mm, y - 5 * mm, f"-£{amount[1:]}" if amount.startswith("-") else f"£{amount}")
        y -= (7 + 4.5 * (len(parts) - 1)) * mm
        lines_y.append(y)
    c.setLineWidth(0.5)
    for yy in lines_y:
        c.line(xs[0], yy, xs[-1], yy)
    for x in xs:
        c.line(x, lines_y[0], x, lines_y[-1])
    y -= 12 * mm
    c.setFont("Helvetica-Bold", 11)
    c.drawString(20 * mm, y, "Upcoming payments")
    c.setFont("Helvetica", 10)
    for due, merchant, nm, amount in KLARNA_UPCOMING:
        y -= 6 * mm
        c.drawString(20 * mm, y, f"{due}   {merchant} ({nm})   £{amount}")
    c.showPage()
    c.save()
    return buf.getvalue()


AFTERPAY_ROWS = (("2 Jan 2025", "JB Hi-Fi (1 of 4)", "50.00"), ("9 Jan 2025", "Myer (2 of 4)", "37.50"),
                 ("14 Jan 2025", "Payment received", "-40.00"), ("20 Jan 2025", "The Iconic", "72.25"))


def afterpay() -> bytes:
    from reportlab.lib.units import mm

    buf = io.BytesIO()
    c = _canvas(buf, "Afterpay statement")
    total = sum((Decimal(a) for _, _, a in AFTERPAY_ROWS), Decimal(0))
    y = 280 * mm
    c.setFont("Helvetica", 10)
    for line in ("Afterpay", "Account: AP-77120", "Statement period: 1 Jan 2025 - 31 Jan 2025",
                 f"Total due: A${_money(total)}", "Minimum payment: A$20.00", "Due date: 14 Feb 2025", "",
                 "Date            Description                     Amount"):
        y -= 6 * mm
        c.drawString(20 * mm, y, line)
    for d, desc, amount in AFTERPAY_ROWS:
        y -= 6 * mm
        c.drawString(20 * mm, y, d)
        c.drawString(55 * mm, y, desc)
        c.drawRightString(140 * mm, y, amount)
    c.showPage()
    c.save()
    return buf.getvalue()


# --- hand-written hostile files --------------------------------------------------------------------------------
def raw_pdf(objects: Sequence[bytes]) -> bytes:
    """A minimal PDF from object bodies (object 1 is the catalog), with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
_TEXT = b"BT /F1 12 Tf 72 720 Td (Statement period: 2025-01-01 to 2025-01-31, a page of ordinary text) Tj ET\n"


def text_pdf(pages: Sequence[Sequence[str]]) -> bytes:
    """Pages of Helvetica text lines (Latin-1), 14 pt apart; an empty page has no text at all."""
    n = len(pages)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(n)), n),
               _FONT]
    for i, lines in enumerate(pages):
        ops = b"".join(b"BT /F1 10 Tf 60 %d Td (%s) Tj ET\n" % (760 - 14 * k, _escape(t)) for k, t in enumerate(lines))
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                       b"/Contents %d 0 R >>" % (5 + 2 * i))
        objects.append(_stream(ops))
    return raw_pdf(objects)


def _escape(text: str) -> bytes:
    return text.encode("latin-1").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def bomb(inflated: int = 400 << 20, hex_wrapped: bool = False) -> bytes:
    """One page whose second content stream is FlateDecode of ``inflated`` spaces (~400 KB on disk)."""
    comp = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    packed = b"".join(comp.compress(chunk) for _ in range(inflated >> 20)) + comp.flush()
    if hex_wrapped:  # invisible to a scan that only inflates raw zlib data; pdfium decodes both filters
        packed, filters = packed.hex().encode() + b">", b"/Filter [/ASCIIHexDecode /FlateDecode]"
    else:
        filters = b"/Filter /FlateDecode"
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
                    b"/Contents [4 0 R 6 0 R] >>",
                    _stream(packed, filters), _FONT, _stream(_TEXT)])


def circular_forms() -> bytes:
    """A page that draws Form XObject X1, which draws X2, which draws X1 again."""
    form = b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /XObject << /X%d %d 0 R >> >>"
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> "
                    b"/XObject << /X1 6 0 R >> >> /Contents 4 0 R >>",
                    _stream(_TEXT + b"/X1 Do"), _FONT,
                    _stream(b"q /X2 Do Q", form % (2, 7)), _stream(b"q /X1 Do Q", form % (1, 6))])


COMMITTED: dict[str, Callable[[], bytes]] = {
    "huabei_3p.pdf": huabei,
    "huabei_3p_wrong_total.pdf": lambda: huabei(total_delta=Decimal("100.00")),
    "klarna_en.pdf": klarna,
    "afterpay_en.pdf": afterpay,
    "synthetic_latin_2p.pdf": lambda: synthetic("latin", 2),
    "synthetic_cjk_2p.pdf": lambda: synthetic("cjk", 2),
}


def main(argv: Sequence[str]) -> int:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name, make in COMMITTED.items():
        (FIXTURES / name).write_bytes(make())
        print(FIXTURES / name, (FIXTURES / name).stat().st_size)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
