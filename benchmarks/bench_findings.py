"""Findings benchmark on the large demo vault (100,000 transactions, 20,000 installments).

  target: findings.recompute(vault, catalog, today) <= 1 s for a vault with 100,000 transactions, both
          - the first computation (empty findings table: every finding inserted), and
          - a repeated one (nothing changed: every finding compared, nothing written);
  baseline, measured in the same rounds: SELECT count(*) FROM transactions + fetch of the transaction columns the
  engine reads (the floor any engine reading this vault pays).

Each round opens the vault fresh (empty SQLite page cache) for every variant, in a shuffled order.

usage: python benchmarks/bench_findings.py [--rounds N]     (prints Markdown tables and PASS/FAIL lines)
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
from collections import Counter
from functools import partial
from pathlib import Path

import sqlcipher3

from _common import (
    TODAY,
    build_large_vault,
    describe_build,
    finish,
    med,
    ms,
    open_manager,
    rounds,
    table,
    timed,
    verdict,
)
from mybnpl.detect.engine import run_all
from mybnpl.detect.model import LEAN_COLUMNS
from mybnpl.services import findings
from mybnpl.services.catalog import load_catalog
from mybnpl.services.findings_store import write_findings
from mybnpl.vault import connection as cx
from mybnpl.vault.db import Vault
from mybnpl.vault.manager import VaultManager

LIMIT_MS = 1000.0
CATALOG = load_catalog()


def baseline(vault: Vault) -> int:
    n = int(vault.scalar("SELECT count(*) FROM transactions"))
    rows = vault.query(f"SELECT {', '.join(LEAN_COLUMNS)} FROM transactions")
    assert len(rows) == n
    return n


def clear(vault: Vault) -> None:
    with vault.transaction() as conn:
        conn.execute("DELETE FROM evidence_links WHERE entity = 'finding'")
        conn.execute("DELETE FROM findings")


def first(vault: Vault) -> findings.RecomputeResult:
    return findings.recompute(vault, CATALOG, TODAY)


def parts(vault: Vault) -> dict[str, float]:
    """The three stages of a repeated recompute, timed one by one (information)."""
    rules = findings.load_rules()
    s_load, snap = timed(partial(findings.load_snapshot, vault, CATALOG))
    s_run, found = timed(partial(run_all, snap, rules, TODAY))
    s_write, _ = timed(partial(write_findings, vault, found, TODAY))
    return {"load_snapshot": s_load, "run_all (detectors)": s_run, "write_findings (upsert)": s_write}


def bench(manager: VaultManager, n_rounds: int) -> None:
    vault = manager.open_with_keyring()
    try:
        clear(vault)
        result = first(vault)
        kinds = Counter(f.kind for f in findings.list_findings(vault, include_all=True))
    finally:
        vault.close()
    print(f"recompute({TODAY}) finds {result.total:,} findings: "
          + ", ".join(f"{k} {n:,}" for k, n in sorted(kinds.items())) + "\n")

    names = ["baseline: count(*) + fetch of the engine's transaction columns",
             "recompute(), first (empty findings table)", "recompute(), repeated (nothing changed)", "stages"]
    times: dict[str, list[float]] = {n: [] for n in names}
    stage_times: dict[str, list[float]] = {}
    for _r, name in rounds(names, n_rounds, seed=5):
        vault = manager.open_with_keyring()  # fresh connection: empty page cache, as after unlocking
        try:
            if name == names[0]:
                times[name].append(timed(partial(baseline, vault))[0])
            elif name == names[1]:
                clear(vault)
                cx_seconds, res = timed(partial(first, vault))
                assert res.added == result.total, res
                times[name].append(cx_seconds)
            elif name == names[2]:
                first(vault)  # make sure everything is stored, then time the repeat
                seconds, res = timed(partial(first, vault))
                assert not res.changed and res.unchanged == result.total, res
                times[name].append(seconds)
            else:
                first(vault)
                for stage, seconds in parts(vault).items():
                    stage_times.setdefault(stage, []).append(seconds)
        finally:
            vault.close()
    base = med(times[names[0]])
    table(["variant", "median ms", "min ms", "max ms", "x baseline", "n"],
          [[n, ms(med(ts)), ms(min(ts)), ms(max(ts)), f"{med(ts) / base:.2f}", len(ts)]
           for n, ts in times.items() if n != "stages"])
    table(["stage of a repeated recompute (information)", "median ms", "min ms", "max ms"],
          [[n, ms(med(ts)), ms(min(ts)), ms(max(ts))] for n, ts in stage_times.items()])
    verdict("findings: recompute(), first, median", med(times[names[1]]) * 1e3, LIMIT_MS)
    verdict("findings: recompute(), repeated, median", med(times[names[2]]) * 1e3, LIMIT_MS)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=7, help="rounds per measurement (default 7)")
    args = ap.parse_args()
    print(f"# bench_findings: Python {platform.python_version()}, SQLCipher {cx.cipher_version()} "
          f"(SQLite {sqlcipher3.sqlite_version}), {os.cpu_count()} CPUs, {platform.machine()}\n")
    with tempfile.TemporaryDirectory(prefix="mybnpl-bench-") as tmp:
        info = build_large_vault(Path(tmp))
        print(describe_build(info) + "\n")
        bench(open_manager(Path(tmp), info["items"]), args.rounds)
    return finish()


if __name__ == "__main__":
    raise SystemExit(main())
