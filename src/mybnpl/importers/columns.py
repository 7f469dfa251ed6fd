"""First guesses for the column-mapping step: which column of an unknown table holds what, and in which currency.

From the column names (English, Chinese, Dutch, German, Swedish, French, Spanish words) checked against the cells:
a date column must hold dates, an amount column amounts, a merchant column no account numbers, a currency column
currency codes. A direction column (D/K, DR/CR, 借/贷) and a currency column are also found by their cells alone.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from decimal import Decimal

from mybnpl.core.imports import ColumnMapping
from mybnpl.core.models import Direction
from mybnpl.importers.generic import currency_code, decimal_amount, direction_word, is_datelike

SAMPLE_ROWS = 20
# Words per field, best first. A column named exactly so scores highest, then one containing the word (a whole
# word in Latin script, any part in Chinese), then (words of 4+ letters) one containing it inside a longer word.
VOCAB: dict[str, tuple[str, ...]] = {
    "date": ("date", "datum", "日期", "transaction date", "trans date", "posting date", "posted date", "booking date",
             "date processed", "交易日期", "记账日期", "记账日", "入账日期", "交易时间", "时间", "buchungstag",
             "buchungsdatum", "boekdatum", "transactiedatum", "bokföringsdag", "transaktionsdag", "fecha", "posted",
             "booking", "date opération", "vr.date"),
    "direction": ("direction", "d/k", "d/c", "c/d", "dr/cr", "cr/dr", "debit/credit", "credit/debit", "af bij",
                  "af/bij", "debet/credit", "soll/haben", "s/h", "收/支", "收支", "借/贷", "借贷", "借贷标志",
                  "收支类型", "资金流向", "收入/支出", "支出/收入", "in/out"),
    "debit": ("debit", "debet", "dr.amt", "dr amt", "dr", "debits", "debit amount", "withdrawal", "withdrawals",
              "money out", "paid out", "out", "outflow", "支出", "支出金额", "借方", "借方金额", "借方发生额",
              "付款金额", "转出金额", "soll", "belastung", "ausgabe", "uttag", "débit", "af"),
    "credit": ("credit", "cr.amt", "cr amt", "cr", "credits", "credit amount", "deposit", "deposits", "money in",
               "paid in", "in", "inflow", "收入", "收入金额", "贷方", "贷方金额", "贷方发生额", "收款金额", "存入金额",
               "转入金额", "haben", "gutschrift", "einnahme", "insättning", "crédit", "bij"),
    "amount": ("amount", "bedrag", "betrag", "belopp", "montant", "importe", "金额", "交易金额", "发生额", "人民币金额",
               "umsatz"),
    "currency": ("currency", "munt", "valuta", "währung", "devise", "moneda", "ccy", "币种", "货币", "币别", "交易币种",
                 "币种名称"),
    "merchant": ("merchant", "payee", "payee name", "beneficiary", "counterparty", "recipient", "对方户名", "交易对方",
                 "商户名称", "对方名称", "收款方", "交易描述", "商户", "handelaar", "naam tegenpartij", "tegenpartij",
                 "empfänger", "zahlungsempfänger", "begünstigter", "auftraggeber/empfänger", "mottagare", "motpart",
                 "bénéficiaire", "beneficiario", "name", "naam", "对方"),
    "description": ("description", "details", "memo", "narrative", "particulars", "notes", "摘要", "交易摘要",
                    "商品", "商品名称", "备注", "用途", "说明", "omschrijving", "mededelingen", "toelichting",
                    "verwendungszweck",
                    "buchungstext", "beschreibung", "beskrivning", "meddelande", "text", "libellé", "concepto"),
    "external_id": ("transaction id", "交易单号", "流水号", "交易流水号", "订单号", "交易号", "transactiereferentie",
                    "reference", "reference no", "referentie", "referenz"),
    "payment_method": ("payment method", "支付方式", "付款方式"),
}
_NOT: dict[str, tuple[str, ...]] = {  # words that rule a column out for a field
    "amount": ("balance", "saldo", "余额", "kosten", "fee", "koers", "rate", "汇率"),
    "merchant": ("账号", "卡号", "account", "iban", "rekening", "konto", "card", "kaart", "ort", "地点", "location"),
}
_NUMBERISH = re.compile(r"[\d*\s./-]{6,}")
_MARKERS = {"d", "k", "c", "dr", "cr", "dr.", "cr.", "debit", "credit", "debet", "af", "bij", "借", "贷", "收入",
            "支出", "收", "支"}
# ISO codes a currency column holds (and that count in header words): common ones, and the old European ones.
_ISO_TEXT = ("CNY USD EUR GBP JPY HKD TWD MOP AUD NZD CAD CHF SGD MYR THB KRW INR IDR PHP VND SEK NOK DKK ISK PLN CZK "
             "HUF RON BGN HRK TRY RUB UAH ZAR BRL MXN ARS CLP COP AED SAR ILS EGP LTL LVL EEK")
ISO = frozenset(_ISO_TEXT.split())
# Symbols and words, longest first so that "HK$" is not read as "$".
SYMBOLS = (("HK$", "HKD"), ("US$", "USD"), ("AU$", "AUD"), ("A$", "AUD"), ("CA$", "CAD"), ("C$", "CAD"),
           ("NZ$", "NZD"), ("S$", "SGD"), ("R$", "BRL"), ("人民币", "CNY"), ("RMB", "CNY"), ("元", "CNY"),
           ("￥", "CNY"), ("¥", "CNY"), ("円", "JPY"), ("€", "EUR"), ("£", "GBP"), ("₹", "INR"), ("₩", "KRW"),
           ("₽", "RUB"), ("zł", "PLN"), ("$", "USD"))


def _n(text: str) -> str:
    return " ".join(text.casefold().split())


def _score(header: str, words: Sequence[str]) -> int:
    """How well a column name fits a field's words: by match kind, then by how early the word is listed."""
    h, best = _n(header), 0
    for i, w in enumerate(words):
        latin = w.isascii() or not re.search(r"[\u3000-\u9fff]", w)
        if h == w:
            kind = 3
        elif latin and len(w) <= 3:  # "dr", "in", "af": only a column named so
            continue
        elif (re.search(rf"(?<![^\W\d_]){re.escape(w)}(?![^\W\d_])", h) if latin else w in h):
            kind = 2
        elif latin and len(w) >= 4 and w in h:
            kind = 1
        else:
            continue
        best = max(best, kind * 1000 - i)
    return best


def _mostly(values: list[str], test: Callable[[str], bool], share: float = 0.6) -> bool:
    filled = [v for v in values if v]
    return not filled or sum(map(test, filled)) >= share * len(filled)


def _amount(v: str) -> Decimal | None:
    return decimal_amount(re.sub(r"\s*\b(CR|DR|Cr|Dr)\.?$", "", v))


def _is_amount(v: str) -> bool:
    return _amount(v) is not None


def _is_text(v: str) -> bool:
    return not (_NUMBERISH.fullmatch(v) or _is_amount(v) or is_datelike(v))


def _is_currency(v: str) -> bool:
    return currency_code(v) in ISO


_FITS: dict[str, Callable[[str], bool]] = {
    "date": is_datelike, "amount": _is_amount, "debit": _is_amount, "credit": _is_amount,
    "direction": lambda v: direction_word(v) is not None, "currency": _is_currency, "merchant": _is_text,
    "description": _is_text,
}


def symbol_currency(text: str) -> str | None:
    """The currency a header or cell names by symbol, word or ISO code ("AMOUNT ($)", "bedrag in EUR", "¥12")."""
    words: list[str] = re.findall(r"(?<![A-Za-z])[A-Z]{3}(?![A-Za-z])", text)
    return next((w for w in words if w in ISO), None) or next((code for sym, code in SYMBOLS if sym in text), None)


def guess_mapping(header: Sequence[str], rows: Sequence[Sequence[str]], currency: str = "CNY",
                  currency_column: bool = True) -> ColumnMapping | None:
    """A first guess; None without a date column. ``currency`` is the fallback; with ``currency_column`` False
    (the reader cannot take each row's currency from a column) a currency column gives its most common code."""
    header, rows = list(header), [list(r) for r in rows[:SAMPLE_ROWS]]
    values = {h: [r[j] if j < len(r) else "" for r in rows] for j, h in enumerate(header)}
    found: dict[str, str] = {}
    for field, words in VOCAB.items():
        fits = _FITS.get(field)
        scored = [(s, -j, h) for j, h in enumerate(header) if h not in found.values()
                  and (s := _score(h, words)) and not any(w in _n(h) for w in _NOT.get(field, ()))
                  and (fits is None or _mostly(values[h], fits))]
        if scored:
            found[field] = max(scored)[2]
    if "date" not in found:  # a column of dates, whatever its name
        found["date"] = next((h for h in header if any(values[h]) and _mostly(values[h], is_datelike, 0.8)), "")
        if not found["date"]:
            return None
    free = [h for h in header if h not in found.values() and any(values[h])]
    if "direction" not in found:  # a column of D/K or CR marks, whatever its name
        found["direction"] = next((h for h in free if all(_n(v) in _MARKERS for v in values[h] if v)), "")
    if "currency" not in found:
        found["currency"] = next((h for h in free if _mostly(values[h], _is_currency, 1.0)), "")
    if (found.get("debit") and found.get("credit")) or not found.get("amount"):
        found.pop("amount", None)
    else:
        found.pop("debit", None)
        found.pop("credit", None)
    amounts = [h for h in (found.get(k) for k in ("amount", "debit", "credit")) if h]
    marks = {direction_word(v) for v in values[found["direction"]] if v} if found.get("direction") else set()
    signs = [a for v in values[found["amount"]] if (a := _amount(v))] if found.get("amount") else []
    # mostly positive amounts, no "out" marks: a card statement, where purchases are positive and credits marked
    card = len(signs) >= 3 and sum(a > 0 for a in signs) >= 0.8 * len(signs) and marks <= {Direction.IN}
    return ColumnMapping(
        date=found["date"], amount=found.get("amount"), debit=found.get("debit"), credit=found.get("credit"),
        merchant=found.get("merchant") or None, description=found.get("description"),
        payment_method=found.get("payment_method"), external_id=found.get("external_id"),
        direction=found.get("direction") or None, negative_is_out=not card,
        currency=_currency(found.get("currency"), amounts, values, currency, currency_column))


def _currency(column: str | None, amounts: list[str], values: dict[str, list[str]], fallback: str,
              by_column: bool) -> str:
    """A currency column (or its most common code), else a symbol or code in the amount headers, then in the
    amount cells, else ``fallback``."""
    if column:
        codes = Counter(c for v in values[column] if (c := currency_code(v)) in ISO)
        if by_column or not codes:
            return column if codes else fallback
        return codes.most_common(1)[0][0]
    named = [c for h in amounts if (c := symbol_currency(h))]
    cells = Counter(c for h in amounts for v in values[h] if v and (c := symbol_currency(v)))
    return named[0] if named else cells.most_common(1)[0][0] if cells else fallback
