"""The BNPL provider catalog: validate the decoded data of ``resources/providers.json`` into frozen objects.

Pure (no file I/O). Strict: missing or unknown keys, unknown product kinds or jurisdictions, duplicate ids,
routes through undefined channels, and channels or providers without a source all raise InvalidInput.
``grace_days`` is null where no source was found (unknown); a number needs its ``grace_source``.

Alias rule of :meth:`Catalog.match_payment_method`: text and aliases are NFKC-normalised and case-folded;
an alias matches where it occurs in the text (ASCII edges only at word boundaries: "Zip" is not in "Zipcar").
The longest matching alias wins, and between equally long ones the provider listed first. So "花呗分期" →
huabei, and a generic alias listed by several providers (bare "先用后付", "月付") goes to the first of them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from mybnpl.core.datafile import bad, flag, obj
from mybnpl.core.errors import NotFound

PROVIDER_STEP = "provider"  # first step of every route: the provider's own complaint_channels
JURISDICTIONS = frozenset({"CN", "UK", "EU", "US", "AU"})
_ID = re.compile(r"[a-z][a-z0-9_]*\Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_CURRENCY = re.compile(r"[A-Z]{3}\Z")
_URL = re.compile(r"https?://\S+\Z")
_LIKE = {_ID: "a snake_case ascii id", _DATE: "a YYYY-MM-DD date",
         _CURRENCY: "a 3-letter upper-case ISO code", _URL: "an http(s) address"}


class ProductKind(StrEnum):
    CREDIT_LINE = "credit_line"  # revolving, 花呗/白条/月付-type
    PAY_LATER = "pay_later"  # 先用后付 deferred payment
    INSTALLMENT_LOAN = "installment_loan"
    LOAN_PLATFORM = "loan_platform"  # 助贷: the platform arranges, partner institutions lend
    PAY_IN_N = "pay_in_n"


@dataclass(frozen=True)
class Text:
    zh: str
    en: str

    def get(self, lang: str) -> str:
        """Chinese for "zh"/"zh_CN", English for anything else."""
        return self.zh if lang.replace("-", "_").casefold() in ("zh", "zh_cn") else self.en


@dataclass(frozen=True)
class Source:
    title: str
    url: str
    checked: date


@dataclass(frozen=True)
class Channel:
    """A regulator, ombudsman or public complaint channel, or one of a provider's own channels."""

    id: str
    names: Text
    contact: str
    sources: tuple[Source, ...]
    handles: Text | None = None  # set for the catalog's shared channels
    jurisdiction: str | None = None  # set for the catalog's shared channels
    verify: bool = False
    contacts: Text | None = None  # when the data gives the contact in both languages (``contact`` is the zh one)

    def name(self, lang: str) -> str:
        return self.names.get(lang)

    def contact_for(self, lang: str) -> str:
        """The contact line in ``lang`` when the data has it, else as written."""
        return self.contacts.get(lang) if self.contacts is not None else self.contact


@dataclass(frozen=True)
class Provider:
    id: str
    names: Text
    aliases: tuple[str, ...]
    product_kind: ProductKind
    operator: str
    lending_entity: str | None  # the legal lender (放款主体), None where unknown
    lending_entity_source: Source | None
    lending_entity_verify: bool
    jurisdictions: tuple[str, ...]
    regulator_route: tuple[str, ...]  # "provider", then ids of Catalog.channels, in escalation order
    complaint_channels: tuple[Channel, ...]
    how_to_close: Text
    how_to_close_verify: bool
    currency: str
    grace_days: int | None  # days after a due date before a late fee (published grace period); None: unknown
    sources: tuple[Source, ...]
    note: Text | None = None
    grace_source: Source | None = None  # required when grace_days is set
    grace_jurisdiction: str | None = None  # where the grace rule was published; None: everywhere
    late_fee: LateFee | None = None

    def name(self, lang: str) -> str:
        return self.names.get(lang)

    def default_label(self) -> str:
        """The label of an account mybnpl opens by itself (an import, a plan): both names, "美团月付 / Meituan…"."""
        zh, en = self.name("zh"), self.name("en")
        return zh if zh == en else f"{zh} / {en}"

    def names_only(self, label: str) -> bool:
        """True when an account label only repeats the product's name ("花呗", "花呗 (Alipay)", "Klarna", or the
        default label): such a label tells a reader nothing the product's name does not."""
        names = (self.name("zh"), self.name("en"))
        for part in label.split(" / "):
            bare = LATIN_NOTE.sub("", part.strip())
            if not any(bare in name or bare == LATIN_NOTE.sub("", name) for name in names):
                return False
        return True


LATIN_NOTE = re.compile(r"\s*\([A-Za-z .&'-]+\)$")  # "花呗 (Alipay)" → "花呗": the English name says it


@dataclass(frozen=True)
class LateFee:
    """The provider's published late-fee rule, as text, with its source."""

    text: Text
    source: Source
    jurisdiction: str | None = None
    verify: bool = False


@dataclass(frozen=True)
class Catalog:
    version: int
    checked: date
    note: Text
    channels: Mapping[str, Channel]
    providers: tuple[Provider, ...]

    def all(self) -> tuple[Provider, ...]:
        return self.providers

    def ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.providers)

    def get(self, provider_id: str) -> Provider:
        for p in self.providers:
            if p.id == provider_id:
                return p
        raise NotFound("No provider with the id {id} is known.", id=provider_id)

    def channel(self, channel_id: str) -> Channel:
        if channel_id not in self.channels:
            raise NotFound("No channel with the id {id} is known.", id=channel_id)
        return self.channels[channel_id]

    def route(self, provider_id: str, jurisdiction: str | None = None) -> tuple[str, ...]:
        """The provider's escalation route, optionally only the steps that apply in one jurisdiction."""
        steps = self.get(provider_id).regulator_route
        if jurisdiction is None:
            return steps
        return tuple(s for s in steps if s == PROVIDER_STEP or self.channels[s].jurisdiction == jurisdiction)

    def match_payment_method(self, text: str) -> Provider | None:
        """The provider a payment-method string names, by the alias rule in the module docstring."""
        haystack = _norm(text)
        best: Provider | None = None
        best_len = 0
        for p in self.providers:
            for alias in p.aliases:
                needle = _norm(alias)
                if len(needle) > best_len and _occurs(needle, haystack):
                    best, best_len = p, len(needle)
        return best


def _norm(s: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", s).casefold().split())


def _occurs(needle: str, haystack: str) -> bool:
    # Both strings are case-folded, so ASCII letters are lower case here.
    before = r"(?<![a-z0-9])" if needle[0].isascii() and needle[0].isalnum() else ""
    after = r"(?![a-z0-9])" if needle[-1].isascii() and needle[-1].isalnum() else ""
    return re.search(before + re.escape(needle) + after, haystack) is not None


# ---- parsing: each helper takes the value and where it is, for the error message ---------------------------



def _list(v: Any, where: str) -> list[Any]:
    if not isinstance(v, list) or not v:
        raise bad(f"{where} must be a non-empty list")
    return v


def _str(v: Any, where: str, pattern: re.Pattern[str] | None = None) -> str:
    if not isinstance(v, str) or not v.strip() or (pattern is not None and not pattern.match(v)):
        raise bad(f"{where} must be {_LIKE[pattern] if pattern else 'a non-empty string'}, not {v!r}")
    return v


def _strs(v: Any, where: str, allowed: frozenset[str] | None = None) -> list[str]:
    items = [_str(x, f"{where}[{i}]") for i, x in enumerate(_list(v, where))]
    if dupes := sorted({x for x in items if items.count(x) > 1}):
        raise bad(f"{where} has duplicate(s) {', '.join(dupes)}")
    if allowed is not None and (unknown := [x for x in items if x not in allowed]):
        raise bad(f"{where}: {unknown[0]!r} is not one of {', '.join(sorted(allowed))}")
    return items


def _whole(v: Any, where: str, minimum: int = 0) -> int:
    if isinstance(v, int) and not isinstance(v, bool) and v >= minimum:
        return v
    raise bad(f"{where} must be a whole number, at least {minimum}")


def _date(v: Any, where: str) -> date:
    try:
        return date.fromisoformat(_str(v, where, _DATE))
    except ValueError:
        raise bad(f"{where} {v!r} is not a real date") from None


def _text(v: Any, where: str, optional: frozenset[str] = frozenset()) -> Text:
    d = obj(v, where, {"zh", "en"}, optional)
    return Text(zh=_str(d["zh"], f"{where}.zh"), en=_str(d["en"], f"{where}.en"))


def _source(v: Any, where: str) -> Source:
    if not v:  # None, {} or []
        raise bad(f"{where} is empty: every channel and provider needs a source")
    d = obj(v, where, {"title", "url", "checked"})
    return Source(_str(d["title"], f"{where}.title"), _str(d["url"], f"{where}.url", _URL),
                  _date(d["checked"], f"{where}.checked"))


def _sources(v: Any, where: str) -> tuple[Source, ...]:
    if not v:
        _source(v, where)  # raises the "needs a source" message
    return tuple(_source(s, f"{where}[{i}]") for i, s in enumerate(_list(v, where)))


_VERIFY = frozenset({"verify"})
_PROVIDER_KEYS = {"id", "names", "aliases", "product_kind", "operator", "lending_entity",
                  "lending_entity_source", "jurisdiction", "regulator_route", "complaint_channels",
                  "how_to_close", "currency", "grace_days", "sources"}


def _contact(v: Any, where: str) -> tuple[str, Text | None]:
    """A contact line: a string, or ``{"zh": ..., "en": ...}``."""
    if isinstance(v, dict):
        text = _text(v, where)
        return text.zh, text
    return _str(v, where), None


def _channel(cid: str, v: Any, where: str) -> Channel:
    d = obj(v, where, {"names", "contact", "handles", "jurisdiction", "sources"}, _VERIFY)
    [jur] = _strs([d["jurisdiction"]], f"{where}.jurisdiction", JURISDICTIONS)
    contact, contacts = _contact(d["contact"], f"{where}.contact")
    return Channel(_str(cid, where, _ID), _text(d["names"], f"{where}.names"),
                   contact, _sources(d["sources"], f"{where}.sources"),
                   _text(d["handles"], f"{where}.handles"), jur, flag(d, where), contacts)


def _own_channel(v: Any, where: str) -> Channel:
    d = obj(v, where, {"id", "names", "contact", "source"}, _VERIFY)
    contact, contacts = _contact(d["contact"], f"{where}.contact")
    return Channel(_str(d["id"], f"{where}.id", _ID), _text(d["names"], f"{where}.names"),
                   contact, (_source(d["source"], f"{where}.source"),), verify=flag(d, where), contacts=contacts)


def _provider(v: Any, where: str, channels: Mapping[str, Channel]) -> Provider:
    d = obj(v, where, _PROVIDER_KEYS, _PROVIDER_OPTIONAL)
    where = f"{where} ({_str(d['id'], f'{where}.id', _ID)})"
    aliases = _strs(d["aliases"], f"{where}.aliases")
    _strs([_norm(a) for a in aliases], f"{where}.aliases (normalised)")
    [kind] = _strs([d["product_kind"]], f"{where}.product_kind", frozenset(ProductKind))
    entity, src = d["lending_entity"], d["lending_entity_source"]
    entity = None if entity is None else _str(entity, f"{where}.lending_entity")
    entity_source = None if src is None else _source(src, f"{where}.lending_entity_source")
    if entity is not None and entity_source is None:
        raise bad(f"{where}.lending_entity has no lending_entity_source")
    raw_jurs = [d["jurisdiction"]] if isinstance(d["jurisdiction"], str) else d["jurisdiction"]
    jurs = _strs(raw_jurs, f"{where}.jurisdiction", JURISDICTIONS)
    route = _strs(d["regulator_route"], f"{where}.regulator_route")
    if route[0] != PROVIDER_STEP:
        raise bad(f"{where}.regulator_route must start with {PROVIDER_STEP!r}")
    for step in route[1:]:
        if step not in channels:
            raise bad(f"{where}.regulator_route uses undefined channel {step!r}")
        if channels[step].jurisdiction not in jurs:
            raise bad(f"{where}.regulator_route: channel {step!r} is outside the provider's jurisdictions")
    own = [_own_channel(c, f"{where}.complaint_channels[{i}]")
           for i, c in enumerate(_list(d["complaint_channels"], f"{where}.complaint_channels"))]
    _strs([c.id for c in own], f"{where}.complaint_channels ids")
    close = obj(d["how_to_close"], f"{where}.how_to_close", {"zh", "en"}, _VERIFY)
    return Provider(
        d["id"], _text(d["names"], f"{where}.names"), tuple(aliases), ProductKind(kind),
        _str(d["operator"], f"{where}.operator"), entity, entity_source,
        flag(d, where, "lending_entity_verify"), tuple(jurs), tuple(route), tuple(own),
        _text(close, f"{where}.how_to_close", _VERIFY), flag(close, f"{where}.how_to_close"),
        _str(d["currency"], f"{where}.currency", _CURRENCY),
        None if d["grace_days"] is None else _whole(d["grace_days"], f"{where}.grace_days"),
        _sources(d["sources"], f"{where}.sources"),
        None if d.get("note") is None else _text(d["note"], f"{where}.note"),
        *_grace_and_fee(d, where, jurs))


_PROVIDER_OPTIONAL = frozenset({"lending_entity_verify", "note", "grace_source", "grace_jurisdiction", "late_fee"})


def _grace_and_fee(d: dict[str, Any], where: str, jurs: list[str]
                   ) -> tuple[Source | None, str | None, LateFee | None]:
    """grace_days needs a grace_source; grace_jurisdiction and a late_fee's jurisdiction are the provider's."""
    if d["grace_days"] is not None and not d.get("grace_source"):
        raise bad(f"{where}.grace_days has no grace_source")
    source = _source(d["grace_source"], f"{where}.grace_source") if d.get("grace_source") else None
    jur = d.get("grace_jurisdiction")
    if jur is not None:
        [jur] = _strs([jur], f"{where}.grace_jurisdiction", frozenset(jurs))
    fee = None
    if d.get("late_fee") is not None:
        f = obj(d["late_fee"], f"{where}.late_fee", {"zh", "en", "source"}, frozenset({"jurisdiction", "verify"}))
        fee_jur = f.get("jurisdiction")
        if fee_jur is not None:
            [fee_jur] = _strs([fee_jur], f"{where}.late_fee.jurisdiction", frozenset(jurs))
        fee = LateFee(_text({"zh": f["zh"], "en": f["en"]}, f"{where}.late_fee"),
                      _source(f["source"], f"{where}.late_fee.source"), fee_jur, flag(f, f"{where}.late_fee"))
    return source, jur, fee


def parse_catalog(data: dict[str, Any]) -> Catalog:
    """Validate decoded ``providers.json`` data and build the :class:`Catalog`; raises InvalidInput."""
    d = obj(data, "catalog", {"version", "checked", "note", "channels", "providers"})
    raw_channels = d["channels"]
    if not isinstance(raw_channels, dict) or not raw_channels or PROVIDER_STEP in raw_channels:
        raise bad(f"catalog.channels must be a non-empty object, without the reserved id {PROVIDER_STEP!r}")
    channels = {cid: _channel(cid, c, f"channels.{cid}") for cid, c in raw_channels.items()}
    providers = [_provider(p, f"providers[{i}]", channels)
                 for i, p in enumerate(_list(d["providers"], "catalog.providers"))]
    _strs([p.id for p in providers], "provider ids")
    return Catalog(_whole(d["version"], "catalog.version", 1), _date(d["checked"], "catalog.checked"),
                   _text(d["note"], "catalog.note"), MappingProxyType(channels), tuple(providers))
