"""Domain records. Plain frozen dataclasses: the vault's repositories read and write them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from mybnpl.core.money import Money


class Direction(StrEnum):
    OUT = "out"  # money leaves the user (purchase, repayment, fee)
    IN = "in"  # money comes to the user (refund, loan disbursement)
    NEUTRAL = "neutral"  # transfers, freezes, anything that moves no money


class InstallmentStatus(StrEnum):
    DUE = "due"
    PAID = "paid"
    WAIVED = "waived"


class ConsentKind(StrEnum):
    ENABLED = "enabled"  # the user knowingly switched the product on, on a date
    NEVER_ENABLED = "never_enabled"  # "I never enabled this"
    CLOSED = "closed"  # the user closed it, on a date


class FindingStatus(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    SERIOUS = "serious"


class CaseStatus(StrEnum):
    OPEN = "open"
    WAITING = "waiting"
    ESCALATED = "escalated"
    CLOSED = "closed"


@dataclass(frozen=True)
class Account:
    """A user's product at a provider (e.g. their 花呗, their Klarna)."""

    id: int
    provider_id: str
    label: str
    currency: str
    created_at: datetime
    account_ref: str = ""  # the provider's own account number, if the user records it


@dataclass(frozen=True)
class Statement:
    """An imported document (a bill, an export), linked to the evidence item of its original bytes."""

    id: int
    account_id: int | None
    provider_id: str
    format: str
    evidence_id: int | None
    imported_at: datetime
    period_start: date | None = None
    period_end: date | None = None
    due_date: date | None = None
    total_due: Money | None = None
    minimum_due: Money | None = None


@dataclass(frozen=True)
class Transaction:
    id: int
    account_id: int | None
    statement_id: int | None
    posted_on: date
    amount: Money
    direction: Direction
    merchant: str
    description: str = ""
    payment_method: str = ""
    bnpl_product: str | None = None  # provider id of the BNPL product that paid, if any
    external_id: str | None = None


@dataclass(frozen=True)
class Installment:
    id: int
    plan_id: int
    seq: int
    due_on: date
    amount: Money
    status: InstallmentStatus = InstallmentStatus.DUE
    paid_on: date | None = None


@dataclass(frozen=True)
class Plan:
    """A BNPL plan: one purchase split into installments."""

    id: int
    account_id: int
    merchant: str
    principal: Money
    fee: Money
    n_installments: int
    first_due: date
    cadence: str  # "2w", "1m", "30d"
    created_at: datetime
    installments: tuple[Installment, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Evidence:
    """Original bytes kept inside the vault; ``sha256`` is computed at ingest and never changes."""

    id: int
    sha256: str
    media_type: str
    size: int
    filename: str
    source: str  # "import", "user", "screenshot", ...
    note: str
    added_at: datetime
    captured_at: datetime | None = None
    account_id: int | None = None


@dataclass(frozen=True)
class ConsentRecord:
    id: int
    provider_id: str
    kind: ConsentKind
    on_date: date | None
    channel: str
    note: str
    created_at: datetime
    account_id: int | None = None
    evidence_id: int | None = None


@dataclass(frozen=True)
class Finding:
    id: int
    kind: str
    severity: Severity
    provider_id: str | None
    account_id: int | None
    first_seen: date
    status: FindingStatus
    explanation_en: str
    explanation_zh: str
    fingerprint: str
    dismiss_reason: str = ""


@dataclass(frozen=True)
class Case:
    id: int
    title: str
    status: CaseStatus
    opened_on: date
    provider_id: str | None = None
    account_id: int | None = None
    reference: str = ""


@dataclass(frozen=True)
class Letter:
    id: int
    kind: str
    jurisdiction: str
    lang: str
    title: str
    body: str
    created_at: datetime
    case_id: int | None = None
    sent_on: date | None = None


@dataclass(frozen=True)
class Event:
    """One line of the append-only timeline: what happened, when."""

    id: int
    at: datetime
    kind: str
    summary: str
    entity: str = ""
    entity_id: int | None = None
    on_date: date | None = None  # the day the event is about, when it differs from when it was logged
