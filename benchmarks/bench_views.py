"""Transactions view benchmark on the large demo vault (100,000 transactions), Qt offscreen.

  2. from constructing the lazy view to the first rows rendered <= 100 ms; scroll to the end and 50 random jumps
     without a stall (each <= 100 ms); peak RSS stays small (the model must not load all rows).

Variants, round-robin in a shuffled order, each round on a freshly opened vault (empty SQLite page cache):
  baseline  a bare QTableView over an empty QStandardItemModel, shown and grabbed
  model     mybnpl.ui.models.TransactionsModel + a plain QTableView
  page      mybnpl.ui.pages.transactions.TransactionsPage (what the app shows)
The vault is built in a child process so that this process's peak RSS is the view's, not the demo generator's.

usage: python benchmarks/bench_views.py [--rounds N] [--jumps N]
"""

from __future__ import annotations

import argparse
import ctypes
import multiprocessing
import os
import random
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QApplication, QLabel, QTableView, QWidget

from _common import (
    build_large_vault,
    describe_build,
    finish,
    med,
    ms,
    open_manager,
    peak_rss_mib,
    rounds,
    rss_mib,
    table,
    timed,
    verdict,
)
from mybnpl.config import Config
from mybnpl.services.catalog import load_catalog
from mybnpl.services.transactions import page_transactions
from mybnpl.ui.context import UiContext
from mybnpl.ui.models import TransactionsModel
from mybnpl.ui.pages.dashboard import DashboardPage
from mybnpl.ui.pages.transactions import TransactionsPage
from mybnpl.vault.connection import CACHE_KIB
from mybnpl.vault.db import Vault

BASELINE, MODEL, PAGE = "baseline: empty QStandardItemModel", "TransactionsModel + QTableView", "TransactionsPage"
SIZE = (1200, 800)
RSS_LIMIT_MIB = CACHE_KIB / 1024  # peak RSS growth over idle Qt: bounded by the SQLite page-cache budget, not rows


@dataclass
class Samples:
    first: list[float] = field(default_factory=list)
    bottom: list[float] = field(default_factory=list)
    jumps: list[float] = field(default_factory=list)
    fetches: list[int] = field(default_factory=list)
    reached_end: list[bool] = field(default_factory=list)


def guard_none_refcount() -> None:
    """PySide6 6.12.0 on Python < 3.12 returns None from void methods without a new reference: every call takes
    one reference from None, and the process aborts ("none_dealloc: deallocating None") after a few thousand
    calls. Detect it, say so, and keep this benchmark alive by adding references to None that are never released
    (CPython: ob_refcnt is the first field of the object, at id(None))."""
    label = QLabel()
    before = sys.getrefcount(None)
    for _ in range(20):
        label.setText("x")
    lost = (before - sys.getrefcount(None)) / 20
    if lost > 0.5:
        ctypes.c_ssize_t.from_address(id(None)).value += 10_000_000
        print(f"WARNING  PySide6 {pyside_version} on Python {sys.version.split()[0]}: each void Qt call drops a "
              f"reference to None ({lost:.2f}/call, {before:,} at start): "
              "the app aborts after a few thousand calls. This run adds 10,000,000 references to None to survive.\n")


def dispose(widget: QWidget) -> None:
    widget.close()
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def show(app: QApplication, widget: QWidget) -> None:
    """Show, let Qt lay out and paint, then render the widget once more: the first rows are on screen."""
    widget.resize(*SIZE)
    widget.show()
    app.processEvents()
    assert not widget.grab().isNull()


def baseline(app: QApplication) -> float:
    view = QTableView()
    model = QStandardItemModel(view)

    def run() -> None:
        view.setModel(model)
        show(app, view)

    seconds, _ = timed(run)
    dispose(view)
    return seconds


def lazy(app: QApplication, ctx: UiContext, vault: Vault, name: str, jumps: int, seed: int, out: Samples) -> None:
    holder: list[tuple[QWidget, QTableView, TransactionsModel]] = []

    def construct() -> None:
        if name == PAGE:
            page = TransactionsPage(ctx)
            page.set_vault(vault)
            holder.append((page, page.table, page.model))
        else:
            view = QTableView()
            model = TransactionsModel(ctx.catalog, view)
            model.set_vault(vault)
            view.setModel(model)
            holder.append((view, view, model))
        show(app, holder[0][0])

    out.first.append(timed(construct)[0])
    widget, view, model = holder[0]
    count = model.rowCount()

    def to_bottom() -> None:
        view.scrollToBottom()
        app.processEvents()
        widget.grab()

    out.bottom.append(timed(to_bottom)[0])
    out.reached_end.append((count - 1) // model.block_size in model.cached_blocks())
    rnd = random.Random(seed)
    for row in (rnd.randrange(count) for _ in range(jumps)):

        def jump(row: int = row) -> None:
            view.scrollTo(model.index(row, 0))
            app.processEvents()
            widget.grab()

        out.jumps.append(timed(jump)[0])
    out.fetches.append(model.fetches)
    dispose(widget)


def dashboard_page(app: QApplication, ctx: UiContext, vault: Vault) -> float:
    holder: list[DashboardPage] = []

    def run() -> None:
        holder.append(DashboardPage(ctx))
        holder[0].set_vault(vault)
        show(app, holder[0])

    seconds, _ = timed(run)
    dispose(holder[0])
    return seconds


def p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, round(0.95 * len(xs)) - 1)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=7, help="rounds (default 7)")
    ap.add_argument("--jumps", type=int, default=50, help="random scroll jumps per round (default 50)")
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="mybnpl-bench-") as tmp:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            info = pool.submit(build_large_vault, Path(tmp)).result()
        print(f"# bench_views: PySide6 {pyside_version}, QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}, "
              f"{os.cpu_count()} CPUs, view {SIZE[0]}x{SIZE[1]}\n")
        print(describe_build(info) + " (in a child process)\n")
        rss_imports = rss_mib()
        app = QApplication([])
        guard_none_refcount()
        manager = open_manager(Path(tmp), info["items"])
        ctx = UiContext(config=Config(None), manager=manager, catalog=load_catalog(), platform_hooks=False)
        baseline(app)  # untimed warm-up: the first widget of the process pays for fonts and style
        rss_idle = rss_mib()

        base: list[float] = []
        samples = {MODEL: Samples(), PAGE: Samples()}
        for r, name in rounds([BASELINE, MODEL, PAGE], args.rounds, seed=7):
            if name == BASELINE:
                base.append(baseline(app))
                continue
            vault = manager.open_with_keyring()  # as after an unlock: cold SQLite page cache
            try:
                lazy(app, ctx, vault, name, args.jumps, seed=100 + r, out=samples[name])
            finally:
                vault.close()
        peak = peak_rss_mib()
        rss_after = rss_mib()

        print("## 2. Transactions view (median of rounds; jumps pooled over all rounds)\n")
        rows = [[BASELINE, ms(med(base)), ms(max(base)), "-", "-", "-", "-", "-", "-"]]
        for name, s in samples.items():
            rows.append([name, ms(med(s.first)), ms(max(s.first)), ms(med(s.bottom)), ms(max(s.bottom)),
                         ms(med(s.jumps)), ms(p95(s.jumps)), ms(max(s.jumps)), f"{med(s.fetches):g}"])
        table(["variant", "first rows ms", "max", "scroll to end ms", "max", "jump median ms", "jump p95",
               "jump max", "block reads/round"], rows)
        for name, s in samples.items():
            print(f"{name}: first rows = {med(s.first) / med(base):.1f}x the empty-view baseline; last block "
                  f"loaded after scrollToBottom in {sum(s.reached_end)}/{len(s.reached_end)} rounds")
        print(f"\nRSS: {rss_imports:.0f} MiB after imports, {rss_idle:.0f} MiB with Qt up (idle), "
              f"{rss_after:.0f} MiB after all rounds; peak {peak:.0f} MiB "
              f"(+{peak - rss_idle:.0f} MiB over idle Qt)\n")

        for name, s in samples.items():
            verdict(f"2. {name}: construct -> first rows rendered (median)", med(s.first) * 1e3, 100)
        verdict("2. scroll to end, worst of all rounds", max(max(s.bottom) for s in samples.values()) * 1e3, 100)
        verdict(f"2. {args.jumps} random jumps x {args.rounds} rounds, worst",
                max(max(s.jumps) for s in samples.values()) * 1e3, 100)
        verdict("2. peak RSS growth over idle Qt", peak - rss_idle, RSS_LIMIT_MIB, "MiB")

        print("\n## Information\n")
        vault = manager.open_with_keyring()
        try:
            dash = [dashboard_page(app, ctx, vault) for _ in range(3)]
            print(f"DashboardPage construct + set_vault + show + grab: median {ms(med(dash))} ms "
                  f"(max {ms(max(dash))}, n={len(dash)})")
            before = rss_mib()
            seconds, all_rows = timed(lambda: page_transactions(vault, 0, 200_000))
            print(f"what a load-everything model would cost: page_transactions(all {len(all_rows):,} rows) "
                  f"{seconds:.2f} s, +{rss_mib() - before:.0f} MiB RSS")
        finally:
            vault.close()
    return finish()


if __name__ == "__main__":
    raise SystemExit(main())
