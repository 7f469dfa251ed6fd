"""Shared helpers for the benchmark scripts: the large demo vault, timing, tables, verdicts.

Method (as in shared/reference/perf-baselines.md): the variants of one measurement run round-robin in a shuffled
order inside one process, tables give medians, and ratios are taken within the same run.
"""

from __future__ import annotations

import gc
import math
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from mybnpl.services.catalog import load_catalog
from mybnpl.services.demo import fill_demo
from mybnpl.vault.keystore import MemoryKeyStore
from mybnpl.vault.manager import KeyMode, VaultManager

T = TypeVar("T")
TODAY = date.today()  # fill_demo() and dashboard() must agree on "today"
VAULT_NAME = "bench.mybnpl"

_verdicts: list[bool] = []


def build_large_vault(directory: Path) -> dict[str, Any]:
    """Create a keyring-mode vault in ``directory`` and fill it with the large demo set.

    Returns the memory keystore's items (so another process can open the vault) and what was built."""
    store = MemoryKeyStore()
    manager = VaultManager(Path(directory) / VAULT_NAME, store)
    t0 = time.perf_counter()
    vault, _recovery = manager.create(KeyMode.KEYRING)
    try:
        counts = fill_demo(vault, load_catalog(), size="large", today=TODAY)
    finally:
        vault.close()
    seconds = time.perf_counter() - t0
    size = manager.path.stat().st_size
    return {"items": dict(store.items), "counts": counts, "seconds": seconds, "bytes": size}


def open_manager(directory: Path, items: dict[str, str]) -> VaultManager:
    store = MemoryKeyStore()
    store.items.update(items)
    return VaultManager(Path(directory) / VAULT_NAME, store)


def describe_build(info: dict[str, Any]) -> str:
    c = info["counts"]
    return (f"large demo vault: {c['transactions']:,} transactions, {c['installments']:,} installments, "
            f"{info['bytes'] / 2**20:.1f} MiB, built in {info['seconds']:.1f} s")


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    """Seconds taken by ``fn()`` (garbage collected first, outside the timer) and its result."""
    gc.collect()
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def rounds(names: Sequence[str], n: int, seed: int) -> Iterator[tuple[int, str]]:
    """(round, name) for ``n`` rounds, each round visiting every name once in a freshly shuffled order."""
    rnd = random.Random(seed)
    for r in range(n):
        order = list(names)
        rnd.shuffle(order)
        for name in order:
            yield r, name


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f}" if seconds < 0.01 else f"{seconds * 1e3:.1f}"


def med(xs: Sequence[float]) -> float:
    return statistics.median(xs)


def geomean(xs: Sequence[float]) -> float:
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print a Markdown table."""
    print("| " + " | ".join(headers) + " |")
    print("|" + "---|" * len(headers))
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")
    print()


def verdict(target: str, value: float, limit: float, unit: str = "ms") -> bool:
    ok = value <= limit
    _verdicts.append(ok)
    print(f"{'PASS' if ok else 'FAIL'}  {target}: {value:.2f} {unit} (limit {limit:g} {unit})")
    return ok


def finish() -> int:
    """Exit status for the script: 0 when every target passed."""
    print(f"\n{sum(_verdicts)}/{len(_verdicts)} targets passed")
    return 0 if all(_verdicts) else 1


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def rss_mib() -> float:
    """Current resident set size (Linux /proc); falls back to the peak elsewhere."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return peak_rss_mib()
