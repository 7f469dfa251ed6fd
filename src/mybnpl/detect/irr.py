"""Annualised internal rate of return of dated cash flows.

Convention (Excel's XIRR): the **effective annual rate** R that solves
``sum(cf_i / (1 + R) ** (days_i / 365)) = 0``, where ``days_i`` counts actual days from the first flow.
Equivalently the daily rate r_d with ``(1 + r_d) ** 365 = 1 + R`` (compounded, actual/365). Flows are signed
from the borrower's side: money received positive, money paid negative. :func:`nominal` turns R into the
simple "daily rate x 365" figure some providers quote, which is lower.

Solved in ``v = ln(1 + R)`` by Newton's method from a close first guess; when that does not settle, by Newton
inside a bisection bracket (slower, always safe).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

_V_MIN, _V_MAX = -30.0, 30.0  # R from about -100% to about e**30


def _npv(v: float, flows: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """NPV at ln(1+R) = v and its derivative in v; flows are (years, amount)."""
    f = d = 0.0
    for t, cf in flows:
        x = cf * math.exp(-v * t)
        f += x
        d -= t * x
    return f, d


def xirr(flows: Sequence[tuple[date, int | float]]) -> float | None:
    """Effective annual rate of ``(date, amount)`` flows, or None when no rate solves them (all flows of one
    sign, or no root in range)."""
    if not flows:
        return None
    start = min(d for d, _ in flows).toordinal()
    return xirr_years([((d.toordinal() - start) / 365.0, float(cf)) for d, cf in flows])


def xirr_years(years: Sequence[tuple[float, float]]) -> float | None:
    """:func:`xirr` of flows already given as (years from the start, amount)."""
    flows = [(t, cf) for t, cf in years if cf]
    if not any(cf > 0 for _, cf in flows) or not any(cf < 0 for _, cf in flows):
        return None
    v = _newton(flows)
    return math.expm1(v) if v is not None else _bracketed(flows)


def _newton(years: Sequence[tuple[float, float]]) -> float | None:
    """Plain Newton from the rate that would be exact if every payment fell on their weighted mean date;
    None when it does not settle quickly (the bracketed solver takes over)."""
    received = sum(cf for _, cf in years if cf > 0)
    paid = -sum(cf for _, cf in years if cf < 0)
    t_paid = sum(-t * cf for t, cf in years if cf < 0) / paid
    t_received = sum(t * cf for t, cf in years if cf > 0) / received
    span = t_paid - t_received
    v = math.log(paid / received) / span if span > 1e-9 else 0.0
    for _ in range(30):
        if not _V_MIN < v < _V_MAX:
            return None
        try:
            f, d = _npv(v, years)
        except OverflowError:
            return None
        if d == 0:
            return None
        step = f / d
        v -= step
        if abs(step) < 1e-12:
            return v
    return None


def _bracketed(years: Sequence[tuple[float, float]]) -> float | None:
    span = max(t for t, _ in years) or 1.0
    lo, hi = max(_V_MIN, -600.0 / span), min(_V_MAX, 600.0 / span)  # keep exp() finite
    f_lo, f_hi = _npv(lo, years)[0], _npv(hi, years)[0]
    if f_lo == 0:
        return math.expm1(lo)
    if f_hi == 0:
        return math.expm1(hi)
    if (f_lo > 0) == (f_hi > 0):
        return None
    v = (lo + hi) / 2
    for _ in range(300):
        f, d = _npv(v, years)
        if f == 0:
            break
        if (f > 0) == (f_lo > 0):
            lo, f_lo = v, f
        else:
            hi = v
        nv = v - f / d if d else (lo + hi) / 2
        if not lo < nv < hi:
            nv = (lo + hi) / 2  # Newton left the bracket: bisect
        if abs(nv - v) < 1e-13:
            v = nv
            break
        v = nv
    return math.expm1(v)


def nominal(effective: float) -> float:
    """The simple annual rate (daily rate x 365) of an effective annual rate."""
    return 365.0 * math.expm1(math.log1p(effective) / 365.0)
