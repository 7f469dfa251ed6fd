"""`mybnpl consent ...` and `mybnpl findings ...` on real exports in a real vault."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from .test_cli import Run

FIX = Path(__file__).resolve().parents[1] / "fixtures"


def _run(tmp_path: Path) -> Run:
    run = Run(tmp_path, MYBNPL_PASSPHRASE="long enough passphrase", MYBNPL_TODAY="2026-11-30")
    assert run("init")[0] == 0
    return run


def _json(run: Run, *argv: str) -> object:
    code, out, err = run(*argv, "--json")
    assert code == 0, err
    return json.loads(out)


def _first_bnpl_day(run: Run, provider: str) -> date:
    rows = _json(run, "transactions", "--provider", provider, "--bnpl-only")
    assert isinstance(rows, list) and rows
    return min(date.fromisoformat(r["date"] if "date" in r else r["posted_on"]) for r in rows)


def _enrollment(findings: object, provider: str) -> list[dict[str, object]]:
    assert isinstance(findings, list)
    return [f for f in findings if f["kind"] == "unconsented_enrollment" and f["provider"] == provider]


def test_import_then_consent_changes_the_findings(tmp_path: Path) -> None:
    run = _run(tmp_path)
    assert run("import", str(FIX / "cn" / "meituan.csv"))[0] == 0
    first = _first_bnpl_day(run, "meituan_yuefu")
    found = _enrollment(_json(run, "findings"), "meituan_yuefu")
    assert len(found) == 1
    f = found[0]
    assert f["first_seen"] == first.isoformat() and f["status"] == "open" and f["severity"] in ("warning", "serious")
    assert f["transaction_ids"] and first.isoformat() in str(f["explanation"])
    assert set(f) >= {"id", "kind", "severity", "provider", "first_seen", "explanation", "transaction_ids",
                      "evidence_ids", "status"}
    assert f["evidence_ids"], "the original export is the evidence the finding rests on"

    # Consent recorded before the first use: the finding goes away.
    rec = _json(run, "consent", "add", "--provider", "meituan_yuefu", "--date",
                (first - timedelta(days=3)).isoformat(), "--channel", "美团App")
    assert isinstance(rec, dict) and rec["kind"] == "enabled"
    assert _enrollment(_json(run, "findings"), "meituan_yuefu") == []
    listed = _json(run, "consent", "list")
    assert isinstance(listed, list) and [c["id"] for c in listed] == [rec["id"]]

    # "I never enabled it" instead: the finding is back, and serious.
    assert run("consent", "remove", str(rec["id"]))[0] == 0
    assert run("consent", "deny", "--note", "从未开通")[0] == 2  # which product?
    account = next(a["id"] for a in _json(run, "account", "list") if a["provider"] == "meituan_yuefu")
    assert run("consent", "deny", "--account", str(account), "--note", "从未开通")[0] == 0  # the account says it
    again = _enrollment(_json(run, "findings"), "meituan_yuefu")
    assert len(again) == 1 and again[0]["severity"] == "serious"
    # People read the product's and the finding's names, not their ids
    code, out, _ = run("--lang", "zh", "findings")
    assert code == 0 and "美团月付 · 在没有同意记录的情况下被使用 (待处理)" in out and "meituan_yuefu" not in out
    code, out, _ = run("consent", "deny", "--account", str(account))
    assert "Meituan Yuefu (monthly pay)" in out and "meituan_yuefu" not in out


def test_closure_then_use_and_status_changes(tmp_path: Path) -> None:
    run = _run(tmp_path)
    assert run("import", str(FIX / "cn" / "meituan.csv"))[0] == 0
    first = _first_bnpl_day(run, "meituan_yuefu")
    enabled, closed = (first - timedelta(days=30)).isoformat(), (first - timedelta(days=1)).isoformat()
    assert run("consent", "add", "--provider", "meituan_yuefu", "--date", enabled)[0] == 0
    assert run("consent", "close", "--provider", "meituan_yuefu", "--date", closed)[0] == 0
    findings = _json(run, "findings")
    assert isinstance(findings, list)
    reenabled = [f for f in findings if f["kind"] == "reenabled_after_closure"]
    assert len(reenabled) == 1 and reenabled[0]["first_seen"] == first.isoformat()
    fid = str(reenabled[0]["id"])

    code, out, _err = run("findings", "dismiss", fid, "--reason", "我自己又开通了")
    assert code == 0 and fid in out
    assert all(f["id"] != reenabled[0]["id"] for f in _json(run, "findings"))  # type: ignore[union-attr]
    every = _json(run, "findings", "--all")
    assert isinstance(every, list)
    dismissed = next(f for f in every if f["id"] == reenabled[0]["id"])
    assert dismissed["status"] == "dismissed" and dismissed["dismiss_reason"] == "我自己又开通了"
    # It stays dismissed when findings are computed again.
    again = _json(run, "findings", "--all")
    assert isinstance(again, list)
    assert next(f for f in again if f["id"] == reenabled[0]["id"])["status"] == "dismissed"

    assert run("findings", "complain", fid)[0] == 1  # only a confirmed finding starts a complaint
    assert _json(run, "findings", "confirm", fid)["status"] == "confirmed"  # type: ignore[index]
    case = _json(run, "findings", "complain", fid)
    assert isinstance(case, dict) and case["finding_id"] == int(fid) and case["case_id"] >= 1


def test_errors(tmp_path: Path) -> None:
    run = _run(tmp_path)
    code, _out, err = run("findings", "confirm")
    assert code == 2 and "id" in err
    code, _out, err = run("findings", "confirm", "99")
    assert code == 1 and "99" in err and "Traceback" not in err
    code, _out, err = run("consent", "add", "--provider", "huabei", "--date", "2027-01-01")
    assert code == 1 and "future" in err
    code, _out, err = run("consent", "add", "--provider", "no_such", "--date", "2025-01-01")
    assert code == 1 and "no_such" in err
    code, _out, err = run("consent", "add", "--provider", "huabei")
    assert code == 2
    code, out, _err = run("--lang", "zh", "findings")
    assert code == 0 and "没有发现" in out
    assert _json(run, "consent", "list") == []
