"""Image evidence → a :class:`mybnpl.pdfdoc.PreparedImage` to embed without loss.

PNG (8-bit grey or RGB, not interlaced) and JPEG pass through byte for byte: the PNG's IDAT zlib stream is valid
PDF Flate data with the PNG predictors, and a JPEG is a DCT stream. Anything else Pillow reads (alpha, palette,
16 bits, GIF, WebP, BMP, TIFF) is decoded and stored Flate-compressed — lossless — with its alpha channel as a
soft mask; larger than :data:`MAX_DECODE_SIDE` it is scaled down for display only (the original is attached to
the dossier). Nothing is ever re-encoded lossily.
"""

from __future__ import annotations

import io
from typing import Any

from mybnpl.pdfdoc import PreparedImage


class ImageError(ValueError):
    """The bytes are not an image this module can embed (the message says why, in English)."""


MAX_DECODE_SIDE = 4000  # images decoded for display (not passed through) are scaled down to this long side
MAX_PIXELS = 60_000_000  # larger images are refused (decompression bombs)


def _png_passthrough(data: bytes) -> PreparedImage | None:
    """8-bit grey or RGB, non-interlaced PNG: its IDAT zlib stream is valid PDF Flate data with the PNG
    predictors, embedded byte for byte (no decoding, no recompression)."""
    import struct
    import zlib

    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    pos, idat, header = 8, [], None
    while pos + 8 <= len(data):
        (length,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        crc = data[pos + 8 + length:pos + 12 + length]
        if len(body) != length or len(crc) != 4 or zlib.crc32(kind + body) != struct.unpack(">I", crc)[0]:
            raise ImageError("damaged PNG (chunk checksum)")
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    if header is None or not idat:
        raise ImageError("damaged PNG (no header or no image data)")
    width, height, depth, color, _comp, _filt, interlace = header
    if width * height > MAX_PIXELS:
        raise ImageError(f"image too large to show ({width}×{height} pixels)")
    if depth != 8 or color not in (0, 2) or interlace:
        return None
    colors_ = 1 if color == 0 else 3
    return PreparedImage(width, height, "DeviceGray" if color == 0 else "DeviceRGB", 8, "FlateDecode",
                         b"".join(idat), (("Predictor", 15), ("Colors", colors_), ("BitsPerComponent", 8),
                                          ("Columns", width)))


def _jpeg_passthrough(data: bytes) -> PreparedImage | None:
    from reportlab.pdfbase.pdfutils import readJPEGInfo

    if not data.startswith(b"\xff\xd8\xff"):
        return None
    try:
        info: Any = readJPEGInfo(io.BytesIO(data))
        width, height, comps = info[0], info[1], info[2]
    except Exception as e:  # reportlab raises its own PDFError on damaged markers
        raise ImageError("damaged JPEG") from e
    if width * height > MAX_PIXELS:
        raise ImageError(f"image too large to show ({width}×{height} pixels)")
    space = {1: "DeviceGray", 3: "DeviceRGB", 4: "DeviceCMYK"}.get(comps)
    if space is None:
        return None
    return PreparedImage(width, height, space, 8, "DCTDecode", data, invert=comps == 4)


def _decoded(data: bytes) -> PreparedImage:
    """Any other image Pillow reads (GIF, WebP, BMP, PNG with alpha, palette or 16 bits): decoded and stored
    Flate-compressed — lossless — with its alpha channel as a soft mask; scaled down (never up) to
    :data:`MAX_DECODE_SIDE` for display when larger (the original travels as an attachment)."""
    import warnings
    import zlib

    from PIL import Image as PILImage

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            im: Any = PILImage.open(io.BytesIO(data))
            if im.width * im.height > MAX_PIXELS:
                raise ImageError(f"image too large to show ({im.width}×{im.height} pixels)")
            im.seek(0)
            im.load()
    except ImageError:
        raise
    except Exception as e:  # Pillow raises many types for damaged or unknown files
        raise ImageError("not an image this program can show") from e
    original = (im.width, im.height)
    scaled = None
    if max(original) > MAX_DECODE_SIDE:
        im.thumbnail((MAX_DECODE_SIDE, MAX_DECODE_SIDE), PILImage.Resampling.LANCZOS)
        scaled = original
    has_alpha = im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info)
    if has_alpha and im.mode != "RGBA":
        im = im.convert("RGBA")
    smask = None
    if has_alpha:
        alpha = im.getchannel("A")
        smask = PreparedImage(alpha.width, alpha.height, "DeviceGray", 8, "FlateDecode",
                              zlib.compress(alpha.tobytes(), 1), passthrough=False)
        del alpha
    if im.mode == "CMYK":
        space = "DeviceCMYK"
    elif im.mode in ("L", "1", "I;16", "I") and not has_alpha:
        im, space = im.convert("L"), "DeviceGray"
    else:
        im, space = im.convert("RGB"), "DeviceRGB"
    return PreparedImage(im.width, im.height, space, 8, "FlateDecode", zlib.compress(im.tobytes(), 1),
                         smask=smask, passthrough=False, scaled_from=scaled)


def prepare_image(data: bytes) -> PreparedImage:
    """Bytes of a PNG, JPEG, GIF, WebP, BMP… → an image to embed without loss. PNG (8-bit grey/RGB) and JPEG
    pass through unchanged; the rest is decoded and Flate-compressed. Raises :class:`ImageError`."""
    return _png_passthrough(data) or _jpeg_passthrough(data) or _decoded(data)
