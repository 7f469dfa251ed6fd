"""Checking that a UserError reads as a Chinese sentence: no English words outside its parameters."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from mybnpl import i18n
from mybnpl.core.errors import UserError

# Words that stay as they are in the Chinese text: units, product names, commands and values the user types.
KEPT = {"MiB", "ISO", "SQLCipher", "SQLite", "mybnpl", "sqlcipher3", "wheel", "findings", "confirm", "open",
        "confirmed", "dismissed", "true", "false"}


@contextmanager
def chinese() -> Iterator[None]:
    i18n.set_language("zh_CN")
    try:
        yield
    finally:
        i18n.set_language("en")


def zh_error(call: Callable[[], Any], code: str, exc: type[UserError] = UserError) -> str:
    """Run ``call`` with Chinese active; it must raise ``exc`` with ``code``. Returns the Chinese text, after
    checking that it has Chinese in it and no English word besides the parameters (numbers, ids, file names)."""
    with chinese(), pytest.raises(exc) as info:
        call()
    err = info.value
    assert err.code == code
    with chinese():
        text = i18n.error_text(err)
    rest = text
    for v in sorted((str(v) for v in err.params.values()), key=len, reverse=True):
        rest = rest.replace(v, " ")
    assert re.search(r"[\u4e00-\u9fff]", text), text
    assert not set(re.findall(r"[A-Za-z]{3,}", rest)) - KEPT, text
    assert "{" not in text, text
    return text
