"""The letter editor: a QTextEdit with the few formats a letter needs (bold, underline, heading, lists), the
gaps to fill highlighted, and a print preview.

The document is read from and written to :mod:`mybnpl.core.richtext` (one Qt block per line), never to Qt's
HTML: what the editor shows is exactly what the vault keeps and the exports print. Paste inserts plain text
(a web page's fonts, colours and images are not part of a letter; the user formats what they paste).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from html import escape

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeySequence,
    QSyntaxHighlighter,
    QTextBlock,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextList,
    QTextListFormat,
)
from PySide6.QtWidgets import QHBoxLayout, QTextEdit, QToolButton, QVBoxLayout, QWidget

from mybnpl.core import richtext
from mybnpl.core.richtext import Line, LineKind, RichDoc, Run
from mybnpl.i18n import N_, _
from mybnpl.ui.widgets import on_click

GAP = re.compile(r"【[^】\n]*】|\[FILL IN[^\]\n]*\]")
HEADING_LEVEL = 2
_LIST_STYLE = {"bullet": QTextListFormat.Style.ListDisc, "number": QTextListFormat.Style.ListDecimal}


class GapHighlighter(QSyntaxHighlighter):
    """Marks 【请填写：…】 / [FILL IN: …] so the user sees what is left to fill in."""

    def highlightBlock(self, text: str) -> None:
        fmt = QTextCharFormat()
        fmt.setBackground(QColor("#ffe082"))
        for m in GAP.finditer(text):
            self.setFormat(m.start(), m.end() - m.start(), fmt)


class PlainPasteEdit(QTextEdit):
    """A QTextEdit whose paste and drop insert plain text only."""

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return source.hasText()

    def insertFromMimeData(self, source: QMimeData) -> None:
        if source.hasText():
            self.textCursor().insertText(source.text())


def _char_format(run: Run | None = None, heading: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    bold = heading or (run is not None and run.bold)
    fmt.setFontWeight(QFont.Weight.Bold if bold else QFont.Weight.Normal)
    fmt.setFontUnderline(run is not None and run.underline)
    fmt.setProperty(QTextCharFormat.Property.FontSizeAdjustment, 1 if heading else 0)
    return fmt


def fill_document(document: QTextDocument, doc: RichDoc) -> None:
    """Replace ``document`` 's content with ``doc``, one block per line."""
    document.clear()
    cursor = QTextCursor(document)
    cursor.beginEditBlock()
    previous: LineKind | None = None
    for n, ln in enumerate(doc or (Line(),)):
        block_format = QTextBlockFormat()
        block_format.setHeadingLevel(HEADING_LEVEL if ln.kind == "heading" else 0)
        if n:
            cursor.insertBlock(block_format, _char_format())
        else:
            cursor.setBlockFormat(block_format)
        for run in ln.runs:
            cursor.insertText(run.text, _char_format(run, heading=ln.kind == "heading"))
        if ln.kind in _LIST_STYLE:
            prev_list = cursor.block().previous().textList() if previous == ln.kind else None
            if prev_list is not None:
                prev_list.add(cursor.block())
            else:
                cursor.createList(_LIST_STYLE[ln.kind])
        previous = ln.kind
    cursor.endEditBlock()
    document.setModified(False)


_NUMBERED = (QTextListFormat.Style.ListDecimal, QTextListFormat.Style.ListLowerAlpha,
             QTextListFormat.Style.ListUpperAlpha, QTextListFormat.Style.ListLowerRoman,
             QTextListFormat.Style.ListUpperRoman)


def _kind(block: QTextBlock) -> LineKind:
    text_list: QTextList | None = block.textList()
    if text_list is not None:
        return "number" if text_list.format().style() in _NUMBERED else "bullet"
    return "heading" if block.blockFormat().headingLevel() > 0 else "text"


def read_document(document: QTextDocument) -> RichDoc:
    """The editor's content as rich text: each block a line, its list or heading format its kind."""
    lines: list[Line] = []
    block = document.begin()
    while block.isValid():
        kind = _kind(block)
        runs: list[Run] = []
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.isValid():
                fmt = fragment.charFormat()
                if kind == "heading":  # a heading's own bold is its look, not a style of its words
                    runs.append(Run(fragment.text()))
                else:
                    runs.append(Run(fragment.text(), fmt.fontWeight() >= QFont.Weight.DemiBold,
                                    fmt.fontUnderline()))
            it += 1
        lines.append(Line(tuple(runs), kind))
        block = block.next()
    return richtext.normalise(lines)


def preview_html(doc: RichDoc, title: str, evidence: Sequence[tuple[int, str, str]], lang: str) -> str:
    """The letter as it prints: title, body, evidence list; gaps highlighted."""
    def runs_html(runs: tuple[Run, ...]) -> str:
        out = []
        for r in runs:
            h = GAP.sub(lambda m: f"<span style='background:#ffe082'>{m.group(0)}</span>", escape(r.text, False))
            if r.bold:
                h = f"<b>{h}</b>"
            if r.underline:
                h = f"<u>{h}</u>"
            out.append(h)
        return "".join(out)

    first = next((ln.text.strip() for ln in doc if not ln.blank), "")
    parts = [f"<h2 align='center'>{escape(title)}</h2>"] if title.strip() and first != title.strip() else []
    for g in richtext.groups(doc):
        if g.kind == "heading":
            parts.append(f"<h3>{runs_html(g.lines[0])}</h3>")
        elif g.kind == "item":
            parts.append(f"<p style='margin-left:18px'>{escape(g.marker)}&nbsp;{runs_html(g.lines[0])}</p>")
        else:
            parts.append("<p>" + "<br>".join(runs_html(runs) for runs in g.lines) + "</p>")
    if evidence:
        zh = lang.startswith("zh")
        parts.append(f"<h3>{'证据清单' if zh else 'Evidence'}</h3><ol>")
        parts.extend(f"<li value='{i}'>{escape(desc)}<br><small><tt>SHA-256 {sha}</tt></small></li>"
                     for i, desc, sha in evidence)
        parts.append("</ol>")
    return "".join(parts)


# (name, label, shortcut, checkable)
ACTIONS: tuple[tuple[str, str, str, bool], ...] = (
    ("bold", N_("Bold"), "Ctrl+B", True),
    ("underline", N_("Underline"), "Ctrl+U", True),
    ("heading", N_("Heading"), "Ctrl+Alt+2", True),
    ("bullet", N_("Bulleted list"), "Ctrl+Shift+8", True),
    ("number", N_("Numbered list"), "Ctrl+Shift+7", True),
    ("clear", N_("Clear formatting"), "", False),
)
_BUTTON_TEXT = {"bold": "B", "underline": "U", "heading": "H", "bullet": "•", "number": "1.", "clear": "⌫"}


class RichEditor(QWidget):
    """Toolbar + editor. ``changed`` fires on every edit the user makes (not on :meth:`set_doc`)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = PlainPasteEdit()
        self.edit.setObjectName("letterText")
        self.edit.setAcceptRichText(False)
        self.edit.setTabChangesFocus(True)  # Tab leaves the editor (keyboard users); indents are typed as spaces
        self.highlighter = GapHighlighter(self.edit.document())
        self.buttons: dict[str, QToolButton] = {}
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setSpacing(2)
        for name, _label, shortcut, checkable in ACTIONS:
            b = QToolButton()
            b.setObjectName(f"fmt_{name}")
            b.setText(_BUTTON_TEXT[name])
            b.setCheckable(checkable)
            b.setShortcut(QKeySequence(shortcut))
            b.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            b.setAutoRaise(True)
            font = b.font()
            font.setBold(name == "bold")
            font.setUnderline(name == "underline")
            b.setFont(font)
            on_click(b, functools.partial(self.apply, name))
            self.buttons[name] = b
            bar.addWidget(b)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.edit, 1)
        self._loading = False
        self.edit.textChanged.connect(self._text_changed)
        self.edit.cursorPositionChanged.connect(self._sync_buttons)
        self.edit.currentCharFormatChanged.connect(lambda _f: self._sync_buttons())
        self.retranslate()

    # -- content ---------------------------------------------------------------------------------------------
    def set_doc(self, doc: RichDoc) -> None:
        self._loading = True
        try:
            fill_document(self.edit.document(), doc)
            self.edit.moveCursor(QTextCursor.MoveOperation.Start)
        finally:
            self._loading = False
        self._sync_buttons()

    def doc(self) -> RichDoc:
        return read_document(self.edit.document())

    def clear(self) -> None:
        self.set_doc(())

    def _text_changed(self) -> None:
        if not self._loading:
            self.changed.emit()

    # -- formatting ------------------------------------------------------------------------------------------
    def apply(self, name: str) -> None:
        """Toggle a format on the selection (or the word/line at the cursor), like a word processor."""
        cursor = self.edit.textCursor()
        cursor.beginEditBlock()
        if name in ("bold", "underline"):
            fmt = QTextCharFormat()
            on = self.buttons[name].isChecked()
            if name == "bold":
                fmt.setFontWeight(QFont.Weight.Bold if on else QFont.Weight.Normal)
            else:
                fmt.setFontUnderline(on)
            if not cursor.hasSelection():
                cursor.select(QTextCursor.SelectionType.WordUnderCursor)
            cursor.mergeCharFormat(fmt)
            self.edit.mergeCurrentCharFormat(fmt)
        elif name == "heading":
            self._set_heading(cursor, self.buttons[name].isChecked())
        elif name in _LIST_STYLE:
            self._set_list(cursor, name if self.buttons[name].isChecked() else None)
        elif name == "clear":
            self._set_list(cursor, None)
            self._set_heading(cursor, False)
            if not cursor.hasSelection():
                cursor.select(QTextCursor.SelectionType.BlockUnderCursor)
            cursor.setCharFormat(_char_format())
            self.edit.setCurrentCharFormat(_char_format())
        cursor.endEditBlock()
        self._sync_buttons()
        self.edit.setFocus()

    def _blocks(self, cursor: QTextCursor) -> list[QTextCursor]:
        """A cursor at the start of each block the selection touches."""
        doc = self.edit.document()
        first = doc.findBlock(cursor.selectionStart())
        last = doc.findBlock(cursor.selectionEnd())
        out = []
        block = first
        while block.isValid():
            c = QTextCursor(block)
            out.append(c)
            if block == last:
                break
            block = block.next()
        return out

    def _set_heading(self, cursor: QTextCursor, on: bool) -> None:
        for c in self._blocks(cursor):
            if on and c.block().textList() is not None:
                c.block().textList().remove(c.block())
            fmt = c.blockFormat()
            fmt.setHeadingLevel(HEADING_LEVEL if on else 0)
            fmt.setIndent(0)
            c.setBlockFormat(fmt)
            c.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
            c.mergeCharFormat(_char_format(heading=on))

    def _set_list(self, cursor: QTextCursor, kind: str | None) -> None:
        blocks = self._blocks(cursor)
        for c in blocks:
            text_list = c.block().textList()
            if text_list is not None:
                text_list.remove(c.block())
            fmt = c.blockFormat()
            fmt.setIndent(0)
            c.setBlockFormat(fmt)
        if kind is None or not blocks:
            return
        self._set_heading(cursor, False)
        new_list = blocks[0].createList(_LIST_STYLE[kind])
        for c in blocks[1:]:
            new_list.add(c.block())

    def _sync_buttons(self) -> None:
        cursor = self.edit.textCursor()
        fmt = self.edit.currentCharFormat()
        block = cursor.block()
        text_list = block.textList()
        style = text_list.format().style() if text_list is not None else None
        heading = block.blockFormat().headingLevel() > 0
        states = {
            "bold": fmt.fontWeight() >= QFont.Weight.DemiBold and not heading,
            "underline": fmt.fontUnderline(),
            "heading": heading,
            "bullet": style == QTextListFormat.Style.ListDisc,
            "number": style == QTextListFormat.Style.ListDecimal,
        }
        for name, on in states.items():
            self.buttons[name].setChecked(on)

    def set_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)
        for b in self.buttons.values():
            b.setEnabled(not read_only)

    def retranslate(self) -> None:
        for name, label, shortcut, _checkable in ACTIONS:
            b = self.buttons[name]
            text = _(label)
            b.setToolTip(f"{text} ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})")
            b.setAccessibleName(text)
        self.edit.setAccessibleName(_("Letter text"))
