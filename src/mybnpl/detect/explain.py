"""Plain-language pieces shared by the detectors' explanations (English and Chinese)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from mybnpl.core.errors import InvalidInput
from mybnpl.core.money import Money, exponent
from mybnpl.detect.model import (
    T_AMOUNT,
    T_AT,
    T_BNPL,
    T_CURRENCY,
    T_DATE,
    T_ID,
    T_MERCHANT,
    T_METHOD,
    Confidence,
    TxRow,
)
from mybnpl.detect.snapshot import Snapshot

_CONF_EN = {Confidence.HIGH: "high", Confidence.MEDIUM: "medium", Confidence.LOW: "low"}
_CONF_ZH = {Confidence.HIGH: "高", Confidence.MEDIUM: "中等", Confidence.LOW: "低"}


@cache
def _layout(currency: str) -> tuple[int, str]:
    """(exponent, "¥{}" or "{} SEK"): how Money.format lays out an amount of this currency."""
    e = exponent(currency)
    zero = Money.from_minor(0, currency).format()
    return e, zero.replace(f"{0:.{e}f}", "{}", 1)


def money(minor: int, currency: str) -> str:
    """``Money.from_minor(minor, currency).format()``, without building a Money per amount."""
    try:
        e, layout = _layout(currency)
    except InvalidInput:
        return f"{minor} {currency}"
    whole, frac = divmod(abs(minor), 10**e)
    body = f"{whole:,}.{frac:0{e}d}" if e else f"{whole:,}"
    return ("-" if minor < 0 else "") + layout.format(body)


def pct(rate: float) -> str:
    return f"{rate * 100:.1f}%"


def name_en(snap: Snapshot, provider_id: str | None) -> str:
    p = snap.providers.get(provider_id or "")
    if p is None:
        return provider_id or "an unknown product"
    return p.name_en if p.name_zh in p.name_en or not p.name_zh.strip() else f"{p.name_en} ({p.name_zh})"


def name_zh(snap: Snapshot, provider_id: str | None) -> str:
    p = snap.providers.get(provider_id or "")
    return p.name_zh if p is not None else (provider_id or "未知产品")


def heuristic(conf: Confidence) -> tuple[str, str]:
    """The confidence note of a heuristic rule, in English and Chinese."""
    return (f"(Heuristic, {_CONF_EN[conf]} confidence.)", f"（推断规则，可信度{_CONF_ZH[conf]}。）")


def when(r: TxRow) -> str:
    """The row's date, with its time of day when the source gave one."""
    at = r[T_AT].strip()
    return at[:16] if at.startswith(r[T_DATE]) and len(at) >= 16 else r[T_DATE]


def row_en(snap: Snapshot, r: TxRow) -> str:
    parts = [f"{when(r)}, {money(r[T_AMOUNT], r[T_CURRENCY])}"]
    if r[T_MERCHANT].strip():
        parts.append(f" at {r[T_MERCHANT].strip()}")
    method = r[T_METHOD].strip() or (name_en(snap, r[T_BNPL]) if r[T_BNPL] else "")
    if method:
        parts.append(f", paid with {method}")
    source = snap.source_name(r)
    parts.append(f" (transaction #{r[T_ID]}" + (f" from {source})" if source else ")"))
    return "".join(parts)


def row_zh(snap: Snapshot, r: TxRow) -> str:
    text = f"{when(r)} "
    if r[T_MERCHANT].strip():
        text += f"在“{r[T_MERCHANT].strip()}”"
    text += f"支付 {money(r[T_AMOUNT], r[T_CURRENCY])}"
    method = r[T_METHOD].strip() or (name_zh(snap, r[T_BNPL]) if r[T_BNPL] else "")
    source = snap.source_name(r)
    extra = [f"支付方式：{method}"] if method else []
    extra.append(f"记录 #{r[T_ID]}" + (f"，来自 {source}" if source else ""))
    return text + "（" + "；".join(extra) + "）"


def total_text(rows: Iterable[tuple[Any, ...]]) -> str:
    """The rows' amounts summed per currency: "¥12.00 + €3.00"."""
    sums: dict[str, int] = {}
    for r in rows:
        sums[r[T_CURRENCY]] = sums.get(r[T_CURRENCY], 0) + r[T_AMOUNT]
    return " + ".join(money(v, c) for c, v in sorted(sums.items()))
