"""What an importer produces: a parsed statement, before it touches the vault. Pure data, JSON-round-trippable
(importers run in a separate process and send this back as JSON)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from mybnpl.core.errors import UserError
from mybnpl.core.models import Direction
from mybnpl.core.money import Money


class ImportCode(StrEnum):
    PASSWORD_REQUIRED = "password_required"
    WRONG_PASSWORD = "wrong_password"
    UNSUPPORTED_FORMAT = "unsupported_format"
    NO_TEXT_LAYER = "no_text_layer"
    CORRUPT = "corrupt"
    EMPTY = "empty"
    TOO_LARGE = "too_large"
    TIMEOUT = "timeout"
    TOO_MUCH_MEMORY = "too_much_memory"
    TOTALS_MISMATCH = "totals_mismatch"
    ENCODING = "encoding"
    NEEDS_MAPPING = "needs_mapping"
    BAD_MAPPING = "bad_mapping"


# English msgids per code (marked for translation in mybnpl.importers.errors).
class ImportFailed(UserError):
    """An import that cannot proceed. ``code`` is one of ImportCode; ``message`` an English msgid."""

    def __init__(self, code: ImportCode, message: str, **params: Any) -> None:
        self.code = code.value
        super().__init__(message, **params)

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "params": {k: str(v) for k, v in self.params.items()}}


@dataclass(frozen=True)
class ParsedTx:
    posted_on: date
    amount: Money  # always positive; the sign is ``direction``
    direction: Direction
    merchant: str
    description: str = ""
    payment_method: str = ""
    bnpl_product: str | None = None
    external_id: str | None = None
    status: str = ""  # the source's own status text (交易成功, 已退款, ...)
    category: str = ""
    posted_at: str = ""  # full timestamp text when the source has one
    row: int = 0  # line or row number in the source, for messages

    def to_json(self) -> dict[str, Any]:
        return {
            "posted_on": self.posted_on.isoformat(), "amount": str(self.amount.amount),
            "currency": self.amount.currency, "direction": self.direction.value, "merchant": self.merchant,
            "description": self.description, "payment_method": self.payment_method,
            "bnpl_product": self.bnpl_product, "external_id": self.external_id, "status": self.status,
            "category": self.category, "posted_at": self.posted_at, "row": self.row,
        }

    def to_row(self) -> list[Any]:
        """Compact form for the worker's answer (100k rows cross a pipe)."""
        return [self.posted_on.isoformat(), self.amount.minor, self.amount.currency, self.direction.value,
                self.merchant, self.description, self.payment_method, self.bnpl_product, self.external_id,
                self.status, self.category, self.posted_at, self.row]

    @classmethod
    def from_row(cls, r: list[Any]) -> ParsedTx:
        """Rebuild from ``to_row`` output. The values come from our own worker, already validated there, so the
        frozen dataclass's per-field __setattr__ is skipped (100k rows: ~3x faster)."""
        obj = object.__new__(cls)
        obj.__dict__.update(zip(_TX_FIELDS, (
            date.fromisoformat(r[0]), Money.from_minor(int(r[1]), r[2]), _DIRECTIONS[r[3]], r[4], r[5], r[6], r[7],
            r[8], r[9], r[10], r[11], int(r[12])), strict=True))
        return obj

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ParsedTx:
        d = dict(d)
        d["posted_on"] = date.fromisoformat(d["posted_on"])
        d["amount"] = Money.parse(d["amount"], d.pop("currency"))
        d["direction"] = Direction(d["direction"])
        return cls(**d)


_DIRECTIONS = {d.value: d for d in Direction}
_TX_FIELDS = ("posted_on", "amount", "direction", "merchant", "description", "payment_method", "bnpl_product",
              "external_id", "status", "category", "posted_at", "row")


@dataclass(frozen=True)
class ParsedInstallment:
    due_on: date
    amount: Money
    seq: int
    of: int
    merchant: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"due_on": self.due_on.isoformat(), "amount": str(self.amount.amount),
                "currency": self.amount.currency, "seq": self.seq, "of": self.of, "merchant": self.merchant}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ParsedInstallment:
        return cls(date.fromisoformat(d["due_on"]), Money.parse(d["amount"], d["currency"]), int(d["seq"]),
                   int(d["of"]), str(d.get("merchant", "")))


@dataclass(frozen=True)
class ParsedStatement:
    """One source file, parsed. ``provider_id`` is the BNPL product the file belongs to (catalog id) or None;
    ``format`` says which parser read it (e.g. "alipay_csv")."""

    format: str
    provider_id: str | None
    transactions: tuple[ParsedTx, ...]
    currency: str = "CNY"
    period_start: date | None = None
    period_end: date | None = None
    due_date: date | None = None
    total_due: Money | None = None
    minimum_due: Money | None = None
    installments: tuple[ParsedInstallment, ...] = ()
    warnings: tuple[str, ...] = ()  # English msgids (already formatted params are in warning_params)
    warning_params: tuple[dict[str, str], ...] = ()
    reconciled: bool | None = None  # None: the source prints no totals to check against
    account_hint: str = ""  # the source's own account name/number, masked as the source masks it
    columns: tuple[str, ...] = ()  # for the mapping step: the header the generic path saw
    pages: int = 0

    @property
    def bnpl_count(self) -> int:
        return sum(1 for t in self.transactions if t.bnpl_product)

    def to_json(self) -> dict[str, Any]:
        def d(x: date | None) -> str | None:
            return x.isoformat() if x else None

        def m(x: Money | None) -> dict[str, str] | None:
            return {"amount": str(x.amount), "currency": x.currency} if x else None

        return {
            "format": self.format, "provider_id": self.provider_id, "currency": self.currency,
            "rows": [t.to_row() for t in self.transactions],
            "period_start": d(self.period_start), "period_end": d(self.period_end), "due_date": d(self.due_date),
            "total_due": m(self.total_due), "minimum_due": m(self.minimum_due),
            "inst_rows": [[i.due_on.isoformat(), i.amount.minor, i.amount.currency, i.seq, i.of, i.merchant]
                          for i in self.installments],
            "warnings": list(self.warnings), "warning_params": [dict(p) for p in self.warning_params],
            "reconciled": self.reconciled, "account_hint": self.account_hint, "columns": list(self.columns),
            "pages": self.pages,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ParsedStatement:
        def dt(x: str | None) -> date | None:
            return date.fromisoformat(x) if x else None

        def m(x: dict[str, str] | None) -> Money | None:
            return Money.parse(x["amount"], x["currency"]) if x else None

        return cls(
            format=d["format"], provider_id=d.get("provider_id"), currency=d.get("currency", "CNY"),
            transactions=tuple(ParsedTx.from_row(r) for r in d["rows"]) if "rows" in d
            else tuple(ParsedTx.from_json(t) for t in d["transactions"]),
            period_start=dt(d.get("period_start")), period_end=dt(d.get("period_end")), due_date=dt(d.get("due_date")),
            total_due=m(d.get("total_due")), minimum_due=m(d.get("minimum_due")),
            installments=tuple(ParsedInstallment(date.fromisoformat(r[0]), Money.from_minor(int(r[1]), r[2]), int(r[3]),
                                                 int(r[4]), str(r[5])) for r in d["inst_rows"]) if "inst_rows" in d
            else tuple(ParsedInstallment.from_json(i) for i in d.get("installments", [])),
            warnings=tuple(d.get("warnings", [])), warning_params=tuple(d.get("warning_params", [])),
            reconciled=d.get("reconciled"), account_hint=d.get("account_hint", ""),
            columns=tuple(d.get("columns", [])), pages=int(d.get("pages", 0)),
        )


@dataclass(frozen=True)
class ColumnMapping:
    """The user's answer to the mapping step for a generic CSV/XLSX/PDF table."""

    date: str
    amount: str | None = None  # one signed amount column, or the two below
    debit: str | None = None
    credit: str | None = None
    merchant: str | None = None
    description: str | None = None
    payment_method: str | None = None
    external_id: str | None = None
    direction: str | None = None  # a column with 支出/收入, D/K, DR/CR, debit/credit
    currency: str = "CNY"
    negative_is_out: bool = True  # for a signed amount column: is a negative number money going out?
    date_format: str | None = None  # strptime format, if dates are ambiguous
    extra: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ColumnMapping:
        allowed = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in allowed})
