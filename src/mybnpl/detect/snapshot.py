"""The vault as the detectors see it.

Every transaction is held lean (:data:`~mybnpl.detect.model.LeanRow`); the full rows (time of day,
description, payment method, status, statement) come from a :class:`RowSource` for the few rows a finding names
or a tie needs, and are kept once fetched. A snapshot built from full rows (tests, small data) needs no source.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from operator import attrgetter, itemgetter
from typing import Protocol, cast

from mybnpl.detect.model import (
    T_BNPL,
    T_DATE,
    T_DESCRIPTION,
    T_ID,
    T_MERCHANT,
    T_STATEMENT,
    Account,
    Consent,
    Installment,
    LeanRow,
    Plan,
    ProviderInfo,
    Statement,
    TxRow,
    norm,
    plan_start,
    tx_key,
)

_BNPL = itemgetter(T_BNPL)
_DATE = itemgetter(T_DATE)
_EDGE_BEFORE = r"(?<![a-z0-9])"
_EDGE_AFTER = r"(?![a-z0-9])"


class RowSource(Protocol):
    """Where full rows come from (the vault, or full rows in memory)."""

    def rows(self, ids: Sequence[int]) -> list[TxRow]: ...

    def descriptions(self) -> Collection[str]:
        """The distinct descriptions."""
        ...

    def ids_described(self, descriptions: Collection[str]) -> list[int]:
        """Ids of the rows with one of these descriptions."""
        ...


class FullRows:
    """A :class:`RowSource` over full rows already in memory."""

    def __init__(self, rows: Sequence[TxRow]) -> None:
        self._rows = rows

    @cached_property
    def _by_id(self) -> dict[int, TxRow]:
        return {r[T_ID]: r for r in self._rows}

    def rows(self, ids: Sequence[int]) -> list[TxRow]:
        return [self._by_id[i] for i in ids]

    def descriptions(self) -> Collection[str]:
        return {r[T_DESCRIPTION] for r in self._rows}

    def ids_described(self, descriptions: Collection[str]) -> list[int]:
        return [r[T_ID] for r in self._rows if r[T_DESCRIPTION] in descriptions]


@dataclass(frozen=True)
class Snapshot:
    """``transactions`` are lean rows (full rows also do); ``source`` supplies full rows, None when
    ``transactions`` are full already. ``links`` maps ("plan" | "transaction" | ..., id) to evidence ids."""

    transactions: Sequence[LeanRow] = ()
    accounts: Sequence[Account] = ()
    plans: Sequence[Plan] = ()
    installments: Sequence[Installment] = ()
    consents: Sequence[Consent] = ()
    statements: Sequence[Statement] = ()
    links: Mapping[tuple[str, int], tuple[int, ...]] = field(default_factory=dict)
    providers: Mapping[str, ProviderInfo] = field(default_factory=dict)
    source: RowSource | None = None

    # -- full rows ----------------------------------------------------------------------------------------------
    @cached_property
    def _source(self) -> RowSource:
        return self.source or FullRows(cast(Sequence[TxRow], self.transactions))

    @cached_property
    def _full(self) -> dict[int, TxRow]:
        return {}

    def full_ids(self, ids: Iterable[int]) -> list[TxRow]:
        """The full rows with these ids, in the order given (fetched in batches, kept once fetched)."""
        wanted = list(ids)
        cache = self._full
        missing = list(dict.fromkeys(i for i in wanted if i not in cache))
        for k in range(0, len(missing), 500):
            for r in self._source.rows(missing[k:k + 500]):
                cache[r[T_ID]] = r
        return [cache[i] for i in wanted]

    def full(self, rows: Iterable[LeanRow]) -> list[TxRow]:
        return self.full_ids(r[T_ID] for r in rows)

    def chrono(self, rows: Iterable[LeanRow]) -> list[TxRow]:
        """Full rows in chronological order (date, time of day, id)."""
        return sorted(self.full(rows), key=tx_key)

    def edge(self, rows: Sequence[LeanRow], n: int, latest: bool = False) -> list[TxRow]:
        """The ``n`` earliest (or latest) rows, in chronological order. Only the rows on the dates at the edge
        are fetched in full (the time of day decides between rows of one date)."""
        if len(rows) <= n:
            return self.chrono(rows)
        by_date = sorted(rows, key=_DATE)
        edge_date = by_date[-n][T_DATE] if latest else by_date[n - 1][T_DATE]
        if latest:
            near = [r for r in by_date if r[T_DATE] >= edge_date]
            return self.chrono(near)[-n:]
        near = [r for r in by_date if r[T_DATE] <= edge_date]
        return self.chrono(near)[:n]

    def first(self, rows: Sequence[LeanRow]) -> TxRow:
        return self.edge(rows, 1)[0]

    # -- derived views ------------------------------------------------------------------------------------------
    @cached_property
    def bnpl_rows(self) -> list[LeanRow]:
        """The rows paid with (or refunded to) a BNPL product."""
        return list(filter(_BNPL, self.transactions))

    @cached_property
    def _merchants(self) -> set[str]:
        return set(map(itemgetter(T_MERCHANT), self.transactions))

    @cached_property
    def _descriptions(self) -> set[str]:
        return set(self._source.descriptions())

    def rows_mentioning(self, rx: re.Pattern[str]) -> list[TxRow]:
        """Full rows whose merchant or description matches ``rx``, in chronological order. Each distinct text
        is searched once."""
        merchants = {m for m in self._merchants if rx.search(m)}
        described = {d for d in self._descriptions if rx.search(d)}
        ids = [r[T_ID] for r in self.transactions if r[T_MERCHANT] in merchants] if merchants else []
        if described:
            known = {r[T_ID] for r in self.transactions}
            ids += [i for i in self._source.ids_described(described) if i in known]
        return sorted(self.full_ids(dict.fromkeys(ids)), key=tx_key)

    @cached_property
    def account_provider(self) -> dict[int, str]:
        return {a.id: a.provider_id for a in self.accounts}

    @cached_property
    def account_of_provider(self) -> dict[str, int]:
        """The first account of each provider."""
        out: dict[str, int] = {}
        for a in sorted(self.accounts, key=attrgetter("id")):
            out.setdefault(a.provider_id, a.id)
        return out

    @cached_property
    def statement_by_id(self) -> dict[int, Statement]:
        return {s.id: s for s in self.statements}

    @cached_property
    def plan_by_id(self) -> dict[int, Plan]:
        return {p.id: p for p in self.plans}

    @cached_property
    def provider_of_plan(self) -> dict[int, str]:
        """plan id -> the provider of its account."""
        accounts = self.account_provider
        return {p.id: accounts[p.account_id] for p in self.plans if p.account_id in accounts}

    def plan_provider(self, plan: Plan) -> str | None:
        return self.provider_of_plan.get(plan.id)

    @cached_property
    def _plan_starts(self) -> dict[int, date]:
        return {p.id: plan_start(p) for p in self.plans}

    def plan_start(self, plan: Plan) -> date:
        """:func:`~mybnpl.detect.model.plan_start`, computed once per plan."""
        start = self._plan_starts.get(plan.id)
        return start if start is not None else plan_start(plan)

    @cached_property
    def installments_by_plan(self) -> dict[int, list[Installment]]:
        out: dict[int, list[Installment]] = {}
        for i in self.installments:
            items = out.get(i.plan_id)
            if items is None:
                out[i.plan_id] = [i]
            else:
                items.append(i)
        by_seq = attrgetter("seq")
        for items in out.values():
            items.sort(key=by_seq)
        return out

    @cached_property
    def due_installments(self) -> list[Installment]:
        """Installments still marked due, in due-date order."""
        return sorted((i for i in self.installments if i.status == "due"), key=attrgetter("due_on"))

    # -- names and evidence ---------------------------------------------------------------------------------------
    @cached_property
    def _aliases(self) -> list[tuple[re.Pattern[str], str]]:
        pairs = [(norm(a), p.id) for p in self.providers.values() for a in (*p.aliases, p.name_zh) if a.strip()]
        pairs.sort(key=lambda x: -len(x[0]))  # longest first; equal lengths keep catalog order
        return [(re.compile(_EDGE_BEFORE * a[0].isascii() + re.escape(a) + _EDGE_AFTER * a[-1].isascii()), pid)
                for a, pid in pairs]

    def provider_in_text(self, text: str) -> str | None:
        """The provider whose alias occurs in ``text`` (the longest alias wins; ASCII aliases only as words,
        so "Zip" is not in "Zipcar")."""
        t = norm(text)
        return next((pid for rx, pid in self._aliases if rx.search(t)), None)

    def tx_evidence(self, r: TxRow) -> tuple[int, ...]:
        """The evidence a row rests on: its statement's original file, and anything linked to the row."""
        ids: list[int] = []
        st = self.statement_by_id.get(r[T_STATEMENT]) if r[T_STATEMENT] is not None else None
        if st is not None and st.evidence_id is not None:
            ids.append(st.evidence_id)
        ids.extend(self.links.get(("transaction", r[T_ID]), ()))
        return tuple(ids)

    def source_name(self, r: TxRow) -> str:
        st = self.statement_by_id.get(r[T_STATEMENT]) if r[T_STATEMENT] is not None else None
        return st.filename if st is not None else ""
