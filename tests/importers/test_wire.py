"""The worker's answer: transactions as columns (TxTable.to_wire), rebuilt and validated by the parent. The
child may be controlled by a hostile file, so every malformed answer must end as ImportFailed(CORRUPT)."""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal

import pytest

from mybnpl.core.imports import ImportCode, ImportFailed, ParsedTx, TxTable
from mybnpl.core.models import Direction
from mybnpl.core.money import Money
from mybnpl.importers import sandbox


def _tx(i: int, **kw: object) -> ParsedTx:
    fields: dict[str, object] = dict(
        posted_on=date(2024, 1, 1 + i % 28), amount=Money(Decimal(i) / 100, "CNY"), direction=Direction.OUT,
        merchant=f"商户{i % 3}", description=f"商品{i}", payment_method="花呗" if i % 2 else "余额",
        bnpl_product="huabei" if i % 2 else None, external_id=f"id{i}" if i % 5 else None, status="交易成功",
        category="", posted_at=f"2024-01-01 00:00:{i % 60:02d}", row=i + 3)
    fields.update(kw)
    return ParsedTx(**fields)  # type: ignore[arg-type]


def test_round_trip_keeps_every_value() -> None:
    txs = [_tx(i) for i in range(300)]
    txs[7] = _tx(7, description="a\x00b", merchant="", external_id="", bnpl_product=None)  # NUL → JSON column
    table = TxTable.from_txs(txs)
    back = TxTable.from_wire(len(table), table.to_wire())
    assert list(back) == [*txs[:7], _tx(7, description="a\x00b", merchant="", external_id=None, bnpl_product=None),
                          *txs[8:]]
    assert back[-1] == txs[-1] and back[2:4] == tuple(txs[2:4]) and back.bnpl_count == 149  # row 7 lost its product
    many = TxTable.from_txs([_tx(i, status=f"s{i % 1000}") for i in range(5000)])  # > 256 distinct: 2-byte codes
    assert TxTable.from_wire(5000, many.to_wire()) == many
    assert TxTable.from_wire(0, TxTable.empty().to_wire()) == ()


def _blocks() -> list[bytes]:
    return TxTable.from_txs([_tx(i) for i in range(40)]).to_wire()


@pytest.mark.parametrize("column, block", [
    (0, b"t" + "\x00".join(["2024-02-30"] * 40).encode()),  # not a date
    (0, b"t" + "\x00".join(["2024-1-1"] * 40).encode()),  # not ISO
    (1, (10**16).to_bytes(8, "little") * 40),  # amount out of range
    (1, b"\x01" * 319),  # not whole 8-byte integers
    (3, b"t" + "\x00".join(["sideways"] * 40).encode()),  # unknown direction
    (2, b"t" + "\x00".join(["cny1"] * 40).encode()),  # not a currency code
    (12, (-1).to_bytes(8, "little", signed=True) * 40),  # negative row number
    (4, b"t" + "\x00".join(["x"] * 39).encode()),  # one value short
    (4, b"j[1, 2]"),  # JSON that is not text
    (4, b"dB" + (3).to_bytes(4, "little") + b"a\x00b" + bytes([5] * 40)),  # code beyond the dictionary
    (4, b"dQ" + (1).to_bytes(4, "little") + b"a" + bytes(40)),  # unknown code width
    (4, b"t\xff\xfe"),  # not UTF-8
    (4, b"?abc"),  # unknown column kind
])
def test_malformed_columns_are_rejected(column: int, block: bytes) -> None:
    blocks = _blocks()
    blocks[column] = block
    with pytest.raises(ValueError):
        TxTable.from_wire(40, blocks)


def test_wrong_shape_is_rejected() -> None:
    with pytest.raises(ValueError):
        TxTable.from_wire(41, _blocks())
    with pytest.raises(ValueError):
        TxTable.from_wire(40, _blocks()[:-1])
    with pytest.raises(ValueError):
        TxTable.from_wire(True, _blocks())  # type: ignore[arg-type]


@pytest.mark.parametrize("answer", [
    b'{"ok": {"format": "x"}, "n": 1, "sizes": [1]}\nX',  # sizes that do not add up
    b'{"ok": {"format": "x"}, "n": "many", "sizes": []}\n',
    b'{"ok": {}, "n": 0, "sizes": [0,0,0,0,0,0,0,0,0,0,0,0,0]}\n',  # no format
    b'[1, 2]\n',
    b'not json at all',
])
def test_a_hostile_worker_answer_is_a_corrupt_file(monkeypatch: pytest.MonkeyPatch, answer: bytes) -> None:
    script = f"import sys; sys.stdin.buffer.read(); sys.stdout.buffer.write({answer!r})"
    monkeypatch.setattr(sandbox, "worker_command", lambda: [sys.executable, "-I", "-c", script])
    with pytest.raises(ImportFailed) as e:
        sandbox.parse_isolated(b"a,b\n1,2\n", "x.csv")
    assert e.value.code == ImportCode.CORRUPT
