"""The isolated parser process: limits, scrubbed environment, documented errors only."""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from mybnpl.core.imports import ColumnMapping, ImportCode, ImportFailed, ParsedTx, TxTable
from mybnpl.core.models import Direction
from mybnpl.core.money import Money
from mybnpl.importers import sandbox
from mybnpl.importers.base import ParseOptions, detect


def _code(exc: pytest.ExceptionInfo[ImportFailed]) -> str:
    return exc.value.code


def test_child_environment_has_no_secrets_or_vault(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYBNPL_PASSPHRASE", "secret passphrase")
    monkeypatch.setenv("MYBNPL_VAULT", "/home/u/vault.mybnpl")
    monkeypatch.setenv("PYTHONPATH", "/evil")
    env = sandbox._clean_env()
    assert not any(k.startswith(("MYBNPL", "PYTHON")) for k in env)
    assert "secret passphrase" not in " ".join(env.values())
    cmd = sandbox.worker_command()
    assert "-I" in cmd and not any("vault" in c for c in cmd)


def test_empty_and_renamed_binary() -> None:
    with pytest.raises(ImportFailed) as e:
        sandbox.parse_isolated(b"", "x.csv")
    assert _code(e) == ImportCode.EMPTY
    png = b"\x89PNG\r\n\x1a\n" + os.urandom(2000)
    with pytest.raises(ImportFailed) as e:
        sandbox.parse_isolated(png, "statement.csv")
    assert _code(e) == ImportCode.UNSUPPORTED_FORMAT
    assert "an image" in str(e.value)


def test_size_limit_is_checked_before_spawning() -> None:
    with pytest.raises(ImportFailed) as e:
        sandbox.parse_isolated(b"a,b,c\n1,2,3\n" * 10, "big.csv", limits=sandbox.Limits(max_file_bytes=50))
    assert _code(e) == ImportCode.TOO_LARGE


def test_wall_clock_timeout() -> None:
    with pytest.raises(ImportFailed) as e:
        sandbox.parse_isolated(b"a,b,c\n1,2,3\n", "t.csv", limits=sandbox.Limits(wall_seconds=0.01))
    assert _code(e) == ImportCode.TIMEOUT


def test_memory_limit_stops_the_child_cleanly() -> None:
    big = b"date,amount,merchant\n" + b"2026-01-01,1.00,shop\n" * 2_000_000  # 42 MB of text
    with pytest.raises(ImportFailed) as e:
        sandbox.parse_isolated(big, "m.csv", ParseOptions(mapping=ColumnMapping("date", amount="amount")),
                               limits=sandbox.Limits(memory_bytes=120 * 1024 * 1024))
    assert _code(e) == ImportCode.TOO_MUCH_MEMORY


def test_detect_rejects_unknown_text() -> None:
    with pytest.raises(ImportFailed) as e:
        detect(b"just a sentence, nothing tabular\n", "notes.txt")
    assert _code(e) in (ImportCode.UNSUPPORTED_FORMAT, ImportCode.NEEDS_MAPPING)


def test_a_child_that_closes_its_answer_but_does_not_end_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    script = ("import os, sys, time; sys.stdin.buffer.read(); sys.stdout.buffer.write(b'[1]'); "
              "sys.stdout.buffer.flush(); os.close(1); time.sleep(60)")
    monkeypatch.setattr(sandbox, "worker_command", lambda: [sys.executable, "-I", "-c", script])
    start = time.monotonic()
    with pytest.raises(ImportFailed) as e:
        sandbox.parse_isolated(b"a,b\n1,2\n", "x.csv", limits=sandbox.Limits(wall_seconds=1.0))
    assert _code(e) == ImportCode.TIMEOUT and time.monotonic() - start < 30


def test_exit_status_decides_before_the_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    # a garbage answer from a child that then fails: the failure is reported, as when the answer was not read
    script = "import sys; sys.stdin.buffer.read(); sys.stdout.buffer.write(b'{\"error\": 1}'); sys.exit(1)"
    monkeypatch.setattr(sandbox, "worker_command", lambda: [sys.executable, "-I", "-c", script])
    with pytest.raises(ImportFailed) as e:
        sandbox.parse_isolated(b"a,b\n1,2\n", "x.csv")
    assert _code(e) == ImportCode.TOO_MUCH_MEMORY


def test_a_child_that_reads_nothing_does_not_block_the_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "worker_command", lambda: [sys.executable, "-I", "-c", "pass"])
    with pytest.raises(ImportFailed) as e:
        sandbox.parse_isolated(b"x" * (4 << 20), "x.csv")  # far more than a pipe buffer holds
    assert _code(e) == ImportCode.CORRUPT


def _streamed(n: int, blocks: list[bytes]) -> bytes:
    head = json.dumps({"ok": {"format": "alipay_csv", "provider_id": "huabei"}, "n": n}).encode() + b"\n"
    return head + b"".join(len(b).to_bytes(8, "little") + b for b in blocks)


def test_streamed_answer_is_read_and_malformed_ones_are_corrupt(monkeypatch: pytest.MonkeyPatch,
                                                                tmp_path: Path) -> None:
    table = TxTable.from_txs([ParsedTx(date(2024, 1, 1 + i), Money.from_minor(100 + i, "CNY"), Direction.OUT,
                                       f"shop {i}") for i in range(5)])
    good = _streamed(5, table.to_wire())
    answers = {"good": good, "trailing": good + b"x", "cut": good[:-3],
               "huge": _streamed(5, []) + (1 << 60).to_bytes(8, "little") + b"abc"}
    for kind, answer in answers.items():
        (tmp_path / kind).write_bytes(answer)
        script = (f"import sys; sys.stdin.buffer.read(); "
                  f"sys.stdout.buffer.write(open({str(tmp_path / kind)!r}, 'rb').read())")
        monkeypatch.setattr(sandbox, "worker_command", lambda s=script: [sys.executable, "-I", "-c", s])
        if kind == "good":
            assert sandbox.parse_isolated(b"a,b\n1,2\n", "x.csv").transactions == table
            continue
        with pytest.raises(ImportFailed) as e:
            sandbox.parse_isolated(b"a,b\n1,2\n", "x.csv")
        assert _code(e) == ImportCode.CORRUPT, kind


@pytest.mark.parametrize("status, code", [(1, ImportCode.TOO_MUCH_MEMORY), (3, ImportCode.CORRUPT)])
def test_a_worker_failing_while_it_streams_is_reported_by_its_status(monkeypatch: pytest.MonkeyPatch, status: int,
                                                                     code: ImportCode) -> None:
    script = ("import os, sys; sys.stdin.buffer.read(); "
              "sys.stdout.buffer.write(b'{\"ok\": {\"format\": \"x\"}, \"n\": 3}\\n' + (5).to_bytes(8, 'little'));"
              f" sys.stdout.buffer.flush(); os._exit({status})")
    monkeypatch.setattr(sandbox, "worker_command", lambda: [sys.executable, "-I", "-c", script])
    with pytest.raises(ImportFailed) as e:
        sandbox.parse_isolated(b"a,b\n1,2\n", "x.csv")
    assert _code(e) == code


def test_table_for_the_mapping_step_comes_from_the_child() -> None:
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "cn" / "meituan.csv"
    header, rows = sandbox.table_isolated(fixture.read_bytes(), fixture.name)
    assert header[0] == "交易创建时间" and 0 < len(rows) <= 50 and all(len(r) == len(header) for r in rows)
