"""``cn_common._table_end`` (blocks tested at C level) finds the same line as testing every line."""

from __future__ import annotations

import pytest

from mybnpl.importers import cn_common

ROW = "2024-01-01 10:00:00,shop,1.00,"
ENDS = ["", ",,,", "  \t", " ,\u3000", "---", "  ----sep----", "===", "\u3000===x"]
NOT_ENDS = [" 2024-01-01,x", "-1.00,x", "=x", ",a,", "\u3000a", "\tb,"]


def _reference(lines: list[str], first: int) -> int | None:
    return next((j for j in range(first, len(lines)) if cn_common._ends_table(lines[j])), None)


@pytest.mark.parametrize("odd", ENDS + NOT_ENDS)
@pytest.mark.parametrize("at", [0, 1, 4095, 4096, 4097, 9000, 12287])
def test_same_line_as_the_line_by_line_test(odd: str, at: int) -> None:
    lines = [ROW] * 12288
    lines[at] = odd
    for first in (0, 5, 4096):
        assert cn_common._table_end(lines, first) == _reference(lines, first)


def test_lines_that_only_look_like_an_end_at_their_start() -> None:
    lines = [ROW] * 5000 + NOT_ENDS * 100 + [ROW] * 5000 + ["---"] + [ROW] * 10
    assert cn_common._table_end(lines, 0) == _reference(lines, 0) == 10600
