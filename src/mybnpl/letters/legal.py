"""The legal data of the letters: validate the decoded ``resources/legal/legal.json`` into frozen objects.

Pure (no file I/O), strict like :mod:`mybnpl.core.catalog`: missing or unknown keys, unknown jurisdictions,
kinds, units or calendars, references to undefined statutes or deadlines, and facts without ``source`` or
``checked`` raise InvalidInput. ``verify: true`` marks a fact not yet confirmed from its source; it is shown
to the user (Draft.unverified), never printed in a letter.

Format::

    {version, checked, note{zh,en},
     statutes:  {id: {jurisdiction, short{zh,en}, article{zh,en}?, says{zh,en}, source, checked,
                      applies_from?, verify?}},
     deadlines: {id: {jurisdiction (or "ANY"), period{amount,unit}, extensions[period]?, then{period}?,
                      basis: statute|request, says{zh,en}, source, checked, verify?}},
     jurisdictions: {CN|UK|EU|US: {names{zh,en}, calendar,
                      kinds: {kind: {statutes[id], deadline?, escalate_to?, escalate_channel?, recipient?{zh,en},
                                     national_law?}},
                      channels: {catalog channel id: {statutes[id], deadline?}}}}}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any

from mybnpl.core.catalog import Text
from mybnpl.core.datafile import bad, flag, obj
from mybnpl.core.errors import NotFound
from mybnpl.i18n import N_
from mybnpl.letters.deadlines import CALENDARS, UNITS, Period

KINDS = ("complaint", "regulator", "hardship", "credit_dispute", "closure", "refund")
LETTER_JURISDICTIONS = ("CN", "UK", "EU", "US")
_ID = re.compile(r"[a-z][a-z0-9_]*\Z")


@dataclass(frozen=True)
class Statute:
    id: str
    jurisdiction: str
    short: Text
    article: Text | None
    says: Text
    source: str
    checked: date
    applies_from: date | None = None
    verify: bool = False

    def applies(self, today: date) -> bool:
        return self.applies_from is None or today >= self.applies_from


@dataclass(frozen=True)
class DeadlineRule:
    id: str
    jurisdiction: str  # a jurisdiction, or "ANY"
    period: Period
    extensions: tuple[Period, ...]
    then: Period | None
    basis: str  # "statute": the law sets it; "request": the letter asks for it, no statutory deadline
    says: Text
    source: str
    checked: date
    verify: bool = False


@dataclass(frozen=True)
class KindRule:
    statutes: tuple[str, ...]
    deadline: str | None
    escalate_to: str | None
    escalate_channel: str | None
    recipient: Text | None
    national_law: bool


@dataclass(frozen=True)
class ChannelRule:
    statutes: tuple[str, ...]
    deadline: str | None


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    names: Text
    calendar: str
    kinds: Mapping[str, KindRule]
    channels: Mapping[str, ChannelRule]


@dataclass(frozen=True)
class Legal:
    version: int
    checked: date
    note: Text
    statutes: Mapping[str, Statute]
    deadlines: Mapping[str, DeadlineRule]
    jurisdictions: Mapping[str, Jurisdiction]

    def jurisdiction(self, code: str) -> Jurisdiction:
        if code not in self.jurisdictions:
            raise NotFound(N_("The jurisdiction {code} is not known."), code=code)
        return self.jurisdictions[code]

    def kind_rule(self, kind: str, code: str) -> KindRule:
        j = self.jurisdiction(code)
        if kind not in j.kinds:
            raise NotFound(N_("The letter kind {kind} is not available in {code}."), kind=kind, code=code)
        return j.kinds[kind]

    def deadline(self, deadline_id: str) -> DeadlineRule:
        if deadline_id not in self.deadlines:
            raise NotFound(N_("The deadline rule {id} is not known."), id=deadline_id)
        return self.deadlines[deadline_id]




def _str(v: Any, where: str) -> str:
    if not isinstance(v, str) or not v.strip():
        raise bad(f"{where} must be a non-empty string")
    return v


def _one_of(v: Any, where: str, allowed: tuple[str, ...]) -> str:
    if v not in allowed:
        raise bad(f"{where}: {v!r} is not one of {', '.join(allowed)}")
    return str(v)


def _text(v: Any, where: str) -> Text:
    d = obj(v, where, {"zh", "en"})
    return Text(_str(d["zh"], f"{where}.zh"), _str(d["en"], f"{where}.en"))


def _date(v: Any, where: str) -> date:
    try:
        return date.fromisoformat(_str(v, where))
    except ValueError:
        raise bad(f"{where} must be a YYYY-MM-DD date") from None


def _period(v: Any, where: str) -> Period:
    d = obj(v, where, {"amount", "unit"})
    amount = d["amount"]
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 1:
        raise bad(f"{where}.amount must be a whole number, at least 1")
    return Period(amount, _one_of(d["unit"], f"{where}.unit", UNITS))


def _statute(sid: str, v: Any, where: str) -> Statute:
    d = obj(v, where, {"jurisdiction", "short", "says", "source", "checked"},
             frozenset({"article", "applies_from", "verify"}))
    return Statute(sid, _one_of(d["jurisdiction"], f"{where}.jurisdiction", LETTER_JURISDICTIONS),
                   _text(d["short"], f"{where}.short"),
                   _text(d["article"], f"{where}.article") if "article" in d else None,
                   _text(d["says"], f"{where}.says"), _str(d["source"], f"{where}.source"),
                   _date(d["checked"], f"{where}.checked"),
                   _date(d["applies_from"], f"{where}.applies_from") if "applies_from" in d else None,
                   flag(d, where, "verify"))


def _deadline(did: str, v: Any, where: str) -> DeadlineRule:
    d = obj(v, where, {"jurisdiction", "period", "basis", "says", "source", "checked"},
             frozenset({"extensions", "then", "verify"}))
    ext = tuple(_period(p, f"{where}.extensions[{i}]") for i, p in enumerate(d.get("extensions", [])))
    return DeadlineRule(did, _one_of(d["jurisdiction"], f"{where}.jurisdiction", (*LETTER_JURISDICTIONS, "ANY")),
                        _period(d["period"], f"{where}.period"), ext,
                        _period(d["then"], f"{where}.then") if "then" in d else None,
                        _one_of(d["basis"], f"{where}.basis", ("statute", "request")),
                        _text(d["says"], f"{where}.says"), _str(d["source"], f"{where}.source"),
                        _date(d["checked"], f"{where}.checked"), flag(d, where, "verify"))


class _Refs:
    def __init__(self, code: str, statutes: Mapping[str, Statute], deadlines: Mapping[str, DeadlineRule]) -> None:
        self.code, self.statutes, self.deadlines = code, statutes, deadlines

    def statute_ids(self, v: Any, where: str) -> tuple[str, ...]:
        if not isinstance(v, list):
            raise bad(f"{where} must be a list")
        for i, sid in enumerate(v):
            if sid not in self.statutes:
                raise bad(f"{where}[{i}] names undefined statute {sid!r}")
            if self.statutes[sid].jurisdiction != self.code:
                raise bad(f"{where}[{i}]: statute {sid!r} is not a {self.code} statute")
        if len(set(v)) != len(v):
            raise bad(f"{where} has duplicates")
        return tuple(v)

    def deadline_id(self, v: Any, where: str) -> str | None:
        if v is None:
            return None
        if v not in self.deadlines:
            raise bad(f"{where} names undefined deadline {v!r}")
        if self.deadlines[v].jurisdiction not in (self.code, "ANY"):
            raise bad(f"{where}: deadline {v!r} is not a {self.code} deadline")
        return str(v)


def _jurisdiction(code: str, v: Any, where: str, refs: _Refs, channel_ids: frozenset[str] | None) -> Jurisdiction:
    d = obj(v, where, {"names", "calendar", "kinds", "channels"})
    kinds_raw = obj(d["kinds"], f"{where}.kinds", set(KINDS))
    kinds = {}
    for kind, kv in kinds_raw.items():
        w = f"{where}.kinds.{kind}"
        k = obj(kv, w, {"statutes"}, frozenset({"deadline", "escalate_to", "escalate_channel", "recipient",
                                                 "national_law"}))
        esc = k.get("escalate_to")
        kinds[kind] = KindRule(refs.statute_ids(k["statutes"], f"{w}.statutes"),
                               refs.deadline_id(k.get("deadline"), f"{w}.deadline"),
                               None if esc is None else _one_of(esc, f"{w}.escalate_to", KINDS),
                               k.get("escalate_channel"),
                               _text(k["recipient"], f"{w}.recipient") if "recipient" in k else None,
                               flag(k, w, "national_law"))
    if not isinstance(d["channels"], dict):
        raise bad(f"{where}.channels must be an object")
    channels = {}
    for cid, cv in d["channels"].items():
        w = f"{where}.channels.{cid}"
        if not _ID.match(cid) or (channel_ids is not None and cid not in channel_ids):
            raise bad(f"{w} is not a channel of the provider catalog")
        c = obj(cv, w, {"statutes"}, frozenset({"deadline"}))
        channels[cid] = ChannelRule(refs.statute_ids(c["statutes"], f"{w}.statutes"),
                                    refs.deadline_id(c.get("deadline"), f"{w}.deadline"))
    for kind, rule in kinds.items():
        if rule.escalate_channel is not None and rule.escalate_channel not in channels:
            raise bad(f"{where}.kinds.{kind}.escalate_channel names undefined channel {rule.escalate_channel!r}")
    return Jurisdiction(code, _text(d["names"], f"{where}.names"), _one_of(d["calendar"], f"{where}.calendar",
                                                                            CALENDARS),
                        MappingProxyType(kinds), MappingProxyType(channels))


def parse_legal(data: Any, channel_ids: frozenset[str] | None = None) -> Legal:
    """Validate decoded ``legal.json``; ``channel_ids`` (the provider catalog's) checks the channel keys."""
    d = obj(data, "legal", {"version", "checked", "note", "statutes", "deadlines", "jurisdictions"})
    for key in ("statutes", "deadlines"):
        if not isinstance(d[key], dict) or not all(isinstance(k, str) and _ID.match(k) for k in d[key]):
            raise bad(f"legal.{key} must be an object keyed by snake_case ids")
    statutes = {k: _statute(k, v, f"statutes.{k}") for k, v in d["statutes"].items()}
    deadlines = {k: _deadline(k, v, f"deadlines.{k}") for k, v in d["deadlines"].items()}
    juris_raw = obj(d["jurisdictions"], "legal.jurisdictions", set(LETTER_JURISDICTIONS))
    juris = {code: _jurisdiction(code, v, f"jurisdictions.{code}", _Refs(code, statutes, deadlines), channel_ids)
             for code, v in juris_raw.items()}
    version = d["version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise bad("legal.version must be a whole number, at least 1")
    return Legal(version, _date(d["checked"], "legal.checked"), _text(d["note"], "legal.note"),
                 MappingProxyType(statutes), MappingProxyType(deadlines), MappingProxyType(juris))
