"""Evidence files for dossier tests and the benchmark: screenshots, photos, PDFs (plain, encrypted, broken)."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw

from mybnpl import pdfdoc


def screenshot_png(width: int = 1080, height: int = 2340, seed: int = 1, mode: str = "RGB",
                   noise: int = 6) -> bytes:
    """A phone-screenshot-like PNG: bars, text-like strokes, and pixel noise so it does not compress to nothing."""
    rng = random.Random(seed)
    im = Image.new("RGB", (width, height), (246, 246, 246))
    draw = ImageDraw.Draw(im)
    draw.rectangle((0, 0, width, height // 12), fill=(255, 196, 0))
    for y in range(height // 10, height, max(height // 40, 8)):
        x = rng.randrange(20, max(21, width // 8))
        draw.rectangle((x, y, x + rng.randrange(width // 4, width - x), y + max(height // 120, 3)),
                       fill=(rng.randrange(40, 90),) * 3)
    if noise:
        grain = Image.effect_noise((width, height), noise * 8).convert("RGB")
        im = Image.blend(im, grain, 0.08)
    if mode != "RGB":
        im = im.convert(mode)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def photo_jpeg(width: int = 800, height: int = 600) -> bytes:
    im = Image.open(io.BytesIO(screenshot_png(width, height, seed=7))).convert("RGB")
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def statement_pdf(pages: int = 3, label: str = "美团月付 账单 statement") -> bytes:
    """A multi-page PDF with embedded fonts (so pdffonts stays all-embedded after merging)."""
    blocks: list[pdfdoc.Block | pdfdoc.Extra] = []
    for n in range(pages):
        if n:
            blocks.append(pdfdoc.PageBreak())
        blocks += [pdfdoc.Heading(f"{label} — page {n + 1}"),
                   pdfdoc.Table(("日期 date", "商户 merchant", "金额 amount"),
                                tuple((f"2026-10-{d:02d}", "美团外卖", f"{d * 13}.50") for d in range(1, 25)))]
    return pdfdoc.render_pdf(blocks, title=label, lang="zh", invariant=True)


def encrypted_pdf() -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    c = Canvas(buf, encrypt="secret-password")
    c.drawString(72, 720, "locked statement")
    c.showPage()
    c.save()
    return buf.getvalue()
