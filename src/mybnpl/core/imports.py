"""What an importer produces: a parsed statement, before it touches the vault. Pure data, JSON-round-trippable
(importers run in a separate process and send this back as JSON)."""

from __future__ import annotations

import json
import sys
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Any, overload

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
_day = lru_cache(maxsize=8192)(date.fromisoformat)

# The columns of a TxTable, in wire order, and what each holds: "s" text, "o" optional text ("" is None),
# "i" integer. ``posted_on`` is ISO text (YYYY-MM-DD), ``direction`` a Direction value.
TX_COLUMNS = ("posted_on", "amount_minor", "currency", "direction", "merchant", "description", "payment_method",
              "bnpl_product", "external_id", "status", "category", "posted_at", "row")
TX_KINDS = ("s", "i", "s", "s", "s", "s", "s", "o", "o", "s", "s", "s", "i")


class TxTable(Sequence[ParsedTx]):
    """Transactions stored column by column (one list per field of ``TX_COLUMNS``). 10⁵ rows cross the worker
    pipe and go into the vault without 10⁵ ParsedTx/Money objects ever being built; indexing builds one."""

    __slots__ = TX_COLUMNS

    posted_on: list[str]
    amount_minor: list[int]
    currency: list[str]
    direction: list[str]
    merchant: list[str]
    description: list[str]
    payment_method: list[str]
    bnpl_product: list[str | None]
    external_id: list[str | None]
    status: list[str]
    category: list[str]
    posted_at: list[str]
    row: list[int]

    def __init__(self, *columns: list[Any]) -> None:
        if len(columns) != len(TX_COLUMNS) or len({len(c) for c in columns}) > 1:
            raise ValueError("a TxTable needs equally long columns, one per field")
        for name, col in zip(TX_COLUMNS, columns, strict=True):
            object.__setattr__(self, name, col)

    @classmethod
    def empty(cls) -> TxTable:
        return cls(*([] for _ in TX_COLUMNS))

    @classmethod
    def from_txs(cls, txs: Iterable[ParsedTx]) -> TxTable:
        if isinstance(txs, TxTable):
            return txs
        rows = [(t.posted_on.isoformat(), t.amount.minor, t.amount.currency, t.direction.value, t.merchant,
                 t.description, t.payment_method, t.bnpl_product, t.external_id, t.status, t.category, t.posted_at,
                 t.row) for t in txs]
        return cls(*(list(c) for c in zip(*rows, strict=True))) if rows else cls.empty()

    def columns(self) -> tuple[list[Any], ...]:
        return tuple(getattr(self, n) for n in TX_COLUMNS)

    def __len__(self) -> int:
        return len(self.row)

    def tx(self, i: int) -> ParsedTx:
        obj = object.__new__(ParsedTx)
        obj.__dict__.update(zip(_TX_FIELDS, (
            _day(self.posted_on[i]), Money.from_minor(self.amount_minor[i], self.currency[i]),
            _DIRECTIONS[self.direction[i]], self.merchant[i], self.description[i], self.payment_method[i],
            self.bnpl_product[i], self.external_id[i], self.status[i], self.category[i], self.posted_at[i],
            self.row[i]), strict=True))
        return obj

    @overload
    def __getitem__(self, i: int) -> ParsedTx: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[ParsedTx, ...]: ...

    def __getitem__(self, i: int | slice) -> ParsedTx | tuple[ParsedTx, ...]:
        if isinstance(i, slice):
            return tuple(self.tx(k) for k in range(*i.indices(len(self))))
        n = len(self)
        if not -n <= i < n:
            raise IndexError("transaction index out of range")
        return self.tx(i % n)

    def __iter__(self) -> Iterator[ParsedTx]:
        return map(self.tx, range(len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TxTable):
            return self.columns() == other.columns()
        if isinstance(other, Sequence):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"TxTable({len(self)} rows)"

    @property
    def bnpl_count(self) -> int:
        return len(self) - self.bnpl_product.count(None)

    # -- the worker's answer --------------------------------------------------------------------------
    def to_wire(self) -> list[bytes]:
        """Each column as one block. Integers: 8 bytes each, little-endian. Text: a kind byte, then "t" the
        values joined by NUL, "d" a dictionary (distinct values + one code per row, for columns that repeat: the
        parent then holds one string object per distinct value, which also makes the vault insert faster), or
        "j" a JSON list (for the rare text that itself holds a NUL)."""
        return list(self.wire_blocks())

    def wire_blocks(self) -> Iterator[bytes]:
        """``to_wire``'s blocks one at a time (the worker sends each as soon as it is encoded)."""
        for name, kind in zip(TX_COLUMNS, TX_KINDS, strict=True):
            col = getattr(self, name)
            if kind == "i":
                ints = array("q", col)
                if sys.byteorder == "big":
                    ints.byteswap()
                yield ints.tobytes()
                continue
            if kind == "o":
                col = ["" if v is None else v for v in col]
            # the first 4,000 rows tell a repeating column (status, category) from a unique one (ids, times)
            distinct = dict.fromkeys(col) if len(set(col[:4000])) * 4 <= min(len(col), 4000) else {}
            if distinct and len(distinct) <= 65535 and len(distinct) * 4 <= len(col):
                codes = {v: i for i, v in enumerate(distinct)}
                vocab = "\x00".join(codes)
                if vocab.count("\x00") == len(codes) - 1:
                    vocab_bytes = vocab.encode("utf-8")
                    width = "B" if len(codes) <= 256 else "H"
                    if width == "B":
                        packed = bytes(map(codes.__getitem__, col))
                    else:
                        wide = array(width, map(codes.__getitem__, col))
                        if sys.byteorder == "big":
                            wide.byteswap()
                        packed = wide.tobytes()
                    yield b"d" + width.encode() + len(vocab_bytes).to_bytes(4, "little") + vocab_bytes + packed
                    continue
            text = "\x00".join(col)
            yield (b"t" + text.encode("utf-8") if text.count("\x00") == max(len(col) - 1, 0)
                   else b"j" + json.dumps(col, ensure_ascii=False).encode("utf-8"))

    @classmethod
    def from_wire(cls, n: int, blocks: Sequence[bytes]) -> TxTable:
        """Rebuild and VALIDATE a table from ``to_wire`` blocks. They come from the worker process, which a
        hostile file may have taken over: every value stored later is checked here for type and range
        (per distinct value where columns repeat). Raises ValueError."""
        if len(blocks) != len(TX_COLUMNS) or type(n) is not int or not 0 <= n <= _MAX_WIRE_ROWS:
            raise ValueError("wrong number of columns")
        cols: list[list[Any]] = []
        for kind, block in zip(TX_KINDS, blocks, strict=True):
            if kind == "i":
                ints = array("q")
                ints.frombytes(block)  # ValueError unless a whole number of 8-byte integers
                if sys.byteorder == "big":
                    ints.byteswap()
                col: list[Any] = ints.tolist()
                if col and (min(col) < -_MAX_MINOR or max(col) > _MAX_MINOR):
                    raise ValueError("integer out of range")
            else:
                col = _text_column(block, n, none_if_empty=kind == "o")
            if len(col) != n:
                raise ValueError("column length differs")
            cols.append(col)
        table = cls(*cols)
        for day in set(table.posted_on):
            if _day(day).isoformat() != day:
                raise ValueError("not an ISO date")
        if set(table.direction) - set(_DIRECTIONS):
            raise ValueError("unknown direction")
        for cur in set(table.currency):
            if len(cur) != 3 or not (cur.isascii() and cur.isalpha() and cur.isupper()):
                raise ValueError("not a currency code")
        if table.row and min(table.row) < 0:
            raise ValueError("negative row number")
        return table


def _text_column(block: bytes, n: int, *, none_if_empty: bool) -> list[Any]:
    """One text column of ``TxTable.to_wire`` (see there). Raises ValueError (UnicodeDecodeError is one)."""
    how, body = block[:1], block[1:]
    if how == b"d":
        width, size = body[:1].decode("ascii"), int.from_bytes(body[1:5], "little")
        if width not in ("B", "H") or size > len(body) - 5:
            raise ValueError("bad dictionary column")
        vocab: list[Any] = body[5 : 5 + size].decode("utf-8").split("\x00")
        codes = array(width)
        codes.frombytes(body[5 + size :])
        if sys.byteorder == "big":
            codes.byteswap()
        if len(codes) != n:
            raise ValueError("bad dictionary codes")
        if none_if_empty:
            vocab = [v or None for v in vocab]
        try:
            return list(map(vocab.__getitem__, codes))  # a code beyond the dictionary: IndexError (no max() pass)
        except IndexError:
            raise ValueError("bad dictionary codes") from None
    if how == b"t":
        col: list[Any] = body.decode("utf-8").split("\x00") if n else []
    elif how == b"j":
        col = json.loads(body.decode("utf-8"))
        if not isinstance(col, list) or set(map(type, col)) - {str}:
            raise ValueError("text column holds non-text")
    else:
        raise ValueError("unknown column kind")
    return [v or None for v in col] if none_if_empty and "" in col else col


_MAX_MINOR = 10**15  # 10 trillion in major units: far above any consumer transaction, far below float/int64 limits
_MAX_WIRE_ROWS = 10_000_000


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
    transactions: Sequence[ParsedTx]  # a tuple, or a TxTable (columns) for large files
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
        if isinstance(self.transactions, TxTable):
            return self.transactions.bnpl_count
        return sum(1 for t in self.transactions if t.bnpl_product)

    def to_json(self) -> dict[str, Any]:
        return {**self.meta_json(), "rows": [t.to_row() for t in self.transactions]}

    def meta_json(self) -> dict[str, Any]:
        """Everything but the transactions (which the worker sends as columns, see TxTable.to_wire)."""
        def d(x: date | None) -> str | None:
            return x.isoformat() if x else None

        def m(x: Money | None) -> dict[str, str] | None:
            return {"amount": str(x.amount), "currency": x.currency} if x else None

        return {
            "format": self.format, "provider_id": self.provider_id, "currency": self.currency,
            "period_start": d(self.period_start), "period_end": d(self.period_end), "due_date": d(self.due_date),
            "total_due": m(self.total_due), "minimum_due": m(self.minimum_due),
            "inst_rows": [[i.due_on.isoformat(), i.amount.minor, i.amount.currency, i.seq, i.of, i.merchant]
                          for i in self.installments],
            "warnings": list(self.warnings), "warning_params": [dict(p) for p in self.warning_params],
            "reconciled": self.reconciled, "account_hint": self.account_hint, "columns": list(self.columns),
            "pages": self.pages,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any], transactions: Sequence[ParsedTx] | None = None) -> ParsedStatement:
        """From ``to_json`` output, or from ``meta_json`` output plus the transactions (already rebuilt)."""
        def dt(x: str | None) -> date | None:
            return date.fromisoformat(x) if x else None

        def m(x: dict[str, str] | None) -> Money | None:
            return Money.parse(x["amount"], x["currency"]) if x else None

        return cls(
            format=d["format"], provider_id=d.get("provider_id"), currency=d.get("currency", "CNY"),
            transactions=transactions if transactions is not None
            else tuple(ParsedTx.from_row(r) for r in d["rows"]) if "rows" in d
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
