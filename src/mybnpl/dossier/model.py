"""The data a dossier is rendered from, already in the dossier's language (the service resolves it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Party:
    name: str
    lines: tuple[str, ...] = ()  # address, contact, legal entity, ...


@dataclass(frozen=True)
class TimelineEntry:
    on: date | None
    what: str
    source: str = ""  # event log, consent record, letter, evidence


@dataclass(frozen=True)
class InstallmentRow:
    seq: int
    due_on: date
    amount: str
    status: str
    paid_on: date | None


@dataclass(frozen=True)
class PlanInfo:
    id: int
    merchant: str
    total: str
    fee: str
    cadence: str
    installments: tuple[InstallmentRow, ...]


@dataclass(frozen=True)
class AccountInfo:
    id: int
    provider: str  # the product's name in the dossier's language (花呗, Klarna…)
    lender: str  # the legal entity that lends, or the operator
    label: str
    reference: str
    currency: str
    plans: tuple[PlanInfo, ...] = ()


@dataclass(frozen=True)
class FindingInfo:
    id: int
    kind: str
    severity: str
    status: str
    first_seen: date
    explanation: str
    evidence_ids: tuple[int, ...] = ()
    title: str = ""  # the kind's name in the dossier's language ("" → the kind id)


@dataclass(frozen=True)
class ReplyInfo:
    evidence_id: int
    received_on: date


@dataclass(frozen=True)
class LetterInfo:
    id: int
    kind: str  # the kind's name in the dossier's language
    recipient: str
    created_on: date | None
    sent_on: date | None
    sent_channel: str
    sent_ref: str
    deadline_on: date | None
    deadline_state: str  # met | missed | running | none
    replies: tuple[ReplyInfo, ...] = ()


@dataclass(frozen=True)
class EvidenceInfo:
    """One original. ``load`` returns its bytes (re-hashed against ``sha256`` by the caller's store)."""

    id: int
    filename: str
    description: str
    source: str
    added_at: datetime
    size: int
    sha256: str
    media_type: str
    load: Callable[[], bytes] = field(compare=False, repr=False)


@dataclass(frozen=True)
class DossierData:
    lang: str  # "zh" | "en"
    title: str
    case_reference: str
    prepared_on: date
    complainant: Party
    respondent: Party
    regulator: Party
    jurisdiction: str
    summary: str
    requests: str
    timeline: tuple[TimelineEntry, ...]
    accounts: tuple[AccountInfo, ...]
    findings: tuple[FindingInfo, ...]
    letters: tuple[LetterInfo, ...]
    evidence: tuple[EvidenceInfo, ...]
