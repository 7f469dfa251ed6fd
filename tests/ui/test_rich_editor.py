"""The letter editor: rich text in and out of a real QTextDocument, the toolbar, plain-text paste, gaps."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from mybnpl.core import richtext
from mybnpl.core.richtext import Line, Run
from mybnpl.ui.rich_editor import RichEditor, preview_html

DOC = richtext.normalise([
    Line((Run("张三"),)), Line((Run("北京市"),)), Line(()),
    Line((Run("请求事项"),), "heading"),
    Line((Run("关闭", bold=True), Run("花呗")), "number"), Line((Run("退款", underline=True),), "number"),
    Line((Run("截图"),), "bullet"), Line((Run("聊天记录"),), "bullet"),
    Line(()), Line((Run("请于"), Run("15日内", bold=True, underline=True), Run("答复。【请填写：您的姓名】"))),
])


def _editor(qtbot: QtBot) -> RichEditor:
    editor = RichEditor()
    qtbot.addWidget(editor)
    return editor


def test_a_document_comes_back_as_it_went_in(qtbot: QtBot) -> None:
    editor = _editor(qtbot)
    with qtbot.assertNotEmitted(editor.changed):
        editor.set_doc(DOC)
    assert editor.doc() == DOC
    assert editor.edit.document().blockCount() == len(DOC)
    assert editor.edit.document().findBlockByNumber(4).textList() is editor.edit.document().findBlockByNumber(
        5).textList()  # consecutive items form one list: Qt numbers them 1, 2
    editor.set_doc(richtext.from_text("only text\n\nmore"))
    assert richtext.is_plain(editor.doc()) and richtext.to_text(editor.doc()) == "only text\n\nmore"


_runs = st.lists(st.builds(Run, st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
                                        max_size=6), st.booleans(), st.booleans()), max_size=3)
_lines = st.lists(st.builds(Line, _runs.map(tuple), st.sampled_from(richtext.KINDS)), max_size=6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_lines)
def test_any_document_survives_the_editor(qtbot: QtBot, lines: list[Line]) -> None:
    editor = RichEditor()
    try:
        doc = richtext.normalise(lines)
        editor.set_doc(doc)
        expected = tuple(Line((Run(ln.text),), "heading") if ln.kind == "heading" else ln for ln in doc)
        assert editor.doc() == richtext.normalise(list(expected))
    finally:
        editor.deleteLater()


def _select_block(editor: RichEditor, n: int) -> None:
    block = editor.edit.document().findBlockByNumber(n)
    cursor = QTextCursor(block)
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
    editor.edit.setTextCursor(cursor)


def test_toolbar_formats_the_selection(qtbot: QtBot) -> None:
    editor = _editor(qtbot)
    editor.set_doc(richtext.from_text("Heading\nfirst\nsecond\nplain words"))
    with qtbot.waitSignal(editor.changed):
        _select_block(editor, 0)
        qtbot.mouseClick(editor.buttons["heading"], Qt.MouseButton.LeftButton)
    cursor = QTextCursor(editor.edit.document().findBlockByNumber(1))
    cursor.setPosition(editor.edit.document().findBlockByNumber(2).position() + 2, QTextCursor.MoveMode.KeepAnchor)
    editor.edit.setTextCursor(cursor)
    qtbot.mouseClick(editor.buttons["number"], Qt.MouseButton.LeftButton)
    _select_block(editor, 3)
    qtbot.mouseClick(editor.buttons["bold"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(editor.buttons["underline"], Qt.MouseButton.LeftButton)
    doc = editor.doc()
    assert [ln.kind for ln in doc] == ["heading", "number", "number", "text"]
    assert doc[3].runs == (Run("plain words", bold=True, underline=True),)
    assert richtext.to_text(doc) == "Heading\n1. first\n2. second\nplain words"
    # the toolbar shows the format at the cursor, and toggles it off again
    _select_block(editor, 1)
    assert editor.buttons["number"].isChecked() and not editor.buttons["bullet"].isChecked()
    qtbot.mouseClick(editor.buttons["bullet"], Qt.MouseButton.LeftButton)
    assert editor.doc()[1].kind == "bullet" and editor.doc()[2].kind == "number"
    _select_block(editor, 3)
    qtbot.mouseClick(editor.buttons["clear"], Qt.MouseButton.LeftButton)
    assert editor.doc()[3] == Line((Run("plain words"),))
    _select_block(editor, 0)
    qtbot.mouseClick(editor.buttons["heading"], Qt.MouseButton.LeftButton)
    assert editor.doc()[0] == Line((Run("Heading"),))


def test_paste_is_plain_text_and_read_only_disables_the_toolbar(qtbot: QtBot) -> None:
    editor = _editor(qtbot)
    editor.set_doc(())
    mime = QMimeData()
    mime.setHtml("<p style='color:red'><b>loud</b> <img src='http://x/y.png'> text</p>")
    mime.setText("loud text")
    editor.edit.insertFromMimeData(mime)
    assert editor.doc() == (Line((Run("loud text"),)),)
    editor.set_read_only(True)
    assert editor.edit.isReadOnly() and not any(b.isEnabled() for b in editor.buttons.values())
    assert all(b.accessibleName() and b.toolTip() for b in editor.buttons.values())


def test_gaps_are_highlighted_in_the_editor_and_the_preview(qtbot: QtBot) -> None:
    editor = _editor(qtbot)
    editor.set_doc(DOC)
    block = editor.edit.document().lastBlock()
    formats = block.layout().formats()
    gap_start = block.text().index("【")
    assert any(f.start == gap_start and f.format.background().color().name() == "#ffe082" for f in formats)
    html = preview_html(DOC, "投诉信", [(3, "截图 <img>", "ab" * 32)], "zh")
    assert "<h2 align='center'>投诉信</h2>" in html and "<b>关闭</b>" in html and "<u><b>15日内</b></u>" in html
    assert "background:#ffe082'>【请填写：您的姓名】" in html and "&lt;img&gt;" in html and "证据清单" in html
    assert "1.&nbsp;" in html and "2.&nbsp;" in html and "•&nbsp;" in html
