"""Money: an exact Decimal amount in one currency, stored as integer minor units."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from mybnpl.core.errors import InvalidInput

# ISO 4217 minor-unit exponents for the currencies BNPL users meet; anything else defaults to 2.
_EXPONENTS: dict[str, int] = {"JPY": 0, "KRW": 0, "VND": 0, "BHD": 3, "KWD": 3}
_SYMBOLS: dict[str, str] = {"CNY": "¥", "GBP": "£", "EUR": "€", "USD": "$", "AUD": "A$", "JPY": "¥"}


_KNOWN: dict[str, str] = {c: c for c in ("CNY", "EUR", "GBP", "USD", "AUD", "JPY", "HKD", "NZD", "CAD", "SEK")}


def exponent(currency: str) -> int:
    return _EXPONENTS.get(currency.upper(), 2)


def _check_currency(currency: str) -> str:
    cur = currency.strip().upper()
    if len(cur) != 3 or not cur.isalpha() or not cur.isascii():
        raise InvalidInput("The currency code {code} is not a 3-letter ISO code.", code=currency)
    return cur


@dataclass(frozen=True, order=True)
class Money:
    """An amount with its currency. Arithmetic refuses to mix currencies."""

    amount: Decimal
    currency: str = "CNY"

    def __post_init__(self) -> None:
        cur = _check_currency(self.currency)
        object.__setattr__(self, "currency", cur)
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money.amount must be a Decimal")
        if not self.amount.is_finite():
            raise InvalidInput("The amount is not a finite number.")
        q = Decimal(1).scaleb(-exponent(cur))
        object.__setattr__(self, "amount", self.amount.quantize(q, rounding=ROUND_HALF_UP))

    @classmethod
    def parse(cls, text: str | int | Decimal, currency: str = "CNY") -> Money:
        """Parse user or file text such as ``"1,234.50"``, ``"¥12.00"`` or ``"-3"``."""
        if isinstance(text, Decimal | int):
            return cls(Decimal(text), currency)
        cleaned = text.strip().replace(",", "").replace("，", "")
        for sym in ("¥", "￥", "£", "€", "$", "A$", "RMB", "CNY"):
            cleaned = cleaned.replace(sym, "")
        cleaned = cleaned.strip()
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise InvalidInput("{text} is not an amount.", text=text) from None
        if not value.is_finite():
            raise InvalidInput("{text} is not an amount.", text=text)
        return cls(value, currency)

    @classmethod
    def from_minor(cls, minor: int, currency: str = "CNY") -> Money:
        """Exact by construction (an integer of minor units), so the validation in __init__ is skipped."""
        cur = _KNOWN.get(currency) or _check_currency(currency)
        obj = object.__new__(cls)
        object.__setattr__(obj, "amount", Decimal(minor).scaleb(-exponent(cur)))
        object.__setattr__(obj, "currency", cur)
        obj.__dict__["_minor"] = int(minor)
        return obj

    @property
    def minor(self) -> int:
        cached = self.__dict__.get("_minor")  # memoised without cached_property's lock (hot in imports)
        if cached is None:
            cached = self.__dict__["_minor"] = int(self.amount.scaleb(exponent(self.currency)))
        return int(cached)

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise InvalidInput("Amounts in {a} and {b} cannot be combined.", a=self.currency, b=other.currency)

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def is_zero(self) -> bool:
        return self.amount == 0

    def split(self, parts: int) -> list[Money]:
        """Split into ``parts`` amounts to the minor unit; the rounding remainder goes on the last one."""
        if parts < 1:
            raise InvalidInput("The number of parts must be at least 1.")
        total = self.minor
        base = int(Decimal(total) / parts)  # truncates toward zero
        amounts = [base] * parts
        amounts[-1] = total - base * (parts - 1)
        return [Money.from_minor(a, self.currency) for a in amounts]

    def format(self) -> str:
        sym = _SYMBOLS.get(self.currency)
        sign = "-" if self.amount < 0 else ""
        body = f"{abs(self.amount):,.{exponent(self.currency)}f}"
        return f"{sign}{sym}{body}" if sym else f"{sign}{body} {self.currency}"

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
