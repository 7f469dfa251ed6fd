"""Thresholds and windows of the detectors, parsed from the data of ``resources/findings_rules.json``.

Strict like the provider catalog: unknown or missing keys, wrong types and rules without a source raise
InvalidInput. Pure (data in, objects out); the services layer reads the file.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mybnpl.core.errors import InvalidInput
from mybnpl.core.models import Severity
from mybnpl.i18n import N_


@dataclass(frozen=True)
class Source:
    name: str
    url: str = ""
    citation: str = ""
    verify: bool = False  # not confirmed from the source text


@dataclass(frozen=True)
class RateLine:
    """A reference annual rate (a threshold to show, never a verdict)."""

    id: str
    rate: float
    severity: Severity
    label_zh: str
    label_en: str
    applies_zh: str
    applies_en: str
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class DefaultSwitchRule:
    min_prior_payments: int  # non-BNPL payments at the merchant before the first BNPL one
    medium_confidence_prior_payments: int


@dataclass(frozen=True)
class FeeRule:
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class CostRule:
    annualisation: str  # "effective" (compounded, actual/365) or "nominal" (daily rate x 365)


@dataclass(frozen=True)
class StackingRule:
    window_days: int
    min_providers: int
    warning_providers: int
    horizon_days: int


@dataclass(frozen=True)
class OverdueRule:
    grace_days: int
    serious_after_days: int


@dataclass(frozen=True)
class RepaymentRule:
    keywords: tuple[str, ...]
    lookback_days: int  # a repayment this many days before a due date still counts for it


@dataclass(frozen=True)
class DoublePaymentRule:
    near_due_days: int  # a manual repayment this close before a due date that autopay may also collect
    window_days: int  # two equal repayments at most this many days apart


@dataclass(frozen=True)
class DuplicateRule:
    window_days: int  # equal charges at most this many days apart (0: the same day)
    close_minutes: int  # ... and at most this many minutes apart: medium instead of low confidence
    min_amount_minor: int
    ignore_status: tuple[str, ...]


@dataclass(frozen=True)
class Rules:
    version: int
    checked: str
    rate_lines: tuple[RateLine, ...]  # ascending by rate
    default_switch: DefaultSwitchRule
    fee_charged: FeeRule
    cost_above_threshold: CostRule
    stacked_dues: StackingRule
    overdue_unpaid: OverdueRule
    repayment: RepaymentRule
    double_payment_risk: DoublePaymentRule
    duplicate_charge: DuplicateRule
    sources: dict[str, tuple[Source, ...]]  # per rule id (the sections above and the source-only rules)


_SECTIONS: dict[str, type[Any]] = {
    "default_switch": DefaultSwitchRule, "fee_charged": FeeRule, "cost_above_threshold": CostRule,
    "stacked_dues": StackingRule, "overdue_unpaid": OverdueRule, "repayment": RepaymentRule,
    "double_payment_risk": DoublePaymentRule, "duplicate_charge": DuplicateRule,
}
_SOURCE_ONLY = ("unconsented_enrollment", "reenabled_after_closure", "bundled_fee", "unknown_provider_charge")


def _bad(detail: str) -> InvalidInput:
    return InvalidInput(N_("The findings rules are not valid: {detail}"), detail=detail)


def _obj(v: Any, where: str, required: set[str], optional: frozenset[str] = frozenset()) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise _bad(f"{where} must be an object")
    missing, unknown = required - v.keys(), v.keys() - required - optional
    if missing or unknown:
        raise _bad(f"{where}: missing {sorted(missing)}, unknown {sorted(unknown)}")
    return v


def _text(v: Any, where: str) -> str:
    if not isinstance(v, str) or not v.strip():
        raise _bad(f"{where} must be non-empty text")
    return v


def _sources(v: Any, where: str) -> tuple[Source, ...]:
    if not isinstance(v, list) or not v:
        raise _bad(f"{where} needs at least one source")
    out = []
    for i, s in enumerate(v):
        d = _obj(s, f"{where}[{i}]", {"name"}, frozenset({"url", "citation", "verify"}))
        if not d.get("url") and not d.get("citation") and "heuristic" not in d["name"]:
            raise _bad(f"{where}[{i}] needs a url or a citation")
        out.append(Source(_text(d["name"], where), str(d.get("url", "")), str(d.get("citation", "")),
                          bool(d.get("verify", False))))
    return tuple(out)


def _field(v: Any, annotation: str, where: str) -> Any:
    if annotation == "int":
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise _bad(f"{where} must be a whole number >= 0")
        return v
    if annotation == "str":
        return _text(v, where)
    if not isinstance(v, list) or not v or not all(isinstance(x, str) and x.strip() for x in v):
        raise _bad(f"{where} must be a non-empty list of texts")
    return tuple(v)


def _section(cls: type[Any], v: Any, where: str) -> tuple[Any, tuple[Source, ...]]:
    fields = {f.name: str(f.type) for f in dataclasses.fields(cls)}
    d = _obj(v, where, {*fields, "sources"}, frozenset({"note"}))
    values = {name: _field(d[name], ann, f"{where}.{name}") for name, ann in fields.items()}
    return cls(**values), _sources(d["sources"], f"{where}.sources")


def _rate_line(v: Any, where: str) -> RateLine:
    d = _obj(v, where, {"id", "rate", "severity", "label", "applies", "sources"}, frozenset({"basis", "note"}))
    rate = d["rate"]
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < rate < 10:
        raise _bad(f"{where}.rate must be an annual rate such as 0.24")
    basis = d.get("basis")
    if basis is not None:
        b = _obj(basis, f"{where}.basis", {"lpr_1y", "multiple", "lpr_since"})
        if abs(float(b["lpr_1y"]) * float(b["multiple"]) - rate) > 1e-9:
            raise _bad(f"{where}.rate must equal lpr_1y x multiple")
    label = _obj(d["label"], f"{where}.label", {"zh", "en"})
    applies = _obj(d["applies"], f"{where}.applies", {"zh", "en"})
    try:
        severity = Severity(d["severity"])
    except ValueError:
        raise _bad(f"{where}.severity must be info, warning or serious") from None
    return RateLine(_text(d["id"], where), float(rate), severity, _text(label["zh"], where), _text(label["en"], where),
                    _text(applies["zh"], where), _text(applies["en"], where), _sources(d["sources"], where))


def parse_rules(data: Any) -> Rules:
    d = _obj(data, "rules file", {"version", "checked", "note", "rate_lines", "rules"})
    lines = d["rate_lines"]
    if not isinstance(lines, list) or not lines:
        raise _bad("rate_lines must be a non-empty list")
    rate_lines = tuple(sorted((_rate_line(x, f"rate_lines[{i}]") for i, x in enumerate(lines)),
                              key=lambda r: r.rate))
    rules = _obj(d["rules"], "rules", {*_SECTIONS, *_SOURCE_ONLY})
    parsed: dict[str, Any] = {}
    sources: dict[str, tuple[Source, ...]] = {}
    for name, cls in _SECTIONS.items():
        parsed[name], sources[name] = _section(cls, rules[name], f"rules.{name}")
    for name in _SOURCE_ONLY:
        sources[name] = _sources(_obj(rules[name], f"rules.{name}", {"sources"}, frozenset({"note"}))["sources"],
                                 f"rules.{name}.sources")
    if parsed["cost_above_threshold"].annualisation not in ("effective", "nominal"):
        raise _bad("rules.cost_above_threshold.annualisation must be effective or nominal")
    if parsed["stacked_dues"].window_days < 1 or parsed["stacked_dues"].min_providers < 2:
        raise _bad("rules.stacked_dues needs window_days >= 1 and min_providers >= 2")
    return Rules(version=int(d["version"]), checked=_text(d["checked"], "checked"), rate_lines=rate_lines,
                 sources=sources, **parsed)


def load_rules(path: Path) -> Rules:
    """Read and parse a rules file."""
    return parse_rules(json.loads(path.read_text(encoding="utf-8")))
