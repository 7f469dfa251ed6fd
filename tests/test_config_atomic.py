from __future__ import annotations

import os
from pathlib import Path

import pytest

from mybnpl.atomic import write_atomic
from mybnpl.config import SETTINGS, Config, setting
from mybnpl.core.errors import InvalidInput
from mybnpl.paths import resolve_vault_path

from .zh_errors import zh_error


def test_settings_declared_once_and_persisted(tmp_path: Path) -> None:
    assert len({s.key for s in SETTINGS}) == len(SETTINGS)
    cfg = Config(tmp_path / "settings.json")
    assert cfg.get("idle_lock_minutes") == 5
    cfg.set("idle_lock_minutes", "10")
    cfg.set("language", "zh_CN")
    again = Config(tmp_path / "settings.json")
    assert again.get("idle_lock_minutes") == 10 and again.get("language") == "zh_CN"
    with pytest.raises(InvalidInput):
        cfg.set("idle_lock_minutes", 100000)
    with pytest.raises(InvalidInput):
        cfg.set("no_such_setting", 1)


def test_corrupt_settings_file_falls_back_to_defaults(tmp_path: Path) -> None:
    p = tmp_path / "settings.json"
    p.write_text("{not json")
    assert Config(p).get("language") == "auto"


def test_atomic_write_failure_leaves_target_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.bin"
    write_atomic(target, b"old")

    def boom(*_a: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]


def test_vault_path_resolution(tmp_path: Path) -> None:
    assert resolve_vault_path("/x/y.mybnpl", {}) == Path("/x/y.mybnpl")
    assert resolve_vault_path(None, {"MYBNPL_VAULT": "/a/b"}) == Path("/a/b")
    assert resolve_vault_path(None, {}).name == "vault.mybnpl"


def test_settings_errors_are_chinese(tmp_path: Path) -> None:
    cfg = Config(tmp_path / "settings.json")
    assert "未知的设置项" in zh_error(lambda: setting("colour"), "invalid_input")
    assert "true 或 false" in zh_error(lambda: cfg.set("minimize_to_tray", "maybe"), "invalid_input")
    assert "整数" in zh_error(lambda: cfg.set("idle_lock_minutes", "soon"), "invalid_input")
    assert "0 到 240" in zh_error(lambda: cfg.set("idle_lock_minutes", 999), "invalid_input")
    assert "以下之一" in zh_error(lambda: cfg.set("language", "fr"), "invalid_input")
