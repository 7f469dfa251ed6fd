"""A findings-rules error starts with a Chinese sentence (the rules file's own detail stays technical)."""

from __future__ import annotations

import pytest

from mybnpl import i18n
from mybnpl.core.errors import InvalidInput
from mybnpl.detect.rules import parse_rules

from ..zh_errors import chinese


def test_rules_error_starts_with_a_chinese_sentence() -> None:
    with pytest.raises(InvalidInput) as e:
        parse_rules({})
    assert e.value.code == "invalid_input"
    with chinese():
        assert i18n.error_text(e.value).startswith("发现规则无效：")
