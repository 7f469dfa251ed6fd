"""Small shared widgets: page header, empty state, passphrase fields."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QAbstractItemModel, QDate, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mybnpl.i18n import N_, _, tr
from mybnpl.ui.icons import line_pixmap

MIN_PASSPHRASE = 8
EMPTY_TEXT_WIDTH = 540


ERROR_TEXT = "#c62828"  # the serious-finding red: readable on light and dark palettes


def on_click(source: QAbstractButton | QAction, fn: Callable[[], object]) -> None:
    """Call ``fn()`` when the button is clicked or the action triggered. The signal's ``checked`` argument is
    dropped on purpose: connected directly, a method with an optional first parameter (``export(path=None)``)
    would receive ``False`` for it. Every button and action of the UI is connected through here (a test checks)."""
    signal = source.clicked if isinstance(source, QAbstractButton) else source.triggered
    signal.connect(lambda *_args: fn())


def heading(text: str = "", scale: float = 1.5, bold: bool = True) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(bold)
    label.setFont(font)
    label.setAccessibleName(text)
    return label


def row_table(name: str, model: QAbstractItemModel, widths: tuple[int, ...] = (), *, alternate: bool = False,
              wrap: bool = True) -> QTableView:
    """A list shown as a table: whole rows selected one at a time, no row numbers, no grid, the given column
    widths and the last column stretched."""
    table = QTableView()
    table.setObjectName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.setShowGrid(False)
    table.setAlternatingRowColors(alternate)
    table.setWordWrap(wrap)
    header = table.horizontalHeader()
    for col, width in enumerate(widths):
        header.resizeSection(col, width)
    header.setStretchLastSection(True)
    return table


def soft_color(palette: QPalette) -> QColor:
    """Half-way between text and background: for secondary text and decorative icons."""
    a = palette.color(QPalette.ColorRole.WindowText)
    b = palette.color(QPalette.ColorRole.Window)
    return QColor((a.red() + b.red()) // 2, (a.green() + b.green()) // 2, (a.blue() + b.blue()) // 2)


def muted(label: QLabel) -> QLabel:
    pal = label.palette()
    a = pal.color(QPalette.ColorRole.WindowText)
    b = pal.color(QPalette.ColorRole.Window)
    # Two thirds of the way to the text colour: readable, yet clearly secondary.
    pal.setColor(QPalette.ColorRole.WindowText, QColor((2 * a.red() + b.red()) // 3,
                                                       (2 * a.green() + b.green()) // 3,
                                                       (2 * a.blue() + b.blue()) // 3))
    label.setPalette(pal)
    return label


def set_text(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setAccessibleName(text.replace("&", ""))


class EmptyState(QWidget):
    """A friendly placeholder: an icon, a title and one or two sentences (msgids, retranslated)."""

    def __init__(self, icon: str, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title_id, self._text_id = title, text
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        self.icon_label = QLabel()
        self.icon_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.icon_label.setPixmap(line_pixmap(icon, 72, soft_color(self.palette())))
        self.title_label = heading(scale=1.35)
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title_label.setObjectName("emptyTitle")
        self.text_label = muted(QLabel())
        self.text_label.setObjectName("emptyText")
        self.text_label.setWordWrap(True)
        self.text_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text_label.setFixedWidth(EMPTY_TEXT_WIDTH)  # a fixed width gives word-wrap a definite height
        layout.addWidget(self.icon_label)
        layout.addSpacing(8)
        layout.addWidget(self.title_label)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.text_label)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(3)
        self.retranslate()

    def set_texts(self, title: str, text: str) -> None:
        self._title_id, self._text_id = title, text
        self.retranslate()

    def retranslate(self) -> None:
        set_text(self.title_label, _(self._title_id))
        set_text(self.text_label, _(self._text_id))


def strength_bits(passphrase: str) -> float:
    """A rough entropy estimate: length × log2(alphabet), discounted for repeated characters."""
    if not passphrase:
        return 0.0
    alphabet = 0
    if any(c.islower() and c.isascii() for c in passphrase):
        alphabet += 26
    if any(c.isupper() and c.isascii() for c in passphrase):
        alphabet += 26
    if any(c.isdigit() and c.isascii() for c in passphrase):
        alphabet += 10
    if any(not c.isalnum() and c.isascii() for c in passphrase):
        alphabet += 33
    if any(not c.isascii() for c in passphrase):
        alphabet += 3000  # CJK and other scripts
    unique = len(set(passphrase))
    effective = min(len(passphrase), unique * 2)
    return effective * math.log2(max(alphabet, 2))


def strength_text(passphrase: str) -> str:
    if len(passphrase) < MIN_PASSPHRASE:
        return tr(N_("Too short: use at least {minimum} characters."), minimum=MIN_PASSPHRASE)
    bits = strength_bits(passphrase)
    if bits < 45:
        return _("Weak: a few unrelated words are easier to remember and much harder to guess.")
    if bits < 70:
        return _("Fair: adding another word makes it much stronger.")
    return _("Strong.")


class PassphraseFields(QWidget):
    """New passphrase + confirmation + strength hint. ``acceptable`` when long enough and both match."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.first = QLineEdit()
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.first.setObjectName("passphrase")
        self.second = QLineEdit()
        self.second.setEchoMode(QLineEdit.EchoMode.Password)
        self.second.setObjectName("passphraseConfirm")
        self.first_label = QLabel()
        self.first_label.setBuddy(self.first)
        self.second_label = QLabel()
        self.second_label.setBuddy(self.second)
        self.show_box = QCheckBox()
        self.show_box.toggled.connect(self._toggle_echo)
        self.hint = muted(QLabel())
        self.hint.setWordWrap(True)
        self.hint.setObjectName("strengthHint")
        form.addRow(self.first_label, self.first)
        form.addRow(self.second_label, self.second)
        form.addRow("", self.show_box)
        form.addRow("", self.hint)
        self.first.textChanged.connect(self._update)
        self.second.textChanged.connect(self._update)
        self.setTabOrder(self.first, self.second)
        self.setTabOrder(self.second, self.show_box)
        self.retranslate()

    def _toggle_echo(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.first.setEchoMode(mode)
        self.second.setEchoMode(mode)

    def passphrase(self) -> str:
        return self.first.text()

    def acceptable(self) -> bool:
        p = self.first.text()
        return len(p) >= MIN_PASSPHRASE and p == self.second.text()

    def clear(self) -> None:
        self.first.clear()
        self.second.clear()

    def _update(self) -> None:
        p, q = self.first.text(), self.second.text()
        mismatch = bool(p and q and p != q and len(q) >= min(len(p), MIN_PASSPHRASE))
        if not p:
            text = tr(N_("Use at least {minimum} characters; a short sentence works well."),
                      minimum=MIN_PASSPHRASE)
        elif mismatch:
            text = _("The two passphrases do not match.")
        else:
            text = strength_text(p)
        self.hint.setStyleSheet(f"color: {ERROR_TEXT};" if mismatch else "")  # a mistake reads as one, not grey
        set_text(self.hint, text)
        self.changed.emit()

    def retranslate(self) -> None:
        self.first_label.setText(_("&Passphrase:"))
        self.second_label.setText(_("&Repeat it:"))
        self.first.setAccessibleName(_("Passphrase"))
        self.second.setAccessibleName(_("Repeat passphrase"))
        self.show_box.setText(_("Show passphrase"))
        self._update()


def date_picker(day: date, latest: date | None = None) -> QDateEdit:
    """A YYYY-MM-DD date field with a calendar pop-up, set to ``day``; no later than ``latest`` if given."""
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    if latest is not None:
        edit.setMaximumDate(QDate(latest.year, latest.month, latest.day))
    edit.setDate(QDate(day.year, day.month, day.day))
    return edit


def picked(edit: QDateEdit) -> date:
    d = edit.date()
    return date(d.year(), d.month(), d.day())
