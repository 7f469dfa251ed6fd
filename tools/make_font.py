"""Build the CJK fonts shipped in ``resources/fonts/`` from Noto Sans CJK (SIL OFL 1.1).

reportlab embeds TrueType (``glyf``) fonts only, and a fresh machine (CI: Python + PyPI, nothing else) has no
CJK font at all, so the PDF writer (``mybnpl.pdfdoc``) needs one in the repository. This tool subsets
Debian's ``fonts-noto-cjk`` collection to what letters and dossiers print and converts its CFF outlines to
quadratic TrueType outlines (the fontTools ``otf2ttf`` recipe: cu2qu at 1 unit of 1000 tolerance):

* ``mybnplCJKSans-Regular.ttf``: ASCII, Latin-1, Latin Extended-A, general punctuation, currency and
  letter-like symbols, arrows, number forms, enclosed numbers, CJK symbols and punctuation, full-width forms,
  all of GB2312 (symbols and both hanzi levels, 6,763 characters), ~90 name hanzi outside it
  (``NAME_CHARS``), and every character in the translation
  catalogs, ``resources/**/*.json``, ``resources/letters/`` and ``resources/legal/`` and the Python sources.
* ``mybnplCJKSans-Bold.ttf``: the same minus GB2312 level 2 (headings), from the Bold collection.
* ``mybnplCJKMono-Regular.ttf``: ASCII and Latin-1 from Noto Sans Mono CJK SC (hashes, reference numbers).

The fonts are renamed ("mybnpl CJK Sans"/"mybnpl CJK Mono"): the upstream licence reserves the font name
"Source" and "Noto" is a Google trademark, so a modified version carries neither as its name (OFL §3, §4).
Re-run after adding templates or translations with new characters (tests/letters/test_export.py checks
coverage)::

    .venv/bin/python tools/make_font.py            # writes resources/fonts/*.ttf
    .venv/bin/python tools/make_font.py --check    # exit 1 if a shipped font misses a needed character

Output is reproducible: fixed timestamps, sorted inputs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "fonts"
NOTO_DIR = Path("/usr/share/fonts/opentype/noto")
SC_INDEX = 2  # Noto Sans CJK SC inside the .ttc (JP, KR, SC, TC, HK, then the Mono faces)
MONO_SC_INDEX = 7  # Noto Sans Mono CJK SC

MAX_ERR = 1.0  # font units (of 1000): the cu2qu approximation error, invisible at print sizes
FIXED_TIME = 3_786_912_000  # 2024-01-01T00:00Z in seconds since 1904 (head.created/modified)

RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1
    (0x0100, 0x017F),  # Latin Extended-A (EU names, pinyin tone marks)
    (0x01CD, 0x01DC),  # pinyin with caron (ǎ ǐ ǒ ǔ ǖ ǘ ǚ ǜ)
    (0x02C6, 0x02DD),  # spacing modifiers (ˇ ˉ ˊ ˋ)
    (0x2000, 0x206F),  # general punctuation
    (0x20A0, 0x20CF),  # currency symbols
    (0x2100, 0x214F),  # letter-like (℃ № ™)
    (0x2150, 0x218F),  # number forms (Ⅰ Ⅱ Ⅲ)
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators (≤ ≥ ≈ ×)
    (0x2460, 0x24FF),  # enclosed alphanumerics (① ⑴ ⒈)
    (0x2500, 0x257F),  # box drawing
    (0x25A0, 0x25FF),  # geometric shapes (■ □ ● ○ ▲)
    (0x2600, 0x26FF),  # miscellaneous symbols (☐ ☑ ★)
    (0x2713, 0x2717),  # check marks
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3200, 0x32FF),  # enclosed CJK (㈠ ㊀)
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # half-width and full-width forms
)
# Hanzi frequent in given names (and so in letters' signatures) that GB2312 lacks: a short hand-made list.
NAME_CHARS = ("堃玥喆昇赟琤璟珺祎禕旻燚犇瑄禛翀镕闿鹍彧琇瑢瓅婳妘姮嫚忞惇慜敔晞暐曌杺枟橦洺浛淏渼濛炘烜焜燊爔琎璠瓘"
              "畯皞盺絜翚翯芃頔龑珣琍玟珅珮珽琨琪璇瑀璋瑒瑭璁璘瑨珉昱煊晧暻曈")
MONO_RANGES: tuple[tuple[int, int], ...] = ((0x0020, 0x007E), (0x00A0, 0x00FF))

# Catalogs and data whose characters are printed in letters and dossiers.
TEXT_GLOBS = ("resources/translations/**/*.po", "resources/*.json", "resources/letters/**/*",
              "resources/legal/**/*", "src/mybnpl/**/*.py")
DROP_TABLES = ["BASE", "GDEF", "GPOS", "GSUB", "VORG", "vhea", "vmtx", "DSIG"]  # reportlab neither shapes nor
# sets vertical text


def gb2312(levels: Iterable[int] = (0, 1, 2)) -> set[int]:
    """Code points of GB2312: level 0 = symbol rows 0xA1-0xA9, 1 = hanzi 0xB0-0xD7, 2 = hanzi 0xD8-0xF7."""
    rows = {0: range(0xA1, 0xAA), 1: range(0xB0, 0xD8), 2: range(0xD8, 0xF8)}
    out: set[int] = set()
    for level in levels:
        for hi in rows[level]:
            for lo in range(0xA1, 0xFF):
                try:
                    ch = bytes((hi, lo)).decode("gb2312")
                except UnicodeDecodeError:
                    continue
                out.add(ord(ch))
    return out


def text_characters(root: Path = ROOT) -> set[int]:
    """Every non-ASCII character of the catalogs, data files, letter templates and sources."""
    chars: set[int] = set()
    for pattern in TEXT_GLOBS:
        for path in sorted(root.glob(pattern)):
            if not path.is_file():
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            chars.update(ord(c) for c in text if ord(c) > 0x7E and c.isprintable())
    return chars


def wanted(bold: bool = False) -> set[int]:
    cps: set[int] = set()
    for lo, hi in RANGES:
        cps.update(range(lo, hi + 1))
    cps |= gb2312((0, 1) if bold else (0, 1, 2))
    cps |= {ord(c) for c in NAME_CHARS}
    cps |= text_characters()
    return cps


def _subset(font: TTFont, unicodes: set[int]) -> None:
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += DROP_TABLES
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    options.hinting = False
    options.recalc_timestamp = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(unicodes))
    subsetter.subset(font)


def cff_to_glyf(font: TTFont) -> None:
    """CFF → TrueType outlines (fontTools Snippets/otf2ttf.py): cubic curves approximated by quadratics."""
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in glyph_order:
        tt_pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(tt_pen, MAX_ERR, reverse_direction=True))
        glyphs[name] = tt_pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = glyphs
    del font["CFF "]
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    maxp.numGlyphs = len(glyph_order)
    post = font["post"]
    post.formatType = 3.0  # no glyph names: smaller, and CID names mean nothing
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = None
    font.sfntVersion = "\x00\x01\x00\x00"


def rename(font: TTFont, family: str, style: str, source: str) -> None:
    name = font["name"]
    ps = f"{family.replace(' ', '')}-{style}"
    copyright_ = name.getDebugName(0) or ""
    version = name.getDebugName(5) or ""
    name.names = [r for r in name.names if r.nameID in (0, 8, 9, 10, 11, 12, 13, 14) and r.platformID == 3]
    desc = (f"Subset of {source} ({version.split(';')[0]}) with TrueType outlines, built by mybnpl "
            "tools/make_font.py. Modified Version under the SIL Open Font License 1.1.")
    for nid, value in ((0, copyright_), (1, family), (2, style), (3, f"{ps};mybnpl subset"),
                       (4, f"{family} {style}"), (5, f"{version.split(';')[0]}; mybnpl subset"), (6, ps),
                       (10, desc)):
        name.setName(value, nid, 3, 1, 0x409)
    font["head"].created = font["head"].modified = FIXED_TIME
    font["OS/2"].achVendID = "NONE"


def build(src: Path, index: int, unicodes: set[int], family: str, style: str, source: str) -> TTFont:
    font = TTCollection(str(src), recalcTimestamp=False).fonts[index]
    _subset(font, unicodes)
    cff_to_glyf(font)
    rename(font, family, style, source)
    return font


TARGETS = (
    # file name, source collection, index, family, style, source name, code points
    ("mybnplCJKSans-Regular.ttf", "NotoSansCJK-Regular.ttc", SC_INDEX, "mybnpl CJK Sans", "Regular",
     "Noto Sans CJK SC", False),
    ("mybnplCJKSans-Bold.ttf", "NotoSansCJK-Bold.ttc", SC_INDEX, "mybnpl CJK Sans", "Bold",
     "Noto Sans CJK SC Bold", True),
    ("mybnplCJKMono-Regular.ttf", "NotoSansCJK-Regular.ttc", MONO_SC_INDEX, "mybnpl CJK Mono", "Regular",
     "Noto Sans Mono CJK SC", None),
)


def needed(bold: bool | None) -> set[int]:
    if bold is None:
        cps: set[int] = set()
        for lo, hi in MONO_RANGES:
            cps.update(range(lo, hi + 1))
        return cps
    return wanted(bold)


def check() -> int:
    """Exit status 1 when a shipped font lacks a character it should have (and the source font has)."""
    status = 0
    extra = text_characters()
    for filename, _src, _idx, _family, _style, _source, bold in TARGETS:
        if bold is None:
            continue
        cmap = TTFont(OUT / filename, lazy=True).getBestCmap()
        # only characters that appear in our texts and are CJK/punctuation; tolerate symbols Noto lacks
        missing = sorted(c for c in extra if c not in cmap and 0x2E80 <= c <= 0xFFEF)
        if missing:
            status = 1
            print(f"{filename}: missing {''.join(map(chr, missing))}", file=sys.stderr)
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check coverage of the shipped fonts")
    parser.add_argument("--src", type=Path, default=NOTO_DIR, help="directory with NotoSansCJK-*.ttc")
    args = parser.parse_args(argv)
    if args.check:
        return check()
    OUT.mkdir(parents=True, exist_ok=True)
    for filename, src, idx, family, style, source, bold in TARGETS:
        font = build(args.src / src, idx, needed(bold), family, style, source)
        target = OUT / filename
        font.save(str(target), reorderTables=True)
        n = len(font.getBestCmap())
        print(f"{target.relative_to(ROOT)}: {n} characters, {target.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
