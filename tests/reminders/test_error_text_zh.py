"""Reminder and autostart errors render as Chinese sentences."""

from __future__ import annotations

from pathlib import Path

from mybnpl.reminders import autostart
from mybnpl.reminders.plan import ReminderAction, check_offsets, next_state, parse_reminder_id

from ..zh_errors import zh_error


def test_reminder_errors_are_chinese(tmp_path: Path) -> None:
    assert "提醒天数" in zh_error(lambda: check_offsets([999]), "invalid_input")
    assert "最多" in zh_error(lambda: check_offsets(range(20)), "invalid_input")
    assert "不是提醒编号" in zh_error(lambda: parse_reminder_id("x1"), "invalid_input")
    assert "再次提醒的时间" in zh_error(lambda: next_state(None, ReminderAction.SNOOZED, None), "invalid_input")
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    assert "开机启动命令为空" in zh_error(lambda: autostart.enable("linux", home=tmp_path, environ=env, command=[]),
                                         "invalid_input")
    assert "换行" in zh_error(lambda: autostart.enable("linux", home=tmp_path, environ=env, command=["a\nb"]),
                              "invalid_input")
