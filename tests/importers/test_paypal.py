"""PayPal activity download CSV. The fixtures are SYNTHETIC, in PayPal's documented column layout
(tests/fixtures/PROVENANCE.md): no real PayPal export was available."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from mybnpl.core.imports import ImportCode, ImportFailed, ParsedStatement
from mybnpl.core.models import Direction
from mybnpl.importers import base, paypal
from mybnpl.importers.base import ParseOptions

INTL = Path(__file__).resolve().parents[1] / "fixtures" / "intl"
US = "paypal_us_synthetic.csv"
UK = "paypal_uk_synthetic.csv"
SHORT_HEADER = '"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net","Transaction ID"\n'


def parse(data: bytes, name: str = "Download.CSV") -> ParsedStatement:
    return paypal.parse(data, name, ParseOptions())


def fixture(name: str) -> ParsedStatement:
    return parse((INTL / name).read_bytes(), name)


def test_sniff_and_detection() -> None:
    data = (INTL / US).read_bytes()
    assert paypal.sniff(data.decode(), data, US) == 90
    assert base.detect(data, US) is paypal
    other = b"Date,Merchant,Amount\n2024-01-01,Shop,1.00\n"
    assert paypal.sniff(other.decode(), other, "x.csv") == 0


def test_us_activity_download() -> None:
    st = fixture(US)
    assert (st.format, st.currency, st.provider_id) == ("paypal_csv", "USD", None)
    assert len(st.transactions) == 14  # 13 rows + the fee of the 1,250.00 payment received
    assert (st.period_start, st.period_end) == (date(2024, 3, 14), date(2024, 4, 21))
    purchase, loan, instalment, deposit = st.transactions[:4]
    assert (purchase.posted_on, purchase.amount.amount, purchase.direction, purchase.bnpl_product) == (
        date(2024, 3, 14), Decimal("120.00"), Direction.OUT, None)
    assert purchase.merchant == "Example Shoes Inc."
    assert purchase.description == "Express Checkout Payment · Running shoes"
    assert purchase.external_id == "1AB23456CD7890123" and purchase.posted_at == "2024-03-14 10:15:02 PDT"
    assert (loan.direction, loan.bnpl_product, loan.amount.amount) == (Direction.IN, "paypal_paylater", Decimal("120"))
    assert (instalment.direction, instalment.bnpl_product) == (Direction.OUT, "paypal_paylater")
    assert (deposit.direction, deposit.merchant) == (Direction.NEUTRAL, "Bank Deposit to PP Account")


def test_currencies_conversions_fees_and_statuses() -> None:
    by_id = {t.external_id: t for t in fixture(US).transactions}
    etsy = by_id["5EF67890GH1234567"]
    assert (etsy.amount.amount, etsy.amount.currency, etsy.direction) == (Decimal("25.50"), "GBP", Direction.OUT)
    assert by_id["6FG78901HJ2345678"].direction is Direction.NEUTRAL  # General Currency Conversion
    assert by_id["7GH89012JK3456789"].amount.currency == "GBP"
    assert by_id["8HJ90123KL4567890"].bnpl_product == "paypal_paylater"  # PayPal Credit
    received, fee = by_id["9JK01234LM5678901"], by_id["9JK01234LM5678901-FEE"]
    assert (received.amount.amount, received.direction) == (Decimal("1250.00"), Direction.IN)  # "1,250.00"
    assert (fee.amount.amount, fee.direction, fee.category, fee.merchant) == (
        Decimal("36.55"), Direction.OUT, "fee", "PayPal")
    assert by_id["0KL12345MN6789012"].direction is Direction.IN  # refund
    pending = by_id["1LM23456NP7890123"]
    assert (pending.status, pending.direction) == ("Pending", Direction.OUT)
    assert by_id["2MN34567PQ8901234"].bnpl_product == "klarna"  # a Klarna repayment, through the catalog
    denied = by_id["3NP45678QR9012345"]
    assert (denied.status, denied.direction) == ("Denied", Direction.NEUTRAL)


def test_uk_dates_are_day_first_by_time_zone() -> None:
    st = fixture(UK)  # every date is ambiguous (05/04/2024); BST says day-first
    assert st.currency == "GBP"
    assert [t.posted_on for t in st.transactions] == [date(2024, 4, 5), date(2024, 4, 5), date(2024, 5, 5),
                                                      date(2024, 5, 6), date(2024, 5, 6)]
    assert [t.bnpl_product for t in st.transactions[:3]] == [None, "paypal_paylater", "paypal_paylater"]
    assert st.transactions[-1].external_id == "7ST89012UV3456789-FEE"
    assert st.transactions[-1].amount.amount == Decimal("0.50")


def test_german_headers_decimal_comma_and_positive_fees() -> None:
    # the German column names and the positive-fee convention of nils-werner/beancount-paypal's German example
    text = ("Datum,Uhrzeit,Zeitzone,Name,Typ,Status,Währung,Brutto,Gebühr,Netto,Transaktionscode,"
            "Auswirkung auf Guthaben\n"
            '05.02.2025,14:32:15,CET,Ein Laden,Einkauf,Abgeschlossen,EUR,"-1.010,00",0,"-1.010,00",A1,Soll\n'
            '06.02.2025,09:00:00,CET,PayPal,Pay in 3-Rate,Abgeschlossen,EUR,"-33,67",0,"-33,67",A2,Soll\n'
            '07.02.2025,10:00:00,CET,Jemand,Handyzahlung,Abgeschlossen,EUR,25,"1,5","23,5",A3,Haben\n'
            "08.02.2025,11:00:00,CET,PayPal,Allgemeine Währungsumrechnung,Abgeschlossen,EUR,10,0,10,A4,Haben\n")
    st = parse(text.encode())
    assert [(t.posted_on, t.amount.amount, t.direction) for t in st.transactions] == [
        (date(2025, 2, 5), Decimal("1010.00"), Direction.OUT), (date(2025, 2, 6), Decimal("33.67"), Direction.OUT),
        (date(2025, 2, 7), Decimal("25.00"), Direction.IN), (date(2025, 2, 7), Decimal("1.50"), Direction.OUT),
        (date(2025, 2, 8), Decimal("10.00"), Direction.NEUTRAL)]
    assert st.transactions[1].bnpl_product == "paypal_paylater"
    assert st.transactions[3].external_id == "A3-FEE"


def test_data_beats_the_time_zone() -> None:
    # PST, yet day-first dates (as in PayPal activity files that English-language non-US accounts download)
    row = '"{d}","07:45:51","PST","P","General Payment","Completed","USD","84","-4.25","79.75","T{n}"\n'
    text = SHORT_HEADER + row.format(d="03/12/2015", n=1) + row.format(d="29/12/2015", n=2)
    assert [t.posted_on for t in parse(text.encode()).transactions][::2] == [date(2015, 12, 3), date(2015, 12, 29)]


def test_english_without_hints_is_month_first_and_day_over_12_decides() -> None:
    row = '"{d}","10:00:00","","Shop","Payment","Completed","USD","-1.00","0.00","-1.00","X{n}"\n'
    ambiguous = SHORT_HEADER + row.format(d="02/03/2024", n=1)
    assert parse(ambiguous.encode()).transactions[0].posted_on == date(2024, 2, 3)
    decided = ambiguous + row.format(d="25/03/2024", n=2)
    assert [t.posted_on for t in parse(decided.encode()).transactions] == [date(2024, 3, 2), date(2024, 3, 25)]


def test_tab_separated_and_quoted_line_breaks() -> None:
    header = SHORT_HEADER.strip().replace(",", "\t") + '\t"Note"\n'
    row = '03/01/2024\t10:00:00\tPST\tShop\tPayment\tCompleted\tUSD\t-5.00\t0.00\t-5.00\tT1\t"line one\nline two"\n'
    st = parse((header + row).encode())
    assert st.transactions[0].description == "Payment · line one\nline two"


def test_unreadable_rows_are_skipped_with_a_warning() -> None:
    text = SHORT_HEADER + ('"03/01/2024","10:00:00","PST","A","Payment","Completed","USD","-5.00","0.00","-5.00","T1"\n'
                           '"soon","10:00:00","PST","B","Payment","Completed","USD","-5.00","0.00","-5.00","T2"\n')
    st = parse(text.encode())
    assert len(st.transactions) == 1
    assert st.warning_params == ({"count": "1", "line": "3", "detail": "“soon”"},)


@pytest.mark.parametrize(("text", "code"), [
    (SHORT_HEADER, ImportCode.EMPTY),
    ("Date,Amount\n2024-01-01,1.00\n", ImportCode.UNSUPPORTED_FORMAT),
    (SHORT_HEADER + '"x","","","","","","USD","y","","",""\n', ImportCode.CORRUPT),
    ("", ImportCode.EMPTY),
])
def test_bad_files(text: str, code: ImportCode) -> None:
    with pytest.raises(ImportFailed) as e:
        parse(text.encode())
    assert e.value.code == code
