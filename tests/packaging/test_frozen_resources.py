"""In a PyInstaller bundle, resources/ sits under ``sys._MEIPASS`` and wins over the other candidates."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mybnpl import resources


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    resources.resources_root.cache_clear()
    yield
    resources.resources_root.cache_clear()


def test_frozen_bundle_resources_come_from_meipass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundled = tmp_path / "_internal" / "resources"
    (bundled / "translations").mkdir(parents=True)
    (bundled / "providers.json").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "_internal"), raising=False)
    assert resources.resources_root() == bundled
    assert resources.resource_path("fonts", "x.ttf") == bundled / "fonts" / "x.ttf"


def test_a_meipass_without_resources_falls_back_to_the_checkout(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)  # e.g. another frozen app embedding us
    root = resources.resources_root()
    assert root != tmp_path / "resources"
    assert (root / "providers.json").is_file()


def test_without_meipass_the_checkout_or_wheel_copy_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)
    root = resources.resources_root()
    assert (root / "providers.json").is_file()
    assert (root / "translations" / "zh_CN" / "LC_MESSAGES" / "mybnpl.mo").is_file()
