"""PDF statement import against `pdftotext -layout` on the same 200-page statements (Latin and CJK).

  1. generate the 200-page synthetic BNPL statement of shared/reference/perf/gen_statements.py (tests/importers/
     pdfgen.py, reportlab): 8,000 rows, a header with the total due on every page
  2. per language, interleaved rounds in a shuffled order inside this process:
     - pdftotext: `pdftotext -layout FILE -` as a subprocess, stdout captured (includes its process spawn)
     - import: mybnpl.importers.sandbox.parse_isolated (the limited child: detect, text, layout, rows, reconcile,
       JSON back) and then inserting the rows into a real vault (SQLCipher, passphrase mode, fast KDF) with
       repos.insert_transactions inside vault.transaction(); a fresh vault per round, created outside the timer
  3. PASS/FAIL: import throughput >= 0.25x pdftotext's (medians, same run) and the child's peak RSS <= 300 MB
     (resource.getrusage(RUSAGE_CHILDREN).ru_maxrss: the maximum over all children, i.e. the import workers and
     their forked text readers; pdftotext's own is ~10 MB)

usage: python benchmarks/bench_import_pdf.py [--rounds N] [--pages N]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from _common import finish, med, rounds, table, timed, verdict

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.importers.pdfgen

from tests.importers import pdfgen

from mybnpl.importers.sandbox import parse_isolated
from mybnpl.vault import repos
from mybnpl.vault.keys import KdfParams
from mybnpl.vault.keystore import MemoryKeyStore
from mybnpl.vault.manager import KeyMode, VaultManager

RATIO_TARGET = 0.25
CHILD_RSS_MB = 300


def import_once(data: bytes, name: str, directory: Path) -> tuple[float, int]:
    """Seconds for parse_isolated + insert into a fresh vault, and the rows stored."""
    manager = VaultManager(directory / f"{name}.mybnpl", MemoryKeyStore(), kdf=KdfParams.fast_for_tests())
    vault, _recovery = manager.create(KeyMode.PASSPHRASE, "bench passphrase")
    try:
        def run() -> int:
            st = parse_isolated(data, name)
            assert st.reconciled is True, "the benchmark statement must reconcile"
            rows = [repos.NewTransaction(posted_on=t.posted_on, amount=t.amount, direction=t.direction,
                                         merchant=t.merchant, description=t.description,
                                         bnpl_product=t.bnpl_product, occurrence=i) for i, t in
                    enumerate(st.transactions, 1)]
            with vault.transaction() as conn:
                return repos.insert_transactions(conn, rows)

        seconds, stored = timed(run)
    finally:
        vault.close()
    return seconds, stored


def pdftotext_once(path: Path) -> float:
    def run() -> int:
        return len(subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout)

    seconds, _ = timed(run)
    return seconds


def child_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--pages", type=int, default=200)
    args = ap.parse_args(argv)
    if shutil.which("pdftotext") is None:
        print("pdftotext (the baseline) is not installed: apt-get install poppler-utils", file=sys.stderr)
        return 2
    results: list[list[Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as tmp:
        directory = Path(tmp)
        files = {}
        for lang in ("latin", "cjk"):
            data = pdfgen.synthetic(lang, args.pages)
            path = directory / f"bnpl_{lang}_{args.pages}p.pdf"
            path.write_bytes(data)
            files[lang] = (path, data)
            print(f"generated {path.name}: {len(data) / 1024:.0f} KiB, {args.pages * 40:,} rows")
        times: dict[tuple[str, str], list[float]] = {(kind, lang): [] for kind in ("import", "pdftotext")
                                                     for lang in files}
        for r, (kind, lang) in rounds(list(times), args.rounds, seed=7):  # all four interleaved, shuffled
            path, data = files[lang]
            if kind == "import":
                seconds, stored = import_once(data, f"{lang}-{r}", directory)
                assert stored == args.pages * 40
            else:
                seconds = pdftotext_once(path)
            times[kind, lang].append(seconds)
        peak = child_peak_mb()  # the maximum over every child: the import workers (pdftotext's is ~10 MB)
    print()
    for lang in files:
        imp, txt = med(times["import", lang]), med(times["pdftotext", lang])
        results.append([lang, f"{imp * 1e3:.0f}", f"{args.pages / imp:.0f}", f"{txt * 1e3:.0f}",
                        f"{args.pages / txt:.0f}", f"{txt / imp:.2f}"])
    table(["file", "import ms", "import p/s", "pdftotext ms", "pdftotext p/s", "ratio (import/pdftotext p/s)"],
          results)
    print(f"rounds: {args.rounds}; import = parse_isolated + insert {args.pages * 40:,} rows into a new vault\n")
    for lang in files:  # throughput >= 0.25x pdftotext's  <=>  import time <= pdftotext time / 0.25
        imp, txt = med(times["import", lang]), med(times["pdftotext", lang])
        verdict(f"{lang} {args.pages}-page import within {1 / RATIO_TARGET:g}x pdftotext's time "
                f"(throughput {txt / imp:.2f}x, target >= {RATIO_TARGET}x)", imp * 1e3, txt / RATIO_TARGET * 1e3)
    verdict("peak RSS of the import child", peak, CHILD_RSS_MB, "MB")
    return finish()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
