"""Icons: the application icon and the line icons of the navigation, tinted to the current palette."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImage, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from mybnpl.resources import resource_path

_SIZES = (16, 24, 32, 48, 64, 128, 256)


def _render(svg: bytes, size: int, dpr: float = 1.0) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(svg))
    px = round(size * dpr)
    image = QImage(px, px, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, px, px))
    painter.end()
    pixmap = QPixmap.fromImage(image)
    pixmap.setDevicePixelRatio(dpr)
    return pixmap


def app_icon() -> QIcon:
    icon = QIcon()
    svg_path = resource_path("icons", "mybnpl.svg")
    if svg_path.is_file():
        data = svg_path.read_bytes()
        for size in _SIZES:
            icon.addPixmap(_render(data, size))
    png = resource_path("icons", "mybnpl-256.png")
    if icon.isNull() and png.is_file():
        icon.addFile(str(png), QSize(256, 256))
    return icon


def _tint(color: QColor | None) -> str:
    if color is None:
        app = QGuiApplication.instance()
        palette = QGuiApplication.palette() if app is not None else QPalette()
        color = palette.color(QPalette.ColorRole.WindowText)
    return color.name()


def line_icon(name: str, color: QColor | None = None) -> QIcon:
    """``resources/icons/nav/<name>.svg`` with ``currentColor`` replaced by ``color`` (palette text colour)."""
    path = resource_path("icons", "nav", f"{name}.svg")
    if not path.is_file():
        return QIcon()
    data = path.read_bytes().replace(b"currentColor", _tint(color).encode("ascii"))
    icon = QIcon()
    for size in (16, 20, 24, 32, 48, 64):
        icon.addPixmap(_render(data, size, 1.0))
        icon.addPixmap(_render(data, size, 2.0))
    return icon


def line_pixmap(name: str, size: int, color: QColor | None = None, dpr: float = 2.0) -> QPixmap:
    path = resource_path("icons", "nav", f"{name}.svg")
    if not path.is_file():
        return QPixmap()
    data = path.read_bytes().replace(b"currentColor", _tint(color).encode("ascii"))
    return _render(data, size, dpr)


def write_app_png(size: int = 256) -> None:
    """Regenerate ``resources/icons/mybnpl-<size>.png`` from the SVG (run by hand after editing the SVG)."""
    data = resource_path("icons", "mybnpl.svg").read_bytes()
    _render(data, size).save(str(resource_path("icons", f"mybnpl-{size}.png")), "PNG")
