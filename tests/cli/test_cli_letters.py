"""`mybnpl letter ...`, `letters`, `cases`, `profile` on a demo vault."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .test_cli import Run


def _run(tmp_path: Path) -> Run:
    run = Run(tmp_path, MYBNPL_PASSPHRASE="long enough passphrase", MYBNPL_TODAY="2026-12-01")
    assert run("demo")[0] == 0
    return run


def _json(run: Run, *argv: str) -> Any:
    code, out, err = run(*argv, "--json")
    assert code == 0, err
    return json.loads(out)


def _account(run: Run, provider: str) -> str:
    return str(next(a["id"] for a in _json(run, "account", "list") if a["provider"] == provider))


def test_kinds_profile_draft_send_and_cases(tmp_path: Path) -> None:
    run = _run(tmp_path)
    kinds = _json(run, "letter", "kinds")
    assert [k["kind"] for k in kinds] == ["complaint", "regulator", "hardship", "credit_dispute", "closure", "refund"]
    prof = _json(run, "profile", "set", "--name", "Li Lei", "--phone", "+86 138 0000 0000", "--email", "l@example.org",
                 "--id-number", "110101199001011234")
    assert prof["name"] == "Li Lei" and prof["id_number"] == "**************1234"
    assert _json(run, "profile", "show")["email"] == "l@example.org"

    acc = _account(run, "meituan_yuefu")
    out = tmp_path / "letter.txt"
    d = _json(run, "letter", "draft", "--kind", "complaint", "--account", acc, "--jurisdiction", "cn", "--lang", "zh",
              "--set", "request=关闭美团月付并退还费用", "--out", str(out))
    assert set(d) >= {"id", "kind", "recipient", "deadline_days", "deadline_source", "evidence", "missing_fields",
                      "text"}
    assert d["recipient"] == "重庆美团三快小额贷款有限公司" and d["deadline_days"] == 15
    assert d["missing_fields"] == ["user_address"] and all(len(e["sha256"]) == 64 for e in d["evidence"])
    assert out.read_text(encoding="utf-8") == d["text"] and "关闭美团月付并退还费用" in d["text"]
    assert (out.stat().st_mode & 0o777) == 0o600

    code, _, err = run("letter", "show", str(d["id"]), "--out", str(tmp_path / "again.docx"))
    assert code == 0, err
    assert (tmp_path / "again.docx").read_bytes()[:2] == b"PK"
    code, text, err = run("letter", "sent", str(d["id"]), "--date", "2026-11-20", "--channel", "EMS", "--ref", "EA1")
    assert code == 0, err
    assert "2026-12-05" in text
    shown = _json(run, "letter", "show", str(d["id"]))
    assert (shown["status"], shown["deadline_on"], shown["sent_ref"]) == ("sent", "2026-12-05", "EA1")
    due = _json(run, "letters", "--due")
    assert [(x["letter_id"], x["state"]) for x in due] == [(d["id"], "running")]
    assert [x["id"] for x in _json(run, "letters")] == [d["id"]]
    [case] = _json(run, "cases")
    assert case["letters"][0]["deadline_on"] == "2026-12-05" and case["status"] == "waiting"

    late = Run(tmp_path, MYBNPL_PASSPHRASE="long enough passphrase", MYBNPL_TODAY="2026-12-07")
    [overdue] = _json(late, "letters", "--due")
    assert overdue["state"] == "overdue" and overdue["escalate_to"] == "regulator"
    code, text, _ = late("letters", "--due")
    assert code == 0 and "regulator" in text


def test_errors_and_exit_codes(tmp_path: Path) -> None:
    run = _run(tmp_path)
    acc = _account(run, "meituan_yuefu")
    code, _, err = run("letter", "draft", "--kind", "complaint", "--account", acc, "--jurisdiction", "UK")
    assert code == 1 and "Meituan Yuefu" in err and "does not operate in UK" in err
    code, _, err = run("letter", "draft", "--kind", "poem", "--account", acc, "--jurisdiction", "CN")
    assert code == 2
    code, _, err = run("letter", "draft", "--kind", "refund", "--account", acc, "--jurisdiction", "CN",
                       "--out", str(tmp_path / "x.odt"))
    assert code == 2 and ".txt" in err
    code, _, err = run("letter", "draft", "--kind", "refund", "--account", acc, "--jurisdiction", "CN",
                       "--set", "favourite_colour=blue")
    assert code == 1 and "favourite_colour" in err and "order_number" in err
    # the letter's --lang is not the messages' language: only the global --lang before the command is
    code, _, err = run("letter", "draft", "--kind", "complaint", "--account", acc, "--jurisdiction", "UK",
                       "--lang", "zh")
    assert code == 1 and "does not operate in UK" in err
    code, _, err = run("--lang", "zh", "letter", "draft", "--kind", "complaint", "--account", acc,
                       "--jurisdiction", "UK", "--lang", "en")
    assert code == 1 and "美团月付不在 UK 经营" in err and "Meituan" not in err
    code, _, err = run("letter", "show", "999")
    assert code == 1 and "999" in err
    code, _, err = run("letter", "sent", "999", "--date", "2026-11-30")
    assert code == 1
    code, _out, _ = run("cases")
    assert code == 0


def test_draft_to_pdf_and_docx(tmp_path: Path) -> None:
    run = _run(tmp_path)
    acc = _account(run, "klarna")
    for name in ("l.pdf", "l.docx"):
        d = _json(run, "letter", "draft", "--kind", "closure", "--account", acc, "--jurisdiction", "EU", "--lang",
                  "en", "--out", str(tmp_path / name))
        assert (tmp_path / name).stat().st_size > 1000 and d["kind"] == "closure"
