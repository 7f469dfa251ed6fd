"""The rows and records the detectors read, and the :class:`Finding` they produce.

Transactions are plain tuples, read with the ``T_*`` index constants: building an object per row would cost more
than the whole detection on a 100,000-row vault. The snapshot holds every transaction *lean* (the first eight
columns, :data:`LeanRow`: enough to detect anything) and fetches the five text columns of a full
:data:`TxRow` only for the rows a finding names (see :class:`mybnpl.detect.snapshot.Snapshot`). Amounts are
integer minor units; transaction dates ISO text (``"2025-02-12"``: ISO text sorts like dates). The other tables
are small and use NamedTuples with real dates.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cache
from typing import Any, Final, NamedTuple

from mybnpl.core.errors import InvalidInput
from mybnpl.core.models import Severity
from mybnpl.core.schedule import add_months, parse_cadence

# -- transactions: plain tuples in this column order ---------------------------------------------------------------
TX_COLUMNS: Final = ("id", "account_id", "posted_on", "amount_minor", "currency", "direction", "merchant",
                     "bnpl_product", "statement_id", "posted_at", "description", "payment_method", "status")
LEAN_COLUMNS: Final = TX_COLUMNS[:8]
LeanRow = tuple[int, int | None, str, int, str, str, str, str | None]
TxRow = tuple[int, int | None, str, int, str, str, str, str | None, int | None, str, str, str, str]
T_ID: Final = 0
T_ACCOUNT: Final = 1
T_DATE: Final = 2
T_AMOUNT: Final = 3
T_CURRENCY: Final = 4
T_DIRECTION: Final = 5
T_MERCHANT: Final = 6
T_BNPL: Final = 7
# full rows only:
T_STATEMENT: Final = 8
T_AT: Final = 9
T_DESCRIPTION: Final = 10
T_METHOD: Final = 11
T_STATUS: Final = 12


def tx(id: int, posted_on: str, amount_minor: int, *, account_id: int | None = None,
       statement_id: int | None = None, posted_at: str = "", currency: str = "CNY", direction: str = "out",
       merchant: str = "", description: str = "", payment_method: str = "", bnpl_product: str | None = None,
       status: str = "") -> TxRow:
    """A full transaction row (for tests and hand-built snapshots)."""
    return (id, account_id, posted_on, amount_minor, currency, direction, merchant, bnpl_product, statement_id,
            posted_at, description, payment_method, status)


def tx_key(r: TxRow) -> tuple[str, str, int]:
    """Chronological order: date, then the source's time of day, then id."""
    return (r[T_DATE], r[T_AT], r[T_ID])


# -- the small tables -----------------------------------------------------------------------------------------
class Account(NamedTuple):
    id: int
    provider_id: str
    label: str = ""


class Plan(NamedTuple):
    id: int
    account_id: int
    merchant: str
    principal_minor: int
    fee_minor: int
    currency: str
    n_installments: int
    first_due: date
    cadence: str  # "1m", "2w", "30d"


class Installment(NamedTuple):
    id: int
    plan_id: int
    seq: int
    due_on: date
    amount_minor: int
    currency: str
    status: str = "due"  # due | paid | waived
    paid_on: date | None = None


class Consent(NamedTuple):
    id: int
    provider_id: str
    kind: str  # enabled | never_enabled | closed
    on_date: date | None
    evidence_ids: tuple[int, ...] = ()
    channel: str = ""
    note: str = ""


class Statement(NamedTuple):
    id: int
    account_id: int | None
    provider_id: str
    evidence_id: int | None
    filename: str = ""
    period_start: date | None = None
    period_end: date | None = None
    due_date: date | None = None
    total_due_minor: int | None = None
    currency: str | None = None


class ProviderInfo(NamedTuple):
    id: str
    name_zh: str
    name_en: str
    aliases: tuple[str, ...] = ()


@cache
def _period(cadence: str) -> tuple[int, str]:
    try:
        return parse_cadence(cadence)
    except InvalidInput:
        return 30, "d"


def plan_start(plan: Plan) -> date:
    """When a plan's money was lent: one cadence period before its first due date (the usual schedule of an
    installment loan; for a pay-in-N plan whose first payment is at checkout this understates the cost)."""
    n, unit = _period(plan.cadence)
    if unit == "m":
        return add_months(plan.first_due, -n)
    return plan.first_due - timedelta(days=n * (7 if unit == "w" else 1))


def norm(text: str) -> str:
    """NFKC + case fold, for keyword and alias matching."""
    return unicodedata.normalize("NFKC", text).casefold()


# -- findings -------------------------------------------------------------------------------------------------
class FindingKind(StrEnum):
    UNCONSENTED_ENROLLMENT = "unconsented_enrollment"  # BNPL used with no consent record covering that date
    REENABLED_AFTER_CLOSURE = "reenabled_after_closure"  # BNPL used after the user recorded closing it
    DEFAULT_SWITCH = "default_switch"  # a merchant always paid otherwise suddenly shows a BNPL payment
    BUNDLED_FEE = "bundled_fee"  # a plan carries a membership/guarantee/service fee
    FEE_CHARGED = "fee_charged"  # a row charged to a BNPL product reads like a fee (服务费, 会员费, ...)
    COST_ABOVE_THRESHOLD = "cost_above_threshold"  # a plan's annualised cost is above a reference rate line
    STACKED_DUES = "stacked_dues"  # several providers due within one week
    OVERDUE_UNPAID = "overdue_unpaid"  # a due date passed, still unpaid, no repayment row found
    DOUBLE_PAYMENT_RISK = "double_payment_risk"  # manual repayment near a due date, or two repayments
    DUPLICATE_CHARGE = "duplicate_charge"  # same amount and merchant twice within a short window
    UNKNOWN_PROVIDER_CHARGE = "unknown_provider_charge"  # BNPL rows of a product the user has no account with


class Confidence(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding. ``fingerprint`` (kind, provider or account, anchor) identifies it across recomputations;
    the ids it rests on are what "new evidence" means for a dismissed finding."""

    kind: FindingKind
    severity: Severity
    provider_id: str | None
    account_id: int | None
    first_seen: date
    anchor: str
    explanation_en: str
    explanation_zh: str
    confidence: Confidence
    transaction_ids: tuple[int, ...] = ()
    evidence_ids: tuple[int, ...] = ()
    installment_ids: tuple[int, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        scope = self.provider_id or (f"account:{self.account_id}" if self.account_id is not None else "-")
        return f"{self.kind.value}|{scope}|{self.anchor}"


def text_anchor(text: str) -> str:
    """A short stable anchor for free text (a merchant name)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def unique(ids: Sequence[int]) -> tuple[int, ...]:
    """Ids in first-seen order without repeats."""
    return tuple(dict.fromkeys(ids))
