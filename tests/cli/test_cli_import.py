"""`mybnpl import / transactions / plan / plans / evidence` on real files."""

from __future__ import annotations

import json
from pathlib import Path

from .test_cli import Run

FIX = Path(__file__).resolve().parents[1] / "fixtures"


def _run(tmp_path: Path) -> Run:
    run = Run(tmp_path, MYBNPL_PASSPHRASE="long enough passphrase", PDF_PW="test")
    assert run("init")[0] == 0
    return run


def test_import_json_fields_and_idempotence(tmp_path: Path) -> None:
    run = _run(tmp_path)
    files = [str(FIX / "cn" / "meituan.csv"), str(FIX / "cn" / "alipay_2023.csv")]
    code, out, err = run("import", *files, "--json")
    assert code == 0, err
    results = json.loads(out)
    assert [r["status"] for r in results] == ["imported", "imported"]
    mt = results[0]
    assert (mt["provider"], mt["format"], mt["transactions"], mt["bnpl_transactions"]) == (
        "meituan_yuefu", "meituan_csv", 29, 6)
    assert results[1]["provider"] == "huabei" and results[1]["warnings"]  # Alipay's summary says 66 rows
    code, out, _ = run("import", files[0], "--json")
    assert code == 0 and json.loads(out)[0]["status"] == "duplicate" and json.loads(out)[0]["duplicates"] == 29


def test_dry_run_stores_nothing(tmp_path: Path) -> None:
    run = _run(tmp_path)
    code, out, _ = run("import", str(FIX / "cn" / "meituan.csv"), "--dry-run", "--json")
    res = json.loads(out)[0]
    assert code == 0 and res["dry_run"] and res["transactions"] == 29 and len(res["rows"]) == 29
    assert json.loads(run("status", "--json")[1])["counts"]["transactions"] == 0


def test_errors_exit_1_with_codes(tmp_path: Path) -> None:
    run = _run(tmp_path)
    empty = tmp_path / "zero.pdf"
    empty.write_bytes(b"")
    code, out, _ = run("import", str(FIX / "cn" / "meituan.csv"), str(empty),
                       str(FIX / "pdf" / "password-example.pdf"), "--json")
    res = json.loads(out)
    assert code == 1
    assert [r["status"] for r in res] == ["imported", "error", "error"]
    assert res[1]["error"]["code"] == "empty" and res[2]["error"]["code"] == "password_required"
    code, out, _ = run("import", str(FIX / "pdf" / "password-example.pdf"), "--password-env", "PDF_PW", "--json")
    assert json.loads(out)[0]["error"]["code"] == "needs_mapping"
    code, out, _ = run("--lang", "zh", "import", str(empty))
    assert code == 1 and "zero.pdf" in out and "空" in out  # "…是空文件"


def test_transactions_bnpl_only(tmp_path: Path) -> None:
    run = _run(tmp_path)
    run("import", str(FIX / "cn" / "meituan.csv"))
    code, out, _ = run("transactions", "--bnpl-only", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 6
    assert {r["bnpl_product"] for r in rows} == {"meituan_yuefu"}
    assert set(rows[0]) >= {"date", "amount", "currency", "direction", "merchant", "payment_method",
                            "bnpl_product", "external_id", "source_statement"}
    code, out, _ = run("transactions", "--provider", "meituan_yuefu", "--json")
    assert len(json.loads(out)) == 29


def test_plan_add_splits_to_the_cent_and_attaches(tmp_path: Path) -> None:
    run = _run(tmp_path)
    shot = tmp_path / "screen.png"
    shot.write_bytes(b"\x89PNG\r\n\x1a\n" + b"fake image bytes")
    code, out, err = run("plan", "add", "--provider", "afterpay", "--merchant", "ASOS", "--total", "100.00",
                         "--installments", "3", "--first-due", "2026-01-31", "--every", "1m", "--currency", "GBP",
                         "--attach", str(shot),
                         "--json")
    assert code == 0, err
    plan = json.loads(out)
    assert [i["amount"] for i in plan["installments"]] == ["33.33", "33.33", "33.34"]
    assert [i["due_date"] for i in plan["installments"]] == ["2026-01-31", "2026-02-28", "2026-03-31"]
    assert plan["currency"] == "GBP"
    code, out, _ = run("plans", "--json")
    assert json.loads(out)[0]["id"] == plan["id"]
    ev = json.loads(run("evidence", "list", "--json")[1])
    assert ev[0]["media_type"] == "image/png"
    code, _, err = run("plan", "add", "--provider", "afterpay", "--merchant", "x", "--total", "abc",
                       "--installments", "3", "--first-due", "2026-01-31", "--every", "1m")
    assert code == 1 and "abc" in err


def test_evidence_round_trip_byte_identical(tmp_path: Path) -> None:
    run = _run(tmp_path)
    src = tmp_path / "sms.txt"
    src.write_bytes("【美团】您已成功开通美团月付".encode())
    code, out, _ = run("evidence", "add", str(src), "--note", "SMS", "--json")
    item = json.loads(out)
    assert code == 0 and item["media_type"] == "text/plain" and item["size"] == src.stat().st_size
    dest = tmp_path / "back.txt"
    code, out, _ = run("evidence", "export", str(item["id"]), str(dest), "--json")
    assert code == 0 and dest.read_bytes() == src.read_bytes()
    assert run("evidence", "export", "999", str(dest))[0] == 1


def test_human_output_names_format_and_provider_and_says_what_to_do(tmp_path: Path) -> None:
    run = _run(tmp_path)
    code, out, _ = run("--lang", "zh", "import", str(FIX / "cn" / "meituan.csv"))
    assert code == 0 and "：美团导出文件（CSV），美团月付 — 新增 29 行" in out, out
    assert "meituan_csv" not in out and "meituan_yuefu" not in out
    code, out, _ = run("import", str(FIX / "intl" / "CSV_A_20180414_112204.csv"),
                       str(FIX / "pdf" / "password-example.pdf"))
    assert code == 1
    assert "--map date=COLUMN,amount=COLUMN" in out and "--password-env" in out
    code, out, _ = run("import", str(FIX / "intl" / "checking.ofx"))
    assert code == 0 and "OFX/QFX bank file, no provider recognised — 3 new rows" in out, out
