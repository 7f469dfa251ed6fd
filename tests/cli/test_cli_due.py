"""`mybnpl due`, `installment pay`, `remind check|ics|dismiss|snooze|days` and `--tray` on a real vault."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from .test_cli import Run


def _run(tmp_path: Path, today: str = "2026-11-30") -> Run:
    run = Run(tmp_path, MYBNPL_PASSPHRASE="long enough passphrase", MYBNPL_TODAY=today, TZ="Europe/London")
    assert run("init")[0] == 0
    assert run("plan", "add", "--provider", "klarna", "--merchant", "ASOS", "--total", "100", "--installments", "4",
               "--first-due", "2026-11-27", "--every", "2w", "--currency", "GBP")[0] == 0  # Nov 27 … Jan 8
    assert run("plan", "add", "--provider", "huabei", "--merchant", "淘宝", "--total", "300", "--installments", "3",
               "--first-due", "2026-12-01", "--every", "1m")[0] == 0  # Dec 1, Jan 1, Feb 1
    return run


def _json(run: Run, *argv: str) -> Any:
    code, out, err = run(*argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_due_lists_late_first_with_the_issue_fields(tmp_path: Path) -> None:
    run = _run(tmp_path)
    rows = _json(run, "due")
    assert set(rows[0]) >= {"id", "provider", "account", "due_date", "amount", "currency", "status", "days_overdue"}
    # Klarna's UK grace period (7 days, from the catalog) keeps a 3-day-late installment in "grace".
    assert [(r["provider"], r["due_date"], r["status"], r["days_overdue"]) for r in rows[:3]] == [
        ("klarna", "2026-11-27", "grace", 3), ("huabei", "2026-12-01", "upcoming", 0),
        ("klarna", "2026-12-11", "upcoming", 0)]
    assert rows[0]["amount"] == "25.00" and rows[0]["currency"] == "GBP" and rows[0]["grace_days"] == 7
    assert rows[1]["grace_days"] is None  # 花呗: unknown
    assert [r["due_date"] for r in _json(run, "due", "--within", "4")] == ["2026-11-27", "2026-12-01"]
    assert [r["due_date"] for r in _json(run, "due", "--overdue")] == ["2026-11-27"]
    # --today moves the clock: late items first, the most overdue first.
    later = _json(run, "--today", "2026-12-15", "due", "--overdue")
    assert [(r["due_date"], r["status"], r["days_overdue"]) for r in later] == [
        ("2026-11-27", "overdue", 18), ("2026-12-01", "overdue", 14), ("2026-12-11", "grace", 4)]
    code, out, _ = run("due")
    assert code == 0 and "in grace period (3 days late)" in out and "ASOS" in out
    assert "Klarna" in out and "klarna " not in out  # the product's name, not its id
    code, out, _ = run("--lang", "zh", "due")
    assert code == 0 and "花呗" in out and "huabei" not in out
    weeks = _json(run, "due", "--weeks", "2")
    assert [(w["week"], w["count"], w["totals"], w["stacking"]) for w in weeks] == [
        (49, 1, {"CNY": "100.00"}, False), (50, 1, {"GBP": "25.00"}, False)]
    assert run("due", "--weeks", "0")[0] == 2


def test_installment_pay(tmp_path: Path) -> None:
    run = _run(tmp_path)
    first = _json(run, "due")[0]
    paid = _json(run, "installment", "pay", str(first["id"]), "--date", "2026-11-28")
    assert (paid["status"], paid["paid_on"], paid["due_date"]) == ("paid", "2026-11-28", "2026-11-27")
    assert first["id"] not in [r["id"] for r in _json(run, "due")]
    code, out, _ = run("installment", "pay", str(first["id"] + 1))
    assert code == 0 and "2026-11-30" in out  # today by default
    code, _out, err = run("installment", "pay", "999")
    assert code == 1 and "999" in err
    code, _out, err = run("installment", "pay", str(first["id"] + 2), "--date", "2026-12-25")
    assert code == 1 and "future" in err
    assert run("installment", "pay", "x")[0] == 2


def test_remind_check_marks_shown_peek_does_not(tmp_path: Path) -> None:
    run = _run(tmp_path)
    peek = _json(run, "remind", "check", "--peek")
    assert [(r["id"].split("-")[1], r["provider"], r["title"]) for r in peek] == [
        ("0", "klarna", "Klarna: £25.00 overdue by 3 days"),  # caught up: fired while "the machine was off"
        ("1", "huabei", "Huabei (Alipay): ¥100.00 due tomorrow")]
    assert peek[0]["catch_up"] is True and peek[0]["fire_at"] == "2026-11-27T09:00:00+00:00"
    assert peek[1]["catch_up"] is False and peek[1]["fire_at"] == "2026-11-30T09:00:00+00:00"
    assert _json(run, "remind", "check", "--peek") == peek
    assert _json(run, "remind", "check") == peek
    assert _json(run, "remind", "check") == []  # shown once
    code, out, _ = run("remind", "check")
    assert code == 0 and "No reminders now." in out
    nxt = _json(run, "--today", "2026-12-01", "remind", "check", "--privacy")
    assert [r["title"] for r in nxt] == ["A payment is due today"]
    assert all("provider" not in r and "amount" not in r and "Klarna" not in r["body"] for r in nxt)


def test_dismiss_and_snooze(tmp_path: Path) -> None:
    run = _run(tmp_path)
    [late, tomorrow] = _json(run, "remind", "check", "--peek")
    dismissed = _json(run, "remind", "dismiss", late["id"])
    assert dismissed == {"id": late["id"], "state": "dismissed", "snoozed_until": None}
    snoozed = _json(run, "remind", "snooze", tomorrow["id"], "--until", "2h")
    assert snoozed["state"] == "snoozed" and snoozed["snoozed_until"] == "2026-11-30T11:00+00:00"
    assert _json(run, "remind", "check") == []
    # --today fixes the clock at 09:00; an absolute --until in local time brings it back that day.
    _json(run, "remind", "snooze", tomorrow["id"], "--until", "2026-11-30T08:00")
    assert [r["id"] for r in _json(run, "remind", "check")] == [tomorrow["id"]]
    code, _, err = run("remind", "snooze", tomorrow["id"], "--until", "soon")
    assert code == 2 and "--until" in err
    assert run("remind", "dismiss", "i999-1")[0] == 1
    assert run("remind", "dismiss", "nonsense")[0] == 1


def test_remind_days_and_ics(tmp_path: Path) -> None:
    run = _run(tmp_path)
    account = _json(run, "due")[0]["account_id"]
    assert _json(run, "remind", "days", "--account", str(account))["days"] == [3, 1, 0]
    assert _json(run, "remind", "days", "--account", str(account), "--set", "7,0")["days"] == [7, 0]
    assert _json(run, "remind", "days", "--account", str(account), "--set", "none")["days"] == []
    assert _json(run, "remind", "days", "--account", str(account), "--reset")["default"] is True
    assert run("remind", "days", "--account", str(account), "--set", "x")[0] == 2
    assert run("remind", "days", "--account", str(account), "--set", "99")[0] == 1
    out = tmp_path / "dues.ics"
    res = _json(run, "remind", "ics", str(out))
    assert res == {"path": str(out), "events": 7, "cancelled": 0}
    uids = [str(e["UID"]) for e in Calendar.from_ical(out.read_bytes()).walk("VEVENT")]
    assert len(uids) == len(set(uids)) == 7
    _json(run, "remind", "ics", str(out), "--privacy")
    text = out.read_text()
    assert "Klarna" not in text and "ASOS" not in text
    assert sorted(str(e["UID"]) for e in Calendar.from_ical(text.encode()).walk("VEVENT")) == sorted(uids)


def test_tray_flag_is_accepted_and_passed_to_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mybnpl.ui.app as app

    seen: dict[str, Any] = {}

    def fake_run(vault: object, **kw: Any) -> int:
        seen.update(kw, vault=vault)
        return 0

    monkeypatch.setattr(app, "run", fake_run)
    run = Run(tmp_path)
    assert run("--tray")[0] == 0
    assert seen["tray"] is True and seen["vault"] == str(tmp_path / "v.mybnpl")
    seen.clear()
    assert run()[0] == 0
    assert seen["tray"] is False  # the window path: the app opens its window


def test_bad_paths_dates_and_ranges_are_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = Run(tmp_path, MYBNPL_PASSPHRASE="long enough passphrase")
    assert run("init")[0] == 0
    assert run("demo")[0] == 0
    for argv, code in ((("remind", "ics", str(tmp_path / "no" / "such" / "dir.ics")), 1),
                       (("remind", "ics", str(tmp_path)), 1),
                       (("due", "--within", "99999999"), 2),
                       (("--today", "9999-12-31", "findings"), 2),
                       (("--today", "2025-02-29", "due"), 2),
                       (("remind", "days", "--account", "99"), 1)):
        rc, _out, err = run(*argv)
        assert rc == code, (argv, err)
        assert "Traceback" not in err and len(err.strip().splitlines()) <= 2, (argv, err)
    capsys.readouterr()
    assert run("--today", "2025-02-29", "due")[0] == 2
    assert "2025-02-29 is not a day of the calendar" in capsys.readouterr().err  # argparse writes to sys.stderr
    rc, _out, err = run("--lang", "zh", "remind", "days", "--account", "99")
    assert rc == 1 and "找不到" in err
    assert run("--today", "2024-02-29", "due")[0] == 0  # a leap day is a day
