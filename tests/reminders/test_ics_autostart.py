"""The .ics document (parsed back with icalendar) and the autostart files of each platform."""

from __future__ import annotations

import configparser
import plistlib
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from mybnpl.core.errors import InvalidInput
from mybnpl.reminders import autostart
from mybnpl.reminders.ics import build_ics, trigger, uid
from mybnpl.reminders.model import DueKind

from .helpers import item

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _names(pid: str) -> str:
    return {"klarna": "Klarna", "huabei": "花呗"}.get(pid, pid)


def test_events_alarms_and_cancellations() -> None:
    today = date(2026, 12, 1)
    entries = [
        (item(date(2026, 12, 10), "25.00", id=1, today=today), (3, 1, 0)),
        (item(date(2027, 1, 31), "100", "CNY", id=2, today=today, provider="huabei", kind=DueKind.STATEMENT),
         (7,)),
        (item(date(2026, 11, 20), id=3, today=today, paid_on=date(2026, 11, 20)), (3, 1, 0)),
    ]
    cal = Calendar.from_ical(build_ics(entries, token="abc123", now=NOW, privacy=False, provider_name=_names))
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"installment-1@mybnpl.abc123", "statement-2@mybnpl.abc123",
                           "installment-3@mybnpl.abc123"}
    inst = events["installment-1@mybnpl.abc123"]
    assert inst.decoded("DTSTART") == date(2026, 12, 10) and not isinstance(inst.decoded("DTSTART"), datetime)
    assert inst.decoded("DTEND") == date(2026, 12, 11)
    assert str(inst["SUMMARY"]) == "Klarna: £25.00 due"
    triggers = sorted((a.decoded("TRIGGER") for a in inst.walk("VALARM")), reverse=True)
    # 09:00 three days, one day and zero days before the all-day event's start.
    assert triggers == [timedelta(hours=9), timedelta(days=-1, hours=9), timedelta(days=-3, hours=9)]
    assert all(str(a["ACTION"]) == "DISPLAY" and str(a["DESCRIPTION"]) for a in inst.walk("VALARM"))
    stmt = events["statement-2@mybnpl.abc123"]
    assert [a.decoded("TRIGGER") for a in stmt.walk("VALARM")] == [timedelta(days=-7, hours=9)]
    paid = events["installment-3@mybnpl.abc123"]
    assert str(paid["STATUS"]) == "CANCELLED" and paid.walk("VALARM") == [] and paid.decoded("SEQUENCE") == 1


def test_privacy_mode_keeps_names_and_amounts_out_of_the_calendar() -> None:
    entries = [(item(date(2026, 12, 10), "25.00", id=1, merchant="ASOS"), (3,))]
    text = build_ics(entries, token="t", now=NOW, privacy=True, provider_name=_names).decode()
    assert "Klarna" not in text and "25" not in text.replace("20261210", "") and "ASOS" not in text
    assert "SUMMARY:Payment due" in text


def test_uid_and_trigger_helpers() -> None:
    assert uid(item(date(2026, 1, 1), id=9), "x") == "installment-9@mybnpl.x"
    assert trigger(0, time(9, 30)) == timedelta(hours=9, minutes=30)
    assert trigger(2) == timedelta(days=-2, hours=9)


# -- autostart --------------------------------------------------------------------------------------------------
def test_linux_desktop_entry(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    cmd = ["/opt/my apps/mybnpl", "--tray", "50%"]
    assert not autostart.is_enabled("linux", home=tmp_path, environ=env)
    path = autostart.enable("linux", home=tmp_path, environ=env, command=cmd)
    assert path == tmp_path / "cfg" / "autostart" / "mybnpl.desktop"
    assert autostart.is_enabled("linux", home=tmp_path, environ=env)
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(path, encoding="utf-8")
    d = entry["Desktop Entry"]
    assert d["Type"] == "Application" and d["Exec"] == '"/opt/my apps/mybnpl" --tray 50%%'
    assert d["X-GNOME-Autostart-enabled"] == "true"
    assert path.stat().st_mode & 0o077 == 0
    assert autostart.disable("linux", home=tmp_path, environ=env) is True
    assert autostart.disable("linux", home=tmp_path, environ=env) is False
    # Without XDG_CONFIG_HOME: ~/.config
    assert autostart.autostart_file("linux", home=tmp_path, environ={}) == \
        tmp_path / ".config" / "autostart" / "mybnpl.desktop"


def test_desktop_exec_quoting_of_awkward_paths() -> None:
    assert autostart._desktop_arg("plain") == "plain"
    assert autostart._desktop_arg('a"b') == '"a\\\\"b"'  # \" then string-escaped
    assert autostart._desktop_arg("C:\\x y") == '"C:\\\\\\\\x y"'  # a literal backslash is four
    assert autostart._desktop_arg("$HOME") == '"\\\\$HOME"'
    with pytest.raises(InvalidInput):
        autostart._desktop_arg("a\nb")


def test_macos_launch_agent(tmp_path: Path) -> None:
    path = autostart.enable("macos", home=tmp_path, environ={}, command=["/Applications/mybnpl.app/x", "--tray"])
    assert path == tmp_path / "Library" / "LaunchAgents" / "org.mybnpl.tray.plist"
    plist = plistlib.loads(path.read_bytes())
    assert plist["Label"] == "org.mybnpl.tray" and plist["RunAtLoad"] is True
    assert plist["ProgramArguments"] == ["/Applications/mybnpl.app/x", "--tray"]


def test_windows_startup_cmd(tmp_path: Path) -> None:
    env = {"APPDATA": str(tmp_path / "Roaming")}
    path = autostart.enable("windows", home=tmp_path, environ=env,
                            command=["C:\\Program Files\\mybnpl\\mybnpl.exe", "--tray"])
    assert path == tmp_path / "Roaming" / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup" / \
        "mybnpl.cmd"
    text = path.read_bytes().decode()
    assert text.startswith("@echo off\r\n") and text.endswith("\r\n")
    assert 'start "" "C:\\Program Files\\mybnpl\\mybnpl.exe" "--tray"' in text
    with pytest.raises(InvalidInput):
        autostart.enable("windows", home=tmp_path, environ=env, command=['C:\\a"b.exe'])


def test_platforms_and_the_default_command() -> None:
    assert [autostart.platform_key(p) for p in ("linux", "darwin", "win32", "freebsd")] == \
        ["linux", "macos", "windows", "linux"]
    cmd = autostart.default_command()
    assert cmd[-1] == "--tray" and all(cmd)
