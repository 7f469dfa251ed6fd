"""The facts a letter is drafted from, as plain data: built by services from the vault, read by compose.

Pure. Every field the vault may not know is optional (None / empty); compose leaves such facts out of the
template context so they print as placeholders.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from mybnpl.core.catalog import Text
from mybnpl.core.money import Money

USER_KEYS = ("name", "address", "phone", "email", "id_number")


@dataclass(frozen=True)
class Event:
    """One dated (or undated) fact of the timeline, in both languages."""

    on: date | None
    text: Text


@dataclass(frozen=True)
class EvidenceItem:
    id: int
    name: str  # the note, else the file name
    sha256: str


@dataclass(frozen=True)
class Row:
    """A transaction a finding rests on."""

    id: int
    on: date
    merchant: str
    amount: Money


@dataclass(frozen=True)
class FindingFacts:
    id: int
    kind: str
    first_seen: date
    explanation: Text
    rows: tuple[Row, ...] = ()


@dataclass(frozen=True)
class Amounts:
    currency: str
    outstanding: Money | None = None  # installments still due
    overdue: Money | None = None  # of which past their due date
    open_installments: int = 0
    next_due: date | None = None
    next_due_amount: Money | None = None
    plans: int = 0
    principal: Money | None = None
    fees: Money | None = None
    bnpl_count: int = 0
    bnpl_total: Money | None = None
    first_bnpl: date | None = None
    last_bnpl: date | None = None
    # the latest imported statement that prints a balance: what the provider itself says is owed
    statement_total: Money | None = None
    statement_minimum: Money | None = None
    statement_due: date | None = None
    statement_end: date | None = None


@dataclass(frozen=True)
class LetterFacts:
    user: Mapping[str, str]  # USER_KEYS; empty values are unknown
    provider_id: str
    account_id: int
    account_label: str
    account_ref: str
    amounts: Amounts
    timeline: tuple[Event, ...] = ()
    evidence: tuple[EvidenceItem, ...] = ()
    finding: FindingFacts | None = None
    extra: Mapping[str, str] = field(default_factory=dict)  # facts the user typed (order number, plan, ...)


def mask_id(id_number: str) -> str:
    """Only the last four characters of an identity number: 110101********1234 → ****1234."""
    s = id_number.strip()
    return s if len(s) <= 4 else "*" * (len(s) - 4) + s[-4:]
