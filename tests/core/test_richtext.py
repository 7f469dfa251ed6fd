"""Letter rich text: plain text in and out unchanged, styles and list markers, the stored JSON and what it
refuses."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mybnpl.core import richtext as rt
from mybnpl.core.errors import InvalidInput
from mybnpl.core.richtext import Line, Run

PLAIN = "张三\n北京市朝阳区\n\n尊敬的先生/女士：\n\n　　本人请求：\n1. 关闭账户；\n2. 退款。\n\n此致"


def test_plain_text_round_trips_and_is_plain() -> None:
    doc = rt.from_text(PLAIN + "\n\n\n")
    assert rt.to_text(doc) == PLAIN  # trailing blank lines dropped, nothing else changes
    assert rt.is_plain(doc)
    assert rt.from_json(rt.to_json(doc)) == doc


def test_styles_lists_and_headings() -> None:
    doc = rt.normalise([
        Line((Run("Request"),), "heading"),
        Line((Run("Please "), Run("close", bold=True), Run(" it", bold=False), Run(" now", underline=True))),
        Line((Run("first"),), "number"),
        Line((Run("second"),), "number"),
        Line((Run("a point"),), "bullet"),
        Line((Run("again"),), "number"),
        Line((Run("line one\nline two", bold=True),)),
    ])
    assert not rt.is_plain(doc)
    assert rt.to_text(doc) == ("Request\nPlease close it now\n1. first\n2. second\n• a point\n1. again\n"
                               "line one\nline two")
    assert doc[1].runs == (Run("Please "), Run("close", bold=True), Run(" it"), Run(" now", underline=True))
    assert doc[-2].runs == (Run("line one", bold=True),) and doc[-1].runs == (Run("line two", bold=True),)
    groups = rt.groups(doc)
    assert [(g.kind, g.marker) for g in groups] == [("heading", ""), ("paragraph", ""), ("item", "1."),
                                                    ("item", "2."), ("item", "•"), ("item", "1."),
                                                    ("paragraph", "")]
    assert len(groups[-1].lines) == 2
    assert rt.from_json(rt.to_json(doc)) == doc


def test_empty_list_items_become_blank_lines() -> None:
    doc = rt.normalise([Line((Run("x"),)), Line((), "bullet"), Line((Run("y"),))])
    assert [g.kind for g in rt.groups(doc)] == ["paragraph", "paragraph"]


@pytest.mark.parametrize("raw", [
    "", "not json", "{}", "[1]", '[["text"]]', '[["shout", []]]', '[["text", [["a", 4]]]]',
    '[["text", [["a", true]]]]', '[["text", [[1, 0]]]]', '[["text", [["a\\u0000", 0]]]]',
    '[["text", "abc"]]',
])
def test_from_json_refuses_anything_else(raw: str) -> None:
    with pytest.raises(InvalidInput):
        rt.from_json(raw)


def test_from_json_refuses_huge_input() -> None:
    with pytest.raises(InvalidInput, match="too large"):
        rt.from_json(json.dumps([["text", [["x" * (rt.MAX_JSON + 1), 0]]]]))


_runs = st.lists(st.builds(Run, st.text(max_size=12), st.booleans(), st.booleans()), max_size=4)
_lines = st.lists(st.builds(Line, _runs.map(tuple), st.sampled_from(rt.KINDS)), max_size=8)


@given(_lines)
def test_any_document_survives_json_and_keeps_its_text(lines: list[Line]) -> None:
    doc = rt.normalise(lines)
    assert rt.from_json(rt.to_json(doc)) == doc
    assert rt.normalise(doc) == doc  # normalising is idempotent
    assert "\n" not in "".join(ln.text for ln in doc)
