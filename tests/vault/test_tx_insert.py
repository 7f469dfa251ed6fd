"""``repos.insert_tx_rows`` (TX_BATCH rows per statement) stores exactly what one INSERT per row stores: the
same rows with the same ids, the same ones skipped (a repeated id or fingerprint, or a row the CHECK and NOT NULL
constraints refuse: INSERT OR IGNORE skips those too)."""

from __future__ import annotations

from typing import Any

import pytest

from mybnpl.vault import repos
from mybnpl.vault.db import Vault


def _rows(n: int) -> list[repos.TxRow]:
    out: list[repos.TxRow] = []
    for i in range(n):
        ext = None if i % 3 == 0 else f"ext{i % 250}"  # ids repeat from row 250 on: later ones are skipped
        fp = None if i % 7 == 0 else i % 300  # so do fingerprints, from row 300 on
        direction = "sideways" if i % 97 == 5 else ("out", "in", "neutral")[i % 3]
        day: Any = None if i % 89 == 7 else f"2024-01-{1 + i % 28:02d}"
        out.append((1, None, day, f"2024-01-{1 + i % 28:02d} 10:{i % 60:02d}:00", 100 + i, "CNY", direction,
                    f"shop {i % 5}", "" if i % 2 else f"item {i}", "花呗" if i % 2 else "",
                    "huabei" if i % 2 else None, "交易成功", "", ext, fp))
    return out


def _stored(vault: Vault) -> list[Any]:
    return vault.query("SELECT * FROM transactions ORDER BY id")


@pytest.mark.parametrize("n", [0, 1, repos.TX_BATCH - 1, repos.TX_BATCH, 2 * repos.TX_BATCH + 5, 700])
def test_batched_insert_matches_one_statement_per_row(vault: Vault, n: int) -> None:
    with vault.transaction() as conn:
        acc = repos.insert_account(conn, "huabei", "test", "CNY")
        assert acc == 1
    rows = _rows(n)
    with vault.transaction() as conn:
        before = conn.total_changes
        conn.executemany(repos.INSERT_TX_SQL, rows)
        one_by_one, added = _stored(vault), conn.total_changes - before
        conn.execute("DELETE FROM transactions")  # no AUTOINCREMENT: ids start at 1 again
    with vault.transaction() as conn:
        before = conn.total_changes
        repos.insert_tx_rows(conn, iter(rows))
        assert conn.total_changes - before == added
    assert _stored(vault) == one_by_one
    assert n < 300 or len(one_by_one) < n - 300  # later repeats and bad rows were skipped
    assert vault.scalar("SELECT count(*) FROM transactions WHERE typeof(bnpl_product) = 'null'") == \
        sum(1 for r in one_by_one if r[10] == "")  # None binds as NULL

